/*
 * vp8.c: VP8 RTP payload descriptor (RFC 7741 §4.2), keyframe detection from
 * the payload header (§4.3) and in-place picture id / TL0PICIDX rewrites. Pure.
 */
#include "rtp/vp8.h"

#include "core/bytes.h"

static int parse_picture_id(kn_cursor *c, const uint8_t *p, kn_vp8 *out) {
    uint8_t b, lo;
    int rc;

    out->picture_id_off = (size_t)(c->p - p);
    if ((rc = kn_read_u8(c, &b)) != 0)
        return rc;
    out->m = (b & 0x80) != 0;
    if (!out->m) {
        out->picture_id = b & 0x7f;
        return 0;
    }
    if ((rc = kn_read_u8(c, &lo)) != 0)
        return rc;
    out->picture_id = (uint16_t)(((b & 0x7f) << 8) | lo);
    return 0;
}

/* The optional bytes after the X byte: picture id, TL0PICIDX, TID/Y/KEYIDX. */
static int parse_extended(kn_cursor *c, const uint8_t *p, kn_vp8 *out) {
    uint8_t b;
    int rc;

    if ((rc = kn_read_u8(c, &b)) != 0)
        return rc;
    out->i = (b & 0x80) != 0;
    out->l = (b & 0x40) != 0;
    out->t = (b & 0x20) != 0;
    out->k = (b & 0x10) != 0;
    if (out->i && (rc = parse_picture_id(c, p, out)) != 0)
        return rc;
    if (out->l) {
        out->tl0picidx_off = (size_t)(c->p - p);
        if ((rc = kn_read_u8(c, &out->tl0picidx)) != 0)
            return rc;
    }
    if (out->t || out->k) {
        out->tid_off = (size_t)(c->p - p);
        if ((rc = kn_read_u8(c, &b)) != 0)
            return rc;
        out->tid = b >> 6;
        out->y = (b & 0x20) != 0;
        out->keyidx = b & 0x1f;
    }
    return 0;
}

int kn_vp8_parse(const uint8_t *p, size_t len, kn_vp8 *out) {
    kn_cursor c = kn_cursor_make(p, len);
    uint8_t b;
    int rc;

    *out = (kn_vp8){0};
    if ((rc = kn_read_u8(&c, &b)) != 0)
        return rc;
    out->x = (b & 0x80) != 0;
    out->n = (b & 0x20) != 0;
    out->s = (b & 0x10) != 0;
    out->pid = b & 0x07;
    if (out->x && (rc = parse_extended(&c, p, out)) != 0)
        return rc;
    out->hdr_len = (size_t)(c.p - p);
    if (kn_cursor_left(&c) == 0)
        return KN_ETRUNC;
    /* §4.3: the first byte of a frame's payload header has P (inverse key frame) in bit 0. */
    out->keyframe = out->s && out->pid == 0 && (c.p[0] & 0x01) == 0;
    return 0;
}

static int check_fields(const kn_vp8 *in) {
    if (in->pid > 7 || in->tid > 3 || in->keyidx > 31)
        return KN_EINVAL;
    if (!in->x && (in->i || in->l || in->t || in->k))
        return KN_EINVAL;
    if (in->i && (in->m ? in->picture_id > 0x7fff : in->picture_id > 0x7f))
        return KN_EINVAL;
    return 0;
}

int kn_vp8_write(const kn_vp8 *in, uint8_t *buf, size_t cap, size_t *n) {
    uint8_t tmp[6];
    size_t w = 0;
    int rc;

    if ((rc = check_fields(in)) != 0)
        return rc;
    tmp[w++] = (uint8_t)((in->x ? 0x80 : 0) | (in->n ? 0x20 : 0) | (in->s ? 0x10 : 0) | in->pid);
    if (in->x)
        tmp[w++] = (uint8_t)((in->i ? 0x80 : 0) | (in->l ? 0x40 : 0) | (in->t ? 0x20 : 0) |
                             (in->k ? 0x10 : 0));
    if (in->i && in->m) {
        tmp[w++] = (uint8_t)(0x80 | (in->picture_id >> 8));
        tmp[w++] = (uint8_t)in->picture_id;
    } else if (in->i) {
        tmp[w++] = (uint8_t)in->picture_id;
    }
    if (in->l)
        tmp[w++] = in->tl0picidx;
    if (in->t || in->k)
        tmp[w++] = (uint8_t)((in->tid << 6) | (in->y ? 0x20 : 0) | in->keyidx);
    if (cap < w)
        return KN_ELIMIT;
    for (size_t k = 0; k < w; k++)
        buf[k] = tmp[k];
    *n = w;
    return 0;
}

int kn_vp8_set_picture_id(uint8_t *p, const kn_vp8 *d, uint16_t pic_id) {
    if (!d->i)
        return KN_ENOENT;
    if (d->m)
        kn_put_u16(p + d->picture_id_off, (uint16_t)(0x8000 | (pic_id & 0x7fff)));
    else
        p[d->picture_id_off] = pic_id & 0x7f;
    return 0;
}

int kn_vp8_set_tl0picidx(uint8_t *p, const kn_vp8 *d, uint8_t tl0picidx) {
    if (!d->l)
        return KN_ENOENT;
    p[d->tl0picidx_off] = tl0picidx;
    return 0;
}
