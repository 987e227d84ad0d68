/*
 * active_speaker.c: smoothed audio levels and the dominant-speaker decision
 * with hysteresis (see active_speaker.h).
 */
#include "router/active_speaker.h"

#include <string.h>

void kn_active_speaker_init(kn_active_speaker *a) {
    memset(a, 0, sizeof(*a));
}

static kn_speaker_slot *slot_of(kn_active_speaker *a, const void *key, bool add) {
    kn_speaker_slot *empty = NULL;
    for (unsigned i = 0; i < KN_SPEAKER_SLOTS; i++) {
        if (a->slots[i].key == key)
            return &a->slots[i];
        if (a->slots[i].key == NULL && empty == NULL)
            empty = &a->slots[i];
    }
    if (add && empty != NULL) {
        memset(empty, 0, sizeof(*empty));
        empty->key = key;
    }
    return add ? empty : NULL;
}

void kn_active_speaker_on_level(kn_active_speaker *a, const void *key, uint8_t level,
                                uint64_t now_ms) {
    kn_speaker_slot *s = slot_of(a, key, true);
    if (s == NULL)
        return;
    uint32_t x = (uint32_t)(127 - (level & 0x7f)) << 8;
    /* sm += (x - sm) / 8 */
    s->loud_q8 = x >= s->loud_q8 ? s->loud_q8 + (x - s->loud_q8) / 8
                                 : s->loud_q8 - (s->loud_q8 - x) / 8;
    s->last_ms = now_ms;
}

void kn_active_speaker_remove(kn_active_speaker *a, const void *key) {
    kn_speaker_slot *s = slot_of(a, key, false);
    if (s != NULL)
        memset(s, 0, sizeof(*s));
    if (a->current == key)
        a->current = NULL;
    if (a->candidate == key)
        a->candidate = NULL;
}

static uint32_t loudness(const kn_active_speaker *a, const void *key) {
    for (unsigned i = 0; i < KN_SPEAKER_SLOTS; i++)
        if (key != NULL && a->slots[i].key == key)
            return a->slots[i].loud_q8;
    return 0;
}

bool kn_active_speaker_on_tick(kn_active_speaker *a, uint64_t now_ms) {
    const kn_speaker_slot *best = NULL;
    for (unsigned i = 0; i < KN_SPEAKER_SLOTS; i++) {
        kn_speaker_slot *s = &a->slots[i];
        if (s->key == NULL)
            continue;
        if (now_ms > s->last_ms + KN_SPEAKER_STALE_MS)
            s->loud_q8 -= s->loud_q8 / 8; /* muted or gone quiet: fade out */
        if (best == NULL || s->loud_q8 > best->loud_q8)
            best = s;
    }
    if (best == NULL || best->key == a->current || best->loud_q8 < (KN_SPEAKER_MIN_LOUD << 8) ||
        best->loud_q8 < loudness(a, a->current) + (KN_SPEAKER_MARGIN << 8)) {
        a->candidate = NULL;
        return false;
    }
    if (a->candidate != best->key) {
        a->candidate = best->key;
        a->candidate_since_ms = now_ms;
        return false;
    }
    if (now_ms < a->candidate_since_ms + KN_SPEAKER_HOLD_MS)
        return false;
    a->current = best->key;
    a->candidate = NULL;
    return true;
}
