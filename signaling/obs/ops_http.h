/*
 * ops_http.h: the operations endpoints of konsil-signaling. GET /healthz: the
 * process serves (200). GET /readyz: 200 while it accepts new rooms (an SFU
 * control link is up and it is not draining), else 503 with a JSON reason.
 * GET /metrics: Prometheus text 0.0.4 with signaling's own gauges and
 * counters plus each SFU process's `metrics` (docs/control-api.md), asked
 * asynchronously with a timeout so a slow SFU never blocks the loop (it is
 * then exported as konsil_sfu_up 0). /metrics needs `Authorization: Bearer
 * KONSIL_METRICS_TOKEN` when that is set, else it answers loopback clients
 * only. No room names, pseudonyms or codes appear in any metric.
 * Signaling loop.
 */
#ifndef KN_OPS_HTTP_H
#define KN_OPS_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "ctl/sfu_client.h"
#include "http/httpd.h"

#define KN_OPS_MAX_SFUS    64
#define KN_OPS_MAX_SCRAPES 8 /* /metrics requests in flight */

struct kn_hub;
struct kn_whip;
struct kn_sfupool;

typedef struct kn_ops {
    uv_loop_t *loop;
    struct kn_hub *hub;               /* NULL until the rooms service runs */
    struct kn_whip *whip;             /* NULL: no WHIP sessions counted */
    kn_sfuctl *sfus[KN_OPS_MAX_SFUS]; /* index = the sfu label; NULL slots skipped */
    unsigned n_sfus;
    const struct kn_sfupool *pool;    /* placement load, PIDs, restarts; NULL: not exported */
    bool draining;
    char metrics_token[256]; /* "" = loopback clients only */
    uint32_t scrape_timeout_ms;
    unsigned n_scrapes;
    int64_t start_time_s; /* wall clock, for process_start_time_seconds */
} kn_ops;

/* Zeroes o and sets loop, token (copied, may be NULL) and timeout (0: 2000 ms). */
void kn_ops_init(kn_ops *o, uv_loop_t *loop, const char *metrics_token, uint32_t timeout_ms);

/* Answers /healthz, /readyz and /metrics; false for any other path. */
bool kn_ops_route(kn_ops *o, kn_http_req *r);

/* True when new rooms are accepted; else *reason is "draining" or "no_sfu". */
bool kn_ops_ready(const kn_ops *o, const char **reason);

#endif
