/*
 * vp8_map.h: VP8 picture id and TL0PICIDX rewriting of one outgoing stream
 * (RFC 7741 §4.2). Simulcast encodings number their pictures independently;
 * after a switch the receiver must see the picture id continue (+1) and
 * TL0PICIDX continue (+1), and frames dropped for temporal layers must not
 * leave picture-id gaps. A 64-entry ring remembers the output id of recent
 * input ids so late packets (retransmissions) get the id their frame got.
 * Pure arithmetic over the payload; no allocation.
 */
#ifndef KN_VP8_MAP_H
#define KN_VP8_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp/vp8.h"

#define KN_VP8_MAP_RING 64

typedef struct kn_vp8_map {
    bool started, resync;
    uint16_t pic_off;   /* out = in + pic_off (mod 2^15) */
    uint8_t tl0_off;    /* out = in + tl0_off (mod 2^8) */
    bool have_in;
    uint16_t last_in;   /* newest input picture id of the current source */
    uint16_t last_out;  /* newest output picture id */
    uint8_t last_tl0;   /* newest output TL0PICIDX */
    struct {
        uint16_t in, out;
        bool used;
    } ring[KN_VP8_MAP_RING];
} kn_vp8_map;

void kn_vp8_map_init(kn_vp8_map *m);
/* The next packet starts a new source (encoding switch). */
void kn_vp8_map_resync(kn_vp8_map *m);
/* A whole frame (picture id of d) is dropped: later pictures move down by one. */
void kn_vp8_map_drop(kn_vp8_map *m, const kn_vp8 *d);
/* Rewrites picture id and TL0PICIDX in place in payload p (parsed into d). */
void kn_vp8_map_rewrite(kn_vp8_map *m, uint8_t *p, const kn_vp8 *d);

#endif
