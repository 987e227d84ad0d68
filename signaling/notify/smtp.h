/*
 * smtp.h: a small blocking SMTP submission client (RFC 5321) with STARTTLS
 * (RFC 3207, OpenSSL, certificate and host name verified) and AUTH PLAIN /
 * LOGIN (RFC 4954, only over TLS). One message to one recipient per call.
 *
 * It blocks on the network (connect, replies, TLS) for up to timeout_ms per
 * step: never call it on the signaling loop; kn_mailer_send (mailer.h) runs
 * it in libuv's thread pool. Thread-safe: no globals, each call has its own
 * socket and SSL_CTX.
 */
#ifndef KN_SMTP_H
#define KN_SMTP_H

#include <stddef.h>
#include <stdint.h>

#define KN_SMTP_STR 256

typedef struct kn_smtp_config {
    char host[KN_SMTP_STR];
    uint16_t port;
    char user[KN_SMTP_STR]; /* empty: no AUTH */
    char password[KN_SMTP_STR];
    char from[KN_SMTP_STR];    /* envelope and header sender */
    int starttls;              /* 1: required (default), 0: plain (no AUTH then) */
    char ca_file[KN_SMTP_STR]; /* empty: system trust store */
    char helo[KN_SMTP_STR];    /* EHLO name, default "localhost" */
    int timeout_ms;            /* per network step, default 15000 */
} kn_smtp_config;

/*
 * Reads KONSIL_SMTP_HOST, _PORT (default 587 with STARTTLS, 25 without),
 * _USER, _PASSWORD, _FROM, _STARTTLS (on|off, default on), _CAFILE, _HELO.
 * Returns 0, KN_ENOENT when HOST or FROM is unset (mail disabled), or
 * KN_EINVAL for a bad port, STARTTLS value, FROM address, or USER set with
 * STARTTLS off.
 */
int kn_smtp_config_from_env(kn_smtp_config *c);

/* True for an address usable in MAIL FROM / RCPT TO / To: one '@', no
 * spaces, control characters, '<', '>', ',' or quotes, at most 254 bytes. */
int kn_smtp_address_ok(const char *addr);

/*
 * Sends `msg` (an RFC 5322 message with headers, lines ending in LF or CRLF;
 * dot-stuffed and CRLF-normalised here) to `rcpt`. On failure writes a short
 * reason (the server's reply or the failing step) to err. Returns 0,
 *   KN_EINVAL  bad recipient or sender,
 *   KN_EIO     connect / read / write failure or timeout,
 *   KN_EPROTO  an unexpected reply, or STARTTLS / AUTH required but not offered,
 *   KN_ECRYPTO TLS handshake or certificate verification failed,
 *   KN_EAUTH   the server refused the credentials,
 *   KN_ENOMEM.
 */
int kn_smtp_send(const kn_smtp_config *c, const char *rcpt, const char *msg, size_t len, char *err,
                 size_t errcap);

#endif
