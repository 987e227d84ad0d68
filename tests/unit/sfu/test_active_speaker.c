/* test_active_speaker.c: the dominant speaker detector (router/active_speaker.c) fed
 * with 20 ms audio-level sequences of several producers: first speaker after 1 s, no
 * switch on a short interjection, switch after 1 s of dominance, silence below the
 * threshold never wins, a stopped producer fades, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "router/active_speaker.h"

static const int A = 1, B = 2, C = 3;

/* ms of 20 ms packets: a at level la, b at lb (128 = no packet); ticks every 20 ms.
 * Returns the time of the last change, or 0. */
static uint64_t run(kn_active_speaker *s, uint64_t *now, unsigned ms, int la, int lb) {
    uint64_t changed = 0;
    for (unsigned t = 0; t < ms; t += 20) {
        *now += 20;
        if (la < 128)
            kn_active_speaker_on_level(s, &A, (uint8_t)la, *now);
        if (lb < 128)
            kn_active_speaker_on_level(s, &B, (uint8_t)lb, *now);
        kn_active_speaker_on_level(s, &C, 127, *now); /* a silent listener */
        if (kn_active_speaker_on_tick(s, *now))
            changed = *now;
    }
    return changed;
}

static void hysteresis(void **state) {
    kn_active_speaker s;
    uint64_t now = 1000, t0, ch;
    (void)state;
    kn_active_speaker_init(&s);
    /* silence (level 100 dBov) never makes a speaker */
    assert_int_equal(run(&s, &now, 3000, 100, 110), 0);
    assert_null(s.current);
    /* A speaks (30 dBov): chosen after ~1 s of dominance, not before */
    t0 = now;
    ch = run(&s, &now, 2000, 30, 110);
    assert_ptr_equal(s.current, &A);
    assert_true(ch >= t0 + 1000 && ch <= t0 + 1400);
    /* B interjects louder for 600 ms: no switch */
    assert_int_equal(run(&s, &now, 600, 30, 10), 0);
    assert_ptr_equal(s.current, &A);
    assert_int_equal(run(&s, &now, 1000, 30, 110), 0);
    /* B takes over for 2 s: switch about 1 s after B became the loudest */
    t0 = now;
    ch = run(&s, &now, 2000, 60, 20);
    assert_ptr_equal(s.current, &B);
    assert_true(ch >= t0 + 1000 && ch <= t0 + 1500);
}

static void stopped_producer_fades_and_removal(void **state) {
    kn_active_speaker s;
    uint64_t now = 0;
    (void)state;
    kn_active_speaker_init(&s);
    run(&s, &now, 2000, 20, 128);
    assert_ptr_equal(s.current, &A);
    /* A's packets stop (muted); B speaks moderately: B wins once A faded */
    assert_true(run(&s, &now, 3000, 128, 50) != 0);
    assert_ptr_equal(s.current, &B);
    kn_active_speaker_remove(&s, &B);
    assert_null(s.current);
    /* equal levels: the current speaker keeps the floor (margin) */
    run(&s, &now, 2000, 40, 128);
    assert_ptr_equal(s.current, &A);
    assert_int_equal(run(&s, &now, 3000, 40, 40), 0);
    assert_ptr_equal(s.current, &A);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hysteresis),
        cmocka_unit_test(stopped_producer_fades_and_removal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
