/*
 * test_twcc_rec.c: transport-cc feedback from recorded arrivals, read back with
 * kn_twcc_parse: base seq, statuses for lost packets, 250 us deltas relative to
 * the 64 ms reference, sequence wrap, late packets, a large gap (large deltas),
 * bursts split over several packets, and nothing written when nothing arrived.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "router/twcc_rec.h"
#include "rtp/rtcp_fb.h"

static kn_twcc_rec rec;
static uint8_t buf[1500];
static kn_twcc hdr;
static kn_twcc_status st[KN_TWCC_REC_MAX_FB];
static size_t nst;

/* Writes one feedback and parses it back; returns its length. */
static size_t write_and_parse(void) {
    size_t n = 0;
    assert_int_equal(kn_twcc_rec_write(&rec, 0x11223344, buf, sizeof(buf), &n), 0);
    if (n > 0)
        assert_int_equal(kn_twcc_parse(buf, n, &hdr, st, KN_TWCC_REC_MAX_FB, &nst), 0);
    return n;
}

static void statuses_and_deltas_round_trip(void **state) {
    (void)state;
    kn_twcc_rec_init(&rec);
    const uint64_t t0 = 5000000; /* any monotonic origin */
    kn_twcc_rec_on_packet(&rec, 100, 0xaaaa, t0);
    kn_twcc_rec_on_packet(&rec, 101, 0xaaaa, t0 + 1000);
    /* 102 lost */
    kn_twcc_rec_on_packet(&rec, 103, 0xbbbb, t0 + 5250);
    kn_twcc_rec_on_packet(&rec, 104, 0xbbbb, t0 + 5400); /* same 250 us tick as 103 */
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.sender_ssrc, 0x11223344);
    assert_int_equal(hdr.media_ssrc, 0xbbbb);
    assert_int_equal(hdr.base_seq, 100);
    assert_int_equal(hdr.fb_count, 0);
    assert_int_equal(hdr.ref_time, 0); /* times are relative to the first arrival */
    assert_int_equal(nst, 5);
    const uint8_t want_status[] = {1, 1, 0, 1, 1};
    const int32_t want_delta[] = {0, 1000, 0, 4250, 0};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(st[i].seq, 100 + i);
        assert_int_equal(st[i].status, want_status[i]);
        assert_int_equal(st[i].delta_us, want_delta[i]);
    }
    /* Nothing new: nothing written; a reported seq arriving late is ignored. */
    kn_twcc_rec_on_packet(&rec, 102, 0xbbbb, t0 + 9000);
    assert_int_equal(write_and_parse(), 0);
    /* The next feedback continues at 105 with fb_count 1 and its own reference. */
    kn_twcc_rec_on_packet(&rec, 105, 0xbbbb, t0 + 70000);
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.base_seq, 105);
    assert_int_equal(hdr.fb_count, 1);
    assert_int_equal(hdr.ref_time, 1);          /* 70 ms → 1 x 64 ms */
    assert_int_equal(st[0].delta_us, 6000);     /* 70 ms - 64 ms */
}

static void sequence_wrap_and_reordering(void **state) {
    (void)state;
    kn_twcc_rec_init(&rec);
    kn_twcc_rec_on_packet(&rec, 65534, 1, 1000);
    kn_twcc_rec_on_packet(&rec, 0, 1, 3000);     /* 65535 still missing */
    kn_twcc_rec_on_packet(&rec, 65535, 1, 3500); /* arrives after 0: negative delta */
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.base_seq, 65534);
    assert_int_equal(nst, 3);
    assert_int_equal(st[1].seq, 65535);
    assert_int_equal(st[1].status, KN_TWCC_SMALL_DELTA);
    assert_int_equal(st[1].delta_us, 2500);
    assert_int_equal(st[2].seq, 0);
    assert_int_equal(st[2].status, KN_TWCC_LARGE_DELTA);
    assert_int_equal(st[2].delta_us, -500);
}

static void a_long_pause_uses_large_deltas(void **state) {
    (void)state;
    kn_twcc_rec_init(&rec);
    kn_twcc_rec_on_packet(&rec, 7, 1, 0);
    kn_twcc_rec_on_packet(&rec, 8, 1, 2000000); /* 2 s later */
    assert_true(write_and_parse() > 0);
    assert_int_equal(nst, 2);
    assert_int_equal(st[1].status, KN_TWCC_LARGE_DELTA);
    assert_int_equal(st[1].delta_us, 2000000);
}

static void bursts_are_split_and_big_gaps_skip_ahead(void **state) {
    (void)state;
    kn_twcc_rec_init(&rec);
    for (unsigned i = 0; i < KN_TWCC_REC_MAX_FB + 50; i++)
        kn_twcc_rec_on_packet(&rec, (uint16_t)(1000 + i), 1, 100 * (uint64_t)i);
    assert_true(write_and_parse() > 0);
    assert_int_equal(nst, KN_TWCC_REC_MAX_FB);
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.base_seq, 1000 + KN_TWCC_REC_MAX_FB);
    assert_int_equal(nst, 50);
    assert_int_equal(write_and_parse(), 0);
    /* A jump past the window: the unreported start is dropped, the window reported. */
    kn_twcc_rec_on_packet(&rec, 5000, 1, 1000000);
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.base_seq, (uint16_t)(5000 - KN_TWCC_REC_WINDOW + 1));
    assert_int_equal(nst, KN_TWCC_REC_MAX_FB);
    assert_int_equal(st[0].status, KN_TWCC_NOT_RECEIVED);
}

static void too_small_a_buffer_consumes_nothing(void **state) {
    size_t n;
    (void)state;
    kn_twcc_rec_init(&rec);
    kn_twcc_rec_on_packet(&rec, 1, 1, 10);
    assert_int_equal(kn_twcc_rec_write(&rec, 1, buf, 8, &n), KN_ELIMIT);
    assert_true(write_and_parse() > 0);
    assert_int_equal(hdr.base_seq, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_and_deltas_round_trip),
        cmocka_unit_test(sequence_wrap_and_reordering),
        cmocka_unit_test(a_long_pause_uses_large_deltas),
        cmocka_unit_test(bursts_are_split_and_big_gaps_skip_ahead),
        cmocka_unit_test(too_small_a_buffer_consumes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
