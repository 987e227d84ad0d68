/*
 * rtx_budget.h: bounds the retransmissions toward one subscriber by its
 * send-side estimate (libwebrtc does the same with its retransmission rate
 * limiter). A token bucket filled at the estimate, KN_RTX_BUDGET_DEPTH_MS of
 * it deep: after a cap, the NACKs for what the overfull queue dropped would
 * otherwise send a burst of old packets many times the link rate (seen in the
 * browser: ~700 retransmissions within 500 ms into 600 kbit/s), which delays
 * the low layer's keyframe behind them. Pure; nothing allocates.
 */
#ifndef KN_RTX_BUDGET_H
#define KN_RTX_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_RTX_BUDGET_DEPTH_MS 100
#define KN_RTX_BUDGET_MIN      3000 /* bytes: two full packets even at a tiny estimate */

typedef struct kn_rtx_budget {
    int64_t tokens;   /* bytes */
    uint64_t last_us; /* 0 = never filled */
} kn_rtx_budget;

/* Refills for the time since the last call at est_bps, then takes `bytes` if
 * the bucket holds them. Returns true when the retransmission may go. */
bool kn_rtx_budget_take(kn_rtx_budget *b, uint32_t est_bps, size_t bytes, uint64_t now_us);

#endif
