/*
 * api_server.h: the control API's socket side. Listens on a unix socket (mode
 * 0600) or on TCP with a shared secret that must arrive as the first line
 * ({"method":"auth","params":{"secret":"…"}}). Frames JSON lines of at most
 * 64 KiB, hands each parsed request to a dispatch callback and writes the
 * response; broadcasts events to every authenticated client. Control plane on
 * the media loop: allocates per client and per message, never per packet.
 */
#ifndef KN_API_SERVER_H
#define KN_API_SERVER_H

#include <jansson.h>
#include <uv.h>

#include "api/api_metrics.h"

#define KN_API_MAX_LINE 65536

/* Turns one request object into a response object (with "id" set by the server).
 * Returns a new reference. */
typedef json_t *(*kn_api_dispatch_fn)(void *arg, json_t *request);

typedef struct kn_api_client kn_api_client;

typedef struct kn_api_server {
    uv_loop_t *loop;
    union {
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } listener;
    int is_tcp;
    char path[256];  /* unix socket path, unlinked on close */
    char secret[256];
    kn_api_dispatch_fn dispatch;
    void *arg;
    kn_api_client *clients;
    int pending_closes;
    void (*close_cb)(struct kn_api_server *s);
    kn_api_totals totals; /* for the metrics method (api_metrics.h) */
} kn_api_server;

/*
 * spec: "unix:PATH" or "tcp:HOST:PORT". secret: required (non-empty) for tcp,
 * ignored for unix. Returns 0, KN_EINVAL for a bad spec or missing secret,
 * KN_EIO when binding fails.
 */
int kn_api_server_init(kn_api_server *s, uv_loop_t *loop, const char *spec, const char *secret,
                       kn_api_dispatch_fn dispatch, void *arg);
/* Sends {"event":name,"params":params} to every authenticated client; steals params. */
void kn_api_server_emit(kn_api_server *s, const char *name, json_t *params);
/* Closes the listener and every client; cb runs when all handles are closed. */
void kn_api_server_close(kn_api_server *s, void (*cb)(kn_api_server *s));

#endif
