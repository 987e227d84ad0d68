/*
 * test_layout.c: cmocka tests for layout.c (kn-loadgen peer numbering).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/err.h"
#include "layout.h"

static void fanout_round_robin(void **state) {
    (void)state;
    kn_lg_layout l = {.publishers = 2, .subscribers = 5};
    kn_lg_slot s;
    assert_int_equal(kn_lg_layout_total(&l), 7);
    assert_int_equal(kn_lg_layout_slot(&l, 1, &s), 0);
    assert_true(s.publisher);
    assert_int_equal(s.pub, 1);
    assert_int_equal(kn_lg_layout_slot(&l, 2, &s), 0); /* first subscriber */
    assert_false(s.publisher);
    assert_int_equal(s.pub, 0);
    assert_int_equal(kn_lg_layout_slot(&l, 5, &s), 0); /* fourth: 3 % 2 */
    assert_int_equal(s.pub, 1);
    assert_int_equal(kn_lg_layout_slot(&l, 7, &s), KN_EINVAL);
}

/* 2 rooms of 3: peers 0-5 publish; 6-11 room 0, 12-17 room 1; each participant
 * watches the other two of its room, never itself. */
static void rooms_everyone_watches_the_others(void **state) {
    (void)state;
    kn_lg_layout l = {.rooms = 2, .room_size = 3};
    kn_lg_slot s;
    static const unsigned want_pub[12] = {1, 2, 0, 2, 0, 1, 4, 5, 3, 5, 3, 4};
    assert_int_equal(kn_lg_layout_publishers(&l), 6);
    assert_int_equal(kn_lg_layout_total(&l), 18);
    assert_int_equal(kn_lg_layout_slot(&l, 4, &s), 0);
    assert_true(s.publisher);
    assert_int_equal(s.room, 1);
    assert_int_equal(s.participant, 1);
    for (unsigned i = 6; i < 18; i++) {
        assert_int_equal(kn_lg_layout_slot(&l, i, &s), 0);
        assert_false(s.publisher);
        assert_int_equal(s.room, (i - 6) / 6);
        assert_int_equal(s.participant, (i - 6) % 6 / 2);
        assert_int_equal(s.pub, want_pub[i - 6]);
        assert_int_not_equal(s.pub, s.room * 3 + s.participant);
    }
}

static void rejects_bad_layouts(void **state) {
    (void)state;
    kn_lg_slot s;
    kn_lg_layout none = {.publishers = 0, .subscribers = 3};
    kn_lg_layout alone = {.rooms = 1, .room_size = 1};
    assert_int_equal(kn_lg_layout_check(&none), KN_EINVAL);
    assert_int_equal(kn_lg_layout_check(&alone), KN_EINVAL);
    assert_int_equal(kn_lg_layout_slot(&alone, 0, &s), KN_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fanout_round_robin),
        cmocka_unit_test(rooms_everyone_watches_the_others),
        cmocka_unit_test(rejects_bad_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
