/*
 * transport_bwe.c: estimator, allocator and prober of one subscriber
 * transport wired into the send path, RTCP and the tick (see transport_bwe.h).
 */
#include "router/transport_bwe.h"

#include <string.h>
#include <uv.h>

#include "bwe/allocator.h"
#include "bwe/bwe.h"
#include "core/err.h"
#include "core/log.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "rtp/rtcp_fb.h"
#include "rtp/rtp.h"

#define TWCC_STATUS_MAX 2048 /* statuses per feedback packet we accept */
#define SEND_HIST       1024 /* packets awaiting feedback: ~2 s at 5 Mbit/s, 40 kB */

/* Media loop only (one loop per process): scratch shared by every transport. */
static kn_twcc_status twcc_st[TWCC_STATUS_MAX];
static kn_alloc_consumer alloc_in[KN_ALLOC_MAX_CONSUMERS];
static kn_consumer *alloc_owner[KN_ALLOC_MAX_CONSUMERS];

static uint64_t now_us(void) {
    return uv_hrtime() / 1000;
}

void kn_transport_bwe_close(kn_transport *t) {
    kn_bwe_destroy(t->bwe);
    t->bwe = NULL;
    t->probing = false;
}

void kn_transport_bwe_on_sent(kn_transport *t, uint16_t seq, size_t wire_len, bool padding) {
    if (t->bwe != NULL)
        kn_bwe_on_packet_sent(t->bwe, seq, wire_len, now_us(), padding);
}

void kn_transport_bwe_on_twcc(kn_transport *t, const uint8_t *p, size_t len) {
    kn_twcc hdr;
    size_t n = 0;
    if (t->bwe == NULL)
        return;
    if (kn_twcc_parse(p, len, &hdr, twcc_st, TWCC_STATUS_MAX, &n) != 0) {
        t->stats.drop_malformed++;
        return;
    }
    t->stats.twcc_received++;
    kn_bwe_on_twcc(t->bwe, &hdr, twcc_st, n, now_us());
}

void kn_transport_bwe_on_remb(kn_transport *t, const uint8_t *p, size_t len) {
    kn_rtcp_remb remb;
    if (t->bwe == NULL || kn_rtcp_remb_parse(p, len, &remb) != 0)
        return;
    t->stats.remb_received++;
    kn_bwe_on_remb(t->bwe, remb.bitrate, now_us());
}

void kn_transport_bwe_on_rb(kn_transport *t, kn_consumer *c, const kn_rtcp_rb *rb) {
    kn_send_stream *s = &c->send;
    uint32_t packets = 0;
    if (s->rb_have && rb->ext_highest_seq - s->rb_ext_seq < 0x8000u)
        packets = rb->ext_highest_seq - s->rb_ext_seq;
    s->rb_ext_seq = rb->ext_highest_seq;
    s->rb_have = true;
    if (t->bwe == NULL)
        return;
    uint64_t now = now_us();
    if (packets > 0)
        kn_bwe_on_loss_report(t->bwe, rb->fraction_lost, packets, now);
    if (rb->lsr != 0 && s->rtt_valid)
        kn_bwe_on_rtt(t->bwe, (uint32_t)((uint64_t)s->rtt_q16 * 1000000u / 65536u), now);
}

bool kn_transport_bwe_rtx_allow(kn_transport *t, size_t len) {
    return t->bwe == NULL ||
           kn_rtx_budget_take(&t->rtx_budget, kn_bwe_estimate_bps(t->bwe), len, now_us());
}

/* Which feedback the subscriber gives: transport-cc (any consumer has the
 * extension), else REMB (rtcp-fb goog-remb), else none. */
static const char *feedback_algo(const kn_transport *t) {
    bool remb = false;
    for (const kn_consumer *c = t->consumers; c != NULL; c = c->next) {
        if (c->twcc_id != 0)
            return "gcc";
        remb = remb || (c->params.n_codecs > 0 && (c->params.codecs[0].fb & KN_FB_REMB));
    }
    return remb ? "remb" : NULL;
}

/* Without feedback there is nothing to estimate from: no estimator, no cap. */
static int create(kn_transport *t, uint64_t now) {
    const char *algo = feedback_algo(t);
    if (algo == NULL)
        return KN_ENOENT;
    bool twcc = algo[0] == 'g';
    kn_bwe_config cfg = {.initial_probe = twcc, .max_bps = KN_BWE_MAX_BPS};
    int rc = kn_bwe_create(&t->bwe, kn_bwe_algo_find(algo), &cfg, SEND_HIST, now);
    if (rc != 0) {
        t->bwe = NULL;
        KN_LOG_WARN("bwe", "peer %s: estimator: %s", t->id, kn_strerror(rc));
    }
    return rc;
}

/* The allocator's view of consumer c, refreshed every round. */
static void refresh(kn_consumer *c, uint64_t now_ms) {
    kn_alloc_consumer *a = &c->alloc;
    const kn_producer *p = c->producer;
    const kn_active_speaker *sp = &c->t->room->speaker;
    unsigned n = p->params.n_encodings;
    if (n > KN_ALLOC_MAX_LAYERS)
        n = KN_ALLOC_MAX_LAYERS;
    a->audio = p->params.kind == KN_KIND_AUDIO;
    a->paused = c->sel.paused;
    const kn_producer *speaker = sp->current; /* keys are producers */
    a->priority = speaker != NULL && speaker->t == p->t ? 0 : 1;
    a->n_layers = a->audio ? 1 : (uint8_t)n;
    a->max_layer = (int8_t)(c->sel.max_spatial < n - 1 ? c->sel.max_spatial : n - 1);
    for (unsigned i = 0; i < KN_ALLOC_MAX_LAYERS; i++)
        a->layer_bps[i] = i < n && kn_producer_enc_active(p, i, now_ms)
                              ? (uint32_t)p->enc[i].rs.bitrate_bps
                              : 0;
}

/* A video consumer with RTX that has sent media: carries probe padding. */
static kn_consumer *padding_consumer(kn_transport *t) {
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
        if (c->send.rtx_ssrc != 0 && c->producer->params.kind == KN_KIND_VIDEO &&
            c->send.packets > 0)
            return c;
    return NULL;
}

static void allocate(kn_transport *t, uint64_t now_ms, uint64_t now) {
    kn_alloc_result res;
    size_t n = 0;
    for (kn_consumer *c = t->consumers; c != NULL && n < KN_ALLOC_MAX_CONSUMERS; c = c->next) {
        refresh(c, now_ms);
        alloc_in[n] = c->alloc;
        alloc_owner[n++] = c;
    }
    if (kn_alloc_run(alloc_in, n, kn_bwe_estimate_bps(t->bwe), now, &res) != 0)
        return;
    t->alloc_bps = res.allocated_bps;
    for (size_t i = 0; i < n; i++) {
        kn_consumer *c = alloc_owner[i];
        c->alloc = alloc_in[i];
        /* -1 (not even the lowest layer fits): keep the lowest, video stays. */
        if (!c->alloc.audio && c->producer->params.n_encodings > 1)
            kn_consumer_set_cap(c, (uint8_t)(c->alloc.target < 0 ? 0 : c->alloc.target),
                                now_ms);
    }
    if (res.probe_bps > 0 && padding_consumer(t) != NULL)
        kn_bwe_request_probe(t->bwe, res.probe_bps, now);
}

void kn_transport_bwe_on_tick(kn_transport *t, uint64_t now_ms) {
    if (t->consumers == NULL || now_ms < t->bwe_alloc_ms + KN_BWE_ALLOC_MS)
        return;
    t->bwe_alloc_ms = now_ms;
    uint64_t now = now_us();
    if (t->bwe == NULL && create(t, now) != 0)
        return;
    allocate(t, now_ms, now);
    if (!t->probing && kn_bwe_probe_active(t->bwe, now) && padding_consumer(t) != NULL) {
        t->probing = true;
        kn_worker_probe_start(t->w);
    }
}

/* One padding-only RTP packet (RFC 3550 §5.1: P bit, last octet = count) on
 * c's RTX SSRC, with c's mid and a transport-wide seq. */
static int send_padding(kn_transport *t, kn_consumer *c) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n;
    memset(buf, 0, 12);
    buf[0] = 0x80;
    kn_rtp_set_pt(buf, c->send.rtx_pt);
    kn_rtp_set_seq(buf, c->send.rtx_seq++);
    kn_rtp_set_timestamp(buf, c->send.last_ts);
    kn_rtp_set_ssrc(buf, c->send.rtx_ssrc);
    int rc = kn_fwd_ext_rewrite(&c->fwd, buf, 12, KN_MTU, &n);
    if (rc != 0)
        return rc;
    memset(buf + n, 0, KN_BWE_PAD_MAX - 1);
    buf[n + KN_BWE_PAD_MAX - 1] = KN_BWE_PAD_MAX;
    buf[0] |= 0x20;
    n += KN_BWE_PAD_MAX;
    t->stats.padding_sent++;
    return kn_transport_send_media(t, buf, n, sizeof(buf), c->twcc_id, true);
}

bool kn_transport_bwe_on_probe_timer(kn_transport *t) {
    kn_consumer *c;
    uint64_t now = now_us();
    if (t->bwe == NULL || !t->srtp_ready || (c = padding_consumer(t)) == NULL || c->twcc_id == 0)
        return false;
    /* At most 16 packets (~4.5 kB) per 3 ms: 12 Mbit/s, above any cluster rate we plan. */
    for (int i = 0; i < 16 && kn_bwe_probe_bytes_due(t->bwe, now) > 0; i++)
        if (send_padding(t, c) != 0)
            break;
    return kn_bwe_probe_active(t->bwe, now);
}
