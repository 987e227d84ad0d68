/*
 * consultation.c: consultation metadata rows (see consultation.h).
 * Statement slots KN_DB_SLOT_CONSULTATION + 0..7.
 */
#include "store/consultation.h"

#include <string.h>

#include "core/err.h"

enum {
    S_BEGIN = KN_DB_SLOT_CONSULTATION,
    S_JOINED,
    S_END,
    S_GET,
    S_EXISTS,
};

int kn_consultation_begin(kn_db *db, int64_t practice_id, kn_appt_type type, kn_host_role host_role,
                          int64_t now, int64_t *id) {
    sqlite3_stmt *st;
    int rc;

    if (kn_appointment_type_name(type) == NULL || kn_host_role_name(host_role) == NULL)
        return KN_EINVAL;
    st = kn_db_stmt(db, S_BEGIN,
                    "INSERT INTO consultations(practice_id, type, host_role, started_at,"
                    " peak_participants) VALUES(?,?,?,?,1)");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, practice_id);
    sqlite3_bind_text(st, 2, kn_appointment_type_name(type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kn_host_role_name(host_role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc == KN_EEXIST ? KN_ENOENT : rc;
    *id = sqlite3_last_insert_rowid(db->h);
    return 0;
}

static int changed_or_missing(kn_db *db, int64_t id) {
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_changes(db->h) == 1)
        return 0;
    if ((st = kn_db_stmt(db, S_EXISTS, "SELECT 1 FROM consultations WHERE id = ?")) == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? KN_ESTATE : rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
}

int kn_consultation_joined(kn_db *db, int64_t id, kn_invitee_role role, int participants_now) {
    sqlite3_stmt *st;
    int rc;

    if (kn_appointment_role_name(role) == NULL || participants_now < 1 ||
        participants_now > KN_APPT_MAX_PARTICIPANTS)
        return KN_EINVAL;
    st = kn_db_stmt(db, S_JOINED,
                    "UPDATE consultations SET"
                    " patients = patients + (?2 = 0), interpreters = interpreters + (?2 = 1),"
                    " relatives = relatives + (?2 = 2),"
                    " peak_participants = max(peak_participants, ?3) WHERE id = ?1");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, (int)role);
    sqlite3_bind_int(st, 3, participants_now);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return changed_or_missing(db, id);
}

int kn_consultation_end(kn_db *db, int64_t id, int64_t now) {
    sqlite3_stmt *st;
    int rc;

    st = kn_db_stmt(db, S_END,
                    "UPDATE consultations SET ended_at = ? WHERE id = ? AND ended_at IS NULL");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    return changed_or_missing(db, id);
}

int kn_consultation_get(kn_db *db, int64_t id, kn_consultation *out) {
    sqlite3_stmt *st = kn_db_stmt(db, S_GET,
                                  "SELECT id, practice_id, type, host_role, started_at,"
                                  " coalesce(ended_at, 0), patients, interpreters, relatives,"
                                  " peak_participants FROM consultations WHERE id = ?");
    kn_appt_type type = KN_APPT_ONE_TO_ONE;
    kn_host_role role = KN_HOST_DOCTOR;
    int rc;

    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->practice_id = sqlite3_column_int64(st, 1);
        kn_appointment_type_parse((const char *)sqlite3_column_text(st, 2), &type);
        kn_host_role_parse((const char *)sqlite3_column_text(st, 3), &role);
        out->type = type;
        out->host_role = role;
        out->started_at = sqlite3_column_int64(st, 4);
        out->ended_at = sqlite3_column_int64(st, 5);
        out->patients = sqlite3_column_int(st, 6);
        out->interpreters = sqlite3_column_int(st, 7);
        out->relatives = sqlite3_column_int(st, 8);
        out->peak_participants = sqlite3_column_int(st, 9);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
}
