/*
 * send_hist.h: the send side of transport-wide congestion control: a ring of
 * what was sent under each transport-wide sequence number (send time, size,
 * probe cluster), so feedback (RTPFB FMT 15, or RFC 8888 later) can be turned
 * into per-packet send/arrival pairs. The ring's storage is the caller's,
 * sized once (a power of two); nothing is allocated per packet. Media loop only.
 */
#ifndef KN_SEND_HIST_H
#define KN_SEND_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_BWE_LOST (-1) /* kn_bwe_pkt.recv_us of a packet reported lost */

/* One packet as feedback reported it: its send record joined with its arrival. */
typedef struct kn_bwe_pkt {
    int64_t seq;      /* unwrapped transport-wide seq */
    uint64_t send_us; /* sender clock */
    int64_t recv_us;  /* receiver clock (unwrapped, µs) or KN_BWE_LOST */
    uint32_t size;    /* bytes */
    int16_t probe_id; /* probe cluster or -1 */
} kn_bwe_pkt;

typedef struct kn_send_hist_entry {
    int64_t seq;      /* unwrapped transport-wide seq; -1 = empty slot */
    uint64_t send_us; /* sender clock */
    int64_t recv_us;  /* receiver clock once reported received, else -1 */
    uint32_t size;    /* bytes on the wire as the caller counts them */
    int16_t probe_id; /* probe cluster, -1 for none */
    bool reported;    /* feedback has mentioned it (received or lost) */
} kn_send_hist_entry;

typedef struct kn_send_hist {
    kn_send_hist_entry *e; /* caller-owned, cap entries */
    size_t mask;           /* cap - 1 */
    int64_t last_seq;      /* unwrapped seq of the latest sent packet, -1 before any */
} kn_send_hist;

/* cap must be a power of two >= 16. Returns 0 or KN_EINVAL. */
int kn_send_hist_init(kn_send_hist *h, kn_send_hist_entry *storage, size_t cap);

/* Records a packet sent with transport-wide seq (16 bits, unwrapped against the
 * previous one). Returns the unwrapped seq. */
int64_t kn_send_hist_on_sent(kn_send_hist *h, uint16_t seq, uint32_t size, uint64_t send_us,
                             int16_t probe_id);

/* Unwraps a 16-bit seq from feedback to the unwrapped seq nearest the latest sent. */
int64_t kn_send_hist_unwrap(const kn_send_hist *h, uint16_t seq);

/* The entry for unwrapped seq, or NULL when it was never sent or has been
 * overwritten (older than cap packets). */
kn_send_hist_entry *kn_send_hist_find(kn_send_hist *h, int64_t seq);

#endif
