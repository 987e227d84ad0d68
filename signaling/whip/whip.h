/*
 * whip.h: WHIP (RFC 9725) and WHEP endpoints of konsil-signaling, the demo
 * page (ops endpoints: obs/ops_http.h). Routes each HTTP request, checks its token, and drives
 * konsil-sfu through the control API (room.create, peer.create,
 * producer.create / consumer.create) to build the SDP answer. Signaling loop.
 */
#ifndef KN_WHIP_H
#define KN_WHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl/sfu_client.h"
#include "http/httpd.h"
#include "whip/registry.h"

typedef struct kn_whip {
    kn_sfuctl *ctl; /* set by the owner once created */
    kn_registry reg;
    uint8_t secret[256];
    size_t secret_len;
    char web_dir[512];
    unsigned n_ops; /* WHIP/WHEP requests waiting for the SFU */
    struct kn_practice *practice; /* workflow pages and /api; NULL: none */
    bool draining; /* SIGTERM: POSTs for rooms without sessions get 503 */
} kn_whip;

#define KN_WHIP_MAX_OPS 64

/* Returns 0 or KN_EINVAL when secret or web_dir is too long. */
int kn_whip_init(kn_whip *w, const char *secret, const char *web_dir);

/* kn_http_handler for every request. */
void kn_whip_handle(void *app, kn_http_req *r);

/* kn_sfuctl hooks: peer.closed drops the session; a lost connection drops all. */
void kn_whip_on_event(void *app, const char *event, json_t *params);
void kn_whip_on_state(void *app, bool up);

/* Frees sessions and rooms (the SFU side ends with its connection). */
void kn_whip_close(kn_whip *w);

#endif
