/*
 * api_metrics.c: the `metrics` method and its totals (api_metrics.h). Sums
 * live transports' kn_transport_stats and producers' losses with what the
 * hooks kept from departed ones; process CPU and resident memory from
 * core/proc_usage.h. Control plane on the media loop.
 */
#include "api/api_metrics.h"

#include <string.h>

#include "api/api_server.h"
#include "bwe/bwe.h"
#include "core/proc_usage.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/worker.h"

const uint32_t kn_api_bwe_bounds[KN_API_BWE_BUCKETS] = {
    100000, 250000, 500000, 1000000, 1500000, 2500000, 5000000, 10000000,
};

static const char *const close_names[KN_API_CLOSE_N] = {"consent", "dtls", "tcp", "destroyed",
                                                        "request"};

static kn_api_totals *totals_of(kn_worker *w) {
    return w != NULL && w->api != NULL ? &w->api->totals : NULL;
}

_Static_assert(sizeof(kn_transport_stats) % sizeof(uint64_t) == 0,
               "kn_transport_stats must hold only uint64_t counters (summed as an array)");

/* a += b, field by field (the struct holds only uint64_t counters). */
static void stats_add(kn_transport_stats *a, const kn_transport_stats *b) {
    uint64_t *x = (uint64_t *)a;
    const uint64_t *y = (const uint64_t *)b;
    for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
        x[i] += y[i];
}

static uint64_t producer_lost(const kn_producer *p) {
    uint64_t lost = 0;
    for (unsigned i = 0; i < p->params.n_encodings; i++) {
        int64_t l = kn_recv_stream_lost(&p->enc[i].rs);
        lost += l > 0 ? (uint64_t)l : 0; /* duplicates can make it negative (RFC 3550 A.3) */
    }
    return lost;
}

void kn_api_metrics_on_peer_closed(const kn_transport *t, const char *reason) {
    kn_api_totals *tot = totals_of(t->w);
    if (tot == NULL)
        return;
    stats_add(&tot->retired, &t->stats);
    if (reason == NULL)
        reason = close_names[KN_API_CLOSE_REQUEST];
    for (unsigned i = 0; i < KN_API_CLOSE_N; i++)
        if (strcmp(reason, close_names[i]) == 0)
            tot->closed[i]++;
}

void kn_api_metrics_on_producer_closed(const kn_producer *p) {
    kn_api_totals *tot = totals_of(p->t->w);
    if (tot != NULL)
        tot->lost_retired += producer_lost(p);
}

void kn_api_metrics_on_layer_switch(kn_worker *w) {
    kn_api_totals *tot = totals_of(w);
    if (tot != NULL)
        tot->layer_switches++;
}

static void sample_one(kn_api_totals *tot, uint32_t bps) {
    unsigned b = 0;
    while (b < KN_API_BWE_BUCKETS && bps > kn_api_bwe_bounds[b])
        b++;
    tot->bwe_counts[b]++;
    tot->bwe_samples++;
    tot->bwe_sum_bps += bps;
}

void kn_api_metrics_sample(kn_worker *w) {
    kn_api_totals *tot = totals_of(w);
    if (tot == NULL)
        return;
    for (kn_room *r = w->rooms; r != NULL; r = r->next)
        for (kn_transport *t = r->transports; t != NULL; t = t->next)
            if (t->bwe != NULL)
                sample_one(tot, kn_bwe_estimate_bps(t->bwe));
}

/* Live transports' counters plus the departed ones'; *lost likewise. */
static void sum_live(kn_worker *w, const kn_api_totals *tot, kn_transport_stats *s,
                     uint64_t *lost) {
    *s = tot->retired;
    *lost = tot->lost_retired;
    for (kn_room *r = w->rooms; r != NULL; r = r->next)
        for (kn_transport *t = r->transports; t != NULL; t = t->next) {
            stats_add(s, &t->stats);
            for (kn_producer *p = t->producers; p != NULL; p = p->next)
                *lost += producer_lost(p);
        }
}

static json_t *process_json(void) {
    kn_proc_usage u;
    kn_proc_usage_read(&u);
    return json_pack("{s:f,s:I}", "cpu_seconds", u.cpu_seconds, "resident_bytes",
                     (json_int_t)u.resident_bytes);
}

static json_t *dropped_json(const kn_worker *w, const kn_transport_stats *s) {
    const kn_worker_stats *ws = &w->stats;
    return json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "stun_early",
        (json_int_t)s->drop_stun_early, "stun_auth", (json_int_t)s->drop_stun_auth, "srtp_auth",
        (json_int_t)s->drop_srtp_auth, "malformed", (json_int_t)s->drop_malformed, "unknown_ssrc",
        (json_int_t)s->drop_unknown_ssrc, "pool_empty", (json_int_t)s->drop_pool_empty, "send",
        (json_int_t)s->drop_send, "stun_unknown_ufrag", (json_int_t)ws->stun_unknown_ufrag,
        "stun_auth_failed", (json_int_t)ws->stun_auth_failed, "stun_malformed",
        (json_int_t)ws->stun_malformed, "unknown_addr", (json_int_t)ws->unknown_addr,
        "unknown_kind", (json_int_t)ws->unknown_kind);
}

static json_t *rtcp_json(const kn_transport_stats *s) {
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "nacks_received",
                     (json_int_t)s->nacks_received, "nacks_sent", (json_int_t)s->nacks_sent,
                     "plis_received", (json_int_t)s->plis_received, "plis_sent",
                     (json_int_t)s->plis_sent, "firs_received", (json_int_t)s->firs_received,
                     "firs_sent", (json_int_t)s->firs_sent, "rtx_sent", (json_int_t)s->rtx_sent,
                     "rtx_received", (json_int_t)s->rx_rtx, "remb_received",
                     (json_int_t)s->remb_received, "twcc_received", (json_int_t)s->twcc_received);
}

static json_t *bwe_json(const kn_api_totals *tot) {
    json_t *bounds = json_array(), *counts = json_array();
    for (unsigned i = 0; i < KN_API_BWE_BUCKETS; i++)
        json_array_append_new(bounds, json_integer(kn_api_bwe_bounds[i]));
    for (unsigned i = 0; i <= KN_API_BWE_BUCKETS; i++)
        json_array_append_new(counts, json_integer((json_int_t)tot->bwe_counts[i]));
    return json_pack("{s:o,s:o,s:I,s:f}", "bounds_bps", bounds, "counts", counts, "samples",
                     (json_int_t)tot->bwe_samples, "sum_bps", tot->bwe_sum_bps);
}

json_t *kn_api_metrics(kn_worker *w) {
    static const kn_api_totals none;
    const kn_api_totals *tot = totals_of(w) ? totals_of(w) : &none;
    kn_transport_stats s;
    uint64_t lost;
    sum_live(w, tot, &s, &lost);
    json_t *closed = json_object();
    for (unsigned i = 0; i < KN_API_CLOSE_N; i++)
        json_object_set_new(closed, close_names[i], json_integer((json_int_t)tot->closed[i]));
    json_t *rx = json_pack("{s:I,s:I,s:I,s:I,s:I}", "packets", (json_int_t)s.rx_packets, "bytes",
                           (json_int_t)s.rx_bytes, "rtp_packets", (json_int_t)s.rx_rtp,
                           "rtcp_packets", (json_int_t)s.rx_rtcp, "lost", (json_int_t)lost);
    json_t *tx =
        json_pack("{s:I,s:I,s:I,s:I,s:I}", "packets", (json_int_t)s.tx_packets, "bytes",
                  (json_int_t)s.tx_bytes, "rtp_packets", (json_int_t)s.tx_rtp, "rtcp_packets",
                  (json_int_t)s.tx_rtcp, "padding_sent", (json_int_t)s.padding_sent);
    json_t *pool = json_pack("{s:I,s:I,s:I}", "slots", (json_int_t)w->pool.count, "in_use",
                             (json_int_t)w->pool.in_use, "empty", (json_int_t)w->stats.pool_empty);
    return json_pack("{s:i,s:i,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "rooms", w->n_rooms, "peers",
                     w->n_peers, "process", process_json(), "rx", rx, "tx", tx, "rtcp",
                     rtcp_json(&s), "dropped", dropped_json(w, &s), "layer_switches",
                     (json_int_t)tot->layer_switches, "peers_closed", closed, "bwe_estimate",
                     bwe_json(tot), "pool", pool);
}
