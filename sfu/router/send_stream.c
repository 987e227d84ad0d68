/*
 * send_stream.c: retransmission records, RTX packet building (RFC 4588 §4)
 * and sender-report values (RFC 3550 §6.4.1) of one outgoing SSRC.
 */
#include "router/send_stream.h"

#include <string.h>

#include "core/bytes.h"
#include "core/err.h"
#include "rtp/rtp.h"

void kn_send_stream_init(kn_send_stream *s, uint32_t ssrc, uint32_t rtx_ssrc, uint8_t rtx_pt,
                         uint32_t clock_hz) {
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    s->rtx_ssrc = rtx_ssrc;
    s->rtx_pt = rtx_pt;
    s->clock_hz = clock_hz ? clock_hz : 90000;
    s->rtx_seq = (uint16_t)(ssrc >> 3);
}

void kn_send_stream_on_sent(kn_send_stream *s, uint32_t ts, size_t payload_len, uint64_t now_ms) {
    s->packets++;
    s->octets += payload_len;
    s->last_ts = ts;
    s->last_ts_ms = now_ms;
}

void kn_send_stream_record(kn_send_stream *s, const kn_send_rec *rec) {
    kn_send_rec *r = &s->ring[rec->seq % KN_SEND_RING];
    *r = *rec;
    r->used = true;
}

const kn_send_rec *kn_send_stream_find(const kn_send_stream *s, uint16_t seq) {
    const kn_send_rec *r = &s->ring[seq % KN_SEND_RING];
    return r->used && r->seq == seq ? r : NULL;
}

int kn_send_stream_retransmit(kn_send_stream *s, uint16_t seq, uint8_t *buf, size_t *len,
                              size_t cap) {
    kn_rtp rtp;
    int rc = kn_rtp_parse(buf, *len, &rtp);
    if (rc != 0)
        return rc;
    if (s->rtx_ssrc != 0) {
        /* RTX: same header and extensions, then the OSN, then the original
         * payload (padding dropped: the RTX packet is not padded). */
        size_t n = rtp.header_len + 2 + rtp.payload_len;
        if (cap < n)
            return KN_ELIMIT;
        memmove(buf + rtp.header_len + 2, buf + rtp.payload_off, rtp.payload_len);
        kn_put_u16(buf + rtp.header_len, seq);
        buf[0] &= (uint8_t)~0x20; /* P = 0 */
        kn_rtp_set_ssrc(buf, s->rtx_ssrc);
        kn_rtp_set_pt(buf, s->rtx_pt);
        kn_rtp_set_seq(buf, s->rtx_seq++);
        *len = n;
    }
    s->rtx_sent++;
    return 0;
}

void kn_send_stream_fill_sr(const kn_send_stream *s, uint64_t ntp, uint64_t now_ms,
                            kn_rtcp_sr *sr) {
    memset(sr, 0, sizeof(*sr));
    sr->ssrc = s->ssrc;
    sr->ntp = ntp;
    /* RTP time of "now" on the media clock, extrapolated from the last packet. */
    sr->rtp_ts = s->last_ts + (uint32_t)((now_ms - s->last_ts_ms) * s->clock_hz / 1000u);
    sr->packet_count = (uint32_t)s->packets;
    sr->octet_count = (uint32_t)s->octets;
}

void kn_send_stream_on_rb(kn_send_stream *s, const kn_rtcp_rb *rb, uint64_t ntp_now) {
    if (rb->lsr == 0)
        return;
    uint32_t a = (uint32_t)(ntp_now >> 16);
    uint32_t rtt = a - rb->lsr - rb->dlsr; /* 1/65536 s */
    if (rtt > 65536u * 10u)
        return; /* clock skew or a bogus report */
    s->rtt_q16 = rtt;
    s->rtt_ms = (uint32_t)((uint64_t)rtt * 1000u / 65536u);
    s->rtt_valid = true;
}
