/* test_recv_stream.c: RFC 3550 receiver statistics and the NACK list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "router/recv_stream.h"

static void gap_is_nacked_with_bounded_retries(void **state) {
    kn_recv_stream s;
    uint16_t seqs[16];
    (void)state;
    kn_recv_stream_init(&s, 1, 90000);
    assert_true(kn_recv_stream_on_rtp(&s, 100, 0, 100, false, 0));
    assert_true(kn_recv_stream_on_rtp(&s, 103, 0, 100, false, 10)); /* 101, 102 missing */
    assert_int_equal(kn_recv_stream_lost(&s), 2);
    assert_int_equal(kn_recv_stream_nacks_due(&s, 20, 0, seqs, 16), 2);
    assert_int_equal(kn_recv_stream_nacks_due(&s, 25, 0, seqs, 16), 0); /* rate limited */
    assert_true(kn_recv_stream_on_rtp(&s, 101, 0, 100, true, 30));     /* repaired */
    assert_false(kn_recv_stream_on_rtp(&s, 101, 0, 100, true, 31));    /* duplicate */
    assert_int_equal(kn_recv_stream_nacks_due(&s, 40, 0, seqs, 16), 1);
    assert_int_equal(seqs[0], 102);
    size_t total = 0;
    for (int i = 0; i < 20; i++)
        total += kn_recv_stream_nacks_due(&s, 100 + 20 * (uint64_t)i, 0, seqs, 16);
    assert_int_equal(total, KN_RECV_NACK_RETRIES - 2); /* 10 tries in all, then given up */
    assert_int_equal(kn_recv_stream_lost(&s), 1);
}

static void report_block_fraction_and_wrap(void **state) {
    kn_recv_stream s;
    kn_rtcp_rb rb;
    (void)state;
    kn_recv_stream_init(&s, 9, 90000);
    kn_recv_stream_on_rtp(&s, 65534, 0, 10, false, 0);
    kn_recv_stream_on_rtp(&s, 65535, 0, 10, false, 1);
    kn_recv_stream_on_rtp(&s, 2, 0, 10, false, 2); /* wraps; 0 and 1 lost */
    kn_recv_stream_on_sr(&s, 0x0001000200030004ull, 1000);
    kn_recv_stream_fill_rb(&s, 1500, &rb);
    assert_int_equal(rb.ssrc, 9);
    assert_int_equal(rb.ext_highest_seq, 0x10002);
    assert_int_equal(rb.cumulative_lost, 2);
    assert_int_equal(rb.fraction_lost, (2 << 8) / 5);
    assert_int_equal(rb.lsr, 0x00020003);
    assert_int_equal(rb.dlsr, 32768); /* 0.5 s */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gap_is_nacked_with_bounded_retries),
        cmocka_unit_test(report_block_fraction_and_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
