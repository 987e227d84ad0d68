/*
 * tcp.h: passive ICE-TCP (RFC 6544, tcptype passive) on the media port number,
 * with RFC 4571 framing (2-byte length before every packet). A connection is
 * unauthenticated until its owner binds it (after a STUN check with valid
 * MESSAGE-INTEGRITY): unauthenticated connections are limited in number and
 * closed after KN_TCP_AUTH_TIMEOUT_MS, frames above KN_TCP_MAX_FRAME close the
 * connection. Each connection has two fixed 64 KiB output buffers (one being
 * written, one filling); a full buffer drops and counts, nothing blocks. A read
 * error, EOF or failed write closes the connection and reports a bound one lost.
 * Media loop only;
 * allocates once per accepted connection.
 */
#ifndef KN_TCP_H
#define KN_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/pktbuf.h"

#define KN_TCP_MAX_UNAUTH       32
#define KN_TCP_AUTH_TIMEOUT_MS  5000
#define KN_TCP_MAX_FRAME        KN_MTU
#define KN_TCP_OUTBUF           65536

typedef struct kn_tcp kn_tcp;
typedef struct kn_tcp_conn kn_tcp_conn;

/* One received frame; `data` may be modified in place up to `cap` bytes. */
typedef void (*kn_tcp_frame_fn)(void *arg, kn_tcp_conn *c, uint8_t *data, size_t len,
                                size_t cap);
/* A bound connection closed (peer gone or error); `owner` is what kn_tcp_bind set. */
typedef void (*kn_tcp_lost_fn)(void *arg, kn_tcp_conn *c, void *owner);

struct kn_tcp_conn {
    uv_tcp_t handle;
    uv_timer_t timer;
    kn_tcp *server;
    kn_tcp_conn *next;
    struct sockaddr_storage peer;
    void *owner; /* NULL while unauthenticated */
    bool closing, writing;
    int pending_close;
    size_t in_len;
    uint8_t in[2 + KN_PKTBUF_SLOT];
    uint8_t out[2][KN_TCP_OUTBUF];
    size_t out_len[2];
    int filling; /* index of the buffer frames are appended to */
    uv_write_t wreq;
    uint64_t dropped;
};

struct kn_tcp {
    uv_tcp_t listener;
    uv_loop_t *loop;
    kn_tcp_conn *conns;
    unsigned n_unauth;
    kn_tcp_frame_fn on_frame;
    kn_tcp_lost_fn on_lost;
    void *arg;
    uint64_t rejected, oversize;
    bool listening;
    int pending_close;
    void (*close_cb)(kn_tcp *t);
};

/* Listens on ip:port. Returns 0, KN_EINVAL, KN_EIO. */
int kn_tcp_init(kn_tcp *t, uv_loop_t *loop, const char *ip, uint16_t port, kn_tcp_frame_fn fn,
                kn_tcp_lost_fn lost, void *arg);
/* Marks c authenticated for `owner`. */
void kn_tcp_bind(kn_tcp_conn *c, void *owner);
/* Queues one framed packet. Returns 0 or KN_ELIMIT (dropped, counted). */
int kn_tcp_send(kn_tcp_conn *c, const uint8_t *p, size_t len);
/* Closes one connection without calling on_lost. */
void kn_tcp_conn_close(kn_tcp_conn *c);
/* Closes every connection bound to `owner` without calling on_lost (the owner is
 * going away, so no connection may keep a pointer to it). */
void kn_tcp_close_owner(kn_tcp *t, void *owner);
/* Closes the listener and all connections; cb runs when everything is closed. */
void kn_tcp_close(kn_tcp *t, void (*cb)(kn_tcp *t));

#endif
