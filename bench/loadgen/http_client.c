/*
 * http_client.c: blocking HTTP/1.1 over TCP or OpenSSL TLS for WHIP/WHEP setup,
 * and HS256 token minting (see http_client.h). Setup only, never in the media loop.
 */
#include "http_client.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>

#include "core/err.h"

typedef struct url_parts {
    int tls;
    char host[256];
    char port[8];
    const char *path;
} url_parts;

static int parse_url(const char *url, url_parts *u) {
    const char *p;
    memset(u, 0, sizeof(*u));
    if (strncmp(url, "https://", 8) == 0) {
        u->tls = 1;
        p = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        return KN_EINVAL;
    }
    const char *slash = strchr(p, '/');
    u->path = slash ? slash : "/";
    size_t hl = slash ? (size_t)(slash - p) : strlen(p);
    const char *colon = memchr(p, ':', hl);
    size_t nl = colon ? (size_t)(colon - p) : hl;
    size_t pl = colon ? hl - nl - 1 : 0;
    if (nl == 0 || nl >= sizeof(u->host) || pl >= sizeof(u->port))
        return KN_EINVAL;
    memcpy(u->host, p, nl);
    if (colon)
        memcpy(u->port, colon + 1, pl);
    else
        strcpy(u->port, u->tls ? "443" : "80");
    return 0;
}

static int tcp_connect(const url_parts *u) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(u->host, u->port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    struct timeval tv = {.tv_sec = 10};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

typedef struct conn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
} conn;

static int conn_write(conn *c, const char *p, size_t len) {
    while (len > 0) {
        long n = c->ssl ? SSL_write(c->ssl, p, (int)len) : write(c->fd, p, len);
        if (n <= 0)
            return KN_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until EOF into a malloc'd NUL-terminated buffer. */
static int conn_read_all(conn *c, char **out, size_t *out_len) {
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return KN_ENOMEM;
    for (;;) {
        if (cap - len < 4096) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                return KN_ENOMEM;
            }
            buf = b;
            cap *= 2;
        }
        long n = c->ssl ? SSL_read(c->ssl, buf + len, (int)(cap - len - 1))
                        : read(c->fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

static int conn_open(conn *c, const url_parts *u) {
    memset(c, 0, sizeof(*c));
    if ((c->fd = tcp_connect(u)) < 0)
        return KN_EIO;
    if (!u->tls)
        return 0;
    if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
        (c->ssl = SSL_new(c->ctx)) == NULL)
        return KN_ENOMEM;
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, u->host);
    return SSL_connect(c->ssl) == 1 ? 0 : KN_EIO;
}

static void conn_close(conn *c) {
    if (c->ssl)
        SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
}

/* Decodes a chunked body in place. */
static int dechunk(char *b, size_t *len) {
    char *in = b, *out = b, *end = b + *len;
    for (;;) {
        char *nl = strstr(in, "\r\n");
        if (nl == NULL)
            return KN_EIO;
        size_t n = strtoul(in, NULL, 16);
        in = nl + 2;
        if (n == 0)
            break;
        if (in + n > end)
            return KN_EIO;
        memmove(out, in, n);
        out += n;
        in += n + 2;
    }
    *out = '\0';
    *len = (size_t)(out - b);
    return 0;
}

/* Splits the raw response into status, Location and body. */
static int parse_response(char *raw, size_t len, kn_http_resp *r) {
    char *hdr_end = strstr(raw, "\r\n\r\n");
    if (hdr_end == NULL || sscanf(raw, "HTTP/1.%*d %d", &r->status) != 1)
        return KN_EIO;
    *hdr_end = '\0';
    int chunked = 0;
    for (char *line = strstr(raw, "\r\n"); line && line < hdr_end; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, "location:", 9) == 0) {
            char *v = line + 9;
            v += strspn(v, " \t");
            size_t vl = strcspn(v, "\r\n");
            if (vl < sizeof(r->location))
                memcpy(r->location, v, vl), r->location[vl] = '\0';
        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0 && strstr(line, "chunked")) {
            chunked = 1;
        }
    }
    char *body = hdr_end + 4;
    size_t blen = len - (size_t)(body - raw);
    memmove(raw, body, blen + 1);
    r->body = raw;
    r->body_len = blen;
    return chunked ? dechunk(raw, &r->body_len) : 0;
}

int kn_http_request(const char *method, const char *url, const char *bearer,
                    const char *content_type, const char *body, kn_http_resp *out) {
    url_parts u;
    conn c;
    char head[2048];
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = parse_url(url, &u)) != 0)
        return rc;
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof(head),
                     "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
                     "Content-Length: %zu\r\n%s%s%s%s%s%s\r\n",
                     method, u.path, u.host, u.port, blen, bearer ? "Authorization: Bearer " : "",
                     bearer ? bearer : "", bearer ? "\r\n" : "",
                     content_type ? "Content-Type: " : "", content_type ? content_type : "",
                     content_type ? "\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(head))
        return KN_EINVAL;
    char *raw = NULL;
    size_t raw_len = 0;
    if ((rc = conn_open(&c, &u)) == 0 && (rc = conn_write(&c, head, (size_t)n)) == 0 &&
        (rc = conn_write(&c, body ? body : "", blen)) == 0)
        rc = conn_read_all(&c, &raw, &raw_len);
    conn_close(&c);
    if (rc == 0 && (rc = parse_response(raw, raw_len, out)) == 0)
        return 0;
    free(raw);
    memset(out, 0, sizeof(*out));
    return rc;
}

void kn_http_resp_free(kn_http_resp *r) {
    free(r->body);
    memset(r, 0, sizeof(*r));
}

int kn_http_resolve(const char *url, const char *location, char *out, size_t cap) {
    url_parts u;
    int rc = parse_url(url, &u);
    if (rc != 0)
        return rc;
    int n = location[0] == '/'
                ? snprintf(out, cap, "%s://%s:%s%s", u.tls ? "https" : "http", u.host, u.port, location)
                : snprintf(out, cap, "%s", location);
    return n < 0 || (size_t)n >= cap ? KN_ELIMIT : 0;
}

static size_t b64url(const uint8_t *in, size_t len, char *out) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        if (i + 1 < len)
            out[o++] = tab[v >> 6 & 63];
        if (i + 2 < len)
            out[o++] = tab[v & 63];
    }
    out[o] = '\0';
    return o;
}

int kn_http_mint_token(const char *secret, const char *room, const char *role, int64_t exp,
                       char *out, size_t cap) {
    static const char head[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char claims[256];
    int cl = snprintf(claims, sizeof(claims), "{\"room\":\"%s\",\"role\":\"%s\",\"exp\":%lld}", room,
                      role, (long long)exp);
    if (cl < 0 || (size_t)cl >= sizeof(claims) || cap < 4 * (sizeof(head) + (size_t)cl) / 3 + 64)
        return KN_ELIMIT;
    size_t n = b64url((const uint8_t *)head, sizeof(head) - 1, out);
    out[n++] = '.';
    n += b64url((const uint8_t *)claims, (size_t)cl, out + n);
    uint8_t mac[32];
    unsigned mac_len = 0;
    if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const uint8_t *)out, n, mac, &mac_len) == NULL)
        return KN_ECRYPTO;
    out[n++] = '.';
    b64url(mac, mac_len, out + n);
    return 0;
}
