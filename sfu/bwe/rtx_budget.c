/*
 * rtx_budget.c: retransmission token bucket (see rtx_budget.h).
 */
#include "bwe/rtx_budget.h"

bool kn_rtx_budget_take(kn_rtx_budget *b, uint32_t est_bps, size_t bytes, uint64_t now_us) {
    int64_t depth = (int64_t)est_bps / 8 * KN_RTX_BUDGET_DEPTH_MS / 1000;
    if (depth < KN_RTX_BUDGET_MIN)
        depth = KN_RTX_BUDGET_MIN;
    if (b->last_us == 0 || now_us < b->last_us) {
        b->tokens = depth;
        b->last_us = now_us;
    } else {
        int64_t add = (int64_t)((uint64_t)est_bps * (now_us - b->last_us) / 8000000u);
        if (add > 0) { /* else keep last_us: calls µs apart still add up */
            b->tokens = b->tokens + add > depth ? depth : b->tokens + add;
            b->last_us = now_us;
        }
    }
    if (b->tokens < (int64_t)bytes)
        return false;
    b->tokens -= (int64_t)bytes;
    return true;
}
