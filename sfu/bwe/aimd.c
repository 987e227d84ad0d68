/*
 * aimd.c: AIMD rate control for the delay-based estimate (see aimd.h).
 * Constants are libwebrtc's aimd_rate_control.cc / link_capacity_estimator.cc.
 */
#include "bwe/aimd.h"

#include <string.h>

#define BETA           0.85
#define DEFAULT_RTT_US 200000
#define FPS            30.0
#define MTU_BITS       (1200.0 * 8)
#define MIN_ADD_BPS_S  4000.0
#define MIN_MULT_BPS   1000.0
#define LN_1_08        0.0769610411361284

static double root(double x) {
    double r = x > 1 ? x : 1;

    if (x <= 0)
        return 0;
    for (int i = 0; i < 40; i++)
        r = 0.5 * (r + x / r);
    return r;
}

/* 1.08^x for 0 <= x <= 1 from the exponential series (|y| < 0.077). */
static double pow108(double x) {
    double y = x * LN_1_08;

    return 1 + y + y * y / 2 + y * y * y / 6 + y * y * y * y / 24;
}

void kn_aimd_init(kn_aimd *a, uint32_t start_bps, uint32_t min_bps, uint32_t max_bps) {
    memset(a, 0, sizeof(*a));
    a->min_bps = min_bps;
    a->max_bps = max_bps;
    a->bps = start_bps;
    a->rtt_us = DEFAULT_RTT_US;
}

static double clamp(const kn_aimd *a, double bps) {
    if (bps < a->min_bps)
        return a->min_bps;
    return bps > a->max_bps ? a->max_bps : bps;
}

static double cap_upper(const kn_aimd *a) {
    return a->cap_valid ? (a->cap_kbps + 3 * root(a->cap_kbps * a->cap_dev)) * 1000 : 1e18;
}

static double cap_lower(const kn_aimd *a) {
    double l = (a->cap_kbps - 3 * root(a->cap_kbps * a->cap_dev)) * 1000;
    return a->cap_valid && l > 0 ? l : 0;
}

static void cap_on_overuse(kn_aimd *a, double acked_bps) {
    double s = acked_bps / 1000, alpha = 0.05, norm, err;

    if (!a->cap_valid) {
        a->cap_valid = true;
        a->cap_kbps = s;
        a->cap_dev = 0.4;
        return;
    }
    a->cap_kbps = (1 - alpha) * a->cap_kbps + alpha * s;
    norm = a->cap_kbps > 1 ? a->cap_kbps : 1;
    err = a->cap_kbps - s;
    a->cap_dev = (1 - alpha) * a->cap_dev + alpha * err * err / norm;
    if (a->cap_dev < 0.4)
        a->cap_dev = 0.4;
    if (a->cap_dev > 2.5)
        a->cap_dev = 2.5;
}

/* About one average packet per response time (rtt + 100 ms), >= 4 kbit/s/s. */
static double additive(const kn_aimd *a, uint64_t now_us) {
    double bits_per_frame = a->bps / FPS;
    double pkts = bits_per_frame / MTU_BITS;
    double avg_pkt, rate, dt = (double)(now_us - a->last_change_us) / 1e6;

    pkts = pkts < 1 ? 1 : (double)(uint64_t)(pkts + 0.999999);
    avg_pkt = bits_per_frame / pkts;
    rate = avg_pkt / ((a->rtt_us + 100000) / 1e6);
    return (rate < MIN_ADD_BPS_S ? MIN_ADD_BPS_S : rate) * dt;
}

static double multiplicative(const kn_aimd *a, uint64_t now_us) {
    double dt = a->last_change_us ? (double)(now_us - a->last_change_us) / 1e6 : 1;
    double inc = a->bps * (pow108(dt > 1 ? 1 : dt) - 1);

    return inc < MIN_MULT_BPS ? MIN_MULT_BPS : inc;
}

static void change_state(kn_aimd *a, kn_bw_usage usage, uint64_t now_us) {
    if (usage == KN_BW_NORMAL && a->state == KN_AIMD_HOLD) {
        a->last_change_us = now_us;
        a->state = KN_AIMD_INCREASE;
    } else if (usage == KN_BW_OVERUSING) {
        a->state = KN_AIMD_DECREASE;
    } else if (usage == KN_BW_UNDERUSING) {
        a->state = KN_AIMD_HOLD;
    }
}

static void increase(kn_aimd *a, double acked, uint64_t now_us) {
    double limit = acked > 0 ? 1.5 * acked + 10000 : 1e18;
    double nb = a->bps;

    if (acked > cap_upper(a))
        a->cap_valid = false;
    if (a->bps < limit) {
        nb += a->cap_valid ? additive(a, now_us) : multiplicative(a, now_us);
        if (nb > limit)
            nb = limit;
    }
    a->bps = nb;
    a->last_change_us = now_us;
}

static void decrease(kn_aimd *a, double acked, uint64_t now_us) {
    double nb = BETA * acked;

    if (acked <= 0)
        return;
    if (nb > a->bps && a->cap_valid)
        nb = BETA * a->cap_kbps * 1000;
    if (nb < a->bps)
        a->bps = nb;
    if (acked < cap_lower(a))
        a->cap_valid = false;
    cap_on_overuse(a, acked);
    a->state = KN_AIMD_HOLD;
    a->last_change_us = now_us;
}

uint32_t kn_aimd_update(kn_aimd *a, kn_bw_usage usage, double acked_bps, uint64_t now_us) {
    if (acked_bps > 0)
        a->acked_bps = acked_bps;
    change_state(a, usage, now_us);
    if (a->state == KN_AIMD_INCREASE)
        increase(a, a->acked_bps, now_us);
    else if (a->state == KN_AIMD_DECREASE)
        decrease(a, a->acked_bps, now_us);
    a->bps = clamp(a, a->bps);
    return (uint32_t)a->bps;
}

bool kn_aimd_time_to_reduce(const kn_aimd *a, double acked_bps, uint64_t now_us) {
    uint32_t iv = a->rtt_us < 10000 ? 10000 : a->rtt_us > 200000 ? 200000 : a->rtt_us;

    if (a->last_change_us == 0 || now_us - a->last_change_us >= iv)
        return true;
    return acked_bps > 0 && a->bps / 2 > acked_bps;
}

void kn_aimd_set(kn_aimd *a, double bps, uint64_t now_us) {
    a->bps = clamp(a, bps);
    a->last_change_us = now_us;
}
