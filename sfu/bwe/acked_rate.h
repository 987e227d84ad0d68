/*
 * acked_rate.h: acknowledged bitrate, the throughput the receiver reports
 * having received (libwebrtc's BitrateEstimator): bytes are summed over
 * arrival-time windows (500 ms until the first sample, then 150 ms) and the
 * samples are combined by a Bayesian update whose uncertainty grows with the
 * distance from the current estimate. Pure; no allocation.
 */
#ifndef KN_ACKED_RATE_H
#define KN_ACKED_RATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct kn_acked_rate {
    int64_t prev_us; /* receiver time of the previous packet, -1 = none */
    int64_t window_us;
    uint64_t sum_bytes;
    double kbps; /* estimate, < 0 until the first sample */
    double var;
} kn_acked_rate;

void kn_acked_rate_init(kn_acked_rate *r);

/* One received packet (receiver clock), in arrival order. */
void kn_acked_rate_on_packet(kn_acked_rate *r, int64_t recv_us, uint32_t size);

/* The estimate in bit/s, 0 while unknown. */
double kn_acked_rate_bps(const kn_acked_rate *r);

#endif
