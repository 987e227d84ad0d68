/*
 * udp.h: the SFU's one UDP socket. Receives with UV_UDP_RECVMMSG into a
 * 20 x 64 KiB buffer (libuv 1.44.2 reads buf.len / 65536 datagrams per call)
 * and hands each datagram to a callback synchronously. Sends are queued into
 * fixed slots and flushed with one sendmmsg() per batch on the socket fd;
 * EAGAIN or a full queue drops and counts, nothing blocks. Media loop only;
 * allocates only in kn_udp_init().
 */
#ifndef KN_UDP_H
#define KN_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "net/pktbuf.h"

#define KN_UDP_RECV_DGRAMS 20
#define KN_UDP_QUEUE       256
/* Requested SO_RCVBUF / SO_SNDBUF of the media socket, in bytes. */
#define KN_UDP_SOCKET_BUFFER (8 * 1024 * 1024)

typedef struct kn_udp kn_udp;

/* Called once per datagram; `data` may be modified in place (up to `cap` bytes). */
typedef void (*kn_udp_recv_fn)(void *arg, const struct sockaddr *from, uint8_t *data,
                               size_t len, size_t cap);
/* Called after each receive batch, before the queue is flushed. */
typedef void (*kn_udp_batch_fn)(void *arg);

typedef struct kn_udp_stats {
    uint64_t rx_datagrams, rx_truncated, rx_errors;
    uint64_t tx_datagrams, tx_bytes, tx_dropped_full, tx_dropped_again, tx_errors;
} kn_udp_stats;

struct kn_udp {
    uv_udp_t handle;
    uv_check_t check; /* flushes what timers and control requests queued */
    kn_udp_recv_fn on_recv;
    kn_udp_batch_fn on_batch;
    void *arg;
    uint8_t *rxbuf; /* KN_UDP_RECV_DGRAMS * 65536 bytes */
    uint8_t (*txbuf)[KN_PKTBUF_SLOT];
    struct sockaddr_storage txaddr[KN_UDP_QUEUE];
    size_t txlen[KN_UDP_QUEUE];
    unsigned txcount;
    kn_udp_stats stats;
    int closing, pending_close;
    void (*close_cb)(kn_udp *u);
};

/* Binds ip:port (port 0 picks one). Returns 0, KN_EINVAL (bad ip), KN_ENOMEM, or KN_EIO;
 * after KN_EIO the handles are closing: run the loop before freeing `u`. */
int kn_udp_init(kn_udp *u, uv_loop_t *loop, const char *ip, uint16_t port, kn_udp_recv_fn fn,
                kn_udp_batch_fn batch_fn, void *arg);
/* Actual bound port. */
uint16_t kn_udp_port(const kn_udp *u);
/*
 * Reserves the next send slot: returns a buffer of KN_PKTBUF_SLOT bytes to write
 * a datagram into, or NULL when the queue is full (counted; the caller drops).
 * kn_udp_commit() queues it for `to`.
 */
uint8_t *kn_udp_reserve(kn_udp *u);
void kn_udp_commit(kn_udp *u, size_t len, const struct sockaddr *to);
/* Sends everything queued with sendmmsg(); drops the rest on EAGAIN. */
void kn_udp_flush(kn_udp *u);
/* Flushes, closes both handles and frees the buffers; `cb` (may be NULL) runs when
 * both handles are closed. */
void kn_udp_close(kn_udp *u, void (*cb)(kn_udp *u));

#endif
