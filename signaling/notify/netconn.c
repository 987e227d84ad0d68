/*
 * netconn.c: blocking TCP + TLS client connection (see netconn.h).
 */
#include "notify/netconn.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/err.h"

int kn_netconn_connect(kn_netconn *c, const char *host, uint16_t port, int timeout_ms) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    char portstr[8];

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    snprintf(portstr, sizeof(portstr), "%u", port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0)
        return KN_EIO;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0)
            continue;
        /* SO_SNDTIMEO also bounds connect() on Linux. */
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(c->fd);
        c->fd = -1;
    }
    freeaddrinfo(res);
    return c->fd < 0 ? KN_EIO : 0;
}

static int verify_setup(SSL *ssl, const char *host) {
    X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
    struct in6_addr a6;
    struct in_addr a4;

    if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(vp, host) == 1 ? 0 : KN_ECRYPTO;
    if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set1_host(ssl, host) != 1)
        return KN_ECRYPTO;
    return 0;
}

int kn_netconn_start_tls(kn_netconn *c, const char *host, const char *ca_file, char *err,
                         size_t errcap) {
    int loaded;

    if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
        goto fail;
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    loaded = ca_file != NULL && ca_file[0] ? SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL)
                                           : SSL_CTX_set_default_verify_paths(c->ctx);
    if (loaded != 1 || (c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
        verify_setup(c->ssl, host) != 0)
        goto fail;
    if (SSL_connect(c->ssl) != 1) {
        snprintf(err, errcap, "TLS handshake: %s",
                 X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
        SSL_free(c->ssl);
        c->ssl = NULL;
        ERR_clear_error();
        return KN_ECRYPTO;
    }
    return 0;

fail:
    snprintf(err, errcap, "TLS setup");
    SSL_free(c->ssl);
    c->ssl = NULL;
    ERR_clear_error();
    return KN_ECRYPTO;
}

int kn_netconn_write(kn_netconn *c, const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = c->ssl != NULL ? SSL_write(c->ssl, b, (int)(n > 16384 ? 16384 : n))
                                   : send(c->fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            return KN_EIO;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

ssize_t kn_netconn_read(kn_netconn *c, void *p, size_t cap) {
    ssize_t r;
    if (c->ssl != NULL) {
        r = SSL_read(c->ssl, p, (int)(cap > 16384 ? 16384 : cap));
        if (r <= 0)
            return SSL_get_error(c->ssl, (int)r) == SSL_ERROR_ZERO_RETURN ? 0 : KN_EIO;
        return r;
    }
    r = recv(c->fd, p, cap, 0);
    return r < 0 ? KN_EIO : r;
}

void kn_netconn_close(kn_netconn *c) {
    if (c->ssl != NULL)
        SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    ERR_clear_error();
}
