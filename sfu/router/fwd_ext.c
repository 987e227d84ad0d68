/*
 * fwd_ext.c: extension block of a forwarded packet: id mapping plus the
 * consumer's own sdes:mid (RFC 8285 §4, RFC 8843 §15) and transport-wide seq. The block is built on
 * the stack, then the payload is moved once to follow it.
 */
#include "router/fwd_ext.h"

#include <string.h>

#include "core/err.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

static const uint8_t twcc_zero[2];

/* Mapped elements of the packet's block (data still in buf), then the own
 * mid and transport-wide seq elements. */
static size_t collect(const kn_fwd_ext *f, const uint8_t *buf, const kn_rtp_ext *ext,
                      kn_rtp_ext_src *out) {
    size_t n = 0;
    for (uint8_t i = 0; i < ext->count && n < KN_RTP_EXT_MAX - 2; i++) {
        const kn_rtp_ext_elem *e = &ext->elem[i];
        uint8_t id = f->map[e->id];
        if (id != 0 && (f->mid_id == 0 || id != f->mid_id) && (f->twcc_id == 0 || id != f->twcc_id))
            out[n++] = (kn_rtp_ext_src){id, e->len, buf + e->off};
    }
    if (f->mid_id != 0 && f->mid_len != 0)
        out[n++] = (kn_rtp_ext_src){f->mid_id, f->mid_len, (const uint8_t *)f->mid};
    if (f->twcc_id != 0)
        out[n++] = (kn_rtp_ext_src){f->twcc_id, 2, twcc_zero};
    return n;
}

int kn_fwd_ext_rewrite(const kn_fwd_ext *f, uint8_t *buf, size_t len, size_t cap, size_t *new_len) {
    uint8_t block[KN_RTP_EXT_BLOCK_MAX];
    kn_rtp_ext_src src[KN_RTP_EXT_MAX];
    kn_rtp rtp;
    kn_rtp_ext ext = {0};
    size_t block_len;
    int rc;

    if ((f->mid_id == 0 || f->mid_len == 0) && f->twcc_id == 0)
        return kn_rtp_ext_rewrite(buf, len, cap, f->map, new_len);
    if ((rc = kn_rtp_parse(buf, len, &rtp)) != 0)
        return rc;
    if (rtp.extension && (rc = kn_rtp_ext_parse(buf, &rtp, &ext)) != 0)
        return rc;
    size_t n = collect(f, buf, &ext, src);
    if ((rc = kn_rtp_ext_write(src, n, block, sizeof(block), &block_len)) != 0)
        return rc;
    /* The new block replaces the old one, or goes right after the CSRCs. */
    size_t at = rtp.extension ? rtp.ext_hdr_off : rtp.header_len;
    size_t tail = len - rtp.header_len; /* payload and padding */
    if (at + block_len + tail > cap)
        return KN_ELIMIT;
    memmove(buf + at + block_len, buf + rtp.header_len, tail);
    memcpy(buf + at, block, block_len);
    buf[0] |= 0x10;
    *new_len = at + block_len + tail;
    return 0;
}
