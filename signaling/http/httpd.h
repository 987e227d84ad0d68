/*
 * httpd.h: the HTTP(S) front of konsil-signaling on libwebsockets 4.1 over the
 * signaling libuv loop (foreign loop). Collects one request (method, path,
 * Authorization, Content-Type, body up to 64 KiB) and hands it to one handler;
 * the handler answers now or later with kn_http_respond(). Logs one line per
 * request (method, path without query, status) and never the body or tokens;
 * counts responses by status class (obs/counters.h). kn_httpd_reload_tls
 * swaps the certificate for new connections (SIGHUP).
 */
#ifndef KN_HTTPD_H
#define KN_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define KN_HTTP_MAX_BODY 65536

typedef enum {
    KN_HTTP_OTHER = 0,
    KN_HTTP_GET,
    KN_HTTP_HEAD,
    KN_HTTP_POST,
    KN_HTTP_DELETE,
    KN_HTTP_OPTIONS,
    KN_HTTP_PATCH,
    KN_HTTP_PUT
} kn_http_method;

/* Extra response headers, as bits of kn_http_req.headers. */
enum {
    KN_HTTP_H_CORS = 1 << 0,   /* Access-Control-* for WHIP/WHEP (RFC 9725 §4.9) */
    KN_HTTP_H_STATIC = 1 << 1, /* Cache-Control + strict CSP for the demo page */
};

typedef struct kn_http_req kn_http_req;
typedef struct kn_httpd kn_httpd;

struct kn_http_req {
    /* request */
    kn_http_method method;
    char path[256]; /* without query */
    char query[128]; /* URL-decoded query arguments joined by '&' ("" when absent or longer) */
    char auth[4200];
    char content_type[64];
    char cookie[512];  /* Cookie header ("" when absent or longer) */
    char origin[128];  /* Origin header, for the same-origin check of /api */
    char host[128];    /* Host header */
    char peer[64];     /* client address (numeric) */
    uint8_t *body;
    size_t body_len;
    bool body_too_large;
    /* response (set before kn_http_respond) */
    unsigned headers;
    char location[200];
    char allow[64]; /* for 405 */
    char set_cookie[256];
    /* an asynchronous operation working for this request: told when the client goes */
    void *op;
    void (*op_detach)(void *op);
    /* internal */
    struct lws *wsi;
    kn_httpd *httpd;
    bool dispatched, responded, close_after, expect_body, body_done;
    int status;
    const char *out_type;
    uint8_t *out; /* LWS_PRE bytes of headroom, then out_len body bytes */
    size_t out_len;
};

typedef void (*kn_http_handler)(void *app, kn_http_req *req);

typedef struct kn_httpd_opts {
    const char *host;
    uint16_t port;
    bool tls;
    const char *cert_path, *key_path;
    void *ws_app; /* passed to the /ws (konsil.v1) connections; NULL: none */
} kn_httpd_opts;

/* Returns 0, KN_EIO when lws cannot listen, or KN_ENOMEM. */
int kn_httpd_start(uv_loop_t *loop, const kn_httpd_opts *o, kn_http_handler handler, void *app,
                   kn_httpd **out);

/*
 * Loads cert_path/key_path again into the listener's TLS context: new
 * connections get the new certificate, open ones keep theirs. The pair is
 * checked in a scratch context first, so a bad file changes nothing.
 * Returns 0, KN_ESTATE (plain HTTP or no TLS context seen), KN_ECRYPTO (files
 * unreadable or key not matching) or KN_ENOMEM.
 */
int kn_httpd_reload_tls(kn_httpd *h, const char *cert_path, const char *key_path);

/* Begins shutdown of every connection; handles close on the loop afterwards. */
void kn_httpd_destroy(kn_httpd *h);

/* After the loop ran the close callbacks: finishes the lws destroy and frees h
 * (accepts NULL). The loop must be run once more afterwards. */
void kn_httpd_free(kn_httpd *h);

/* Sends the response once (later calls are ignored); copies body. */
void kn_http_respond(kn_http_req *r, int status, const char *type, const void *body, size_t len);

/* text/plain response of `text` plus a newline. */
void kn_http_respond_text(kn_http_req *r, int status, const char *text);

const char *kn_http_method_name(kn_http_method m);

struct lws;
/* The ws_app given to kn_httpd_start, for the connection's callbacks. */
void *kn_httpd_ws_app(struct lws *wsi);

#endif
