/*
 * rtcp_fb.c: RTCP feedback (RFC 4585 §6): common header, Generic NACK, PLI,
 * FIR (RFC 5104 §4.3.1), REMB (draft-alvestrand-rmcat-remb-03) and transport-wide
 * CC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). Pure.
 */
#include "rtp/rtcp_fb.h"

#include "core/bytes.h"
#include "rtp/rtcp.h"

int kn_rtcp_fb_parse(const uint8_t *p, size_t len, kn_rtcp_fb *out) {
    kn_rtcp_pkt pkt;
    int rc;

    *out = (kn_rtcp_fb){0};
    if ((rc = kn_rtcp_pkt_parse(p, len, &pkt)) != 0)
        return rc;
    if (pkt.pt != KN_RTCP_RTPFB && pkt.pt != KN_RTCP_PSFB)
        return KN_EPROTO;
    size_t body = pkt.len - pkt.pad_len;
    if (body < KN_RTCP_FB_HDR_LEN)
        return KN_ETRUNC;
    out->pt = pkt.pt;
    out->fmt = pkt.count;
    out->sender_ssrc = kn_get_u32(p + 4);
    out->media_ssrc = kn_get_u32(p + 8);
    out->fci_off = KN_RTCP_FB_HDR_LEN;
    out->fci_len = body - KN_RTCP_FB_HDR_LEN;
    return 0;
}

/* Parses the feedback header and checks it is (pt, fmt). */
static int fb_expect(const uint8_t *p, size_t len, uint8_t pt, uint8_t fmt, kn_rtcp_fb *fb) {
    int rc = kn_rtcp_fb_parse(p, len, fb);

    if (rc != 0)
        return rc;
    return (fb->pt == pt && fb->fmt == fmt) ? 0 : KN_EPROTO;
}

static void put_fb_header(uint8_t *buf, uint8_t pt, uint8_t fmt, size_t total, uint32_t sender,
                          uint32_t media) {
    buf[0] = (uint8_t)(0x80 | fmt);
    buf[1] = pt;
    kn_put_u16(buf + 2, (uint16_t)(total / 4 - 1));
    kn_put_u32(buf + 4, sender);
    kn_put_u32(buf + 8, media);
}

int kn_rtcp_nack_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb, uint16_t *seqs, size_t cap,
                       size_t *n) {
    int rc;

    *n = 0;
    if ((rc = fb_expect(p, len, KN_RTCP_RTPFB, KN_RTCP_FB_NACK, fb)) != 0)
        return rc;
    if (fb->fci_len % 4 != 0)
        return KN_EPROTO;
    for (size_t off = fb->fci_off; off < fb->fci_off + fb->fci_len; off += 4) {
        uint16_t pid = kn_get_u16(p + off);
        uint16_t blp = kn_get_u16(p + off + 2);
        /* RFC 4585 §6.2.1: bit i of BLP reports PID + i + 1 lost. */
        for (int i = -1; i < 16; i++) {
            if (i >= 0 && !(blp & (1u << i)))
                continue;
            if (*n == cap)
                return KN_ELIMIT;
            seqs[(*n)++] = (uint16_t)(pid + i + 1);
        }
    }
    return 0;
}

/* Checks seqs is ascending in sequence-number order; returns the FCI entry count. */
static int nack_count(const uint16_t *seqs, size_t n, size_t *entries) {
    uint16_t pid = seqs[0];

    *entries = 1;
    for (size_t i = 1; i < n; i++) {
        uint16_t step = (uint16_t)(seqs[i] - seqs[i - 1]);
        if (step >= 0x8000)
            return KN_EINVAL;
        uint16_t d = (uint16_t)(seqs[i] - pid);
        if (d > 16) {
            pid = seqs[i];
            (*entries)++;
        }
    }
    return 0;
}

int kn_rtcp_nack_write(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t n,
                       uint8_t *buf, size_t cap, size_t *out_len) {
    size_t entries;
    int rc;

    if (n == 0)
        return KN_EINVAL;
    if ((rc = nack_count(seqs, n, &entries)) != 0)
        return rc;
    size_t total = KN_RTCP_FB_HDR_LEN + entries * 4;
    if (total > cap || total / 4 - 1 > UINT16_MAX)
        return KN_ELIMIT;
    put_fb_header(buf, KN_RTCP_RTPFB, KN_RTCP_FB_NACK, total, sender_ssrc, media_ssrc);
    uint8_t *w = buf + KN_RTCP_FB_HDR_LEN;
    uint16_t pid = seqs[0], blp = 0;
    for (size_t i = 1; i < n; i++) {
        uint16_t d = (uint16_t)(seqs[i] - pid);
        if (d == 0)
            continue;
        if (d > 16) {
            kn_put_u16(w, pid);
            kn_put_u16(w + 2, blp);
            w += 4;
            pid = seqs[i];
            blp = 0;
            continue;
        }
        blp |= (uint16_t)(1u << (d - 1));
    }
    kn_put_u16(w, pid);
    kn_put_u16(w + 2, blp);
    *out_len = total;
    return 0;
}

int kn_rtcp_pli_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb) {
    return fb_expect(p, len, KN_RTCP_PSFB, KN_RTCP_FB_PLI, fb);
}

int kn_rtcp_pli_write(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *buf, size_t cap,
                      size_t *n) {
    if (cap < KN_RTCP_FB_HDR_LEN)
        return KN_ELIMIT;
    put_fb_header(buf, KN_RTCP_PSFB, KN_RTCP_FB_PLI, KN_RTCP_FB_HDR_LEN, sender_ssrc, media_ssrc);
    *n = KN_RTCP_FB_HDR_LEN;
    return 0;
}

int kn_rtcp_fir_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb, kn_rtcp_fir_entry *e,
                      size_t cap, size_t *n) {
    int rc;

    *n = 0;
    if ((rc = fb_expect(p, len, KN_RTCP_PSFB, KN_RTCP_FB_FIR, fb)) != 0)
        return rc;
    if (fb->fci_len % 8 != 0)
        return KN_EPROTO;
    for (size_t off = fb->fci_off; off < fb->fci_off + fb->fci_len; off += 8) {
        if (*n == cap)
            return KN_ELIMIT;
        e[*n].ssrc = kn_get_u32(p + off);
        e[*n].seq = p[off + 4];
        (*n)++;
    }
    return 0;
}

int kn_rtcp_fir_write(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq, uint8_t *buf,
                      size_t cap, size_t *n) {
    size_t total = KN_RTCP_FB_HDR_LEN + 8;

    if (cap < total)
        return KN_ELIMIT;
    put_fb_header(buf, KN_RTCP_PSFB, KN_RTCP_FB_FIR, total, sender_ssrc, 0);
    kn_put_u32(buf + 12, media_ssrc);
    buf[16] = seq;
    buf[17] = buf[18] = buf[19] = 0;
    *n = total;
    return 0;
}

int kn_rtcp_remb_parse(const uint8_t *p, size_t len, kn_rtcp_remb *out) {
    kn_rtcp_fb fb;
    int rc;

    *out = (kn_rtcp_remb){0};
    if ((rc = fb_expect(p, len, KN_RTCP_PSFB, KN_RTCP_FB_AFB, &fb)) != 0)
        return rc;
    if (fb.fci_len < 8)
        return KN_ETRUNC;
    const uint8_t *f = p + fb.fci_off;
    if (f[0] != 'R' || f[1] != 'E' || f[2] != 'M' || f[3] != 'B')
        return KN_ENOENT;
    uint8_t count = f[4];
    if (fb.fci_len - 8 < (size_t)count * 4)
        return KN_ETRUNC;
    uint8_t exp = f[5] >> 2;
    uint64_t mantissa = ((uint64_t)(f[5] & 0x03) << 16) | ((uint64_t)f[6] << 8) | f[7];
    if (exp > 46 && (mantissa >> (64 - exp)) != 0)
        return KN_EPROTO;
    out->sender_ssrc = fb.sender_ssrc;
    out->bitrate = mantissa << exp;
    out->ssrc_count = count;
    out->ssrcs_off = fb.fci_off + 8;
    return 0;
}

int kn_rtcp_remb_write(uint32_t sender_ssrc, uint64_t bitrate, const uint32_t *ssrcs,
                       size_t n_ssrcs, uint8_t *buf, size_t cap, size_t *n) {
    uint8_t exp = 0;

    if (n_ssrcs > 255)
        return KN_EINVAL;
    size_t total = KN_RTCP_FB_HDR_LEN + 8 + n_ssrcs * 4;
    if (cap < total)
        return KN_ELIMIT;
    while ((bitrate >> exp) > 0x3ffff)
        exp++;
    uint32_t mantissa = (uint32_t)(bitrate >> exp);
    put_fb_header(buf, KN_RTCP_PSFB, KN_RTCP_FB_AFB, total, sender_ssrc, 0);
    uint8_t *f = buf + KN_RTCP_FB_HDR_LEN;
    f[0] = 'R';
    f[1] = 'E';
    f[2] = 'M';
    f[3] = 'B';
    f[4] = (uint8_t)n_ssrcs;
    f[5] = (uint8_t)((exp << 2) | (mantissa >> 16));
    kn_put_u16(f + 6, (uint16_t)mantissa);
    for (size_t i = 0; i < n_ssrcs; i++)
        kn_put_u32(f + 8 + i * 4, ssrcs[i]);
    *n = total;
    return 0;
}

/* Transport-wide CC feedback. FCI: base seq, status count, 24-bit reference
 * time, feedback count, packet chunks, receive deltas (draft §3.1). */
#define TWCC_FCI_FIXED 8
#define TWCC_RUN_MAX   8191

/* Decodes one packet chunk into st[*i..]; symbols past `count` are ignored. */
static int twcc_chunk(uint16_t chunk, kn_twcc_status *st, size_t count, size_t *i) {
    if (!(chunk & 0x8000)) { /* run length: status in bits 13-14, run in 0-12 */
        uint8_t s = (chunk >> 13) & 0x03;
        for (size_t k = 0; k < (chunk & 0x1fff) && *i < count; k++) {
            if (s == 3)
                return KN_EPROTO;
            st[(*i)++].status = s;
        }
        return 0;
    }
    bool two = (chunk & 0x4000) != 0;
    size_t symbols = two ? 7 : 14;
    for (size_t k = 0; k < symbols && *i < count; k++) {
        uint8_t s =
            two ? (uint8_t)((chunk >> (12 - 2 * k)) & 0x03) : (uint8_t)((chunk >> (13 - k)) & 0x01);
        if (s == 3)
            return KN_EPROTO;
        st[(*i)++].status = s;
    }
    return 0;
}

static int twcc_deltas(kn_cursor *c, kn_twcc_status *st, size_t count) {
    for (size_t i = 0; i < count; i++) {
        int rc = 0;
        st[i].delta_us = 0;
        if (st[i].status == KN_TWCC_SMALL_DELTA) {
            uint8_t d = 0;
            rc = kn_read_u8(c, &d);
            st[i].delta_us = (int32_t)d * 250;
        } else if (st[i].status == KN_TWCC_LARGE_DELTA) {
            uint16_t d = 0;
            rc = kn_read_u16(c, &d);
            st[i].delta_us = (int32_t)(int16_t)d * 250;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int kn_twcc_parse(const uint8_t *p, size_t len, kn_twcc *out, kn_twcc_status *st, size_t cap,
                  size_t *n) {
    kn_rtcp_fb fb;
    int rc;

    *n = 0;
    *out = (kn_twcc){0};
    if ((rc = fb_expect(p, len, KN_RTCP_RTPFB, KN_RTCP_FB_TWCC, &fb)) != 0)
        return rc;
    kn_cursor c = kn_cursor_make(p + fb.fci_off, fb.fci_len);
    uint32_t ref;
    if (kn_read_u16(&c, &out->base_seq) || kn_read_u16(&c, &out->status_count) ||
        kn_read_u24(&c, &ref) || kn_read_u8(&c, &out->fb_count))
        return KN_ETRUNC;
    out->sender_ssrc = fb.sender_ssrc;
    out->media_ssrc = fb.media_ssrc;
    out->ref_time = (ref & 0x800000) ? (int32_t)ref - 0x1000000 : (int32_t)ref;
    if (out->status_count == 0)
        return KN_EPROTO;
    if (out->status_count > cap)
        return KN_ELIMIT;
    for (size_t i = 0; i < out->status_count;) {
        uint16_t chunk;
        if ((rc = kn_read_u16(&c, &chunk)) != 0 ||
            (rc = twcc_chunk(chunk, st, out->status_count, &i)) != 0)
            return rc;
    }
    for (size_t i = 0; i < out->status_count; i++)
        st[i].seq = (uint16_t)(out->base_seq + i);
    if ((rc = twcc_deltas(&c, st, out->status_count)) != 0)
        return rc;
    *n = out->status_count;
    return 0;
}

static bool twcc_all_01(const kn_twcc_status *st, size_t from, size_t k) {
    for (size_t j = from; j < from + k; j++)
        if (st[j].status > 1)
            return false;
    return true;
}

/* Picks the chunk that starts at st[i]; returns it and how many symbols it covers. */
static uint16_t twcc_next_chunk(const kn_twcc_status *st, size_t n, size_t i, size_t *used) {
    size_t run = 1, rem = n - i;
    while (i + run < n && run < TWCC_RUN_MAX && st[i + run].status == st[i].status)
        run++;
    size_t k14 = rem < 14 ? rem : 14, k7 = rem < 7 ? rem : 7;
    bool bits1 = twcc_all_01(st, i, k14);
    uint16_t chunk;

    if (run >= 14 || (run >= 7 && !bits1) || run == rem) {
        *used = run;
        return (uint16_t)((st[i].status << 13) | run);
    }
    if (bits1) {
        chunk = 0x8000;
        for (size_t k = 0; k < k14; k++)
            chunk |= (uint16_t)(st[i + k].status << (13 - k));
        *used = k14;
        return chunk;
    }
    chunk = 0xc000;
    for (size_t k = 0; k < k7; k++)
        chunk |= (uint16_t)(st[i + k].status << (12 - 2 * k));
    *used = k7;
    return chunk;
}

/* Checks statuses and deltas; returns the bytes of receive deltas. */
static int twcc_check(const kn_twcc *hdr, const kn_twcc_status *st, size_t n, size_t *delta_bytes) {
    *delta_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t d = st[i].delta_us;
        if (st[i].seq != (uint16_t)(hdr->base_seq + i) || st[i].status > 2)
            return KN_EINVAL;
        if (st[i].status == KN_TWCC_NOT_RECEIVED)
            continue;
        if (d % 250 != 0)
            return KN_EINVAL;
        if (st[i].status == KN_TWCC_SMALL_DELTA && (d < 0 || d > 255 * 250))
            return KN_EINVAL;
        if (st[i].status == KN_TWCC_LARGE_DELTA && (d < -32768 * 250 || d > 32767 * 250))
            return KN_EINVAL;
        *delta_bytes += st[i].status;
    }
    return 0;
}

static size_t twcc_chunk_count(const kn_twcc_status *st, size_t n) {
    size_t chunks = 0, used;
    for (size_t i = 0; i < n; i += used, chunks++)
        twcc_next_chunk(st, n, i, &used);
    return chunks;
}

static uint8_t *twcc_put_deltas(const kn_twcc_status *st, size_t n, uint8_t *w) {
    for (size_t i = 0; i < n; i++) {
        if (st[i].status == KN_TWCC_SMALL_DELTA) {
            *w++ = (uint8_t)(st[i].delta_us / 250);
        } else if (st[i].status == KN_TWCC_LARGE_DELTA) {
            kn_put_u16(w, (uint16_t)(int16_t)(st[i].delta_us / 250));
            w += 2;
        }
    }
    return w;
}

int kn_twcc_write(const kn_twcc *hdr, const kn_twcc_status *st, size_t n, uint8_t *buf, size_t cap,
                  size_t *out_len) {
    size_t delta_bytes, used;
    int rc;

    if (n == 0 || n > UINT16_MAX || hdr->ref_time < -0x800000 || hdr->ref_time > 0x7fffff)
        return KN_EINVAL;
    if ((rc = twcc_check(hdr, st, n, &delta_bytes)) != 0)
        return rc;
    size_t body = KN_RTCP_FB_HDR_LEN + TWCC_FCI_FIXED + twcc_chunk_count(st, n) * 2 + delta_bytes;
    size_t total = (body + 3) / 4 * 4, pad = total - body;
    if (total > cap || total / 4 - 1 > UINT16_MAX)
        return KN_ELIMIT;
    put_fb_header(buf, KN_RTCP_RTPFB, KN_RTCP_FB_TWCC, total, hdr->sender_ssrc, hdr->media_ssrc);
    if (pad > 0)
        buf[0] |= 0x20;
    uint8_t *w = buf + KN_RTCP_FB_HDR_LEN;
    kn_put_u16(w, hdr->base_seq);
    kn_put_u16(w + 2, (uint16_t)n);
    kn_put_u24(w + 4, (uint32_t)hdr->ref_time & 0xffffff);
    w[7] = hdr->fb_count;
    w += TWCC_FCI_FIXED;
    for (size_t i = 0; i < n; i += used, w += 2)
        kn_put_u16(w, twcc_next_chunk(st, n, i, &used));
    w = twcc_put_deltas(st, n, w);
    for (size_t k = 0; k < pad; k++)
        w[k] = (k + 1 == pad) ? (uint8_t)pad : 0;
    *out_len = total;
    return 0;
}
