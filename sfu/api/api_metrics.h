/*
 * api_metrics.h: the `metrics` control-API method (docs/control-api.md,
 * Metrics): process-wide counters of one konsil-sfu for signaling's
 * Prometheus /metrics. Counters of live peers are summed per request; what
 * departed peers and producers counted is added to kn_api_totals by the hooks
 * below, so every counter only grows. Also a histogram of the per-subscriber
 * bandwidth estimates, sampled once a second. Control plane on the media loop;
 * the hooks run once per peer, producer or layer switch, never per packet.
 */
#ifndef KN_API_METRICS_H
#define KN_API_METRICS_H

#include <jansson.h>
#include <stdint.h>

#include "router/transport.h"

typedef struct kn_worker kn_worker;
typedef struct kn_producer kn_producer;

#define KN_API_BWE_BUCKETS 8 /* finite upper bounds; one more for +Inf */

/* peer.closed reasons, and "request": peer.destroy (no event is sent for it). */
enum {
    KN_API_CLOSE_CONSENT,
    KN_API_CLOSE_DTLS,
    KN_API_CLOSE_TCP,
    KN_API_CLOSE_DESTROYED,
    KN_API_CLOSE_REQUEST,
    KN_API_CLOSE_N
};

typedef struct kn_api_totals {
    kn_transport_stats retired; /* summed over destroyed peers */
    uint64_t lost_retired;      /* packets lost on destroyed producers */
    uint64_t closed[KN_API_CLOSE_N];
    uint64_t layer_switches;
    uint64_t bwe_counts[KN_API_BWE_BUCKETS + 1]; /* per bucket, not cumulative */
    uint64_t bwe_samples;
    double bwe_sum_bps;
} kn_api_totals;

/* Upper bounds (bit/s) of the estimate histogram's finite buckets. */
extern const uint32_t kn_api_bwe_bounds[KN_API_BWE_BUCKETS];

/* Hooks (no-ops while the worker has no API server): a peer is being freed
 * (reason as in peer.closed, NULL when none is sent), a producer is being
 * freed, a consumer switched its spatial layer. */
void kn_api_metrics_on_peer_closed(const kn_transport *t, const char *reason);
void kn_api_metrics_on_producer_closed(const kn_producer *p);
void kn_api_metrics_on_layer_switch(kn_worker *w);

/* Adds every live transport's current estimate to the histogram (1 s timer). */
void kn_api_metrics_sample(kn_worker *w);

/* The `metrics` result (new reference, NULL when out of memory). */
json_t *kn_api_metrics(kn_worker *w);

#endif
