/*
 * pktbuf.c: fixed pool of packet slots with a free list threaded through the
 * slots' indices, fed first by returned slots and then by never-used ones (so
 * the calloc'd pages stay untouched until needed). Allocation happens only in
 * kn_pktbuf_pool_init().
 */
#include "net/pktbuf.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int kn_pktbuf_pool_init(kn_pktbuf_pool *pool, uint32_t count) {
    memset(pool, 0, sizeof(*pool));
    if (count == 0)
        return KN_EINVAL;
    pool->slots = calloc(count, sizeof(kn_pktbuf));
    if (pool->slots == NULL)
        return KN_ENOMEM;
    pool->count = count;
    pool->free_head = count;
    pool->fresh = 0;
    return 0;
}

void kn_pktbuf_pool_close(kn_pktbuf_pool *pool) {
    free(pool->slots);
    memset(pool, 0, sizeof(*pool));
}

kn_pktbuf *kn_pktbuf_get(kn_pktbuf_pool *pool) {
    kn_pktbuf *b;
    if (pool->free_head < pool->count) {
        b = &pool->slots[pool->free_head];
        pool->free_head = b->next_free;
    } else if (pool->fresh < pool->count) {
        b = &pool->slots[pool->fresh++];
    } else {
        return NULL;
    }
    b->refs = 1;
    b->len = 0;
    if (++pool->in_use > pool->peak)
        pool->peak = pool->in_use;
    return b;
}

void kn_pktbuf_ref(kn_pktbuf *b) {
    b->refs++;
}

void kn_pktbuf_unref(kn_pktbuf_pool *pool, kn_pktbuf *b) {
    if (--b->refs > 0)
        return;
    b->next_free = pool->free_head;
    pool->free_head = (uint32_t)(b - pool->slots);
    pool->in_use--;
}
