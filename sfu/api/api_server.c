/*
 * api_server.c: listener, per-client line framing, first-line authentication
 * for TCP, response and event writes. Requests are answered synchronously, so
 * responses leave in request order.
 */
#include "api/api_server.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

struct kn_api_client {
    union {
        uv_pipe_t pipe;
        uv_tcp_t tcp;
        uv_stream_t stream;
    } h;
    kn_api_server *server;
    kn_api_client *next;
    int authed;
    int closing;
    size_t len;
    char buf[KN_API_MAX_LINE];
};

typedef struct write_req {
    uv_write_t req;
    char data[];
} write_req;

static void client_unlink(kn_api_client *c) {
    kn_api_client **pp = &c->server->clients;
    while (*pp != NULL && *pp != c)
        pp = &(*pp)->next;
    if (*pp == c)
        *pp = c->next;
}

static void server_maybe_done(kn_api_server *s) {
    if (s->pending_closes == 0 && s->close_cb != NULL) {
        void (*cb)(kn_api_server *) = s->close_cb;
        s->close_cb = NULL;
        cb(s);
    }
}

static void client_on_closed(uv_handle_t *h) {
    kn_api_client *c = h->data;
    kn_api_server *s = c->server;
    free(c);
    s->pending_closes--;
    server_maybe_done(s);
}

static void client_close(kn_api_client *c) {
    if (c->closing)
        return;
    c->closing = 1;
    client_unlink(c);
    c->server->pending_closes++;
    uv_close((uv_handle_t *)&c->h, client_on_closed);
}

static void on_written(uv_write_t *req, int status) {
    (void)status;
    free(req);
}

static void client_send(kn_api_client *c, json_t *msg) {
    char *text = json_dumps(msg, JSON_COMPACT);
    if (text == NULL)
        return;
    size_t n = strlen(text);
    write_req *w = malloc(sizeof(*w) + n + 1);
    if (w != NULL) {
        memcpy(w->data, text, n);
        w->data[n] = '\n';
        uv_buf_t b = uv_buf_init(w->data, (unsigned)(n + 1));
        if (uv_write(&w->req, &c->h.stream, &b, 1, on_written) != 0)
            free(w);
    }
    free(text);
}

static int check_auth(kn_api_client *c, json_t *req) {
    const char *method = json_string_value(json_object_get(req, "method"));
    json_t *params = json_object_get(req, "params");
    const char *secret = json_string_value(json_object_get(params, "secret"));
    size_t n = secret ? strlen(secret) : 0;
    if (method == NULL || strcmp(method, "auth") != 0 || secret == NULL ||
        n != strlen(c->server->secret) || CRYPTO_memcmp(secret, c->server->secret, n) != 0)
        return KN_EAUTH;
    return 0;
}

static void handle_line(kn_api_client *c, const char *line, size_t len) {
    json_error_t err;
    json_t *req = json_loadb(line, len, 0, &err);
    if (!c->authed) {
        if (req == NULL || check_auth(c, req) != 0) {
            json_decref(req);
            client_close(c);
            return;
        }
        c->authed = 1;
        json_t *id = json_object_get(req, "id");
        if (id != NULL) { /* answered like any request when it carries an id */
            json_t *resp = json_pack("{s:O,s:{}}", "id", id, "result");
            client_send(c, resp);
            json_decref(resp);
        }
        json_decref(req);
        return;
    }
    json_t *resp;
    if (req == NULL || !json_is_object(req)) {
        resp = json_pack("{s:n,s:{s:s,s:s}}", "id", "error", "code", "invalid", "message",
                         "request is not a JSON object");
    } else {
        resp = c->server->dispatch(c->server->arg, req);
    }
    if (resp != NULL)
        client_send(c, resp);
    json_decref(resp);
    json_decref(req);
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    kn_api_client *c = h->data;
    (void)hint;
    buf->base = c->buf + c->len;
    buf->len = sizeof(c->buf) - c->len;
}

static void client_on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf) {
    kn_api_client *c = st->data;
    (void)buf;
    if (n < 0) {
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    size_t start = 0;
    for (size_t i = c->len - (size_t)n; i < c->len && !c->closing; i++) {
        if (c->buf[i] != '\n')
            continue;
        if (i > start)
            handle_line(c, c->buf + start, i - start);
        start = i + 1;
    }
    if (c->closing)
        return;
    memmove(c->buf, c->buf + start, c->len - start);
    c->len -= start;
    if (c->len == sizeof(c->buf)) /* a line longer than 64 KiB closes the connection */
        client_close(c);
}

static void on_connection(uv_stream_t *listener, int status) {
    kn_api_server *s = listener->data;
    if (status < 0)
        return;
    kn_api_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    c->server = s;
    c->authed = !s->is_tcp;
    if (s->is_tcp)
        uv_tcp_init(s->loop, &c->h.tcp);
    else
        uv_pipe_init(s->loop, &c->h.pipe, 0);
    c->h.stream.data = c;
    c->next = s->clients;
    s->clients = c;
    if (uv_accept(listener, &c->h.stream) != 0 ||
        uv_read_start(&c->h.stream, client_alloc, client_on_read) != 0)
        client_close(c);
}

static int listen_unix(kn_api_server *s, const char *path) {
    if (strlen(path) >= sizeof(s->path))
        return KN_EINVAL;
    snprintf(s->path, sizeof(s->path), "%s", path);
    unlink(path); /* a stale socket from a crashed run */
    uv_pipe_init(s->loop, &s->listener.pipe, 0);
    s->listener.pipe.data = s;
    mode_t old = umask(0077); /* the socket file is created 0600 */
    int rc = uv_pipe_bind(&s->listener.pipe, path);
    umask(old);
    if (rc == 0)
        chmod(path, 0600);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener.pipe, 16, on_connection);
    return rc == 0 ? 0 : KN_EIO;
}

static int listen_tcp(kn_api_server *s, const char *hostport) {
    char host[128];
    const char *colon = strrchr(hostport, ':');
    struct sockaddr_storage ss;
    if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host))
        return KN_EINVAL;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    int port = atoi(colon + 1);
    if (port <= 0 || port > 65535)
        return KN_EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)
        return KN_EINVAL;
    s->is_tcp = 1;
    uv_tcp_init(s->loop, &s->listener.tcp);
    s->listener.tcp.data = s;
    if (uv_tcp_bind(&s->listener.tcp, (struct sockaddr *)&ss, 0) != 0 ||
        uv_listen((uv_stream_t *)&s->listener.tcp, 16, on_connection) != 0)
        return KN_EIO;
    return 0;
}

int kn_api_server_init(kn_api_server *s, uv_loop_t *loop, const char *spec, const char *secret,
                       kn_api_dispatch_fn dispatch, void *arg) {
    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->dispatch = dispatch;
    s->arg = arg;
    if (strncmp(spec, "unix:", 5) == 0)
        return listen_unix(s, spec + 5);
    if (strncmp(spec, "tcp:", 4) != 0 || secret == NULL || secret[0] == '\0' ||
        strlen(secret) >= sizeof(s->secret))
        return KN_EINVAL;
    snprintf(s->secret, sizeof(s->secret), "%s", secret);
    return listen_tcp(s, spec + 4);
}

void kn_api_server_emit(kn_api_server *s, const char *name, json_t *params) {
    json_t *ev = json_pack("{s:s,s:o}", "event", name, "params", params);
    for (kn_api_client *c = s->clients; c != NULL; c = c->next)
        if (c->authed && !c->closing)
            client_send(c, ev);
    json_decref(ev);
}

static void listener_on_closed(uv_handle_t *h) {
    kn_api_server *s = h->data;
    s->pending_closes--;
    if (!s->is_tcp && s->path[0] != '\0')
        unlink(s->path);
    server_maybe_done(s);
}

void kn_api_server_close(kn_api_server *s, void (*cb)(kn_api_server *s)) {
    s->close_cb = cb;
    while (s->clients != NULL)
        client_close(s->clients);
    if (s->listener.tcp.loop != NULL && !uv_is_closing((uv_handle_t *)&s->listener.tcp)) {
        s->pending_closes++;
        uv_close((uv_handle_t *)&s->listener.tcp, listener_on_closed);
    } else {
        server_maybe_done(s);
    }
}
