/*
 * metrics_render.h: the text of GET /metrics (metric names and meanings in
 * docs/operations.md, Monitoring): signaling's own gauges and counters, then
 * one family per SFU counter with a sample per SFU process (label sfu="i").
 * Reads the hub and the WHIP registry, never changes them. Signaling loop.
 */
#ifndef KN_METRICS_RENDER_H
#define KN_METRICS_RENDER_H

#include <jansson.h>

#include "obs/ops_http.h"
#include "obs/prom.h"

/* results[i]: SFU i's `metrics` result, or NULL when it did not answer
 * (konsil_sfu_up 0). Only slots with a non-NULL o->sfus[i] are exported. */
void kn_metrics_render(const kn_ops *o, json_t *const *results, kn_prom *p);

#endif
