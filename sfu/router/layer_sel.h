/*
 * layer_sel.h: which simulcast encoding (spatial layer) and which VP8
 * temporal layers one consumer forwards. Inputs: the subscriber's preferences
 * (consumer.set_preferences), an optional cap from the bandwidth allocator,
 * which encodings are active, and per packet its encoding, keyframe flag and
 * VP8 TID / layer-sync bits. Spatial switches happen only at a keyframe of the
 * target encoding (the current one keeps flowing until then, so the receiver
 * never starves); temporal down-switches take effect at the next frame start,
 * up-switches at a frame start with the layer-sync bit or a keyframe. Pure
 * state machine; nothing allocates; media loop only.
 */
#ifndef KN_LAYER_SEL_H
#define KN_LAYER_SEL_H

#include <stdbool.h>
#include <stdint.h>

#define KN_LAYER_MAX_SPATIAL  2
#define KN_LAYER_MAX_TEMPORAL 2

typedef enum kn_layer_verdict {
    KN_LAYER_DROP,    /* another encoding: not this consumer's stream */
    KN_LAYER_SKIP,    /* the forwarded encoding, but a dropped temporal layer */
    KN_LAYER_FORWARD, /* forward */
    KN_LAYER_SWITCH,  /* forward; the first packet of a new encoding (resync) */
} kn_layer_verdict;

typedef struct kn_layer_sel {
    uint8_t max_spatial, max_temporal; /* preferences, 0..2 */
    bool paused;
    uint8_t cap_spatial;  /* allocator's cap, KN_LAYER_MAX_SPATIAL = none */
    int current, target;  /* encoding index, -1 = none */
    uint8_t cur_tid, target_tid;
    bool changed; /* current or target changed since the owner last cleared it */
} kn_layer_sel;

void kn_layer_sel_init(kn_layer_sel *s);

/* Sets preferences (already validated: 0..2). */
void kn_layer_sel_set_prefs(kn_layer_sel *s, uint8_t max_spatial, uint8_t max_temporal,
                            bool paused);

/* Recomputes the target from the active encodings (bit i = encoding i has
 * recent packets) of n. The target is the highest active encoding at or below
 * min(max_spatial, cap_spatial), else the lowest active one, -1 when paused or
 * nothing is active. When the current encoding stopped, current becomes -1.
 * Returns true when the target differs from current (a keyframe is wanted). */
bool kn_layer_sel_update(kn_layer_sel *s, unsigned active_mask, unsigned n);

/* One packet of encoding enc. has_tid: a VP8 descriptor with a TID; frame_start:
 * first packet of a frame (VP8 S=1, PID=0). */
kn_layer_verdict kn_layer_sel_on_packet(kn_layer_sel *s, unsigned enc, bool keyframe,
                                        bool has_tid, uint8_t tid, bool layer_sync,
                                        bool frame_start);

#endif
