/*
 * appointment.c: appointments and invitees in the SQLite store (see
 * appointment.h). Statement slots KN_DB_SLOT_APPOINTMENT + 0..19.
 */
#include "store/appointment.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth/jwt.h"
#include "core/err.h"

enum {
    S_INSERT_APPT = KN_DB_SLOT_APPOINTMENT,
    S_INSERT_INVITEE,
    S_GET_APPT,
    S_LIST_APPT,
    S_LIST_INVITEES,
    S_SET_STATE,
    S_INVITEE_CODE,
    S_CODE_FAILED,
    S_CODE_OK,
    S_SET_CODE,
    S_GET_APPT_ID,
};

static const char *const type_names[] = {"one_to_one", "with_companion", "group"};
static const char *const role_names[] = {"patient", "interpreter", "relative"};
static const char *const state_names[] = {"scheduled", "active", "ended", "cancelled"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *kn_appointment_type_name(kn_appt_type t) {
    return (unsigned)t < COUNT(type_names) ? type_names[t] : NULL;
}

const char *kn_appointment_role_name(kn_invitee_role r) {
    return (unsigned)r < COUNT(role_names) ? role_names[r] : NULL;
}

const char *kn_appointment_state_name(kn_appt_state s) {
    return (unsigned)s < COUNT(state_names) ? state_names[s] : NULL;
}

static int find_name(const char *const *names, size_t n, const char *s) {
    for (size_t i = 0; s != NULL && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

int kn_appointment_type_parse(const char *s, kn_appt_type *t) {
    int i = find_name(type_names, COUNT(type_names), s);
    if (i < 0)
        return KN_EINVAL;
    *t = (kn_appt_type)i;
    return 0;
}

int kn_appointment_role_parse(const char *s, kn_invitee_role *r) {
    int i = find_name(role_names, COUNT(role_names), s);
    if (i < 0)
        return KN_EINVAL;
    *r = (kn_invitee_role)i;
    return 0;
}

int kn_appointment_check_roles(kn_appt_type type, const kn_invitee_role *roles, size_t n,
                               int creating) {
    size_t patients = 0, companions = 0;

    for (size_t i = 0; i < n; i++) {
        if (kn_appointment_role_name(roles[i]) == NULL)
            return KN_EINVAL;
        if (roles[i] == KN_ROLE_PATIENT)
            patients++;
        else
            companions++;
    }
    if (patients == 0 || n > KN_APPT_MAX_INVITEES)
        return KN_EINVAL;
    switch (type) {
    case KN_APPT_GROUP:
        return 0;
    case KN_APPT_ONE_TO_ONE:
        if (creating && companions > 0)
            return KN_EINVAL;
        break;
    case KN_APPT_WITH_COMPANION:
        if (creating && companions == 0)
            return KN_EINVAL;
        break;
    default:
        return KN_EINVAL;
    }
    return patients == 1 && companions <= KN_APPT_MAX_COMPANIONS ? 0 : KN_EINVAL;
}

int kn_appointment_new_public_id(char out[KN_PUBLIC_ID_BUF]) {
    uint8_t r[16];
    if (RAND_bytes(r, sizeof(r)) != 1)
        return KN_ECRYPTO;
    if (kn_b64url_encode(r, sizeof(r), out, KN_PUBLIC_ID_BUF) != KN_PUBLIC_ID_BUF - 1)
        return KN_ECRYPTO;
    out[KN_PUBLIC_ID_BUF - 1] = '\0';
    return 0;
}

static int64_t code_expiry(const kn_appointment *a) {
    return a->start_at + a->duration_s + KN_CODE_GRACE_S;
}

/* Fresh public id, pseudonym and code for `inv`; returns the code MAC. */
static int invitee_prepare(const uint8_t *key, const kn_appointment *a, kn_invitee_role role,
                           int ordinal, kn_invitee *inv, uint8_t mac[KN_ACCESS_CODE_MAC_LEN]) {
    char code10[KN_ACCESS_CODE_LEN + 1];
    int rc;

    memset(inv, 0, sizeof(*inv));
    inv->appointment_id = a->id;
    inv->role = role;
    inv->code_expires_at = code_expiry(a);
    snprintf(inv->pseudonym, sizeof(inv->pseudonym), "%s-%d", kn_appointment_role_name(role),
             ordinal);
    if ((rc = kn_appointment_new_public_id(inv->public_id)) != 0 ||
        (rc = kn_access_code_generate(inv->code)) != 0)
        return rc;
    kn_access_code_normalize(inv->code, strlen(inv->code), code10);
    rc = kn_access_code_mac(key, inv->public_id, code10, mac);
    OPENSSL_cleanse(code10, sizeof(code10));
    return rc;
}

static int invitee_insert(kn_db *db, const uint8_t *key, const kn_appointment *a,
                          kn_invitee_role role, int ordinal, int64_t now, kn_invitee *inv) {
    uint8_t mac[KN_ACCESS_CODE_MAC_LEN];
    sqlite3_stmt *st;
    int rc;

    if ((rc = invitee_prepare(key, a, role, ordinal, inv, mac)) != 0)
        return rc;
    st = kn_db_stmt(db, S_INSERT_INVITEE,
                    "INSERT INTO invitees(public_id, appointment_id, role, pseudonym, code_mac,"
                    " code_expires_at, created_at) VALUES(?,?,?,?,?,?,?)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, inv->public_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->id);
    sqlite3_bind_text(st, 3, kn_appointment_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, inv->pseudonym, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, mac, sizeof(mac), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, inv->code_expires_at);
    sqlite3_bind_int64(st, 7, now);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    inv->id = sqlite3_last_insert_rowid(db->h);
    return 0;
}

static int appt_insert(kn_db *db, kn_appointment *a, int64_t now) {
    sqlite3_stmt *st;
    int rc;

    st = kn_db_stmt(db, S_INSERT_APPT,
                    "INSERT INTO appointments(public_id, practice_id, host_id, start_at,"
                    " duration_s, type, created_at) VALUES(?,?,?,?,?,?,?)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, a->public_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->practice_id);
    if (a->host_id != 0)
        sqlite3_bind_int64(st, 3, a->host_id);
    sqlite3_bind_int64(st, 4, a->start_at);
    sqlite3_bind_int(st, 5, a->duration_s);
    sqlite3_bind_text(st, 6, kn_appointment_type_name(a->type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    rc = kn_db_exec_stmt(st);
    if (rc == KN_EEXIST) /* a foreign key: practice or host does not exist */
        return KN_ENOENT;
    a->id = sqlite3_last_insert_rowid(db->h);
    return rc;
}

static int ordinal_of(const kn_invitee_role *roles, size_t i) {
    int k = 1;
    for (size_t j = 0; j < i; j++)
        k += roles[j] == roles[i];
    return k;
}

int kn_appointment_create(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN], kn_appointment *a,
                          const kn_invitee_role *roles, size_t n, int64_t now, kn_invitee *out) {
    int rc;

    if (kn_appointment_check_roles(a->type, roles, n, 1) != 0 || a->duration_s < 300 ||
        a->duration_s > 28800 || a->start_at + a->duration_s <= now || a->practice_id <= 0)
        return KN_EINVAL;
    a->state = KN_APPT_SCHEDULED;
    if ((rc = kn_appointment_new_public_id(a->public_id)) != 0)
        return rc;
    if (kn_db_begin(db) != 0)
        return KN_EIO;
    if ((rc = appt_insert(db, a, now)) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if ((rc = invitee_insert(db, key, a, roles[i], ordinal_of(roles, i), now, &out[i])) != 0)
            goto fail;
    if ((rc = kn_db_commit(db)) != 0)
        goto fail;
    return 0;

fail:
    kn_db_rollback(db);
    for (size_t i = 0; i < n; i++)
        OPENSSL_cleanse(&out[i], sizeof(out[i]));
    return rc;
}

#define APPT_COLS "id, public_id, practice_id, host_id, start_at, duration_s, type, state"

static void appt_row(sqlite3_stmt *st, kn_appointment *a) {
    const char *pid = (const char *)sqlite3_column_text(st, 1);
    kn_appt_type type = KN_APPT_ONE_TO_ONE;
    int state =
        find_name(state_names, COUNT(state_names), (const char *)sqlite3_column_text(st, 7));

    memset(a, 0, sizeof(*a));
    a->id = sqlite3_column_int64(st, 0);
    snprintf(a->public_id, sizeof(a->public_id), "%s", pid != NULL ? pid : "");
    a->practice_id = sqlite3_column_int64(st, 2);
    a->host_id = sqlite3_column_int64(st, 3);
    a->start_at = sqlite3_column_int64(st, 4);
    a->duration_s = sqlite3_column_int(st, 5);
    kn_appointment_type_parse((const char *)sqlite3_column_text(st, 6), &type);
    a->type = type;
    a->state = state < 0 ? KN_APPT_CANCELLED : (kn_appt_state)state;
}

static int one_appt(sqlite3_stmt *st, kn_appointment *out) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        appt_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
}

int kn_appointment_get(kn_db *db, const char *public_id, int64_t practice_id, kn_appointment *out) {
    sqlite3_stmt *st = kn_db_stmt(db, S_GET_APPT,
                                  "SELECT " APPT_COLS " FROM appointments WHERE public_id = ?"
                                  " AND (?2 = 0 OR practice_id = ?2)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, practice_id);
    return one_appt(st, out);
}

static int appt_by_id(kn_db *db, int64_t id, kn_appointment *out) {
    sqlite3_stmt *st =
        kn_db_stmt(db, S_GET_APPT_ID, "SELECT " APPT_COLS " FROM appointments WHERE id = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    return one_appt(st, out);
}

int kn_appointment_list(kn_db *db, int64_t practice_id, int64_t from, int64_t to,
                        kn_appointment *out, size_t cap, size_t *n) {
    sqlite3_stmt *st = kn_db_stmt(db, S_LIST_APPT,
                                  "SELECT " APPT_COLS " FROM appointments WHERE practice_id = ?"
                                  " AND start_at >= ? AND start_at < ? ORDER BY start_at LIMIT ?");
    int rc;

    *n = 0;
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, practice_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        appt_row(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : KN_EIO;
}

#define INVITEE_COLS "id, appointment_id, public_id, role, pseudonym, code_expires_at"

static void invitee_row(sqlite3_stmt *st, kn_invitee *inv) {
    kn_invitee_role role = KN_ROLE_PATIENT;

    memset(inv, 0, sizeof(*inv));
    inv->id = sqlite3_column_int64(st, 0);
    inv->appointment_id = sqlite3_column_int64(st, 1);
    snprintf(inv->public_id, sizeof(inv->public_id), "%s", sqlite3_column_text(st, 2));
    kn_appointment_role_parse((const char *)sqlite3_column_text(st, 3), &role);
    inv->role = role;
    snprintf(inv->pseudonym, sizeof(inv->pseudonym), "%s", sqlite3_column_text(st, 4));
    inv->code_expires_at = sqlite3_column_int64(st, 5);
}

int kn_appointment_invitees(kn_db *db, int64_t appointment_id, kn_invitee *out, size_t cap,
                            size_t *n) {
    sqlite3_stmt *st = kn_db_stmt(db, S_LIST_INVITEES,
                                  "SELECT " INVITEE_COLS " FROM invitees WHERE appointment_id = ?"
                                  " ORDER BY id LIMIT ?");
    int rc;

    *n = 0;
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, appointment_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        invitee_row(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : KN_EIO;
}

int kn_appointment_set_state(kn_db *db, int64_t id, kn_appt_state from, kn_appt_state to) {
    sqlite3_stmt *st;
    int rc;

    if (kn_appointment_state_name(from) == NULL || kn_appointment_state_name(to) == NULL)
        return KN_EINVAL;
    st =
        kn_db_stmt(db, S_SET_STATE, "UPDATE appointments SET state = ? WHERE id = ? AND state = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, state_names[to], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, state_names[from], -1, SQLITE_STATIC);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return sqlite3_changes(db->h) == 1 ? 0 : KN_ESTATE;
}

int kn_appointment_add_invitee(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                               int64_t appointment_id, kn_invitee_role role, int64_t now,
                               kn_invitee *out) {
    kn_invitee cur[KN_APPT_MAX_INVITEES + 1];
    kn_invitee_role roles[KN_APPT_MAX_INVITEES + 1];
    kn_appointment a;
    size_t n;
    int rc;

    if ((rc = appt_by_id(db, appointment_id, &a)) != 0)
        return rc;
    if (a.state == KN_APPT_ENDED || a.state == KN_APPT_CANCELLED)
        return KN_ESTATE;
    if ((rc = kn_appointment_invitees(db, appointment_id, cur, KN_APPT_MAX_INVITEES, &n)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        roles[i] = cur[i].role;
    roles[n] = role;
    if (kn_appointment_check_roles(a.type, roles, n + 1, 0) != 0)
        return KN_EINVAL;
    rc = invitee_insert(db, key, &a, role, ordinal_of(roles, n), now, out);
    if (rc != 0)
        OPENSSL_cleanse(out, sizeof(*out));
    return rc;
}

static int invitee_code_row(sqlite3_stmt *st, kn_invitee_code *out) {
    const void *mac;
    int state;

    invitee_row(st, &out->invitee);
    mac = sqlite3_column_blob(st, 6);
    out->has_mac = mac != NULL && sqlite3_column_bytes(st, 6) == KN_ACCESS_CODE_MAC_LEN;
    if (out->has_mac)
        memcpy(out->mac, mac, KN_ACCESS_CODE_MAC_LEN);
    out->locked_until = sqlite3_column_int64(st, 7);
    state = find_name(state_names, COUNT(state_names), (const char *)sqlite3_column_text(st, 8));
    out->appt_state = state < 0 ? KN_APPT_CANCELLED : (kn_appt_state)state;
    return 0;
}

int kn_appointment_invitee_code(kn_db *db, const char *invite_id, kn_invitee_code *out) {
    sqlite3_stmt *st = kn_db_stmt(
        db, S_INVITEE_CODE,
        "SELECT i.id, i.appointment_id, i.public_id, i.role, i.pseudonym, i.code_expires_at,"
        " i.code_mac, i.code_locked_until, a.state FROM invitees i"
        " JOIN appointments a ON a.id = i.appointment_id WHERE i.public_id = ?");
    int rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_text(st, 1, invite_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        invitee_code_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
}

int kn_appointment_code_failed(kn_db *db, int64_t invitee_id, int64_t now) {
    sqlite3_stmt *st = kn_db_stmt(
        db, S_CODE_FAILED,
        "UPDATE invitees SET"
        " code_locked_until = CASE WHEN code_failures + 1 >= ?2 THEN ?3 ELSE code_locked_until END,"
        " code_failures = CASE WHEN code_failures + 1 >= ?2 THEN 0 ELSE code_failures + 1 END"
        " WHERE id = ?1");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, invitee_id);
    sqlite3_bind_int(st, 2, KN_CODE_MAX_FAILURES);
    sqlite3_bind_int64(st, 3, now + KN_CODE_LOCK_S);
    return kn_db_exec_stmt(st);
}

int kn_appointment_code_ok(kn_db *db, int64_t invitee_id) {
    sqlite3_stmt *st =
        kn_db_stmt(db, S_CODE_OK, "UPDATE invitees SET code_failures = 0 WHERE id = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, invitee_id);
    return kn_db_exec_stmt(st);
}

int kn_appointment_reissue_code(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                                const char *invite_id, int64_t now, kn_invitee *out) {
    char code10[KN_ACCESS_CODE_LEN + 1];
    uint8_t mac[KN_ACCESS_CODE_MAC_LEN];
    kn_invitee_code cur;
    kn_appointment a;
    sqlite3_stmt *st;
    int rc;

    if ((rc = kn_appointment_invitee_code(db, invite_id, &cur)) != 0 ||
        (rc = appt_by_id(db, cur.invitee.appointment_id, &a)) != 0)
        return rc;
    if (now >= code_expiry(&a) || a.state == KN_APPT_CANCELLED)
        return KN_ESTATE;
    *out = cur.invitee;
    out->code_expires_at = code_expiry(&a);
    if ((rc = kn_access_code_generate(out->code)) != 0)
        return rc;
    kn_access_code_normalize(out->code, strlen(out->code), code10);
    rc = kn_access_code_mac(key, out->public_id, code10, mac);
    OPENSSL_cleanse(code10, sizeof(code10));
    st = kn_db_stmt(db, S_SET_CODE,
                    "UPDATE invitees SET code_mac = ?, code_expires_at = ?, code_failures = 0,"
                    " code_locked_until = 0 WHERE id = ?");
    if (rc != 0 || st == NULL) {
        OPENSSL_cleanse(out, sizeof(*out));
        return rc != 0 ? rc : KN_EIO;
    }
    sqlite3_bind_blob(st, 1, mac, sizeof(mac), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, out->code_expires_at);
    sqlite3_bind_int64(st, 3, out->id);
    return kn_db_exec_stmt(st);
}
