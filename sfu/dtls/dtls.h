/*
 * dtls.h: DTLS 1.2 handshake for DTLS-SRTP (RFC 5764, RFC 8842) over OpenSSL 3.0.
 * One kn_dtls_ctx per process owns the SSL_CTX and the self-signed ECDSA P-256
 * certificate (dtls/cert.h); one kn_dtls per peer, embedded in the peer's struct,
 * owns an SSL whose BIO hands every outgoing datagram to the owner's send callback
 * and reads the datagram kn_dtls_on_record() is feeding. The remote certificate must
 * match the fingerprint signaling passed (RFC 8122 §5) or the handshake fails.
 * After the handshake the SRTP keys are exported (RFC 5764 §4.2). Application data is
 * read and discarded (data channels are peer-to-peer, not through the SFU).
 * Media loop only; the owner drives retransmissions with a timer (kn_dtls_timeout_ms).
 */
#ifndef KN_DTLS_H
#define KN_DTLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "dtls/cert.h"
#include "srtp/srtp_session.h"

/* Largest datagram we send (RFC 8261-style 1200 B budget that fits every path
 * with IPv6 + UDP + TURN overhead). OpenSSL fragments handshake messages to it. */
#define KN_DTLS_MTU 1200

/* SRTP profiles offered and accepted, most preferred first (RFC 5764 §4.1.2, RFC 7714). */
#define KN_DTLS_SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

typedef struct kn_dtls_ctx kn_dtls_ctx; /* one per process: SSL_CTX + cert + fingerprint */

typedef enum kn_dtls_role {
    KN_DTLS_SERVER, /* remote said a=setup:active/actpass; we answer passive */
    KN_DTLS_CLIENT, /* remote said a=setup:passive; we send the ClientHello */
} kn_dtls_role;

typedef enum kn_dtls_state {
    KN_DTLS_NEW,         /* initialised, nothing sent or received */
    KN_DTLS_HANDSHAKING, /* first flight sent or received */
    KN_DTLS_CONNECTED,   /* handshake done, fingerprint verified, keys exported */
    KN_DTLS_FAILED,      /* handshake failed, fingerprint mismatch, fatal alert, timeout */
    KN_DTLS_CLOSED,      /* close_notify received, or kn_dtls_close() called */
} kn_dtls_state;

/* Sends one datagram to the peer (ICE-selected address). Called synchronously from
 * kn_dtls_start/on_record/on_timeout/close; `p` is valid only during the call. */
typedef void (*kn_dtls_send_fn)(void *arg, const uint8_t *p, size_t len);

/* Called after every state change (new state in `state`); may not free the kn_dtls
 * from inside the callback (close it after the kn_dtls_* call returns). */
typedef void (*kn_dtls_state_fn)(void *arg, kn_dtls_state state);

typedef struct kn_dtls {
    SSL *ssl;              /* owns bio */
    BIO *bio;              /* datagram BIO, see dtls.c */
    kn_dtls_role role;
    kn_dtls_state state;
    int error;             /* KN_E* code of the failure when state == KN_DTLS_FAILED */
    kn_fingerprint remote_fp;
    kn_dtls_send_fn send;
    kn_dtls_state_fn on_state;
    void *arg;
    const uint8_t *in_p; /* datagram being fed by kn_dtls_on_record, NULL otherwise */
    size_t in_len;
    size_t out_len;      /* bytes of records waiting in out[] for the next datagram */
    kn_srtp_keys keys;   /* valid when state == KN_DTLS_CONNECTED */
    uint8_t out[KN_DTLS_MTU];
} kn_dtls;

/* Creates the process context: generates the certificate, sets DTLS 1.2 only,
 * ECDHE ciphers, use_srtp with KN_DTLS_SRTP_PROFILES, mutual certificate auth.
 * Returns 0, KN_ENOMEM or KN_ECRYPTO; *out is NULL on failure. */
int kn_dtls_ctx_create(kn_dtls_ctx **out);

/* Frees the context; every kn_dtls using it must be closed first. Accepts NULL. */
void kn_dtls_ctx_destroy(kn_dtls_ctx *ctx);

/* Our certificate's fingerprint, "sha-256" algorithm, "AB:CD:..." (95 chars). */
const char *kn_dtls_ctx_fingerprint(const kn_dtls_ctx *ctx);

/* The underlying SSL_CTX, for tests that restrict what one side offers. */
SSL_CTX *kn_dtls_ctx_ssl_ctx(kn_dtls_ctx *ctx);

/* Prepares a handshake in the given role. The SSL and its BIO keep the address of *d:
 * a kn_dtls must not be moved or copied between kn_dtls_init() and kn_dtls_close().
 * fp_alg/fp_value: the remote certificate's fingerprint from signaling (sha-1, sha-256,
 * sha-384, sha-512).
 * Returns 0, KN_EINVAL for a malformed fingerprint or NULL argument, KN_ENOMEM or
 * KN_ECRYPTO. On failure *d is zeroed and owns nothing. */
int kn_dtls_init(kn_dtls *d, kn_dtls_ctx *ctx, kn_dtls_role role, const char *fp_alg,
                 const char *fp_value, kn_dtls_send_fn send, void *arg);

/* Optional: report state changes to `fn` (with the arg given to kn_dtls_init). */
void kn_dtls_set_state_cb(kn_dtls *d, kn_dtls_state_fn fn);

/* Client role: sends the ClientHello (state HANDSHAKING). Server role: no-op (the
 * server waits for the ClientHello). Returns 0, KN_ESTATE if already started or ended,
 * KN_EPROTO/KN_ECRYPTO on an OpenSSL failure (state FAILED). */
int kn_dtls_start(kn_dtls *d);

/* Feeds one received datagram (first byte 20..63, RFC 7983), which may hold several
 * records, and drives the handshake or reads (and discards) application data.
 * Returns 0 (also when more flights are needed, and after a close_notify, which sets
 *   state CLOSED),
 *   KN_EAUTH when the remote certificate does not match the fingerprint (state FAILED),
 *   KN_EPROTO for a fatal handshake error or a fatal alert (state FAILED),
 *   KN_ESTATE when the state is already FAILED or CLOSED (datagram ignored).
 * Garbage that OpenSSL silently drops (bad records, as RFC 6347 §4.1.2.7 requires)
 * returns 0. */
int kn_dtls_on_record(kn_dtls *d, const uint8_t *p, size_t len);

/* Milliseconds until kn_dtls_on_timeout() must be called (retransmission of the last
 * flight, RFC 6347 §4.2.4), 0 if already due, or -1 when no timer is needed. */
int kn_dtls_timeout_ms(kn_dtls *d);

/* Handles an expired retransmission timer: resends the last flight.
 * Returns 0, or KN_EPROTO when OpenSSL gives up after too many retransmissions
 * (state FAILED). A call when nothing is due is a harmless no-op. */
int kn_dtls_on_timeout(kn_dtls *d);

kn_dtls_state kn_dtls_state_get(const kn_dtls *d);

/* "new", "handshaking", "connected", "failed", "closed". */
const char *kn_dtls_state_name(kn_dtls_state state);

/* Copies the exported SRTP keys (profile, local = our write key||salt, remote = the
 * peer's). Returns 0, or KN_ESTATE unless the state is CONNECTED. */
int kn_dtls_srtp_keys(const kn_dtls *d, kn_srtp_keys *out);

/* Name of the negotiated SRTP profile ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"),
 * or "none" before the handshake completes. */
const char *kn_dtls_srtp_profile_name(const kn_dtls *d);

/* Sends close_notify if connected, frees the SSL and wipes the keys; state CLOSED
 * (no state callback). Accepts a zeroed or already closed kn_dtls. */
void kn_dtls_close(kn_dtls *d);

#endif
