/*
 * smtp.c: blocking SMTP client with STARTTLS and AUTH, settings from the
 * environment (see smtp.h). Reply parsing is notify/smtp_reply.c, the
 * connection and TLS notify/netconn.c. Sending
 * runs on a worker thread, never the loop.
 */
#include "notify/smtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "notify/netconn.h"
#include "notify/smtp_reply.h"

typedef struct conn {
    const kn_smtp_config *cfg;
    kn_netconn net;
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

static int raw_write(conn *c, const void *p, size_t n) {
    return kn_netconn_write(&c->net, p, n) == 0 ? 0
                                                : fail(c, KN_EIO, "write to SMTP server failed");
}

static int raw_read(conn *c) {
    ssize_t r;
    if (c->len == sizeof(c->buf))
        return fail(c, KN_EPROTO, "SMTP reply too long");
    r = kn_netconn_read(&c->net, c->buf + c->len, sizeof(c->buf) - c->len);
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
    if ((rc = kn_netconn_start_tls(&c->net, c->cfg->host, c->cfg->ca_file, c->err, c->errcap)) != 0)
        return rc;
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

    if (c->net.ssl == NULL)
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

    if (kn_netconn_connect(&c->net, c->cfg->host, c->cfg->port, c->cfg->timeout_ms) != 0)
        return fail(c, KN_EIO, "cannot connect to SMTP host");
    if ((rc = read_reply(c)) != 0)
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
    c->net.fd = -1;
    c->err = err;
    c->errcap = errcap;
    rc = session(c, rcpt, msg, len);
    kn_netconn_close(&c->net);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
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
