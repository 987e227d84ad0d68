/*
 * gcc.h: Google Congestion Control as a kn_bwe_algo (draft-ietf-rmcat-gcc-02
 * with libwebrtc's trendline filter): delay-based estimate (trendline.h +
 * aimd.h, fed with the acknowledged bitrate of acked_rate.h) and loss-based
 * estimate from transport-wide feedback (RR fraction lost when no feedback
 * arrives); the estimate is the minimum of the two, capped by REMB when the
 * receiver sends it. State is embedded (no allocation). Media loop only.
 */
#ifndef KN_GCC_H
#define KN_GCC_H

#include <stdint.h>

#include "bwe/acked_rate.h"
#include "bwe/aimd.h"
#include "bwe/bwe.h"
#include "bwe/trendline.h"

#define KN_GCC_MAX_PKTS       KN_BWE_BATCH /* packets sorted per on_feedback call */
#define KN_GCC_LOSS_MIN_PKTS  20           /* loss windows need at least this many */
#define KN_GCC_LOSS_FULL_PKTS 100          /* ... and close at this many */
#define KN_GCC_LOSS_WINDOW_US 1000000      /* ... or after this long */
#define KN_GCC_LOSS_LOW       0.02         /* below: increase */
#define KN_GCC_LOSS_HIGH      0.10         /* above: decrease x (1 - 0.5 p) */
#define KN_GCC_PROBE_GUARD_US 300000 /* over-use on packets sent this soon after a probe is held   \
                                      */

typedef struct kn_gcc {
    uint32_t min_bps, max_bps;
    kn_trendline tl;
    kn_aimd aimd;
    kn_acked_rate acked;
    /* loss-based controller */
    double loss_bps;
    uint32_t win_lost, win_expected;
    uint64_t win_start_us;
    uint64_t last_decrease_us;
    double hist_bps[4]; /* minimum of the loss estimate per 250 ms slot, last second */
    uint64_t hist_slot;
    double last_loss;
    uint64_t last_fb_us;
    uint64_t probe_send_us; /* latest send time of a probe packet seen in feedback */
    uint32_t rtt_us;
    uint32_t remb_bps; /* 0 = none */
    double est;
    uint16_t order[KN_GCC_MAX_PKTS];
} kn_gcc;

#endif
