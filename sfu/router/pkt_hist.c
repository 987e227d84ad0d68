/*
 * pkt_hist.c: one producer encoding's recent packets in pool slots, bounded by
 * count (ring by sequence number) and age (arrival-order FIFO); see pkt_hist.h.
 */
#include "router/pkt_hist.h"

#include <string.h>

#include "core/err.h"

void kn_pkt_hist_init(kn_pkt_hist *h, kn_pktbuf_pool *pool) {
    memset(h, 0, sizeof(*h));
    h->pool = pool;
}

/* Releases ring entry of seq if it still holds that packet. */
static void release(kn_pkt_hist *h, uint16_t seq) {
    unsigned i = seq % KN_PKT_HIST_RING;
    if (h->ring[i].b != NULL && h->ring[i].seq == seq) {
        kn_pktbuf_unref(h->pool, h->ring[i].b);
        h->ring[i].b = NULL;
    }
}

static void pop_oldest(kn_pkt_hist *h) {
    release(h, h->fifo[h->head].seq);
    h->head = (h->head + 1) % KN_PKT_HIST_RING;
    h->count--;
}

void kn_pkt_hist_close(kn_pkt_hist *h) {
    if (h->pool == NULL)
        return;
    for (unsigned i = 0; i < KN_PKT_HIST_RING; i++)
        if (h->ring[i].b != NULL) {
            kn_pktbuf_unref(h->pool, h->ring[i].b);
            h->ring[i].b = NULL;
        }
    h->count = 0;
}

void kn_pkt_hist_expire(kn_pkt_hist *h, uint64_t now_ms) {
    while (h->count > 0 && h->fifo[h->head].ms + KN_PKT_HIST_MS <= now_ms)
        pop_oldest(h);
}

int kn_pkt_hist_store(kn_pkt_hist *h, uint16_t seq, const uint8_t *pkt, size_t len,
                      uint64_t now_ms) {
    if (len > KN_MTU)
        return KN_ELIMIT;
    kn_pkt_hist_expire(h, now_ms);
    if (h->count == KN_PKT_HIST_RING)
        pop_oldest(h);
    unsigned i = seq % KN_PKT_HIST_RING;
    if (h->ring[i].b != NULL) { /* an older packet in the same place */
        kn_pktbuf_unref(h->pool, h->ring[i].b);
        h->ring[i].b = NULL;
    }
    kn_pktbuf *b = kn_pktbuf_get(h->pool);
    if (b == NULL) {
        h->pool_empty++;
        return KN_ENOMEM;
    }
    memcpy(b->data, pkt, len);
    b->len = (uint16_t)len;
    h->ring[i].b = b;
    h->ring[i].seq = seq;
    unsigned tail = (h->head + h->count) % KN_PKT_HIST_RING;
    h->fifo[tail].seq = seq;
    h->fifo[tail].ms = now_ms;
    h->count++;
    h->stored++;
    return 0;
}

const kn_pktbuf *kn_pkt_hist_find(const kn_pkt_hist *h, uint16_t seq) {
    unsigned i = seq % KN_PKT_HIST_RING;
    return h->ring[i].b != NULL && h->ring[i].seq == seq ? h->ring[i].b : NULL;
}
