/*
 * test_dtls.c: DTLS-SRTP handshakes between two kn_dtls in memory (dtls/dtls.c). Each
 * side's send callback queues datagrams that the test delivers to the other side, so a
 * test can lose, duplicate, reorder or fragment flights. Checks states, the negotiated
 * SRTP profile, mirrored keys (that open each other's SRTP), fingerprint checks,
 * retransmission timers, alerts and garbage input.
 * KONSIL_DTLS_CORPUS_DIR=dir writes the captured ClientHello there (fuzz seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "dtls/dtls.h"

#define MAX_QUEUE 64
#define MAX_DGRAM 1600

typedef struct dgram {
    size_t len;
    uint8_t b[MAX_DGRAM];
} dgram;

typedef struct side {
    kn_dtls d;
    dgram q[MAX_QUEUE]; /* datagrams sent, not yet delivered */
    size_t nq;
    size_t max_len; /* largest datagram sent */
    size_t sent;
    kn_dtls_state states[8]; /* state callback history */
    size_t nstates;
} side;

enum { DELIVER_PLAIN = 0, DELIVER_TWICE = 1, DELIVER_REVERSED = 2 };

static kn_dtls_ctx *ctx_a, *ctx_b; /* shared by tests that do not change them */
static side srv, cli;

static void on_send(void *arg, const uint8_t *p, size_t len) {
    side *s = arg;
    assert_true(len > 0 && len <= KN_DTLS_MTU);
    if (len > s->max_len)
        s->max_len = len;
    s->sent++;
    assert_true(s->nq < MAX_QUEUE);
    memcpy(s->q[s->nq].b, p, len);
    s->q[s->nq++].len = len;
}

static void on_state(void *arg, kn_dtls_state st) {
    side *s = arg;
    if (s->nstates < sizeof(s->states) / sizeof(s->states[0]))
        s->states[s->nstates++] = st;
}

static int group_setup(void **state) {
    (void)state;
    if (kn_srtp_global_init() != 0)
        return -1;
    return kn_dtls_ctx_create(&ctx_a) == 0 && kn_dtls_ctx_create(&ctx_b) == 0 ? 0 : -1;
}

static int group_teardown(void **state) {
    (void)state;
    kn_dtls_ctx_destroy(ctx_a);
    kn_dtls_ctx_destroy(ctx_b);
    return 0;
}

static void side_init(side *s, kn_dtls_ctx *own, kn_dtls_ctx *remote, kn_dtls_role role) {
    memset(s, 0, sizeof(*s));
    assert_int_equal(kn_dtls_init(&s->d, own, role, "sha-256", kn_dtls_ctx_fingerprint(remote),
                                  on_send, s),
                     0);
    kn_dtls_set_state_cb(&s->d, on_state);
}

/* Server uses ctx s, client ctx c; each expects the other's real fingerprint. */
static void pair_init(kn_dtls_ctx *s, kn_dtls_ctx *c) {
    side_init(&srv, s, c, KN_DTLS_SERVER);
    side_init(&cli, c, s, KN_DTLS_CLIENT);
}

static int teardown(void **state) {
    (void)state;
    kn_dtls_close(&srv.d);
    kn_dtls_close(&cli.d);
    return 0;
}

/* Hands every queued datagram of `from` to `to`; returns how many were delivered. */
static size_t deliver(side *from, side *to, int mode) {
    static dgram batch[MAX_QUEUE];
    size_t n = from->nq;

    memcpy(batch, from->q, n * sizeof(batch[0]));
    from->nq = 0;
    for (size_t k = 0; k < n; k++) {
        const dgram *g = &batch[mode & DELIVER_REVERSED ? n - 1 - k : k];
        kn_dtls_on_record(&to->d, g->b, g->len);
        if (mode & DELIVER_TWICE)
            kn_dtls_on_record(&to->d, g->b, g->len);
    }
    return n;
}

static void pump(int mode) {
    for (int round = 0; round < 20; round++)
        if (deliver(&cli, &srv, mode) + deliver(&srv, &cli, mode) == 0)
            return;
}

static void expect_connected_pair(kn_srtp_profile profile) {
    kn_srtp_keys ks, kc;

    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_CONNECTED);
    assert_int_equal(kn_dtls_state_get(&cli.d), KN_DTLS_CONNECTED);
    assert_int_equal(kn_dtls_srtp_keys(&srv.d, &ks), 0);
    assert_int_equal(kn_dtls_srtp_keys(&cli.d, &kc), 0);
    assert_int_equal(ks.profile, profile);
    assert_int_equal(kc.profile, profile);
    assert_int_equal(ks.key_salt_len, kn_srtp_profile_key_salt_len(profile));
    assert_int_equal(kc.key_salt_len, ks.key_salt_len);
    assert_memory_equal(kc.local, ks.remote, ks.key_salt_len);
    assert_memory_equal(kc.remote, ks.local, ks.key_salt_len);
    assert_memory_not_equal(ks.local, ks.remote, ks.key_salt_len);
    assert_string_equal(kn_dtls_srtp_profile_name(&srv.d), kn_srtp_profile_name(profile));
    assert_int_equal(kn_dtls_timeout_ms(&srv.d), -1);
    assert_int_equal(kn_dtls_timeout_ms(&cli.d), -1);
}

static void write_corpus(const char *name, const dgram *g) {
    const char *dir = getenv("KONSIL_DTLS_CORPUS_DIR");
    char path[512];
    FILE *f;

    if (dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "wb")) != NULL) {
        fwrite(g->b, 1, g->len, f);
        fclose(f);
    }
}

static void handshake_completes_with_gcm(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_state_get(&cli.d), KN_DTLS_NEW);
    assert_int_equal(kn_dtls_timeout_ms(&cli.d), -1);
    assert_int_equal(kn_dtls_srtp_keys(&cli.d, &(kn_srtp_keys){0}), KN_ESTATE);
    assert_string_equal(kn_dtls_srtp_profile_name(&cli.d), "none");
    assert_int_equal(kn_dtls_start(&srv.d), 0); /* server: waits */
    assert_int_equal(srv.nq, 0);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    assert_int_equal(kn_dtls_start(&cli.d), KN_ESTATE);
    assert_int_equal(cli.nq, 1); /* ClientHello */
    assert_int_equal(cli.q[0].b[0], 22); /* handshake record (RFC 7983: 20..63) */
    assert_int_equal(cli.q[0].b[13], 1); /* ClientHello */
    write_corpus("client_hello.bin", &cli.q[0]);
    int ms = kn_dtls_timeout_ms(&cli.d);
    assert_true(ms > 0 && ms <= 400);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
    assert_int_equal(srv.nstates, 2);
    assert_int_equal(srv.states[0], KN_DTLS_HANDSHAKING);
    assert_int_equal(srv.states[1], KN_DTLS_CONNECTED);
    assert_int_equal(cli.nstates, 2);
    assert_int_equal(cli.states[1], KN_DTLS_CONNECTED);
    /* server flight 2 is packed: ServerHello..ServerHelloDone fit one datagram */
    assert_true(srv.max_len <= KN_DTLS_MTU);
}

static void exported_keys_open_each_others_srtp(void **state) {
    static const uint8_t rtp[] = {
        0x80, 0x6f, 0x00, 0x01, /* V=2 | PT=111 | seq=1 */
        0x00, 0x00, 0x03, 0xc0, /* timestamp=960 */
        0x00, 0x00, 0x30, 0x39, /* SSRC=12345 */
        0xde, 0xad, 0xbe, 0xef, /* payload */
    };
    kn_srtp_keys ks, kc;
    kn_srtp_session ss, sc;
    uint8_t buf[sizeof(rtp) + KN_SRTP_MAX_TRAILER];
    size_t len;
    (void)state;

    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    assert_int_equal(kn_dtls_srtp_keys(&srv.d, &ks), 0);
    assert_int_equal(kn_dtls_srtp_keys(&cli.d, &kc), 0);
    assert_int_equal(kn_srtp_session_init(&ss, &ks), 0);
    assert_int_equal(kn_srtp_session_init(&sc, &kc), 0);
    for (int dir = 0; dir < 2; dir++) {
        memcpy(buf, rtp, sizeof(rtp));
        len = sizeof(rtp);
        assert_int_equal(kn_srtp_session_protect_rtp(dir ? &ss : &sc, buf, &len, sizeof(buf)), 0);
        assert_int_equal(kn_srtp_session_unprotect_rtp(dir ? &sc : &ss, buf, &len), 0);
        assert_memory_equal(buf, rtp, sizeof(rtp));
    }
    kn_srtp_session_close(&ss);
    kn_srtp_session_close(&sc);
}

/* Restricts what one context offers (its SSL_CTX is otherwise ours). */
static kn_dtls_ctx *ctx_offering(const char *profiles) {
    kn_dtls_ctx *c;
    assert_int_equal(kn_dtls_ctx_create(&c), 0);
    assert_int_equal(SSL_CTX_set_tlsext_use_srtp(kn_dtls_ctx_ssl_ctx(c), profiles), 0);
    return c;
}

static void client_offering_only_cm80_gets_cm80(void **state) {
    kn_dtls_ctx *c = ctx_offering("SRTP_AES128_CM_SHA1_80");
    (void)state;

    pair_init(ctx_a, c);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AES128_CM_SHA1_80);
    teardown(NULL);
    kn_dtls_ctx_destroy(c);
}

/* Server preference: a client listing CM_80 first still gets GCM from us. */
static void server_order_wins(void **state) {
    kn_dtls_ctx *c = ctx_offering("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM");
    (void)state;

    pair_init(ctx_a, c);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
    teardown(NULL);
    kn_dtls_ctx_destroy(c);
}

/* As DTLS client towards a server preferring CM_80 (as aiortc does) we take its choice. */
static void we_as_client_accept_servers_choice(void **state) {
    kn_dtls_ctx *s = ctx_offering("SRTP_AES128_CM_SHA1_80");
    (void)state;

    pair_init(s, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AES128_CM_SHA1_80);
    teardown(NULL);
    kn_dtls_ctx_destroy(s);
}

static void no_common_srtp_profile_fails(void **state) {
    kn_dtls_ctx *c = ctx_offering("SRTP_AES128_CM_SHA1_32");
    (void)state;

    pair_init(ctx_a, c);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_FAILED);
    assert_int_equal(srv.d.error, KN_EPROTO);
    assert_int_not_equal(kn_dtls_state_get(&cli.d), KN_DTLS_CONNECTED);
    teardown(NULL);
    kn_dtls_ctx_destroy(c);
}

static const char wrong_fp[] = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                               "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

/* The client checks the server's certificate: mismatch fails it and alerts the server. */
static void client_rejects_wrong_server_fingerprint(void **state) {
    (void)state;
    side_init(&srv, ctx_a, ctx_b, KN_DTLS_SERVER);
    memset(&cli, 0, sizeof(cli));
    assert_int_equal(kn_dtls_init(&cli.d, ctx_b, KN_DTLS_CLIENT, "sha-256", wrong_fp, on_send,
                                  &cli),
                     0);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    deliver(&cli, &srv, DELIVER_PLAIN);
    assert_true(srv.nq > 0);
    size_t n = srv.nq;
    srv.nq = 0;
    int rc = 0;
    for (size_t k = 0; k < n; k++)
        if (rc == 0)
            rc = kn_dtls_on_record(&cli.d, srv.q[k].b, srv.q[k].len);
    assert_int_equal(rc, KN_EAUTH);
    assert_int_equal(kn_dtls_state_get(&cli.d), KN_DTLS_FAILED);
    assert_int_equal(kn_dtls_srtp_keys(&cli.d, &(kn_srtp_keys){0}), KN_ESTATE);
    assert_int_equal(kn_dtls_on_record(&cli.d, srv.q[0].b, srv.q[0].len), KN_ESTATE);
    assert_true(cli.nq > 0); /* the fatal alert */
    pump(DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_FAILED);
    assert_int_equal(srv.d.error, KN_EPROTO);
}

/* The server checks the client's certificate (sha-1 form this time). */
static void server_rejects_wrong_client_fingerprint(void **state) {
    (void)state;
    memset(&srv, 0, sizeof(srv));
    assert_int_equal(kn_dtls_init(&srv.d, ctx_a, KN_DTLS_SERVER, "sha-1",
                                  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
                                  on_send, &srv),
                     0);
    side_init(&cli, ctx_b, ctx_a, KN_DTLS_CLIENT);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_FAILED);
    assert_int_equal(srv.d.error, KN_EAUTH);
    assert_int_equal(kn_dtls_state_get(&cli.d), KN_DTLS_FAILED);
}

/* Waits for the retransmission timer of whichever side has one and fires it. */
static void expire_timers(void) {
    int ms_s = kn_dtls_timeout_ms(&srv.d), ms_c = kn_dtls_timeout_ms(&cli.d);
    int ms = ms_s < 0 ? ms_c : ms_c < 0 ? ms_s : (ms_s < ms_c ? ms_s : ms_c);

    assert_true(ms >= 0 && ms <= 3000);
    usleep((useconds_t)(ms + 20) * 1000);
    assert_int_equal(kn_dtls_on_timeout(&srv.d), 0);
    assert_int_equal(kn_dtls_on_timeout(&cli.d), 0);
}

/* The server's whole flight 2 is lost; the client's timer resends the ClientHello. */
static void lost_flight_is_retransmitted(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    deliver(&cli, &srv, DELIVER_PLAIN);
    assert_true(srv.nq > 0);
    srv.nq = 0; /* dropped */
    pump(DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&cli.d), KN_DTLS_HANDSHAKING);
    size_t sent_before = cli.sent;
    expire_timers();
    assert_true(cli.sent > sent_before || srv.nq > 0);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
}

/* The client's flight 3 is lost: the server has a timer too and resends flight 2. */
static void lost_client_flight_is_recovered(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    deliver(&cli, &srv, DELIVER_PLAIN);
    deliver(&srv, &cli, DELIVER_PLAIN);
    assert_true(cli.nq > 0);
    cli.nq = 0; /* Certificate..Finished dropped */
    expire_timers();
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
}

static void duplicated_and_reordered_datagrams(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_TWICE | DELIVER_REVERSED);
    if (kn_dtls_state_get(&cli.d) != KN_DTLS_CONNECTED) { /* a reordered CCS may need a resend */
        expire_timers();
        pump(DELIVER_TWICE | DELIVER_REVERSED);
    }
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
}

/* A client with a small MTU fragments its flight (Certificate) over several datagrams,
 * delivered in reverse: the server reassembles the handshake messages. */
static void fragmented_flight_is_reassembled(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(SSL_set_mtu(cli.d.ssl, 256), 256); /* returns the MTU set */
    assert_int_equal(SSL_set_mtu(srv.d.ssl, 256), 256);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    deliver(&cli, &srv, DELIVER_PLAIN);
    assert_true(srv.nq >= 3); /* flight 2 needs several 256-byte datagrams */
    pump(DELIVER_REVERSED);
    if (kn_dtls_state_get(&cli.d) != KN_DTLS_CONNECTED) {
        expire_timers();
        pump(DELIVER_REVERSED);
    }
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
    assert_true(srv.max_len <= 256);
    assert_true(cli.max_len <= 256);
}

/* Firefox sends a ClientHello too long for one datagram as two handshake fragments in two
 * records (RFC 6347 §4.2.3). Rebuilds our real ClientHello that way: fragment 1 in record
 * seq 0, fragment 2 in record seq 40 (records 1.. of the real client stay unseen), and
 * delivers the second fragment first. */
static size_t hello_fragment(const dgram *hello, size_t off, size_t n, uint8_t seq, uint8_t *out) {
    const uint8_t *rec = hello->b, *hs = hello->b + 13, *body = hello->b + 25;

    memcpy(out, rec, 11);                /* type 22 | version | epoch 0 | sequence */
    out[10] = seq;                       /* low byte of the 48-bit sequence number */
    out[11] = (uint8_t)((12 + n) >> 8);  /* record length */
    out[12] = (uint8_t)(12 + n);
    memcpy(out + 13, hs, 6);                  /* msg_type 1 | length | message_seq */
    out[19] = (uint8_t)(off >> 16);           /* fragment_offset */
    out[20] = (uint8_t)(off >> 8);
    out[21] = (uint8_t)off;
    out[22] = (uint8_t)(n >> 16);             /* fragment_length */
    out[23] = (uint8_t)(n >> 8);
    out[24] = (uint8_t)n;
    memcpy(out + 25, body + off, n);
    return 25 + n;
}

static void fragmented_client_hello_like_firefox(void **state) {
    dgram hello, frag[2];
    (void)state;

    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    assert_int_equal(cli.nq, 1);
    hello = cli.q[0];
    cli.nq = 0;
    size_t body = ((size_t)hello.b[14] << 16) | ((size_t)hello.b[15] << 8) | hello.b[16];
    assert_int_equal(hello.len, 25 + body); /* one record, one unfragmented message */
    size_t half = body / 2;
    frag[0].len = hello_fragment(&hello, 0, half, 0, frag[0].b);
    frag[1].len = hello_fragment(&hello, half, body - half, 40, frag[1].b);
    write_corpus("client_hello_frag1.bin", &frag[0]);
    write_corpus("client_hello_frag2.bin", &frag[1]);
    assert_int_equal(kn_dtls_on_record(&srv.d, frag[1].b, frag[1].len), 0);
    assert_int_equal(srv.nq, 0); /* incomplete: nothing to answer yet */
    assert_int_equal(kn_dtls_on_record(&srv.d, frag[0].b, frag[0].len), 0);
    assert_true(srv.nq > 0); /* reassembled: flight 2 sent */
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
}

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void) { /* xorshift32: a fixed, reproducible sequence */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random datagrams that start like DTLS are dropped (RFC 6347 §4.1.2.7) or fail the
 * handshake; none crashes, and a failed kn_dtls refuses further input. */
static void garbage_is_dropped_or_fails_cleanly(void **state) {
    uint8_t buf[300];
    (void)state;

    for (int i = 0; i < 200; i++) {
        side_init(&srv, ctx_a, ctx_b, KN_DTLS_SERVER);
        size_t len = 1 + rng() % sizeof(buf);
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        buf[0] = (uint8_t)(20 + buf[0] % 44);
        int rc = kn_dtls_on_record(&srv.d, buf, len);
        assert_true(rc == 0 || rc == KN_EPROTO);
        assert_int_equal(kn_dtls_state_get(&srv.d), rc == 0 ? KN_DTLS_HANDSHAKING : KN_DTLS_FAILED);
        if (rc != 0)
            assert_int_equal(kn_dtls_on_record(&srv.d, buf, len), KN_ESTATE);
        kn_dtls_close(&srv.d);
    }
}

/* A well-formed record carrying a ClientHello whose body is garbage is fatal. */
static void malformed_client_hello_fails(void **state) {
    static const uint8_t bad_hello[] = {
        0x16, 0xfe, 0xfd,                   /* handshake, DTLS 1.2 */
        0x00, 0x00,                         /* epoch 0 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* sequence 0 */
        0x00, 0x10,                         /* length 16 */
        0x01, 0x00, 0x00, 0x04,             /* ClientHello, length 4 */
        0x00, 0x00,                         /* message_seq 0 */
        0x00, 0x00, 0x00,                   /* fragment_offset 0 */
        0x00, 0x00, 0x04,                   /* fragment_length 4 */
        0xfe, 0xfd, 0x00, 0x00,             /* version, then the random is missing */
    };
    (void)state;

    side_init(&srv, ctx_a, ctx_b, KN_DTLS_SERVER);
    assert_int_equal(kn_dtls_on_record(&srv.d, bad_hello, sizeof(bad_hello)), KN_EPROTO);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_FAILED);
    assert_int_equal(srv.nq, 1); /* decode_error alert */
    assert_int_equal(srv.q[0].b[0], 21);
}

/* After the handshake: application data is read and dropped; close_notify closes. */
static void app_data_ignored_and_close_notify_closes(void **state) {
    (void)state;
    pair_init(ctx_a, ctx_b);
    assert_int_equal(kn_dtls_start(&cli.d), 0);
    pump(DELIVER_PLAIN);
    expect_connected_pair(KN_SRTP_AEAD_AES_128_GCM);
    assert_int_equal(SSL_write(cli.d.ssl, "hello", 5), 5);
    assert_int_equal(BIO_flush(SSL_get_wbio(cli.d.ssl)), 1);
    assert_int_equal(cli.nq, 1);
    assert_int_equal(cli.q[0].b[0], 23); /* application_data */
    deliver(&cli, &srv, DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_CONNECTED);
    kn_dtls_close(&cli.d);
    assert_int_equal(cli.nq, 1); /* close_notify */
    assert_int_equal(cli.q[0].b[0], 21);
    deliver(&cli, &srv, DELIVER_PLAIN);
    assert_int_equal(kn_dtls_state_get(&srv.d), KN_DTLS_CLOSED);
    assert_int_equal(srv.states[srv.nstates - 1], KN_DTLS_CLOSED);
    assert_int_equal(kn_dtls_srtp_keys(&srv.d, &(kn_srtp_keys){0}), KN_ESTATE);
}

static void init_rejects_bad_arguments(void **state) {
    kn_dtls d;
    (void)state;
    const char *fp = kn_dtls_ctx_fingerprint(ctx_a);

    assert_int_equal(kn_dtls_init(&d, ctx_a, KN_DTLS_SERVER, "md5", fp, on_send, NULL), KN_EINVAL);
    assert_int_equal(kn_dtls_init(&d, ctx_a, KN_DTLS_SERVER, "sha-256", "AB:CD", on_send, NULL),
                     KN_EINVAL);
    assert_int_equal(kn_dtls_init(&d, ctx_a, KN_DTLS_SERVER, "sha-256", fp, NULL, NULL), KN_EINVAL);
    assert_int_equal(kn_dtls_init(&d, NULL, KN_DTLS_SERVER, "sha-256", fp, on_send, NULL),
                     KN_EINVAL);
    assert_null(d.ssl);
    kn_dtls_close(&d);
    assert_int_equal(kn_dtls_state_get(&d), KN_DTLS_CLOSED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(handshake_completes_with_gcm, teardown),
        cmocka_unit_test_teardown(exported_keys_open_each_others_srtp, teardown),
        cmocka_unit_test_teardown(client_offering_only_cm80_gets_cm80, teardown),
        cmocka_unit_test_teardown(server_order_wins, teardown),
        cmocka_unit_test_teardown(we_as_client_accept_servers_choice, teardown),
        cmocka_unit_test_teardown(no_common_srtp_profile_fails, teardown),
        cmocka_unit_test_teardown(client_rejects_wrong_server_fingerprint, teardown),
        cmocka_unit_test_teardown(server_rejects_wrong_client_fingerprint, teardown),
        cmocka_unit_test_teardown(lost_flight_is_retransmitted, teardown),
        cmocka_unit_test_teardown(lost_client_flight_is_recovered, teardown),
        cmocka_unit_test_teardown(duplicated_and_reordered_datagrams, teardown),
        cmocka_unit_test_teardown(fragmented_flight_is_reassembled, teardown),
        cmocka_unit_test_teardown(fragmented_client_hello_like_firefox, teardown),
        cmocka_unit_test_teardown(garbage_is_dropped_or_fails_cleanly, teardown),
        cmocka_unit_test_teardown(malformed_client_hello_fails, teardown),
        cmocka_unit_test_teardown(app_data_ignored_and_close_notify_closes, teardown),
        cmocka_unit_test(init_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
