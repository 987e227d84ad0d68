/*
 * test_h264.c: keyframe detection in H.264 RTP payloads (RFC 6184 single NAL,
 * STAP-A, FU-A), truncations and malformed aggregates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/h264.h"
#include "rtp/h264.h"

static void stap_a_sps_pps(void **state) {
    kn_h264 h;
    (void)state;
    assert_int_equal(kn_h264_parse(h264_stap_sps_pps, sizeof(h264_stap_sps_pps), &h), 0);
    assert_int_equal(h.pkt_type, KN_H264_STAP_A);
    assert_int_equal(h.nal_type, KN_H264_NAL_SPS);
    assert_int_equal(h.nal_count, 2);
    assert_true(h.has_sps);
    assert_true(h.has_pps);
    assert_false(h.has_idr);
    assert_true(h.keyframe);
    assert_false(h.fu_start);
}

static void fu_a_fragments(void **state) {
    kn_h264 h;
    (void)state;
    assert_int_equal(kn_h264_parse(h264_fua_idr_start, sizeof(h264_fua_idr_start), &h), 0);
    assert_int_equal(h.pkt_type, KN_H264_FU_A);
    assert_int_equal(h.nal_type, KN_H264_NAL_IDR);
    assert_true(h.fu_start);
    assert_false(h.fu_end);
    assert_true(h.has_idr);
    assert_true(h.keyframe);
    assert_int_equal(kn_h264_parse(h264_fua_idr_mid, sizeof(h264_fua_idr_mid), &h), 0);
    assert_int_equal(h.nal_type, KN_H264_NAL_IDR);
    assert_false(h.fu_start);
    assert_false(h.keyframe); /* only the start fragment begins a picture */
    assert_int_equal(kn_h264_parse(h264_fua_idr_end, sizeof(h264_fua_idr_end), &h), 0);
    assert_true(h.fu_end);
    assert_false(h.keyframe);
}

static void single_nal(void **state) {
    kn_h264 h;
    uint8_t b[2] = {0x06, 0x05};
    (void)state;
    assert_int_equal(kn_h264_parse(h264_single_idr, sizeof(h264_single_idr), &h), 0);
    assert_int_equal(h.pkt_type, KN_H264_NAL_IDR);
    assert_int_equal(h.nal_type, KN_H264_NAL_IDR);
    assert_int_equal(h.nal_count, 1);
    assert_true(h.keyframe);
    assert_int_equal(kn_h264_parse(h264_single_p, sizeof(h264_single_p), &h), 0);
    assert_int_equal(h.nal_type, 1);
    assert_false(h.keyframe);
    assert_int_equal(kn_h264_parse(b, 1, &h), 0); /* SEI: not a keyframe */
    assert_false(h.keyframe);
    b[0] = 0x67; /* a lone SPS starts a keyframe too */
    assert_int_equal(kn_h264_parse(b, 1, &h), 0);
    assert_true(h.keyframe);
    b[0] = 0x79; /* STAP-B: forwarded, never a keyframe */
    assert_int_equal(kn_h264_parse(b, 2, &h), 0);
    assert_int_equal(h.pkt_type, 25);
    assert_false(h.keyframe);
}

static void rejects_truncation(void **state) {
    kn_h264 h;
    (void)state;
    assert_int_equal(kn_h264_parse(h264_single_idr, 0, &h), KN_ETRUNC);
    assert_int_equal(kn_h264_parse(h264_fua_idr_start, 1, &h), KN_ETRUNC);
    /* Every cut of the STAP-A inside a NAL or its size field. */
    for (size_t n = 2; n < sizeof(h264_stap_sps_pps); n++) {
        int rc = kn_h264_parse(h264_stap_sps_pps, n, &h);
        if (n == 13) /* ends right after the SPS: a valid one-NAL STAP-A */
            assert_int_equal(rc, 0);
        else
            assert_int_equal(rc, KN_ETRUNC);
        assert_false(rc != 0 && h.keyframe);
    }
}

static void rejects_malformed(void **state) {
    uint8_t b[sizeof(h264_stap_sps_pps)];
    kn_h264 h;
    (void)state;
    assert_int_equal(kn_h264_parse(h264_stap_sps_pps, 1, &h), KN_EPROTO); /* empty STAP-A */
    memcpy(b, h264_stap_sps_pps, sizeof(b));
    b[0] |= 0x80; /* forbidden bit */
    assert_int_equal(kn_h264_parse(b, sizeof(b), &h), KN_EPROTO);
    memcpy(b, h264_stap_sps_pps, sizeof(b));
    b[1] = b[2] = 0; /* zero-size NAL */
    assert_int_equal(kn_h264_parse(b, sizeof(b), &h), KN_EPROTO);
    memcpy(b, h264_stap_sps_pps, sizeof(b));
    b[2] = 0x0b; /* SPS size one too long: PPS size field misread, runs past */
    assert_int_equal(kn_h264_parse(b, sizeof(b), &h), KN_ETRUNC);
    memcpy(b, h264_fua_idr_start, sizeof(h264_fua_idr_start));
    b[1] = 0xc5; /* S and E together */
    assert_int_equal(kn_h264_parse(b, sizeof(h264_fua_idr_start), &h), KN_EPROTO);
    b[0] = 0x60; /* NAL type 0 */
    assert_int_equal(kn_h264_parse(b, sizeof(h264_fua_idr_start), &h), KN_EPROTO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stap_a_sps_pps),    cmocka_unit_test(fu_a_fragments),
        cmocka_unit_test(single_nal),        cmocka_unit_test(rejects_truncation),
        cmocka_unit_test(rejects_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
