/*
 * trendline.h: GCC's delay-based over-use detector (draft-ietf-rmcat-gcc-02
 * §5.2-5.4, with libwebrtc's trendline filter in place of the draft's Kalman
 * filter): packets are grouped into 5 ms send bursts, the one-way delay
 * variation between groups is accumulated, smoothed (0.9) and a least-squares
 * slope is fitted over the last 20 groups; the slope times min(deltas, 60) x 4
 * is compared with an adaptive threshold (k_up 0.0087, k_down 0.039, 6..600,
 * start 12.5). Pure; no allocation.
 */
#ifndef KN_TRENDLINE_H
#define KN_TRENDLINE_H

#include <stdbool.h>
#include <stdint.h>

#define KN_TRENDLINE_WINDOW 20

typedef enum kn_bw_usage { KN_BW_NORMAL = 0, KN_BW_UNDERUSING, KN_BW_OVERUSING } kn_bw_usage;

/* A send-time group (§5.2): packets sent within 5 ms of its first. */
typedef struct kn_trend_group {
    bool valid;
    uint64_t first_send_us, send_us; /* send_us: latest send time in the group */
    int64_t first_recv_us, recv_us;  /* recv_us: arrival of the latest packet */
    uint64_t now_us;                 /* local time the latest packet was processed */
    uint64_t size;
} kn_trend_group;

typedef struct kn_trendline {
    kn_trend_group cur, prev;
    int reordered;
    /* trendline filter */
    uint32_t num_deltas;
    bool have_first;
    int64_t first_recv_us;
    double acc_delay_ms, smoothed_ms;
    double hx[KN_TRENDLINE_WINDOW], hy[KN_TRENDLINE_WINDOW];
    uint32_t hn, hpos;
    double trend, prev_trend, prev_modified;
    /* adaptive threshold and detector */
    double threshold;
    uint64_t thr_updated_us;
    double over_ms; /* time spent over the threshold; < 0 when not over */
    int over_count;
    kn_bw_usage usage;
} kn_trendline;

void kn_trendline_init(kn_trendline *t);

/* One received packet, in arrival order. Returns the detector state after it.
 * send_us is the sender's clock, recv_us the receiver's (only differences
 * matter), now_us the local clock when the feedback was processed. */
kn_bw_usage kn_trendline_on_packet(kn_trendline *t, uint64_t send_us, int64_t recv_us,
                                   uint32_t size, uint64_t now_us);

#endif
