/*
 * sfu_client.c: the control-API connection (unix pipe or TCP) with reconnect
 * backoff, a FIFO of pending requests matched by id, and the auth line for
 * TCP. Signaling loop only. Each connection attempt owns a heap `conn` freed in
 * its close callback (libuv handle rule).
 */
#include "ctl/sfu_client.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "ctl/ctl_msg.h"

#define MAX_PENDING  1024
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 2000

typedef struct pending {
    struct pending *next;
    int64_t id;
    kn_sfuctl_cb cb;
    void *arg;
} pending;

typedef struct conn {
    union {
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h;
    uv_connect_t req;
    kn_sfuctl *owner; /* NULL once the owner dropped this connection */
    kn_ctl_framer framer;
} conn;

struct kn_sfuctl {
    uv_loop_t *loop;
    uv_timer_t retry;
    bool is_tcp, up, closing;
    char path[512];
    struct sockaddr_storage addr;
    char secret[256];
    kn_sfuctl_hooks hooks;
    conn *cur;
    pending *head, *tail;
    unsigned n_pending, retry_ms;
    int64_t next_id;
    void (*done)(void *arg);
    void *done_arg;
};

static void connect_now(kn_sfuctl *c);

static void on_retry_timer(uv_timer_t *t) {
    connect_now(t->data);
}

static int parse_address(kn_sfuctl *c, const char *address) {
    if (strncmp(address, "unix:", 5) == 0) {
        if (address[5] == '\0' || strlen(address + 5) >= sizeof(c->path))
            return KN_EINVAL;
        strcpy(c->path, address + 5);
        return 0;
    }
    if (strncmp(address, "tcp:", 4) != 0)
        return KN_EINVAL;
    const char *host = address + 4, *colon = strrchr(host, ':');
    char h[64];
    size_t hl = colon ? (size_t)(colon - host) : 0;
    if (colon == NULL || hl == 0 || hl >= sizeof(h))
        return KN_EINVAL;
    int port = atoi(colon + 1);
    if (port <= 0 || port > 65535)
        return KN_EINVAL;
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memcpy(h, host + 1, hl - 2);
        h[hl - 2] = '\0';
    } else {
        memcpy(h, host, hl);
        h[hl] = '\0';
    }
    c->is_tcp = true;
    if (uv_ip4_addr(h, port, (struct sockaddr_in *)&c->addr) == 0 ||
        uv_ip6_addr(h, port, (struct sockaddr_in6 *)&c->addr) == 0)
        return 0;
    return KN_EINVAL;
}

static void fail_pending(kn_sfuctl *c) {
    pending *p = c->head;
    c->head = c->tail = NULL;
    c->n_pending = 0;
    while (p != NULL) {
        pending *next = p->next;
        if (p->cb)
            p->cb(p->arg, KN_EIO, NULL, "sfu connection lost");
        free(p);
        p = next;
    }
}

static void on_conn_closed(uv_handle_t *h) {
    free(h->data);
}

static void drop_conn(kn_sfuctl *c) {
    conn *k = c->cur;
    bool was_up = c->up;
    if (k == NULL)
        return;
    c->cur = NULL;
    c->up = false;
    k->owner = NULL;
    uv_close((uv_handle_t *)&k->h, on_conn_closed);
    fail_pending(c);
    if (was_up && c->hooks.on_state)
        c->hooks.on_state(c->hooks.arg, false);
    if (!c->closing) {
        uv_timer_start(&c->retry, on_retry_timer, c->retry_ms, 0);
        c->retry_ms = c->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : c->retry_ms * 2;
    }
}

static void on_response(kn_sfuctl *c, kn_ctl_msg *m) {
    pending **pp = &c->head, *prev = NULL;
    while (*pp != NULL && (*pp)->id != m->id) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    pending *p = *pp;
    if (p == NULL) {
        KN_LOG_WARN("sfuctl", "response for unknown id %lld", (long long)m->id);
        return;
    }
    *pp = p->next;
    if (c->tail == p)
        c->tail = prev;
    c->n_pending--;
    if (p->cb != NULL && m->result != NULL)
        p->cb(p->arg, 0, m->result, NULL);
    else if (p->cb != NULL)
        p->cb(p->arg, kn_ctl_code_to_err(m->err_code), NULL, m->err_message);
    free(p);
}

static int on_line(void *arg, const uint8_t *line, size_t len) {
    kn_sfuctl *c = arg;
    kn_ctl_msg m;
    if (kn_ctl_msg_parse(line, len, &m) != 0) {
        KN_LOG_WARN("sfuctl", "unparsable line from sfu (%zu bytes)", len);
        return 0;
    }
    if (m.type == KN_CTL_RESPONSE)
        on_response(c, &m);
    else if (c->hooks.on_event)
        c->hooks.on_event(c->hooks.arg, m.event, m.params);
    kn_ctl_msg_free(&m);
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    static char slab[65536]; /* one loop, consumed before the next read */
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(slab, sizeof(slab));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    conn *k = s->data;
    if (k->owner == NULL || n == 0)
        return;
    kn_sfuctl *c = k->owner;
    if (n < 0) {
        KN_LOG_WARN("sfuctl", "sfu connection closed: %s", uv_strerror((int)n));
        drop_conn(c);
        return;
    }
    if (kn_ctl_framer_push(&k->framer, (const uint8_t *)buf->base, (size_t)n, on_line, c) != 0) {
        KN_LOG_WARN("sfuctl", "line from sfu over 64 KiB; reconnecting");
        drop_conn(c);
    }
}

static void on_write(uv_write_t *w, int status) {
    (void)status;
    free(w);
}

static int send_line(kn_sfuctl *c, json_t *msg) {
    char *text = json_dumps(msg, JSON_COMPACT);
    size_t len = text ? strlen(text) : 0;
    uv_write_t *w = text ? malloc(sizeof(*w) + len + 1) : NULL;
    if (w == NULL) {
        free(text);
        return KN_ENOMEM;
    }
    char *line = (char *)(w + 1);
    memcpy(line, text, len);
    line[len] = '\n';
    free(text);
    uv_buf_t b = uv_buf_init(line, (unsigned)len + 1);
    if (uv_write(w, &c->cur->h.stream, &b, 1, on_write) != 0) {
        free(w);
        return KN_EIO;
    }
    return 0;
}

static int send_request(kn_sfuctl *c, const char *method, json_t *params, kn_sfuctl_cb cb,
                        void *arg) {
    if (c->n_pending >= MAX_PENDING) {
        json_decref(params);
        return KN_ELIMIT;
    }
    pending *p = calloc(1, sizeof(*p));
    json_t *msg = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)c->next_id, "method", method,
                            "params", params ? params : json_object());
    int rc = p && msg ? send_line(c, msg) : KN_ENOMEM;
    json_decref(msg);
    if (rc != 0) {
        free(p);
        return rc;
    }
    p->id = c->next_id++;
    p->cb = cb;
    p->arg = arg;
    if (c->tail)
        c->tail->next = p;
    else
        c->head = p;
    c->tail = p;
    c->n_pending++;
    return 0;
}

static void on_info(void *arg, int rc, json_t *result, const char *message) {
    kn_sfuctl *c = arg;
    if (rc != 0) {
        KN_LOG_WARN("sfuctl", "sfu.info failed: %s (%s)", kn_strerror(rc), message ? message : "");
        if (rc != KN_EIO)
            drop_conn(c);
        return;
    }
    c->up = true;
    c->retry_ms = RETRY_MIN_MS;
    const char *version = json_string_value(json_object_get(result, "version"));
    KN_LOG_INFO("sfuctl", "connected to konsil-sfu %s", version ? version : "?");
    if (c->hooks.on_state)
        c->hooks.on_state(c->hooks.arg, true);
}

/* The connection counts as up only once the SFU answered sfu.info, so a
 * wrong TCP secret (the SFU hangs up) never reports a healthy link. */
static void on_connect(uv_connect_t *req, int status) {
    conn *k = req->data;
    kn_sfuctl *c = k->owner;
    int rc = 0;
    if (c == NULL)
        return;
    if (status != 0 || uv_read_start(&k->h.stream, on_alloc, on_read) != 0) {
        drop_conn(c);
        return;
    }
    if (c->is_tcp) {
        json_t *auth = json_pack("{s:s, s:{s:s}}", "method", "auth", "params", "secret", c->secret);
        rc = auth ? send_line(c, auth) : KN_ENOMEM;
        json_decref(auth);
    }
    if (rc == 0)
        rc = send_request(c, "sfu.info", NULL, on_info, c);
    if (rc != 0)
        drop_conn(c);
}

static void connect_now(kn_sfuctl *c) {
    conn *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        uv_timer_start(&c->retry, on_retry_timer, RETRY_MAX_MS, 0);
        return;
    }
    k->owner = c;
    k->req.data = k;
    k->h.stream.data = k;
    c->cur = k;
    if (c->is_tcp) {
        uv_tcp_init(c->loop, &k->h.tcp);
        if (uv_tcp_connect(&k->req, &k->h.tcp, (struct sockaddr *)&c->addr, on_connect) != 0)
            drop_conn(c);
    } else {
        uv_pipe_init(c->loop, &k->h.pipe, 0);
        uv_pipe_connect(&k->req, &k->h.pipe, c->path, on_connect);
    }
}

int kn_sfuctl_create(uv_loop_t *loop, const char *address, const char *secret,
                     const kn_sfuctl_hooks *hooks, kn_sfuctl **out) {
    kn_sfuctl *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return KN_ENOMEM;
    if (parse_address(c, address) != 0 || (secret && strlen(secret) >= sizeof(c->secret))) {
        free(c);
        return KN_EINVAL;
    }
    if (secret)
        strcpy(c->secret, secret);
    c->loop = loop;
    c->hooks = *hooks;
    c->retry_ms = RETRY_MIN_MS;
    c->next_id = 1;
    uv_timer_init(loop, &c->retry);
    c->retry.data = c;
    connect_now(c);
    *out = c;
    return 0;
}

int kn_sfuctl_request(kn_sfuctl *c, const char *method, json_t *params, kn_sfuctl_cb cb,
                      void *arg) {
    if (!c->up) {
        json_decref(params);
        return KN_ESTATE;
    }
    return send_request(c, method, params, cb, arg);
}

bool kn_sfuctl_up(const kn_sfuctl *c) {
    return c->up;
}

static void on_retry_closed(uv_handle_t *h) {
    kn_sfuctl *c = h->data;
    void (*done)(void *) = c->done;
    void *arg = c->done_arg;
    free(c);
    if (done)
        done(arg);
}

void kn_sfuctl_destroy(kn_sfuctl *c, void (*done)(void *arg), void *arg) {
    c->closing = true;
    c->done = done;
    c->done_arg = arg;
    uv_timer_stop(&c->retry);
    drop_conn(c);
    uv_close((uv_handle_t *)&c->retry, on_retry_closed);
}
