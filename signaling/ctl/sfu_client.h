/*
 * sfu_client.h: control-API client toward one konsil-sfu
 * (docs/control-api.md) on the signaling libuv loop: connects over a unix
 * socket or TCP (auth line first), reconnects with backoff, sends requests
 * with ids and calls back on their responses, and passes events up.
 */
#ifndef KN_SFU_CLIENT_H
#define KN_SFU_CLIENT_H

#include <stdbool.h>

#include <jansson.h>
#include <uv.h>

typedef struct kn_sfuctl kn_sfuctl;

/* rc is 0 with `result`, the KN_E* of the SFU's error code with `message`, or
 * KN_EIO when the connection was lost (result NULL). result is borrowed. */
typedef void (*kn_sfuctl_cb)(void *arg, int rc, json_t *result, const char *message);

typedef struct kn_sfuctl_hooks {
    void (*on_event)(void *arg, const char *event, json_t *params);
    void (*on_state)(void *arg, bool up); /* connection came up / went down */
    void *arg;
} kn_sfuctl_hooks;

/*
 * Starts connecting to `address` ("unix:/path" or "tcp:host:port", host an IP
 * literal) and keeps reconnecting until destroyed. `secret` is sent in the auth
 * line for tcp (may be NULL for unix). Returns 0, KN_EINVAL for a bad address
 * or KN_ENOMEM.
 */
int kn_sfuctl_create(uv_loop_t *loop, const char *address, const char *secret,
                     const kn_sfuctl_hooks *hooks, kn_sfuctl **out);

/*
 * Sends {"id","method","params"} (params is consumed, may be NULL). cb (may
 * be NULL: fire and forget) runs exactly once, later, unless this returns an
 * error. Returns 0, KN_ESTATE when
 * not connected, KN_ELIMIT when too many requests are pending, or KN_ENOMEM.
 */
int kn_sfuctl_request(kn_sfuctl *c, const char *method, json_t *params, kn_sfuctl_cb cb, void *arg);

bool kn_sfuctl_up(const kn_sfuctl *c);

/* Fails pending requests with KN_EIO, closes handles; done(arg) runs once freed. */
void kn_sfuctl_destroy(kn_sfuctl *c, void (*done)(void *arg), void *arg);

#endif
