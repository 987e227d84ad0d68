/*
 * test_jwt.c: HS256 token verification and signing: a token made by an
 * independent encoder (node's crypto, as tests/lib/konsil.mjs does), expiry,
 * bad signature, alg none / HS512, malformed base64url and claims.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/jwt.h"
#include "core/err.h"

static const char secret[] = "test-secret-0123456789";
#define NOW 1800000000LL

/* {"alg":"HS256","typ":"JWT"}.{"room":"r1","role":"publish","exp":1900000000} signed with
 * "test-secret-0123456789" by node: createHmac('sha256', secret).update(input).digest('base64url')
 */
static const char node_token[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                                 "eyJyb29tIjoicjEiLCJyb2xlIjoicHVibGlzaCIsImV4cCI6MTkwMDAwMDAwMH0."
                                 "l9YJkxGZuz-o8S8QFb6SAz72cMaRzCAqUjXhFK5bLes";

static int verify(const char *t, kn_jwt_claims *c) {
    return kn_jwt_verify((const uint8_t *)t, strlen(t), (const uint8_t *)secret, strlen(secret),
                         NOW, c);
}

static void sign(const char *room, const char *role, int64_t exp, char *buf, size_t cap) {
    kn_jwt_claims c = {.exp = exp};
    strcpy(c.room, room);
    strcpy(c.role, role);
    assert_int_equal(kn_jwt_sign(&c, (const uint8_t *)secret, strlen(secret), buf, cap), 0);
}

static void independent_token_verifies(void **state) {
    kn_jwt_claims c;
    char t[512];
    (void)state;
    assert_int_equal(verify(node_token, &c), 0);
    assert_string_equal(c.room, "r1");
    /* our encoder writes the same bytes (same claim order, compact JSON) */
    sign("r1", "publish", 1900000000, t, sizeof(t));
    assert_string_equal(t, node_token);
    memset(&c, 0, sizeof(c));
    assert_int_equal(verify(t, &c), 0);
    assert_string_equal(c.room, "r1");
    assert_string_equal(c.role, "publish");
    assert_int_equal(c.exp, 1900000000);
}

static void base64url_codec(void **state) {
    uint8_t out[64];
    (void)state;
    assert_int_equal(kn_b64url_decode("AQID", 4, out, sizeof(out)), 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[2], 3);
    char enc[8];
    assert_int_equal(kn_b64url_encode((const uint8_t *)"\xfb\xff", 2, enc, sizeof(enc)), 3);
    assert_memory_equal(enc, "-_8", 3);
}

static void expired(void **state) {
    kn_jwt_claims c;
    char t[512];
    (void)state;
    sign("r1", "subscribe", NOW, t, sizeof(t));
    assert_int_equal(verify(t, &c), KN_ESTATE);
    sign("r1", "subscribe", NOW + 1, t, sizeof(t));
    assert_int_equal(verify(t, &c), 0);
}

static void bad_signature(void **state) {
    kn_jwt_claims c;
    char t[512];
    (void)state;
    sign("r1", "publish", NOW + 60, t, sizeof(t));
    size_t n = strlen(t);
    t[n - 2] = t[n - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(verify(t, &c), KN_EAUTH);
    sign("r1", "publish", NOW + 60, t, sizeof(t));
    assert_int_equal(
        kn_jwt_verify((const uint8_t *)t, strlen(t), (const uint8_t *)"other", 5, NOW, &c),
        KN_EAUTH);
    /* payload swapped for another room, signature kept */
    char other[512];
    sign("r2", "publish", NOW + 60, other, sizeof(other));
    char *sig = strrchr(t, '.');
    char *osig = strrchr(other, '.');
    strcpy(osig, sig);
    assert_int_equal(verify(other, &c), KN_EAUTH);
}

static void alg_none_and_others(void **state) {
    kn_jwt_claims c;
    (void)state;
    /* {"alg":"none","typ":"JWT"} . {"room":"r1","role":"publish","exp":1900000000} . (empty) */
    assert_int_equal(verify("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                            "eyJyb29tIjoicjEiLCJyb2xlIjoicHVibGlzaCIsImV4cCI6MTkwMDAwMDAwMH0.",
                            &c),
                     KN_EAUTH);
    /* {"alg":"HS512"} */
    assert_int_equal(verify("eyJhbGciOiJIUzUxMiJ9."
                            "eyJyb29tIjoicjEiLCJyb2xlIjoicHVibGlzaCIsImV4cCI6MTkwMDAwMDAwMH0.AAAA",
                            &c),
                     KN_EAUTH);
    /* {} without alg */
    assert_int_equal(verify("e30.e30.AAAA", &c), KN_EAUTH);
}

static void malformed(void **state) {
    kn_jwt_claims c;
    char t[512];
    (void)state;
    assert_int_equal(verify("", &c), KN_EINVAL);
    assert_int_equal(verify("abc", &c), KN_EINVAL);
    assert_int_equal(verify("a.b", &c), KN_EINVAL);
    assert_int_equal(verify("a.b.c.d", &c), KN_EINVAL);
    assert_int_equal(verify("!!!.e30.AAAA", &c), KN_EINVAL);
    assert_int_equal(verify("W10.e30.AAAA", &c), KN_EINVAL); /* header is [] */
    sign("r1", "publish", NOW + 60, t, sizeof(t));
    /* padding and the standard alphabet are not base64url without padding */
    char padded[520];
    snprintf(padded, sizeof(padded), "%s=", t);
    assert_int_equal(verify(padded, &c), KN_EINVAL);
    strchr(t, '.')[-1] = '+';
    assert_int_equal(verify(t, &c), KN_EINVAL);
    assert_int_equal(kn_b64url_decode("A", 1, (uint8_t[4]){0}, 4), KN_EINVAL);
    assert_int_equal(kn_b64url_decode("AB", 2, (uint8_t[4]){0}, 4), KN_EINVAL); /* stray bits */
}

static void bad_claims(void **state) {
    kn_jwt_claims c = {.exp = NOW + 60};
    char t[512];
    (void)state;
    strcpy(c.room, "bad room");
    strcpy(c.role, "publish");
    assert_int_equal(kn_jwt_sign(&c, (const uint8_t *)secret, strlen(secret), t, sizeof(t)),
                     KN_EINVAL);
    strcpy(c.room, "r1");
    strcpy(c.role, "admin");
    assert_int_equal(kn_jwt_sign(&c, (const uint8_t *)secret, strlen(secret), t, sizeof(t)),
                     KN_EINVAL);
    strcpy(c.role, "publish");
    assert_int_equal(kn_jwt_sign(&c, (const uint8_t *)secret, strlen(secret), t, 20), KN_ELIMIT);
    assert_true(kn_jwt_ident_ok("a-b_c.d", 7));
    assert_false(kn_jwt_ident_ok("a/b", 3));
    assert_false(kn_jwt_ident_ok("", 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(independent_token_verifies),
        cmocka_unit_test(base64url_codec),
        cmocka_unit_test(expired),
        cmocka_unit_test(bad_signature),
        cmocka_unit_test(alg_none_and_others),
        cmocka_unit_test(malformed),
        cmocka_unit_test(bad_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
