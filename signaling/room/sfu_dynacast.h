/*
 * sfu_dynacast.h: relays the SFU's producer.layers_needed event
 * (docs/control-api.md) to the participant that publishes the producer as
 * the WebSocket message sfu.layers (docs/signaling-protocol.md); the client
 * then pauses or resumes its simulcast encodings (web/room/dynacast.js).
 * Signaling loop.
 */
#ifndef KN_SFU_DYNACAST_H
#define KN_SFU_DYNACAST_H

#include <stdbool.h>

#include <jansson.h>

#include "room/room.h"

#define KN_SFU_DYNACAST_MAX_ENC 4

/* The sfu.layers message for the event's params: {"v":1,"type":"sfu.layers",
 * "kind":"video","encodings":[{"rid","active"}…]}. Returns 0 and *msg (the
 * caller owns it), KN_EINVAL for params without 1..KN_SFU_DYNACAST_MAX_ENC
 * {"rid": string, "active": boolean} encodings, KN_ENOMEM. */
int kn_sfu_dynacast_msg(json_t *params, json_t **msg);

/* Handles the event when it is producer.layers_needed (returns true): sends
 * sfu.layers to the publisher of params.producer in room r (SFU mode only;
 * an unknown producer is a stale event of an ended publish peer). */
bool kn_sfu_dynacast_on_event(kn_room *r, const char *event, json_t *params);

#endif
