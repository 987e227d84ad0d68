/*
 * api_stats.c: peer.stats as documented in docs/control-api.md.
 */
#include "api/api_stats.h"

#include "bwe/bwe.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/transport.h"

static json_t *producers_json(kn_transport *t) {
    json_t *arr = json_array();
    for (kn_producer *p = t->producers; p != NULL; p = p->next) {
        json_t *encs = json_array();
        for (unsigned i = 0; i < p->params.n_encodings; i++) {
            const kn_producer_enc *e = &p->enc[i];
            json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "ssrc", (json_int_t)e->rs.ssrc,
                                  "packets", (json_int_t)e->rs.packets, "bytes",
                                  (json_int_t)e->rs.bytes, "lost",
                                  (json_int_t)kn_recv_stream_lost(&e->rs), "bitrate_bps",
                                  (json_int_t)e->rs.bitrate_bps);
            if (e->params.rid[0] != '\0')
                json_object_set_new(o, "rid", json_string(e->params.rid));
            json_array_append_new(encs, o);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "producer", p->id, "kind",
                                             p->params.kind == KN_KIND_AUDIO ? "audio" : "video",
                                             "encodings", encs));
    }
    return arr;
}

static json_t *layers_json(const kn_consumer *c) {
    const kn_layer_sel *s = &c->sel;
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:b,s:i,s:i}", "spatial", s->current, "temporal",
                     (int)s->cur_tid, "target_spatial", s->target, "target_temporal",
                     (int)s->target_tid, "max_spatial", (int)s->max_spatial, "max_temporal",
                     (int)s->max_temporal, "paused", s->paused, "alloc_target",
                     (int)c->alloc.target, "cap_spatial", (int)s->cap_spatial);
}

/* The send-side estimate toward this peer, null before it exists. */
static json_t *bwe_json(const kn_transport *t) {
    const kn_bwe *b = t->bwe;
    if (b == NULL)
        return json_null();
    const kn_bwe_stats *s = &b->stats;
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "algorithm",
                     b->algo->name, "estimate_bps", (json_int_t)kn_bwe_estimate_bps(b),
                     "allocated_bps", (json_int_t)t->alloc_bps, "feedbacks",
                     (json_int_t)s->feedbacks, "packets_received", (json_int_t)s->pkts_received,
                     "packets_lost", (json_int_t)s->pkts_lost, "unknown_seq",
                     (json_int_t)s->unknown_seq, "probes_sent", (json_int_t)s->probes_sent,
                     "probes_ok", (json_int_t)s->probes_ok, "last_probe_bps",
                     (json_int_t)s->last_probe_bps, "padding_sent", (json_int_t)t->stats.padding_sent,
                     "remb_received", (json_int_t)t->stats.remb_received, "twcc_received",
                     (json_int_t)t->stats.twcc_received);
}

static json_t *consumers_json(kn_transport *t) {
    json_t *arr = json_array();
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "consumer", c->id, "producer",
                           c->producer->id, "ssrc", (json_int_t)c->send.ssrc, "packets",
                           (json_int_t)c->send.packets, "bytes", (json_int_t)c->send.octets,
                           "nacks_received", (json_int_t)c->send.nacks_received, "rtx_sent",
                           (json_int_t)c->send.rtx_sent, "plis_received",
                           (json_int_t)(c->plis_received + c->firs_received), "layers",
                           layers_json(c)));
    return arr;
}

static uint64_t rx_lost(kn_transport *t) {
    uint64_t lost = 0;
    for (kn_producer *p = t->producers; p != NULL; p = p->next)
        for (unsigned i = 0; i < p->params.n_encodings; i++)
            lost += (uint64_t)kn_recv_stream_lost(&p->enc[i].rs);
    return lost;
}

json_t *kn_api_peer_stats(kn_transport *t) {
    const kn_transport_stats *s = &t->stats;
    char remote[80];
    kn_transport_remote_str(t, remote, sizeof(remote));
    json_t *rx = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "packets",
                           (json_int_t)s->rx_packets, "bytes", (json_int_t)s->rx_bytes,
                           "rtp_packets", (json_int_t)s->rx_rtp, "rtcp_packets",
                           (json_int_t)s->rx_rtcp, "lost", (json_int_t)rx_lost(t), "nacks_sent",
                           (json_int_t)s->nacks_sent, "plis_sent", (json_int_t)s->plis_sent,
                           "firs_sent", (json_int_t)s->firs_sent, "rtx_packets",
                           (json_int_t)s->rx_rtx, "xr_rrtr", (json_int_t)s->xr_rrtr_received);
    json_t *tx = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "packets",
                           (json_int_t)s->tx_packets, "bytes", (json_int_t)s->tx_bytes,
                           "rtp_packets", (json_int_t)s->tx_rtp, "rtcp_packets",
                           (json_int_t)s->tx_rtcp, "nacks_received",
                           (json_int_t)s->nacks_received, "rtx_sent", (json_int_t)s->rtx_sent,
                           "plis_received", (json_int_t)s->plis_received, "firs_received",
                           (json_int_t)s->firs_received, "twcc_sent", (json_int_t)s->twcc_sent,
                           "xr_dlrr", (json_int_t)s->xr_dlrr_sent);
    json_object_update_new(tx, json_pack("{s:I,s:I,s:I,s:I}", "rtx_limited",
                                         (json_int_t)s->rtx_limited, "rtx_stale",
                                         (json_int_t)s->rtx_stale, "remb_sent",
                                         (json_int_t)s->remb_sent, "remb_cap_bps",
                                         (json_int_t)t->remb_cap_bps));
    json_t *dropped = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I}", "stun_early", (json_int_t)s->drop_stun_early, "stun_auth",
        (json_int_t)s->drop_stun_auth, "srtp_auth",
        (json_int_t)s->drop_srtp_auth, "malformed", (json_int_t)s->drop_malformed,
        "unknown_ssrc", (json_int_t)s->drop_unknown_ssrc, "pool_empty",
        (json_int_t)s->drop_pool_empty);
    return json_pack("{s:s,s:s,s:s,s:s,s:f,s:o,s:o,s:o,s:o,s:o,s:o}", "state",
                     kn_dtls_state_name(kn_dtls_state_get(&t->dtls)), "transport",
                     t->tcp ? "tcp" : "udp", "remote", remote, "srtp_profile",
                     t->srtp_ready ? kn_srtp_profile_name(t->srtp.profile) : "none", "rtt_ms",
                     t->rtt_ms_f, "rx", rx, "tx", tx, "dropped", dropped, "bwe", bwe_json(t),
                     "producers", producers_json(t), "consumers", consumers_json(t));
}
