/*
 * h264.c: keyframe detection in H.264 RTP payloads (RFC 6184): single NAL
 * units (§5.6), STAP-A (§5.7.1) and FU-A (§5.8). Pure.
 */
#include "rtp/h264.h"

#include "core/bytes.h"

static void note_nal(kn_h264 *out, uint8_t type) {
    out->has_idr |= type == KN_H264_NAL_IDR;
    out->has_sps |= type == KN_H264_NAL_SPS;
    out->has_pps |= type == KN_H264_NAL_PPS;
}

/* STAP-A: after the STAP-A header, 16-bit size + NAL unit, repeated to the end. */
static int parse_stap_a(const uint8_t *p, size_t len, kn_h264 *out) {
    kn_cursor c = kn_cursor_make(p + 1, len - 1);

    if (kn_cursor_left(&c) == 0)
        return KN_EPROTO;
    while (kn_cursor_left(&c) > 0) {
        uint16_t size;
        if (kn_read_u16(&c, &size) != 0 || kn_cursor_left(&c) < size)
            return KN_ETRUNC;
        if (size == 0 || (c.p[0] & 0x80))
            return KN_EPROTO;
        uint8_t type = c.p[0] & 0x1f;
        if (out->nal_count == 0)
            out->nal_type = type;
        if (out->nal_count < UINT8_MAX)
            out->nal_count++;
        note_nal(out, type);
        c.p += size;
    }
    return 0;
}

/* FU-A: FU indicator, FU header (S E R type), fragment. */
static int parse_fu_a(const uint8_t *p, size_t len, kn_h264 *out) {
    if (len < 2)
        return KN_ETRUNC;
    out->fu_start = (p[1] & 0x80) != 0;
    out->fu_end = (p[1] & 0x40) != 0;
    out->nal_type = p[1] & 0x1f;
    out->nal_count = 1;
    if (out->fu_start && out->fu_end)
        return KN_EPROTO;
    if (out->nal_type == 0)
        return KN_EPROTO;
    if (out->fu_start)
        note_nal(out, out->nal_type);
    return 0;
}

int kn_h264_parse(const uint8_t *p, size_t len, kn_h264 *out) {
    int rc = 0;

    *out = (kn_h264){0};
    if (len == 0)
        return KN_ETRUNC;
    if ((p[0] & 0x80) || (p[0] & 0x1f) == 0)
        return KN_EPROTO;
    out->pkt_type = p[0] & 0x1f;
    if (out->pkt_type == KN_H264_STAP_A) {
        rc = parse_stap_a(p, len, out);
    } else if (out->pkt_type == KN_H264_FU_A) {
        rc = parse_fu_a(p, len, out);
    } else {
        out->nal_type = out->pkt_type;
        out->nal_count = 1;
        if (out->pkt_type < KN_H264_STAP_A)
            note_nal(out, out->pkt_type);
    }
    out->keyframe = rc == 0 && (out->has_idr || out->has_sps);
    return rc;
}
