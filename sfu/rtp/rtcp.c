/*
 * rtcp.c: compound RTCP (RFC 3550 §6, reduced-size per RFC 5506): validation,
 * iteration, SR / RR / BYE parsing and SR / RR / SDES / BYE writers. Pure.
 */
#include "rtp/rtcp.h"

#include <string.h>

#include "core/bytes.h"

int kn_rtcp_pkt_parse(const uint8_t *p, size_t len, kn_rtcp_pkt *out) {
    *out = (kn_rtcp_pkt){0};
    if (len < KN_RTCP_HDR_LEN)
        return KN_ETRUNC;
    if ((p[0] >> 6) != 2 || p[1] < 192 || p[1] > 223)
        return KN_EPROTO;
    size_t plen = ((size_t)kn_get_u16(p + 2) + 1) * 4;
    if (plen > len)
        return KN_ETRUNC;
    out->pt = p[1];
    out->count = p[0] & 0x1f;
    out->padding = (p[0] & 0x20) != 0;
    out->len = plen;
    if (out->padding) {
        uint8_t pad = p[plen - 1];
        if (pad == 0 || pad > plen - KN_RTCP_HDR_LEN)
            return KN_EPROTO;
        out->pad_len = pad;
    }
    return 0;
}

void kn_rtcp_iter_init(kn_rtcp_iter *it, const uint8_t *p, size_t len) {
    it->p = p;
    it->len = len;
    it->off = 0;
}

int kn_rtcp_iter_next(kn_rtcp_iter *it, kn_rtcp_pkt *out) {
    int rc;

    if (it->off >= it->len)
        return KN_ENOENT;
    if ((rc = kn_rtcp_pkt_parse(it->p + it->off, it->len - it->off, out)) != 0)
        return rc;
    /* RFC 3550 §6.4.1 / A.2: only the last packet of a compound may be padded. */
    if (out->padding && it->off + out->len != it->len)
        return KN_EPROTO;
    out->off = it->off;
    it->off += out->len;
    return 0;
}

int kn_rtcp_validate(const uint8_t *p, size_t len) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;
    int rc;

    if (len < KN_RTCP_HDR_LEN)
        return KN_ETRUNC;
    kn_rtcp_iter_init(&it, p, len);
    while ((rc = kn_rtcp_iter_next(&it, &pkt)) == 0)
        ;
    return rc == KN_ENOENT ? 0 : rc;
}

/* Common start of the typed parsers: header, expected PT, body length without padding. */
static int typed_header(const uint8_t *p, size_t len, uint8_t pt, kn_rtcp_pkt *pkt, size_t *body) {
    int rc;

    if ((rc = kn_rtcp_pkt_parse(p, len, pkt)) != 0)
        return rc;
    if (pkt->pt != pt)
        return KN_EPROTO;
    *body = pkt->len - pkt->pad_len;
    return 0;
}

void kn_rtcp_rb_read(const uint8_t *p, kn_rtcp_rb *out) {
    uint32_t lost = ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];

    out->ssrc = kn_get_u32(p);
    out->fraction_lost = p[4];
    /* 24-bit two's complement (RFC 3550 §6.4.1: may go negative with duplicates). */
    out->cumulative_lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    out->ext_highest_seq = kn_get_u32(p + 8);
    out->jitter = kn_get_u32(p + 12);
    out->lsr = kn_get_u32(p + 16);
    out->dlsr = kn_get_u32(p + 20);
}

int kn_rtcp_sr_parse(const uint8_t *p, size_t len, kn_rtcp_sr *out) {
    kn_rtcp_pkt pkt;
    size_t body;
    int rc;

    *out = (kn_rtcp_sr){0};
    if ((rc = typed_header(p, len, KN_RTCP_SR, &pkt, &body)) != 0)
        return rc;
    if (body < 28 + (size_t)pkt.count * KN_RTCP_RB_LEN)
        return KN_ETRUNC;
    out->ssrc = kn_get_u32(p + 4);
    out->ntp = ((uint64_t)kn_get_u32(p + 8) << 32) | kn_get_u32(p + 12);
    out->rtp_ts = kn_get_u32(p + 16);
    out->packet_count = kn_get_u32(p + 20);
    out->octet_count = kn_get_u32(p + 24);
    out->rb_count = pkt.count;
    out->rb_off = 28;
    return 0;
}

int kn_rtcp_rr_parse(const uint8_t *p, size_t len, kn_rtcp_rr *out) {
    kn_rtcp_pkt pkt;
    size_t body;
    int rc;

    *out = (kn_rtcp_rr){0};
    if ((rc = typed_header(p, len, KN_RTCP_RR, &pkt, &body)) != 0)
        return rc;
    if (body < 8 + (size_t)pkt.count * KN_RTCP_RB_LEN)
        return KN_ETRUNC;
    out->ssrc = kn_get_u32(p + 4);
    out->rb_count = pkt.count;
    out->rb_off = 8;
    return 0;
}

int kn_rtcp_bye_parse(const uint8_t *p, size_t len, kn_rtcp_bye *out) {
    kn_rtcp_pkt pkt;
    size_t body;
    int rc;

    *out = (kn_rtcp_bye){0};
    if ((rc = typed_header(p, len, KN_RTCP_BYE, &pkt, &body)) != 0)
        return rc;
    size_t off = 4 + (size_t)pkt.count * 4;
    if (body < off)
        return KN_ETRUNC;
    out->ssrc_count = pkt.count;
    out->ssrc_off = 4;
    /* RFC 3550 §6.6: an optional length-prefixed reason; the rest is zero padding. */
    if (body > off && p[off] != 0) {
        if (body - off - 1 < p[off])
            return KN_ETRUNC;
        out->reason_len = p[off];
        out->reason_off = off + 1;
    }
    return 0;
}

static void put_header(uint8_t *buf, uint8_t count, uint8_t pt, size_t total) {
    buf[0] = (uint8_t)(0x80 | count);
    buf[1] = pt;
    kn_put_u16(buf + 2, (uint16_t)(total / 4 - 1));
}

static int put_blocks(const kn_rtcp_rb *rb, size_t n_rb, uint8_t *w) {
    for (size_t i = 0; i < n_rb; i++, w += KN_RTCP_RB_LEN) {
        if (rb[i].cumulative_lost < -0x800000 || rb[i].cumulative_lost > 0x7fffff)
            return KN_EINVAL;
        kn_put_u32(w, rb[i].ssrc);
        w[4] = rb[i].fraction_lost;
        kn_put_u24(w + 5, (uint32_t)rb[i].cumulative_lost & 0xffffff);
        kn_put_u32(w + 8, rb[i].ext_highest_seq);
        kn_put_u32(w + 12, rb[i].jitter);
        kn_put_u32(w + 16, rb[i].lsr);
        kn_put_u32(w + 20, rb[i].dlsr);
    }
    return 0;
}

int kn_rtcp_sr_write(const kn_rtcp_sr *sr, const kn_rtcp_rb *rb, size_t n_rb, uint8_t *buf,
                     size_t cap, size_t *n) {
    if (n_rb > KN_RTCP_MAX_RB)
        return KN_EINVAL;
    size_t total = 28 + n_rb * KN_RTCP_RB_LEN;
    if (cap < total)
        return KN_ELIMIT;
    int rc = put_blocks(rb, n_rb, buf + 28);
    if (rc != 0)
        return rc;
    put_header(buf, (uint8_t)n_rb, KN_RTCP_SR, total);
    kn_put_u32(buf + 4, sr->ssrc);
    kn_put_u32(buf + 8, (uint32_t)(sr->ntp >> 32));
    kn_put_u32(buf + 12, (uint32_t)sr->ntp);
    kn_put_u32(buf + 16, sr->rtp_ts);
    kn_put_u32(buf + 20, sr->packet_count);
    kn_put_u32(buf + 24, sr->octet_count);
    *n = total;
    return 0;
}

int kn_rtcp_rr_write(uint32_t ssrc, const kn_rtcp_rb *rb, size_t n_rb, uint8_t *buf, size_t cap,
                     size_t *n) {
    if (n_rb > KN_RTCP_MAX_RB)
        return KN_EINVAL;
    size_t total = 8 + n_rb * KN_RTCP_RB_LEN;
    if (cap < total)
        return KN_ELIMIT;
    int rc = put_blocks(rb, n_rb, buf + 8);
    if (rc != 0)
        return rc;
    put_header(buf, (uint8_t)n_rb, KN_RTCP_RR, total);
    kn_put_u32(buf + 4, ssrc);
    *n = total;
    return 0;
}

int kn_rtcp_sdes_write_cname(uint32_t ssrc, const char *cname, size_t cname_len, uint8_t *buf,
                             size_t cap, size_t *n) {
    if (cname_len == 0 || cname_len > 255)
        return KN_EINVAL;
    /* RFC 3550 §6.5: the item list ends with at least one null octet, padded to 32 bits. */
    size_t chunk = 4 + ((2 + cname_len + 1 + 3) / 4) * 4;
    size_t total = 4 + chunk;
    if (cap < total)
        return KN_ELIMIT;
    put_header(buf, 1, KN_RTCP_SDES, total);
    kn_put_u32(buf + 4, ssrc);
    buf[8] = 1; /* CNAME */
    buf[9] = (uint8_t)cname_len;
    memcpy(buf + 10, cname, cname_len);
    memset(buf + 10 + cname_len, 0, total - 10 - cname_len);
    *n = total;
    return 0;
}

int kn_rtcp_bye_write(const uint32_t *ssrcs, size_t ssrc_count, uint8_t *buf, size_t cap,
                      size_t *n) {
    if (ssrc_count > KN_RTCP_MAX_RB)
        return KN_EINVAL;
    size_t total = 4 + ssrc_count * 4;
    if (cap < total)
        return KN_ELIMIT;
    put_header(buf, (uint8_t)ssrc_count, KN_RTCP_BYE, total);
    for (size_t i = 0; i < ssrc_count; i++)
        kn_put_u32(buf + 4 + i * 4, ssrcs[i]);
    *n = total;
    return 0;
}
