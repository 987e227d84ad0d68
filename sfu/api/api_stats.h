/*
 * api_stats.h: the peer.stats result (docs/control-api.md, Stats) built from
 * a transport's counters, its producers' recv_streams and its consumers'
 * send_streams. Control plane; allocates the JSON it returns.
 */
#ifndef KN_API_STATS_H
#define KN_API_STATS_H

#include <jansson.h>

typedef struct kn_transport kn_transport;

/* New reference, or NULL when out of memory. */
json_t *kn_api_peer_stats(kn_transport *t);

#endif
