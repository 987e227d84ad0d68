/*
 * allocator.h: per-subscriber bitrate allocation. Given the estimate toward a
 * subscriber (bwe.h) and its consumers, chooses the simulcast layer each video
 * consumer forwards: audio first (always), then video by priority (pinned /
 * active speaker = 0 first) — every video its lowest layer, then upgrades in
 * the same order; a consumer's first layer is its lowest (higher ones wait
 * like upgrades). Hysteresis against oscillation: a layer above the current
 * one is charged 1.3 x its bitrate and must fit for 2 s (16 s at most after
 * upgrades that failed within 10 s), a downgrade waits 500 ms; the layer of a
 * failed upgrade is not desired again until the estimate is 1.2 x the one the
 * upgrade was made at (then the hold is back to 2 s) or 30 s passed without a
 * switch (a probe overshooting a capped link does not cause q<->h flapping). Also says
 * which rate to probe for (kn_bwe_request_probe) when a better allocation is
 * held back only by the estimate. Pure, no allocation; the caller keeps the
 * consumer array across calls. Media loop only.
 */
#ifndef KN_ALLOCATOR_H
#define KN_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_ALLOC_MAX_LAYERS    4
#define KN_ALLOC_MAX_CONSUMERS 64
#define KN_ALLOC_UP_PCT        130      /* charge of a layer above the current one */
#define KN_ALLOC_UP_HOLD_US    2000000  /* an upgrade must fit this long */
#define KN_ALLOC_UP_HOLD_MAX   16000000 /* ... doubled after failed upgrades up to this */
#define KN_ALLOC_DOWN_HOLD_US  500000   /* a downgrade waits this long */
#define KN_ALLOC_FAIL_US       10000000 /* a downgrade this soon after an upgrade = failed */
#define KN_ALLOC_HELD_US       3000000  /* ... unless the upgrade fit this long first */
#define KN_ALLOC_CALM_US       30000000 /* this long without a switch resets the up hold */
#define KN_ALLOC_RESET_PCT     120 /* ... and so does an estimate this far above a failure */

typedef struct kn_alloc_consumer {
    /* Inputs, refreshed by the caller before each kn_alloc_run. */
    bool audio;
    bool paused;      /* the subscriber asked for no video (consumer.pause) */
    uint8_t priority; /* 0 = pinned / active speaker; larger = later */
    uint8_t n_layers; /* encodings, lowest first (audio: 1) */
    int8_t max_layer; /* preferred highest layer (consumer.set_layers) */
    uint32_t layer_bps[KN_ALLOC_MAX_LAYERS]; /* measured over ~1 s; 0 = not flowing */
    /* Output. */
    int8_t target;     /* layer to forward, -1 = none */
    uint32_t switches; /* changes of target so far */
    /* Hysteresis state (kn_alloc_consumer_init). */
    bool ever;   /* has had a layer: the first one is taken without waiting */
    int8_t want; /* the pending candidate */
    uint64_t want_since_us;
    uint64_t last_up_us, last_switch_us;
    uint32_t up_hold_us;
    uint32_t up_est_bps;   /* estimate when the last upgrade was made */
    uint32_t fail_est_bps; /* estimate of the last upgrade that failed, 0 = none */
    int8_t fail_layer;     /* the layer it went to: not desired again until then */
    bool up_unfit;         /* a round within KN_ALLOC_HELD_US of the upgrade did not carry it */
} kn_alloc_consumer;

typedef struct kn_alloc_result {
    uint32_t allocated_bps; /* sum of the targets' bitrates */
    uint32_t wanted_bps;    /* what every consumer's preferred layer would need */
    uint32_t probe_bps;     /* > 0: ask kn_bwe_request_probe for this (1.3 x wanted) */
} kn_alloc_result;

void kn_alloc_consumer_init(kn_alloc_consumer *c, bool audio);

/*
 * One allocation round (call every ~100 ms): sets c[i].target for all n
 * consumers. Returns 0 and *out, KN_ELIMIT for n > KN_ALLOC_MAX_CONSUMERS.
 */
int kn_alloc_run(kn_alloc_consumer *c, size_t n, uint32_t estimate_bps, uint64_t now_us,
                 kn_alloc_result *out);

#endif
