/*
 * aimd.h: GCC's delay-based rate controller (draft-ietf-rmcat-gcc-02 §5.5,
 * libwebrtc's AimdRateControl and LinkCapacityEstimator): a state machine
 * (hold / increase / decrease) driven by the over-use detector. Increase is
 * multiplicative (8 %/s) while far from the last congestion point and
 * additive (about one packet per response time) near it; decrease sets the
 * rate to 0.85 x the acknowledged bitrate. Increases are capped at
 * 1.5 x acknowledged + 10 kbit/s so an application-limited sender does not
 * inflate the estimate. Pure; no allocation.
 */
#ifndef KN_AIMD_H
#define KN_AIMD_H

#include <stdbool.h>
#include <stdint.h>

#include "bwe/trendline.h"

enum { KN_AIMD_HOLD = 0, KN_AIMD_INCREASE, KN_AIMD_DECREASE };

typedef struct kn_aimd {
    uint32_t min_bps, max_bps;
    double bps;
    int state;
    uint64_t last_change_us; /* 0 = never */
    uint32_t rtt_us;
    double acked_bps; /* latest acknowledged-bitrate input, 0 = unknown */
    /* link capacity estimate around the last over-use (kbit/s, as libwebrtc) */
    bool cap_valid;
    double cap_kbps, cap_dev;
} kn_aimd;

void kn_aimd_init(kn_aimd *a, uint32_t start_bps, uint32_t min_bps, uint32_t max_bps);

/* Runs the controller once for a feedback: usage from the detector, acked_bps
 * the acknowledged bitrate (0 if not known yet). Returns the new estimate. */
uint32_t kn_aimd_update(kn_aimd *a, kn_bw_usage usage, double acked_bps, uint64_t now_us);

/* Over-use may cut again only after one RTT (10..200 ms) or when the estimate
 * is above twice the acknowledged bitrate (libwebrtc's TimeToReduceFurther). */
bool kn_aimd_time_to_reduce(const kn_aimd *a, double acked_bps, uint64_t now_us);

/* Sets the estimate directly (probe results); clamped. */
void kn_aimd_set(kn_aimd *a, double bps, uint64_t now_us);

#endif
