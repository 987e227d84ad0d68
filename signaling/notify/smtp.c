/*
 * smtp.c: blocking SMTP client with STARTTLS and AUTH, settings from the
 * environment (see smtp.h). Reply parsing is notify/smtp_reply.c. Sending
 * runs on a worker thread, never the loop.
 */
#include "notify/smtp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "notify/smtp_reply.h"

typedef struct conn {
    const kn_smtp_config *cfg;
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    uint8_t buf[4096];
    size_t len;
    kn_smtp_reply reply;
    kn_smtp_ehlo ext;
    char *err;
    size_t errcap;
} conn;

static int fail(conn *c, int rc, const char *what) {
    snprintf(c->err, c->errcap, "%s", what);
    return rc;
}

static int fail_reply(conn *c, int rc, const char *step) {
    int n = (int)(c->reply.text_len < 200 ? c->reply.text_len : 200);
    snprintf(c->err, c->errcap, "%s: %d %.*s", step, c->reply.code, n,
             (const char *)c->buf + c->reply.text_off);
    return rc;
}

static int sock_connect(conn *c) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
    struct timeval tv = {.tv_sec = c->cfg->timeout_ms / 1000,
                         .tv_usec = (c->cfg->timeout_ms % 1000) * 1000};
    char port[8];

    snprintf(port, sizeof(port), "%u", c->cfg->port);
    if (getaddrinfo(c->cfg->host, port, &hints, &res) != 0)
        return fail(c, KN_EIO, "cannot resolve SMTP host");
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
    return c->fd < 0 ? fail(c, KN_EIO, "cannot connect to SMTP host") : 0;
}

static int raw_write(conn *c, const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = c->ssl != NULL ? SSL_write(c->ssl, b, (int)(n > 16384 ? 16384 : n))
                                   : send(c->fd, b, n, MSG_NOSIGNAL);
        if (w <= 0)
            return fail(c, KN_EIO, "write to SMTP server failed");
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int raw_read(conn *c) {
    ssize_t r;
    if (c->len == sizeof(c->buf))
        return fail(c, KN_EPROTO, "SMTP reply too long");
    r = c->ssl != NULL ? SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len))
                       : recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
    if (r <= 0)
        return fail(c, KN_EIO, "SMTP server closed or timed out");
    c->len += (size_t)r;
    return 0;
}

/* Drops the previous reply from the buffer and reads the next one. */
static int read_reply(conn *c) {
    int rc;

    if (c->reply.len > 0) {
        memmove(c->buf, c->buf + c->reply.len, c->len - c->reply.len);
        c->len -= c->reply.len;
        memset(&c->reply, 0, sizeof(c->reply));
    }
    while ((rc = kn_smtp_reply_parse(c->buf, c->len, &c->reply)) == KN_ETRUNC)
        if ((rc = raw_read(c)) != 0)
            return rc;
    return rc == 0 ? 0 : fail(c, KN_EPROTO, "malformed SMTP reply");
}

/* Sends a command line (without CRLF) and reads a reply whose code is `want`
 * (or `want2` when non-zero). */
static int command(conn *c, const char *line, int want, int want2, const char *step) {
    int rc;

    if ((rc = raw_write(c, line, strlen(line))) != 0 || (rc = raw_write(c, "\r\n", 2)) != 0 ||
        (rc = read_reply(c)) != 0)
        return rc;
    if (c->reply.code != want && c->reply.code != want2)
        return fail_reply(c, KN_EPROTO, step);
    return 0;
}

static int ehlo(conn *c) {
    char line[KN_SMTP_STR + 8];
    int rc;

    snprintf(line, sizeof(line), "EHLO %s", c->cfg->helo[0] ? c->cfg->helo : "localhost");
    if ((rc = command(c, line, 250, 0, "EHLO")) != 0)
        return rc;
    kn_smtp_reply_ehlo(c->buf, &c->reply, &c->ext);
    return 0;
}

static int tls_verify_setup(conn *c) {
    X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
    struct in6_addr a6;
    struct in_addr a4;

    if (inet_pton(AF_INET, c->cfg->host, &a4) == 1 || inet_pton(AF_INET6, c->cfg->host, &a6) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(vp, c->cfg->host) == 1 ? 0 : KN_ECRYPTO;
    if (SSL_set_tlsext_host_name(c->ssl, c->cfg->host) != 1 ||
        SSL_set1_host(c->ssl, c->cfg->host) != 1)
        return KN_ECRYPTO;
    return 0;
}

static int starttls(conn *c) {
    int rc;

    if (!c->ext.starttls)
        return fail(c, KN_EPROTO, "server does not offer STARTTLS");
    if ((rc = command(c, "STARTTLS", 220, 0, "STARTTLS")) != 0)
        return rc;
    /* Bytes after the 220 were sent before TLS and could be injected
     * (RFC 3207 §4.2: discard knowledge from before TLS); refuse them. */
    if (c->len != c->reply.len)
        return fail(c, KN_EPROTO, "data after STARTTLS reply");
    c->len = 0;
    memset(&c->reply, 0, sizeof(c->reply));
    if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
        return fail(c, KN_ECRYPTO, "TLS context");
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    if ((c->cfg->ca_file[0] ? SSL_CTX_load_verify_locations(c->ctx, c->cfg->ca_file, NULL)
                            : SSL_CTX_set_default_verify_paths(c->ctx)) != 1 ||
        (c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
        tls_verify_setup(c) != 0)
        return fail(c, KN_ECRYPTO, "TLS setup");
    if (SSL_connect(c->ssl) != 1) {
        snprintf(c->err, c->errcap, "TLS handshake: %s",
                 X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
        SSL_free(c->ssl);
        c->ssl = NULL;
        return KN_ECRYPTO;
    }
    memset(&c->ext, 0, sizeof(c->ext));
    return ehlo(c); /* RFC 3207 §4.2: EHLO again, extensions may differ */
}

static int b64(const void *in, size_t n, char *out, size_t cap) {
    if ((n + 2) / 3 * 4 + 1 > cap)
        return KN_ELIMIT;
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return 0;
}

static int auth_plain(conn *c) {
    char raw[2 * KN_SMTP_STR + 2], line[700];
    size_t u = strlen(c->cfg->user), p = strlen(c->cfg->password);
    int rc;

    raw[0] = '\0'; /* RFC 4616: authzid NUL authcid NUL passwd */
    memcpy(raw + 1, c->cfg->user, u);
    raw[1 + u] = '\0';
    memcpy(raw + 2 + u, c->cfg->password, p);
    memcpy(line, "AUTH PLAIN ", 11);
    rc = b64(raw, u + p + 2, line + 11, sizeof(line) - 11);
    if (rc == 0)
        rc = command(c, line, 235, 0, "AUTH PLAIN");
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(line, sizeof(line));
    return rc;
}

static int auth_login(conn *c) {
    char line[400];
    int rc;

    if ((rc = command(c, "AUTH LOGIN", 334, 0, "AUTH LOGIN")) != 0 ||
        (rc = b64(c->cfg->user, strlen(c->cfg->user), line, sizeof(line))) != 0 ||
        (rc = command(c, line, 334, 0, "AUTH LOGIN user")) != 0 ||
        (rc = b64(c->cfg->password, strlen(c->cfg->password), line, sizeof(line))) != 0)
        return rc;
    rc = command(c, line, 235, 0, "AUTH LOGIN password");
    OPENSSL_cleanse(line, sizeof(line));
    return rc;
}

static int authenticate(conn *c) {
    int rc;

    if (c->ssl == NULL)
        return fail(c, KN_EPROTO, "refusing AUTH without TLS");
    if (c->ext.auth_plain)
        rc = auth_plain(c);
    else if (c->ext.auth_login)
        rc = auth_login(c);
    else
        return fail(c, KN_EPROTO, "server offers neither AUTH PLAIN nor LOGIN");
    /* 535 (RFC 4954 §6): credentials invalid. */
    return rc == KN_EPROTO && c->reply.code == 535 ? KN_EAUTH : rc;
}

/* Writes the message with CRLF line ends and leading dots doubled
 * (RFC 5321 §4.5.2), then the terminating ".". */
static int data_body(conn *c, const char *msg, size_t len) {
    char out[1024];
    size_t o = 0;
    int bol = 1, rc;

    for (size_t i = 0; i < len; i++) {
        if (o + 4 > sizeof(out)) {
            if ((rc = raw_write(c, out, o)) != 0)
                return rc;
            o = 0;
        }
        if (bol && msg[i] == '.')
            out[o++] = '.';
        bol = 0;
        if (msg[i] == '\r')
            continue;
        if (msg[i] == '\n') {
            out[o++] = '\r';
            bol = 1;
        }
        out[o++] = msg[i];
    }
    if ((rc = raw_write(c, out, o)) != 0)
        return rc;
    return raw_write(c, bol ? ".\r\n" : "\r\n.\r\n", bol ? 3 : 5);
}

static int transaction(conn *c, const char *rcpt, const char *msg, size_t len) {
    char line[KN_SMTP_STR + 16];
    int rc;

    snprintf(line, sizeof(line), "MAIL FROM:<%s>", c->cfg->from);
    if ((rc = command(c, line, 250, 0, "MAIL FROM")) != 0)
        return rc;
    snprintf(line, sizeof(line), "RCPT TO:<%s>", rcpt);
    if ((rc = command(c, line, 250, 251, "RCPT TO")) != 0 ||
        (rc = command(c, "DATA", 354, 0, "DATA")) != 0 || (rc = data_body(c, msg, len)) != 0 ||
        (rc = read_reply(c)) != 0)
        return rc;
    if (c->reply.code != 250)
        return fail_reply(c, KN_EPROTO, "end of DATA");
    command(c, "QUIT", 221, 0, "QUIT"); /* the message is accepted either way */
    return 0;
}

static int session(conn *c, const char *rcpt, const char *msg, size_t len) {
    int rc;

    if ((rc = sock_connect(c)) != 0 || (rc = read_reply(c)) != 0)
        return rc;
    if (c->reply.code != 220)
        return fail_reply(c, KN_EPROTO, "greeting");
    if ((rc = ehlo(c)) != 0)
        return rc;
    if (c->cfg->starttls && (rc = starttls(c)) != 0)
        return rc;
    if (c->cfg->user[0] && (rc = authenticate(c)) != 0)
        return rc;
    return transaction(c, rcpt, msg, len);
}

int kn_smtp_send(const kn_smtp_config *cfg, const char *rcpt, const char *msg, size_t len,
                 char *err, size_t errcap) {
    conn *c;
    int rc;

    if (errcap > 0)
        err[0] = '\0';
    if (!kn_smtp_address_ok(rcpt) || !kn_smtp_address_ok(cfg->from))
        return KN_EINVAL;
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return KN_ENOMEM;
    c->cfg = cfg;
    c->fd = -1;
    c->err = err;
    c->errcap = errcap;
    rc = session(c, rcpt, msg, len);
    if (c->ssl != NULL)
        SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
    ERR_clear_error();
    return rc;
}

int kn_smtp_address_ok(const char *a) {
    size_t n = a != NULL ? strlen(a) : 0;
    const char *at = n ? strchr(a, '@') : NULL;

    if (n < 3 || n > 254 || at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)a[i];
        if (ch <= 0x20 || ch == 0x7f || strchr("<>,\"();:\\[]", ch) != NULL)
            return 0;
    }
    return 1;
}

static int copy_env(const char *name, char *out, size_t cap) {
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        out[0] = '\0';
        return 0;
    }
    if (strlen(v) >= cap)
        return KN_EINVAL;
    memcpy(out, v, strlen(v) + 1);
    return 1;
}

static int port_env(kn_smtp_config *c) {
    const char *v = getenv("KONSIL_SMTP_PORT");
    char *end;
    long p;

    if (v == NULL || v[0] == '\0') {
        c->port = c->starttls ? 587 : 25;
        return 0;
    }
    p = strtol(v, &end, 10);
    if (*end != '\0' || p < 1 || p > 65535)
        return KN_EINVAL;
    c->port = (uint16_t)p;
    return 0;
}

static int starttls_env(kn_smtp_config *c) {
    const char *v = getenv("KONSIL_SMTP_STARTTLS");
    if (v == NULL || v[0] == '\0' || strcmp(v, "on") == 0)
        c->starttls = 1;
    else if (strcmp(v, "off") == 0)
        c->starttls = 0;
    else
        return KN_EINVAL;
    return 0;
}

int kn_smtp_config_from_env(kn_smtp_config *c) {
    int host, from;

    memset(c, 0, sizeof(*c));
    c->timeout_ms = 15000;
    if ((host = copy_env("KONSIL_SMTP_HOST", c->host, sizeof(c->host))) < 0 ||
        (from = copy_env("KONSIL_SMTP_FROM", c->from, sizeof(c->from))) < 0 ||
        copy_env("KONSIL_SMTP_USER", c->user, sizeof(c->user)) < 0 ||
        copy_env("KONSIL_SMTP_PASSWORD", c->password, sizeof(c->password)) < 0 ||
        copy_env("KONSIL_SMTP_CAFILE", c->ca_file, sizeof(c->ca_file)) < 0 ||
        copy_env("KONSIL_SMTP_HELO", c->helo, sizeof(c->helo)) < 0)
        return KN_EINVAL;
    if (!host || !from)
        return KN_ENOENT;
    if (starttls_env(c) != 0 || port_env(c) != 0 || !kn_smtp_address_ok(c->from))
        return KN_EINVAL;
    if (c->user[0] && !c->starttls) /* a password never travels in clear */
        return KN_EINVAL;
    return 0;
}
