/*
 * seq_map.h: the sequence number and timestamp rewriting of one outgoing
 * stream. A consumer sends one SSRC whatever encoding it forwards, so the
 * receiver must see one continuous sequence space and one timestamp clock:
 * on every switch of source the offsets are recomputed so the next packet
 * follows the last one sent (RFC 3550 §5.1: seq +1; timestamp advanced by the
 * wall time since, in clock units). Packets the consumer drops on purpose
 * (temporal layers above the subscriber's) are skipped without leaving a gap
 * the receiver would NACK; the offset in force for each of the last
 * KN_SEQ_MAP_HIST input sequence numbers is kept so a late packet (a
 * retransmission from the publisher) maps to the number reserved for it.
 * Pure arithmetic; no allocation.
 */
#ifndef KN_SEQ_MAP_H
#define KN_SEQ_MAP_H

#include <stdbool.h>
#include <stdint.h>

#define KN_SEQ_MAP_HIST 256 /* power of two */

typedef struct kn_seq_map {
    bool started;      /* a packet was mapped since init */
    bool resync;       /* the next packet starts a new source */
    uint16_t seq_off;  /* out = in + seq_off (mod 2^16) */
    uint32_t ts_off;   /* out = in + ts_off (mod 2^32) */
    uint16_t first_in; /* input seq that started the current source */
    uint16_t last_out; /* highest seq sent */
    uint32_t last_ts;  /* timestamp of the packet with last_out */
    uint64_t last_ms;  /* wall time of that packet */
    uint16_t hi_in;    /* newest input seq of the current source (mapped or skipped) */
    uint16_t hist[KN_SEQ_MAP_HIST]; /* seq_off in force for input seq (index: seq % HIST) */
} kn_seq_map;

/* Starts a map whose first output packet will carry `first_seq`. */
void kn_seq_map_init(kn_seq_map *m, uint16_t first_seq);

/* The next packet comes from a new source (encoding switch, SSRC change). */
void kn_seq_map_resync(kn_seq_map *m);

/*
 * Maps one input packet (in_seq, in_ts) arriving at now_ms with a clock of
 * clock_hz. Returns 0 and the output values, or KN_EPROTO for a packet older
 * than the start of the current source (it would go out before the switch and
 * look like a reordered packet of the old source: dropped) or more than
 * KN_SEQ_MAP_HIST behind the newest.
 */
int kn_seq_map_map(kn_seq_map *m, uint16_t in_seq, uint32_t in_ts, uint32_t clock_hz,
                   uint64_t now_ms, uint16_t *out_seq, uint32_t *out_ts);

/* The current source's packet in_seq is dropped on purpose: later packets move
 * down by one so the receiver sees no gap. Ignored before the source's first
 * mapped packet and for packets older than the newest one seen. */
void kn_seq_map_skip(kn_seq_map *m, uint16_t in_seq);

/* True when a is newer than b in RFC 1982 serial arithmetic on 16 bits. */
static inline bool kn_seq_newer(uint16_t a, uint16_t b) {
    return a != b && (uint16_t)(a - b) < 0x8000;
}

#endif
