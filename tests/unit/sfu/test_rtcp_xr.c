/* test_rtcp_xr.c: RFC 3611 XR parse/write (router/rtcp_xr.c) over annotated
 * fixtures: Chrome's RRTR, a DLRR with two sub-blocks, skipped unknown blocks,
 * truncated and malformed blocks, and write → parse round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "router/rtcp_xr.h"

/* The XR of Chrome's RR+XR compound (a=rtcp-xr:rcvr-rtt=all). */
static const uint8_t xr_rrtr[] = {
    0x80, 0xcf, 0x00, 0x04, /* V=2 | PT=207 XR | length=4 words */
    0x00, 0x00, 0x00, 0x01, /* SSRC of the receiver */
    0x04, 0x00, 0x00, 0x02, /* BT=4 RRTR, reserved, block length=2 words */
    0xeb, 0x0d, 0x3e, 0x80, /* NTP seconds */
    0x80, 0x00, 0x00, 0x00, /* NTP fraction (0.5 s) */
};

/* An unknown block (BT=7 VoIP metrics shortened to one word) before a DLRR. */
static const uint8_t xr_dlrr[] = {
    0x80, 0xcf, 0x00, 0x0a, /* V=2 | PT=207 XR | length=10 words */
    0x11, 0x22, 0x33, 0x44, /* SSRC of the sender */
    0x07, 0x00, 0x00, 0x01, /* BT=7, block length=1 word */
    0xde, 0xad, 0xbe, 0xef, /*   its body, skipped */
    0x05, 0x00, 0x00, 0x06, /* BT=5 DLRR, block length=6 words (2 sub-blocks) */
    0x00, 0x00, 0x00, 0x01, /*   SSRC_1 */
    0x3e, 0x80, 0x80, 0x00, /*   LRR_1 (middle 32 bits of the RRTR above) */
    0x00, 0x00, 0x80, 0x00, /*   DLRR_1 = 0.5 s */
    0x00, 0x00, 0x00, 0x02, /*   SSRC_2 */
    0x00, 0x00, 0x00, 0x00, /*   LRR_2 = 0 (no RRTR yet) */
    0x00, 0x00, 0x00, 0x00, /*   DLRR_2 */
};

static void parses_chrome_rrtr(void **state) {
    kn_rtcp_xr xr;
    (void)state;
    assert_int_equal(kn_rtcp_xr_parse(xr_rrtr, sizeof(xr_rrtr), &xr), 0);
    assert_int_equal(xr.ssrc, 1);
    assert_true(xr.has_rrtr);
    assert_int_equal(xr.rrtr_ntp, 0xeb0d3e8080000000ull);
    assert_int_equal(kn_ntp_compact(xr.rrtr_ntp), 0x3e808000u);
    assert_int_equal(xr.dlrr_off, 0);
}

static void parses_dlrr_skipping_unknown(void **state) {
    kn_rtcp_xr xr;
    kn_rtcp_dlrr_item it;
    (void)state;
    assert_int_equal(kn_rtcp_xr_parse(xr_dlrr, sizeof(xr_dlrr), &xr), 0);
    assert_int_equal(xr.ssrc, 0x11223344u);
    assert_false(xr.has_rrtr);
    assert_int_equal(xr.dlrr_count, 2);
    assert_int_equal(xr.dlrr_off, 20);
    kn_rtcp_xr_dlrr_read(xr_dlrr, &xr, 0, &it);
    assert_int_equal(it.ssrc, 1);
    assert_int_equal(it.lrr, 0x3e808000u);
    assert_int_equal(it.dlrr, 0x8000);
    kn_rtcp_xr_dlrr_read(xr_dlrr, &xr, 1, &it);
    assert_int_equal(it.ssrc, 2);
    assert_int_equal(it.lrr, 0);
}

static void rejects_bad_input(void **state) {
    uint8_t b[sizeof(xr_dlrr)];
    kn_rtcp_xr xr;
    (void)state;
    /* shorter than the length field says */
    assert_int_equal(kn_rtcp_xr_parse(xr_rrtr, sizeof(xr_rrtr) - 1, &xr), KN_ETRUNC);
    assert_int_equal(kn_rtcp_xr_parse(xr_rrtr, 7, &xr), KN_ETRUNC);
    /* a block running past the packet */
    memcpy(b, xr_rrtr, sizeof(xr_rrtr));
    b[11] = 3;
    assert_int_equal(kn_rtcp_xr_parse(b, sizeof(xr_rrtr), &xr), KN_ETRUNC);
    /* an RRTR block of the wrong size */
    memcpy(b, xr_dlrr, sizeof(xr_dlrr));
    b[8] = KN_RTCP_XR_RRTR;
    assert_int_equal(kn_rtcp_xr_parse(b, sizeof(xr_dlrr), &xr), KN_EPROTO);
    /* a DLRR block that is not a whole number of sub-blocks */
    memcpy(b, xr_dlrr, sizeof(xr_dlrr));
    b[8] = KN_RTCP_XR_DLRR;
    assert_int_equal(kn_rtcp_xr_parse(b, sizeof(xr_dlrr), &xr), KN_EPROTO);
    /* an RR is not an XR; version 1 is not RTCP */
    memcpy(b, xr_rrtr, sizeof(xr_rrtr));
    b[1] = 201;
    assert_int_equal(kn_rtcp_xr_parse(b, sizeof(xr_rrtr), &xr), KN_EPROTO);
    memcpy(b, xr_rrtr, sizeof(xr_rrtr));
    b[0] = 0x40;
    assert_int_equal(kn_rtcp_xr_parse(b, sizeof(xr_rrtr), &xr), KN_EPROTO);
}

static void writes_dlrr_byte_exact(void **state) {
    const kn_rtcp_dlrr_item items[] = {{1, 0x3e808000u, 0x8000}, {2, 0, 0}};
    uint8_t buf[64];
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_xr_dlrr_write(0x11223344u, items, 2, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 36);
    /* the fixture without its unknown block */
    static const uint8_t want[] = {0x80, 0xcf, 0x00, 0x08, 0x11, 0x22, 0x33, 0x44,
                                   0x05, 0x00, 0x00, 0x06};
    assert_memory_equal(buf, want, sizeof(want));
    assert_memory_equal(buf + 12, xr_dlrr + 20, 24);
    assert_int_equal(kn_rtcp_xr_dlrr_write(1, items, 2, buf, 35, &n), KN_ELIMIT);
    assert_int_equal(kn_rtcp_xr_dlrr_write(1, items, 0, buf, sizeof(buf), &n), KN_EINVAL);
    assert_int_equal(kn_rtcp_xr_dlrr_write(1, items, KN_RTCP_XR_DLRR_MAX + 1, buf, sizeof(buf), &n),
                     KN_EINVAL);
}

static void rrtr_round_trip(void **state) {
    uint8_t buf[32];
    size_t n;
    kn_rtcp_xr xr;
    (void)state;
    assert_int_equal(kn_rtcp_xr_rrtr_write(1, 0xeb0d3e8080000000ull, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, sizeof(xr_rrtr));
    assert_memory_equal(buf, xr_rrtr, n);
    assert_int_equal(kn_rtcp_xr_rrtr_write(1, 0, buf, 19, &n), KN_ELIMIT);
    assert_int_equal(kn_rtcp_xr_parse(buf, sizeof(xr_rrtr), &xr), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_chrome_rrtr),
        cmocka_unit_test(parses_dlrr_skipping_unknown),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(writes_dlrr_byte_exact),
        cmocka_unit_test(rrtr_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
