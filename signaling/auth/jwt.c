/*
 * jwt.c: HS256 JWT verify and sign (RFC 7519 / 7515 / 7518 §3.2) with OpenSSL
 * HMAC and jansson. The signature is checked in constant time before the
 * payload is parsed; alg must be exactly "HS256".
 */
#include "auth/jwt.h"

#include <stdbool.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/err.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64val(char c) {
    const char *hit = c ? strchr(b64url, c) : NULL;
    return hit ? (int)(hit - b64url) : -1;
}

int kn_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap) {
    size_t n = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    if (len % 4 == 1)
        return KN_EINVAL;
    for (size_t i = 0; i < len; i++) {
        int v = b64val(in[i]);
        if (v < 0)
            return KN_EINVAL; /* also rejects '=' padding and the standard alphabet's +/ */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return KN_EINVAL;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1))
        return KN_EINVAL; /* non-zero leftover bits: not canonical */
    return (int)n;
}

size_t kn_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
    size_t n = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6 && n < cap) {
            bits -= 6;
            out[n++] = b64url[(acc >> bits) & 63];
        }
    }
    if (bits > 0 && n < cap)
        out[n++] = b64url[(acc << (6 - bits)) & 63];
    return n;
}

int kn_jwt_ident_ok(const char *s, size_t len) {
    if (len == 0 || len > KN_JWT_ROOM_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static json_t *decode_json(const char *part, size_t len) {
    uint8_t raw[2048];
    int n = kn_b64url_decode(part, len, raw, sizeof(raw));
    if (n <= 0)
        return NULL;
    json_t *j = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int check_header(const char *h, size_t len) {
    json_t *hdr = decode_json(h, len);
    if (hdr == NULL)
        return KN_EINVAL;
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    int rc = alg != NULL && strcmp(alg, "HS256") == 0 ? 0 : KN_EAUTH;
    json_decref(hdr);
    return rc;
}

static int check_signature(const char *signed_part, size_t signed_len, const char *sig,
                           size_t sig_len, const uint8_t *secret, size_t secret_len) {
    uint8_t want[EVP_MAX_MD_SIZE], got[64];
    unsigned want_len = 0;
    int n = kn_b64url_decode(sig, sig_len, got, sizeof(got));
    if (n < 0)
        return KN_EINVAL;
    if (HMAC(EVP_sha256(), secret, (int)secret_len, (const uint8_t *)signed_part, signed_len, want,
             &want_len) == NULL)
        return KN_EAUTH;
    if ((unsigned)n != want_len || CRYPTO_memcmp(want, got, want_len) != 0)
        return KN_EAUTH;
    return 0;
}

/* WHIP/WHEP roles and the room roles of docs/signaling-protocol.md. */
static bool role_ok(const char *role) {
    static const char *const roles[] = {"publish", "subscribe", "host", "guest", "listener"};
    for (size_t i = 0; role != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

static int read_claims(json_t *payload, kn_jwt_claims *out) {
    const char *room = json_string_value(json_object_get(payload, "room"));
    const char *role = json_string_value(json_object_get(payload, "role"));
    json_t *exp = json_object_get(payload, "exp");
    if (room == NULL || !kn_jwt_ident_ok(room, strlen(room)) || !role_ok(role) ||
        !json_is_integer(exp))
        return KN_EINVAL;
    memcpy(out->room, room, strlen(room) + 1);
    memcpy(out->role, role, strlen(role) + 1);
    out->exp = json_integer_value(exp);
    return 0;
}

int kn_jwt_verify(const uint8_t *token, size_t len, const uint8_t *secret, size_t secret_len,
                  int64_t now, kn_jwt_claims *out) {
    const char *t = (const char *)token;
    memset(out, 0, sizeof(*out));
    if (len == 0 || len > KN_JWT_MAX_LEN)
        return KN_EINVAL;
    const char *d1 = memchr(t, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - t)) : NULL;
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - t)) != NULL)
        return KN_EINVAL;
    int rc = check_header(t, (size_t)(d1 - t));
    if (rc == 0)
        rc = check_signature(t, (size_t)(d2 - t), d2 + 1, len - (size_t)(d2 + 1 - t), secret,
                             secret_len);
    if (rc != 0)
        return rc;
    json_t *payload = decode_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (payload == NULL)
        return KN_EINVAL;
    rc = read_claims(payload, out);
    json_decref(payload);
    if (rc == 0 && now >= out->exp)
        rc = KN_ESTATE;
    return rc;
}

int kn_jwt_sign(const kn_jwt_claims *claims, const uint8_t *secret, size_t secret_len, char *buf,
                size_t cap) {
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char tmp[KN_JWT_MAX_LEN];
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    if (!kn_jwt_ident_ok(claims->room, strlen(claims->room)) || !role_ok(claims->role))
        return KN_EINVAL;
    json_t *p = json_pack("{s:s, s:s, s:I}", "room", claims->room, "role", claims->role, "exp",
                          (json_int_t)claims->exp);
    char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (payload == NULL)
        return KN_ENOMEM;
    size_t n = kn_b64url_encode((const uint8_t *)header, strlen(header), tmp, sizeof(tmp) - 1);
    tmp[n++] = '.';
    n += kn_b64url_encode((const uint8_t *)payload, strlen(payload), tmp + n, sizeof(tmp) - n);
    free(payload);
    if (HMAC(EVP_sha256(), secret, (int)secret_len, (uint8_t *)tmp, n, mac, &mac_len) == NULL)
        return KN_ENOMEM;
    if (n + 2 + (mac_len * 4 + 2) / 3 > cap)
        return KN_ELIMIT;
    memcpy(buf, tmp, n);
    buf[n++] = '.';
    n += kn_b64url_encode(mac, mac_len, buf + n, cap - n);
    buf[n] = '\0';
    return 0;
}
