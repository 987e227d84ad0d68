/*
 * transport_pub.c: dynacast events and REMB caps toward a publisher (see
 * transport_pub.h).
 */
#include "router/transport_pub.h"

#include <jansson.h>

#include "bwe/remb_cap.h"
#include "router/consumer.h"
#include "router/dynacast.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "rtp/rtcp_fb.h"

#define REMB_SSRCS 16

/* Union of what p's consumers need (dynacast.h). */
static unsigned needed_of(const kn_producer *p) {
    unsigned needed = 0, n = p->params.n_encodings;
    for (const kn_consumer *c = p->consumers; c != NULL; c = c->next_of_prod)
        needed |= kn_dynacast_consumer_needs(c->sel.paused, c->sel.max_spatial, n);
    return needed;
}

static void emit_needed(const kn_producer *p) {
    json_t *encs = json_array();
    for (unsigned i = 0; i < p->params.n_encodings; i++)
        json_array_append_new(encs, json_pack("{s:s,s:b}", "rid", p->params.encodings[i].rid,
                                              "active", (p->dyn.active >> i) & 1u));
    kn_worker_emit(p->t->w, "producer.layers_needed",
                   json_pack("{s:s,s:s,s:s,s:o}", "room", p->t->room->id, "peer", p->t->id,
                             "producer", p->id, "encodings", encs));
}

/* Peak 1 s rate per encoding: follows a rise at once, decays slowly while the
 * encoding flows, kept while it is paused (the rate to expect on resume). */
static void update_peaks(kn_producer *p, uint64_t now_ms) {
    for (unsigned i = 0; i < p->params.n_encodings; i++) {
        kn_producer_enc *e = &p->enc[i];
        if (!kn_producer_enc_active(p, i, now_ms))
            continue;
        uint32_t cur = (uint32_t)e->rs.bitrate_bps;
        uint32_t decayed = e->peak_bps - e->peak_bps / 100 * KN_PUB_PEAK_DECAY_PCT;
        e->peak_bps = cur > decayed ? cur : decayed;
    }
}

static void fill_src(const kn_producer *p, kn_remb_cap_src *s) {
    unsigned n = p->params.n_encodings;
    s->audio = p->params.kind == KN_KIND_AUDIO;
    s->n = (uint8_t)(n > KN_REMB_CAP_LAYERS ? KN_REMB_CAP_LAYERS : n);
    /* Simulcast: the debounced set, so the cap moves with the dynacast event.
     * No consumer at all: no limit. A publisher alone in its room would
     * otherwise be held to its lowest layer, and when the first subscriber
     * comes its encoder ramps up from there at the publisher's own pace
     * (Chromium without dynacast: 720p 16.9 s after subscribing instead of
     * 2.7 s in test_sfu_bwe_chromium); dynacast pauses its video instead. */
    s->needed = (uint8_t)(!s->audio && n > 1 && p->consumers != NULL ? p->dyn.active : 0xff);
    for (unsigned i = 0; i < s->n; i++)
        s->peak_bps[i] = p->enc[i].peak_bps;
}

static void send_remb(kn_transport *t, uint32_t bps) {
    uint32_t ssrcs[REMB_SSRCS];
    size_t n = 0, len;
    uint8_t buf[128];
    for (const kn_producer *p = t->producers; p != NULL; p = p->next)
        for (unsigned i = 0; i < p->params.n_encodings && n < REMB_SSRCS; i++)
            if (p->enc[i].bound)
                ssrcs[n++] = p->enc[i].rs.ssrc;
    if (n == 0 || kn_rtcp_remb_write(t->rtcp_ssrc, bps, ssrcs, n, buf, sizeof(buf), &len) != 0)
        return;
    if (kn_transport_send_rtcp(t, buf, len) == 0)
        t->stats.remb_sent++;
}

void kn_transport_pub_on_tick(kn_transport *t, uint64_t now_ms) {
    kn_remb_cap_src src[KN_TRANSPORT_PUB_MAX_PROD];
    size_t n = 0;
    if (t->producers == NULL || now_ms < t->pub_fb_ms + KN_PUB_FB_MS)
        return;
    t->pub_fb_ms = now_ms;
    for (kn_producer *p = t->producers; p != NULL; p = p->next) {
        update_peaks(p, now_ms);
        if (p->params.kind == KN_KIND_VIDEO && p->params.n_encodings > 1 &&
            kn_dynacast_update(&p->dyn, needed_of(p), p->params.n_encodings, now_ms))
            emit_needed(p);
        if (n < KN_TRANSPORT_PUB_MAX_PROD)
            fill_src(p, &src[n++]);
    }
    t->remb_cap_bps = kn_remb_cap_compute(src, n, t->w->max_pub_bps);
    if (kn_remb_cap_due(&t->remb_tx, t->remb_cap_bps, now_ms))
        send_remb(t, t->remb_cap_bps);
}
