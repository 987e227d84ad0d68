/*
 * test_totp.c: TOTP against RFC 6238 Appendix B (SHA-1 rows, 8 digits, key
 * "12345678901234567890") and RFC 4226 Appendix D (HOTP, 6 digits), the
 * ±1 step window, replay refusal, malformed input, base32 (RFC 4648 §10
 * vectors) and the otpauth URI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "account/totp.h"
#include "core/err.h"

static const uint8_t rfc_key[] = "12345678901234567890";

static void rfc6238_appendix_b_sha1(void **state) {
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {
        {59,            94287082},
        {1111111109,    7081804 },
        {1111111111,    14050471},
        {1234567890,    89005924},
        {2000000000,    69279037},
        {20000000000LL, 65353130},
    };
    uint32_t code;
    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(kn_totp_hotp(rfc_key, 20, (uint64_t)kn_totp_step(v[i].t), 8, &code), 0);
        assert_int_equal(code, v[i].code);
    }
}

static void rfc4226_appendix_d_hotp(void **state) {
    static const uint32_t v[] = {755224, 287082, 359152, 969429, 338314,
                                 254676, 287922, 162583, 399871, 520489};
    uint32_t code;
    (void)state;
    for (uint64_t c = 0; c < 10; c++) {
        assert_int_equal(kn_totp_hotp(rfc_key, 20, c, 6, &code), 0);
        assert_int_equal(code, v[c]);
    }
    assert_int_equal(kn_totp_hotp(rfc_key, 20, 0, 5, &code), KN_EINVAL);
    assert_int_equal(kn_totp_hotp(rfc_key, 20, 0, 9, &code), KN_EINVAL);
}

static void six(int64_t t, char out[7]) {
    uint32_t code;
    assert_int_equal(kn_totp_hotp(rfc_key, 20, (uint64_t)kn_totp_step(t), 6, &code), 0);
    snprintf(out, 7, "%06u", code);
}

static void window_of_one_step_each_side(void **state) {
    const int64_t now = 1111111111; /* step 37037037, 1 s into it */
    char c[7];
    int64_t used = 0;
    (void)state;
    six(now, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), 0);
    assert_int_equal(used, now / 30);
    six(now - 30, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), 0);
    assert_int_equal(used, now / 30 - 1);
    six(now + 30, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), 0);
    six(now - 60, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), KN_EAUTH);
    six(now + 60, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), KN_EAUTH);
}

static void replayed_step_is_refused(void **state) {
    const int64_t now = 1234567890;
    char c[7];
    int64_t used = 0;
    (void)state;
    six(now, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, 0, &used), 0);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now + 5, c, used, &used), KN_EAUTH);
    six(now - 30, c); /* an older step after a newer one was used */
    assert_int_equal(kn_totp_verify(rfc_key, 20, now, c, now / 30, &used), KN_EAUTH);
    six(now + 30, c);
    assert_int_equal(kn_totp_verify(rfc_key, 20, now + 30, c, now / 30, &used), 0);
}

static void malformed_codes(void **state) {
    int64_t used;
    (void)state;
    assert_int_equal(kn_totp_verify(rfc_key, 20, 59, "", 0, &used), KN_EAUTH);
    assert_int_equal(kn_totp_verify(rfc_key, 20, 59, "28708", 0, &used), KN_EAUTH);
    assert_int_equal(kn_totp_verify(rfc_key, 20, 59, "2870820", 0, &used), KN_EAUTH);
    assert_int_equal(kn_totp_verify(rfc_key, 20, 59, "28708a", 0, &used), KN_EAUTH);
    assert_int_equal(kn_totp_verify(rfc_key, 20, 59, " 87082", 0, &used), KN_EAUTH);
    assert_int_equal(kn_totp_verify(rfc_key, 20, -5, "287082", 0, &used), KN_EAUTH);
}

static void base32_rfc4648_vectors(void **state) {
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"",        "MY",       "MZXQ",      "MZXW6",
                                      "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
    char buf[32];
    (void)state;
    for (int i = 0; i < 7; i++) {
        assert_int_equal(kn_totp_base32((const uint8_t *)in[i], strlen(in[i]), buf, sizeof(buf)),
                         0);
        assert_string_equal(buf, out[i]);
    }
    assert_int_equal(kn_totp_base32((const uint8_t *)"foobar", 6, buf, 10), KN_ELIMIT);
}

static void otpauth_uri(void **state) {
    char uri[256];
    (void)state;
    assert_int_equal(kn_totp_uri(rfc_key, 20, "Konsil Praxis", "dr@example.org", uri, sizeof(uri)),
                     0);
    assert_string_equal(uri, "otpauth://totp/Konsil%20Praxis:dr%40example.org?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Konsil%20Praxis"
                             "&algorithm=SHA1&digits=6&period=30");
    assert_int_equal(kn_totp_uri(rfc_key, 20, "K", "a@b", uri, 40), KN_ELIMIT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6238_appendix_b_sha1),
        cmocka_unit_test(rfc4226_appendix_d_hotp),
        cmocka_unit_test(window_of_one_step_each_side),
        cmocka_unit_test(replayed_step_is_refused),
        cmocka_unit_test(malformed_codes),
        cmocka_unit_test(base32_rfc4648_vectors),
        cmocka_unit_test(otpauth_uri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
