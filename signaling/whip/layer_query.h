/*
 * layer_query.h: the WHEP layer-selection query of konsil-signaling
 * (docs/whip-whep.md "Choosing a simulcast layer"): `max_spatial=0..2` and
 * `max_temporal=0..2` (or `layer=q|h|f`, the same as max_spatial 0|1|2) in the
 * query of POST /whep/{room}[/{publisher}]. Pure; no I/O.
 */
#ifndef KN_LAYER_QUERY_H
#define KN_LAYER_QUERY_H

#include <stddef.h>

typedef struct kn_layer_query {
    int max_spatial;  /* 0..2, -1 when not asked for */
    int max_temporal; /* 0..2, -1 when not asked for */
} kn_layer_query;

/*
 * Parses `q` (arguments separated by '&', as the HTTP server hands them over,
 * already URL-decoded; "" = none). Other argument names are ignored (clients
 * may add their own); a known name with a bad value, a repeated one, or both
 * `layer` and `max_spatial` give KN_EINVAL with a one-line *reason.
 */
int kn_layer_query_parse(const char *q, size_t len, kn_layer_query *out, const char **reason);

#endif
