/*
 * registry.h: WHIP/WHEP sessions and rooms known to signaling. A session is a
 * WHIP publisher or WHEP viewer (one SFU peer, named by the session id); a room
 * entry counts its sessions and in-flight requests so that the SFU room is
 * destroyed when the last one leaves. Plain data on the signaling loop.
 */
#ifndef KN_REGISTRY_H
#define KN_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "sdp/sdp.h"

#define KN_REG_MAX_SESSIONS 1000

typedef struct kn_track {
    char id[80]; /* producer id (publisher) or consumer id (viewer) */
    kn_sdp_kind kind;
    char codec[8]; /* "opus", "VP8", "H264" */
} kn_track;

typedef struct kn_wsess {
    struct kn_wsess *next;
    char id[33];     /* also the DELETE capability: never shown to other clients */
    char stream[33]; /* publisher: the opaque a=msid stream id viewers see */
    char room[65];
    bool viewer;
    uint64_t seq; /* creation order: WHEP without a publisher id takes the lowest */
    uint8_t n_tracks;
    kn_track tracks[KN_SDP_MAX_MEDIA];
} kn_wsess;

typedef struct kn_wroom {
    struct kn_wroom *next;
    char name[65];
    unsigned users; /* sessions + requests in flight */
} kn_wroom;

typedef struct kn_registry {
    kn_wsess *sessions;
    kn_wroom *rooms;
    unsigned n_sessions;
    uint64_t seq;
} kn_registry;

kn_wsess *kn_registry_find(kn_registry *g, const char *room, const char *id);
/* The earliest publisher still present in `room`, or NULL. */
kn_wsess *kn_registry_first_publisher(kn_registry *g, const char *room);
/* Takes ownership of s (heap) and stamps its seq. */
void kn_registry_add(kn_registry *g, kn_wsess *s);
/* Unlinks s (the caller frees it). */
void kn_registry_remove(kn_registry *g, kn_wsess *s);

kn_wroom *kn_registry_room(kn_registry *g, const char *name);
/* Finds or adds a room entry (users 0). Returns NULL on allocation failure. */
kn_wroom *kn_registry_room_add(kn_registry *g, const char *name);
/* Unlinks and frees the room entry. */
void kn_registry_room_remove(kn_registry *g, kn_wroom *r);

/* Frees every session and room entry. */
void kn_registry_clear(kn_registry *g);

#endif
