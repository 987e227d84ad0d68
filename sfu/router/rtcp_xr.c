/*
 * rtcp_xr.c: RFC 3611 XR packets: walking report blocks (§3), RRTR (§4.4)
 * and DLRR (§4.5) read and write. See rtcp_xr.h.
 */
#include "router/rtcp_xr.h"

#include <string.h>

#include "core/bytes.h"
#include "core/err.h"

#define XR_PT 207

/* Header of the packet: returns the body's end (padding removed) or an error. */
static int xr_header(const uint8_t *p, size_t len, size_t *end) {
    if (len < 8)
        return KN_ETRUNC;
    if ((p[0] >> 6) != 2 || p[1] != XR_PT)
        return KN_EPROTO;
    size_t n = ((size_t)kn_get_u16(p + 2) + 1) * 4;
    if (n > len)
        return KN_ETRUNC;
    if (p[0] & 0x20) { /* padding: count in the last byte, RFC 3550 §6.4.1 */
        uint8_t pad = p[n - 1];
        if (pad == 0 || pad > n - 8)
            return KN_EPROTO;
        n -= pad;
    }
    *end = n;
    return 0;
}

static int on_block(const uint8_t *p, size_t off, uint8_t bt, size_t blen, kn_rtcp_xr *out) {
    if (bt == KN_RTCP_XR_RRTR) {
        if (blen != 8)
            return KN_EPROTO;
        out->has_rrtr = 1;
        out->rrtr_ntp = (uint64_t)kn_get_u32(p + off) << 32 | kn_get_u32(p + off + 4);
    } else if (bt == KN_RTCP_XR_DLRR && out->dlrr_off == 0) {
        if (blen % 12 != 0 || blen / 12 > 255)
            return KN_EPROTO;
        out->dlrr_off = off;
        out->dlrr_count = (uint8_t)(blen / 12);
    }
    return 0;
}

int kn_rtcp_xr_parse(const uint8_t *p, size_t len, kn_rtcp_xr *out) {
    size_t end;
    int rc = xr_header(p, len, &end);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->ssrc = kn_get_u32(p + 4);
    kn_cursor c = kn_cursor_make(p + 8, end - 8);
    while (kn_cursor_left(&c) > 0) {
        uint8_t bt, ts;
        uint16_t words;
        if ((rc = kn_read_u8(&c, &bt)) != 0 || (rc = kn_read_u8(&c, &ts)) != 0 ||
            (rc = kn_read_u16(&c, &words)) != 0)
            return rc;
        size_t off = (size_t)(c.p - p), blen = (size_t)words * 4;
        if ((rc = kn_read_skip(&c, blen)) != 0)
            return rc;
        if ((rc = on_block(p, off, bt, blen, out)) != 0)
            return rc;
    }
    return 0;
}

void kn_rtcp_xr_dlrr_read(const uint8_t *p, const kn_rtcp_xr *xr, unsigned i,
                          kn_rtcp_dlrr_item *out) {
    const uint8_t *s = p + xr->dlrr_off + 12 * (size_t)i;
    out->ssrc = kn_get_u32(s);
    out->lrr = kn_get_u32(s + 4);
    out->dlrr = kn_get_u32(s + 8);
}

static void put_header(uint8_t *buf, uint32_t ssrc, size_t total) {
    buf[0] = 0x80;
    buf[1] = XR_PT;
    kn_put_u16(buf + 2, (uint16_t)(total / 4 - 1));
    kn_put_u32(buf + 4, ssrc);
}

int kn_rtcp_xr_dlrr_write(uint32_t ssrc, const kn_rtcp_dlrr_item *items, size_t n, uint8_t *buf,
                          size_t cap, size_t *out_len) {
    if (n == 0 || n > KN_RTCP_XR_DLRR_MAX)
        return KN_EINVAL;
    size_t total = 12 + 12 * n;
    if (cap < total)
        return KN_ELIMIT;
    put_header(buf, ssrc, total);
    buf[8] = KN_RTCP_XR_DLRR;
    buf[9] = 0;
    kn_put_u16(buf + 10, (uint16_t)(3 * n));
    for (size_t i = 0; i < n; i++) {
        uint8_t *s = buf + 12 + 12 * i;
        kn_put_u32(s, items[i].ssrc);
        kn_put_u32(s + 4, items[i].lrr);
        kn_put_u32(s + 8, items[i].dlrr);
    }
    *out_len = total;
    return 0;
}

int kn_rtcp_xr_rrtr_write(uint32_t ssrc, uint64_t ntp, uint8_t *buf, size_t cap,
                          size_t *out_len) {
    if (cap < 20)
        return KN_ELIMIT;
    put_header(buf, ssrc, 20);
    buf[8] = KN_RTCP_XR_RRTR;
    buf[9] = 0;
    kn_put_u16(buf + 10, 2);
    kn_put_u32(buf + 12, (uint32_t)(ntp >> 32));
    kn_put_u32(buf + 16, (uint32_t)ntp);
    *out_len = 20;
    return 0;
}
