/* test_dynacast.c: router/dynacast.c, the encodings a producer's consumers
 * need and the debounce that turns them into pause / resume decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "router/dynacast.h"

static void consumer_needs_up_to_preference(void **state) {
    (void)state;
    assert_int_equal(kn_dynacast_consumer_needs(false, 2, 3), 0x7);
    assert_int_equal(kn_dynacast_consumer_needs(false, 1, 3), 0x3);
    assert_int_equal(kn_dynacast_consumer_needs(false, 0, 3), 0x1);
    assert_int_equal(kn_dynacast_consumer_needs(false, 2, 2), 0x3); /* clamped to n */
    assert_int_equal(kn_dynacast_consumer_needs(true, 2, 3), 0);    /* paused: nothing */
    assert_int_equal(kn_dynacast_consumer_needs(false, 2, 0), 0);
}

static void pauses_after_hold_resumes_at_once(void **state) {
    kn_dynacast d;
    (void)state;
    kn_dynacast_init(&d, 3, 1000);
    assert_int_equal(d.active, 0x7);
    /* the only subscriber wants q: h and f stay for the hold, then pause */
    assert_false(kn_dynacast_update(&d, 0x1, 3, 1100));
    assert_false(kn_dynacast_update(&d, 0x1, 3, 1000 + KN_DYNACAST_HOLD_MS - 1));
    assert_true(kn_dynacast_update(&d, 0x1, 3, 1000 + KN_DYNACAST_HOLD_MS));
    assert_int_equal(d.active, 0x1);
    /* it asks for f: every layer up to f resumes in the same round */
    assert_true(kn_dynacast_update(&d, 0x7, 3, 6000));
    assert_int_equal(d.active, 0x7);
    /* a short dip (a tile resized) does not pause anything */
    assert_false(kn_dynacast_update(&d, 0x3, 3, 6100));
    assert_false(kn_dynacast_update(&d, 0x7, 3, 8000));
    assert_false(kn_dynacast_update(&d, 0x3, 3, 8000 + KN_DYNACAST_HOLD_MS - 1));
    assert_true(kn_dynacast_update(&d, 0x3, 3, 8000 + KN_DYNACAST_HOLD_MS));
    assert_int_equal(d.active, 0x3);
}

static void lowest_stays_until_nobody_watches(void **state) {
    kn_dynacast d;
    (void)state;
    kn_dynacast_init(&d, 3, 0);
    /* a consumer that needs only f still keeps q (and h pauses) */
    assert_true(kn_dynacast_update(&d, 0x4, 3, KN_DYNACAST_HOLD_MS));
    assert_int_equal(d.active, 0x5);
    /* no consumer (or all paused): everything pauses after the hold */
    assert_false(kn_dynacast_update(&d, 0, 3, KN_DYNACAST_HOLD_MS + 1));
    assert_true(kn_dynacast_update(&d, 0, 3, 2 * KN_DYNACAST_HOLD_MS + 1));
    assert_int_equal(d.active, 0);
    /* a new subscriber: q at once */
    assert_true(kn_dynacast_update(&d, 0x1, 3, 2 * KN_DYNACAST_HOLD_MS + 100));
    assert_int_equal(d.active, 0x1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consumer_needs_up_to_preference),
        cmocka_unit_test(pauses_after_hold_resumes_at_once),
        cmocka_unit_test(lowest_stays_until_nobody_watches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
