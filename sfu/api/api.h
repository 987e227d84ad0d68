/*
 * api.h: the control API methods (docs/control-api.md) as a table of small
 * handlers over the worker. kn_api_dispatch resolves the room (and peer) an
 * entry asks for, calls the handler and turns a KN_E* code into
 * {"error":{"code","message"}}. Handlers validate everything before they
 * create or change anything. Control plane on the media loop.
 */
#ifndef KN_API_H
#define KN_API_H

#include <jansson.h>

typedef struct kn_worker kn_worker;

/* Answers one request object with a new response object ({"id",...}). */
json_t *kn_api_dispatch(kn_worker *w, json_t *request);

#endif
