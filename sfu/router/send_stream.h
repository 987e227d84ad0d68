/*
 * send_stream.h: one outgoing SSRC of a consumer. Owns its retransmission
 * ring (references to pktbuf slots holding the rewritten plain RTP packets)
 * and the sender-report state; the consumer's transport protects and sends.
 * Answers Generic NACKs (RFC 4585 §6.2.1) from the ring, as RTX (RFC 4588 §4:
 * own SSRC and PT, original sequence number first in the payload) when
 * negotiated, and writes SRs (RFC 3550 §6.4.1). Media loop only; allocates
 * nothing after kn_send_stream_init().
 */
#ifndef KN_SEND_STREAM_H
#define KN_SEND_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/pktbuf.h"
#include "rtp/rtcp.h"

#define KN_SEND_RING 512 /* packets kept for retransmission (~1.5 s of 1 Mbit/s video) */

typedef struct kn_send_stream {
    uint32_t ssrc, rtx_ssrc; /* rtx_ssrc 0: plain retransmission */
    uint8_t rtx_pt;
    uint32_t clock_hz;
    uint16_t rtx_seq;
    kn_pktbuf *ring[KN_SEND_RING]; /* indexed by seq % KN_SEND_RING */
    uint16_t ring_seq[KN_SEND_RING];
    kn_pktbuf_pool *pool;
    uint64_t packets, octets, rtx_sent, nacks_received;
    uint32_t last_ts;     /* RTP timestamp of the newest packet sent */
    uint64_t last_ts_ms;  /* wall time it was sent */
    uint32_t rtt_ms;      /* from the last RR's LSR/DLSR, 0 = unknown */
    uint32_t rtt_q16;     /* the same in 1/65536 s, for sub-millisecond reporting */
    bool rtt_valid;
} kn_send_stream;

void kn_send_stream_init(kn_send_stream *s, kn_pktbuf_pool *pool, uint32_t ssrc,
                         uint32_t rtx_ssrc, uint8_t rtx_pt, uint32_t clock_hz);
/* Drops every ring reference. */
void kn_send_stream_close(kn_send_stream *s);

/* Accounts a packet sent (payload_len for the octet count, RFC 3550 §6.4.1). */
void kn_send_stream_on_sent(kn_send_stream *s, uint32_t ts, size_t payload_len, uint64_t now_ms);

/* Keeps `b` (plain RTP with sequence number seq) in the ring; takes one reference. */
void kn_send_stream_store(kn_send_stream *s, uint16_t seq, kn_pktbuf *b);

/*
 * Builds the retransmission of `seq` into out (cap bytes): the stored packet,
 * or its RTX form. Returns 0 and *len, KN_ENOENT when the packet is not in the
 * ring any more, KN_ELIMIT when cap is too small.
 */
int kn_send_stream_retransmit(kn_send_stream *s, uint16_t seq, uint8_t *out, size_t cap,
                              size_t *len);

/* Fills the SR for this stream at now (ntp is the NTP time of now_ms). */
void kn_send_stream_fill_sr(const kn_send_stream *s, uint64_t ntp, uint64_t now_ms,
                            kn_rtcp_sr *sr);

/* RTT from a report block about this stream (RFC 3550 §6.4.1: A - LSR - DLSR). */
void kn_send_stream_on_rb(kn_send_stream *s, const kn_rtcp_rb *rb, uint64_t ntp_now);

#endif
