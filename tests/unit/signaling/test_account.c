/*
 * test_account.c: scrypt password hashing (RFC 7914 §12 vector, a hash made
 * by Python's hashlib.scrypt, round trip, malformed encodings, rehash
 * check), host creation (first host, duplicates, validation), login with
 * lock after failures and the TOTP second step, and sessions (hashed
 * tokens, expiry, logout, logout everywhere, cookie attributes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account/host.h"
#include "account/password.h"
#include "account/session.h"
#include "account/totp.h"
#include "core/err.h"

#define NOW 1800000000LL
static const char pw[] = "correct horse battery staple";

static void scrypt_rfc7914_vector(void **state) {
    static const uint8_t expect[64] = {
        0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00, 0x78, 0x56, 0xe7, 0x19, 0x0d,
        0x01, 0xe9, 0xfe, 0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30, 0xe7, 0x73,
        0x76, 0x63, 0x4b, 0x37, 0x31, 0x62, 0x2e, 0xaf, 0x30, 0xd9, 0x2e, 0x22, 0xa3,
        0x88, 0x6f, 0xf1, 0x09, 0x27, 0x9d, 0x98, 0x30, 0xda, 0xc7, 0x27, 0xaf, 0xb9,
        0x4a, 0x83, 0xee, 0x6d, 0x83, 0x60, 0xcb, 0xdf, 0xa2, 0xcc, 0x06, 0x40};
    uint8_t out[64];
    (void)state;
    assert_int_equal(
        kn_password_scrypt("password", 8, (const uint8_t *)"NaCl", 4, 10, 8, 16, out, sizeof(out)),
        0);
    assert_memory_equal(out, expect, 64);
}

static void verifies_hash_made_by_python(void **state) {
    /* hashlib.scrypt(pw, salt=bytes(range(16)), n=1024, r=8, p=1, dklen=32) */
    static const char enc[] = "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw"
                              "$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU";
    (void)state;
    assert_int_equal(kn_password_verify(pw, strlen(pw), enc), 0);
    assert_int_equal(kn_password_verify("correct horse battery stapl", 27, enc), KN_EAUTH);
    assert_int_equal(kn_password_needs_rehash(enc), 1);
}

static void hash_round_trip_and_fresh_salt(void **state) {
    char a[KN_PASSWORD_HASH_BUF], b[KN_PASSWORD_HASH_BUF];
    (void)state;
    assert_int_equal(kn_password_hash_params(pw, strlen(pw), 10, 8, 1, a), 0);
    assert_int_equal(kn_password_hash_params(pw, strlen(pw), 10, 8, 1, b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strncmp(a, "$scrypt$ln=10,r=8,p=1$", 22), 0);
    assert_int_equal(kn_password_verify(pw, strlen(pw), a), 0);
    assert_int_equal(kn_password_verify(pw, strlen(pw), b), 0);
    assert_int_equal(kn_password_verify("x", 1, a), KN_EAUTH);
    assert_int_equal(kn_password_hash_params(pw, strlen(pw), 9, 8, 1, a), KN_EINVAL);
    assert_int_equal(kn_password_hash_params(pw, strlen(pw), 21, 8, 1, a), KN_EINVAL);
}

static void default_parameters(void **state) {
    char a[KN_PASSWORD_HASH_BUF];
    (void)state;
    assert_int_equal(kn_password_hash(pw, strlen(pw), a), 0);
    assert_int_equal(strncmp(a, "$scrypt$ln=15,r=8,p=1$", 22), 0);
    assert_int_equal(kn_password_needs_rehash(a), 0);
    assert_int_equal(kn_password_verify(pw, strlen(pw), a), 0);
}

static void malformed_encodings(void **state) {
    static const char *const bad[] = {
        "",
        "$scrypt$",
        "$bcrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=30,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=99,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0O$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU$",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(kn_password_verify(pw, strlen(pw), bad[i]), KN_EINVAL);
}

static int db_setup(void **state) {
    kn_db *db = calloc(1, sizeof(*db));
    assert_int_equal(kn_db_open(db, ":memory:"), 0);
    *state = db;
    return 0;
}

static int db_teardown(void **state) {
    kn_db_close(*state);
    free(*state);
    return 0;
}

static void first_host_once(void **state) {
    kn_db *db = *state;
    kn_host h, again, got;
    kn_host_role r;
    assert_int_equal(kn_host_role_parse("therapist", &r), 0);
    assert_int_equal(kn_host_role_parse("admin", &r), KN_EINVAL);
    assert_int_equal(kn_host_create_first(db, "Praxis Dr. Muster", "dr@example.org", KN_HOST_DOCTOR,
                                          "short", NOW, &h),
                     KN_EINVAL);
    assert_int_equal(kn_host_create_first(db, "Praxis Dr. Muster", "dr@example.org", KN_HOST_DOCTOR,
                                          pw, NOW, &h),
                     0);
    assert_true(h.id > 0 && h.practice_id > 0);
    assert_int_equal(
        kn_host_create_first(db, "Other", "x@example.org", KN_HOST_DOCTOR, pw, NOW, &again),
        KN_EEXIST);
    assert_int_equal(
        kn_host_create(db, h.practice_id, "DR@example.org", KN_HOST_ASSISTANT, pw, NOW, &again),
        KN_EEXIST); /* e-mail compares case-insensitively */
    assert_int_equal(kn_host_create(db, 99, "a@example.org", KN_HOST_ASSISTANT, pw, NOW, &again),
                     KN_ENOENT);
    assert_int_equal(
        kn_host_create(db, h.practice_id, "no-at-sign", KN_HOST_ASSISTANT, pw, NOW, &again),
        KN_EINVAL);
    assert_int_equal(
        kn_host_create(db, h.practice_id, "a@b\r\nBcc: x@y", KN_HOST_ASSISTANT, pw, NOW, &again),
        KN_EINVAL);
    assert_int_equal(
        kn_host_create(db, h.practice_id, "mfa@example.org", KN_HOST_ASSISTANT, pw, NOW, &again),
        0);
    assert_int_equal(kn_host_get(db, again.id, &got), 0);
    assert_string_equal(got.email, "mfa@example.org");
    assert_int_equal(got.role, KN_HOST_ASSISTANT);
    assert_int_equal(kn_host_get(db, 999, &got), KN_ENOENT);
}

static void login_and_lock(void **state) {
    kn_db *db = *state;
    kn_host h, out;
    assert_int_equal(kn_host_create_first(db, "P", "dr@example.org", KN_HOST_DOCTOR, pw, NOW, &h),
                     0);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, NULL, NOW, &out), 0);
    assert_int_equal(out.id, h.id);
    assert_int_equal(kn_host_login(db, "nobody@example.org", pw, NULL, NOW, &out), KN_EAUTH);
    for (int i = 0; i < KN_HOST_MAX_FAILURES; i++)
        assert_int_equal(kn_host_login(db, "dr@example.org", "wrong password", NULL, NOW, &out),
                         KN_EAUTH);
    /* Locked: the right password does not help until the lock ends. */
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, NULL, NOW + 1, &out), KN_ELIMIT);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, NULL, NOW + KN_HOST_LOCK_S, &out), 0);
}

static void totp_second_step(void **state) {
    kn_db *db = *state;
    uint8_t secret[KN_TOTP_SECRET_LEN];
    kn_host h, out;
    uint32_t code;
    char c[7], wrong[7];
    assert_int_equal(kn_host_create_first(db, "P", "dr@example.org", KN_HOST_DOCTOR, pw, NOW, &h),
                     0);
    assert_int_equal(kn_totp_secret_generate(secret), 0);
    assert_int_equal(kn_totp_hotp(secret, sizeof(secret), (uint64_t)kn_totp_step(NOW), 6, &code),
                     0);
    snprintf(c, sizeof(c), "%06u", code);
    snprintf(wrong, sizeof(wrong), "%06u", (code + 1) % 1000000);
    assert_int_equal(kn_host_totp_enable(db, h.id, secret, wrong, NOW), KN_EAUTH);
    assert_int_equal(kn_host_totp_enable(db, h.id, secret, c, NOW), 0);
    assert_int_equal(kn_host_get(db, h.id, &out), 0);
    assert_int_equal(out.has_totp, 1);
    /* Password alone asks for the code; the enrolment code cannot be replayed. */
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, NULL, NOW, &out), KN_ESTATE);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, c, NOW, &out), KN_EAUTH);
    assert_int_equal(
        kn_totp_hotp(secret, sizeof(secret), (uint64_t)kn_totp_step(NOW + 30), 6, &code), 0);
    snprintf(c, sizeof(c), "%06u", code);
    assert_int_equal(kn_host_login(db, "dr@example.org", "wrong password", c, NOW + 30, &out),
                     KN_EAUTH);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, c, NOW + 30, &out), 0);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, c, NOW + 31, &out), KN_EAUTH);
    assert_int_equal(kn_host_totp_disable(db, h.id), 0);
    assert_int_equal(kn_host_login(db, "dr@example.org", pw, NULL, NOW + 40, &out), 0);
}

static void sessions_and_logout_everywhere(void **state) {
    kn_db *db = *state;
    char t1[KN_SESSION_TOKEN_BUF], t2[KN_SESSION_TOKEN_BUF], t3[KN_SESSION_TOKEN_BUF];
    char cookie[160];
    kn_host h;
    int64_t who = 0;
    assert_int_equal(kn_host_create_first(db, "P", "dr@example.org", KN_HOST_DOCTOR, pw, NOW, &h),
                     0);
    assert_int_equal(kn_session_create(db, h.id, NOW, 3600, t1), 0);
    assert_int_equal(kn_session_create(db, h.id, NOW, 3600, t2), 0);
    assert_int_equal(strlen(t1), 43);
    assert_string_not_equal(t1, t2);
    assert_int_equal(kn_session_create(db, 999, NOW, 3600, t3), KN_ENOENT);
    assert_int_equal(kn_session_check(db, t1, strlen(t1), NOW + 10, &who), 0);
    assert_int_equal(who, h.id);
    assert_int_equal(kn_session_check(db, t1, strlen(t1), NOW + 3600, &who), KN_EAUTH);
    assert_int_equal(kn_session_check(db, t1, 42, NOW, &who), KN_EAUTH);
    t3[0] = '\0';
    strcpy(t3, t1);
    t3[0] = t3[0] == 'A' ? 'B' : 'A';
    assert_int_equal(kn_session_check(db, t3, strlen(t3), NOW, &who), KN_EAUTH);
    /* Only the hash is stored. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db->h,
                                        "SELECT count(*) FROM sessions WHERE token_hash = ?"
                                        " OR CAST(token_hash AS TEXT) = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, t1, 43, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t1, 43, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);

    assert_int_equal(kn_session_logout(db, t2, strlen(t2)), 0);
    assert_int_equal(kn_session_check(db, t2, strlen(t2), NOW, &who), KN_EAUTH);
    assert_int_equal(kn_session_create(db, h.id, NOW, 3600, t2), 0);
    assert_int_equal(kn_session_logout_everywhere(db, h.id), 0);
    assert_int_equal(kn_session_check(db, t1, strlen(t1), NOW, &who), KN_EAUTH);
    assert_int_equal(kn_session_check(db, t2, strlen(t2), NOW, &who), KN_EAUTH);
    assert_int_equal(kn_session_create(db, h.id, NOW, 3600, t3), 0); /* new login works */
    assert_int_equal(kn_session_check(db, t3, strlen(t3), NOW, &who), 0);
    assert_int_equal(kn_session_logout_everywhere(db, 999), KN_ENOENT);

    assert_int_equal(kn_session_cookie(t3, 3600, cookie, sizeof(cookie)), 0);
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "Secure"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_int_equal(strncmp(cookie, "kn_session=", 11), 0);
    assert_int_equal(kn_session_cookie(t3, 0, cookie, sizeof(cookie)), 0);
    assert_non_null(strstr(cookie, "kn_session=; Path=/; Max-Age=0"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scrypt_rfc7914_vector),
        cmocka_unit_test(verifies_hash_made_by_python),
        cmocka_unit_test(hash_round_trip_and_fresh_salt),
        cmocka_unit_test(default_parameters),
        cmocka_unit_test(malformed_encodings),
        cmocka_unit_test_setup_teardown(first_host_once, db_setup, db_teardown),
        cmocka_unit_test_setup_teardown(login_and_lock, db_setup, db_teardown),
        cmocka_unit_test_setup_teardown(totp_second_step, db_setup, db_teardown),
        cmocka_unit_test_setup_teardown(sessions_and_logout_everywhere, db_setup, db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
