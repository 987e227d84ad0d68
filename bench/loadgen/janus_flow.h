/*
 * janus_flow.h: sets up the load generator's peers against a Janus 1.1.2
 * VideoRoom instead of Konsil's WHIP/WHEP, so both servers get the same media
 * code path (peer.c): the room is created (or reused), each publisher joins
 * and publishes with the same offer as for WHIP (Janus answers a=setup:active,
 * so the generator is the DTLS server and the controlling ICE agent), each
 * subscriber joins its publisher's feed, answers Janus's offer (DTLS client,
 * controlled ICE agent) and starts. Blocking, before the media loop.
 */
#ifndef KN_JANUS_FLOW_H
#define KN_JANUS_FLOW_H

#include "janus_api.h"
#include "peer.h"

typedef struct kn_janus_flow {
    kn_janus *j;
    uint64_t room;     /* first room id; peer p is in room + p->room_idx */
    uint64_t *feeds;   /* publisher ids, by publisher (peer) index */
    int substream;     /* what subscribers ask for: 0 = highest rid (f) */
    const kn_peer_cfg *cfg;
    const char *fingerprint;
} kn_janus_flow;

/* Creates (or reuses) rooms room .. room + n_rooms - 1, then joins and publishes
 * peers[0..n_pub) (every peer kn_peer_init'ed, room_idx set) into their rooms.
 * Janus lets subscribers join a feed only once its PeerConnection is up, so the
 * caller runs the media loop until the publishers are connected before
 * subscribing. Returns 0 or the first error. */
int kn_janus_flow_publish(kn_janus_flow *f, kn_janus *j, uint64_t room, unsigned n_rooms,
                          kn_peer *peers, unsigned n_pub, const kn_peer_cfg *cfg,
                          const char *fingerprint);

/* A kn_join_fn (joiner.h; ctx = the flow): subscribes p to its publisher's feed
 * (p->pub, in the flow's peers numbering) in its room, answers Janus's offer and
 * starts; *ans is Janus's offer as kn_peer_on_answer takes it (we are the DTLS
 * client and the controlled ICE agent, p->ice_controlled is set). */
int kn_janus_flow_subscribe(void *flow, kn_peer *p, kn_answer *ans);

void kn_janus_flow_free(kn_janus_flow *f);

#endif
