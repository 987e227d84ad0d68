/*
 * remb_cap.c: REMB cap toward a publisher and its send rate limit (see
 * remb_cap.h).
 */
#include "bwe/remb_cap.h"

/* What producer s may send: UINT64_MAX when no limit follows from its needs. */
static uint64_t src_limit(const kn_remb_cap_src *s) {
    unsigned n = s->n > KN_REMB_CAP_LAYERS ? KN_REMB_CAP_LAYERS : s->n;
    if (s->audio || n == 0)
        return (uint64_t)s->peak_bps[0] * KN_REMB_CAP_HEADROOM / 100;
    unsigned all = (1u << n) - 1;
    unsigned needed = (s->needed & all) | 1u; /* the lowest layer always counts */
    if (needed == all)
        return UINT64_MAX;
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!(needed & (1u << i)))
            continue;
        if (s->peak_bps[i] == 0)
            return UINT64_MAX;
        sum += s->peak_bps[i];
    }
    return sum * KN_REMB_CAP_HEADROOM / 100;
}

uint32_t kn_remb_cap_compute(const kn_remb_cap_src *src, size_t n, uint32_t max_bps) {
    uint64_t max = max_bps != 0 ? max_bps : KN_REMB_CAP_DEFAULT_MAX;
    uint64_t total = 0;
    for (size_t i = 0; i < n && total < max; i++) {
        uint64_t l = src_limit(&src[i]);
        total = l == UINT64_MAX ? max : total + l;
    }
    if (total > max)
        total = max;
    if (total < KN_REMB_CAP_MIN_BPS)
        total = KN_REMB_CAP_MIN_BPS < max ? KN_REMB_CAP_MIN_BPS : max;
    return (uint32_t)total;
}

bool kn_remb_cap_due(kn_remb_cap_tx *tx, uint32_t bps, uint64_t now_ms) {
    bool due = tx->sent_bps == 0 || now_ms >= tx->sent_ms + KN_REMB_CAP_INTERVAL_MS ||
               (uint64_t)bps * 100 < (uint64_t)tx->sent_bps * KN_REMB_CAP_DROP_PCT ||
               (bps != tx->sent_bps && now_ms >= tx->sent_ms + KN_REMB_CAP_MIN_GAP_MS);
    if (due) {
        tx->sent_bps = bps;
        tx->sent_ms = now_ms;
    }
    return due;
}
