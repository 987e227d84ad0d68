/*
 * test_prom.c: the Prometheus text writer (signaling/obs/prom.c): HELP/TYPE
 * lines, label and HELP escaping, number formatting, histogram buckets made
 * cumulative with +Inf, _sum and _count, and refusal of invalid names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "obs/prom.h"

static const char *text(kn_prom *p) {
    size_t n;
    const char *t = kn_prom_text(p, &n);
    assert_non_null(t);
    assert_int_equal(strlen(t), n);
    return t;
}

static void family_and_samples(void **state) {
    kn_prom p;
    (void)state;
    kn_prom_init(&p);
    kn_prom_family(&p, "konsil_rooms", "gauge", "Rooms with\\a \"participant\"\nnow.");
    kn_prom_sample(&p, "konsil_rooms", NULL, 3);
    const char *l[] = {"sfu", "0", "reason", "a\"b\\c\nd", NULL};
    kn_prom_sample(&p, "konsil_sfu_dropped_packets_total", l, 12345678901234.0);
    assert_string_equal(text(&p), "# HELP konsil_rooms Rooms with\\\\a \"participant\"\\nnow.\n"
                                  "# TYPE konsil_rooms gauge\n"
                                  "konsil_rooms 3\n"
                                  "konsil_sfu_dropped_packets_total{sfu=\"0\",reason=\"a\\\"b\\\\c\\nd\"}"
                                  " 12345678901234\n");
    kn_prom_free(&p);
}

static void numbers(void **state) {
    kn_prom p;
    (void)state;
    kn_prom_init(&p);
    kn_prom_sample(&p, "a", NULL, 0.25);
    kn_prom_sample(&p, "b", NULL, -7);
    kn_prom_sample(&p, "c", NULL, __builtin_inf());
    kn_prom_sample(&p, "d", NULL, -__builtin_inf());
    kn_prom_sample(&p, "e", NULL, __builtin_nan(""));
    kn_prom_sample(&p, "f", NULL, 9007199254740993.0 * 4);
    assert_string_equal(text(&p), "a 0.25\nb -7\nc +Inf\nd -Inf\ne NaN\nf 3.6028797018964e+16\n");
    kn_prom_free(&p);
}

static void histogram(void **state) {
    kn_prom p;
    const double bounds[] = {100000, 250000};
    const uint64_t counts[] = {2, 0, 5}; /* per bucket; the last is above 250k */
    const char *l[] = {"sfu", "1", NULL};
    (void)state;
    kn_prom_init(&p);
    kn_prom_histogram(&p, "konsil_sfu_bwe_estimate_bps", l, bounds, counts, 2, 4.5e6);
    assert_string_equal(text(&p), "konsil_sfu_bwe_estimate_bps_bucket{sfu=\"1\",le=\"100000\"} 2\n"
                                  "konsil_sfu_bwe_estimate_bps_bucket{sfu=\"1\",le=\"250000\"} 2\n"
                                  "konsil_sfu_bwe_estimate_bps_bucket{sfu=\"1\",le=\"+Inf\"} 7\n"
                                  "konsil_sfu_bwe_estimate_bps_sum{sfu=\"1\"} 4500000\n"
                                  "konsil_sfu_bwe_estimate_bps_count{sfu=\"1\"} 7\n");
    kn_prom_free(&p);
}

static void refuses_bad_names(void **state) {
    kn_prom p;
    size_t n;
    const char *l[] = {"1sfu", "0", NULL};
    (void)state;
    assert_true(kn_prom_name_ok("konsil_sfu:rate_5m"));
    assert_false(kn_prom_name_ok("9lives"));
    assert_false(kn_prom_name_ok("a-b"));
    assert_false(kn_prom_name_ok(""));
    kn_prom_init(&p);
    kn_prom_sample(&p, "bad-name", NULL, 1);
    assert_null(kn_prom_text(&p, &n));
    kn_prom_free(&p);
    kn_prom_init(&p);
    kn_prom_sample(&p, "ok", l, 1);
    assert_null(kn_prom_text(&p, &n));
    kn_prom_free(&p);
}

static void grows(void **state) {
    kn_prom p;
    (void)state;
    kn_prom_init(&p);
    for (int i = 0; i < 2000; i++)
        kn_prom_sample(&p, "konsil_many_samples_total", NULL, i);
    size_t n;
    const char *t = kn_prom_text(&p, &n);
    assert_non_null(t);
    assert_true(n > 4096 * 8);
    assert_non_null(strstr(t, "konsil_many_samples_total 1999\n"));
    kn_prom_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(family_and_samples), cmocka_unit_test(numbers),
        cmocka_unit_test(histogram),          cmocka_unit_test(refuses_bad_names),
        cmocka_unit_test(grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
