/*
 * consumer.c: forwarding one producer to one peer: encoding choice, header
 * rewrite (SSRC, seq, ts, PT, extension ids, transport-wide seq), the
 * retransmission ring, and NACK / PLI / FIR from the subscriber.
 */
#include "router/consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "router/producer.h"
#include "router/transport.h"
#include "router/worker.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

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
                          .mid = c->params.mid};
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
    c->current = -1;
    c->target = -1;
    kn_seq_map_init(&c->seq, (uint16_t)random_ssrc());
    kn_send_stream_init(&c->send, &t->w->pool, random_ssrc(),
                        first->rtx_pt != 0 ? random_ssrc() : 0, first->rtx_pt, c->clock_hz);
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
    kn_send_stream_close(&c->send);
    free(c);
}

/* Highest encoding with recent packets, or -1. */
static int best_active(const kn_consumer *c, uint64_t now_ms) {
    const kn_producer *p = c->producer;
    for (int i = (int)p->params.n_encodings - 1; i >= 0; i--)
        if (kn_producer_enc_active(p, (unsigned)i, now_ms))
            return i;
    return -1;
}

void kn_consumer_on_tick(kn_consumer *c, uint64_t now_ms) {
    if (c->producer->params.n_encodings < 2)
        return;
    int best = best_active(c, now_ms);
    if (c->current >= 0 && !kn_producer_enc_active(c->producer, (unsigned)c->current, now_ms))
        c->current = -1; /* the forwarded encoding stopped: switch down at the next keyframe */
    if (best >= 0 && best != c->target && best != c->current)
        kn_producer_request_keyframe(c->producer, (unsigned)best, now_ms);
    c->target = best;
}

/* Decides whether a packet of encoding enc is forwarded; switches at keyframes. */
static bool select_encoding(kn_consumer *c, unsigned enc, bool keyframe, uint64_t now_ms) {
    if (c->producer->params.n_encodings < 2) {
        c->current = 0;
        return true;
    }
    if (c->target < 0)
        c->target = best_active(c, now_ms);
    if ((int)enc == c->current && c->target == c->current)
        return true;
    if ((int)enc == c->target && keyframe) {
        c->current = (int)enc;
        kn_seq_map_resync(&c->seq);
        return true;
    }
    return (int)enc == c->current;
}

/* Every packet put on the wire, retransmissions included, takes the next
 * transport-wide sequence number of the subscriber's transport. */
static void stamp_twcc(kn_consumer *c, uint8_t *buf, size_t len) {
    kn_rtp rtp;
    kn_rtp_ext ext;
    const kn_rtp_ext_elem *e;
    if (c->twcc_id != 0 && kn_rtp_parse(buf, len, &rtp) == 0 &&
        kn_rtp_ext_parse(buf, &rtp, &ext) == 0 && (e = kn_rtp_ext_find(&ext, c->twcc_id)) != NULL)
        kn_rtp_ext_set_twcc_seq(buf, e, c->t->twcc_seq++);
}

static void send_packet(kn_consumer *c, uint8_t *buf, size_t len, uint32_t ts, size_t payload,
                        uint64_t now_ms) {
    kn_transport *t = c->t;
    stamp_twcc(c, buf, len);
    kn_send_stream_on_sent(&c->send, ts, payload, now_ms);
    kn_transport_send_rtp(t, buf, len);
}

void kn_consumer_on_rtp(kn_consumer *c, unsigned enc, const uint8_t *pkt, size_t len,
                        bool keyframe, uint64_t now_ms) {
    kn_rtp rtp;
    uint16_t seq;
    uint32_t ts;
    if (!c->t->srtp_ready || !select_encoding(c, enc, keyframe, now_ms) ||
        kn_rtp_parse(pkt, len, &rtp) != 0 || c->pt_map[rtp.pt] == 0xff)
        return;
    if (kn_seq_map_map(&c->seq, rtp.seq, rtp.ts, c->clock_hz, now_ms, &seq, &ts) != 0)
        return;
    kn_pktbuf *b = kn_pktbuf_get(&c->t->w->pool);
    if (b == NULL) {
        c->t->stats.drop_pool_empty++;
        c->t->w->stats.pool_empty++;
        return;
    }
    memcpy(b->data, pkt, len);
    size_t n = len;
    if (kn_fwd_ext_rewrite(&c->fwd, b->data, len, KN_MTU, &n) != 0) {
        kn_pktbuf_unref(&c->t->w->pool, b);
        c->t->stats.drop_malformed++;
        return;
    }
    b->len = (uint16_t)n;
    kn_rtp_set_ssrc(b->data, c->send.ssrc);
    kn_rtp_set_seq(b->data, seq);
    kn_rtp_set_timestamp(b->data, ts);
    kn_rtp_set_pt(b->data, c->pt_map[rtp.pt]);
    if (c->nack)
        kn_send_stream_store(&c->send, seq, b);
    send_packet(c, b->data, n, ts, rtp.payload_len, now_ms);
    kn_pktbuf_unref(&c->t->w->pool, b);
}

void kn_consumer_on_nack(kn_consumer *c, const uint16_t *seqs, size_t n) {
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len;
    c->send.nacks_received++;
    for (size_t i = 0; i < n; i++) {
        if (kn_send_stream_retransmit(&c->send, seqs[i], out, KN_MTU, &len) != 0)
            continue;
        c->t->stats.rtx_sent++;
        stamp_twcc(c, out, len);
        kn_transport_send_rtp(c->t, out, len);
    }
}

void kn_consumer_on_keyframe_request(kn_consumer *c, bool fir, uint64_t now_ms) {
    if (fir)
        c->firs_received++;
    else
        c->plis_received++;
    int enc = c->current >= 0 ? c->current : c->target;
    kn_producer_request_keyframe(c->producer, enc >= 0 ? (unsigned)enc : 0, now_ms);
}
