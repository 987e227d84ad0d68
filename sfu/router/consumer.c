/*
 * consumer.c: forwarding one producer to one peer: encoding choice, header
 * rewrite (SSRC, seq, ts, PT, extension ids, transport-wide seq) into a
 * stack scratch buffer that is protected in place, the retransmission records
 * (rebuilt from the producer's pkt_hist on NACK), and NACK / PLI / FIR.
 */
#include "router/consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "api/api_metrics.h"
#include "core/err.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/transport_bwe.h"
#include "router/worker.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"
#include "rtp/vp8.h"

static int map_codecs(kn_consumer *c, const kn_producer *p) {
    memset(c->pt_map, 0xff, sizeof(c->pt_map));
    int mapped = 0;
    for (unsigned i = 0; i < p->params.n_codecs; i++) {
        const kn_codec *pc = &p->params.codecs[i];
        for (unsigned j = 0; j < c->params.n_codecs; j++) {
            const kn_codec *cc = &c->params.codecs[j];
            if (strcasecmp(pc->name, cc->name) != 0 || pc->clock_rate != cc->clock_rate)
                continue;
            c->pt_map[pc->pt] = cc->pt;
            mapped++;
            break;
        }
    }
    return mapped > 0 ? 0 : KN_EINVAL;
}

/* Publisher ids → subscriber ids by URI. The publisher's mid/rid/repaired-rid
 * are dropped: they name its m-section and layers. When the subscriber
 * negotiated sdes:mid, the consumer's own mid is written instead, since
 * libwebrtc routes by MID before SSRC when no a=ssrc was signaled. */
static void map_exts(kn_consumer *c, const kn_producer *p) {
    memset(c->ext_map, 0, sizeof(c->ext_map));
    for (unsigned i = 0; i < p->params.n_exts; i++) {
        const kn_hdrext *pe = &p->params.exts[i];
        if (pe->kind == KN_EXT_MID || pe->kind == KN_EXT_RID || pe->kind == KN_EXT_RRID)
            continue;
        for (unsigned j = 0; j < c->params.n_exts; j++)
            if (strcmp(pe->uri, c->params.exts[j].uri) == 0)
                c->ext_map[pe->id] = c->params.exts[j].id;
    }
    c->twcc_id = kn_rtp_params_ext_id(&c->params, KN_EXT_TWCC);
    size_t mid_len = strlen(c->params.mid);
    c->fwd = (kn_fwd_ext){.map = c->ext_map,
                          .mid_id = kn_rtp_params_ext_id(&c->params, KN_EXT_MID),
                          .mid_len = (uint8_t)mid_len, /* KN_MID_MAX = 16 */
                          .mid = c->params.mid,
                          .twcc_id = c->twcc_id};
}

static uint32_t random_ssrc(void) {
    uint32_t v = 0;
    while (v == 0)
        if (RAND_bytes((uint8_t *)&v, sizeof(v)) != 1)
            v = (uint32_t)rand();
    return v;
}

int kn_consumer_create(kn_transport *t, kn_producer *p, const char *id,
                       const kn_rtp_params *params, kn_consumer **out) {
    kn_consumer *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return KN_ENOMEM;
    c->t = t;
    c->producer = p;
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->params = *params;
    if (map_codecs(c, p) != 0) {
        free(c);
        return KN_EINVAL;
    }
    map_exts(c, p);
    const kn_codec *first = &c->params.codecs[0];
    c->clock_hz = first->clock_rate;
    c->nack = (first->fb & KN_FB_NACK) != 0;
    c->vp8 = p->params.kind == KN_KIND_VIDEO && strcasecmp(first->name, "VP8") == 0;
    kn_layer_sel_init(&c->sel);
    kn_alloc_consumer_init(&c->alloc, p->params.kind == KN_KIND_AUDIO);
    if (p->params.kind == KN_KIND_AUDIO || p->params.n_encodings < 2)
        c->sel.current = c->sel.target = 0; /* one stream: no switch to wait for */
    kn_vp8_map_init(&c->vmap);
    kn_seq_map_init(&c->seq, (uint16_t)random_ssrc());
    kn_send_stream_init(&c->send, random_ssrc(), first->rtx_pt != 0 ? random_ssrc() : 0,
                        first->rtx_pt, c->clock_hz);
    c->next = t->consumers;
    t->consumers = c;
    c->next_of_prod = p->consumers;
    p->consumers = c;
    kn_producer_request_keyframe(p, p->params.n_encodings - 1, kn_worker_now(t->w));
    *out = c;
    return 0;
}

void kn_consumer_destroy(kn_consumer *c) {
    kn_consumer **pp = &c->t->consumers;
    while (*pp != NULL && *pp != c)
        pp = &(*pp)->next;
    if (*pp == c)
        *pp = c->next;
    pp = &c->producer->consumers;
    while (*pp != NULL && *pp != c)
        pp = &(*pp)->next_of_prod;
    if (*pp == c)
        *pp = c->next_of_prod;
    free(c);
}

static unsigned active_mask(const kn_consumer *c, uint64_t now_ms) {
    unsigned mask = 0;
    for (unsigned i = 0; i < c->producer->params.n_encodings; i++)
        if (kn_producer_enc_active(c->producer, i, now_ms))
            mask |= 1u << i;
    return mask;
}

static void emit_layers(kn_consumer *c) {
    const kn_layer_sel *s = &c->sel;
    kn_worker_emit(c->t->w, "consumer.layers_changed",
                   json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:b}", "room", c->t->room->id, "consumer",
                             c->id, "spatial", s->current, "temporal", (int)s->cur_tid,
                             "target_spatial", s->target, "target_temporal",
                             (int)s->target_tid, "paused", s->paused));
}

/* Asks for a keyframe of the target while it is not the current encoding
 * (the producer coalesces requests to one per KN_PRODUCER_KF_MS). */
static void reselect(kn_consumer *c, uint64_t now_ms) {
    if (c->producer->params.kind == KN_KIND_AUDIO)
        return;
    if (kn_layer_sel_update(&c->sel, active_mask(c, now_ms), c->producer->params.n_encodings) &&
        now_ms >= c->last_kf_req_ms + KN_PRODUCER_KF_MS) {
        c->last_kf_req_ms = now_ms;
        kn_producer_request_keyframe(c->producer, (unsigned)c->sel.target, now_ms);
    }
}

void kn_consumer_on_tick(kn_consumer *c, uint64_t now_ms) {
    reselect(c, now_ms);
    if (c->sel.changed) {
        c->sel.changed = false;
        emit_layers(c);
    }
}

void kn_consumer_set_preferences(kn_consumer *c, uint8_t max_spatial, uint8_t max_temporal,
                                 bool paused, uint64_t now_ms) {
    kn_layer_sel_set_prefs(&c->sel, max_spatial, max_temporal, paused);
    c->last_kf_req_ms = 0;
    reselect(c, now_ms);
}

void kn_consumer_set_cap(kn_consumer *c, uint8_t max_spatial, uint64_t now_ms) {
    if (c->sel.cap_spatial == max_spatial)
        return;
    c->sel.cap_spatial = max_spatial;
    reselect(c, now_ms);
}

/* Decides whether a packet of encoding enc is forwarded; resyncs the maps on
 * a switch and skips dropped temporal layers in the sequence space. */
static bool select_packet(kn_consumer *c, unsigned enc, const uint8_t *pkt, const kn_rtp *rtp,
                          bool keyframe, kn_vp8 *d, bool *have_vp8) {
    *have_vp8 = c->vp8 && kn_vp8_parse(pkt + rtp->payload_off, rtp->payload_len, d) == 0;
    if (c->producer->params.kind == KN_KIND_AUDIO)
        return !c->sel.paused;
    bool tid = *have_vp8 && (d->t || d->k);
    kn_layer_verdict v = kn_layer_sel_on_packet(&c->sel, enc, keyframe, tid, tid ? d->tid : 0,
                                                *have_vp8 && d->y,
                                                *have_vp8 && d->s && d->pid == 0);
    switch (v) {
    case KN_LAYER_SWITCH:
        kn_api_metrics_on_layer_switch(c->t->w);
        kn_seq_map_resync(&c->seq);
        kn_vp8_map_resync(&c->vmap);
        return true;
    case KN_LAYER_FORWARD:
        return true;
    case KN_LAYER_SKIP:
        kn_seq_map_skip(&c->seq, rtp->seq);
        if (*have_vp8)
            kn_vp8_map_drop(&c->vmap, d);
        return false;
    default:
        return false;
    }
}

/* VP8 picture id / TL0PICIDX of the built packet: a fresh packet takes the
 * map's values (recorded in rec), a retransmission the recorded ones. */
static void rewrite_vp8(kn_consumer *c, uint8_t *out, size_t n, kn_send_rec *rec, bool fresh) {
    kn_rtp r;
    kn_vp8 d;
    uint8_t *pl;
    if (kn_rtp_parse(out, n, &r) != 0 ||
        kn_vp8_parse((pl = out + r.payload_off), r.payload_len, &d) != 0)
        return;
    if (!fresh) {
        if (d.i)
            kn_vp8_set_picture_id(pl, &d, rec->pic_id);
        if (d.l)
            kn_vp8_set_tl0picidx(pl, &d, rec->tl0);
        return;
    }
    kn_vp8_map_rewrite(&c->vmap, pl, &d);
    if (kn_vp8_parse(pl, r.payload_len, &d) == 0) { /* the values written */
        rec->pic_id = d.picture_id;
        rec->tl0 = d.tl0picidx;
    }
}

/*
 * Builds the consumer's form of the publisher packet pkt (parsed into rtp) in
 * out (cap >= KN_PKTBUF_SLOT): extension ids and mid, VP8 ids, SSRC, seq, ts,
 * PT. The same function rebuilds a retransmission from the kept original, so
 * both are byte-identical. Returns 0 and *n, or a code from kn_fwd_ext_rewrite.
 */
static int build(kn_consumer *c, const uint8_t *pkt, size_t len, const kn_rtp *rtp,
                 kn_send_rec *rec, bool fresh, uint8_t *out, size_t *n) {
    memcpy(out, pkt, len);
    int rc = kn_fwd_ext_rewrite(&c->fwd, out, len, KN_MTU, n);
    if (rc != 0)
        return rc;
    if (rec->vp8)
        rewrite_vp8(c, out, *n, rec, fresh);
    kn_rtp_set_ssrc(out, c->send.ssrc);
    kn_rtp_set_seq(out, rec->seq);
    kn_rtp_set_timestamp(out, rec->ts);
    kn_rtp_set_pt(out, c->pt_map[rtp->pt]);
    return 0;
}

void kn_consumer_on_rtp(kn_consumer *c, unsigned enc, const uint8_t *pkt, size_t len,
                        bool keyframe, uint64_t now_ms) {
    kn_rtp rtp;
    kn_vp8 d;
    bool have_vp8;
    uint8_t out[KN_PKTBUF_SLOT]; /* built and protected here, then queued */
    size_t n;
    if (!c->t->srtp_ready || kn_rtp_parse(pkt, len, &rtp) != 0 || c->pt_map[rtp.pt] == 0xff ||
        !select_packet(c, enc, pkt, &rtp, keyframe, &d, &have_vp8))
        return;
    kn_send_rec rec = {.orig_seq = rtp.seq, .enc = (uint8_t)enc, .vp8 = have_vp8};
    if (kn_seq_map_map(&c->seq, rtp.seq, rtp.ts, c->clock_hz, now_ms, &rec.seq, &rec.ts) != 0)
        return;
    if (build(c, pkt, len, &rtp, &rec, true, out, &n) != 0) {
        c->t->stats.drop_malformed++;
        return;
    }
    if (c->nack)
        kn_send_stream_record(&c->send, &rec);
    kn_send_stream_on_sent(&c->send, rec.ts, rtp.payload_len, now_ms);
    kn_transport_send_media(c->t, out, n, sizeof(out), c->twcc_id, false);
}

/* Rebuilds sent packet seq from the producer's history; KN_ENOENT when gone,
 * KN_ESTATE for video of an encoding the consumer switched away from (the
 * receiver restarts at the new encoding's keyframe; old packets only queue
 * ahead of it on a link that just got too small). */
static int rebuild(kn_consumer *c, uint16_t seq, uint8_t *out, size_t *n) {
    const kn_send_rec *r = kn_send_stream_find(&c->send, seq);
    const kn_pktbuf *b;
    kn_rtp rtp;
    if (r != NULL && c->producer->params.kind == KN_KIND_VIDEO && (int)r->enc != c->sel.current)
        return KN_ESTATE;
    if (r == NULL || r->enc >= c->producer->params.n_encodings ||
        (b = kn_pkt_hist_find(&c->producer->enc[r->enc].hist, r->orig_seq)) == NULL ||
        kn_rtp_parse(b->data, b->len, &rtp) != 0)
        return KN_ENOENT;
    kn_send_rec rec = *r;
    return build(c, b->data, b->len, &rtp, &rec, false, out, n);
}

void kn_consumer_on_nack(kn_consumer *c, const uint16_t *seqs, size_t n) {
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len;
    c->send.nacks_received++;
    for (size_t i = 0; i < n; i++) {
        int rc = rebuild(c, seqs[i], out, &len);
        if (rc == KN_ESTATE)
            c->t->stats.rtx_stale++;
        if (rc != 0)
            continue;
        if (!kn_transport_bwe_rtx_allow(c->t, len)) {
            c->t->stats.rtx_limited++;
            continue;
        }
        if (kn_send_stream_retransmit(&c->send, seqs[i], out, &len, sizeof(out)) != 0)
            continue;
        c->t->stats.rtx_sent++;
        kn_transport_send_media(c->t, out, len, sizeof(out), c->twcc_id, false);
    }
}

void kn_consumer_on_keyframe_request(kn_consumer *c, bool fir, uint64_t now_ms) {
    if (fir)
        c->firs_received++;
    else
        c->plis_received++;
    int enc = c->sel.current >= 0 ? c->sel.current : c->sel.target;
    kn_producer_request_keyframe(c->producer, enc >= 0 ? (unsigned)enc : 0, now_ms);
}
