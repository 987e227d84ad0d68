/*
 * session.c: host sessions stored by token hash with a generation for
 * "logout everywhere" (see session.h). Statement slots KN_DB_SLOT_SESSION+.
 */
#include "account/session.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/jwt.h"
#include "core/err.h"

enum {
    S_INSERT = KN_DB_SLOT_SESSION,
    S_CHECK,
    S_DELETE,
    S_BUMP,
    S_DELETE_HOST,
};

#define TOKEN_RAW 32

static int token_hash(const char *token, size_t len, uint8_t out[32]) {
    unsigned int n = 0;
    if (len != KN_SESSION_TOKEN_BUF - 1)
        return KN_EAUTH;
    return EVP_Digest(token, len, out, &n, EVP_sha256(), NULL) == 1 ? 0 : KN_ECRYPTO;
}

int kn_session_create(kn_db *db, int64_t host_id, int64_t now, int64_t ttl_s,
                      char token[KN_SESSION_TOKEN_BUF]) {
    uint8_t raw[TOKEN_RAW], h[32];
    sqlite3_stmt *st;
    int rc;

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return KN_ECRYPTO;
    token[kn_b64url_encode(raw, sizeof(raw), token, KN_SESSION_TOKEN_BUF - 1)] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    if ((rc = token_hash(token, strlen(token), h)) != 0)
        return rc;
    st = kn_db_stmt(db, S_INSERT,
                    "INSERT INTO sessions(token_hash, host_id, gen, created_at, expires_at)"
                    " SELECT ?1, id, session_gen, ?3, ?4 FROM hosts WHERE id = ?2");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, host_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now + ttl_s);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return sqlite3_changes(db->h) == 1 ? 0 : KN_ENOENT;
}

int kn_session_check(kn_db *db, const char *token, size_t len, int64_t now, int64_t *host_id) {
    uint8_t h[32];
    sqlite3_stmt *st;
    int rc;

    if ((rc = token_hash(token, len, h)) != 0)
        return rc;
    st = kn_db_stmt(db, S_CHECK,
                    "SELECT s.host_id FROM sessions s JOIN hosts h ON h.id = s.host_id"
                    " WHERE s.token_hash = ? AND s.expires_at > ? AND s.gen = h.session_gen");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *host_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KN_EAUTH : KN_EIO;
}

int kn_session_logout(kn_db *db, const char *token, size_t len) {
    uint8_t h[32];
    sqlite3_stmt *st;

    if (token_hash(token, len, h) != 0)
        return 0;
    if ((st = kn_db_stmt(db, S_DELETE, "DELETE FROM sessions WHERE token_hash = ?")) == NULL)
        return KN_EIO;
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    return kn_db_exec_stmt(st);
}

int kn_session_logout_everywhere(kn_db *db, int64_t host_id) {
    sqlite3_stmt *st;
    int rc;

    st = kn_db_stmt(db, S_BUMP, "UPDATE hosts SET session_gen = session_gen + 1 WHERE id = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, host_id);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    if (sqlite3_changes(db->h) != 1)
        return KN_ENOENT;
    if ((st = kn_db_stmt(db, S_DELETE_HOST, "DELETE FROM sessions WHERE host_id = ?")) == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, host_id);
    return kn_db_exec_stmt(st);
}

int kn_session_cookie(const char *token, int64_t max_age, char *out, size_t cap) {
    int n = snprintf(out, cap, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Strict",
                     KN_SESSION_COOKIE, max_age > 0 ? token : "", (long long)max_age);
    return n < 0 || (size_t)n >= cap ? KN_ELIMIT : 0;
}
