/* test_remb_cap.c: bwe/remb_cap.c (the REMB cap toward a publisher and its
 * rate limit), the REMB it is sent in (rtp/rtcp_fb.c kn_rtcp_remb_write) and
 * bwe/rtx_budget.c (retransmissions within the estimate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bwe/remb_cap.h"
#include "bwe/rtx_budget.h"
#include "rtp/rtcp_fb.h"

/* A 3-layer video producer (q/h/f peaks 150k/500k/1.5M) and an audio one (40k). */
static void sources(kn_remb_cap_src s[2], uint8_t needed) {
    memset(s, 0, 2 * sizeof(*s));
    s[0] = (kn_remb_cap_src){.n = 3, .needed = needed, .peak_bps = {150000, 500000, 1500000}};
    s[1] = (kn_remb_cap_src){.audio = true, .n = 1, .peak_bps = {40000}};
}

static void cap_follows_needed_layers(void **state) {
    kn_remb_cap_src s[2];
    (void)state;
    sources(s, 0x7); /* every layer needed: only the configured maximum */
    assert_int_equal(kn_remb_cap_compute(s, 2, 0), KN_REMB_CAP_DEFAULT_MAX);
    assert_int_equal(kn_remb_cap_compute(s, 2, 800000), 800000);
    sources(s, 0x3); /* q + h: 1.5 x (150k + 500k) + 1.5 x 40k */
    assert_int_equal(kn_remb_cap_compute(s, 2, 0), 1035000);
    assert_int_equal(kn_remb_cap_compute(s, 2, 800000), 800000);
    sources(s, 0x1); /* q only */
    assert_int_equal(kn_remb_cap_compute(s, 2, 0), 285000);
    sources(s, 0); /* nobody: the lowest layer still counts */
    assert_int_equal(kn_remb_cap_compute(s, 2, 0), 285000);
    sources(s, 0x3); /* h never measured (a paused layer of a new sender): no limit */
    s[0].peak_bps[1] = 0;
    assert_int_equal(kn_remb_cap_compute(s, 2, 3000000), 3000000);
    sources(s, 0x1); /* never below a usable minimum */
    s[0].peak_bps[0] = 20000;
    s[1].peak_bps[0] = 10000;
    assert_int_equal(kn_remb_cap_compute(s, 2, 0), KN_REMB_CAP_MIN_BPS);
    assert_int_equal(kn_remb_cap_compute(s, 0, 0), KN_REMB_CAP_MIN_BPS);
}

static void sent_on_drop_or_each_second(void **state) {
    kn_remb_cap_tx tx = {0};
    (void)state;
    assert_true(kn_remb_cap_due(&tx, 1000000, 5000));         /* the first */
    assert_false(kn_remb_cap_due(&tx, 1000000, 5100));        /* unchanged */
    assert_true(kn_remb_cap_due(&tx, 960000, 5150));          /* -4 %: at once */
    assert_false(kn_remb_cap_due(&tx, 950000, 5200));         /* -1 %, 50 ms later */
    assert_true(kn_remb_cap_due(&tx, 950000, 5150 + KN_REMB_CAP_MIN_GAP_MS));
    assert_false(kn_remb_cap_due(&tx, 2000000, 5400));        /* a rise waits for the gap */
    assert_true(kn_remb_cap_due(&tx, 2000000, 5550));
    assert_int_equal(tx.sent_bps, 2000000);
    assert_false(kn_remb_cap_due(&tx, 2000000, 5550 + KN_REMB_CAP_INTERVAL_MS - 1));
    assert_true(kn_remb_cap_due(&tx, 2000000, 5550 + KN_REMB_CAP_INTERVAL_MS)); /* keep-alive */
}

/* PSFB FMT 15 "REMB" for 1,035,000 bit/s about SSRCs 0x11111111 and 0x22222222. */
static const uint8_t remb_1035k[] = {
    0x8f, 0xce, 0x00, 0x06, /* V=2 FMT=15, PT=206 (PSFB), length 6 (28 bytes) */
    0x00, 0x00, 0x00, 0x07, /* sender SSRC 7 */
    0x00, 0x00, 0x00, 0x00, /* media SSRC 0 (draft-alvestrand-rmcat-remb-03 §2.2) */
    'R',  'E',  'M',  'B',  /* unique identifier */
    0x02,                   /* 2 SSRCs */
    0x0b, 0xf2, 0xbe,       /* exp 2 (6 bits), mantissa 0x3f2be (18 bits) = 258,750; x 4 = 1,035,000 */
    0x11, 0x11, 0x11, 0x11, /* SSRC feedback 1 */
    0x22, 0x22, 0x22, 0x22, /* SSRC feedback 2 */
};

static void remb_carries_the_cap(void **state) {
    uint32_t ssrcs[2] = {0x11111111, 0x22222222};
    uint8_t buf[64];
    size_t n;
    kn_rtcp_remb r;
    (void)state;
    assert_int_equal(kn_rtcp_remb_write(7, 1035000, ssrcs, 2, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, sizeof(remb_1035k));
    assert_memory_equal(buf, remb_1035k, n);
    assert_int_equal(kn_rtcp_remb_parse(buf, n, &r), 0);
    assert_int_equal(r.bitrate, 1035000);
    assert_int_equal(r.ssrc_count, 2);
}

static void rtx_within_the_estimate(void **state) {
    kn_rtx_budget b = {0};
    int sent = 0;
    (void)state;
    /* 600 kbit/s: a 100 ms bucket (7500 bytes) at first, then 75 bytes per ms */
    for (int i = 0; i < 50; i++)
        sent += kn_rtx_budget_take(&b, 600000, 1200, 1000000);
    assert_int_equal(sent, 6);
    assert_false(kn_rtx_budget_take(&b, 600000, 1200, 1000010)); /* 0.75 bytes later */
    assert_true(kn_rtx_budget_take(&b, 600000, 1200, 1016000));  /* 16 ms: 1200 bytes */
    /* one second of NACK bursts every 10 ms: at most the estimate's bytes */
    sent = 0;
    for (uint64_t t = 1020000; t < 2020000; t += 10000)
        for (int i = 0; i < 10; i++)
            sent += kn_rtx_budget_take(&b, 600000, 1200, t);
    assert_in_range(sent * 1200, 70000, 75000 + 7500);
    /* a tiny estimate still lets two packets through */
    kn_rtx_budget z = {0};
    assert_true(kn_rtx_budget_take(&z, 10000, 1200, 5));
    assert_true(kn_rtx_budget_take(&z, 10000, 1200, 5));
    assert_false(kn_rtx_budget_take(&z, 10000, 1200, 5));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cap_follows_needed_layers),
        cmocka_unit_test(sent_on_drop_or_each_second),
        cmocka_unit_test(remb_carries_the_cap),
        cmocka_unit_test(rtx_within_the_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
