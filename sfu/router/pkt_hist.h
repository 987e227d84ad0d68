/*
 * pkt_hist.h: the received packets of one producer encoding, kept for
 * retransmission. Holds ONE pool slot per packet (the publisher's plain RTP
 * after RTX unwrapping), shared by every consumer of the encoding: a
 * consumer's send ring (send_stream.h) stores only the original sequence
 * number and its own rewrite values, and rebuilds the packet from here when a
 * NACK asks for it. Entries end after KN_PKT_HIST_MS or when KN_PKT_HIST_RING
 * newer packets arrived, so the pool use is bounded by the received rate, not
 * by the number of consumers. Media loop only; allocates nothing (slots come
 * from the worker's pool).
 */
#ifndef KN_PKT_HIST_H
#define KN_PKT_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "net/pktbuf.h"

#define KN_PKT_HIST_RING 512  /* packets, indexed by seq % KN_PKT_HIST_RING */
#define KN_PKT_HIST_MS   1000 /* a NACK later than this is not answered */

typedef struct kn_pkt_hist {
    kn_pktbuf_pool *pool;
    struct {
        kn_pktbuf *b; /* NULL = empty */
        uint16_t seq;
    } ring[KN_PKT_HIST_RING];
    struct {
        uint16_t seq;
        uint64_t ms;
    } fifo[KN_PKT_HIST_RING]; /* arrival order, for the age limit */
    unsigned head, count;
    uint64_t stored, pool_empty;
} kn_pkt_hist;

void kn_pkt_hist_init(kn_pkt_hist *h, kn_pktbuf_pool *pool);
/* Returns every slot to the pool; accepts a zeroed history. */
void kn_pkt_hist_close(kn_pkt_hist *h);

/* Keeps a copy of pkt (len <= KN_MTU) as sequence number seq, after dropping
 * entries older than KN_PKT_HIST_MS. Returns 0, KN_ELIMIT (too long) or
 * KN_ENOMEM (pool empty: counted in pool_empty; the packet is not kept). */
int kn_pkt_hist_store(kn_pkt_hist *h, uint16_t seq, const uint8_t *pkt, size_t len,
                      uint64_t now_ms);
/* The kept packet with sequence number seq, or NULL. */
const kn_pktbuf *kn_pkt_hist_find(const kn_pkt_hist *h, uint16_t seq);
/* Drops entries older than KN_PKT_HIST_MS (also done by store). */
void kn_pkt_hist_expire(kn_pkt_hist *h, uint64_t now_ms);

#endif
