/*
 * whip_flow.h: the asynchronous publish (WHIP) and view (WHEP) flows: parse
 * and plan the offer, then room.create → peer.create → producer.create or
 * consumer.create (+ consumer.set_preferences for a WHEP layer query) per
 * accepted m-line → SDP answer → 201 Created.
 */
#ifndef KN_WHIP_FLOW_H
#define KN_WHIP_FLOW_H

#include "whip/layer_query.h"
#include "whip/whip.h"

/* Answers r itself (now or later). `publisher` is NULL for WHIP. `layers`
 * (WHEP only, may be NULL): each video consumer gets consumer.set_preferences
 * with the asked max_spatial / max_temporal before the answer is sent. */
void kn_whip_flow_start(kn_whip *w, kn_http_req *r, const char *room, const kn_wsess *publisher,
                        const kn_layer_query *layers);

/* Drops a room user; the last one destroys the SFU room. */
void kn_whip_room_release(kn_whip *w, kn_wroom *room);

/* Maps a control-API error to an HTTP status. */
int kn_whip_http_status(int rc);

#endif
