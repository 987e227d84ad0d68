/*
 * test_vp8.c: VP8 payload descriptor (RFC 7741 §4.2): every field, keyframe
 * detection, truncations, writer round trip and in-place rewrites.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/rtp_chrome.h"
#include "rtp/vp8.h"

#define KEY_PAYLOAD       (rtp_vp8_key + RTP_VP8_KEY_HDR_LEN)
#define KEY_PAYLOAD_LEN   (sizeof(rtp_vp8_key) - RTP_VP8_KEY_HDR_LEN)
#define DELTA_PAYLOAD     (rtp_vp8_delta + 12)
#define DELTA_PAYLOAD_LEN (sizeof(rtp_vp8_delta) - 12)

static void keyframe_descriptor(void **state) {
    kn_vp8 d;
    (void)state;
    assert_int_equal(kn_vp8_parse(KEY_PAYLOAD, KEY_PAYLOAD_LEN, &d), 0);
    assert_true(d.x);
    assert_false(d.n);
    assert_true(d.s);
    assert_int_equal(d.pid, 0);
    assert_true(d.i);
    assert_true(d.l);
    assert_true(d.t);
    assert_false(d.k);
    assert_true(d.m);
    assert_int_equal(d.picture_id, 21);
    assert_int_equal(d.picture_id_off, 2);
    assert_int_equal(d.tl0picidx, 7);
    assert_int_equal(d.tl0picidx_off, 4);
    assert_int_equal(d.tid, 0);
    assert_true(d.y);
    assert_int_equal(d.keyidx, 0);
    assert_int_equal(d.tid_off, 5);
    assert_int_equal(d.hdr_len, RTP_VP8_KEY_DESC_LEN);
    assert_true(d.keyframe);
}

static void delta_descriptor(void **state) {
    kn_vp8 d;
    (void)state;
    assert_int_equal(kn_vp8_parse(DELTA_PAYLOAD, DELTA_PAYLOAD_LEN, &d), 0);
    assert_true(d.x);
    assert_true(d.n);
    assert_false(d.s);
    assert_int_equal(d.pid, 1);
    assert_true(d.i);
    assert_false(d.l);
    assert_true(d.t);
    assert_true(d.k);
    assert_false(d.m);
    assert_int_equal(d.picture_id, 22);
    assert_int_equal(d.tl0picidx_off, 0);
    assert_int_equal(d.tid, 2);
    assert_false(d.y);
    assert_int_equal(d.keyidx, 5);
    assert_int_equal(d.hdr_len, 4);
    assert_false(d.keyframe);
}

static void keyframe_needs_s_pid0_and_p0(void **state) {
    uint8_t b[64];
    kn_vp8 d;
    (void)state;
    memcpy(b, KEY_PAYLOAD, KEY_PAYLOAD_LEN);
    b[RTP_VP8_KEY_DESC_LEN] |= 0x01; /* P=1: interframe */
    assert_int_equal(kn_vp8_parse(b, KEY_PAYLOAD_LEN, &d), 0);
    assert_false(d.keyframe);
    memcpy(b, KEY_PAYLOAD, KEY_PAYLOAD_LEN);
    b[0] = 0x80; /* S=0 */
    assert_int_equal(kn_vp8_parse(b, KEY_PAYLOAD_LEN, &d), 0);
    assert_false(d.keyframe);
    b[0] = 0x91; /* S=1 PID=1 */
    assert_int_equal(kn_vp8_parse(b, KEY_PAYLOAD_LEN, &d), 0);
    assert_false(d.keyframe);
    /* Minimal descriptor without X. */
    const uint8_t small[] = {0x10, 0x50};
    assert_int_equal(kn_vp8_parse(small, 2, &d), 0);
    assert_false(d.x);
    assert_int_equal(d.hdr_len, 1);
    assert_true(d.keyframe);
}

static void rejects_every_truncation(void **state) {
    kn_vp8 d;
    (void)state;
    for (size_t n = 0; n <= RTP_VP8_KEY_DESC_LEN; n++)
        assert_int_equal(kn_vp8_parse(KEY_PAYLOAD, n, &d), KN_ETRUNC);
    for (size_t n = 0; n <= 4; n++)
        assert_int_equal(kn_vp8_parse(DELTA_PAYLOAD, n, &d), KN_ETRUNC);
}

static void write_round_trip(void **state) {
    uint8_t out[8];
    kn_vp8 d;
    size_t n;
    (void)state;
    assert_int_equal(kn_vp8_parse(KEY_PAYLOAD, KEY_PAYLOAD_LEN, &d), 0);
    assert_int_equal(kn_vp8_write(&d, out, sizeof(out), &n), 0);
    assert_int_equal(n, RTP_VP8_KEY_DESC_LEN);
    assert_memory_equal(out, KEY_PAYLOAD, n);
    assert_int_equal(kn_vp8_write(&d, out, n - 1, &n), KN_ELIMIT);
    assert_int_equal(kn_vp8_parse(DELTA_PAYLOAD, DELTA_PAYLOAD_LEN, &d), 0);
    assert_int_equal(kn_vp8_write(&d, out, sizeof(out), &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, DELTA_PAYLOAD, n);
    d.picture_id = 200; /* does not fit 7 bits */
    assert_int_equal(kn_vp8_write(&d, out, sizeof(out), &n), KN_EINVAL);
    d.picture_id = 1;
    d.x = false; /* I/T/K without X */
    assert_int_equal(kn_vp8_write(&d, out, sizeof(out), &n), KN_EINVAL);
}

static void rewrite_in_place(void **state) {
    uint8_t b[64];
    kn_vp8 d, e;
    (void)state;
    memcpy(b, KEY_PAYLOAD, KEY_PAYLOAD_LEN);
    assert_int_equal(kn_vp8_parse(b, KEY_PAYLOAD_LEN, &d), 0);
    assert_int_equal(kn_vp8_set_picture_id(b, &d, 0x8123), 0); /* 15 bits kept */
    assert_int_equal(kn_vp8_set_tl0picidx(b, &d, 250), 0);
    assert_int_equal(kn_vp8_parse(b, KEY_PAYLOAD_LEN, &e), 0);
    assert_int_equal(e.picture_id, 0x0123);
    assert_true(e.m);
    assert_int_equal(e.tl0picidx, 250);
    assert_memory_equal(b + 5, KEY_PAYLOAD + 5, KEY_PAYLOAD_LEN - 5);

    memcpy(b, DELTA_PAYLOAD, DELTA_PAYLOAD_LEN);
    assert_int_equal(kn_vp8_parse(b, DELTA_PAYLOAD_LEN, &d), 0);
    assert_int_equal(kn_vp8_set_picture_id(b, &d, 300), 0); /* 7-bit form: 300 & 127 */
    assert_int_equal(kn_vp8_parse(b, DELTA_PAYLOAD_LEN, &e), 0);
    assert_int_equal(e.picture_id, 300 & 0x7f);
    assert_false(e.m);
    assert_int_equal(kn_vp8_set_tl0picidx(b, &d, 1), KN_ENOENT);
    const uint8_t plain[] = {0x10, 0x50};
    assert_int_equal(kn_vp8_parse(plain, 2, &d), 0);
    assert_int_equal(kn_vp8_set_picture_id(b, &d, 1), KN_ENOENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyframe_descriptor),
        cmocka_unit_test(delta_descriptor),
        cmocka_unit_test(keyframe_needs_s_pid0_and_p0),
        cmocka_unit_test(rejects_every_truncation),
        cmocka_unit_test(write_round_trip),
        cmocka_unit_test(rewrite_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
