/*
 * test_store.c: the SQLite store: pragmas (WAL, foreign keys), idempotent
 * migrations on a file, appointment composition rules, create/list/get,
 * state changes, invitees without names or contacts, code reissue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "store/appointment.h"
#include "store/db.h"

#define NOW 1800000000LL
static const uint8_t key[KN_ACCESS_CODE_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

static int64_t add_practice(kn_db *db) {
    assert_int_equal(
        sqlite3_exec(db->h, "INSERT INTO practices(name, created_at) VALUES('P', 1)", 0, 0, 0),
        SQLITE_OK);
    return sqlite3_last_insert_rowid(db->h);
}

static int64_t query_int(kn_db *db, const char *sql) {
    sqlite3_stmt *st;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void file_db_is_wal_and_migrations_idempotent(void **state) {
    char path[] = "/tmp/kn_store_XXXXXX";
    char wal[64], shm[64];
    kn_db db;
    int v;
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    assert_int_equal(kn_db_open(&db, path), 0);
    assert_int_equal(kn_db_version(&db, &v), 0);
    assert_int_equal(v, kn_db_latest_version());
    assert_true(v >= 1);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db.h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(query_int(&db, "PRAGMA foreign_keys"), 1);
    add_practice(&db);
    kn_db_close(&db);
    /* Reopening applies nothing twice and keeps the data. */
    assert_int_equal(kn_db_open(&db, path), 0);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM schema_version"), v);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM practices"), 1);
    kn_db_close(&db);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    snprintf(shm, sizeof(shm), "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
}

static void newer_schema_is_refused(void **state) {
    char path[] = "/tmp/kn_store_XXXXXX";
    kn_db db;
    (void)state;
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    assert_int_equal(kn_db_open(&db, path), 0);
    assert_int_equal(sqlite3_exec(db.h, "INSERT INTO schema_version(version) VALUES(999)", 0, 0, 0),
                     SQLITE_OK);
    kn_db_close(&db);
    assert_int_equal(kn_db_open(&db, path), KN_EIO);
    unlink(path);
}

static void composition_rules(void **state) {
    const kn_invitee_role p = KN_ROLE_PATIENT, i = KN_ROLE_INTERPRETER, r = KN_ROLE_RELATIVE;
    kn_invitee_role v[10];
    (void)state;
    v[0] = p;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_ONE_TO_ONE, v, 1, 1), 0);
    assert_int_equal(kn_appointment_check_roles(KN_APPT_WITH_COMPANION, v, 1, 1), KN_EINVAL);
    v[1] = i;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_ONE_TO_ONE, v, 2, 1), KN_EINVAL);
    assert_int_equal(kn_appointment_check_roles(KN_APPT_ONE_TO_ONE, v, 2, 0), 0); /* during call */
    assert_int_equal(kn_appointment_check_roles(KN_APPT_WITH_COMPANION, v, 2, 1), 0);
    v[2] = r;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_WITH_COMPANION, v, 3, 1), 0);
    v[3] = r;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_WITH_COMPANION, v, 4, 1), KN_EINVAL);
    v[1] = p; /* two patients only in a group */
    assert_int_equal(kn_appointment_check_roles(KN_APPT_WITH_COMPANION, v, 3, 1), KN_EINVAL);
    for (int k = 0; k < 10; k++)
        v[k] = p;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_GROUP, v, 8, 1), 0);
    assert_int_equal(kn_appointment_check_roles(KN_APPT_GROUP, v, 9, 1), KN_EINVAL);
    assert_int_equal(kn_appointment_check_roles(KN_APPT_GROUP, v, 0, 1), KN_EINVAL);
    v[0] = i;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_GROUP, v, 1, 1), KN_EINVAL);
    v[0] = (kn_invitee_role)7;
    assert_int_equal(kn_appointment_check_roles(KN_APPT_GROUP, v, 1, 1), KN_EINVAL);
}

static void names_round_trip(void **state) {
    kn_appt_type t;
    kn_invitee_role r;
    (void)state;
    assert_int_equal(kn_appointment_type_parse("with_companion", &t), 0);
    assert_int_equal(t, KN_APPT_WITH_COMPANION);
    assert_string_equal(kn_appointment_type_name(KN_APPT_GROUP), "group");
    assert_int_equal(kn_appointment_role_parse("relative", &r), 0);
    assert_int_equal(r, KN_ROLE_RELATIVE);
    assert_int_equal(kn_appointment_role_parse("Patient", &r), KN_EINVAL);
    assert_int_equal(kn_appointment_type_parse(NULL, &t), KN_EINVAL);
    assert_null(kn_appointment_state_name((kn_appt_state)9));
}

static void create_list_and_state(void **state) {
    kn_invitee_role roles[] = {KN_ROLE_PATIENT, KN_ROLE_PATIENT, KN_ROLE_INTERPRETER};
    kn_invitee inv[3], got[8];
    kn_appointment a = {.start_at = NOW + 3600, .duration_s = 1800, .type = KN_APPT_GROUP}, b;
    kn_appointment list[4];
    kn_db db;
    size_t n;
    (void)state;
    assert_int_equal(kn_db_open(&db, ":memory:"), 0);
    a.practice_id = add_practice(&db);
    assert_int_equal(kn_appointment_create(&db, key, &a, roles, 3, NOW, inv), 0);
    assert_true(a.id > 0);
    assert_int_equal(strlen(a.public_id), 22);
    assert_string_equal(inv[0].pseudonym, "patient-1");
    assert_string_equal(inv[1].pseudonym, "patient-2");
    assert_string_equal(inv[2].pseudonym, "interpreter-1");
    assert_int_equal(strlen(inv[0].code), 12);
    assert_string_not_equal(inv[0].code, inv[1].code);
    assert_int_equal(inv[0].code_expires_at, NOW + 3600 + 1800 + KN_CODE_GRACE_S);
    /* The plaintext code is nowhere in the database. */
    assert_int_equal(query_int(&db, "SELECT count(*) FROM invitees WHERE length(code_mac) = 32"),
                     3);

    assert_int_equal(kn_appointment_get(&db, a.public_id, a.practice_id, &b), 0);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.type, KN_APPT_GROUP);
    assert_int_equal(b.state, KN_APPT_SCHEDULED);
    assert_int_equal(b.duration_s, 1800);
    assert_int_equal(kn_appointment_get(&db, a.public_id, a.practice_id + 1, &b), KN_ENOENT);
    assert_int_equal(kn_appointment_list(&db, a.practice_id, NOW, NOW + 86400, list, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(kn_appointment_list(&db, a.practice_id, NOW + 7200, NOW + 86400, list, 4, &n),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(kn_appointment_invitees(&db, a.id, got, 8, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(got[2].public_id, inv[2].public_id);
    assert_int_equal(got[2].role, KN_ROLE_INTERPRETER);
    assert_string_equal(got[2].code, "");

    assert_int_equal(kn_appointment_set_state(&db, a.id, KN_APPT_SCHEDULED, KN_APPT_ACTIVE), 0);
    assert_int_equal(kn_appointment_set_state(&db, a.id, KN_APPT_SCHEDULED, KN_APPT_ACTIVE),
                     KN_ESTATE);
    kn_db_close(&db);
}

static void create_validates_before_writing(void **state) {
    kn_invitee_role roles[] = {KN_ROLE_PATIENT};
    kn_invitee inv[1];
    kn_appointment a = {.start_at = NOW + 60, .duration_s = 1800, .type = KN_APPT_ONE_TO_ONE};
    kn_db db;
    (void)state;
    assert_int_equal(kn_db_open(&db, ":memory:"), 0);
    a.practice_id = 42; /* no such practice: foreign key */
    assert_int_equal(kn_appointment_create(&db, key, &a, roles, 1, NOW, inv), KN_ENOENT);
    a.practice_id = add_practice(&db);
    a.duration_s = 60;
    assert_int_equal(kn_appointment_create(&db, key, &a, roles, 1, NOW, inv), KN_EINVAL);
    a.duration_s = 1800;
    a.start_at = NOW - 7200; /* already over */
    assert_int_equal(kn_appointment_create(&db, key, &a, roles, 1, NOW, inv), KN_EINVAL);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM appointments"), 0);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM invitees"), 0);
    kn_db_close(&db);
}

static void add_invitee_during_call_and_reissue(void **state) {
    kn_invitee_role roles[] = {KN_ROLE_PATIENT};
    kn_invitee inv[1], extra, again, third;
    kn_invitee_code ic;
    kn_appointment a = {.start_at = NOW, .duration_s = 1800, .type = KN_APPT_ONE_TO_ONE};
    kn_db db;
    (void)state;
    assert_int_equal(kn_db_open(&db, ":memory:"), 0);
    a.practice_id = add_practice(&db);
    assert_int_equal(kn_appointment_create(&db, key, &a, roles, 1, NOW, inv), 0);
    assert_int_equal(kn_appointment_add_invitee(&db, key, a.id, KN_ROLE_INTERPRETER, NOW, &extra),
                     0);
    assert_string_equal(extra.pseudonym, "interpreter-1");
    assert_int_equal(kn_appointment_add_invitee(&db, key, a.id, KN_ROLE_RELATIVE, NOW, &third), 0);
    assert_int_equal(kn_appointment_add_invitee(&db, key, a.id, KN_ROLE_RELATIVE, NOW, &third),
                     KN_EINVAL); /* a third companion */
    assert_int_equal(kn_appointment_add_invitee(&db, key, a.id, KN_ROLE_PATIENT, NOW, &third),
                     KN_EINVAL); /* a second patient outside a group */

    assert_int_equal(kn_appointment_invitee_code(&db, inv[0].public_id, &ic), 0);
    uint8_t old_mac[32];
    memcpy(old_mac, ic.mac, 32);
    assert_int_equal(kn_appointment_reissue_code(&db, key, inv[0].public_id, NOW, &again), 0);
    assert_string_not_equal(again.code, inv[0].code);
    assert_int_equal(kn_appointment_invitee_code(&db, inv[0].public_id, &ic), 0);
    assert_memory_not_equal(ic.mac, old_mac, 32);
    assert_int_equal(kn_appointment_reissue_code(&db, key, "nope", NOW, &again), KN_ENOENT);
    assert_int_equal(kn_appointment_reissue_code(&db, key, inv[0].public_id,
                                                 NOW + 1800 + KN_CODE_GRACE_S, &again),
                     KN_ESTATE);
    assert_int_equal(kn_appointment_set_state(&db, a.id, KN_APPT_SCHEDULED, KN_APPT_ENDED), 0);
    assert_int_equal(kn_appointment_add_invitee(&db, key, a.id, KN_ROLE_RELATIVE, NOW, &third),
                     KN_ESTATE);
    kn_db_close(&db);
}

static void no_column_for_names_or_contacts(void **state) {
    kn_db db;
    (void)state;
    assert_int_equal(kn_db_open(&db, ":memory:"), 0);
    /* Minimisation is part of the schema: the invitee table has no place for a
     * name, e-mail address or phone number. */
    assert_int_equal(query_int(&db, "SELECT count(*) FROM pragma_table_info('invitees') WHERE"
                                    " name LIKE '%name%' OR name LIKE '%mail%'"
                                    " OR name LIKE '%phone%' OR name LIKE '%contact%'"),
                     0);
    assert_int_equal(query_int(&db, "SELECT count(*) FROM pragma_table_info('consultations')"
                                    " WHERE name LIKE '%name%' OR name LIKE '%text%'"),
                     0);
    kn_db_close(&db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_db_is_wal_and_migrations_idempotent),
        cmocka_unit_test(newer_schema_is_refused),
        cmocka_unit_test(composition_rules),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(create_list_and_state),
        cmocka_unit_test(create_validates_before_writing),
        cmocka_unit_test(add_invitee_during_call_and_reissue),
        cmocka_unit_test(no_column_for_names_or_contacts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
