/*
 * api_params.h: validation of control API parameters (docs/control-api.md)
 * into plain structs, before any object is created. Every function returns 0
 * or KN_EINVAL and writes the offending field ("params.ice.ufrag: missing")
 * into err. Pure over the JSON; allocates nothing.
 */
#ifndef KN_API_PARAMS_H
#define KN_API_PARAMS_H

#include <jansson.h>
#include <stddef.h>

#include "router/rtp_params.h"

#define KN_API_ERR_MAX 160

/* A required identifier: 1–64 of [A-Za-z0-9_.-]. */
int kn_api_get_id(json_t *params, const char *key, const char **out, char *err);
/* A required string of min..max bytes (any content but NUL). */
int kn_api_get_str(json_t *obj, const char *path, const char *key, size_t min, size_t max,
                   const char **out, char *err);

/* producer.create: kind, mid, codecs, header_extensions, encodings. */
int kn_api_parse_producer(json_t *params, kn_rtp_params *out, char *err);
/* consumer.create: mid, codecs, header_extensions (kind comes from the producer). */
int kn_api_parse_consumer(json_t *params, kn_rtp_params *out, char *err);

#endif
