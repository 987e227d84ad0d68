/*
 * gcc.c: GCC estimator glue and loss-based controller (see gcc.h). Delay part:
 * draft-ietf-rmcat-gcc-02 §5; loss part: §6 ("As_hat"): loss > 10 % →
 * As x (1 - 0.5 p), loss < 2 % → increase (8 %/s over the last second's
 * minimum, as libwebrtc), in between hold, so random loss without queue
 * growth does not pull the estimate down.
 */
#include "bwe/gcc.h"

#include <string.h>

#define LOSS_DECREASE_US 300000 /* plus one RTT between loss decreases */
#define RR_STALE_US      2000000
#define SLOT_US          250000

static double dmin(double a, double b) {
    return a < b ? a : b;
}

static void gcc_init(void *st, const kn_bwe_config *cfg, uint64_t now_us) {
    kn_gcc *g = st;

    memset(g, 0, sizeof(*g));
    g->min_bps = cfg->min_bps;
    g->max_bps = cfg->max_bps;
    kn_trendline_init(&g->tl);
    kn_aimd_init(&g->aimd, cfg->start_bps, cfg->min_bps, cfg->max_bps);
    kn_acked_rate_init(&g->acked);
    g->loss_bps = g->est = cfg->start_bps;
    g->win_start_us = now_us;
    g->rtt_us = 200000;
    for (size_t i = 0; i < 4; i++)
        g->hist_bps[i] = cfg->start_bps;
    g->hist_slot = now_us / SLOT_US;
}

static void combine(kn_gcc *g) {
    double e = dmin(g->aimd.bps, g->loss_bps);

    if (g->remb_bps != 0)
        e = dmin(e, g->remb_bps);
    if (e < g->min_bps)
        e = g->min_bps;
    g->est = e > g->max_bps ? g->max_bps : e;
}

/* Keeps the minimum loss-based estimate per 250 ms slot over the last second;
 * a new slot starts at the current value. */
static void hist_note(kn_gcc *g, uint64_t now_us) {
    uint64_t slot = now_us / SLOT_US;

    if (slot != g->hist_slot) {
        uint64_t from = slot - g->hist_slot > 4 ? slot - 3 : g->hist_slot + 1;
        for (uint64_t s = from; s <= slot; s++)
            g->hist_bps[s % 4] = g->loss_bps;
        g->hist_slot = slot;
    } else if (g->loss_bps < g->hist_bps[slot % 4]) {
        g->hist_bps[slot % 4] = g->loss_bps;
    }
}

static double hist_min(const kn_gcc *g) {
    double m = g->hist_bps[0];

    for (size_t i = 1; i < 4; i++)
        m = dmin(m, g->hist_bps[i]);
    return m;
}

static void loss_update(kn_gcc *g, double p, uint64_t now_us) {
    g->last_loss = p;
    hist_note(g, now_us);
    if (p < KN_GCC_LOSS_LOW) {
        g->loss_bps = hist_min(g) * 1.08 + 1000;
    } else if (p > KN_GCC_LOSS_HIGH &&
               now_us - g->last_decrease_us >= LOSS_DECREASE_US + g->rtt_us) {
        g->loss_bps = g->loss_bps * (1 - 0.5 * p);
        g->last_decrease_us = now_us;
    }
    /* The loss controller never runs ahead of the delay-based one (libwebrtc). */
    g->loss_bps = dmin(g->loss_bps, g->aimd.bps);
    if (g->loss_bps < g->min_bps)
        g->loss_bps = g->min_bps;
    hist_note(g, now_us);
}

static void loss_window(kn_gcc *g, uint32_t lost, uint32_t expected, uint64_t now_us) {
    g->win_lost += lost;
    g->win_expected += expected;
    if (g->win_expected < KN_GCC_LOSS_MIN_PKTS)
        return;
    if (g->win_expected < KN_GCC_LOSS_FULL_PKTS && now_us - g->win_start_us < KN_GCC_LOSS_WINDOW_US)
        return;
    loss_update(g, (double)g->win_lost / g->win_expected, now_us);
    g->win_lost = g->win_expected = 0;
    g->win_start_us = now_us;
}

/* Indices of the received packets sorted by arrival (insertion sort: feedback
 * is nearly in order already). Returns how many. */
static size_t sort_received(kn_gcc *g, const kn_bwe_pkt *p, size_t n) {
    size_t m = 0;

    for (size_t i = 0; i < n && i < KN_GCC_MAX_PKTS; i++) {
        size_t j = m++;
        if (p[i].recv_us == KN_BWE_LOST) {
            m--;
            continue;
        }
        while (j > 0 && p[g->order[j - 1]].recv_us > p[i].recv_us) {
            g->order[j] = g->order[j - 1];
            j--;
        }
        g->order[j] = (uint16_t)i;
    }
    return m;
}

static void delay_update(kn_gcc *g, kn_bw_usage usage, uint64_t last_send_us, uint64_t now_us) {
    double acked = kn_acked_rate_bps(&g->acked);

    /* A queue our own probe built is not congestion: cutting to 0.85 x an
     * application-limited acked rate would undo the probe (see bandwidth.md). */
    if (usage == KN_BW_OVERUSING && g->probe_send_us != 0 &&
        last_send_us < g->probe_send_us + KN_GCC_PROBE_GUARD_US)
        return;
    if (usage == KN_BW_OVERUSING) {
        if (acked > 0 && kn_aimd_time_to_reduce(&g->aimd, acked, now_us))
            kn_aimd_update(&g->aimd, usage, acked, now_us);
        return;
    }
    kn_aimd_update(&g->aimd, usage, acked, now_us);
}

static void gcc_on_feedback(void *st, const kn_bwe_pkt *p, size_t n, uint64_t now_us) {
    kn_gcc *g = st;
    kn_bw_usage usage = g->tl.usage;
    size_t m = sort_received(g, p, n);

    g->last_fb_us = now_us;
    uint64_t last_send = 0;

    for (size_t i = 0; i < m; i++) {
        const kn_bwe_pkt *k = &p[g->order[i]];
        if (k->probe_id >= 0 && k->send_us > g->probe_send_us)
            g->probe_send_us = k->send_us;
        if (k->send_us > last_send)
            last_send = k->send_us;
        kn_acked_rate_on_packet(&g->acked, k->recv_us, k->size);
        usage = kn_trendline_on_packet(&g->tl, k->send_us, k->recv_us, k->size, now_us);
    }
    if (m > 0)
        delay_update(g, usage, last_send, now_us);
    loss_window(g, (uint32_t)(n - m), (uint32_t)n, now_us);
    combine(g);
}

/* A result raises the estimate (not during over-use). A limited one measured
 * the bottleneck itself (its queue grew under the cluster): it also lowers an
 * estimate above it, e.g. one an earlier cluster set that fit into a token
 * bucket's burst and passed at line rate. */
static void gcc_on_probe_result(void *st, uint32_t bps, bool limited, uint64_t now_us) {
    kn_gcc *g = st;

    if (limited && bps < g->est) {
        kn_aimd_set(&g->aimd, bps, now_us);
        g->loss_bps = dmin(g->loss_bps, bps);
        combine(g);
        return;
    }
    if (g->tl.usage == KN_BW_OVERUSING || bps <= g->est)
        return;
    kn_aimd_set(&g->aimd, bps, now_us);
    if (g->last_loss > KN_GCC_LOSS_HIGH) {
        combine(g); /* the loss controller's cut stands: the last window lost > 10 % */
        return;
    }
    g->loss_bps = bps;
    for (size_t i = 0; i < 4; i++)
        g->hist_bps[i] = bps;
    combine(g);
}

static void gcc_on_remb(void *st, uint64_t bps, uint64_t now_us) {
    kn_gcc *g = st;

    (void)now_us;
    g->remb_bps = bps > UINT32_MAX ? UINT32_MAX : (uint32_t)bps;
    combine(g);
}

static void gcc_on_rtt(void *st, uint32_t rtt_us, uint64_t now_us) {
    kn_gcc *g = st;

    (void)now_us;
    g->rtt_us = rtt_us;
    g->aimd.rtt_us = rtt_us;
}

/* RR loss only when transport-wide feedback is missing (it would count twice). */
static void gcc_on_loss_report(void *st, uint8_t fraction, uint32_t packets, uint64_t now_us) {
    kn_gcc *g = st;

    if (g->last_fb_us != 0 && now_us - g->last_fb_us < RR_STALE_US)
        return;
    if (packets < KN_GCC_LOSS_MIN_PKTS)
        return;
    loss_update(g, fraction / 256.0, now_us);
    combine(g);
}

static uint32_t gcc_estimate_bps(const void *st) {
    const kn_gcc *g = st;

    return (uint32_t)g->est;
}

const struct kn_bwe_algo kn_gcc_algo = {
    .name = "gcc",
    .state_size = sizeof(kn_gcc),
    .init = gcc_init,
    .on_feedback = gcc_on_feedback,
    .on_probe_result = gcc_on_probe_result,
    .on_remb = gcc_on_remb,
    .on_rtt = gcc_on_rtt,
    .on_loss_report = gcc_on_loss_report,
    .estimate_bps = gcc_estimate_bps,
};
