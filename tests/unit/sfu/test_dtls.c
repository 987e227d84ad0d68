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
        cmocka_unit_test(init_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
