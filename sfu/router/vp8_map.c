/*
 * vp8_map.c: picture id / TL0PICIDX continuity across simulcast switches and
 * temporal-layer drops (see vp8_map.h).
 */
#include "router/vp8_map.h"

#include <string.h>

#define PIC_MASK 0x7fff

static bool pic_newer(uint16_t a, uint16_t b) {
    uint16_t d = (uint16_t)((a - b) & PIC_MASK);
    return d != 0 && d < 0x4000;
}

void kn_vp8_map_init(kn_vp8_map *m) {
    memset(m, 0, sizeof(*m));
    m->resync = true;
}

void kn_vp8_map_resync(kn_vp8_map *m) {
    m->resync = true;
}

static void start_source(kn_vp8_map *m, const kn_vp8 *d) {
    if (m->started) { /* continue right after the last picture and TL0 sent */
        m->pic_off = (uint16_t)((m->last_out + 1 - d->picture_id) & PIC_MASK);
        if (d->l)
            m->tl0_off = (uint8_t)(m->last_tl0 + 1 - d->tl0picidx);
    } else {
        m->pic_off = 0;
        m->tl0_off = 0;
    }
    m->last_in = d->picture_id;
    m->have_in = true;
    memset(m->ring, 0, sizeof(m->ring));
    m->resync = false;
}

void kn_vp8_map_drop(kn_vp8_map *m, const kn_vp8 *d) {
    if (!d->i || m->resync || !m->have_in || !pic_newer(d->picture_id, m->last_in))
        return;
    m->last_in = d->picture_id;
    m->pic_off = (uint16_t)((m->pic_off - 1) & PIC_MASK);
}

void kn_vp8_map_rewrite(kn_vp8_map *m, uint8_t *p, const kn_vp8 *d) {
    if (!d->i)
        return;
    if (m->resync)
        start_source(m, d);
    unsigned slot = d->picture_id % KN_VP8_MAP_RING;
    uint16_t out;
    if (m->ring[slot].used && m->ring[slot].in == d->picture_id) {
        out = m->ring[slot].out; /* a packet of a frame already numbered */
    } else {
        out = (uint16_t)((d->picture_id + m->pic_off) & PIC_MASK);
        m->ring[slot].in = d->picture_id;
        m->ring[slot].out = out;
        m->ring[slot].used = true;
    }
    if (pic_newer(d->picture_id, m->last_in))
        m->last_in = d->picture_id;
    if (!m->started || pic_newer(out, m->last_out))
        m->last_out = out;
    kn_vp8_set_picture_id(p, d, out);
    if (d->l) {
        uint8_t tl0 = (uint8_t)(d->tl0picidx + m->tl0_off);
        if (!m->started || (uint8_t)(tl0 - m->last_tl0) < 0x80)
            m->last_tl0 = tl0;
        kn_vp8_set_tl0picidx(p, d, tl0);
    }
    m->started = true;
}
