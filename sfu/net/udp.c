/*
 * udp.c: recvmmsg batches via libuv (UV_UDP_RECVMMSG) and sendmmsg batches on
 * the raw fd. The receive buffer is one static region reused for every batch:
 * datagrams are handled synchronously inside the recv callback.
 */
#include "net/udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/log.h"

#define RXBUF_LEN (KN_UDP_RECV_DGRAMS * 65536)

static kn_log_limit tx_err_limit;

static void udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    kn_udp *u = h->data;
    (void)hint;
    buf->base = (char *)u->rxbuf;
    buf->len = RXBUF_LEN;
}

static void udp_on_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
                        unsigned flags) {
    kn_udp *u = h->data;
    if (n < 0) {
        u->stats.rx_errors++;
        return;
    }
    if (n > 0 && from != NULL) {
        if (flags & UV_UDP_PARTIAL) {
            u->stats.rx_truncated++;
            return;
        }
        u->stats.rx_datagrams++;
        /* Each datagram owns a 64 KiB chunk, so in-place growth (SRTP) is safe. */
        u->on_recv(u->arg, from, (uint8_t *)buf->base, (size_t)n, 65536);
    }
    /* The last callback of a batch (or a lone recvmsg) ends the batch. */
    if ((flags & UV_UDP_MMSG_CHUNK) == 0) {
        if (u->on_batch != NULL)
            u->on_batch(u->arg);
        kn_udp_flush(u);
    }
}

static void udp_on_check(uv_check_t *c) {
    kn_udp_flush(c->data);
}

/*
 * A fan-out burst arrives faster than one loop turn drains it; the 208 KiB
 * default receive buffer overflowed at 40 three-person rooms (RcvbufErrors).
 * SO_*BUFFORCE passes net.core.[rw]mem_max when we have CAP_NET_ADMIN; without
 * it the plain option gives what the sysctl allows.
 */
static void set_socket_buffers(kn_udp *u) {
    uv_os_fd_t fd;
    int size = KN_UDP_SOCKET_BUFFER;
    if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
        return;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int kn_udp_init(kn_udp *u, uv_loop_t *loop, const char *ip, uint16_t port, kn_udp_recv_fn fn,
                kn_udp_batch_fn batch_fn, void *arg) {
    struct sockaddr_storage ss;
    memset(u, 0, sizeof(*u));
    u->on_recv = fn;
    u->on_batch = batch_fn;
    u->arg = arg;
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss) != 0)
        return KN_EINVAL;
    u->rxbuf = malloc(RXBUF_LEN);
    u->txbuf = malloc(sizeof(*u->txbuf) * KN_UDP_QUEUE);
    if (u->rxbuf == NULL || u->txbuf == NULL)
        goto fail;
    if (uv_udp_init_ex(loop, &u->handle, AF_UNSPEC | UV_UDP_RECVMMSG) != 0)
        goto fail;
    u->handle.data = u;
    uv_check_init(loop, &u->check);
    u->check.data = u;
    if (uv_udp_bind(&u->handle, (struct sockaddr *)&ss, 0) != 0 ||
        uv_udp_recv_start(&u->handle, udp_alloc, udp_on_recv) != 0) {
        kn_udp_close(u, NULL);
        return KN_EIO;
    }
    set_socket_buffers(u);
    uv_check_start(&u->check, udp_on_check);
    return 0;
fail:
    free(u->rxbuf);
    free(u->txbuf);
    u->rxbuf = NULL;
    u->txbuf = NULL;
    return KN_ENOMEM;
}

uint16_t kn_udp_port(const kn_udp *u) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_udp_getsockname(&u->handle, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

uint8_t *kn_udp_reserve(kn_udp *u) {
    if (u->txcount == KN_UDP_QUEUE)
        kn_udp_flush(u);
    if (u->txcount == KN_UDP_QUEUE) {
        u->stats.tx_dropped_full++;
        return NULL;
    }
    return u->txbuf[u->txcount];
}

void kn_udp_commit(kn_udp *u, size_t len, const struct sockaddr *to) {
    size_t alen = to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                            : sizeof(struct sockaddr_in);
    memcpy(&u->txaddr[u->txcount], to, alen);
    u->txlen[u->txcount] = len;
    u->txcount++;
}

void kn_udp_flush(kn_udp *u) {
    struct mmsghdr msgs[KN_UDP_QUEUE];
    struct iovec iov[KN_UDP_QUEUE];
    uv_os_fd_t fd;
    unsigned sent = 0;

    if (u->txcount == 0 || u->closing || uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
        return;
    for (unsigned i = 0; i < u->txcount; i++) {
        iov[i].iov_base = u->txbuf[i];
        iov[i].iov_len = u->txlen[i];
        memset(&msgs[i], 0, sizeof(msgs[i]));
        msgs[i].msg_hdr.msg_name = &u->txaddr[i];
        msgs[i].msg_hdr.msg_namelen = u->txaddr[i].ss_family == AF_INET6
                                          ? sizeof(struct sockaddr_in6)
                                          : sizeof(struct sockaddr_in);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    while (sent < u->txcount) {
        int n = sendmmsg(fd, msgs + sent, u->txcount - sent, MSG_DONTWAIT);
        if (n > 0) {
            for (int i = 0; i < n; i++)
                u->stats.tx_bytes += u->txlen[sent + (unsigned)i];
            u->stats.tx_datagrams += (uint64_t)n;
            sent += (unsigned)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            u->stats.tx_dropped_again += u->txcount - sent;
            break;
        }
        /* One bad destination (e.g. EPERM, unreachable) must not stall the rest. */
        kn_log_ratelimited(&tx_err_limit, KN_LOG_WARN, "udp", "sendmmsg: %s", strerror(errno));
        u->stats.tx_errors++;
        sent++;
    }
    u->txcount = 0;
}

static void udp_on_closed(uv_handle_t *h) {
    kn_udp *u = h->data;
    if (--u->pending_close > 0)
        return;
    free(u->rxbuf);
    free(u->txbuf);
    u->rxbuf = NULL;
    u->txbuf = NULL;
    if (u->close_cb != NULL)
        u->close_cb(u);
}

void kn_udp_close(kn_udp *u, void (*cb)(kn_udp *u)) {
    kn_udp_flush(u);
    u->closing = 1;
    u->close_cb = cb;
    u->pending_close = 2;
    uv_close((uv_handle_t *)&u->handle, udp_on_closed);
    uv_close((uv_handle_t *)&u->check, udp_on_closed);
}
