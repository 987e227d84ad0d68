/*
 * jwt.h: HS256 JSON Web Tokens (RFC 7519, RFC 7515 compact form, RFC 7518
 * §3.2) with the claims Konsil uses: room, role, exp. Verification is a pure
 * function over the token bytes; only "HS256" is accepted (never "none").
 */
#ifndef KN_JWT_H
#define KN_JWT_H

#include <stddef.h>
#include <stdint.h>

#define KN_JWT_MAX_LEN  4096
#define KN_JWT_ROOM_MAX 64

typedef struct kn_jwt_claims {
    char room[KN_JWT_ROOM_MAX + 1];
    char role[16]; /* "publish", "subscribe" (WHIP/WHEP) or "host", "guest", "listener" (rooms) */
    int64_t exp;   /* seconds since the epoch */
} kn_jwt_claims;

/*
 * Verifies `token` (header.payload.signature, base64url without padding)
 * with HMAC-SHA256 over `secret`, then reads its claims. Returns 0,
 *   KN_EINVAL for malformed base64url, JSON or claims (room, role, exp missing
 *             or of the wrong type),
 *   KN_EAUTH  for an alg other than HS256 or a wrong signature,
 *   KN_ESTATE when now >= exp (expired).
 * The payload is parsed only after the signature verified.
 */
int kn_jwt_verify(const uint8_t *token, size_t len, const uint8_t *secret, size_t secret_len,
                  int64_t now, kn_jwt_claims *out);

/*
 * Writes a signed token for `claims` into buf (NUL-terminated). Returns 0,
 * KN_EINVAL for a room or role that verify would reject, KN_ELIMIT if cap is
 * too small, or KN_ENOMEM.
 */
int kn_jwt_sign(const kn_jwt_claims *claims, const uint8_t *secret, size_t secret_len, char *buf,
                size_t cap);

/* True if `s` is a valid room / identifier: 1–64 characters [A-Za-z0-9_.-]. */
int kn_jwt_ident_ok(const char *s, size_t len);

/* base64url without padding (RFC 4648 §5). decode returns the length or KN_EINVAL. */
int kn_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap);
size_t kn_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap);

#endif
