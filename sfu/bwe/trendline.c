/*
 * trendline.c: inter-group delay variation, trendline filter and over-use
 * detector with adaptive threshold (see trendline.h). Constants are
 * libwebrtc's (inter_arrival_delta.cc, trendline_estimator.cc).
 */
#include "bwe/trendline.h"

#include <string.h>

#define GROUP_US          5000    /* kSendTimeGroupLength */
#define BURST_US          5000    /* kBurstDeltaThreshold */
#define MAX_BURST_US      100000  /* kMaxBurstDuration */
#define OFFSET_RESET_US   3000000 /* kArrivalTimeOffsetThreshold */
#define MAX_REORDERED     3
#define SMOOTHING         0.9
#define THRESHOLD_GAIN    4.0
#define MIN_DELTAS        60
#define OVERUSE_MS        10.0
#define K_UP              0.0087
#define K_DOWN            0.039
#define MAX_ADAPT_OFFSET  15.0
#define MAX_THR_UPDATE_MS 100.0

void kn_trendline_init(kn_trendline *t) {
    memset(t, 0, sizeof(*t));
    t->threshold = 12.5;
    t->over_ms = -1;
}

static void group_reset(kn_trendline *t) {
    memset(&t->cur, 0, sizeof(t->cur));
    memset(&t->prev, 0, sizeof(t->prev));
    t->reordered = 0;
}

/* §5.2: a packet whose arrival is within 5 ms of the group's last one and that
 * arrived "early" (negative propagation delta) belongs to the same burst. */
static bool belongs_to_burst(const kn_trend_group *g, uint64_t send_us, int64_t recv_us) {
    int64_t arr_d = recv_us - g->recv_us;
    int64_t send_d = (int64_t)(send_us - g->send_us);

    if (send_d == 0)
        return true;
    return arr_d - send_d < 0 && arr_d <= BURST_US && recv_us - g->first_recv_us < MAX_BURST_US;
}

static bool new_group(const kn_trend_group *g, uint64_t send_us, int64_t recv_us) {
    if (belongs_to_burst(g, send_us, recv_us))
        return false;
    return (int64_t)(send_us - g->first_send_us) > GROUP_US;
}

static void group_start(kn_trend_group *g, uint64_t send_us, int64_t recv_us) {
    g->valid = true;
    g->first_send_us = g->send_us = send_us;
    g->first_recv_us = recv_us;
    g->size = 0;
}

static double linear_fit_slope(const kn_trendline *t) {
    double sx = 0, sy = 0, num = 0, den = 0, mx, my;

    for (uint32_t i = 0; i < t->hn; i++) {
        sx += t->hx[i];
        sy += t->hy[i];
    }
    mx = sx / t->hn;
    my = sy / t->hn;
    for (uint32_t i = 0; i < t->hn; i++) {
        num += (t->hx[i] - mx) * (t->hy[i] - my);
        den += (t->hx[i] - mx) * (t->hx[i] - mx);
    }
    return den == 0 ? t->trend : num / den;
}

/* §5.4 adaptive threshold; large spikes do not move it. */
static void update_threshold(kn_trendline *t, double modified, uint64_t now_us) {
    double a = modified < 0 ? -modified : modified, dt;

    if (t->thr_updated_us == 0)
        t->thr_updated_us = now_us;
    if (a > t->threshold + MAX_ADAPT_OFFSET) {
        t->thr_updated_us = now_us;
        return;
    }
    dt = (double)(now_us - t->thr_updated_us) / 1000.0;
    if (dt > MAX_THR_UPDATE_MS)
        dt = MAX_THR_UPDATE_MS;
    t->threshold += (a < t->threshold ? K_DOWN : K_UP) * (a - t->threshold) * dt;
    if (t->threshold < 6)
        t->threshold = 6;
    if (t->threshold > 600)
        t->threshold = 600;
    t->thr_updated_us = now_us;
}

/* §5.3 over-use detector on the trend (TrendlineEstimator::Detect). */
static void detect(kn_trendline *t, double send_delta_ms, uint64_t now_us) {
    double n = t->num_deltas < MIN_DELTAS ? t->num_deltas : MIN_DELTAS;
    double modified = n * t->trend * THRESHOLD_GAIN;

    if (t->num_deltas < 2) {
        t->usage = KN_BW_NORMAL;
        return;
    }
    t->prev_modified = modified;
    if (modified > t->threshold) {
        t->over_ms = t->over_ms < 0 ? send_delta_ms / 2 : t->over_ms + send_delta_ms;
        t->over_count++;
        if (t->over_ms > OVERUSE_MS && t->over_count > 1 && t->trend >= t->prev_trend) {
            t->over_ms = 0;
            t->over_count = 0;
            t->usage = KN_BW_OVERUSING;
        }
    } else if (modified < -t->threshold) {
        t->over_ms = -1;
        t->over_count = 0;
        t->usage = KN_BW_UNDERUSING;
    } else {
        t->over_ms = -1;
        t->over_count = 0;
        t->usage = KN_BW_NORMAL;
    }
    t->prev_trend = t->trend;
    update_threshold(t, modified, now_us);
}

static void trend_update(kn_trendline *t, double recv_d_ms, double send_d_ms, int64_t recv_us,
                         uint64_t now_us) {
    if (t->num_deltas < 1000)
        t->num_deltas++;
    if (!t->have_first) {
        t->have_first = true;
        t->first_recv_us = recv_us;
    }
    t->acc_delay_ms += recv_d_ms - send_d_ms;
    t->smoothed_ms = SMOOTHING * t->smoothed_ms + (1 - SMOOTHING) * t->acc_delay_ms;
    t->hx[t->hpos] = (double)(recv_us - t->first_recv_us) / 1000.0;
    t->hy[t->hpos] = t->smoothed_ms;
    t->hpos = (t->hpos + 1) % KN_TRENDLINE_WINDOW;
    if (t->hn < KN_TRENDLINE_WINDOW)
        t->hn++;
    if (t->hn == KN_TRENDLINE_WINDOW)
        t->trend = linear_fit_slope(t);
    detect(t, send_d_ms, now_us);
}

/* Closes the current group; returns true with the deltas to the previous one. */
static bool close_group(kn_trendline *t, double *send_d_ms, double *recv_d_ms) {
    bool ok = false;

    if (t->prev.valid) {
        int64_t arr_d = t->cur.recv_us - t->prev.recv_us;
        int64_t sys_d = (int64_t)(t->cur.now_us - t->prev.now_us);
        if (arr_d - sys_d >= OFFSET_RESET_US) {
            group_reset(t);
            return false;
        }
        if (arr_d < 0) {
            if (++t->reordered >= MAX_REORDERED)
                group_reset(t);
            return false;
        }
        t->reordered = 0;
        *send_d_ms = (double)(int64_t)(t->cur.send_us - t->prev.send_us) / 1000.0;
        *recv_d_ms = (double)arr_d / 1000.0;
        ok = true;
    }
    t->prev = t->cur;
    return ok;
}

kn_bw_usage kn_trendline_on_packet(kn_trendline *t, uint64_t send_us, int64_t recv_us,
                                   uint32_t size, uint64_t now_us) {
    double send_d = 0, recv_d = 0;
    bool have = false;

    if (!t->cur.valid) {
        group_start(&t->cur, send_us, recv_us);
    } else if (t->cur.first_send_us > send_us) {
        return t->usage; /* reordered against the group: ignored (libwebrtc) */
    } else if (new_group(&t->cur, send_us, recv_us)) {
        have = close_group(t, &send_d, &recv_d);
        group_start(&t->cur, send_us, recv_us);
    } else if (send_us > t->cur.send_us) {
        t->cur.send_us = send_us;
    }
    t->cur.size += size;
    t->cur.recv_us = recv_us;
    t->cur.now_us = now_us;
    if (have)
        trend_update(t, recv_d, send_d, recv_us, now_us);
    return t->usage;
}
