/*
 * http_client.h: a blocking HTTP/1.1 client for WHIP/WHEP setup (RFC 9725):
 * one request per connection (Connection: close), plain TCP or TLS over OpenSSL.
 * The load generator calls it only before its media loop starts, so blocking is
 * harmless. TLS does not verify the server certificate: konsil-signaling runs
 * with a self-signed one on the benchmark host (a measurement tool, not a client
 * for untrusted networks). Also mints the HS256 tokens konsil-signaling checks.
 */
#ifndef KN_HTTP_CLIENT_H
#define KN_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct kn_http_resp {
    int status;
    char location[512]; /* Location header, "" if absent */
    char *body;         /* NUL-terminated, malloc'd; free with kn_http_resp_free */
    size_t body_len;
} kn_http_resp;

/*
 * Sends `method` to `url` ("http://host:port/path" or "https://...") with an
 * optional bearer token and body. Returns 0 and *out (any status),
 *   KN_EINVAL for a bad URL, KN_EIO for connect/TLS/IO failures or a malformed
 *   response, KN_ENOMEM. Times out after 10 s per operation.
 */
int kn_http_request(const char *method, const char *url, const char *bearer,
                    const char *content_type, const char *body, kn_http_resp *out);

void kn_http_resp_free(kn_http_resp *r);

/* Resolves a Location (absolute or "/path") against the request URL into out. */
int kn_http_resolve(const char *url, const char *location, char *out, size_t cap);

/* HS256 JWT {"room","role","exp"} signed with `secret` (konsil-signaling's format,
 * signaling/auth/jwt.h). Returns 0, KN_ELIMIT or KN_ECRYPTO. */
int kn_http_mint_token(const char *secret, const char *room, const char *role, int64_t exp,
                       char *out, size_t cap);

#endif
