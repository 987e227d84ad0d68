/*
 * rtp_ext.c: RFC 8285 header extension elements: parsing the one-byte and
 * two-byte forms, writing a block, rewriting a packet's block through an id
 * map, and the value formats of the extensions the SFU reads. Pure.
 */
#include "rtp/rtp_ext.h"

#include <string.h>

#include "core/bytes.h"

static int add_elem(kn_rtp_ext *out, uint8_t id, uint8_t len, size_t off) {
    if (out->count == KN_RTP_EXT_MAX)
        return KN_ELIMIT;
    out->elem[out->count++] = (kn_rtp_ext_elem){id, len, (uint16_t)off};
    return 0;
}

/* RFC 8285 §4.2: 4-bit id, 4-bit length - 1; id 0 is a padding byte, id 15 stops. */
static int parse_one_byte(const uint8_t *p, size_t off, size_t end, kn_rtp_ext *out) {
    while (off < end) {
        uint8_t id = p[off] >> 4;
        uint8_t len = (uint8_t)((p[off] & 0x0f) + 1);
        int rc;

        if (id == 0) {
            off++;
            continue;
        }
        if (id == 15)
            return 0;
        if (end - off - 1 < len)
            return KN_ETRUNC;
        if ((rc = add_elem(out, id, len, off + 1)) != 0)
            return rc;
        off += 1 + (size_t)len;
    }
    return 0;
}

/* RFC 8285 §4.3: 8-bit id, 8-bit length; id 0 is a padding byte. */
static int parse_two_byte(const uint8_t *p, size_t off, size_t end, kn_rtp_ext *out) {
    while (off < end) {
        uint8_t id = p[off];
        int rc;

        if (id == 0) {
            off++;
            continue;
        }
        if (end - off < 2)
            return KN_ETRUNC;
        uint8_t len = p[off + 1];
        if (end - off - 2 < len)
            return KN_ETRUNC;
        if ((rc = add_elem(out, id, len, off + 2)) != 0)
            return rc;
        off += 2 + (size_t)len;
    }
    return 0;
}

int kn_rtp_ext_parse(const uint8_t *p, const kn_rtp *rtp, kn_rtp_ext *out) {
    size_t end = rtp->ext_off + rtp->ext_len;

    out->form = KN_RTP_EXT_NONE;
    out->appbits = 0;
    out->count = 0;
    if (!rtp->extension)
        return 0;
    if (end > UINT16_MAX) /* elements keep 16-bit offsets; no datagram is that long */
        return KN_ELIMIT;
    if (rtp->ext_profile == KN_RTP_EXT_PROFILE_ONE) {
        out->form = KN_RTP_EXT_ONE_BYTE;
        return parse_one_byte(p, rtp->ext_off, end, out);
    }
    if ((rtp->ext_profile & 0xfff0) == KN_RTP_EXT_PROFILE_TWO) {
        out->form = KN_RTP_EXT_TWO_BYTE;
        out->appbits = rtp->ext_profile & 0x0f;
        return parse_two_byte(p, rtp->ext_off, end, out);
    }
    out->form = KN_RTP_EXT_OTHER;
    return 0;
}

const kn_rtp_ext_elem *kn_rtp_ext_find(const kn_rtp_ext *ext, uint8_t id) {
    for (uint8_t i = 0; i < ext->count; i++)
        if (ext->elem[i].id == id)
            return &ext->elem[i];
    return NULL;
}

static bool fits_one_byte(const kn_rtp_ext_src *el, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (el[i].id > 14 || el[i].len < 1 || el[i].len > 16)
            return false;
    return true;
}

int kn_rtp_ext_write(const kn_rtp_ext_src *el, size_t n, uint8_t *buf, size_t cap,
                     size_t *out_len) {
    size_t hdr, body = 0;

    *out_len = 0;
    if (n == 0)
        return 0;
    if (n > KN_RTP_EXT_MAX)
        return KN_ELIMIT;
    for (size_t i = 0; i < n; i++)
        if (el[i].id == 0 || (el[i].len > 0 && el[i].data == NULL))
            return KN_EINVAL;
    bool one = fits_one_byte(el, n);
    hdr = one ? 1 : 2;
    for (size_t i = 0; i < n; i++)
        body += hdr + el[i].len;
    size_t words = (body + 3) / 4;
    if (cap < 4 + words * 4)
        return KN_ELIMIT;
    kn_put_u16(buf, one ? KN_RTP_EXT_PROFILE_ONE : KN_RTP_EXT_PROFILE_TWO);
    kn_put_u16(buf + 2, (uint16_t)words);
    uint8_t *w = buf + 4;
    for (size_t i = 0; i < n; i++) {
        if (one) {
            *w++ = (uint8_t)((el[i].id << 4) | (el[i].len - 1));
        } else {
            *w++ = el[i].id;
            *w++ = el[i].len;
        }
        if (el[i].len > 0)
            memcpy(w, el[i].data, el[i].len);
        w += el[i].len;
    }
    memset(w, 0, words * 4 - body);
    *out_len = 4 + words * 4;
    return 0;
}

/* Collects the mapped elements of the parsed block; data still points into buf. */
static size_t map_elements(const uint8_t *buf, const kn_rtp_ext *ext, const uint8_t map[256],
                           kn_rtp_ext_src *out) {
    size_t n = 0;

    for (uint8_t i = 0; i < ext->count; i++) {
        const kn_rtp_ext_elem *e = &ext->elem[i];
        if (map[e->id] == 0)
            continue;
        out[n++] = (kn_rtp_ext_src){map[e->id], e->len, buf + e->off};
    }
    return n;
}

int kn_rtp_ext_rewrite(uint8_t *buf, size_t len, size_t cap, const uint8_t map[256],
                       size_t *new_len) {
    uint8_t block[KN_RTP_EXT_BLOCK_MAX];
    kn_rtp_ext_src src[KN_RTP_EXT_MAX];
    kn_rtp rtp;
    kn_rtp_ext ext;
    size_t block_len;
    int rc;

    if ((rc = kn_rtp_parse(buf, len, &rtp)) != 0)
        return rc;
    *new_len = len;
    if (!rtp.extension)
        return 0;
    if ((rc = kn_rtp_ext_parse(buf, &rtp, &ext)) != 0)
        return rc;
    size_t n = map_elements(buf, &ext, map, src);
    /* The block is built aside first: its sources overlap where it goes. */
    if ((rc = kn_rtp_ext_write(src, n, block, sizeof(block), &block_len)) != 0)
        return rc;
    size_t tail = len - rtp.header_len; /* payload and padding */
    size_t out = rtp.ext_hdr_off + block_len + tail;
    if (out > cap)
        return KN_ELIMIT;
    memmove(buf + rtp.ext_hdr_off + block_len, buf + rtp.header_len, tail);
    memcpy(buf + rtp.ext_hdr_off, block, block_len);
    if (n == 0)
        buf[0] &= (uint8_t)~0x10;
    *new_len = out;
    return 0;
}

int kn_rtp_ext_twcc_seq(const uint8_t *p, const kn_rtp_ext_elem *e, uint16_t *seq) {
    if (e->len != 2)
        return KN_EPROTO;
    *seq = kn_get_u16(p + e->off);
    return 0;
}

int kn_rtp_ext_set_twcc_seq(uint8_t *p, const kn_rtp_ext_elem *e, uint16_t seq) {
    if (e->len != 2)
        return KN_EPROTO;
    kn_put_u16(p + e->off, seq);
    return 0;
}

int kn_rtp_ext_abs_send_time(const uint8_t *p, const kn_rtp_ext_elem *e, uint32_t *ast) {
    const uint8_t *v = p + e->off;

    if (e->len != 3)
        return KN_EPROTO;
    *ast = ((uint32_t)v[0] << 16) | ((uint32_t)v[1] << 8) | v[2];
    return 0;
}

int kn_rtp_ext_set_abs_send_time(uint8_t *p, const kn_rtp_ext_elem *e, uint32_t ast) {
    if (e->len != 3)
        return KN_EPROTO;
    kn_put_u24(p + e->off, ast & 0xffffff);
    return 0;
}

int kn_rtp_ext_audio_level(const uint8_t *p, const kn_rtp_ext_elem *e, bool *voice,
                           uint8_t *level) {
    if (e->len < 1)
        return KN_EPROTO;
    *voice = (p[e->off] & 0x80) != 0;
    *level = p[e->off] & 0x7f;
    return 0;
}

int kn_rtp_ext_string(const uint8_t *p, const kn_rtp_ext_elem *e, const char **s, size_t *len) {
    if (e->len < 1)
        return KN_EPROTO;
    *s = (const char *)(p + e->off);
    *len = e->len;
    return 0;
}
