/*
 * rtp.c: RTP fixed header, CSRCs, extension block and padding (RFC 3550 §5.1,
 * §5.3.1), in-place field rewrites, and RTP/RTCP demux (RFC 5761 §4). Pure.
 */
#include "rtp/rtp.h"

#include "core/bytes.h"

static int parse_extension(kn_cursor *c, const uint8_t *p, kn_rtp *out) {
    uint16_t words;
    int rc;

    out->ext_hdr_off = (size_t)(c->p - p);
    if ((rc = kn_read_u16(c, &out->ext_profile)) != 0 || (rc = kn_read_u16(c, &words)) != 0)
        return rc;
    out->ext_off = (size_t)(c->p - p);
    out->ext_len = (size_t)words * 4;
    return kn_read_skip(c, out->ext_len);
}

/* RFC 3550 §5.1: the last padding octet counts the padding, itself included. */
static int parse_padding(const uint8_t *p, size_t len, kn_rtp *out) {
    size_t body = len - out->header_len;

    if (!out->padding) {
        out->payload_len = body;
        return 0;
    }
    if (body == 0)
        return KN_ETRUNC;
    uint8_t pad = p[len - 1];
    if (pad == 0 || pad > body)
        return KN_EPROTO;
    out->pad_len = pad;
    out->payload_len = body - pad;
    return 0;
}

int kn_rtp_parse(const uint8_t *p, size_t len, kn_rtp *out) {
    kn_cursor c = kn_cursor_make(p, len);
    int rc;

    *out = (kn_rtp){0};
    if (len < KN_RTP_HDR_LEN)
        return KN_ETRUNC;
    uint8_t b0 = p[0], b1 = p[1];
    c.p += 2;
    if ((b0 >> 6) != 2)
        return KN_EPROTO;
    out->padding = (b0 & 0x20) != 0;
    out->extension = (b0 & 0x10) != 0;
    out->csrc_count = b0 & 0x0f;
    out->marker = (b1 & 0x80) != 0;
    out->pt = b1 & 0x7f;
    kn_read_u16(&c, &out->seq);
    kn_read_u32(&c, &out->ts);
    kn_read_u32(&c, &out->ssrc);
    out->csrc_off = KN_RTP_HDR_LEN;
    if ((rc = kn_read_skip(&c, (size_t)out->csrc_count * 4)) != 0)
        return rc;
    if (out->extension && (rc = parse_extension(&c, p, out)) != 0)
        return rc;
    out->header_len = (size_t)(c.p - p);
    out->payload_off = out->header_len;
    return parse_padding(p, len, out);
}

int kn_rtp_write(const kn_rtp *in, uint8_t *buf, size_t cap, size_t *n) {
    if (in->pt > 127 || in->csrc_count != 0)
        return KN_EINVAL;
    if (cap < KN_RTP_HDR_LEN)
        return KN_ELIMIT;
    buf[0] = (uint8_t)(0x80 | (in->padding ? 0x20 : 0) | (in->extension ? 0x10 : 0));
    buf[1] = (uint8_t)((in->marker ? 0x80 : 0) | in->pt);
    kn_put_u16(buf + 2, in->seq);
    kn_put_u32(buf + 4, in->ts);
    kn_put_u32(buf + 8, in->ssrc);
    *n = KN_RTP_HDR_LEN;
    return 0;
}

void kn_rtp_set_ssrc(uint8_t *p, uint32_t ssrc) {
    kn_put_u32(p + 8, ssrc);
}

void kn_rtp_set_seq(uint8_t *p, uint16_t seq) {
    kn_put_u16(p + 2, seq);
}

void kn_rtp_set_timestamp(uint8_t *p, uint32_t ts) {
    kn_put_u32(p + 4, ts);
}

void kn_rtp_set_pt(uint8_t *p, uint8_t pt) {
    p[1] = (uint8_t)((p[1] & 0x80) | (pt & 0x7f));
}

void kn_rtp_set_marker(uint8_t *p, bool marker) {
    p[1] = (uint8_t)((p[1] & 0x7f) | (marker ? 0x80 : 0));
}

bool kn_rtp_is_rtcp(const uint8_t *p, size_t len) {
    if (len < 2 || (p[0] >> 6) != 2)
        return false;
    return p[1] >= 192 && p[1] <= 223;
}
