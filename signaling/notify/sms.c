/*
 * sms.c: SMS invitations through an HTTP gateway (see sms.h). Connection
 * and TLS are notify/netconn.c; the request body is built with jansson.
 */
#include "notify/sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/err.h"
#include "notify/netconn.h"

static int loopback(const char *h) {
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "::1") == 0 || strcmp(h, "localhost") == 0;
}

static int host_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-' || ch == ':';
}

/* HOST or [IPv6] up to ':' PORT or '/'; returns the offset after it or 0. */
static size_t parse_host(const char *s, kn_sms_config *c) {
    size_t i = 0, n;
    int v6 = s[0] == '[';

    for (i = v6; s[i] != '\0' && (v6 ? s[i] != ']' : (s[i] != ':' && s[i] != '/')); i++)
        if (!host_char(s[i]))
            return 0;
    n = i - (size_t)v6;
    if (n == 0 || n >= sizeof(c->host) || (v6 && s[i] != ']'))
        return 0;
    memcpy(c->host, s + v6, n);
    c->host[n] = '\0';
    return i + (size_t)v6;
}

int kn_sms_url_parse(const char *url, kn_sms_config *c) {
    size_t i;
    char *end;
    long port;

    c->tls = strncmp(url, "https://", 8) == 0;
    if (!c->tls && strncmp(url, "http://", 7) != 0)
        return KN_EINVAL;
    url += c->tls ? 8 : 7;
    if ((i = parse_host(url, c)) == 0)
        return KN_EINVAL;
    c->port = c->tls ? 443 : 80;
    if (url[i] == ':') {
        port = strtol(url + i + 1, &end, 10);
        if (end == url + i + 1 || port < 1 || port > 65535)
            return KN_EINVAL;
        c->port = (uint16_t)port;
        i = (size_t)(end - url);
    }
    if (url[i] != '/' || strlen(url + i) >= sizeof(c->path) || strpbrk(url + i, " \r\n#") != NULL)
        return KN_EINVAL;
    strcpy(c->path, url + i);
    return !c->tls && !loopback(c->host) ? KN_EINVAL : 0;
}

int kn_sms_config_from_env(kn_sms_config *c) {
    const char *url = getenv("KONSIL_SMS_URL"), *tok = getenv("KONSIL_SMS_TOKEN");
    const char *ca = getenv("KONSIL_SMS_CAFILE");

    memset(c, 0, sizeof(*c));
    c->timeout_ms = 15000;
    if (url == NULL || url[0] == '\0')
        return KN_ENOENT;
    if (kn_sms_url_parse(url, c) != 0 || tok == NULL || tok[0] == '\0' ||
        strlen(tok) >= sizeof(c->token) || strpbrk(tok, "\r\n") != NULL ||
        (ca != NULL && strlen(ca) >= sizeof(c->ca_file)))
        return KN_EINVAL;
    strcpy(c->token, tok);
    if (ca != NULL)
        strcpy(c->ca_file, ca);
    return 0;
}

int kn_sms_phone_ok(const char *to) {
    size_t n = 0;
    if (to == NULL || to[0] != '+')
        return 0;
    for (const char *p = to + 1; *p; p++, n++)
        if (*p < '0' || *p > '9')
            return 0;
    return n >= 8 && n <= 15;
}

int kn_sms_request(const kn_sms_config *c, const char *to, const char *text, char *out, size_t cap,
                   size_t *n) {
    json_t *j;
    char *body;
    int w;

    if (!kn_sms_phone_ok(to) || text == NULL)
        return KN_EINVAL;
    if ((j = json_pack("{s:s, s:s}", "to", to, "text", text)) == NULL)
        return KN_EINVAL; /* text is not UTF-8 */
    body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (body == NULL)
        return KN_ENOMEM;
    w = snprintf(out, cap,
                 "POST %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\nUser-Agent: konsil-signaling\r\n\r\n%s",
                 c->path, strchr(c->host, ':') ? "[" : "", c->host, strchr(c->host, ':') ? "]" : "",
                 c->port, c->token, strlen(body), body);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    if (w < 0 || (size_t)w >= cap)
        return KN_ELIMIT;
    *n = (size_t)w;
    return 0;
}

int kn_sms_status_parse(const uint8_t *p, size_t len, int *status) {
    static const char pre[] = "HTTP/1.";
    const uint8_t *lf = memchr(p, '\n', len);
    size_t end;

    if (lf == NULL)
        return len > 1024 ? KN_EPROTO : KN_ETRUNC;
    end = (size_t)(lf - p);
    /* RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason] */
    if (end < 12 || memcmp(p, pre, 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
        return KN_EPROTO;
    for (int i = 9; i < 12; i++)
        if (p[i] < '0' || p[i] > '9')
            return KN_EPROTO;
    if (p[9] < '1' || p[9] > '5' || (end > 12 && p[12] != ' ' && p[12] != '\r'))
        return KN_EPROTO;
    *status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    return 0;
}

static int why(char *err, size_t errcap, int rc, const char *msg) {
    snprintf(err, errcap, "%s", msg);
    return rc;
}

static int exchange(kn_netconn *nc, const kn_sms_config *c, const char *req, size_t n, char *err,
                    size_t errcap) {
    uint8_t buf[1100];
    size_t len = 0;
    ssize_t r;
    int rc, status = 0;

    if (c->tls && (rc = kn_netconn_start_tls(nc, c->host, c->ca_file, err, errcap)) != 0)
        return rc;
    if (kn_netconn_write(nc, req, n) != 0)
        return why(err, errcap, KN_EIO, "write to SMS gateway failed");
    while ((rc = kn_sms_status_parse(buf, len, &status)) == KN_ETRUNC) {
        if ((r = kn_netconn_read(nc, buf + len, sizeof(buf) - len)) <= 0)
            return why(err, errcap, KN_EIO, "SMS gateway closed or timed out");
        len += (size_t)r;
    }
    if (rc != 0)
        return why(err, errcap, KN_EPROTO, "malformed answer from SMS gateway");
    if (status >= 200 && status < 300)
        return 0;
    snprintf(err, errcap, "SMS gateway answered %d", status);
    return status == 401 || status == 403 ? KN_EAUTH : KN_EPROTO;
}

int kn_sms_send(const kn_sms_config *c, const char *to, const char *text, char *err,
                size_t errcap) {
    char req[4096];
    kn_netconn nc;
    size_t n;
    int rc;

    if (errcap > 0)
        err[0] = '\0';
    if ((rc = kn_sms_request(c, to, text, req, sizeof(req), &n)) != 0)
        return rc;
    if (kn_netconn_connect(&nc, c->host, c->port, c->timeout_ms) != 0)
        rc = why(err, errcap, KN_EIO, "cannot connect to SMS gateway");
    else
        rc = exchange(&nc, c, req, n, err, errcap);
    kn_netconn_close(&nc);
    OPENSSL_cleanse(req, sizeof(req));
    return rc;
}

typedef struct job {
    uv_work_t req;
    kn_sms_config cfg;
    char to[20];
    char *text;
    int rc;
    char err[256];
    kn_mailer_cb cb;
    void *ctx;
} job;

static void job_free(job *j) {
    if (j->text != NULL)
        OPENSSL_cleanse(j->text, strlen(j->text));
    free(j->text);
    OPENSSL_cleanse(j, sizeof(*j));
    free(j);
}

static void on_work(uv_work_t *req) {
    job *j = req->data;
    j->rc = kn_sms_send(&j->cfg, j->to, j->text, j->err, sizeof(j->err));
}

static void on_done(uv_work_t *req, int status) {
    job *j = req->data;
    if (status == UV_ECANCELED)
        j->rc = KN_EIO;
    j->cb(j->ctx, j->rc, j->err);
    job_free(j);
}

int kn_sms_queue(uv_loop_t *loop, const kn_sms_config *c, const char *to, const char *text,
                 kn_mailer_cb cb, void *ctx) {
    job *j;

    if (!kn_sms_phone_ok(to) || text == NULL || cb == NULL)
        return KN_EINVAL;
    if ((j = calloc(1, sizeof(*j))) == NULL || (j->text = strdup(text)) == NULL) {
        free(j);
        return KN_ENOMEM;
    }
    j->cfg = *c;
    strcpy(j->to, to);
    j->cb = cb;
    j->ctx = ctx;
    j->req.data = j;
    if (uv_queue_work(loop, &j->req, on_work, on_done) != 0) {
        job_free(j);
        return KN_EIO;
    }
    return 0;
}
