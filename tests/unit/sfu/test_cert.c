/*
 * test_cert.c: the self-signed DTLS certificate (ECDSA P-256) and RFC 8122 fingerprint
 * formatting, parsing and verification (dtls/cert.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "dtls/cert.h"

static void expect_sdp_hex(const char *fp, size_t bytes) {
    assert_int_equal(strlen(fp), bytes * 3 - 1);
    for (size_t i = 0; i < bytes * 3 - 1; i++) {
        if (i % 3 == 2)
            assert_int_equal(fp[i], ':');
        else
            assert_true((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'A' && fp[i] <= 'F'));
    }
}

static void cert_is_p256_self_signed_with_sha256_fingerprint(void **state) {
    kn_cert c;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char expect[KN_CERT_MAX_FP_TEXT];
    char name[64];
    size_t name_len = 0;
    (void)state;

    assert_int_equal(kn_cert_generate(&c), 0);
    expect_sdp_hex(c.fingerprint, 32);
    assert_int_equal(X509_digest(c.x509, EVP_sha256(), digest, &n), 1);
    assert_int_equal(n, 32);
    for (unsigned int i = 0; i < n; i++)
        snprintf(expect + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", digest[i]);
    assert_string_equal(c.fingerprint, expect);

    assert_int_equal(EVP_PKEY_get_base_id(c.key), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_get_utf8_string_param(c.key, "group", name, sizeof(name), &name_len),
                     1);
    assert_string_equal(name, "prime256v1");
    assert_int_equal(X509_check_private_key(c.x509, c.key), 1);
    assert_int_equal(X509_verify(c.x509, c.key), 1); /* signed by its own key */
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(c.x509), X509_get_issuer_name(c.x509)),
                     0);
    kn_cert_free(&c);
    assert_null(c.x509);
}

static void two_certs_differ(void **state) {
    kn_cert a, b;
    (void)state;

    assert_int_equal(kn_cert_generate(&a), 0);
    assert_int_equal(kn_cert_generate(&b), 0);
    assert_string_not_equal(a.fingerprint, b.fingerprint);
    kn_cert_free(&a);
    kn_cert_free(&b);
}

static void fingerprint_parse_accepts_each_algorithm(void **state) {
    static const struct {
        const char *alg;
        const EVP_MD *(*md)(void);
        size_t len;
    } algs[] = {
        {"sha-1", EVP_sha1, 20},
        {"SHA-256", EVP_sha256, 32},
        {"sha-384", EVP_sha384, 48},
        {"sha-512", EVP_sha512, 64},
    };
    kn_cert c;
    char text[KN_CERT_MAX_FP_TEXT];
    kn_fingerprint fp;
    (void)state;

    assert_int_equal(kn_cert_generate(&c), 0);
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        assert_int_equal(kn_cert_fingerprint(c.x509, algs[i].md(), text, sizeof(text)), 0);
        expect_sdp_hex(text, algs[i].len);
        assert_int_equal(kn_fingerprint_parse(algs[i].alg, text, &fp), 0);
        assert_int_equal(fp.len, algs[i].len);
        assert_int_equal(kn_fingerprint_verify(&fp, c.x509), 0);
        fp.digest[fp.len - 1] ^= 1;
        assert_int_equal(kn_fingerprint_verify(&fp, c.x509), KN_EAUTH);
    }
    /* lowercase hex as some stacks write it */
    for (char *p = c.fingerprint; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    assert_int_equal(kn_fingerprint_parse("sha-256", c.fingerprint, &fp), 0);
    assert_int_equal(kn_fingerprint_verify(&fp, c.x509), 0);
    kn_cert_free(&c);
}

static void fingerprint_parse_rejects_malformed(void **state) {
    /* 32 bytes, well formed */
    static const char good[] = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                               "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    kn_fingerprint fp;
    char bad[sizeof(good) + 4];
    (void)state;

    assert_int_equal(kn_fingerprint_parse("sha-256", good, &fp), 0);
    assert_int_equal(fp.digest[10], 0xaa);
    assert_int_equal(kn_fingerprint_parse("md5", good, &fp), KN_EINVAL);
    assert_int_equal(kn_fingerprint_parse("sha-1", good, &fp), KN_EINVAL); /* too long */
    assert_int_equal(kn_fingerprint_parse("sha-512", good, &fp), KN_EINVAL); /* too short */
    assert_int_equal(kn_fingerprint_parse(NULL, good, &fp), KN_EINVAL);
    assert_int_equal(kn_fingerprint_parse("sha-256", NULL, &fp), KN_EINVAL);
    assert_int_equal(kn_fingerprint_parse("sha-256", "", &fp), KN_EINVAL);

    snprintf(bad, sizeof(bad), "%s:", good); /* trailing separator */
    assert_int_equal(kn_fingerprint_parse("sha-256", bad, &fp), KN_EINVAL);
    memcpy(bad, good, sizeof(good));
    bad[5] = '-'; /* wrong separator */
    assert_int_equal(kn_fingerprint_parse("sha-256", bad, &fp), KN_EINVAL);
    memcpy(bad, good, sizeof(good));
    bad[3] = 'G'; /* not hex */
    assert_int_equal(kn_fingerprint_parse("sha-256", bad, &fp), KN_EINVAL);
    memcpy(bad, good, sizeof(good));
    bad[sizeof(good) - 2] = '\0'; /* last byte has one digit */
    assert_int_equal(kn_fingerprint_parse("sha-256", bad, &fp), KN_EINVAL);
    assert_null(fp.md); /* cleared on failure */
}

static void fingerprint_text_needs_room(void **state) {
    kn_cert c;
    char small[94]; /* 95 needed for sha-256 incl. NUL */
    (void)state;

    assert_int_equal(kn_cert_generate(&c), 0);
    assert_int_equal(kn_cert_fingerprint(c.x509, EVP_sha256(), small, sizeof(small)), KN_ELIMIT);
    kn_cert_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cert_is_p256_self_signed_with_sha256_fingerprint),
        cmocka_unit_test(two_certs_differ),
        cmocka_unit_test(fingerprint_parse_accepts_each_algorithm),
        cmocka_unit_test(fingerprint_parse_rejects_malformed),
        cmocka_unit_test(fingerprint_text_needs_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
