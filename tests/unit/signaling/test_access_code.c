/*
 * test_access_code.c: access codes: format and alphabet, normalisation of
 * typed input, keyed MAC bound to the invite id (independent HMAC value from
 * `openssl dgst`), link with the code in the fragment, key file, the
 * per-address limiter, and kn_access_check against the store: wrong code,
 * per-code lock (5 then 15 minutes), per-address limit (20 / 10 minutes),
 * expiry after the appointment, cancelled appointment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "account/access.h"
#include "account/access_code.h"
#include "core/err.h"

#define NOW 1800000000LL
static const uint8_t key[KN_ACCESS_CODE_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

static void generated_codes_are_grouped_and_in_alphabet(void **state) {
    char c[KN_ACCESS_CODE_BUF], norm[11];
    unsigned seen[256] = {0};
    (void)state;
    for (int k = 0; k < 2000; k++) {
        assert_int_equal(kn_access_code_generate(c), 0);
        assert_int_equal(strlen(c), 12);
        assert_int_equal(c[4], '-');
        assert_int_equal(c[9], '-');
        assert_int_equal(kn_access_code_normalize(c, 12, norm), 0);
        for (int i = 0; i < 10; i++) {
            assert_non_null(strchr(kn_access_code_alphabet, norm[i]));
            seen[(uint8_t)norm[i]]++;
        }
    }
    /* 20000 letters over 32 symbols: every symbol shows up, none of 0 O 1 I. */
    for (const char *p = kn_access_code_alphabet; *p; p++)
        assert_true(seen[(uint8_t)*p] > 300);
    assert_int_equal(seen['0'] + seen['O'] + seen['1'] + seen['I'], 0);
    assert_int_equal(strlen(kn_access_code_alphabet), 32);
}

static void normalize_accepts_typing_variants(void **state) {
    char n[11];
    (void)state;
    assert_int_equal(kn_access_code_normalize("abcd-efgh-jk", 12, n), 0);
    assert_string_equal(n, "ABCDEFGHJK");
    assert_int_equal(kn_access_code_normalize(" ab cd ef gh jk ", 16, n), 0);
    assert_string_equal(n, "ABCDEFGHJK");
    assert_int_equal(kn_access_code_normalize("ABCD-EFGH-J", 11, n), KN_EINVAL);   /* short */
    assert_int_equal(kn_access_code_normalize("ABCD-EFGH-JKL", 13, n), KN_EINVAL); /* long */
    assert_int_equal(kn_access_code_normalize("ABCD-EFGH-J0", 12, n), KN_EINVAL);  /* zero */
    assert_int_equal(kn_access_code_normalize("ABCD-EFGH-J\0K", 13, n), KN_EINVAL);
    assert_int_equal(kn_access_code_normalize("ABCD\xc3\x84"
                                              "FGH-JK",
                                              13, n),
                     KN_EINVAL);
}

static void mac_matches_independent_hmac_and_binds_invite(void **state) {
    uint8_t mac[32], other[32];
    /* printf 'inv1|ABCDEFGHJK' | openssl dgst -sha256 -mac HMAC
     *   -macopt hexkey:0102030405060708000000000000000000000000000000000000000000000000 */
    static const char expect_hex[] =
        "6acf4afcc800a21956a8da375bf693c5b454ea05149f0cc443424b278f8332a4";
    char hex[65];
    (void)state;
    assert_int_equal(kn_access_code_mac(key, "inv1", "ABCDEFGHJK", mac), 0);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    assert_string_equal(hex, expect_hex);
    assert_int_equal(kn_access_code_mac(key, "inv2", "ABCDEFGHJK", other), 0);
    assert_memory_not_equal(mac, other, 32);
    assert_int_equal(kn_access_code_check(key, "inv1", "abcd-efgh-jk", 12, mac), 0);
    assert_int_equal(kn_access_code_check(key, "inv2", "abcd-efgh-jk", 12, mac), KN_EAUTH);
    assert_int_equal(kn_access_code_check(key, "inv1", "abcd-efgh-jm", 12, mac), KN_EAUTH);
    assert_int_equal(kn_access_code_check(key, "inv1", "garbage", 7, mac), KN_EAUTH);
    assert_int_equal(kn_access_code_mac(key, "inv1", "ABC", mac), KN_EINVAL);
}

static void link_puts_code_in_fragment(void **state) {
    char buf[128];
    (void)state;
    assert_int_equal(
        kn_access_code_link("konsil.example:8443", "AbC_d-9", "ABCD-EFGH-JK", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "https://konsil.example:8443/join/AbC_d-9#code=ABCD-EFGH-JK");
    assert_int_equal(kn_access_code_link("[::1]", "x", "ABCD-EFGH-JK", buf, sizeof(buf)), 0);
    assert_int_equal(kn_access_code_link("evil/x", "x", "ABCD-EFGH-JK", buf, sizeof(buf)),
                     KN_EINVAL);
    assert_int_equal(kn_access_code_link("h", "a/../b", "ABCD-EFGH-JK", buf, sizeof(buf)),
                     KN_EINVAL);
    assert_int_equal(kn_access_code_link("h", "x", "ABCD-EFGH-JK", buf, 20), KN_ELIMIT);
}

static void key_file_is_created_private_and_reread(void **state) {
    char path[] = "/tmp/kn_key_XXXXXX";
    uint8_t k1[32], k2[32];
    struct stat sb;
    (void)state;
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    assert_int_equal(kn_access_code_key_load(path, k1), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    assert_int_equal(kn_access_code_key_load(path, k2), 0);
    assert_memory_equal(k1, k2, 32);
    FILE *f = fopen(path, "ab");
    fputc('x', f);
    fclose(f);
    assert_int_equal(kn_access_code_key_load(path, k2), KN_EINVAL);
    unlink(path);
}

static void attempts_window_and_eviction(void **state) {
    kn_attempts a;
    (void)state;
    assert_int_equal(kn_attempts_init(&a, 2, 3, 600), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kn_attempts_check(&a, "192.0.2.1", NOW), 0);
        kn_attempts_fail(&a, "192.0.2.1", NOW + i);
    }
    assert_int_equal(kn_attempts_check(&a, "192.0.2.1", NOW + 10), KN_ELIMIT);
    assert_int_equal(kn_attempts_check(&a, "192.0.2.2", NOW + 10), 0);
    assert_int_equal(kn_attempts_check(&a, "192.0.2.1", NOW + 600), 0); /* window over */
    kn_attempts_fail(&a, "192.0.2.2", NOW + 20);
    kn_attempts_fail(&a, "192.0.2.3", NOW + 30); /* table full: .1 started first, goes */
    assert_int_equal(kn_attempts_check(&a, "192.0.2.1", NOW + 40), 0);
    kn_attempts_close(&a);
    assert_int_equal(kn_attempts_init(&a, 0, 3, 600), KN_EINVAL);
}

typedef struct fx {
    kn_db db;
    kn_attempts by_addr;
    kn_appointment a;
    kn_invitee inv[1];
} fx;

static int fx_setup(void **state) {
    kn_invitee_role roles[] = {KN_ROLE_PATIENT};
    fx *f = calloc(1, sizeof(*f));
    assert_int_equal(kn_db_open(&f->db, ":memory:"), 0);
    assert_int_equal(kn_attempts_init(&f->by_addr, 64, 20, 600), 0);
    assert_int_equal(
        sqlite3_exec(f->db.h, "INSERT INTO practices(name, created_at) VALUES('P', 1)", 0, 0, 0),
        SQLITE_OK);
    f->a = (kn_appointment){
        .practice_id = 1, .start_at = NOW + 600, .duration_s = 1800, .type = KN_APPT_ONE_TO_ONE};
    assert_int_equal(kn_appointment_create(&f->db, key, &f->a, roles, 1, NOW, f->inv), 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state) {
    fx *f = *state;
    kn_attempts_close(&f->by_addr);
    kn_db_close(&f->db);
    free(f);
    return 0;
}

static int check(fx *f, const char *addr, const char *code, int64_t now) {
    kn_invitee out;
    return kn_access_check(&f->db, &f->by_addr, key, addr, f->inv[0].public_id, code, strlen(code),
                           now, &out);
}

static void right_code_admits_with_pseudonym(void **state) {
    fx *f = *state;
    kn_invitee out;
    char lower[13];
    for (int i = 0; i < 13; i++)
        lower[i] = (char)(f->inv[0].code[i] >= 'A' ? f->inv[0].code[i] + 32 : f->inv[0].code[i]);
    assert_int_equal(kn_access_check(&f->db, &f->by_addr, key, "198.51.100.7", f->inv[0].public_id,
                                     lower, 12, NOW, &out),
                     0);
    assert_string_equal(out.pseudonym, "patient-1");
    assert_int_equal(out.role, KN_ROLE_PATIENT);
    assert_string_equal(out.code, "");
}

static void five_wrong_codes_lock_the_code_for_15_minutes(void **state) {
    fx *f = *state;
    for (int i = 0; i < KN_CODE_MAX_FAILURES; i++) /* from different addresses */
        assert_int_equal(check(f, i % 2 ? "a1" : "a2", "2222-2222-22", NOW), KN_EAUTH);
    /* Locked: even the right code is refused, from any address. */
    assert_int_equal(check(f, "a3", f->inv[0].code, NOW + 1), KN_ELIMIT);
    assert_int_equal(check(f, "a3", f->inv[0].code, NOW + KN_CODE_LOCK_S - 1), KN_ELIMIT);
    assert_int_equal(check(f, "a3", f->inv[0].code, NOW + KN_CODE_LOCK_S), 0);
}

static void twenty_failures_block_an_address(void **state) {
    fx *f = *state;
    for (int i = 0; i < 20; i++) /* unknown invite ids count for the address too */
        assert_int_equal(kn_access_check(&f->db, &f->by_addr, key, "203.0.113.9", "unknown-id",
                                         "2222-2222-22", 12, NOW + i, &(kn_invitee){0}),
                         KN_EAUTH);
    assert_int_equal(check(f, "203.0.113.9", f->inv[0].code, NOW + 30), KN_ELIMIT);
    assert_int_equal(check(f, "203.0.113.10", f->inv[0].code, NOW + 30), 0);
    assert_int_equal(check(f, "203.0.113.9", f->inv[0].code, NOW + 600), 0);
}

static void code_expires_after_the_appointment(void **state) {
    fx *f = *state;
    int64_t end = f->a.start_at + f->a.duration_s;
    assert_int_equal(check(f, "a", f->inv[0].code, end + KN_CODE_GRACE_S - 1), 0);
    assert_int_equal(check(f, "a", f->inv[0].code, end + KN_CODE_GRACE_S), KN_ESTATE);
}

static void cancelled_appointment_refuses(void **state) {
    fx *f = *state;
    assert_int_equal(
        kn_appointment_set_state(&f->db, f->a.id, KN_APPT_SCHEDULED, KN_APPT_CANCELLED), 0);
    assert_int_equal(check(f, "a", f->inv[0].code, NOW), KN_ESTATE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_codes_are_grouped_and_in_alphabet),
        cmocka_unit_test(normalize_accepts_typing_variants),
        cmocka_unit_test(mac_matches_independent_hmac_and_binds_invite),
        cmocka_unit_test(link_puts_code_in_fragment),
        cmocka_unit_test(key_file_is_created_private_and_reread),
        cmocka_unit_test(attempts_window_and_eviction),
        cmocka_unit_test_setup_teardown(right_code_admits_with_pseudonym, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(five_wrong_codes_lock_the_code_for_15_minutes, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(twenty_failures_block_an_address, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(code_expires_after_the_appointment, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cancelled_appointment_refuses, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
