/*
 * fwd_micro.c: ns per forwarded packet of the SFU hot path on fixed fixtures:
 * one SRTP packet in → unprotect → K × (copy, rewrite SSRC/seq/timestamp in place, protect,
 * queue) → sendmmsg on loopback to K UDP sockets. Uses the project's kn_srtp_session (the
 * libsrtp2 build the SFU links) and the real kernel send path. Timed with
 * CLOCK_THREAD_CPUTIME_ID around the forwarding only; receivers are drained between
 * batches outside the timed region. Prints a markdown table of medians [best] over runs.
 * A benchmark, not a test (not registered in ctest); bench/micro/run.sh pins and records it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "srtp/srtp_session.h"

#define MAX_K 50
#define BATCH 32                /* input packets per batch (one recvmmsg worth) */
#define SLOT (12 + 1200 + KN_SRTP_MAX_TRAILER)
#define RUNS 7
#define FWD_PER_RUN 24000       /* forwarded packets per run */
#define MAX_INPUT (FWD_PER_RUN + BATCH)
#define MMSG_MAX 64

typedef struct bench {
    kn_srtp_profile profile;
    size_t payload;
    int k;
    int send; /* 0: crypto and copy only */
    kn_srtp_session publisher; /* protects the fixtures, as a browser would */
    kn_srtp_session ingress;   /* SFU side of the publisher */
    kn_srtp_session subs[MAX_K];
    int rx[MAX_K];
    struct sockaddr_in rx_addr[MAX_K];
    int tx;
    uint8_t (*input)[SLOT]; /* protected fixtures, one per input packet */
    size_t *input_len;
    size_t n_input;
} bench;

static uint8_t out_slots[MMSG_MAX][SLOT];
static struct mmsghdr mmsg[MMSG_MAX];
static struct iovec iov[MMSG_MAX];
static size_t n_out;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void make_keys(kn_srtp_profile p, uint8_t seed, kn_srtp_keys *k) {
    memset(k, 0, sizeof(*k));
    k->profile = p;
    k->key_salt_len = kn_srtp_profile_key_salt_len(p);
    for (size_t i = 0; i < k->key_salt_len; i++) {
        k->local[i] = (uint8_t)(seed + i * 3);
        k->remote[i] = (uint8_t)(seed + i * 5 + 1);
    }
}

static void swap_keys(kn_srtp_keys *k) {
    uint8_t t[KN_SRTP_MAX_KEY_SALT];
    memcpy(t, k->local, sizeof(t));
    memcpy(k->local, k->remote, sizeof(t));
    memcpy(k->remote, t, sizeof(t));
}

static void open_sockets(bench *b) {
    socklen_t alen = sizeof(struct sockaddr_in);
    int big = 4 << 20;

    if ((b->tx = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
        die("socket");
    setsockopt(b->tx, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    for (int i = 0; i < b->k; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if ((b->rx[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0)
            die("socket");
        setsockopt(b->rx[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
        if (bind(b->rx[i], (struct sockaddr *)&a, sizeof(a)) != 0 ||
            getsockname(b->rx[i], (struct sockaddr *)&b->rx_addr[i], &alen) != 0)
            die("bind");
    }
}

/* Fixtures: RTP header (V=2, PT 96, consecutive seq) + constant payload, protected with
 * the publisher's key, exactly as they would arrive. */
static void make_input(bench *b, size_t n) {
    kn_srtp_keys k;

    make_keys(b->profile, 7, &k);
    if (kn_srtp_session_init(&b->publisher, &k) != 0)
        die("publisher session");
    b->input = calloc(n, SLOT);
    b->input_len = calloc(n, sizeof(size_t));
    if (b->input == NULL || b->input_len == NULL)
        die("calloc");
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = b->input[i];
        p[0] = 0x80;
        p[1] = 96;
        kn_put_u16(p + 2, (uint16_t)(1000 + i));
        kn_put_u32(p + 4, (uint32_t)(90000 + 3000 * (i / 4)));
        kn_put_u32(p + 8, 0x11223344);
        memset(p + 12, 0xa5, b->payload);
        b->input_len[i] = 12 + b->payload;
        if (kn_srtp_session_protect_rtp(&b->publisher, p, &b->input_len[i], SLOT) != 0)
            die("protect fixture");
    }
    b->n_input = n;
}

static void open_sessions(bench *b) {
    kn_srtp_keys k;

    make_keys(b->profile, 7, &k);
    swap_keys(&k); /* the SFU's remote key is the publisher's local one */
    if (kn_srtp_session_init(&b->ingress, &k) != 0)
        die("ingress session");
    for (int i = 0; i < b->k; i++) {
        make_keys(b->profile, (uint8_t)(40 + i), &k);
        if (kn_srtp_session_init(&b->subs[i], &k) != 0)
            die("subscriber session");
    }
}

static void close_all(bench *b) {
    kn_srtp_session_close(&b->publisher);
    kn_srtp_session_close(&b->ingress);
    for (int i = 0; i < b->k; i++) {
        kn_srtp_session_close(&b->subs[i]);
        close(b->rx[i]);
    }
    close(b->tx);
    free(b->input);
    free(b->input_len);
}

static void flush(bench *b) {
    size_t off = 0;
    while (off < n_out) {
        int r = sendmmsg(b->tx, mmsg + off, (unsigned)(n_out - off), 0);
        if (r < 0 && errno != EINTR)
            die("sendmmsg");
        off += r > 0 ? (size_t)r : 0;
    }
    n_out = 0;
}

/* The forwarding path for one input packet (buffer `in` is unprotected in place). */
static void forward_one(bench *b, uint8_t *in, size_t len, uint32_t idx) {
    if (kn_srtp_session_unprotect_rtp(&b->ingress, in, &len) != 0)
        die("unprotect");
    for (int i = 0; i < b->k; i++) {
        uint8_t *o = out_slots[n_out];
        size_t olen = len;
        memcpy(o, in, len);
        kn_put_u16(o + 2, (uint16_t)(500 + idx)); /* per-subscriber seq map */
        kn_put_u32(o + 4, kn_get_u32(in + 4) + 12345u);
        kn_put_u32(o + 8, 0xc0de0000u + (uint32_t)i);
        if (kn_srtp_session_protect_rtp(&b->subs[i], o, &olen, SLOT) != 0)
            die("protect");
        iov[n_out].iov_base = o;
        iov[n_out].iov_len = olen;
        mmsg[n_out].msg_hdr.msg_name = &b->rx_addr[i];
        if (++n_out == MMSG_MAX) {
            if (b->send)
                flush(b);
            n_out = 0;
        }
    }
}

static void drain(bench *b) {
    static uint8_t sink[2048];
    for (int i = 0; i < b->k; i++)
        while (recv(b->rx[i], sink, sizeof(sink), 0) > 0)
            ;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One run: fresh ingress/subscriber sessions, every fixture forwarded once. */
static double run_once(bench *b) {
    static uint8_t work[BATCH][SLOT];
    double total = 0;

    open_sessions(b);
    for (size_t base = 0; base < b->n_input; base += BATCH) {
        size_t n = b->n_input - base < BATCH ? b->n_input - base : BATCH;
        for (size_t j = 0; j < n; j++) /* the recvmmsg copy, untimed */
            memcpy(work[j], b->input[base + j], b->input_len[base + j]);
        double t0 = now_ns();
        for (size_t j = 0; j < n; j++)
            forward_one(b, work[j], b->input_len[base + j], (uint32_t)(base + j));
        if (b->send)
            flush(b);
        n_out = 0;
        total += now_ns() - t0;
        if (b->send)
            drain(b);
    }
    kn_srtp_session_close(&b->ingress);
    for (int i = 0; i < b->k; i++)
        kn_srtp_session_close(&b->subs[i]);
    return total / ((double)b->n_input * b->k);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void measure(kn_srtp_profile profile, size_t payload, int k, double med[2],
                    double best[2]) {
    for (int send = 0; send < 2; send++) {
        bench b = {.profile = profile, .payload = payload, .k = k, .send = send};
        double r[RUNS];
        size_t inputs = ((FWD_PER_RUN / (size_t)k) / BATCH + 1) * BATCH;

        open_sockets(&b);
        make_input(&b, inputs);
        run_once(&b); /* warm-up: caches, socket buffers, libsrtp stream clones */
        for (int i = 0; i < RUNS; i++)
            r[i] = run_once(&b);
        qsort(r, RUNS, sizeof(r[0]), cmp_double);
        med[send] = r[RUNS / 2];
        best[send] = r[0];
        close_all(&b);
    }
}

int main(void) {
    static const kn_srtp_profile profiles[] = {KN_SRTP_AEAD_AES_128_GCM,
                                               KN_SRTP_AES128_CM_SHA1_80};
    static const size_t payloads[] = {1200, 100};
    static const int ks[] = {1, 8, 50};

    if (kn_srtp_global_init() != 0)
        die("srtp_init");
    for (int i = 0; i < MMSG_MAX; i++) {
        mmsg[i].msg_hdr.msg_iov = &iov[i];
        mmsg[i].msg_hdr.msg_iovlen = 1;
        mmsg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    }
    printf("libsrtp2: %s; %d runs, %d forwarded packets per run, CLOCK_THREAD_CPUTIME_ID\n\n",
           kn_srtp_backend(), RUNS, FWD_PER_RUN);
    printf("| profile | payload B | K | ns/fwd pkt, crypto+copy median [best] "
           "| ns/fwd pkt, + sendmmsg median [best] | fwd pkt/s per core (median) |\n");
    printf("|---|---|---|---|---|---|\n");
    for (size_t p = 0; p < 2; p++)
        for (size_t s = 0; s < 2; s++)
            for (size_t j = 0; j < 3; j++) {
                double med[2], best[2];
                measure(profiles[p], payloads[s], ks[j], med, best);
                printf("| %s | %zu | %d | %.0f [%.0f] | %.0f [%.0f] | %.0fk |\n",
                       kn_srtp_profile_name(profiles[p]), payloads[s], ks[j], med[0], best[0],
                       med[1], best[1], 1e6 / med[1]);
                fflush(stdout);
            }
    return 0;
}
