/*
 * pktbuf.h: the fixed packet pool. Slots of KN_PKTBUF_SLOT bytes are allocated
 * once at startup; a slot holds one datagram plus the headroom srtp_protect()
 * needs after it. Only the retransmission ring takes extra references. An
 * empty pool is a drop the caller counts; nothing here allocates after init.
 * Media loop only.
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
    uint32_t free_head; /* == count when the pool is empty */
    uint32_t in_use;
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
