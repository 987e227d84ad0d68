/*
 * room.h: one consultation on this SFU process. Owns its transports (peers);
 * producers and consumers hang off the transports and are found here by id.
 * room_fanout is the middle of the hot path: one producer's packet to each of
 * its consumers. Media loop only.
 */
#ifndef KN_ROOM_H
#define KN_ROOM_H

#include <stddef.h>
#include <stdint.h>

#include "router/active_speaker.h"
#include "router/rtp_params.h"

typedef struct kn_worker kn_worker;
typedef struct kn_room kn_room;
typedef struct kn_transport kn_transport;
typedef struct kn_producer kn_producer;
typedef struct kn_consumer kn_consumer;

typedef struct kn_room {
    kn_worker *w;
    char id[KN_ID_MAX + 1];
    kn_room *next;
    kn_transport *transports;
    kn_active_speaker speaker; /* fed by audio producers' ssrc-audio-level */
} kn_room;

/* Returns 0, KN_EEXIST, KN_ENOMEM. */
int kn_room_create(kn_worker *w, const char *id, kn_room **out);
/* Destroys every transport (emitting peer.closed "destroyed"), then the room. */
void kn_room_destroy(kn_room *r);

kn_transport *kn_room_find_transport(kn_room *r, const char *id);
kn_producer *kn_room_find_producer(kn_room *r, const char *id);
kn_consumer *kn_room_find_consumer(kn_room *r, const char *id);

/* Tick: emits room.active_speaker when the dominant speaker changed. */
void kn_room_on_tick(kn_room *r, uint64_t now_ms);

/* Forwards one plain RTP packet of producer encoding `enc` to every consumer. */
void kn_room_fanout(kn_producer *p, unsigned enc, const uint8_t *pkt, size_t len,
                    bool keyframe, uint64_t now_ms);

#endif
