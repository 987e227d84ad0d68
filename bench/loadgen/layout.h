/*
 * layout.h: which peer is what in a kn-loadgen run. Two shapes:
 *   fan-out / listeners (rooms == 0): P publishers in one room, N subscribers,
 *     subscriber k watching publisher k % P;
 *   rooms (rooms R >= 1, room_size M >= 2): R rooms of M participants, each
 *     participant publishing once and subscribing to each of the other M - 1
 *     (one subscribe PeerConnection per watched publisher, as WHEP and a Janus
 *     VideoRoom subscription of one feed both work).
 * Peers are numbered publishers first (room by room), then subscribers (room by
 * room, participant by participant). Pure functions, no allocation.
 */
#ifndef KN_LAYOUT_H
#define KN_LAYOUT_H

#include <stdbool.h>

typedef struct kn_lg_layout {
    unsigned rooms;       /* 0: fan-out shape */
    unsigned room_size;   /* rooms shape: participants per room */
    unsigned publishers;  /* fan-out shape */
    unsigned subscribers; /* fan-out shape */
} kn_lg_layout;

typedef struct kn_lg_slot {
    bool publisher;
    unsigned room;        /* 0 .. rooms-1 (0 in the fan-out shape) */
    unsigned participant; /* index inside the room (the publisher for fan-out subscribers) */
    unsigned pub;         /* subscribers: peer index of the publisher watched */
} kn_lg_slot;

/* Returns 0 or KN_EINVAL when the layout is empty or malformed. */
int kn_lg_layout_check(const kn_lg_layout *l);
unsigned kn_lg_layout_publishers(const kn_lg_layout *l);
unsigned kn_lg_layout_total(const kn_lg_layout *l);
/* Describes peer i (< total). Returns 0 or KN_EINVAL. */
int kn_lg_layout_slot(const kn_lg_layout *l, unsigned i, kn_lg_slot *out);

#endif
