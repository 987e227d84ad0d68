/*
 * allocator.c: layer allocation with hysteresis (see allocator.h). Charges are
 * computed against the previous targets, so a steady estimate between two
 * layers' thresholds keeps the current layer.
 */
#include "bwe/allocator.h"

#include <string.h>

#include "core/err.h"

void kn_alloc_consumer_init(kn_alloc_consumer *c, bool audio) {
    memset(c, 0, sizeof(*c));
    c->audio = audio;
    c->n_layers = 1;
    c->max_layer = KN_ALLOC_MAX_LAYERS - 1;
    c->target = audio ? 0 : -1;
    c->want = c->target;
    c->up_hold_us = KN_ALLOC_UP_HOLD_US;
}

static uint32_t cost(const kn_alloc_consumer *c, int l) {
    return l < 0 ? 0 : c->layer_bps[l];
}

/* Layers above the current target are charged the up margin. */
static uint64_t charge(const kn_alloc_consumer *c, int l) {
    return l > c->target ? (uint64_t)cost(c, l) * KN_ALLOC_UP_PCT / 100 : cost(c, l);
}

static int top_layer(const kn_alloc_consumer *c) {
    int hi = c->max_layer < c->n_layers - 1 ? c->max_layer : c->n_layers - 1;

    if (c->paused)
        return -1;
    for (int l = hi; l >= 0; l--)
        if (c->layer_bps[l] > 0)
            return l;
    return -1;
}

static int low_layer(const kn_alloc_consumer *c) {
    int hi = top_layer(c);

    for (int l = 0; l <= hi; l++)
        if (c->layer_bps[l] > 0)
            return l;
    return -1;
}

/* Video consumers in allocation order: priority, then array order. */
static size_t video_order(const kn_alloc_consumer *c, size_t n, uint8_t *idx) {
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        size_t j = m++;
        if (c[i].audio) {
            m--;
            continue;
        }
        while (j > 0 && c[idx[j - 1]].priority > c[i].priority) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = (uint8_t)i;
    }
    return m;
}

/* Fills desired[] greedily: lowest layers first, then upgrades. */
static void desire(const kn_alloc_consumer *c, const uint8_t *idx, size_t m, int64_t budget,
                   int8_t *desired) {
    for (size_t k = 0; k < m; k++) {
        const kn_alloc_consumer *v = &c[idx[k]];
        int lo = low_layer(v);
        desired[k] = -1;
        if (lo >= 0 && (int64_t)charge(v, lo) <= budget) {
            desired[k] = (int8_t)lo;
            budget -= (int64_t)charge(v, lo);
        }
    }
    for (size_t k = 0; k < m; k++) {
        const kn_alloc_consumer *v = &c[idx[k]];
        if (desired[k] < 0)
            continue;
        for (int l = top_layer(v); l > desired[k]; l--) {
            if (v->fail_est_bps != 0 && l >= v->fail_layer)
                continue; /* failed here before; see forget_failure() */
            int64_t extra = (int64_t)charge(v, l) - (int64_t)charge(v, desired[k]);
            if (v->layer_bps[l] > 0 && extra <= budget) {
                budget -= extra;
                desired[k] = (int8_t)l;
                break;
            }
        }
    }
}

static void switch_to(kn_alloc_consumer *v, int8_t l, uint32_t est, uint64_t now_us) {
    /* A downgrade after an upgrade that fit KN_ALLOC_HELD_US is a changed path
     * (a cap), not a failed upgrade: counting it doubled the hold and blocked
     * the layer, and 720p came 17 s after the cap was lifted in
     * test_sfu_bwe_chromium (the cap came ~5 s after the f upgrade). */
    bool held = !v->up_unfit && now_us - v->last_up_us >= KN_ALLOC_HELD_US;
    if (l > v->target) {
        v->last_up_us = now_us;
        v->up_est_bps = est;
        v->up_unfit = false;
    } else if (v->ever && !held && now_us - v->last_up_us < KN_ALLOC_FAIL_US) {
        v->fail_est_bps = v->up_est_bps;
        v->fail_layer = v->target;
        v->up_hold_us *= 2; /* the last upgrade did not hold */
        if (v->up_hold_us > KN_ALLOC_UP_HOLD_MAX)
            v->up_hold_us = KN_ALLOC_UP_HOLD_MAX;
    }
    if (l >= 0)
        v->ever = true;
    v->target = l;
    v->want = l;
    v->last_switch_us = now_us;
    v->switches++;
}

/* Calm for KN_ALLOC_CALM_US, or the path changed (a cap lifted: the estimate
 * is far above the one a failed upgrade was made at): old failures say
 * nothing any more. Runs before the layers are desired. */
static void forget_failure(kn_alloc_consumer *v, uint32_t est, uint64_t now_us) {
    bool calm = v->last_switch_us != 0 && now_us - v->last_switch_us >= KN_ALLOC_CALM_US;
    /* ... or the estimate carries the failed layer with the up margin, 1.2 x
     * over: an upgrade made at a high estimate (start-up probes) and ended by a
     * cap would otherwise wait for an estimate requested probes never reach. */
    uint64_t need = (uint64_t)cost(v, v->fail_layer) * KN_ALLOC_UP_PCT * KN_ALLOC_RESET_PCT / 10000;
    bool far = v->fail_est_bps != 0 &&
               ((uint64_t)est * 100 >= (uint64_t)v->fail_est_bps * KN_ALLOC_RESET_PCT ||
                (need > 0 && est >= need));
    if (calm || far) {
        v->up_hold_us = KN_ALLOC_UP_HOLD_US;
        v->fail_est_bps = 0;
    }
}

/* Applies hysteresis to the desired layer d of one video consumer. */
static void settle(kn_alloc_consumer *v, int8_t d, uint32_t est, uint64_t now_us) {
    bool forced = v->target > top_layer(v) || (v->target >= 0 && cost(v, v->target) == 0);
    uint64_t hold;

    if (d < v->target && now_us - v->last_up_us < KN_ALLOC_HELD_US)
        v->up_unfit = true;
    if (d == v->target) {
        v->want = d;
        return;
    }
    if (forced) { /* preference lowered, paused, or the layer stopped */
        switch_to(v, d, est, now_us);
        return;
    }
    if (v->want == v->target || (d > v->target) != (v->want > v->target)) {
        v->want = d; /* a new direction: start timing */
        v->want_since_us = now_us;
    }
    if (!v->ever && d > low_layer(v)) {
        /* The first layer is the lowest: higher ones wait like any upgrade,
         * their bitrates are still ramping up at the publisher (seen: f at
         * 32 bit/s 0.5 s after start, 856 kbit/s at 2 s). */
        switch_to(v, (int8_t)low_layer(v), est, now_us);
        v->want = d;
        v->want_since_us = now_us;
        return;
    }
    v->want = d;
    hold = d < v->target ? KN_ALLOC_DOWN_HOLD_US : v->ever ? v->up_hold_us : 0;
    if (now_us - v->want_since_us >= hold)
        switch_to(v, d, est, now_us);
}

int kn_alloc_run(kn_alloc_consumer *c, size_t n, uint32_t estimate_bps, uint64_t now_us,
                 kn_alloc_result *out) {
    uint8_t idx[KN_ALLOC_MAX_CONSUMERS];
    int8_t desired[KN_ALLOC_MAX_CONSUMERS];
    int64_t budget = estimate_bps;
    uint64_t alloc = 0, wanted = 0;
    size_t m;
    bool pending_down = false;

    memset(out, 0, sizeof(*out));
    if (n > KN_ALLOC_MAX_CONSUMERS)
        return KN_ELIMIT;
    for (size_t i = 0; i < n; i++)
        if (c[i].audio) { /* audio is never paused by the allocator */
            c[i].target = 0;
            budget -= c[i].layer_bps[0];
            alloc += c[i].layer_bps[0];
            wanted += c[i].layer_bps[0];
        }
    m = video_order(c, n, idx);
    for (size_t k = 0; k < m; k++)
        forget_failure(&c[idx[k]], estimate_bps, now_us);
    desire(c, idx, m, budget, desired);
    for (size_t k = 0; k < m; k++) {
        kn_alloc_consumer *v = &c[idx[k]];
        settle(v, desired[k], estimate_bps, now_us);
        pending_down |= v->want < v->target;
        alloc += cost(v, v->target);
        wanted += cost(v, top_layer(v));
    }
    out->allocated_bps = alloc > UINT32_MAX ? UINT32_MAX : (uint32_t)alloc;
    out->wanted_bps = wanted > UINT32_MAX ? UINT32_MAX : (uint32_t)wanted;
    if (!pending_down && wanted > alloc && wanted * KN_ALLOC_UP_PCT / 100 > (uint64_t)estimate_bps)
        out->probe_bps = (uint32_t)(out->wanted_bps * (uint64_t)KN_ALLOC_UP_PCT / 100);
    return 0;
}
