/*
 * dynacast.h: which simulcast encodings of one video producer its consumers
 * need, debounced into the set the publisher is asked to send (the
 * producer.layers_needed event; signaling relays it and the client sets
 * RTCRtpSender encodings[i].active). A consumer needs every encoding up to
 * its preference (max_spatial), none while paused: the allocator may step it
 * down to any of them at once, and a layer that is not sent has no measured
 * bitrate, so the allocator could never take it again. The lowest encoding
 * stays while any consumer needs video. An encoding is resumed at once and
 * paused only after KN_DYNACAST_HOLD_MS without need (no flapping while a
 * tile is resized). Pure state machine; nothing allocates; media loop only.
 */
#ifndef KN_DYNACAST_H
#define KN_DYNACAST_H

#include <stdbool.h>
#include <stdint.h>

#define KN_DYNACAST_HOLD_MS 3000
#define KN_DYNACAST_MAX_ENC 4

typedef struct kn_dynacast {
    uint8_t active;                          /* encodings the publisher is asked to send (bit i) */
    uint64_t needed_ms[KN_DYNACAST_MAX_ENC]; /* last time encoding i was needed */
} kn_dynacast;

/* All n encodings active (a new sender sends every encoding), as if needed now. */
void kn_dynacast_init(kn_dynacast *d, unsigned n, uint64_t now_ms);

/* The encodings one consumer of an n-encoding producer needs: 0 when paused,
 * else bits 0..min(max_spatial, n - 1). */
unsigned kn_dynacast_consumer_needs(bool paused, uint8_t max_spatial, unsigned n);

/* needed: the union of kn_dynacast_consumer_needs() over the consumers.
 * Updates d->active; returns true when it changed (tell the publisher). */
bool kn_dynacast_update(kn_dynacast *d, unsigned needed, unsigned n, uint64_t now_ms);

#endif
