/*
 * recv_stream.h: one incoming SSRC of a producer's encoding. Keeps the
 * RFC 3550 receiver statistics (A.1 sequence tracking, A.3 loss, A.8 jitter),
 * the last SR for LSR/DLSR, and the NACK list of missing sequence numbers
 * (RFC 4585 §6.2.1) with bounded, rate-limited retries. Pure state: the
 * transport writes the RTCP. Media loop only; allocates nothing.
 */
#ifndef KN_RECV_STREAM_H
#define KN_RECV_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp/rtcp.h"

#define KN_RECV_NACK_MAX     64 /* missing packets remembered */
#define KN_RECV_NACK_RETRIES 10
#define KN_RECV_NACK_GAP_MAX 100 /* a bigger jump resets instead of asking */

typedef struct kn_recv_nack {
    uint16_t seq;
    uint8_t retries;
    uint64_t last_ms; /* 0 = never sent */
} kn_recv_nack;

typedef struct kn_recv_stream {
    uint32_t ssrc;
    uint32_t clock_hz;
    bool started;
    uint16_t max_seq;
    uint32_t cycles; /* count of wraps << 16 */
    uint32_t base_seq;
    uint64_t received;
    uint64_t expected_prior, received_prior;
    double jitter; /* timestamp units */
    int64_t last_transit;
    uint64_t last_ms;
    uint64_t packets, bytes, rtx_packets;
    /* bitrate over the last second, updated once a second by the owner */
    uint64_t window_bytes, bitrate_bps, window_start_ms, recent_packets;
    uint32_t sr_lsr;   /* middle 32 bits of the last SR NTP time */
    uint64_t sr_at_ms; /* when that SR arrived, 0 = none */
    kn_recv_nack nacks[KN_RECV_NACK_MAX];
    unsigned n_nacks;
    uint64_t nacks_sent;
} kn_recv_stream;

void kn_recv_stream_init(kn_recv_stream *s, uint32_t ssrc, uint32_t clock_hz);

/* Records a packet (plain RTP after unprotect). rtx: it arrived as a repair.
 * Returns true when it is new, false for a duplicate of something received. */
bool kn_recv_stream_on_rtp(kn_recv_stream *s, uint16_t seq, uint32_t ts, size_t len, bool rtx,
                           uint64_t now_ms);

/* Stores an SR's NTP time for the LSR/DLSR of our next RR (RFC 3550 §6.4.1). */
void kn_recv_stream_on_sr(kn_recv_stream *s, uint64_t ntp, uint64_t now_ms);

/* Fills one RR report block for this stream and starts a new interval. */
void kn_recv_stream_fill_rb(kn_recv_stream *s, uint64_t now_ms, kn_rtcp_rb *rb);

/* Sequence numbers due for a NACK now (not asked within rtt_ms + 10 ms, fewer
 * than KN_RECV_NACK_RETRIES tries). Marks them sent; returns how many. */
size_t kn_recv_stream_nacks_due(kn_recv_stream *s, uint64_t now_ms, uint32_t rtt_ms,
                                uint16_t *seqs, size_t cap);

/* Lost packets so far (expected - received, RFC 3550 A.3), 0 if negative. */
int64_t kn_recv_stream_lost(const kn_recv_stream *s);

#endif
