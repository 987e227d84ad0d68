/*
 * active_speaker.h: the dominant speaker of one room from the audio levels
 * publishers write in the ssrc-audio-level header extension (RFC 6464: level
 * in -dBov, 0 loudest .. 127 silence). Each audio producer's loudness
 * (127 - level) is smoothed per packet (exponential, 1/8 per packet, ~160 ms
 * at 20 ms packets) and decays when its packets stop. A producer becomes the
 * dominant speaker after it has been the loudest one above the speech
 * threshold, by a margin over the current speaker, for KN_SPEAKER_HOLD_MS
 * without interruption (hysteresis, so short interjections do not switch).
 * Pure state over caller storage; keyed by opaque producer pointers; nothing
 * allocates; media loop only.
 */
#ifndef KN_ACTIVE_SPEAKER_H
#define KN_ACTIVE_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>

#define KN_SPEAKER_SLOTS     16   /* audio producers tracked per room */
#define KN_SPEAKER_HOLD_MS   1000 /* dominance needed before a switch */
#define KN_SPEAKER_MIN_LOUD  (127 - 70) /* loudness of speech: level <= 70 dBov */
#define KN_SPEAKER_MARGIN    3    /* dB over the current speaker */
#define KN_SPEAKER_STALE_MS  500  /* no packet for this long: loudness decays */

typedef struct kn_speaker_slot {
    const void *key;     /* producer; NULL = empty */
    uint32_t loud_q8;    /* smoothed loudness (127 - level) in 1/256 dB */
    uint64_t last_ms;    /* last packet */
} kn_speaker_slot;

typedef struct kn_active_speaker {
    kn_speaker_slot slots[KN_SPEAKER_SLOTS];
    const void *current;   /* dominant speaker, NULL = none yet */
    const void *candidate; /* loudest challenger */
    uint64_t candidate_since_ms;
} kn_active_speaker;

void kn_active_speaker_init(kn_active_speaker *a);

/* One audio packet's level (0..127 -dBov) from producer key. Packets of
 * untracked producers beyond KN_SPEAKER_SLOTS are ignored. */
void kn_active_speaker_on_level(kn_active_speaker *a, const void *key, uint8_t level,
                                uint64_t now_ms);

/* Forgets a producer (it ended); if it was the dominant speaker, there is none. */
void kn_active_speaker_remove(kn_active_speaker *a, const void *key);

/* Re-evaluates (call every tick). Returns true when the dominant speaker
 * changed to a->current. */
bool kn_active_speaker_on_tick(kn_active_speaker *a, uint64_t now_ms);

#endif
