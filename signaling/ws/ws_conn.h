/*
 * ws_conn.h: one room-signaling WebSocket (subprotocol "konsil.v1", path /ws)
 * on the HTTPS listener's libwebsockets context: reassembles text messages up
 * to 64 KiB, queues outgoing JSON (bounded), closes with a code after the
 * queue drained. Hands complete messages to the hub (room/hub.h).
 * Signaling loop; lws owns the struct (per-session storage).
 */
#ifndef KN_WS_CONN_H
#define KN_WS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "ws/ratelimit.h"

#define KN_WS_PROTOCOL   "konsil.v1"
#define KN_WS_MAX_QUEUE  (2 * 1024 * 1024) /* bytes queued toward one client */

struct kn_room;
struct kn_part;

typedef struct kn_wsout {
    struct kn_wsout *next;
    size_t len;
    uint8_t data[]; /* LWS_PRE bytes of headroom, then len bytes */
} kn_wsout;

typedef struct kn_wsconn {
    struct lws *wsi;
    struct kn_wsconn *next, *prev; /* the hub's list */
    void *hub;
    uint8_t *rx;
    size_t rx_len;
    bool rx_skip; /* dropping the rest of an oversized or binary message */
    kn_wsout *head, *tail;
    size_t q_bytes;
    bool closing;
    int close_code;
    char close_reason[64];
    kn_ratelimit rl;
    uint32_t dropped;
    int64_t last_rate_err_ms, opened_ms, last_rx_ms;
    struct kn_room *room;
    struct kn_part *part;
} kn_wsconn;

/* The lws callback of the "konsil.v1" protocol (httpd.c lists it). */
int kn_ws_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len);

/* Queues msg (consumed; compact JSON). Returns 0, KN_ESTATE when closing,
 * KN_ELIMIT when the queue is full (the connection is then closed), KN_ENOMEM. */
int kn_wsconn_send(kn_wsconn *c, json_t *msg);

/* Closes with `code` after what is queued has been written. */
void kn_wsconn_close(kn_wsconn *c, int code, const char *reason);

#endif
