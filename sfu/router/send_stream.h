/*
 * send_stream.h: one outgoing SSRC of a consumer. Owns its retransmission
 * ring and the sender-report state; the consumer's transport protects and
 * sends. The ring holds no packet bytes: per sent sequence number it keeps
 * where the original is (encoding and publisher sequence number in that
 * encoding's pkt_hist.h, one pool slot shared by all consumers) and the values
 * this consumer wrote (timestamp, VP8 picture id / TL0PICIDX), so the consumer
 * rebuilds the packet byte for byte when a Generic NACK (RFC 4585 §6.2.1) asks
 * for it. Wraps it as RTX (RFC 4588 §4: own SSRC and PT, original sequence
 * number first in the payload) when negotiated, and writes SRs (RFC 3550
 * §6.4.1). Media loop only; allocates nothing.
 */
#ifndef KN_SEND_STREAM_H
#define KN_SEND_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/pktbuf.h"
#include "rtp/rtcp.h"

#define KN_SEND_RING 512 /* packets answerable by NACK (also bounded by KN_PKT_HIST_MS) */

/* How to rebuild one sent packet. */
typedef struct kn_send_rec {
    uint16_t seq;      /* sent sequence number */
    uint16_t orig_seq; /* the publisher's, in encoding enc's history */
    uint32_t ts;       /* sent timestamp */
    uint16_t pic_id;   /* VP8 picture id written (when vp8) */
    uint8_t tl0;       /* VP8 TL0PICIDX written (when vp8 and present) */
    uint8_t enc;
    bool used, vp8;
} kn_send_rec;

typedef struct kn_send_stream {
    uint32_t ssrc, rtx_ssrc; /* rtx_ssrc 0: plain retransmission */
    uint8_t rtx_pt;
    uint32_t clock_hz;
    uint16_t rtx_seq;
    kn_send_rec ring[KN_SEND_RING]; /* indexed by seq % KN_SEND_RING */
    uint64_t packets, octets, rtx_sent, nacks_received;
    uint32_t last_ts;     /* RTP timestamp of the newest packet sent */
    uint64_t last_ts_ms;  /* wall time it was sent */
    uint32_t rtt_ms;      /* from the last RR's LSR/DLSR, 0 = unknown */
    uint32_t rtt_q16;     /* the same in 1/65536 s, for sub-millisecond reporting */
    bool rtt_valid;
    uint32_t rb_ext_seq; /* extended highest seq of the last report block */
    bool rb_have;
} kn_send_stream;

void kn_send_stream_init(kn_send_stream *s, uint32_t ssrc, uint32_t rtx_ssrc, uint8_t rtx_pt,
                         uint32_t clock_hz);

/* Accounts a packet sent (payload_len for the octet count, RFC 3550 §6.4.1). */
void kn_send_stream_on_sent(kn_send_stream *s, uint32_t ts, size_t payload_len, uint64_t now_ms);

/* Records how the packet sent as rec->seq was built. */
void kn_send_stream_record(kn_send_stream *s, const kn_send_rec *rec);
/* The record of sent sequence number seq, or NULL when it left the ring. */
const kn_send_rec *kn_send_stream_find(const kn_send_stream *s, uint16_t seq);

/*
 * Turns the rebuilt plain packet buf[0..*len) with sequence number seq into
 * its retransmission, in place: unchanged without RTX, else the RTX form
 * (padding dropped, OSN before the payload, RTX SSRC, PT and next RTX seq).
 * Counts rtx_sent. Returns 0 and *len, KN_ELIMIT when cap is too small,
 * KN_ETRUNC / KN_EPROTO for a packet that does not parse.
 */
int kn_send_stream_retransmit(kn_send_stream *s, uint16_t seq, uint8_t *buf, size_t *len,
                              size_t cap);

/* Fills the SR for this stream at now (ntp is the NTP time of now_ms). */
void kn_send_stream_fill_sr(const kn_send_stream *s, uint64_t ntp, uint64_t now_ms,
                            kn_rtcp_sr *sr);

/* RTT from a report block about this stream (RFC 3550 §6.4.1: A - LSR - DLSR). */
void kn_send_stream_on_rb(kn_send_stream *s, const kn_rtcp_rb *rb, uint64_t ntp_now);

#endif
