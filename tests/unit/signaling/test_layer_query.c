/*
 * test_layer_query.c: the WHEP layer-selection query (whip/layer_query.h):
 * max_spatial / max_temporal / layer values, unknown arguments ignored, bad,
 * repeated and conflicting values refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "whip/layer_query.h"

static int parse(const char *q, kn_layer_query *out, const char **reason) {
    return kn_layer_query_parse(q, strlen(q), out, reason);
}

static void empty_query_asks_nothing(void **state) {
    (void)state;
    kn_layer_query lq;
    const char *reason = NULL;
    assert_int_equal(parse("", &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, -1);
    assert_int_equal(lq.max_temporal, -1);
}

static void max_spatial_and_temporal(void **state) {
    (void)state;
    kn_layer_query lq;
    const char *reason = NULL;
    assert_int_equal(parse("max_spatial=1", &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, 1);
    assert_int_equal(lq.max_temporal, -1);
    assert_int_equal(parse("max_temporal=0&max_spatial=2", &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, 2);
    assert_int_equal(lq.max_temporal, 0);
}

static void layer_by_rid(void **state) {
    (void)state;
    kn_layer_query lq;
    const char *reason = NULL;
    const struct {
        const char *q;
        int want;
    } cases[] = {{"layer=q", 0}, {"layer=h", 1}, {"layer=f", 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(cases[i].q, &lq, &reason), 0);
        assert_int_equal(lq.max_spatial, cases[i].want);
    }
}

static void unknown_arguments_ignored(void **state) {
    (void)state;
    kn_layer_query lq;
    const char *reason = NULL;
    assert_int_equal(parse("client=obs&max_spatial=0&x", &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, 0);
    /* a name that only starts like ours is someone else's */
    assert_int_equal(parse("max_spatials=9&layers=z", &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, -1);
}

static void bad_values_refused(void **state) {
    (void)state;
    const char *bad[] = {"max_spatial=3",   "max_spatial=",       "max_spatial",
                         "max_spatial=-1",  "max_spatial=10",     "max_temporal=x",
                         "layer=m",         "layer=hf",           "max_spatial=1&max_spatial=1",
                         "layer=q&layer=q", "layer=h&max_spatial=1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kn_layer_query lq;
        const char *reason = NULL;
        assert_int_equal(parse(bad[i], &lq, &reason), KN_EINVAL);
        assert_non_null(reason);
    }
}

static void length_bounds_the_input(void **state) {
    (void)state;
    kn_layer_query lq;
    const char *reason = NULL;
    /* only the first 13 bytes ("max_spatial=1") are the query */
    assert_int_equal(kn_layer_query_parse("max_spatial=1junk", 13, &lq, &reason), 0);
    assert_int_equal(lq.max_spatial, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_query_asks_nothing),  cmocka_unit_test(max_spatial_and_temporal),
        cmocka_unit_test(layer_by_rid),              cmocka_unit_test(unknown_arguments_ignored),
        cmocka_unit_test(bad_values_refused),        cmocka_unit_test(length_bounds_the_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
