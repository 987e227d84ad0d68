/*
 * send_hist.c: transport-wide seq → send record ring (see send_hist.h).
 * Pure; no allocation.
 */
#include "bwe/send_hist.h"

#include "core/err.h"

int kn_send_hist_init(kn_send_hist *h, kn_send_hist_entry *storage, size_t cap) {
    if (storage == NULL || cap < 16 || (cap & (cap - 1)) != 0)
        return KN_EINVAL;
    h->e = storage;
    h->mask = cap - 1;
    h->last_seq = -1;
    for (size_t i = 0; i < cap; i++)
        storage[i].seq = -1;
    return 0;
}

static int64_t unwrap_near(int64_t ref, uint16_t seq) {
    int64_t cand = (ref & ~(int64_t)0xffff) | seq;

    if (cand - ref > 32768)
        cand -= 65536;
    else if (ref - cand > 32768)
        cand += 65536;
    return cand < 0 ? cand + 65536 : cand;
}

int64_t kn_send_hist_unwrap(const kn_send_hist *h, uint16_t seq) {
    return h->last_seq < 0 ? seq : unwrap_near(h->last_seq, seq);
}

int64_t kn_send_hist_on_sent(kn_send_hist *h, uint16_t seq, uint32_t size, uint64_t send_us,
                             int16_t probe_id) {
    int64_t u = kn_send_hist_unwrap(h, seq);
    kn_send_hist_entry *e = &h->e[(size_t)u & h->mask];

    e->seq = u;
    e->send_us = send_us;
    e->recv_us = -1;
    e->size = size;
    e->probe_id = probe_id;
    e->reported = false;
    if (u > h->last_seq)
        h->last_seq = u;
    return u;
}

kn_send_hist_entry *kn_send_hist_find(kn_send_hist *h, int64_t seq) {
    kn_send_hist_entry *e;

    if (seq < 0)
        return NULL;
    e = &h->e[(size_t)seq & h->mask];
    return e->seq == seq ? e : NULL;
}
