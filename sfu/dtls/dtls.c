/*
 * dtls.c: DTLS 1.2 handshake for DTLS-SRTP (RFC 5764, RFC 6347, RFC 8842) over OpenSSL 3.0.
 * Owns the per-peer SSL and its datagram BIO; borrows the process kn_dtls_ctx (SSL_CTX and
 * certificate). The BIO keeps datagram boundaries in both directions: a read returns the
 * one datagram kn_dtls_on_record() is feeding; writes are packed into out[] up to
 * KN_DTLS_MTU (OpenSSL asks BIO_wpending() and sizes its fragments to what is left) and
 * handed to the owner's send callback on BIO_flush(), at the end of each flight, or when the
 * next record would not fit. The peer certificate is checked against the signaled
 * fingerprint instead of a CA chain (RFC 8122 §5, RFC 8827 §6.5). Media loop only.
 */
#include "dtls/dtls.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/err.h>

#include "core/err.h"

/* RFC 5705 exporter label for DTLS-SRTP keys (RFC 5764 §4.2). */
#define SRTP_EXPORTER_LABEL "EXTRACTOR-dtls_srtp"

/* ECDHE only; ECDSA first (our certificate), RSA ones for the client role. */
#define DTLS_CIPHERS                                                                              \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"  \
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"        \
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"
#define DTLS_GROUPS "X25519:P-256:P-384"

/* IPv4 + UDP header, for OpenSSL's link-MTU arithmetic. */
#define UDP_IPV4_OVERHEAD 28

/* First retransmission after 400 ms, doubling up to 3 s (RFC 6347 §4.2.4.1 allows
 * starting lower than its 1 s suggestion; media setup wants a fast recovery). */
#define TIMER_FIRST_US 400000u
#define TIMER_MAX_US 3000000u

struct kn_dtls_ctx {
    SSL_CTX *ssl_ctx;
    BIO_METHOD *bio_method;
    kn_cert cert;
};

/* ---- datagram BIO ---------------------------------------------------------------- */

static void out_flush(kn_dtls *d) {
    if (d->out_len == 0)
        return;
    size_t n = d->out_len;
    d->out_len = 0;
    d->send(d->arg, d->out, n);
}

static int bio_write(BIO *b, const char *p, int n) {
    kn_dtls *d = BIO_get_data(b);

    if (d == NULL || n < 0)
        return -1;
    if (d->out_len + (size_t)n > sizeof(d->out))
        out_flush(d);
    if ((size_t)n > sizeof(d->out)) { /* a record larger than the MTU: its own datagram */
        d->send(d->arg, (const uint8_t *)p, (size_t)n);
        return n;
    }
    memcpy(d->out + d->out_len, p, (size_t)n);
    d->out_len += (size_t)n;
    return n;
}

static int bio_read(BIO *b, char *p, int n) {
    kn_dtls *d = BIO_get_data(b);

    BIO_clear_retry_flags(b);
    if (d == NULL || d->in_p == NULL || n < 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    /* One datagram per read; a buffer too small truncates it, as recv() on UDP does. */
    size_t len = d->in_len < (size_t)n ? d->in_len : (size_t)n;
    memcpy(p, d->in_p, len);
    d->in_p = NULL;
    d->in_len = 0;
    return (int)len;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    kn_dtls *d = BIO_get_data(b);
    (void)num;
    (void)ptr;

    switch (cmd) {
    case BIO_CTRL_FLUSH:
        if (d != NULL)
            out_flush(d);
        return 1;
    case BIO_CTRL_WPENDING:
        return d != NULL ? (long)d->out_len : 0;
    case BIO_CTRL_PENDING:
        return d != NULL && d->in_p != NULL ? (long)d->in_len : 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return KN_DTLS_MTU;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return UDP_IPV4_OVERHEAD;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT: /* our owner's timer polls DTLSv1_get_timeout() */
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    default:
        return 0;
    }
}

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *bio_method_new(void) {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kn_dtls_dgram");

    if (m == NULL)
        return NULL;
    if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
        !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create)) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

/* ---- process context ------------------------------------------------------------- */

/* Replaces chain verification: the peer's certificate is self-signed and trusted only
 * through the fingerprint signaling carried. Runs inside the handshake, so a mismatch
 * aborts it with a bad_certificate alert. */
static int verify_peer_cert(X509_STORE_CTX *store, void *arg) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    kn_dtls *d = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    (void)arg;

    if (d == NULL || leaf == NULL || kn_fingerprint_verify(&d->remote_fp, leaf) != 0) {
        if (d != NULL)
            d->error = KN_EAUTH;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    return 1;
}

static int ctx_configure(SSL_CTX *c, kn_cert *cert) {
    if (!SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION))
        return KN_ECRYPTO;
    if (!SSL_CTX_use_certificate(c, cert->x509) || !SSL_CTX_use_PrivateKey(c, cert->key) ||
        !SSL_CTX_check_private_key(c))
        return KN_ECRYPTO;
    if (!SSL_CTX_set_cipher_list(c, DTLS_CIPHERS) || !SSL_CTX_set1_groups_list(c, DTLS_GROUPS))
        return KN_ECRYPTO;
    /* Returns 0 on success, unlike most of OpenSSL. */
    if (SSL_CTX_set_tlsext_use_srtp(c, KN_DTLS_SRTP_PROFILES) != 0)
        return KN_ECRYPTO;
    SSL_CTX_set_options(c, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_cert_verify_callback(c, verify_peer_cert, NULL);
    return 0;
}

int kn_dtls_ctx_create(kn_dtls_ctx **out) {
    kn_dtls_ctx *ctx;
    int rc;

    *out = NULL;
    if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
        return KN_ENOMEM;
    if ((rc = kn_cert_generate(&ctx->cert)) != 0)
        goto fail;
    rc = KN_ENOMEM;
    if ((ctx->ssl_ctx = SSL_CTX_new(DTLS_method())) == NULL ||
        (ctx->bio_method = bio_method_new()) == NULL)
        goto fail;
    if ((rc = ctx_configure(ctx->ssl_ctx, &ctx->cert)) != 0)
        goto fail;
    *out = ctx;
    return 0;

fail:
    kn_dtls_ctx_destroy(ctx);
    ERR_clear_error();
    return rc;
}

void kn_dtls_ctx_destroy(kn_dtls_ctx *ctx) {
    if (ctx == NULL)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    BIO_meth_free(ctx->bio_method);
    kn_cert_free(&ctx->cert);
    free(ctx);
}

const char *kn_dtls_ctx_fingerprint(const kn_dtls_ctx *ctx) {
    return ctx->cert.fingerprint;
}

SSL_CTX *kn_dtls_ctx_ssl_ctx(kn_dtls_ctx *ctx) {
    return ctx->ssl_ctx;
}

/* ---- one peer -------------------------------------------------------------------- */

static unsigned int timer_next_us(SSL *ssl, unsigned int previous_us) {
    (void)ssl;
    if (previous_us == 0)
        return TIMER_FIRST_US;
    return previous_us >= TIMER_MAX_US / 2 ? TIMER_MAX_US : previous_us * 2;
}

static void set_state(kn_dtls *d, kn_dtls_state st) {
    if (d->state == st)
        return;
    d->state = st;
    if (d->on_state != NULL)
        d->on_state(d->arg, st);
}

static int fail(kn_dtls *d, int rc) {
    if (d->error == 0)
        d->error = rc;
    out_flush(d); /* the alert OpenSSL wrote, if any */
    ERR_clear_error();
    set_state(d, KN_DTLS_FAILED);
    return d->error;
}

int kn_dtls_init(kn_dtls *d, kn_dtls_ctx *ctx, kn_dtls_role role, const char *fp_alg,
                 const char *fp_value, kn_dtls_send_fn send, void *arg) {
    int rc;

    memset(d, 0, sizeof(*d));
    if (ctx == NULL || send == NULL || (role != KN_DTLS_SERVER && role != KN_DTLS_CLIENT))
        return KN_EINVAL;
    if ((rc = kn_fingerprint_parse(fp_alg, fp_value, &d->remote_fp)) != 0)
        return rc; /* nothing allocated yet */
    rc = KN_ENOMEM;
    if ((d->ssl = SSL_new(ctx->ssl_ctx)) == NULL)
        goto fail;
    if ((d->bio = BIO_new(ctx->bio_method)) == NULL)
        goto fail;
    BIO_set_data(d->bio, d);
    SSL_set_bio(d->ssl, d->bio, d->bio); /* d->ssl owns the BIO from here (one reference) */
    SSL_set_app_data(d->ssl, d);
    rc = KN_ECRYPTO;
    if (!SSL_set_mtu(d->ssl, KN_DTLS_MTU))
        goto fail;
    DTLS_set_timer_cb(d->ssl, timer_next_us);
    if (role == KN_DTLS_SERVER)
        SSL_set_accept_state(d->ssl);
    else
        SSL_set_connect_state(d->ssl);
    d->role = role;
    d->send = send;
    d->arg = arg;
    return 0;

fail:
    SSL_free(d->ssl);
    ERR_clear_error();
    memset(d, 0, sizeof(*d));
    return rc;
}

void kn_dtls_set_state_cb(kn_dtls *d, kn_dtls_state_fn fn) {
    d->on_state = fn;
}

/* RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt. */
static int export_keys(kn_dtls *d) {
    const SRTP_PROTECTION_PROFILE *sp = SSL_get_selected_srtp_profile(d->ssl);
    uint8_t km[2 * KN_SRTP_MAX_KEY_SALT];
    kn_srtp_profile profile = sp != NULL ? (kn_srtp_profile)sp->id : KN_SRTP_NONE;
    size_t total = kn_srtp_profile_key_salt_len(profile);
    const size_t key_len = 16;

    if (total == 0)
        return KN_EPROTO; /* no use_srtp agreement: no media possible */
    size_t salt_len = total - key_len;
    if (SSL_export_keying_material(d->ssl, km, 2 * total, SRTP_EXPORTER_LABEL,
                                   strlen(SRTP_EXPORTER_LABEL), NULL, 0, 0) != 1)
        return KN_ECRYPTO;
    uint8_t *client = d->role == KN_DTLS_CLIENT ? d->keys.local : d->keys.remote;
    uint8_t *server = d->role == KN_DTLS_CLIENT ? d->keys.remote : d->keys.local;
    memcpy(client, km, key_len);
    memcpy(server, km + key_len, key_len);
    memcpy(client + key_len, km + 2 * key_len, salt_len);
    memcpy(server + key_len, km + 2 * key_len + salt_len, salt_len);
    OPENSSL_cleanse(km, sizeof(km));
    d->keys.profile = profile;
    d->keys.key_salt_len = total;
    return 0;
}

static int handshake_done(kn_dtls *d) {
    X509 *peer = SSL_get0_peer_certificate(d->ssl);
    int rc;

    /* The verify callback ran already; checking again here keeps the guarantee even if a
     * future OpenSSL skipped it (e.g. on resumption, which we disable). */
    if (peer == NULL || kn_fingerprint_verify(&d->remote_fp, peer) != 0)
        return fail(d, KN_EAUTH);
    if ((rc = export_keys(d)) != 0)
        return fail(d, rc);
    out_flush(d);
    set_state(d, KN_DTLS_CONNECTED);
    return 0;
}

/* After SSL_do_handshake/SSL_read returned r <= 0. */
static int on_ssl_result(kn_dtls *d, int r) {
    switch (SSL_get_error(d->ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        out_flush(d);
        ERR_clear_error();
        return 0;
    case SSL_ERROR_ZERO_RETURN: /* close_notify */
        out_flush(d);
        ERR_clear_error();
        set_state(d, KN_DTLS_CLOSED);
        return 0;
    default:
        return fail(d, KN_EPROTO);
    }
}

static int drive_handshake(kn_dtls *d) {
    int r = SSL_do_handshake(d->ssl);

    if (r == 1)
        return handshake_done(d);
    return on_ssl_result(d, r);
}

/* Reads and discards application data, and lets OpenSSL see alerts and retransmitted
 * handshake records after the handshake (it answers a repeated Finished by resending
 * its last flight, RFC 6347 §4.2.4). */
static int drain_app_data(kn_dtls *d) {
    uint8_t sink[2048];
    int r;

    while ((r = SSL_read(d->ssl, sink, sizeof(sink))) > 0)
        ;
    return on_ssl_result(d, r);
}

int kn_dtls_start(kn_dtls *d) {
    if (d->ssl == NULL || d->state != KN_DTLS_NEW)
        return KN_ESTATE;
    if (d->role == KN_DTLS_SERVER)
        return 0;
    ERR_clear_error();
    set_state(d, KN_DTLS_HANDSHAKING);
    return drive_handshake(d);
}

int kn_dtls_on_record(kn_dtls *d, const uint8_t *p, size_t len) {
    int rc;

    if (d->ssl == NULL || d->state == KN_DTLS_FAILED || d->state == KN_DTLS_CLOSED)
        return KN_ESTATE;
    if (len == 0 || len > INT32_MAX)
        return 0; /* nothing a datagram BIO could deliver; drop like a bad record */
    ERR_clear_error();
    d->in_p = p;
    d->in_len = len;
    if (d->state == KN_DTLS_NEW)
        set_state(d, KN_DTLS_HANDSHAKING);
    if (d->state == KN_DTLS_HANDSHAKING)
        rc = drive_handshake(d);
    else
        rc = 0;
    if (rc == 0 && d->state == KN_DTLS_CONNECTED)
        rc = drain_app_data(d);
    d->in_p = NULL; /* never keep a pointer into the caller's buffer */
    d->in_len = 0;
    return rc;
}

int kn_dtls_timeout_ms(kn_dtls *d) {
    struct timeval tv;

    if (d->ssl == NULL || d->state != KN_DTLS_HANDSHAKING)
        return -1;
    if (DTLSv1_get_timeout(d->ssl, &tv) != 1)
        return -1;
    long ms = tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

int kn_dtls_on_timeout(kn_dtls *d) {
    if (d->ssl == NULL || d->state != KN_DTLS_HANDSHAKING)
        return 0;
    ERR_clear_error();
    if (DTLSv1_handle_timeout(d->ssl) < 0)
        return fail(d, KN_EPROTO);
    out_flush(d);
    return 0;
}

kn_dtls_state kn_dtls_state_get(const kn_dtls *d) {
    return d->state;
}

const char *kn_dtls_state_name(kn_dtls_state state) {
    static const char *const names[] = {"new", "handshaking", "connected", "failed", "closed"};
    return (unsigned)state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

int kn_dtls_srtp_keys(const kn_dtls *d, kn_srtp_keys *out) {
    if (d->state != KN_DTLS_CONNECTED)
        return KN_ESTATE;
    *out = d->keys;
    return 0;
}

const char *kn_dtls_srtp_profile_name(const kn_dtls *d) {
    return kn_srtp_profile_name(d->state == KN_DTLS_CONNECTED ? d->keys.profile : KN_SRTP_NONE);
}

void kn_dtls_close(kn_dtls *d) {
    if (d->ssl != NULL) {
        ERR_clear_error();
        if (d->state == KN_DTLS_CONNECTED && SSL_shutdown(d->ssl) >= 0)
            out_flush(d);
        SSL_free(d->ssl); /* frees the BIO */
        ERR_clear_error();
    }
    OPENSSL_cleanse(&d->keys, sizeof(d->keys));
    memset(d, 0, sizeof(*d));
    d->state = KN_DTLS_CLOSED;
}
