/*
 * tcp.c: ICE-TCP listener, RFC 4571 deframing and double-buffered framed
 * writes. The close of a connection waits for both its handles.
 */
#include "net/tcp.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/err.h"

static void tcp_maybe_done(kn_tcp *t) {
    if (t->pending_close == 0 && t->close_cb != NULL) {
        void (*cb)(kn_tcp *) = t->close_cb;
        t->close_cb = NULL;
        cb(t);
    }
}

static void conn_on_closed(uv_handle_t *h) {
    kn_tcp_conn *c = h->data;
    if (--c->pending_close > 0)
        return;
    kn_tcp *t = c->server;
    free(c);
    t->pending_close--;
    tcp_maybe_done(t);
}

static void conn_unlink(kn_tcp_conn *c) {
    kn_tcp_conn **pp = &c->server->conns;
    while (*pp != NULL && *pp != c)
        pp = &(*pp)->next;
    if (*pp == c)
        *pp = c->next;
}

void kn_tcp_conn_close(kn_tcp_conn *c) {
    if (c->closing)
        return;
    c->closing = true;
    if (c->owner == NULL)
        c->server->n_unauth--;
    conn_unlink(c);
    c->server->pending_close++;
    c->pending_close = 2;
    uv_close((uv_handle_t *)&c->handle, conn_on_closed);
    uv_close((uv_handle_t *)&c->timer, conn_on_closed);
}

static void conn_lost(kn_tcp_conn *c) {
    void *owner = c->owner;
    kn_tcp *t = c->server;
    kn_tcp_conn_close(c);
    if (owner != NULL && t->on_lost != NULL)
        t->on_lost(t->arg, c, owner);
}

static void conn_on_timeout(uv_timer_t *timer) {
    kn_tcp_conn *c = timer->data;
    if (c->owner == NULL)
        kn_tcp_conn_close(c);
}

static void conn_on_failed(uv_timer_t *timer) {
    conn_lost(timer->data);
}

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    kn_tcp_conn *c = h->data;
    (void)hint;
    buf->base = (char *)c->in + c->in_len;
    buf->len = sizeof(c->in) - c->in_len;
}

/* Delivers every complete frame in c->in; returns false if c was closed. */
static bool conn_deframe(kn_tcp_conn *c) {
    size_t off = 0;
    while (c->in_len - off >= 2) {
        size_t flen = kn_get_u16(c->in + off);
        if (flen == 0 || flen > KN_TCP_MAX_FRAME) {
            c->server->oversize++;
            conn_lost(c);
            return false;
        }
        if (c->in_len - off - 2 < flen)
            break;
        /* Move the frame to the start; it is handled in place (unprotect only shrinks). */
        memmove(c->in, c->in + off + 2, c->in_len - off - 2);
        c->in_len -= off + 2;
        off = 0;
        c->server->on_frame(c->server->arg, c, c->in, flen, flen);
        if (c->closing)
            return false;
        memmove(c->in, c->in + flen, c->in_len - flen);
        c->in_len -= flen;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return true;
}

static void conn_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    kn_tcp_conn *c = s->data;
    (void)buf;
    if (n < 0) {
        conn_lost(c);
        return;
    }
    c->in_len += (size_t)n;
    conn_deframe(c);
}

static void on_connection(uv_stream_t *l, int status) {
    kn_tcp *t = l->data;
    if (status < 0)
        return;
    kn_tcp_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    c->server = t;
    uv_tcp_init(t->loop, &c->handle);
    uv_timer_init(t->loop, &c->timer);
    c->handle.data = c;
    c->timer.data = c;
    c->next = t->conns;
    t->conns = c;
    t->n_unauth++;
    int len = sizeof(c->peer);
    /* Accept before checking the limit: libuv stops watching the listener until the
     * pending connection is accepted, so refusing by not accepting would stall it. */
    if (uv_accept(l, (uv_stream_t *)&c->handle) != 0 || t->n_unauth > KN_TCP_MAX_UNAUTH ||
        uv_tcp_getpeername(&c->handle, (struct sockaddr *)&c->peer, &len) != 0 ||
        uv_read_start((uv_stream_t *)&c->handle, conn_alloc, conn_on_read) != 0) {
        t->rejected++;
        kn_tcp_conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->handle, 1);
    uv_timer_start(&c->timer, conn_on_timeout, KN_TCP_AUTH_TIMEOUT_MS, 0);
}

int kn_tcp_init(kn_tcp *t, uv_loop_t *loop, const char *ip, uint16_t port, kn_tcp_frame_fn fn,
                kn_tcp_lost_fn lost, void *arg) {
    struct sockaddr_storage ss;
    memset(t, 0, sizeof(*t));
    t->loop = loop;
    t->on_frame = fn;
    t->on_lost = lost;
    t->arg = arg;
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
        return KN_EINVAL;
    uv_tcp_init(loop, &t->listener);
    t->listener.data = t;
    t->listening = true;
    if (uv_tcp_bind(&t->listener, (struct sockaddr *)&ss, 0) != 0 ||
        uv_listen((uv_stream_t *)&t->listener, 64, on_connection) != 0)
        return KN_EIO;
    return 0;
}

void kn_tcp_bind(kn_tcp_conn *c, void *owner) {
    if (c->owner == NULL && owner != NULL) {
        c->server->n_unauth--;
        uv_timer_stop(&c->timer);
    }
    c->owner = owner;
}

static void conn_flush(kn_tcp_conn *c);

static void conn_on_written(uv_write_t *req, int status) {
    kn_tcp_conn *c = req->data;
    c->writing = false;
    c->out_len[1 - c->filling] = 0;
    if (c->closing)
        return; /* UV_ECANCELED from uv_close; the connection is going away */
    if (status < 0) {
        conn_lost(c);
        return;
    }
    conn_flush(c);
}

static void conn_flush(kn_tcp_conn *c) {
    if (c->writing || c->closing || c->out_len[c->filling] == 0)
        return;
    int w = c->filling;
    c->filling = 1 - w;
    uv_buf_t b = uv_buf_init((char *)c->out[w], (unsigned)c->out_len[w]);
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->handle, &b, 1, conn_on_written) == 0) {
        c->writing = true;
        return;
    }
    c->out_len[w] = 0;
    /* Report the loss from the loop, not from inside the sender's call chain. */
    uv_timer_start(&c->timer, conn_on_failed, 0, 0);
}

int kn_tcp_send(kn_tcp_conn *c, const uint8_t *p, size_t len) {
    int f = c->filling;
    if (c->closing || len > 0xffff || c->out_len[f] + 2 + len > KN_TCP_OUTBUF) {
        c->dropped++;
        return KN_ELIMIT;
    }
    kn_put_u16(c->out[f] + c->out_len[f], (uint16_t)len);
    memcpy(c->out[f] + c->out_len[f] + 2, p, len);
    c->out_len[f] += 2 + len;
    conn_flush(c);
    return 0;
}

void kn_tcp_close_owner(kn_tcp *t, void *owner) {
    kn_tcp_conn *c = t->conns;
    while (c != NULL) {
        kn_tcp_conn *next = c->next;
        if (c->owner == owner)
            kn_tcp_conn_close(c);
        c = next;
    }
}

static void listener_on_closed(uv_handle_t *h) {
    kn_tcp *t = h->data;
    t->pending_close--;
    tcp_maybe_done(t);
}

void kn_tcp_close(kn_tcp *t, void (*cb)(kn_tcp *t)) {
    t->close_cb = cb;
    while (t->conns != NULL)
        kn_tcp_conn_close(t->conns);
    if (t->listening) {
        t->listening = false;
        t->pending_close++;
        uv_close((uv_handle_t *)&t->listener, listener_on_closed);
    }
    tcp_maybe_done(t);
}
