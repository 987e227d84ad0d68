/*
 * vp8.h: the VP8 RTP payload descriptor (RFC 7741 §4.2) and keyframe detection
 * from the VP8 payload header (§4.3), plus in-place rewrites of picture id and
 * TL0PICIDX for simulcast switching. Pure functions over the RTP payload.
 */
#ifndef KN_VP8_H
#define KN_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kn_vp8 {
    bool x;                /* extended control bits present */
    bool n;                /* non-reference frame */
    bool s;                /* start of a VP8 partition */
    uint8_t pid;           /* partition index, 0..7 */
    bool i, l, t, k;       /* picture id / TL0PICIDX / TID / KEYIDX present */
    bool m;                /* picture id is 15 bits (M bit) */
    uint16_t picture_id;   /* 7 or 15 bits; valid when i */
    uint8_t tl0picidx;     /* valid when l */
    uint8_t tid;           /* 0..3; valid when t or k (RFC 7741: T=0 K=1 keeps the byte) */
    bool y;                /* layer sync */
    uint8_t keyidx;        /* 0..31; valid when k */
    size_t picture_id_off; /* offset of the picture id (1 or 2 bytes), 0 if !i */
    size_t tl0picidx_off;  /* 0 if !l */
    size_t tid_off;        /* offset of the TID/Y/KEYIDX byte, 0 if neither t nor k */
    size_t hdr_len;        /* descriptor length = offset of the VP8 payload */
    bool keyframe;         /* S=1, PID=0 and payload header P bit == 0 */
} kn_vp8;

/*
 * Parses the descriptor at the start of an RTP payload (padding excluded).
 * At least one byte of VP8 payload must follow it.
 * Returns 0, KN_ETRUNC if the payload ends inside the descriptor or right after it.
 */
int kn_vp8_parse(const uint8_t *p, size_t len, kn_vp8 *out);

/* Writes the descriptor from the fields of `in` (offsets and keyframe ignored),
 * with a 15-bit picture id when in->m. Returns 0, KN_EINVAL for out-of-range
 * fields (pid > 7, 7-bit picture id > 127, tid > 3, keyidx > 31, a field
 * present without x), KN_ELIMIT for cap. At most 6 bytes. */
int kn_vp8_write(const kn_vp8 *in, uint8_t *buf, size_t cap, size_t *n);

/* Rewrite in place in a payload kn_vp8_parse() accepted into d. The 7-bit form
 * keeps the low 7 bits of pic_id. Return 0 or KN_ENOENT when the field is absent. */
int kn_vp8_set_picture_id(uint8_t *p, const kn_vp8 *d, uint16_t pic_id);
int kn_vp8_set_tl0picidx(uint8_t *p, const kn_vp8 *d, uint8_t tl0picidx);

#endif
