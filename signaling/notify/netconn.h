/*
 * netconn.h: a blocking TCP client connection with optional TLS (OpenSSL,
 * certificate and host name or IP address verified, TLS 1.2 or newer), for
 * the notification senders (SMTP, SMS gateway). Every step is bounded by a
 * socket timeout. Worker threads only; never on the signaling loop.
 */
#ifndef KN_NETCONN_H
#define KN_NETCONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

typedef struct kn_netconn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl; /* NULL while plain */
} kn_netconn;

/* Connects to host:port (each resolved address in turn). Returns 0 or KN_EIO. */
int kn_netconn_connect(kn_netconn *c, const char *host, uint16_t port, int timeout_ms);

/* Starts TLS as client on the open connection, verifying the peer against
 * `ca_file` (NULL or "" for the system store) and `host`. On failure writes
 * the verification error to err. Returns 0 or KN_ECRYPTO. */
int kn_netconn_start_tls(kn_netconn *c, const char *host, const char *ca_file, char *err,
                         size_t errcap);

/* Writes all of p. Returns 0 or KN_EIO. */
int kn_netconn_write(kn_netconn *c, const void *p, size_t n);

/* Reads once into p (at most cap bytes); returns the count, 0 at end of
 * stream, or KN_EIO (error or timeout). */
ssize_t kn_netconn_read(kn_netconn *c, void *p, size_t cap);

/* Shuts TLS down and closes the socket; also fine after a failed connect. */
void kn_netconn_close(kn_netconn *c);

#endif
