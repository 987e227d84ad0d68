/*
 * session.h: host login sessions. A token is 32 random bytes (base64url, 43
 * characters) handed to the browser in a cookie; the store keeps only its
 * SHA-256, so a database copy holds no usable session. Each session records
 * the host's session generation at login; "logout everywhere" bumps the
 * generation, which invalidates every older session at once. Signaling loop
 * (one indexed statement per call).
 */
#ifndef KN_SESSION_H
#define KN_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define KN_SESSION_TOKEN_BUF 44
#define KN_SESSION_TTL_S     (12 * 3600)
#define KN_SESSION_COOKIE    "kn_session"

/* New session for `host_id`, valid `ttl_s` from `now`. Returns 0, KN_ENOENT
 * (no such host), KN_EIO or KN_ECRYPTO. */
int kn_session_create(kn_db *db, int64_t host_id, int64_t now, int64_t ttl_s,
                      char token[KN_SESSION_TOKEN_BUF]);

/* Resolves a token to its host. Returns 0, KN_EAUTH (unknown, expired or
 * older than the host's generation; the three look alike) or KN_EIO. */
int kn_session_check(kn_db *db, const char *token, size_t len, int64_t now, int64_t *host_id);

/* Ends one session. Returns 0 (also when it did not exist) or KN_EIO. */
int kn_session_logout(kn_db *db, const char *token, size_t len);

/* Ends every session of `host_id` (bumps the generation, deletes the rows).
 * Returns 0, KN_ENOENT or KN_EIO. */
int kn_session_logout_everywhere(kn_db *db, int64_t host_id);

/* Set-Cookie value: "kn_session=TOKEN; Path=/; Max-Age=N; HttpOnly; Secure;
 * SameSite=Strict" (max_age 0 clears it). Returns 0 or KN_ELIMIT. */
int kn_session_cookie(const char *token, int64_t max_age, char *out, size_t cap);

#endif
