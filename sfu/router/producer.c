/*
 * producer.c: a published track: receive statistics per encoding, keyframe
 * detection (VP8, H264) and keyframe-request coalescing toward the publisher.
 */
#include "router/producer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_metrics.h"
#include "core/err.h"
#include "router/consumer.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "rtp/h264.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"
#include "rtp/vp8.h"

static uint32_t clock_of(const kn_rtp_params *params) {
    return params->n_codecs > 0 ? params->codecs[0].clock_rate : 90000;
}

int kn_producer_create(kn_transport *t, const char *id, const kn_rtp_params *params,
                       kn_producer **out) {
    kn_producer *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return KN_ENOMEM;
    p->t = t;
    snprintf(p->id, sizeof(p->id), "%s", id);
    p->params = *params;
    p->mid_id = kn_rtp_params_ext_id(params, KN_EXT_MID);
    p->rid_id = kn_rtp_params_ext_id(params, KN_EXT_RID);
    p->rrid_id = kn_rtp_params_ext_id(params, KN_EXT_RRID);
    if (params->kind == KN_KIND_AUDIO)
        p->level_id = kn_rtp_params_ext_id(params, KN_EXT_AUDIO_LEVEL);
    /* One extension id space per BUNDLE: any producer that negotiated
     * transport-cc names the id for the whole transport. */
    uint8_t twcc_id = kn_rtp_params_ext_id(params, KN_EXT_TWCC);
    if (twcc_id != 0 && params->n_codecs > 0 && (params->codecs[0].fb & KN_FB_TWCC))
        t->twcc_rx_id = twcc_id;
    for (unsigned i = 0; i < params->n_encodings; i++) {
        kn_producer_enc *e = &p->enc[i];
        e->params = params->encodings[i];
        kn_recv_stream_init(&e->rs, e->params.ssrc, clock_of(params));
        kn_pkt_hist_init(&e->hist, &t->w->pool);
        e->bound = e->params.ssrc != 0;
        e->rtx_ssrc = e->params.rtx_ssrc;
        int rc = 0;
        if (e->bound)
            rc = kn_transport_route_add(t, e->params.ssrc, p, i, false);
        if (rc == 0 && e->rtx_ssrc != 0)
            rc = kn_transport_route_add(t, e->rtx_ssrc, p, i, true);
        if (rc != 0) {
            kn_transport_route_remove_producer(t, p);
            free(p);
            return rc;
        }
    }
    kn_dynacast_init(&p->dyn, params->n_encodings, kn_worker_now(t->w));
    p->next = t->producers;
    t->producers = p;
    *out = p;
    return 0;
}

void kn_producer_destroy(kn_producer *p) {
    while (p->consumers != NULL)
        kn_consumer_destroy(p->consumers);
    kn_transport_route_remove_producer(p->t, p);
    kn_active_speaker_remove(&p->t->room->speaker, p);
    kn_api_metrics_on_producer_closed(p);
    for (unsigned i = 0; i < KN_MAX_ENCODINGS; i++)
        kn_pkt_hist_close(&p->enc[i].hist);
    kn_producer **pp = &p->t->producers;
    while (*pp != NULL && *pp != p)
        pp = &(*pp)->next;
    if (*pp == p)
        *pp = p->next;
    free(p);
}

const kn_codec *kn_producer_codec(const kn_producer *p, uint8_t pt, bool *is_rtx) {
    for (unsigned i = 0; i < p->params.n_codecs; i++) {
        const kn_codec *c = &p->params.codecs[i];
        if (c->pt == pt || (c->rtx_pt != 0 && c->rtx_pt == pt)) {
            *is_rtx = c->pt != pt;
            return c;
        }
    }
    return NULL;
}

static bool is_keyframe(const kn_producer *p, const uint8_t *pkt, const kn_rtp *rtp) {
    bool rtx;
    const kn_codec *c = kn_producer_codec(p, rtp->pt, &rtx);
    if (c == NULL || p->params.kind != KN_KIND_VIDEO || rtp->payload_len == 0)
        return false;
    const uint8_t *pl = pkt + rtp->payload_off;
    if (strcasecmp(c->name, "VP8") == 0) {
        kn_vp8 d;
        return kn_vp8_parse(pl, rtp->payload_len, &d) == 0 && d.keyframe;
    }
    if (strcasecmp(c->name, "H264") == 0) {
        kn_h264 h;
        return kn_h264_parse(pl, rtp->payload_len, &h) == 0 && h.keyframe;
    }
    return false;
}

/* RFC 6464 §3: V bit, then the level in -dBov (7 bits). */
static void record_level(kn_producer *p, const uint8_t *pkt, const kn_rtp *rtp, uint64_t now_ms) {
    kn_rtp_ext ext;
    const kn_rtp_ext_elem *e;
    if (kn_rtp_ext_parse(pkt, rtp, &ext) == 0 && (e = kn_rtp_ext_find(&ext, p->level_id)) != NULL &&
        e->len >= 1)
        kn_active_speaker_on_level(&p->t->room->speaker, p, pkt[e->off] & 0x7f, now_ms);
}

void kn_producer_on_rtp(kn_producer *p, unsigned enc, uint8_t *pkt, size_t len, bool rtx,
                        uint64_t now_ms) {
    kn_rtp rtp;
    if (kn_rtp_parse(pkt, len, &rtp) != 0)
        return;
    kn_producer_enc *e = &p->enc[enc];
    if (!kn_recv_stream_on_rtp(&e->rs, rtp.seq, rtp.ts, len, rtx, now_ms))
        return; /* duplicate */
    if (rtp.payload_len == 0)
        return; /* padding-only probe: counted, not forwarded */
    if (p->level_id != 0 && rtp.extension)
        record_level(p, pkt, &rtp, now_ms);
    /* One kept copy for every consumer's retransmissions; without it (pool
     * empty) the packet is still forwarded, only not answerable by NACK. */
    if (p->consumers != NULL && kn_pkt_hist_store(&e->hist, rtp.seq, pkt, len, now_ms) == KN_ENOMEM) {
        p->t->stats.drop_pool_empty++;
        p->t->w->stats.pool_empty++;
    }
    kn_room_fanout(p, enc, pkt, len, is_keyframe(p, pkt, &rtp), now_ms);
}

void kn_producer_request_keyframe(kn_producer *p, unsigned enc, uint64_t now_ms) {
    if (p->params.kind != KN_KIND_VIDEO || enc >= p->params.n_encodings || !p->enc[enc].bound)
        return;
    p->kf_pending |= (uint8_t)(1u << enc);
    kn_producer_on_tick(p, now_ms);
}

void kn_producer_on_tick(kn_producer *p, uint64_t now_ms) {
    if (p->kf_pending == 0 ||
        (p->last_kf_req_ms != 0 && now_ms < p->last_kf_req_ms + KN_PRODUCER_KF_MS))
        return; /* coalesced: the transport tick sends it when the interval ends */
    uint32_t fb = p->params.n_codecs > 0 ? p->params.codecs[0].fb : KN_FB_PLI;
    for (unsigned i = 0; i < p->params.n_encodings; i++)
        if (p->kf_pending & (1u << i))
            kn_transport_request_keyframe(p->t, p->enc[i].rs.ssrc, fb);
    p->last_kf_req_ms = now_ms;
    p->kf_pending = 0;
}

bool kn_producer_enc_active(const kn_producer *p, unsigned enc, uint64_t now_ms) {
    const kn_producer_enc *e = &p->enc[enc];
    return e->bound && e->rs.packets > 0 && now_ms < e->rs.last_ms + KN_PRODUCER_ACTIVE_MS;
}
