/* test_seq_map.c: sequence number and timestamp continuity across source switches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "router/seq_map.h"

static void first_source_keeps_timestamps_and_starts_at_first_seq(void **state) {
    kn_seq_map m;
    uint16_t s;
    uint32_t ts;
    (void)state;
    kn_seq_map_init(&m, 1000);
    assert_int_equal(kn_seq_map_map(&m, 50000, 90000, 90000, 10, &s, &ts), 0);
    assert_int_equal(s, 1000);
    assert_int_equal(ts, 90000);
    assert_int_equal(kn_seq_map_map(&m, 50001, 93000, 90000, 43, &s, &ts), 0);
    assert_int_equal(s, 1001);
    assert_int_equal(ts, 93000);
    /* a reordered packet of the same source keeps its place */
    assert_int_equal(kn_seq_map_map(&m, 50003, 99000, 90000, 76, &s, &ts), 0);
    assert_int_equal(s, 1003);
    assert_int_equal(kn_seq_map_map(&m, 50002, 96000, 90000, 80, &s, &ts), 0);
    assert_int_equal(s, 1002);
    assert_int_equal(ts, 96000);
}

static void switch_continues_seq_and_advances_ts_by_wall_time(void **state) {
    kn_seq_map m;
    uint16_t s;
    uint32_t ts;
    (void)state;
    kn_seq_map_init(&m, 65535);
    assert_int_equal(kn_seq_map_map(&m, 10, 1000, 90000, 100, &s, &ts), 0);
    assert_int_equal(s, 65535);
    kn_seq_map_resync(&m);
    /* new source 100 ms later with an unrelated seq/ts space */
    assert_int_equal(kn_seq_map_map(&m, 7000, 555555, 90000, 200, &s, &ts), 0);
    assert_int_equal(s, 0); /* wraps: 65535 + 1 */
    assert_int_equal(ts, 1000 + 9000);
    assert_int_equal(kn_seq_map_map(&m, 7001, 555555 + 3000, 90000, 233, &s, &ts), 0);
    assert_int_equal(s, 1);
    assert_int_equal(ts, 1000 + 9000 + 3000);
    /* a late packet of the new source from before the switch point is dropped */
    assert_int_equal(kn_seq_map_map(&m, 6999, 555555 - 3000, 90000, 240, &s, &ts), KN_EPROTO);
}

static void serial_comparison(void **state) {
    (void)state;
    assert_true(kn_seq_newer(1, 65535));
    assert_false(kn_seq_newer(65535, 1));
    assert_false(kn_seq_newer(5, 5));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_source_keeps_timestamps_and_starts_at_first_seq),
        cmocka_unit_test(switch_continues_seq_and_advances_ts_by_wall_time),
        cmocka_unit_test(serial_comparison),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
