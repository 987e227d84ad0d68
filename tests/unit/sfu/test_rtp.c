/*
 * test_rtp.c: kn_rtp_parse / kn_rtp_write / field rewrites, RTP-RTCP demux
 * (RFC 5761 §4) and first-byte demux (RFC 7983) over Chromium-shaped fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/rtp_chrome.h"
#include "rtp/demux.h"
#include "rtp/rtp.h"

static void parse_vp8_key_fields(void **state) {
    kn_rtp r;
    (void)state;
    assert_int_equal(kn_rtp_parse(rtp_vp8_key, sizeof(rtp_vp8_key), &r), 0);
    assert_false(r.padding);
    assert_true(r.extension);
    assert_true(r.marker);
    assert_int_equal(r.csrc_count, 0);
    assert_int_equal(r.pt, 96);
    assert_int_equal(r.seq, 8010);
    assert_int_equal(r.ts, 90000);
    assert_int_equal(r.ssrc, 0x1a2b3c4d);
    assert_int_equal(r.csrc_off, 12);
    assert_int_equal(r.ext_hdr_off, 12);
    assert_int_equal(r.ext_profile, 0xbede);
    assert_int_equal(r.ext_off, 16);
    assert_int_equal(r.ext_len, 12);
    assert_int_equal(r.header_len, RTP_VP8_KEY_HDR_LEN);
    assert_int_equal(r.payload_off, RTP_VP8_KEY_HDR_LEN);
    assert_int_equal(r.payload_len, sizeof(rtp_vp8_key) - RTP_VP8_KEY_HDR_LEN);
    assert_int_equal(r.pad_len, 0);
}

static void parse_plain_header(void **state) {
    kn_rtp r;
    (void)state;
    assert_int_equal(kn_rtp_parse(rtp_vp8_delta, sizeof(rtp_vp8_delta), &r), 0);
    assert_false(r.extension);
    assert_false(r.marker);
    assert_int_equal(r.seq, 8011);
    assert_int_equal(r.ts, 93000);
    assert_int_equal(r.ext_profile, 0);
    assert_int_equal(r.ext_len, 0);
    assert_int_equal(r.payload_off, 12);
    assert_int_equal(r.payload_len, 7);
}

static void parse_csrc_padding(void **state) {
    kn_rtp r;
    (void)state;
    assert_int_equal(kn_rtp_parse(rtp_csrc_pad, sizeof(rtp_csrc_pad), &r), 0);
    assert_true(r.padding);
    assert_int_equal(r.csrc_count, 2);
    assert_int_equal(r.pt, 97);
    assert_int_equal(r.ssrc, 0x55667788);
    assert_int_equal(r.ext_hdr_off, 20);
    assert_int_equal(r.ext_profile, 0x1000);
    assert_int_equal(r.ext_off, 24);
    assert_int_equal(r.ext_len, 8);
    assert_int_equal(r.payload_off, RTP_CSRC_PAD_HDR_LEN);
    assert_int_equal(r.payload_len, 4);
    assert_int_equal(r.pad_len, 3);
    assert_memory_equal(rtp_csrc_pad + r.csrc_off + 4, "\x00\x00\x00\x02", 4);
}

static void parse_padding_only(void **state) {
    kn_rtp r;
    (void)state;
    assert_int_equal(kn_rtp_parse(rtp_padding_only, sizeof(rtp_padding_only), &r), 0);
    assert_int_equal(r.payload_len, 0);
    assert_int_equal(r.pad_len, 4);
    assert_int_equal(r.payload_off, 20);
}

static void parse_rejects_every_truncation(void **state) {
    kn_rtp r;
    (void)state;
    for (size_t n = 0; n < RTP_VP8_KEY_HDR_LEN; n++)
        assert_int_equal(kn_rtp_parse(rtp_vp8_key, n, &r), KN_ETRUNC);
    for (size_t n = 0; n < RTP_CSRC_PAD_HDR_LEN; n++)
        assert_int_equal(kn_rtp_parse(rtp_csrc_pad, n, &r), KN_ETRUNC);
    for (size_t n = 0; n < 12; n++)
        assert_int_equal(kn_rtp_parse(rtp_vp8_delta, n, &r), KN_ETRUNC);
    /* P=1 with nothing after the header: the count byte is missing. */
    assert_int_equal(kn_rtp_parse(rtp_padding_only, 20, &r), KN_ETRUNC);
}

static void parse_rejects_corrupt_lengths(void **state) {
    uint8_t b[64];
    kn_rtp r;
    (void)state;

    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    b[15] = 0x0b; /* 11 extension words: past the end */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_vp8_key), &r), KN_ETRUNC);

    memcpy(b, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    b[0] = 0x85; /* CC=5: 20 CSRC bytes, only 7 follow */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_vp8_delta), &r), KN_ETRUNC);

    memcpy(b, rtp_csrc_pad, sizeof(rtp_csrc_pad));
    b[sizeof(rtp_csrc_pad) - 1] = 8; /* padding longer than payload + padding (7) */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_csrc_pad), &r), KN_EPROTO);
    b[sizeof(rtp_csrc_pad) - 1] = 7; /* exactly everything after the header: legal */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_csrc_pad), &r), 0);
    assert_int_equal(r.payload_len, 0);
    b[sizeof(rtp_csrc_pad) - 1] = 0; /* a zero count is not padding */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_csrc_pad), &r), KN_EPROTO);
}

static void parse_rejects_version(void **state) {
    uint8_t b[sizeof(rtp_vp8_delta)];
    kn_rtp r;
    (void)state;
    memcpy(b, rtp_vp8_delta, sizeof(b));
    for (uint8_t v = 0; v < 4; v++) {
        b[0] = (uint8_t)((v << 6) | (rtp_vp8_delta[0] & 0x3f));
        assert_int_equal(kn_rtp_parse(b, sizeof(b), &r), v == 2 ? 0 : KN_EPROTO);
    }
}

static void write_round_trip(void **state) {
    uint8_t out[16];
    size_t n = 0;
    kn_rtp r;
    (void)state;
    assert_int_equal(kn_rtp_parse(rtp_vp8_key, sizeof(rtp_vp8_key), &r), 0);
    assert_int_equal(kn_rtp_write(&r, out, sizeof(out), &n), 0);
    assert_int_equal(n, 12);
    assert_memory_equal(out, rtp_vp8_key, 12);
    assert_int_equal(kn_rtp_parse(rtp_padding_only, sizeof(rtp_padding_only), &r), 0);
    assert_int_equal(kn_rtp_write(&r, out, sizeof(out), &n), 0);
    assert_memory_equal(out, rtp_padding_only, 12);
    assert_int_equal(kn_rtp_write(&r, out, 11, &n), KN_ELIMIT);
    assert_int_equal(kn_rtp_parse(rtp_csrc_pad, sizeof(rtp_csrc_pad), &r), 0);
    assert_int_equal(kn_rtp_write(&r, out, sizeof(out), &n), KN_EINVAL);
}

static void set_fields_in_place(void **state) {
    uint8_t b[sizeof(rtp_vp8_key)];
    kn_rtp r;
    (void)state;
    memcpy(b, rtp_vp8_key, sizeof(b));
    kn_rtp_set_ssrc(b, 0xdeadbeef);
    kn_rtp_set_seq(b, 65535);
    kn_rtp_set_timestamp(b, 0xfffffff0);
    kn_rtp_set_pt(b, 0xff); /* masked to 127 */
    kn_rtp_set_marker(b, false);
    assert_int_equal(kn_rtp_parse(b, sizeof(b), &r), 0);
    assert_int_equal(r.ssrc, 0xdeadbeef);
    assert_int_equal(r.seq, 65535);
    assert_int_equal(r.ts, 0xfffffff0);
    assert_int_equal(r.pt, 127);
    assert_false(r.marker);
    assert_true(r.extension);
    assert_memory_equal(b + 12, rtp_vp8_key + 12, sizeof(b) - 12);
    kn_rtp_set_marker(b, true);
    kn_rtp_set_pt(b, 96);
    assert_int_equal(b[1], 0xe0);
}

static void rtcp_demux(void **state) {
    uint8_t b[2] = {0x80, 0};
    (void)state;
    for (int pt = 0; pt < 256; pt++) {
        b[1] = (uint8_t)pt;
        assert_int_equal(kn_rtp_is_rtcp(b, 2), pt >= 192 && pt <= 223);
    }
    b[1] = 200;
    assert_false(kn_rtp_is_rtcp(b, 1));
    b[0] = 0x40;
    assert_false(kn_rtp_is_rtcp(b, 2));
    assert_false(kn_rtp_is_rtcp(rtp_vp8_key, sizeof(rtp_vp8_key))); /* M=1 PT=96 = 0xe0 */
}

static void first_byte_demux(void **state) {
    uint8_t b;
    (void)state;
    assert_int_equal(kn_demux_classify(NULL, 0), KN_DEMUX_UNKNOWN);
    for (int v = 0; v < 256; v++) {
        kn_demux_kind want = KN_DEMUX_UNKNOWN;
        if (v <= 3)
            want = KN_DEMUX_STUN;
        else if (v >= 16 && v <= 19)
            want = KN_DEMUX_ZRTP;
        else if (v >= 20 && v <= 63)
            want = KN_DEMUX_DTLS;
        else if (v >= 64 && v <= 79)
            want = KN_DEMUX_TURN;
        else if (v >= 128 && v <= 191)
            want = KN_DEMUX_RTP;
        b = (uint8_t)v;
        assert_int_equal(kn_demux_classify(&b, 1), want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_vp8_key_fields),
        cmocka_unit_test(parse_plain_header),
        cmocka_unit_test(parse_csrc_padding),
        cmocka_unit_test(parse_padding_only),
        cmocka_unit_test(parse_rejects_every_truncation),
        cmocka_unit_test(parse_rejects_corrupt_lengths),
        cmocka_unit_test(parse_rejects_version),
        cmocka_unit_test(write_round_trip),
        cmocka_unit_test(set_fields_in_place),
        cmocka_unit_test(rtcp_demux),
        cmocka_unit_test(first_byte_demux),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
