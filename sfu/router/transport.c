/*
 * transport.c: one peer's bundled transport and the top of the media hot path.
 *
 * udp_on_recv (net/udp.c; recvmmsg batch, 20 x 64 KiB)   | tcp conn_deframe (net/tcp.c; RFC 4571)
 *  └ kn_worker_on_packet (router/worker.c; RFC 7983 demux by first byte)
 *     ├ 0–3     → worker_on_stun → kn_ice_lite_parse_check / kn_ice_lite_verify
 *     │            → kn_ice_lite_respond → kn_transport_on_check (address ↔ peer map)
 *     └ else    → kn_worker_addr_find → kn_transport_on_datagram
 *        ├ 20–63   → transport_on_dtls → kn_dtls_on_record (connected → SRTP keys)
 *        └ 128–191 → kn_rtp_is_rtcp?
 *            ├ RTCP → kn_srtp_session_unprotect_rtcp → kn_transport_on_rtcp (transport_rtcp.c)
 *            └ RTP  → kn_srtp_session_unprotect_rtp → kn_rtp_parse → transport_route
 *                 (record_twcc → kn_twcc_rec_on_packet when transport-cc was negotiated)
 *                 → kn_producer_on_rtp (recv_stream: stats, NACK list; keyframe detection;
 *                   kn_pkt_hist_store: the one pool slot kept for retransmissions)
 *                 → kn_room_fanout: for each consumer of the producer
 *                     kn_consumer_on_rtp → select_packet (layer_sel) → kn_seq_map_map
 *                     → build into a stack scratch buffer (kn_fwd_ext_rewrite,
 *                       kn_vp8_map_rewrite, SSRC/seq/ts/PT) → kn_send_stream_record
 *                     → kn_transport_send_rtp_buf → kn_srtp_session_protect_rtp (in place)
 *                       → kn_udp_commit
 *   (NACK: kn_consumer_on_nack → kn_send_stream_find → kn_pkt_hist_find → the same build)
 *  └ end of batch: the 20 ms tick when it is due (run_tick), then kn_udp_flush (sendmmsg)
 *
 * Same diagram in docs/architecture.md; change both together. Owns DTLS and
 * SRTP state of the peer; borrows the worker's pool and socket. Media loop only.
 */
#include "router/transport.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_metrics.h"
#include "core/err.h"
#include "core/log.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/transport_bwe.h"
#include "router/transport_pub.h"
#include "router/transport_rtcp.h"
#include "router/worker.h"
#include "rtp/demux.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

static kn_log_limit drop_limit;

static void transport_send_raw(kn_transport *t, const uint8_t *p, size_t len) {
    if (t->tcp != NULL) {
        if (kn_tcp_send(t->tcp, p, len) != 0)
            t->stats.drop_send++;
    } else if (t->selected.ss_family != 0) {
        uint8_t *slot = kn_udp_reserve(&t->w->udp);
        if (slot == NULL || len > KN_PKTBUF_SLOT) {
            t->stats.drop_send++;
            return;
        }
        memcpy(slot, p, len);
        kn_udp_commit(&t->w->udp, len, (struct sockaddr *)&t->selected);
    } else {
        t->stats.drop_send++;
        return;
    }
    t->stats.tx_packets++;
    t->stats.tx_bytes += len;
}

static void dtls_send(void *arg, const uint8_t *p, size_t len) {
    transport_send_raw(arg, p, len);
}

static void emit_closed(kn_transport *t, const char *reason) {
    kn_worker_emit(t->w, "peer.closed",
                   json_pack("{s:s,s:s,s:s}", "room", t->room->id, "peer", t->id, "reason",
                             reason));
}

static bool dtls_connected(kn_transport *t) {
    kn_srtp_keys keys;
    char remote[80];
    if (kn_dtls_srtp_keys(&t->dtls, &keys) != 0 || kn_srtp_session_init(&t->srtp, &keys) != 0)
        return false;
    t->srtp_ready = true;
    t->connected = true;
    kn_transport_remote_str(t, remote, sizeof(remote));
    KN_LOG_INFO("transport", "peer %s/%s connected via %s %s, %s", t->room->id, t->id,
                t->tcp ? "tcp" : "udp", remote, kn_srtp_profile_name(keys.profile));
    kn_worker_emit(t->w, "peer.connected",
                   json_pack("{s:s,s:s,s:s,s:s,s:s}", "room", t->room->id, "peer", t->id,
                             "transport", t->tcp ? "tcp" : "udp", "remote", remote,
                             "srtp_profile", kn_srtp_profile_name(keys.profile)));
    /* Subscribers that were waiting for SRTP need a keyframe now. */
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
        kn_consumer_on_keyframe_request(c, false, kn_worker_now(t->w));
    return true;
}

int kn_transport_create(kn_room *r, const kn_transport_opts *o, kn_transport **out) {
    int rc;
    if (kn_room_find_transport(r, o->id) != NULL)
        return KN_EEXIST;
    kn_transport *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return KN_ENOMEM;
    t->w = r->w;
    t->room = r;
    snprintf(t->id, sizeof(t->id), "%s", o->id);
    t->role = o->role;
    kn_twcc_rec_init(&t->twcc_rx);
    if ((rc = kn_ice_lite_gen(&t->ice)) != 0)
        goto fail;
    if (o->remote_ufrag != NULL && (rc = kn_transport_set_remote(t, o)) != 0)
        goto fail;
    t->rtcp_ssrc = (uint32_t)(uintptr_t)t ^ 0x5a5a5a5au;
    t->last_check_ms = kn_worker_now(r->w);
    t->next = r->transports;
    r->transports = t;
    r->w->n_peers++;
    kn_worker_add_ufrag(r->w, t);
    *out = t;
    return 0;
fail:
    free(t);
    return rc;
}

int kn_transport_set_remote(kn_transport *t, const kn_transport_opts *o) {
    if (t->remote_set)
        return KN_ESTATE;
    int rc = kn_dtls_init(&t->dtls, t->w->dtls_ctx, o->role, o->fp_alg, o->fp_value, dtls_send, t);
    if (rc != 0)
        return rc;
    snprintf(t->ice.remote_ufrag, sizeof(t->ice.remote_ufrag), "%s", o->remote_ufrag);
    snprintf(t->remote_pwd, sizeof(t->remote_pwd), "%s", o->remote_pwd);
    t->role = o->role;
    t->remote_set = true;
    return 0;
}

void kn_transport_destroy(kn_transport *t, const char *reason) {
    while (t->consumers != NULL)
        kn_consumer_destroy(t->consumers);
    while (t->producers != NULL)
        kn_producer_destroy(t->producers);
    for (unsigned i = 0; i < t->n_addrs; i++)
        kn_worker_addr_remove(t->w, (struct sockaddr *)&t->addrs[i]);
    kn_tcp_close_owner(&t->w->tcp, t); /* t->tcp and any other connection checked for t */
    kn_worker_remove_ufrag(t->w, t);
    kn_transport_bwe_close(t);
    kn_dtls_close(&t->dtls);
    kn_srtp_session_close(&t->srtp);
    kn_transport **pp = &t->room->transports;
    while (*pp != NULL && *pp != t)
        pp = &(*pp)->next;
    if (*pp == t)
        *pp = t->next;
    t->w->n_peers--;
    kn_api_metrics_on_peer_closed(t, reason);
    if (reason != NULL)
        emit_closed(t, reason);
    free(t);
}

static bool addr_equal(const struct sockaddr_storage *a, const struct sockaddr *b) {
    if (a->ss_family != b->sa_family)
        return false;
    if (b->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static void remember_addr(kn_transport *t, const struct sockaddr *from) {
    for (unsigned i = 0; i < t->n_addrs; i++)
        if (addr_equal(&t->addrs[i], from))
            return;
    if (t->n_addrs == KN_TRANSPORT_ADDRS) { /* forget the oldest candidate */
        kn_worker_addr_remove(t->w, (struct sockaddr *)&t->addrs[0]);
        memmove(&t->addrs[0], &t->addrs[1], sizeof(t->addrs[0]) * (KN_TRANSPORT_ADDRS - 1));
        t->n_addrs--;
    }
    if (kn_worker_addr_set(t->w, from, t) != 0)
        return;
    size_t alen = from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
    memset(&t->addrs[t->n_addrs], 0, sizeof(t->addrs[0]));
    memcpy(&t->addrs[t->n_addrs++], from, alen);
}

void kn_transport_on_check(kn_transport *t, const struct sockaddr *from, kn_tcp_conn *c,
                           bool use_candidate, uint64_t now_ms) {
    t->last_check_ms = now_ms;
    if (c != NULL) {
        kn_tcp_bind(c, t);
        if (use_candidate || (!t->nominated && t->selected.ss_family == 0 && t->tcp == NULL)) {
            t->tcp = c;
            t->nominated = t->nominated || use_candidate;
        }
    } else {
        remember_addr(t, from);
        /* ICE-lite: the latest nominated pair selects the path; before any
         * nomination the latest valid check does. */
        if (use_candidate || !t->nominated) {
            size_t alen = from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in);
            memset(&t->selected, 0, sizeof(t->selected));
            memcpy(&t->selected, from, alen);
            t->tcp = NULL;
            t->nominated = t->nominated || use_candidate;
        }
    }
    if (t->role == KN_DTLS_CLIENT && !t->dtls_started) {
        t->dtls_started = true;
        if (kn_dtls_start(&t->dtls) != 0)
            KN_LOG_WARN("transport", "peer %s: DTLS start failed", t->id);
    }
}

void kn_transport_remote_str(const kn_transport *t, char *out, size_t cap) {
    struct sockaddr_storage ss = t->selected;
    char ip[INET6_ADDRSTRLEN] = "?";
    uint16_t port = 0;
    if (t->tcp != NULL)
        ss = t->tcp->peer;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, cap, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

static void transport_on_dtls(kn_transport *t, const uint8_t *p, size_t len) {
    if (t->role == KN_DTLS_SERVER)
        t->dtls_started = true;
    int rc = kn_dtls_on_record(&t->dtls, p, len);
    kn_dtls_state st = kn_dtls_state_get(&t->dtls);
    if (rc != 0 && rc != KN_ESTATE)
        t->stats.drop_malformed++;
    if (st == KN_DTLS_CONNECTED && !t->srtp_ready && !dtls_connected(t))
        KN_LOG_WARN("transport", "peer %s: SRTP setup failed", t->id);
}

int kn_transport_route_add(kn_transport *t, uint32_t ssrc, kn_producer *p, unsigned enc, bool rtx) {
    kn_ssrc_route *free_slot = NULL;
    for (unsigned i = 0; i < KN_SSRC_SLOTS; i++) {
        kn_ssrc_route *r = &t->routes[i];
        if (r->producer != NULL && r->ssrc == ssrc)
            return r->producer == p ? 0 : KN_EEXIST;
        if (r->producer == NULL && free_slot == NULL)
            free_slot = r;
    }
    if (free_slot == NULL)
        return KN_ELIMIT;
    *free_slot = (kn_ssrc_route){.ssrc = ssrc, .producer = p, .enc = (uint8_t)enc, .rtx = rtx};
    return 0;
}

void kn_transport_route_remove_producer(kn_transport *t, kn_producer *p) {
    for (unsigned i = 0; i < KN_SSRC_SLOTS; i++)
        if (t->routes[i].producer == p)
            t->routes[i].producer = NULL;
}

static const kn_ssrc_route *route_find(const kn_transport *t, uint32_t ssrc) {
    for (unsigned i = 0; i < KN_SSRC_SLOTS; i++)
        if (t->routes[i].producer != NULL && t->routes[i].ssrc == ssrc)
            return &t->routes[i];
    return NULL;
}

static bool ext_string_eq(const uint8_t *pkt, const kn_rtp_ext *ext, uint8_t id, const char *s) {
    const kn_rtp_ext_elem *e;
    const char *v;
    size_t n;
    if (id == 0 || (e = kn_rtp_ext_find(ext, id)) == NULL ||
        kn_rtp_ext_string(pkt, e, &v, &n) != 0)
        return false;
    return strlen(s) == n && memcmp(v, s, n) == 0;
}

/* Binds an unknown SSRC by mid / rid / repaired-rid, or by payload type for a
 * single-encoding producer (RFC 8843 §9.2, RFC 8852 §3). */
static const kn_ssrc_route *route_learn(kn_transport *t, const uint8_t *pkt, const kn_rtp *rtp) {
    kn_rtp_ext ext;
    bool have_ext = rtp->extension && kn_rtp_ext_parse(pkt, rtp, &ext) == 0;
    for (kn_producer *p = t->producers; p != NULL; p = p->next) {
        bool rtx;
        if (kn_producer_codec(p, rtp->pt, &rtx) == NULL)
            continue;
        if (have_ext && p->mid_id != 0 && kn_rtp_ext_find(&ext, p->mid_id) != NULL &&
            !ext_string_eq(pkt, &ext, p->mid_id, p->params.mid))
            continue; /* another m-section's packet */
        for (unsigned i = 0; i < p->params.n_encodings; i++) {
            kn_producer_enc *e = &p->enc[i];
            const char *rid = e->params.rid;
            bool match;
            if (rid[0] != '\0')
                match = have_ext && ext_string_eq(pkt, &ext, rtx ? p->rrid_id : p->rid_id, rid);
            else
                match = p->params.n_encodings == 1 && e->params.ssrc == 0;
            if (!match || (!rtx && e->bound))
                continue;
            if (kn_transport_route_add(t, rtp->ssrc, p, i, rtx) != 0)
                return NULL;
            if (rtx) {
                e->rtx_ssrc = rtp->ssrc;
            } else {
                e->bound = true;
                e->rs.ssrc = rtp->ssrc;
            }
            return route_find(t, rtp->ssrc);
        }
    }
    return NULL;
}

/* RFC 4588 §4: the original sequence number leads the RTX payload. Rewrites the
 * packet in place into its original form. Returns the new length or 0. */
static size_t rtx_unwrap(uint8_t *pkt, const kn_rtp *rtp, const kn_producer *p,
                         const kn_producer_enc *e) {
    bool rtx;
    const kn_codec *c = kn_producer_codec(p, rtp->pt, &rtx);
    if (c == NULL || rtp->payload_len < 2)
        return 0; /* padding-only RTX probe */
    uint16_t osn = (uint16_t)(pkt[rtp->payload_off] << 8 | pkt[rtp->payload_off + 1]);
    memmove(pkt + rtp->payload_off, pkt + rtp->payload_off + 2, rtp->payload_len - 2);
    pkt[0] &= (uint8_t)~0x20; /* padding (if any) was after the payload: dropped */
    kn_rtp_set_seq(pkt, osn);
    kn_rtp_set_ssrc(pkt, e->rs.ssrc);
    kn_rtp_set_pt(pkt, c->pt);
    return rtp->payload_off + rtp->payload_len - 2;
}

/* Every packet with a transport-wide seq counts, routed or not (probes too). */
static void record_twcc(kn_transport *t, const uint8_t *p, const kn_rtp *rtp) {
    kn_rtp_ext ext;
    const kn_rtp_ext_elem *e;
    uint16_t seq;
    if (kn_rtp_ext_parse(p, rtp, &ext) == 0 && (e = kn_rtp_ext_find(&ext, t->twcc_rx_id)) != NULL &&
        kn_rtp_ext_twcc_seq(p, e, &seq) == 0)
        kn_twcc_rec_on_packet(&t->twcc_rx, seq, rtp->ssrc, uv_hrtime() / 1000);
}

static void transport_on_rtp(kn_transport *t, uint8_t *p, size_t len, uint64_t now_ms) {
    kn_rtp rtp;
    if (kn_srtp_session_unprotect_rtp(&t->srtp, p, &len) != 0) {
        t->stats.drop_srtp_auth++;
        return;
    }
    if (kn_rtp_parse(p, len, &rtp) != 0) {
        t->stats.drop_malformed++;
        return;
    }
    t->stats.rx_rtp++;
    if (t->twcc_rx_id != 0 && rtp.extension)
        record_twcc(t, p, &rtp);
    const kn_ssrc_route *r = route_find(t, rtp.ssrc);
    if (r == NULL && (r = route_learn(t, p, &rtp)) == NULL) {
        t->stats.drop_unknown_ssrc++;
        kn_log_ratelimited(&drop_limit, KN_LOG_DEBUG, "transport", "peer %s: unknown ssrc %u",
                           t->id, rtp.ssrc);
        return;
    }
    kn_producer *prod = r->producer;
    unsigned enc = r->enc;
    if (r->rtx) {
        t->stats.rx_rtx++;
        if (!prod->enc[enc].bound || (len = rtx_unwrap(p, &rtp, prod, &prod->enc[enc])) == 0)
            return;
    }
    kn_producer_on_rtp(prod, enc, p, len, r->rtx, now_ms);
}

void kn_transport_on_datagram(kn_transport *t, uint8_t *data, size_t len, size_t cap) {
    uint64_t now_ms = kn_worker_now(t->w);
    (void)cap;
    t->stats.rx_packets++;
    t->stats.rx_bytes += len;
    switch (kn_demux_classify(data, len)) {
    case KN_DEMUX_DTLS:
        transport_on_dtls(t, data, len);
        return;
    case KN_DEMUX_RTP:
        if (!t->srtp_ready) {
            t->stats.drop_malformed++;
            return;
        }
        if (kn_rtp_is_rtcp(data, len))
            kn_transport_on_rtcp(t, data, len, now_ms);
        else
            transport_on_rtp(t, data, len, now_ms);
        return;
    default:
        t->stats.drop_malformed++;
        return;
    }
}

static int protect_send(kn_transport *t, uint8_t *buf, size_t *plen, size_t cap, bool rtcp) {
    int rc;
    size_t len = *plen;
    if (!t->srtp_ready || len > KN_MTU)
        return KN_ESTATE;
    rc = rtcp ? kn_srtp_session_protect_rtcp(&t->srtp, buf, &len, cap)
              : kn_srtp_session_protect_rtp(&t->srtp, buf, &len, cap);
    if (rc != 0) {
        t->stats.drop_send++;
        return rc;
    }
    if (rtcp)
        t->stats.tx_rtcp++;
    else
        t->stats.tx_rtp++;
    transport_send_raw(t, buf, len);
    *plen = len;
    return 0;
}

static int send_protected(kn_transport *t, const uint8_t *p, size_t len, bool rtcp) {
    uint8_t buf[KN_PKTBUF_SLOT];
    if (len > KN_MTU)
        return KN_ESTATE;
    memcpy(buf, p, len);
    return protect_send(t, buf, &len, sizeof(buf), rtcp);
}

int kn_transport_send_rtp(kn_transport *t, const uint8_t *p, size_t len) {
    return send_protected(t, p, len, false);
}

/* Returns the transport-wide seq written, or -1. */
static int32_t stamp_twcc(kn_transport *t, uint8_t *buf, size_t len, uint8_t twcc_id) {
    kn_rtp rtp;
    kn_rtp_ext ext;
    const kn_rtp_ext_elem *e;
    if (twcc_id == 0 || kn_rtp_parse(buf, len, &rtp) != 0 || !rtp.extension ||
        kn_rtp_ext_parse(buf, &rtp, &ext) != 0 || (e = kn_rtp_ext_find(&ext, twcc_id)) == NULL ||
        kn_rtp_ext_set_twcc_seq(buf, e, t->twcc_seq) != 0)
        return -1;
    return t->twcc_seq++;
}

int kn_transport_send_media(kn_transport *t, uint8_t *buf, size_t len, size_t cap,
                            uint8_t twcc_id, bool padding) {
    int32_t seq = stamp_twcc(t, buf, len, twcc_id);
    int rc = protect_send(t, buf, &len, cap, false);
    if (rc == 0 && seq >= 0)
        kn_transport_bwe_on_sent(t, (uint16_t)seq, len, padding);
    return rc;
}

int kn_transport_send_rtcp(kn_transport *t, const uint8_t *p, size_t len) {
    return send_protected(t, p, len, true);
}

static bool check_dtls(kn_transport *t, uint64_t now_ms) {
    (void)now_ms;
    if (t->dtls_started && kn_dtls_timeout_ms(&t->dtls) == 0)
        kn_dtls_on_timeout(&t->dtls);
    if (kn_dtls_state_get(&t->dtls) == KN_DTLS_FAILED ||
        (t->connected && kn_dtls_state_get(&t->dtls) == KN_DTLS_CLOSED)) {
        KN_LOG_INFO("transport", "peer %s/%s: DTLS %s", t->room->id, t->id,
                    kn_dtls_state_name(kn_dtls_state_get(&t->dtls)));
        kn_transport_destroy(t, "dtls");
        return false;
    }
    return true;
}

bool kn_transport_on_tick(kn_transport *t, uint64_t now_ms, bool report) {
    if (now_ms > t->last_check_ms + t->w->consent_ms) {
        KN_LOG_INFO("transport", "peer %s/%s: consent expired", t->room->id, t->id);
        kn_transport_destroy(t, "consent");
        return false;
    }
    if (!check_dtls(t, now_ms))
        return false;
    if (!t->srtp_ready)
        return true;
    kn_transport_send_nacks(t, now_ms);
    if (t->twcc_rx_id != 0 && now_ms >= t->twcc_fb_ms + KN_TWCC_FB_MS) {
        t->twcc_fb_ms = now_ms;
        kn_transport_send_twcc(t);
    }
    for (kn_producer *p = t->producers; p != NULL; p = p->next)
        kn_producer_on_tick(p, now_ms);
    kn_transport_pub_on_tick(t, now_ms);
    kn_transport_bwe_on_tick(t, now_ms); /* sets caps before the consumers' tick */
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
        kn_consumer_on_tick(c, now_ms);
    if (report)
        kn_transport_send_reports(t, now_ms);
    return true;
}
