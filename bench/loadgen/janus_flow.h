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
    uint64_t room;
    uint64_t *feeds; /* publisher ids, by publisher index */
} kn_janus_flow;

/* Creates (or reuses) the room, then joins and publishes peers[0..n_pub) (every
 * peer kn_peer_init'ed). Janus lets subscribers join a feed only once its
 * PeerConnection is up, so the caller runs the media loop until the publishers
 * are connected before calling kn_janus_flow_subscribe. Returns 0 or the first error. */
int kn_janus_flow_publish(kn_janus_flow *f, kn_janus *j, uint64_t room, kn_peer *peers,
                          unsigned n_pub, const kn_peer_cfg *cfg, const char *fingerprint);

/* Subscribes peers[n_pub..n): peer i watches publisher (i - n_pub) % n_pub. */
int kn_janus_flow_subscribe(kn_janus_flow *f, kn_peer *peers, unsigned n_pub, unsigned n,
                            const kn_peer_cfg *cfg, const char *fingerprint);

void kn_janus_flow_free(kn_janus_flow *f);

#endif
