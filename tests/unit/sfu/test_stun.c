/*
 * test_stun.c: STUN parsing, FINGERPRINT and MESSAGE-INTEGRITY checks against
 * the RFC 5769 vectors and a Chromium-shaped request, and the Binding
 * request / success / error writers compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ice/crc32.h"
#include "ice/stun.h"
#include "packets/stun.h"

#define KEY(s) (const uint8_t *)(s), strlen(s)

static void crc32_check_value(void **state) {
    (void)state;
    assert_int_equal(kn_crc32((const uint8_t *)"123456789", 9), 0xcbf43926);
    assert_int_equal(kn_crc32(NULL, 0), 0);
}

static void rfc5769_request(void **state) {
    const uint8_t *p = stun_rfc5769_request;
    const size_t len = sizeof(stun_rfc5769_request);
    kn_stun m;
    (void)state;
    assert_int_equal(kn_stun_parse(p, len, &m), 0);
    assert_int_equal(m.type, KN_STUN_BINDING_REQUEST);
    assert_int_equal(m.length, 88);
    assert_int_equal(m.tid_off, 8);
    assert_true(m.has_username);
    assert_int_equal(m.username_len, 9);
    assert_memory_equal(p + m.username_off, "evtj:h6vY", 9);
    assert_true(m.has_priority);
    assert_int_equal(m.priority, 0x6e0001ff);
    assert_true(m.has_controlled);
    assert_false(m.has_controlling);
    assert_true(m.tie_breaker == 0x932ff9b151263b36ull);
    assert_false(m.use_candidate);
    assert_true(m.has_integrity);
    assert_int_equal(m.integrity_off, 76);
    assert_true(m.has_fingerprint);
    assert_int_equal(m.fingerprint_off, 100);
    assert_int_equal(m.fingerprint, 0xe57a3bcf);
    assert_int_equal(m.unknown_required, 0);
    assert_int_equal(kn_stun_check_fingerprint(p, len, &m), 0);
    assert_int_equal(kn_stun_check_integrity(p, len, &m, KEY(RFC5769_PASSWORD)), 0);
    assert_int_equal(kn_stun_check_integrity(p, len, &m, KEY("VOkJxbRl1RmTxUk/WvJxBu")), KN_EAUTH);
}

static void rfc5769_responses(void **state) {
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                   0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    kn_stun m;
    (void)state;
    assert_int_equal(kn_stun_parse(stun_rfc5769_response_v4, sizeof(stun_rfc5769_response_v4), &m),
                     0);
    assert_int_equal(m.type, KN_STUN_BINDING_SUCCESS);
    assert_true(m.has_xor_mapped);
    assert_int_equal(m.xor_mapped.family, 1);
    assert_int_equal(m.xor_mapped.port, 32853);
    assert_memory_equal(m.xor_mapped.addr, "\xc0\x00\x02\x01", 4);
    assert_int_equal(
        kn_stun_check_fingerprint(stun_rfc5769_response_v4, sizeof(stun_rfc5769_response_v4), &m),
        0);
    assert_int_equal(kn_stun_check_integrity(stun_rfc5769_response_v4,
                                             sizeof(stun_rfc5769_response_v4), &m,
                                             KEY(RFC5769_PASSWORD)),
                     0);
    assert_int_equal(kn_stun_parse(stun_rfc5769_response_v6, sizeof(stun_rfc5769_response_v6), &m),
                     0);
    assert_int_equal(m.xor_mapped.family, 2);
    assert_int_equal(m.xor_mapped.port, 32853);
    assert_memory_equal(m.xor_mapped.addr, v6, 16);
    assert_int_equal(
        kn_stun_check_fingerprint(stun_rfc5769_response_v6, sizeof(stun_rfc5769_response_v6), &m),
        0);
    assert_int_equal(kn_stun_check_integrity(stun_rfc5769_response_v6,
                                             sizeof(stun_rfc5769_response_v6), &m,
                                             KEY(RFC5769_PASSWORD)),
                     0);
}

static void chrome_request(void **state) {
    const uint8_t *p = stun_chrome_request;
    const size_t len = sizeof(stun_chrome_request);
    kn_stun m;
    (void)state;
    assert_int_equal(kn_stun_parse(p, len, &m), 0);
    assert_memory_equal(p + m.username_off, "sfu1:Hq5T", 9);
    assert_int_equal(m.priority, 0x6e7f1eff);
    assert_true(m.has_controlling);
    assert_true(m.tie_breaker == 0x1a2b3c4d5e6f7081ull);
    assert_true(m.use_candidate);
    assert_int_equal(m.unknown_required, 0); /* GOOG-NETWORK-INFO is optional */
    assert_int_equal(kn_stun_check_fingerprint(p, len, &m), 0);
    assert_int_equal(kn_stun_check_integrity(p, len, &m, KEY(STUN_SFU_PASSWORD)), 0);
    assert_int_equal(kn_stun_check_integrity(p, len, &m, KEY(RFC5769_PASSWORD)), KN_EAUTH);
}

static void checks_detect_corruption(void **state) {
    uint8_t b[sizeof(stun_chrome_request)];
    kn_stun m;
    (void)state;
    memcpy(b, stun_chrome_request, sizeof(b));
    b[27] ^= 0x01; /* one username bit */
    assert_int_equal(kn_stun_parse(b, sizeof(b), &m), 0);
    assert_int_equal(kn_stun_check_fingerprint(b, sizeof(b), &m), KN_EAUTH);
    assert_int_equal(kn_stun_check_integrity(b, sizeof(b), &m, KEY(STUN_SFU_PASSWORD)), KN_EAUTH);
    /* No MI / FP in a bare header. */
    assert_int_equal(kn_stun_parse(b, 20, &m), KN_ETRUNC); /* length still says 80 */
    b[2] = b[3] = 0;
    assert_int_equal(kn_stun_parse(b, 20, &m), 0);
    assert_int_equal(kn_stun_check_fingerprint(b, 20, &m), KN_ENOENT);
    assert_int_equal(kn_stun_check_integrity(b, 20, &m, KEY(STUN_SFU_PASSWORD)), KN_ENOENT);
}

static void rejects_every_truncation(void **state) {
    kn_stun m;
    (void)state;
    for (size_t n = 0; n < sizeof(stun_rfc5769_request); n++)
        assert_int_equal(kn_stun_parse(stun_rfc5769_request, n, &m), KN_ETRUNC);
    for (size_t n = 0; n < sizeof(stun_chrome_request); n++)
        assert_int_equal(kn_stun_parse(stun_chrome_request, n, &m), KN_ETRUNC);
}

static void rejects_bad_headers(void **state) {
    uint8_t b[sizeof(stun_chrome_request) + 8];
    const size_t len = sizeof(stun_chrome_request);
    kn_stun m;
    (void)state;
    memcpy(b, stun_chrome_request, len);
    b[4] = 0x22; /* cookie */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    memcpy(b, stun_chrome_request, len);
    b[0] = 0x40; /* top bits set: not STUN */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    memcpy(b, stun_chrome_request, len);
    b[3] = 0x4e; /* length not a multiple of 4 */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    b[3] = 0x4c; /* length shorter than the datagram */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    memcpy(b, stun_chrome_request, len);
    b[23] = 0x50; /* USERNAME runs past the message */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_ETRUNC);
    memcpy(b, stun_chrome_request, len);
    b[63] = 0x03; /* PRIORITY of 3 bytes */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    memcpy(b, stun_chrome_request, len);
    b[59] = 0x04; /* USE-CANDIDATE with a value: swallows PRIORITY's header */
    assert_int_equal(kn_stun_parse(b, len, &m), KN_EPROTO);
    /* An attribute after FINGERPRINT. */
    memcpy(b, stun_chrome_request, len);
    memcpy(b + len, "\x80\x22\x00\x04test", 8);
    b[3] = 0x58;
    assert_int_equal(kn_stun_parse(b, len + 8, &m), KN_EPROTO);
}

static void attribute_rules(void **state) {
    /* MESSAGE-INTEGRITY, then a USERNAME that must be ignored (§14.5), then an
     * unknown comprehension-required attribute, also after MI and ignored. */
    uint8_t b[20 + 24 + 8 + 8] = {0x00, 0x01, 0x00, 0x28, 0x21, 0x12, 0xa4, 0x42};
    kn_stun m;
    (void)state;
    memcpy(b + 20, "\x00\x08\x00\x14", 4);
    memcpy(b + 44, "\x00\x06\x00\x04user", 8);
    memcpy(b + 52, "\x00\x03\x00\x04\x00\x00\x00\x00", 8);
    assert_int_equal(kn_stun_parse(b, sizeof(b), &m), 0);
    assert_true(m.has_integrity);
    assert_false(m.has_username);
    assert_int_equal(m.unknown_required, 0);
    /* Before MI the unknown required attribute is reported. */
    memcpy(b + 20, "\x00\x03\x00\x04\x00\x00\x00\x00", 8);
    memcpy(b + 28, "\x00\x06\x00\x04user", 8);
    b[3] = 0x10;
    assert_int_equal(kn_stun_parse(b, 36, &m), 0);
    assert_int_equal(m.unknown_required, 3);
    assert_true(m.has_username);
    /* Bad XOR-MAPPED-ADDRESS family. */
    memcpy(b + 20, "\x00\x20\x00\x08\x00\x03\x00\x00\x00\x00\x00\x00", 12);
    b[3] = 0x0c;
    assert_int_equal(kn_stun_parse(b, 32, &m), KN_EPROTO);
}

static void write_request_round_trip(void **state) {
    kn_stun m, r;
    uint8_t out[256];
    size_t n;
    (void)state;
    assert_int_equal(kn_stun_parse(stun_chrome_request, sizeof(stun_chrome_request), &m), 0);
    kn_stun_request req = {
        .tid = stun_chrome_request + m.tid_off,
        .username = (const char *)stun_chrome_request + m.username_off,
        .username_len = m.username_len,
        .priority = m.priority,
        .controlling = m.has_controlling,
        .tie_breaker = m.tie_breaker,
        .use_candidate = m.use_candidate,
    };
    assert_int_equal(kn_stun_write_request(&req, KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(stun_konsil_request));
    assert_memory_equal(out, stun_konsil_request, n);
    assert_int_equal(kn_stun_parse(out, n, &r), 0);
    assert_int_equal(kn_stun_check_integrity(out, n, &r, KEY(STUN_SFU_PASSWORD)), 0);
    for (size_t cap = 0; cap < n; cap++)
        assert_int_equal(kn_stun_write_request(&req, KEY(STUN_SFU_PASSWORD), out, cap, &n),
                         KN_ELIMIT);
    req.username_len = 0;
    assert_int_equal(kn_stun_write_request(&req, KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n),
                     KN_EINVAL);
}

static void write_success_round_trip(void **state) {
    const uint8_t *tid = stun_chrome_request + 8;
    kn_stun_addr a4 = {
        .family = 1, .port = 54321, .addr = {192, 0, 2, 2}
    };
    kn_stun_addr a6 = {
        .family = 2, .port = 54321, .addr = {0xfd, 0, [15] = 2}
    };
    uint8_t out[128];
    kn_stun m;
    size_t n;
    (void)state;
    assert_int_equal(kn_stun_write_success(tid, &a4, KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n),
                     0);
    assert_int_equal(n, sizeof(stun_konsil_success_v4));
    assert_memory_equal(out, stun_konsil_success_v4, n);
    assert_int_equal(kn_stun_write_success(tid, &a6, KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n),
                     0);
    assert_int_equal(n, sizeof(stun_konsil_success_v6));
    assert_memory_equal(out, stun_konsil_success_v6, n);
    assert_int_equal(kn_stun_parse(out, n, &m), 0);
    assert_memory_equal(m.xor_mapped.addr, a6.addr, 16);
    assert_int_equal(m.xor_mapped.port, 54321);
    assert_int_equal(kn_stun_write_success(tid, &a6, KEY(STUN_SFU_PASSWORD), out, n - 1, &n),
                     KN_ELIMIT);
    a4.family = 3;
    assert_int_equal(kn_stun_write_success(tid, &a4, KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n),
                     KN_EINVAL);
    /* RFC 5769's response without SOFTWARE: its address, our integrity. */
    kn_stun_addr rfc = {
        .family = 1, .port = 32853, .addr = {192, 0, 2, 1}
    };
    assert_int_equal(kn_stun_write_success(stun_rfc5769_response_v4 + 8, &rfc,
                                           KEY(RFC5769_PASSWORD), out, sizeof(out), &n),
                     0);
    assert_memory_equal(out + 20, stun_rfc5769_response_v4 + 36, 12);
    assert_int_equal(kn_stun_parse(out, n, &m), 0);
    assert_int_equal(kn_stun_check_integrity(out, n, &m, KEY(RFC5769_PASSWORD)), 0);
    assert_int_equal(kn_stun_check_fingerprint(out, n, &m), 0);
}

static void write_error_round_trip(void **state) {
    uint8_t out[128];
    kn_stun m;
    size_t n;
    (void)state;
    assert_int_equal(kn_stun_write_error(stun_chrome_request + 8, 401, "Unauthorized", NULL, 0, out,
                                         sizeof(out), &n),
                     0);
    assert_int_equal(n, sizeof(stun_konsil_error_401));
    assert_memory_equal(out, stun_konsil_error_401, n);
    assert_int_equal(kn_stun_parse(out, n, &m), 0);
    assert_true(m.has_error);
    assert_int_equal(m.error_code, 401);
    assert_int_equal(m.error_reason_len, 12);
    assert_memory_equal(out + m.error_reason_off, "Unauthorized", 12);
    assert_false(m.has_integrity);
    assert_int_equal(kn_stun_check_fingerprint(out, n, &m), 0);
    assert_int_equal(kn_stun_write_error(stun_chrome_request + 8, 487, "Role Conflict",
                                         KEY(STUN_SFU_PASSWORD), out, sizeof(out), &n),
                     0);
    assert_int_equal(kn_stun_parse(out, n, &m), 0);
    assert_int_equal(m.error_code, 487);
    assert_int_equal(kn_stun_check_integrity(out, n, &m, KEY(STUN_SFU_PASSWORD)), 0);
    assert_int_equal(
        kn_stun_write_error(stun_chrome_request + 8, 200, NULL, NULL, 0, out, sizeof(out), &n),
        KN_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32_check_value),        cmocka_unit_test(rfc5769_request),
        cmocka_unit_test(rfc5769_responses),        cmocka_unit_test(chrome_request),
        cmocka_unit_test(checks_detect_corruption), cmocka_unit_test(rejects_every_truncation),
        cmocka_unit_test(rejects_bad_headers),      cmocka_unit_test(attribute_rules),
        cmocka_unit_test(write_request_round_trip), cmocka_unit_test(write_success_round_trip),
        cmocka_unit_test(write_error_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
