/*
 * host.c: practices, host accounts and login (see host.h). Statement slots
 * KN_DB_SLOT_HOST + 0..11.
 */
#include "account/host.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"

enum {
    S_PRACTICE = KN_DB_SLOT_HOST,
    S_INSERT,
    S_ANY,
    S_LOGIN,
    S_FAILED,
    S_OK,
    S_TOTP_SET,
    S_GET,
};

static const char *const role_names[] = {"doctor", "therapist", "assistant"};

/* A valid hash of a random password, verified against when the e-mail is
 * unknown so the reply takes as long as for a known one. */
static const char dummy_hash[] = "$scrypt$ln=15,r=8,p=1$AAECAwQFBgcICQoLDA0ODw"
                                 "$6cL9fNeb-AKUkygaoedG6Ylm_9BT8p2ViWwWQCgKN-k";

int kn_host_role_parse(const char *s, kn_host_role *r) {
    for (int i = 0; s != NULL && i < 3; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *r = (kn_host_role)i;
            return 0;
        }
    return KN_EINVAL;
}

const char *kn_host_role_name(kn_host_role r) {
    return (unsigned)r < 3 ? role_names[r] : NULL;
}

int kn_host_practice_create(kn_db *db, const char *name, int64_t now, int64_t *id) {
    sqlite3_stmt *st;
    int rc;

    if (name == NULL || name[0] == '\0' || strlen(name) > 200)
        return KN_EINVAL;
    st = kn_db_stmt(db, S_PRACTICE, "INSERT INTO practices(name, created_at) VALUES(?, ?)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db->h);
    return 0;
}

static int email_ok(const char *e) {
    size_t n = e != NULL ? strlen(e) : 0;
    const char *at = n ? strchr(e, '@') : NULL;

    if (n < 3 || n >= KN_HOST_EMAIL_BUF || at == NULL || at == e || at[1] == '\0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e[i] <= 0x20 || e[i] == 0x7f || e[i] == '<' || e[i] == '>')
            return 0;
    return 1;
}

int kn_host_create(kn_db *db, int64_t practice_id, const char *email, kn_host_role role,
                   const char *password, int64_t now, kn_host *out) {
    char hash[KN_PASSWORD_HASH_BUF];
    sqlite3_stmt *st;
    int rc;

    if (!email_ok(email) || kn_host_role_name(role) == NULL || password == NULL ||
        strlen(password) < KN_PASSWORD_MIN_LEN)
        return KN_EINVAL;
    if ((rc = kn_password_hash(password, strlen(password), hash)) != 0)
        return rc;
    st = kn_db_stmt(db, S_INSERT,
                    "INSERT INTO hosts(practice_id, email, role, pw_hash, created_at)"
                    " VALUES(?,?,?,?,?)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, practice_id);
    sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, role_names[role], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now);
    rc = kn_db_exec_stmt(st);
    if (rc == KN_EEXIST) /* UNIQUE(email) or the practice foreign key */
        return sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_FOREIGNKEY ? KN_ENOENT
                                                                               : KN_EEXIST;
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_last_insert_rowid(db->h);
    out->practice_id = practice_id;
    snprintf(out->email, sizeof(out->email), "%s", email);
    out->role = role;
    return 0;
}

static int any_host(kn_db *db) {
    sqlite3_stmt *st = kn_db_stmt(db, S_ANY, "SELECT 1 FROM hosts LIMIT 1");
    int rc;
    if (st == NULL)
        return KN_EIO;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : KN_EIO;
}

int kn_host_create_first(kn_db *db, const char *practice_name, const char *email, kn_host_role role,
                         const char *password, int64_t now, kn_host *out) {
    int64_t practice;
    int rc;

    if (kn_db_begin(db) != 0)
        return KN_EIO;
    rc = any_host(db);
    if (rc == 1)
        rc = KN_EEXIST;
    if (rc == 0)
        rc = kn_host_practice_create(db, practice_name, now, &practice);
    if (rc == 0)
        rc = kn_host_create(db, practice, email, role, password, now, out);
    if (rc == 0)
        rc = kn_db_commit(db);
    if (rc != 0)
        kn_db_rollback(db);
    return rc;
}

int kn_host_get(kn_db *db, int64_t id, kn_host *out) {
    sqlite3_stmt *st = kn_db_stmt(db, S_GET,
                                  "SELECT id, practice_id, email, role, totp_secret IS NOT NULL"
                                  " FROM hosts WHERE id = ?");
    kn_host_role role = KN_HOST_ASSISTANT;
    int rc;

    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->practice_id = sqlite3_column_int64(st, 1);
        snprintf(out->email, sizeof(out->email), "%s", sqlite3_column_text(st, 2));
        kn_host_role_parse((const char *)sqlite3_column_text(st, 3), &role);
        out->role = role;
        out->has_totp = sqlite3_column_int(st, 4);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
}

static void login_row(sqlite3_stmt *st, kn_host_attempt *l) {
    kn_host_role role = KN_HOST_ASSISTANT;
    const void *secret = sqlite3_column_blob(st, 5);

    l->found = 1;
    l->host.id = sqlite3_column_int64(st, 0);
    l->host.practice_id = sqlite3_column_int64(st, 1);
    snprintf(l->host.email, sizeof(l->host.email), "%s", sqlite3_column_text(st, 2));
    kn_host_role_parse((const char *)sqlite3_column_text(st, 3), &role);
    l->host.role = role;
    snprintf(l->pw_hash, sizeof(l->pw_hash), "%s", sqlite3_column_text(st, 4));
    l->host.has_totp = secret != NULL && sqlite3_column_bytes(st, 5) == KN_TOTP_SECRET_LEN;
    if (l->host.has_totp)
        memcpy(l->totp_secret, secret, KN_TOTP_SECRET_LEN);
    l->totp_last_step = sqlite3_column_int64(st, 6);
    l->locked_until = sqlite3_column_int64(st, 7);
}

int kn_host_login_begin(kn_db *db, const char *email, kn_host_attempt *l) {
    sqlite3_stmt *st = kn_db_stmt(db, S_LOGIN,
                                  "SELECT id, practice_id, email, role, pw_hash, totp_secret,"
                                  " totp_last_step, locked_until FROM hosts WHERE email = ?");
    int rc;

    memset(l, 0, sizeof(*l));
    snprintf(l->pw_hash, sizeof(l->pw_hash), "%s", dummy_hash);
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, email != NULL ? email : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        login_row(st, l);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : KN_EIO;
}

void kn_host_login_verify(kn_host_attempt *l, const char *password, const char *totp, int64_t now) {
    int pw = kn_password_verify(password != NULL ? password : "",
                                password != NULL ? strlen(password) : 0, l->pw_hash);

    if (!l->found || pw != 0)
        l->result = KN_EAUTH;
    else if (now < l->locked_until)
        l->result = KN_ELIMIT;
    else if (!l->host.has_totp)
        l->result = 0;
    else if (totp == NULL)
        l->result = KN_ESTATE;
    else
        l->result = kn_totp_verify(l->totp_secret, KN_TOTP_SECRET_LEN, now, totp, l->totp_last_step,
                                   &l->totp_step_used) == 0
                        ? 0
                        : KN_EAUTH;
    if (l->found && now < l->locked_until) /* a lock answers alike for right and wrong passwords */
        l->result = KN_ELIMIT;
}

static int record(kn_db *db, const kn_host_attempt *l, int64_t now) {
    sqlite3_stmt *st;

    if (l->result == 0) {
        st = kn_db_stmt(db, S_OK,
                        "UPDATE hosts SET failed_logins = 0,"
                        " totp_last_step = max(totp_last_step, ?2) WHERE id = ?1");
        if (st == NULL)
            return KN_EIO;
        sqlite3_bind_int64(st, 2, l->totp_step_used);
    } else {
        st = kn_db_stmt(db, S_FAILED,
                        "UPDATE hosts SET"
                        " locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3"
                        "  ELSE locked_until END,"
                        " failed_logins = CASE WHEN failed_logins + 1 >= ?2 THEN 0"
                        "  ELSE failed_logins + 1 END WHERE id = ?1");
        if (st == NULL)
            return KN_EIO;
        sqlite3_bind_int(st, 2, KN_HOST_MAX_FAILURES);
        sqlite3_bind_int64(st, 3, now + KN_HOST_LOCK_S);
    }
    sqlite3_bind_int64(st, 1, l->host.id);
    return kn_db_exec_stmt(st);
}

int kn_host_login_finish(kn_db *db, kn_host_attempt *l, int64_t now) {
    int rc = 0;

    /* A missing TOTP code is the first half of a login, not a failure;
     * a request while locked is not counted again. */
    if (l->found && l->result != KN_ESTATE && l->result != KN_ELIMIT)
        rc = record(db, l, now);
    OPENSSL_cleanse(l->totp_secret, sizeof(l->totp_secret));
    OPENSSL_cleanse(l->pw_hash, sizeof(l->pw_hash));
    return rc != 0 ? rc : l->result;
}

int kn_host_login(kn_db *db, const char *email, const char *password, const char *totp, int64_t now,
                  kn_host *out) {
    kn_host_attempt l;
    int rc;

    if ((rc = kn_host_login_begin(db, email, &l)) != 0)
        return rc;
    kn_host_login_verify(&l, password, totp, now);
    rc = kn_host_login_finish(db, &l, now);
    if (rc == 0)
        *out = l.host;
    return rc;
}

int kn_host_totp_enable(kn_db *db, int64_t host_id, const uint8_t secret[KN_TOTP_SECRET_LEN],
                        const char *confirm, int64_t now) {
    sqlite3_stmt *st;
    int64_t step;
    int rc;

    if (kn_totp_verify(secret, KN_TOTP_SECRET_LEN, now, confirm, 0, &step) != 0)
        return KN_EAUTH;
    st = kn_db_stmt(db, S_TOTP_SET,
                    "UPDATE hosts SET totp_secret = ?, totp_last_step = ? WHERE id = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_blob(st, 1, secret, KN_TOTP_SECRET_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, step);
    sqlite3_bind_int64(st, 3, host_id);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return sqlite3_changes(db->h) == 1 ? 0 : KN_ENOENT;
}

int kn_host_totp_disable(kn_db *db, int64_t host_id) {
    sqlite3_stmt *st = kn_db_stmt(
        db, S_TOTP_SET, "UPDATE hosts SET totp_secret = ?, totp_last_step = ? WHERE id = ?");
    int rc;

    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, 0);
    sqlite3_bind_int64(st, 3, host_id);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return sqlite3_changes(db->h) == 1 ? 0 : KN_ENOENT;
}
