/*
 * pktbuf.h: the fixed packet pool. Slots of KN_PKTBUF_SLOT bytes are allocated
 * once at startup (pages are touched only when a slot is first handed out, so
 * RSS follows the peak use, not the configured size); a slot holds one
 * datagram plus the headroom srtp_protect() needs after it. The router keeps
 * one slot per received publisher packet (router/pkt_hist.h); consumers'
 * retransmission rings refer to those by sequence number. An empty pool is
 * counted by the caller; nothing here allocates after init. Media loop only.
 */
#ifndef KN_PKTBUF_H
#define KN_PKTBUF_H

#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#define KN_MTU          1500
#define KN_PKTBUF_SLOT  (KN_MTU + SRTP_MAX_TRAILER_LEN)

typedef struct kn_pktbuf {
    uint8_t data[KN_PKTBUF_SLOT];
    uint16_t len;
    uint16_t refs;
    uint32_t next_free; /* index of the next free slot, valid only while free */
} kn_pktbuf;

typedef struct kn_pktbuf_pool {
    kn_pktbuf *slots;
    uint32_t count;
    uint32_t free_head; /* returned slots; == count when the list is empty */
    uint32_t fresh;     /* slots [fresh, count) were never handed out */
    uint32_t in_use, peak;
} kn_pktbuf_pool;

/* Allocates `count` slots. Returns 0, KN_EINVAL for count 0, or KN_ENOMEM. */
int kn_pktbuf_pool_init(kn_pktbuf_pool *pool, uint32_t count);
/* Frees every slot; accepts a zeroed pool. */
void kn_pktbuf_pool_close(kn_pktbuf_pool *pool);
/* Returns a slot with one reference and len 0, or NULL when the pool is empty. */
kn_pktbuf *kn_pktbuf_get(kn_pktbuf_pool *pool);
void kn_pktbuf_ref(kn_pktbuf *b);
/* Drops one reference; the slot returns to the pool at zero. */
void kn_pktbuf_unref(kn_pktbuf_pool *pool, kn_pktbuf *b);

#endif
