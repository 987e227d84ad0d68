/*
 * peer.c: a load generator peer's transport: UDP socket, ICE checks as the
 * controlling agent (nominating with USE-CANDIDATE on every check, as an
 * ICE-lite server expects) or, when the server offered, as the controlled one
 * (answering the server's checks, waiting for its nomination), DTLS-SRTP, the first-byte demux (RFC 7983) and the
 * timer work. Media and RTCP live in peer_tx.c (publisher) and peer_rx.c
 * (subscriber). Libuv loop only.
 */
#include "peer.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "ice/stun.h"
#include "peer_rx.h"
#include "peer_tx.h"
#include "rtp/rtp.h"

#define ICE_CHECK_US 50000      /* until the first success */
#define ICE_CONSENT_US 2000000  /* afterwards (RFC 7675 consent, more often than 5 s) */
#define ICE_PRIORITY 1853824767u /* peer-reflexive, RFC 8445 §5.1.2.1 */

#define RX_BATCH 32 /* datagrams per recvmmsg */
#define RX_ROUNDS 8 /* recvmmsg calls per readiness event: other peers get their turn */

static uint8_t rx_buf[RX_BATCH][2048];
static struct mmsghdr rx_msg[RX_BATCH];
static struct iovec rx_iov[RX_BATCH];
static struct sockaddr_in rx_from[RX_BATCH];
static union {
    char buf[CMSG_SPACE(sizeof(struct timespec))];
    struct cmsghdr align;
} rx_ctl[RX_BATCH];
kn_peer_stalls kn_peer_stall;
static kn_log_limit log_limit;

uint64_t kn_peer_now_us(void) {
    return uv_hrtime() / 1000;
}

static void random_token(char *out, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t r[32];
    RAND_bytes(r, (int)n);
    for (size_t i = 0; i < n; i++)
        out[i] = tab[r[i] & 63];
    out[n] = '\0';
}

static uint32_t random_u32(void) {
    uint32_t v;
    RAND_bytes((uint8_t *)&v, sizeof(v));
    return v;
}

int kn_peer_init(kn_peer *p, const kn_peer_cfg *cfg, unsigned idx, bool publisher) {
    memset(p, 0, sizeof(*p));
    p->idx = idx;
    p->publisher = publisher;
    random_token(p->ufrag, 8);
    random_token(p->pwd, 24);
    RAND_bytes((uint8_t *)&p->tie_breaker, sizeof(p->tie_breaker));
    p->rtcp_ssrc = random_u32();
    p->udp.data = p;
    if (uv_udp_init(cfg->loop, &p->udp) != 0)
        return KN_EIO;
    p->local.sin_family = AF_INET;
    inet_pton(AF_INET, cfg->local_ip, &p->local.sin_addr);
    int len = sizeof(p->local);
    if (uv_udp_bind(&p->udp, (const struct sockaddr *)&p->local, 0) != 0 ||
        uv_udp_getsockname(&p->udp, (struct sockaddr *)&p->local, &len) != 0)
        return KN_EIO;
    int buf = 4 << 20, on = 1;
    uv_os_fd_t fd;
    uv_recv_buffer_size((uv_handle_t *)&p->udp, &buf);
    /* Kernel receive timestamps: latency is taken when a packet reached our socket,
     * not when this loop got round to it (lat.h). */
    if (uv_fileno((uv_handle_t *)&p->udp, &fd) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0 ||
        uv_poll_init(cfg->loop, &p->poll, fd) != 0)
        return KN_EIO;
    p->poll.data = p;
    p->poll_init = true;
    p->verify_sample = publisher ? 0 : cfg->verify_sample;
    p->pace = publisher ? cfg->pace : 0;
    if (publisher)
        return kn_peer_tx_init(p, cfg->clip, cfg->n_layers);
    if ((p->lat = calloc(1, sizeof(*p->lat))) == NULL)
        return KN_ENOMEM;
    return 0;
}

static void send_raw(kn_peer *p, const uint8_t *b, size_t len) {
    uv_buf_t ub = uv_buf_init((char *)b, (unsigned)len);
    if (uv_udp_try_send(&p->udp, &ub, 1, (const struct sockaddr *)&p->remote) == (int)len) {
        p->c.pkts_out++;
        p->c.bytes_out += len;
    }
}

void kn_peer_send_srtp(kn_peer *p, uint8_t *buf, size_t len, size_t cap, bool rtcp) {
    int rc = rtcp ? kn_srtp_session_protect_rtcp(&p->srtp, buf, &len, cap)
                  : kn_srtp_session_protect_rtp(&p->srtp, buf, &len, cap);
    if (rc != 0) {
        p->c.srtp_errors++;
        return;
    }
    send_raw(p, buf, len);
}

static void dtls_send(void *arg, const uint8_t *b, size_t len) {
    send_raw(arg, b, len);
}

static void dtls_state(void *arg, kn_dtls_state st) {
    kn_peer *p = arg;
    kn_srtp_keys keys;
    if (st == KN_DTLS_FAILED || st == KN_DTLS_CLOSED) {
        kn_log(KN_LOG_WARN, "loadgen", "peer %u: DTLS %s (%s)", p->idx, kn_dtls_state_name(st),
               kn_strerror(p->dtls.error));
        p->failed = true;
        return;
    }
    if (st != KN_DTLS_CONNECTED || kn_dtls_srtp_keys(&p->dtls, &keys) != 0)
        return;
    if (kn_srtp_session_init(&p->srtp, &keys) != 0) {
        p->failed = true;
        return;
    }
    p->media_ok = true;
    p->connected_us = kn_peer_now_us();
    if (p->publisher)
        kn_peer_tx_start(p, p->connected_us);
}


static void send_check(kn_peer *p) {
    char user[300];
    uint8_t buf[600];
    size_t n;
    int ul = snprintf(user, sizeof(user), "%s:%s", p->ans.ufrag, p->ufrag);
    RAND_bytes(p->tid, sizeof(p->tid));
    kn_stun_request req = {.tid = p->tid, .username = user, .username_len = (size_t)ul,
                           .priority = ICE_PRIORITY, .controlling = !p->ice_controlled,
                           .tie_breaker = p->tie_breaker, .use_candidate = !p->ice_controlled};
    if (kn_stun_write_request(&req, (const uint8_t *)p->ans.pwd, strlen(p->ans.pwd), buf,
                              sizeof(buf), &n) == 0)
        send_raw(p, buf, n);
}

/* ICE is done for us when our check succeeded and, in the controlled role, the
 * controlling server has nominated the pair (RFC 8445 §7.3.1.5, §8.1.1). */
static void ice_progress(kn_peer *p) {
    if (p->ice_done || !p->check_ok || (p->ice_controlled && !p->nominated))
        return;
    p->ice_done = true;
    if (kn_dtls_start(&p->dtls) != 0)
        p->failed = true;
}

/* A full-ICE server checks us too (RFC 8445 §7.3): answer with our password. */
static void on_stun_request(kn_peer *p, const uint8_t *b, size_t len, const kn_stun *m,
                            const struct sockaddr *from) {
    uint8_t out[600];
    size_t n, ul = strlen(p->ufrag);
    const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
    if (from == NULL || from->sa_family != AF_INET || !m->has_username ||
        m->username_len <= ul || memcmp(b + m->username_off, p->ufrag, ul) != 0 ||
        b[m->username_off + ul] != ':' ||
        kn_stun_check_integrity(b, len, m, (const uint8_t *)p->pwd, strlen(p->pwd)) != 0)
        return;
    kn_stun_addr a = {.family = 1, .port = ntohs(sin->sin_port)};
    memcpy(a.addr, &sin->sin_addr, 4);
    if (kn_stun_write_success(b + m->tid_off, &a, (const uint8_t *)p->pwd, strlen(p->pwd), out,
                              sizeof(out), &n) == 0)
        send_raw(p, out, n);
    if (m->use_candidate)
        p->nominated = true;
    ice_progress(p);
}

static void on_stun(kn_peer *p, const uint8_t *b, size_t len, const struct sockaddr *from) {
    kn_stun m;
    if (kn_stun_parse(b, len, &m) != 0 || kn_stun_check_fingerprint(b, len, &m) != 0)
        return;
    if (m.type == KN_STUN_BINDING_REQUEST) {
        on_stun_request(p, b, len, &m, from);
        return;
    }
    if (m.type != KN_STUN_BINDING_SUCCESS || memcmp(b + m.tid_off, p->tid, sizeof(p->tid)) != 0 ||
        kn_stun_check_integrity(b, len, &m, (const uint8_t *)p->ans.pwd, strlen(p->ans.pwd)) != 0)
        return;
    p->check_ok = true;
    ice_progress(p);
}

static void on_dtls(kn_peer *p, const uint8_t *b, size_t len) {
    if (p->dtls_init && kn_dtls_on_record(&p->dtls, b, len) == KN_EAUTH)
        p->failed = true;
}

/* --verify-sample N: true for an RTP packet that is only counted from its clear
 * header (every N-th is unprotected; RTX always, its OSN is encrypted). */
static bool skip_unprotect(kn_peer *p, const uint8_t *b, size_t len) {
    if (p->verify_sample <= 1 || len < 12 || (p->ans.rtx_pt >= 0 && (b[1] & 0x7f) == p->ans.rtx_pt))
        return false;
    return p->rtp_seen++ % p->verify_sample != 0;
}

static void on_srtp(kn_peer *p, uint8_t *b, size_t len, uint64_t now) {
    if (!p->media_ok)
        return;
    bool rtcp = kn_rtp_is_rtcp(b, len);
    if (!rtcp && skip_unprotect(p, b, len)) {
        kn_peer_rx_on_rtp_clear(p, b, len, now);
        return;
    }
    int rc = rtcp ? kn_srtp_session_unprotect_rtcp(&p->srtp, b, &len)
                  : kn_srtp_session_unprotect_rtp(&p->srtp, b, &len);
    if (rc != 0) {
        p->c.srtp_errors++;
        return;
    }
    if (rtcp)
        p->publisher ? kn_peer_tx_on_rtcp(p, b, len, now) : kn_peer_rx_on_rtcp(p, b, len, now);
    else if (!p->publisher)
        kn_peer_rx_on_rtp(p, b, len, now);
}

static void on_datagram(kn_peer *p, uint8_t *d, size_t n, const struct sockaddr *from,
                        uint64_t now) {
    p->c.pkts_in++;
    p->c.bytes_in += n;
    uint8_t first = d[0];
    if (first < 4)
        on_stun(p, d, n, from);
    else if (first >= 20 && first < 64)
        on_dtls(p, d, n);
    else if (first >= 128 && first < 192)
        on_srtp(p, d, n, now);
}

/* The datagram's kernel receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) on our
 * monotonic clock; `fallback` when the kernel gave none. */
static uint64_t rx_time(struct msghdr *h, int64_t real_minus_mono_ns, uint64_t fallback) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - real_minus_mono_ns;
            return ns > 0 && (uint64_t)ns / 1000 <= fallback ? (uint64_t)ns / 1000 : fallback;
        }
    return fallback;
}

static int64_t real_minus_mono_ns(void) {
    struct timespec r, m;
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &m);
    return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

/* Readable: up to RX_ROUNDS recvmmsg batches of RX_BATCH datagrams. Packets are
 * handled synchronously, so one static set of buffers serves every peer. */
static void poll_cb(uv_poll_t *h, int status, int events) {
    kn_peer *p = h->data;
    uv_os_fd_t fd;
    if (status < 0 || !(events & UV_READABLE) || uv_fileno((uv_handle_t *)&p->udp, &fd) != 0)
        return;
    int64_t off = real_minus_mono_ns();
    for (int round = 0; round < RX_ROUNDS; round++) {
        for (unsigned i = 0; i < RX_BATCH; i++) {
            rx_iov[i] = (struct iovec){rx_buf[i], sizeof(rx_buf[i])};
            rx_msg[i].msg_hdr = (struct msghdr){.msg_name = &rx_from[i],
                                                .msg_namelen = sizeof(rx_from[i]),
                                                .msg_iov = &rx_iov[i], .msg_iovlen = 1,
                                                .msg_control = rx_ctl[i].buf,
                                                .msg_controllen = sizeof(rx_ctl[i].buf)};
        }
        int n = recvmmsg(fd, rx_msg, RX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return; /* EAGAIN (drained) or an error the next readiness shows again */
        uint64_t now = kn_peer_now_us();
        for (int i = 0; i < n && !p->failed; i++)
            if (rx_msg[i].msg_len > 0 && !(rx_msg[i].msg_hdr.msg_flags & MSG_TRUNC))
                on_datagram(p, rx_buf[i], rx_msg[i].msg_len,
                            (const struct sockaddr *)&rx_from[i],
                            rx_time(&rx_msg[i].msg_hdr, off, now));
        if (n < RX_BATCH)
            return;
    }
}

int kn_peer_on_answer(kn_peer *p, const kn_peer_cfg *cfg, const kn_answer *ans) {
    p->ans = *ans;
    p->remote = ans->cand;
    kn_dtls_role role = strcmp(ans->setup, "active") == 0 ? KN_DTLS_SERVER : KN_DTLS_CLIENT;
    int rc = kn_dtls_init(&p->dtls, cfg->dtls_ctx, role, ans->fp_alg, ans->fp, dtls_send, p);
    if (rc != 0)
        return rc;
    p->dtls_init = true;
    kn_dtls_set_state_cb(&p->dtls, dtls_state);
    p->start_us = kn_peer_now_us();
    if (uv_poll_start(&p->poll, UV_READABLE, poll_cb) != 0)
        return KN_EIO;
    return 0;
}

static void tick_dtls(kn_peer *p) {
    kn_dtls_state st = kn_dtls_state_get(&p->dtls);
    if (st != KN_DTLS_HANDSHAKING)
        return;
    if (kn_dtls_timeout_ms(&p->dtls) == 0 && kn_dtls_on_timeout(&p->dtls) != 0) {
        kn_log_ratelimited(&log_limit, KN_LOG_WARN, "loadgen", "peer %u: DTLS gave up", p->idx);
        p->failed = true;
    }
}

void kn_peer_tick(kn_peer *p, uint64_t now) {
    if (!p->dtls_init || p->failed)
        return;
    if (now >= p->next_check_us) {
        send_check(p);
        p->next_check_us = now + (p->ice_done ? ICE_CONSENT_US : ICE_CHECK_US);
    }
    tick_dtls(p);
    if (!p->media_ok)
        return;
    if (p->publisher)
        kn_peer_tx_tick(p, now);
    else
        kn_peer_rx_tick(p, now);
}

void kn_peer_window_start(kn_peer *p) {
    p->in_window = true;
    p->window_start_us = kn_peer_now_us();
    if (!p->publisher)
        kn_peer_rx_window_start(p);
}

void kn_peer_window_end(kn_peer *p, uint64_t now) {
    if (!p->publisher && p->in_window)
        kn_peer_rx_window_end(p, now);
    p->in_window = false;
}

void kn_peer_close(kn_peer *p) {
    if (p->dtls_init)
        kn_dtls_close(&p->dtls);
    p->dtls_init = false;
    kn_srtp_session_close(&p->srtp);
    kn_peer_tx_free(p);
    free(p->lat);
    p->lat = NULL;
    if (p->poll_init && !uv_is_closing((uv_handle_t *)&p->poll))
        uv_close((uv_handle_t *)&p->poll, NULL); /* before the socket it watches */
    if (p->udp.loop && !uv_is_closing((uv_handle_t *)&p->udp))
        uv_close((uv_handle_t *)&p->udp, NULL);
}
