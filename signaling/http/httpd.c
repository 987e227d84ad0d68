/*
 * httpd.c: libwebsockets 4.1 glue for konsil-signaling. One lws context on the
 * signaling libuv loop (LWS_SERVER_OPTION_LIBUV + foreign_loops), HTTP/1.1 only
 * (ALPN http/1.1), per-connection state = one kn_http_req (lws allocates it,
 * bounded), request body bounded by KN_HTTP_MAX_BODY, responses written from
 * LWS_CALLBACK_HTTP_WRITEABLE. Keeps the vhost's SSL_CTX (handed to us once
 * by LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS) to reload the
 * certificate in place.
 */
#include "http/httpd.h"

#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/err.h"
#include "core/log.h"
#include "obs/counters.h"
#include "ws/ws_conn.h"

#define KN_HTTP_MAX_DISCARD (1024 * 1024)

struct kn_httpd {
    struct lws_context *ctx;
    kn_http_handler handler;
    void *app;
    void *ws_app; /* the room hub, for /ws connections */
    void *loops[1];
    SSL_CTX *ssl_ctx; /* the vhost's, owned by lws; NULL for plain HTTP */
};

void *kn_httpd_ws_app(struct lws *wsi) {
    kn_httpd *h = lws_context_user(lws_get_context(wsi));
    return h->ws_app;
}

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

static const struct {
    enum lws_token_indexes tok;
    kn_http_method m;
} method_tokens[] = {
    {WSI_TOKEN_GET_URI,     KN_HTTP_GET    },
    {WSI_TOKEN_POST_URI,    KN_HTTP_POST   },
    {WSI_TOKEN_OPTIONS_URI, KN_HTTP_OPTIONS},
    {WSI_TOKEN_DELETE_URI,  KN_HTTP_DELETE },
    {WSI_TOKEN_PATCH_URI,   KN_HTTP_PATCH  },
    {WSI_TOKEN_PUT_URI,     KN_HTTP_PUT    },
    {WSI_TOKEN_HEAD_URI,    KN_HTTP_HEAD   },
};

const char *kn_http_method_name(kn_http_method m) {
    static const char *const names[] = {"OTHER",  "GET",     "HEAD",  "POST",
                                        "DELETE", "OPTIONS", "PATCH", "PUT"};
    return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "OTHER";
}

static void req_reset(kn_http_req *r) {
    if (r->op != NULL && r->op_detach != NULL)
        r->op_detach(r->op);
    free(r->body);
    free(r->out);
    struct lws *wsi = r->wsi;
    kn_httpd *h = r->httpd;
    memset(r, 0, sizeof(*r));
    r->wsi = wsi;
    r->httpd = h;
}

static void dispatch(kn_http_req *r) {
    r->dispatched = true;
    if (r->body_too_large) {
        r->close_after = true;
        kn_http_respond_text(r, 413, "request body larger than 64 KiB");
        return;
    }
    r->httpd->handler(r->httpd->app, r);
}

static kn_http_method read_method(struct lws *wsi) {
    for (size_t i = 0; i < sizeof(method_tokens) / sizeof(method_tokens[0]); i++)
        if (lws_hdr_total_length(wsi, method_tokens[i].tok) > 0)
            return method_tokens[i].m;
    return KN_HTTP_OTHER;
}

static long long content_length(struct lws *wsi) {
    char v[32];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
        return 0;
    if (lws_hdr_copy(wsi, v, sizeof(v), WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return end == v || *end != '\0' || n < 0 ? -1 : n;
}

/* Copies a header, or "" when it is absent or does not fit. */
static void copy_header(struct lws *wsi, enum lws_token_indexes tok, char *out, size_t cap) {
    out[0] = '\0';
    if (lws_hdr_total_length(wsi, tok) <= 0 || lws_hdr_copy(wsi, out, (int)cap, tok) < 0)
        out[0] = '\0';
}

static int on_http(struct lws *wsi, kn_http_req *r, const char *uri, size_t len) {
    r->wsi = wsi;
    r->httpd = lws_context_user(lws_get_context(wsi));
    req_reset(r);
    r->method = read_method(wsi);
    size_t n = len < sizeof(r->path) - 1 ? len : sizeof(r->path) - 1;
    memcpy(r->path, uri, n);
    r->path[n] = '\0';
    if (lws_hdr_copy(wsi, r->auth, sizeof(r->auth), WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
        r->auth[0] = '\0'; /* too long to be ours: treated as missing */
    if (lws_hdr_copy(wsi, r->content_type, sizeof(r->content_type), WSI_TOKEN_HTTP_CONTENT_TYPE) <
        0)
        r->content_type[0] = '\0';
    copy_header(wsi, WSI_TOKEN_HTTP_COOKIE, r->cookie, sizeof(r->cookie));
    copy_header(wsi, WSI_TOKEN_ORIGIN, r->origin, sizeof(r->origin));
    copy_header(wsi, WSI_TOKEN_HOST, r->host, sizeof(r->host));
    copy_header(wsi, WSI_TOKEN_HTTP_URI_ARGS, r->query, sizeof(r->query));
    lws_get_peer_simple(wsi, r->peer, sizeof(r->peer));
    long long clen = content_length(wsi);
    if (clen < 0) {
        r->dispatched = r->close_after = true;
        kn_http_respond_text(r, 400, "bad Content-Length");
        return 0;
    }
    if (clen > KN_HTTP_MAX_DISCARD) { /* not worth reading: answer and close at once */
        r->body_too_large = true;
        dispatch(r);
        return 0;
    }
    if (clen > KN_HTTP_MAX_BODY) { /* read and drop it, so the client sees the 413 */
        r->body_too_large = r->expect_body = true;
        return 0;
    }
    if (clen > 0) {
        r->expect_body = true;
        if ((r->body = malloc((size_t)clen)) == NULL)
            return -1;
        return 0; /* dispatched at LWS_CALLBACK_HTTP_BODY_COMPLETION */
    }
    dispatch(r);
    return 0;
}

static int on_body(kn_http_req *r, const void *in, size_t len) {
    if (!r->expect_body || r->dispatched)
        return 0;
    if (r->body_len + len > KN_HTTP_MAX_BODY || r->body == NULL) {
        r->body_too_large = true;
        return 0;
    }
    void *grown = realloc(r->body, r->body_len + len);
    if (grown == NULL)
        return -1;
    r->body = grown;
    memcpy(r->body + r->body_len, in, len);
    r->body_len += len;
    return 0;
}

static int add(struct lws *wsi, const char *name, const char *value, uint8_t **p, uint8_t *end) {
    return lws_add_http_header_by_name(wsi, (const uint8_t *)name, (const uint8_t *)value,
                                       (int)strlen(value), p, end);
}

static int add_headers(kn_http_req *r, uint8_t **p, uint8_t *end) {
    struct lws *wsi = r->wsi;
    int rc = 0;
    if (r->location[0])
        rc |= add(wsi, "location:", r->location, p, end);
    if (r->allow[0])
        rc |= add(wsi, "allow:", r->allow, p, end);
    if (r->set_cookie[0])
        rc |= add(wsi, "set-cookie:", r->set_cookie, p, end);
    if (r->headers & KN_HTTP_H_CORS) {
        rc |= add(wsi, "access-control-allow-origin:", "*", p, end);
        rc |= add(wsi, "access-control-allow-methods:", "POST, DELETE, OPTIONS, PATCH", p, end);
        rc |= add(wsi, "access-control-allow-headers:", "Authorization, Content-Type", p, end);
        rc |= add(wsi, "access-control-expose-headers:", "Location", p, end);
        rc |= add(wsi, "accept-post:", "application/sdp", p, end);
    }
    if (r->headers & KN_HTTP_H_STATIC) {
        rc |= add(wsi, "cache-control:", "no-cache", p, end);
        rc |= add(wsi, "content-security-policy:", csp, p, end);
        rc |= add(wsi, "x-content-type-options:", "nosniff", p, end);
        rc |= add(wsi, "referrer-policy:", "no-referrer", p, end);
    } else {
        rc |= add(wsi, "cache-control:", "no-store", p, end);
    }
    if (r->close_after)
        rc |= add(wsi, "connection:", "close", p, end);
    return rc;
}

static int on_writeable(kn_http_req *r) {
    uint8_t buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
    struct lws *wsi = r->wsi;
    if (!r->responded || r->out_type == NULL)
        return 0;
    if (lws_add_http_common_headers(wsi, (unsigned)r->status, r->out_type, r->out_len, &p, end) ||
        add_headers(r, &p, end) || lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    r->out_type = NULL; /* written */
    if (r->out_len > 0 && r->method != KN_HTTP_HEAD &&
        lws_write(wsi, r->out + LWS_PRE, r->out_len, LWS_WRITE_HTTP_FINAL) != (int)r->out_len)
        return -1;
    if (r->close_after || (r->expect_body && !r->body_done))
        return -1; /* answered before the body was read: the stream is out of step */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len) {
    kn_http_req *r = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return -1; /* WebSocket only with the konsil.v1 subprotocol (ws_conn.c) */
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS: {
        kn_httpd *h = lws_context_user(lws_get_context(wsi));
        if (h != NULL)
            h->ssl_ctx = user; /* here `user` is the vhost's SSL_CTX (lws-callbacks.h) */
        return 0;
    }
    case LWS_CALLBACK_HTTP:
        return on_http(wsi, r, in, len);
    case LWS_CALLBACK_HTTP_BODY:
        return on_body(r, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        r->body_done = true;
        if (!r->dispatched)
            dispatch(r);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return on_writeable(r);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (r != NULL)
            req_reset(r);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

void kn_http_respond(kn_http_req *r, int status, const char *type, const void *body, size_t len) {
    if (r->responded)
        return;
    r->out = malloc(LWS_PRE + len + 1);
    if (r->out == NULL) {
        len = 0;
        status = 500;
        r->close_after = true;
        if ((r->out = malloc(LWS_PRE + 1)) == NULL)
            return; /* lws times the connection out */
    } else if (len > 0) {
        memcpy(r->out + LWS_PRE, body, len);
    }
    r->responded = true;
    r->status = status;
    r->out_type = type;
    r->out_len = len;
    r->op = NULL;
    kn_obs_http_response(status);
    KN_LOG_INFO("http", "%s %s %d", kn_http_method_name(r->method), r->path, status);
    lws_callback_on_writable(r->wsi);
}

void kn_http_respond_text(kn_http_req *r, int status, const char *text) {
    char line[256];
    int n = snprintf(line, sizeof(line), "%s\n", text);
    kn_http_respond(r, status, "text/plain; charset=utf-8", line,
                    n < 0 ? 0 : ((size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1));
}

static const struct lws_protocols protocols[] = {
    {"http",         http_cb,            sizeof(kn_http_req), 0, 0, NULL, 0},
    {KN_WS_PROTOCOL, kn_ws_lws_callback, sizeof(kn_wsconn),  0, 0, NULL, 0},
    {NULL,           NULL,               0,                   0, 0, NULL, 0},
};

/* libwebsockets' own error lines go through kn_log, so JSON logs stay one object per line. */
static void lws_log_emit(int level, const char *line) {
    (void)level;
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    KN_LOG_ERROR("lws", "%.*s", (int)n, line);
}

int kn_httpd_start(uv_loop_t *loop, const kn_httpd_opts *o, kn_http_handler handler, void *app,
                   kn_httpd **out) {
    struct lws_context_creation_info info;
    kn_httpd *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return KN_ENOMEM;
    h->handler = handler;
    h->app = app;
    h->ws_app = o->ws_app;
    h->loops[0] = loop;
    memset(&info, 0, sizeof(info));
    info.port = o->port;
    info.iface = strcmp(o->host, "0.0.0.0") == 0 ? NULL : o->host;
    info.protocols = protocols;
    info.user = h;
    info.foreign_loops = h->loops;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
    info.alpn = "http/1.1";
    info.timeout_secs = 30;
    /* Read whole TLS records (16 KiB): with smaller reads the rest of a record
     * waits inside OpenSSL, the socket is not readable, and lws 4.1 on libuv
     * stalls the request body until the client gives up. */
    info.pt_serv_buf_size = 32768;
    info.vhost_name = "konsil";
    info.pcontext = &h->ctx; /* lws clears it when the destroy has completed */
    if (o->tls) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = o->cert_path;
        info.ssl_private_key_filepath = o->key_path;
    }
    lws_set_log_level(LLL_ERR, lws_log_emit);
    h->ctx = lws_create_context(&info);
    if (h->ctx == NULL) {
        free(h);
        return KN_EIO;
    }
    *out = h;
    return 0;
}

static int load_pair(SSL_CTX *ctx, const char *cert_path, const char *key_path) {
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
        return KN_ECRYPTO;
    return 0;
}

int kn_httpd_reload_tls(kn_httpd *h, const char *cert_path, const char *key_path) {
    if (h->ssl_ctx == NULL)
        return KN_ESTATE;
    SSL_CTX *scratch = SSL_CTX_new(TLS_server_method());
    if (scratch == NULL)
        return KN_ENOMEM;
    int rc = load_pair(scratch, cert_path, key_path);
    SSL_CTX_free(scratch);
    if (rc == 0)
        rc = load_pair(h->ssl_ctx, cert_path, key_path);
    ERR_clear_error();
    return rc;
}

void kn_httpd_destroy(kn_httpd *h) {
    if (h->ctx != NULL)
        lws_context_destroy(h->ctx);
}

void kn_httpd_free(kn_httpd *h) {
    if (h == NULL)
        return;
    if (h->ctx != NULL) /* second stage after the loop ran (foreign-loop destroy) */
        lws_context_destroy(h->ctx);
    free(h);
}
