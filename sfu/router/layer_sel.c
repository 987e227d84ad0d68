/*
 * layer_sel.c: spatial and temporal layer choice of one consumer (see
 * layer_sel.h).
 */
#include "router/layer_sel.h"

#include <string.h>

void kn_layer_sel_init(kn_layer_sel *s) {
    memset(s, 0, sizeof(*s));
    s->max_spatial = s->cap_spatial = KN_LAYER_MAX_SPATIAL;
    s->max_temporal = s->cur_tid = s->target_tid = KN_LAYER_MAX_TEMPORAL;
    s->current = s->target = -1;
}

void kn_layer_sel_set_prefs(kn_layer_sel *s, uint8_t max_spatial, uint8_t max_temporal,
                            bool paused) {
    s->max_spatial = max_spatial;
    s->max_temporal = max_temporal;
    if (paused && !s->paused)
        s->current = -1; /* on resume the stream restarts at a keyframe */
    s->paused = paused;
    if (s->target_tid != max_temporal)
        s->changed = true;
    s->target_tid = max_temporal;
}

bool kn_layer_sel_update(kn_layer_sel *s, unsigned active_mask, unsigned n) {
    int limit = s->max_spatial < s->cap_spatial ? s->max_spatial : s->cap_spatial;
    int best = -1;
    if (s->current >= 0 && !(active_mask & (1u << s->current))) {
        s->current = -1; /* the forwarded encoding stopped */
        s->changed = true;
    }
    if (!s->paused) {
        for (int i = (int)n - 1; i >= 0 && best < 0; i--)
            if (i <= limit && (active_mask & (1u << i)))
                best = i;
        for (int i = 0; i < (int)n && best < 0; i++)
            if (active_mask & (1u << i))
                best = i;
    }
    if (best != s->target)
        s->changed = true;
    s->target = best;
    return best >= 0 && best != s->current;
}

/* Temporal switches at frame starts only, so a frame is never cut in half. */
static void temporal_step(kn_layer_sel *s, bool keyframe, bool has_tid, uint8_t tid,
                          bool layer_sync, bool frame_start) {
    if (!frame_start || s->cur_tid == s->target_tid)
        return;
    if (s->target_tid < s->cur_tid ||
        keyframe || (has_tid && layer_sync && tid <= s->target_tid)) {
        s->cur_tid = s->target_tid;
        s->changed = true;
    }
}

kn_layer_verdict kn_layer_sel_on_packet(kn_layer_sel *s, unsigned enc, bool keyframe,
                                        bool has_tid, uint8_t tid, bool layer_sync,
                                        bool frame_start) {
    kn_layer_verdict v;
    if (s->paused)
        return KN_LAYER_DROP;
    if ((int)enc == s->target && s->target != s->current && keyframe) {
        s->current = s->target;
        s->cur_tid = s->target_tid; /* a keyframe starts every temporal layer */
        s->changed = true;
        v = KN_LAYER_SWITCH;
    } else if ((int)enc == s->current) {
        temporal_step(s, keyframe, has_tid, tid, layer_sync, frame_start);
        v = KN_LAYER_FORWARD;
    } else {
        return KN_LAYER_DROP;
    }
    if (has_tid && tid > s->cur_tid)
        return KN_LAYER_SKIP;
    return v;
}
