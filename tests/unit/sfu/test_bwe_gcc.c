/*
 * test_bwe_gcc.c: GCC (bwe/gcc.c) through the kn_bwe container on recorded
 * link traces (tests/unit/bwe_traces/, Mahimahi format, replayed closed-loop
 * by bwe_sim.h with real TWCC feedback bytes), plus the pieces on their own:
 * send history wrap, feedback mapping, trendline, prober, REMB fallback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bwe/gcc.h"
#include "bwe/remb.h"
#include "bwe/trendline.h"
#include "bwe_traces/bwe_sim.h"
#include "core/err.h"

#define SAMPLES (SIM_MAX_S * 10)
static uint32_t est[SAMPLES]; /* estimate every 100 ms */

static void run_saturating(const char *trace, uint32_t loss_ppm, int seconds) {
    sim_start(trace, loss_ppm, NULL, 3000000);
    for (int i = 0; i < seconds * 10; i++) {
        sim_run((uint64_t)(i + 1) * 100000);
        est[i] = kn_bwe_estimate_bps(S.bwe);
    }
}

/* Mean and minimum of est over [from_s, to_s). */
static void window(double from_s, double to_s, double *mean, uint32_t *min) {
    double sum = 0;
    int a = (int)(from_s * 10), b = (int)(to_s * 10);

    *min = UINT32_MAX;
    for (int i = a; i < b; i++) {
        sum += est[i];
        if (est[i] < *min)
            *min = est[i];
    }
    *mean = sum / (b - a);
}

static void check_converges(const char *trace, double cap) {
    double mean;
    uint32_t min;

    run_saturating(trace, 0, 10);
    window(5, 10, &mean, &min);
    print_message("%s: mean %.0f min %u over 5-10 s\n", trace, mean, min);
    assert_true(mean >= 0.85 * cap && mean <= 1.15 * cap);
    assert_true(min >= 0.7 * cap);
    sim_stop();
}

static void converges_600k(void **state) {
    (void)state;
    check_converges("bwe_traces/const_600k.trace", 600000);
}

static void converges_1m(void **state) {
    (void)state;
    check_converges("bwe_traces/const_1m.trace", 1000000);
}

static void converges_2500k(void **state) {
    (void)state;
    check_converges("bwe_traces/const_2500k.trace", 2500000);
}

/* 2.5 Mbit/s for 20 s, then 600 kbit/s. */
static void step_down_reacts_within_1s(void **state) {
    (void)state;
    run_saturating("bwe_traces/step_2500k_600k.trace", 0, 26);
    print_message("step down: %u at 20 s, %u at 21 s, %u at 22 s\n", est[199], est[209], est[219]);
    assert_true(est[199] >= 1900000);
    assert_true(est[209] <= 1250000); /* halved within 1 s */
    for (int i = 220; i < 260; i++)
        assert_true(est[i] <= 1.15 * 600000);
    sim_stop();
}

/* 600 kbit/s for 30 s, then 2.5 Mbit/s. */
static void step_up_recovers_within_15s(void **state) {
    int first = -1;

    (void)state;
    run_saturating("bwe_traces/step_600k_2500k.trace", 0, 50);
    assert_true(est[299] <= 1.15 * 600000);
    for (int i = 300; i < 450 && first < 0; i++)
        if (est[i] >= 0.85 * 2500000)
            first = i;
    print_message("step up: %u at 30 s, >= 85 %% of 2.5M after %.1f s\n", est[299],
                  first < 0 ? -1.0 : (first - 299) / 10.0);
    assert_true(first >= 0);
    sim_stop();
}

/* 5 % random loss, no queue growth: the loss controller holds (2-10 %). */
static void random_loss_5pct_keeps_70pct(void **state) {
    double mean;
    uint32_t min;

    (void)state;
    run_saturating("bwe_traces/const_2500k.trace", 50000, 40);
    window(5, 40, &mean, &min);
    print_message("5 %% loss: mean %.0f min %u over 5-40 s, lost %lu/%lu\n", mean, min,
                  (unsigned long)S.media_lost, (unsigned long)S.media_sent);
    assert_true(min >= 0.7 * 2500000);
    assert_true(S.media_lost * 100 > S.media_sent * 4); /* the loss really happened */
    sim_stop();
}

/* Without the hold band the same run collapses: the test can fail. */
static void loss_above_10pct_decreases(void **state) {
    double mean;
    uint32_t min;

    (void)state;
    run_saturating("bwe_traces/const_2500k.trace", 150000, 20);
    window(10, 20, &mean, &min);
    print_message("15 %% loss: mean %.0f over 10-20 s\n", mean);
    assert_true(mean < 0.5 * 2500000);
    sim_stop();
}

static void algo_registry(void **state) {
    kn_bwe *b;

    (void)state;
    assert_ptr_equal(kn_bwe_algo_find("gcc"), &kn_gcc_algo);
    assert_ptr_equal(kn_bwe_algo_find("remb"), &kn_remb_algo);
    assert_null(kn_bwe_algo_find("bbr"));
    assert_int_equal(kn_bwe_create(&b, NULL, NULL, 0, 0), KN_EINVAL);
    assert_int_equal(kn_bwe_create(&b, &kn_gcc_algo, NULL, 100, 0), KN_EINVAL);
    assert_int_equal(kn_bwe_create(&b, &kn_gcc_algo, NULL, 0, 0), 0);
    assert_int_equal(kn_bwe_estimate_bps(b), 300000);
    kn_bwe_destroy(b);
    kn_bwe_destroy(NULL);
}

static void send_hist_wraps(void **state) {
    static kn_send_hist_entry e[16];
    kn_send_hist h;

    (void)state;
    assert_int_equal(kn_send_hist_init(&h, e, 12), KN_EINVAL);
    assert_int_equal(kn_send_hist_init(&h, e, 16), 0);
    assert_int_equal(kn_send_hist_on_sent(&h, 65534, 100, 1, -1), 65534);
    assert_int_equal(kn_send_hist_on_sent(&h, 65535, 100, 2, -1), 65535);
    assert_int_equal(kn_send_hist_on_sent(&h, 0, 100, 3, -1), 65536);
    assert_int_equal(kn_send_hist_unwrap(&h, 65535), 65535);
    assert_int_equal(kn_send_hist_unwrap(&h, 5), 65541);
    assert_non_null(kn_send_hist_find(&h, 65534));
    for (uint16_t s = 1; s < 16; s++)
        kn_send_hist_on_sent(&h, s, 100, 4, -1);
    assert_null(kn_send_hist_find(&h, 65534)); /* overwritten */
    assert_null(kn_send_hist_find(&h, -1));
}

/* Feedback for seqs 10..13: 10 received, 11 lost, 12 received (large delta),
 * 13 never sent; then 11 arrives late and 12 is reported again. */
static void twcc_feedback_mapping(void **state) {
    kn_bwe *b;
    kn_twcc hdr = {.base_seq = 10, .ref_time = 0xffffff};
    kn_twcc_status st[4] = {
        {10, KN_TWCC_SMALL_DELTA,  1000 },
        {11, KN_TWCC_NOT_RECEIVED, 0    },
        {12, KN_TWCC_LARGE_DELTA,  70000},
        {13, KN_TWCC_SMALL_DELTA,  250  }
    };
    kn_twcc_status st2[2] = {
        {11, KN_TWCC_SMALL_DELTA, 500},
        {12, KN_TWCC_SMALL_DELTA, 250}
    };

    (void)state;
    assert_int_equal(kn_bwe_create(&b, &kn_gcc_algo, NULL, 0, 0), 0);
    for (uint16_t s = 10; s < 13; s++)
        kn_bwe_on_packet_sent(b, s, 1000, s * 1000, false);
    kn_bwe_on_twcc(b, &hdr, st, 4, 100000);
    assert_int_equal(b->stats.pkts_received, 2);
    assert_int_equal(b->stats.pkts_lost, 1);
    assert_int_equal(b->stats.unknown_seq, 1);
    assert_int_equal(b->hist.e[10].recv_us, 0xffffff * 64000LL + 1000);
    assert_int_equal(b->hist.e[12].recv_us, 0xffffff * 64000LL + 71000);
    hdr.base_seq = 11;
    hdr.ref_time = 0; /* wrapped: one 64 ms step later */
    kn_bwe_on_twcc(b, &hdr, st2, 2, 150000);
    assert_int_equal(b->stats.pkts_received, 3); /* 11 late; 12 not twice */
    assert_int_equal(b->hist.e[11].recv_us, 0x1000000 * 64000LL + 500);
    kn_bwe_destroy(b);
}

/* Groups 10 ms apart whose arrival spacing grows by 2 ms each: over-use;
 * constant spacing: normal. */
static void trendline_detects_growing_delay(void **state) {
    kn_trendline t;
    kn_bw_usage u = KN_BW_NORMAL;
    int64_t recv = 0;

    (void)state;
    kn_trendline_init(&t);
    for (int i = 0; i < 60; i++)
        u = kn_trendline_on_packet(&t, (uint64_t)i * 10000, (recv += 10000), 1200, i * 10000);
    assert_int_equal(u, KN_BW_NORMAL);
    for (int i = 60; i < 100 && u != KN_BW_OVERUSING; i++)
        u = kn_trendline_on_packet(&t, (uint64_t)i * 10000, (recv += 12000), 1200, i * 10000);
    assert_int_equal(u, KN_BW_OVERUSING);
}

/* Sends probe cluster id as 10 x 1000 B 2 ms apart from t0 (sequence numbers from seq0)
 * and fills pk with their arrivals recv_gap apart from recv0; callers change arrivals
 * (late, lost) before the feedback. */
static void send_cluster(kn_prober *p, int id, uint64_t t0, int64_t seq0, int64_t recv0,
                         int64_t recv_gap, kn_bwe_pkt pk[10]) {
    for (int i = 0; i < 10; i++) {
        kn_prober_on_sent(p, id, 1000, t0 + (uint64_t)i * 2000);
        pk[i] = (kn_bwe_pkt){.seq = seq0 + i,
                             .send_us = t0 + (uint64_t)i * 2000,
                             .recv_us = recv0 + i * recv_gap,
                             .size = 1000,
                             .probe_id = (int16_t)id};
    }
}

/* A 2 Mbit/s cluster (10 kB minimum) of 10 x 1000 B sent 2 ms apart (4 Mbit/s)
 * arriving 4 ms apart: the link
 * carries half the send rate, so the result is 0.95 x receive rate. */
static void prober_measures_bottleneck(void **state) {
    kn_prober p;
    kn_probe_result r;
    kn_bwe_pkt pk[10];
    int id;

    (void)state;
    kn_prober_init(&p);
    assert_int_equal(kn_prober_plan(&p, 0, false), KN_EINVAL);
    id = kn_prober_plan(&p, 2000000, false);
    assert_true(id >= 0);
    assert_int_equal(kn_prober_active(&p, 1000), id);
    assert_true(kn_prober_bytes_due(&p, 1000) >= 1000);
    send_cluster(&p, id, 1000, 0, 50000, 4000, pk);
    assert_int_equal(kn_prober_active(&p, 22000), -1); /* 10 kB sent: done */
    assert_int_equal(kn_prober_take_result(&p, 30000, &r), KN_ENOENT);
    kn_prober_on_feedback(&p, pk, 10);
    assert_int_equal(kn_prober_take_result(&p, 100000, &r), 0);
    assert_int_equal(r.target_bps, 2000000);
    assert_int_equal(r.bps, 1900000); /* 9000 B * 8 / 36 ms = 2 Mbit/s, x 0.95 */
    assert_false(kn_prober_busy(&p));
}

/* A 2 Mbit/s cluster: 10 x 1000 B sent and received 2 ms apart, the last one 6 ms late (a timestamp
 * spike): the delay rose, but one packet is no queue to measure a link by. The
 * result fails as unclear (retried soon), unlike one whose packets were lost. */
static void prober_spike_is_unclear(void **state) {
    kn_prober p;
    kn_probe_result r;
    kn_bwe_pkt pk[10];
    int id;

    (void)state;
    kn_prober_init(&p);
    id = kn_prober_plan(&p, 2000000, false);
    assert_int_equal(kn_prober_active(&p, 1000), id);
    send_cluster(&p, id, 1000, 0, 50000, 2000, pk);
    pk[9].recv_us += 6000;
    assert_int_equal(kn_prober_active(&p, 22000), -1);
    kn_prober_on_feedback(&p, pk, 10);
    assert_int_equal(kn_prober_take_result(&p, 100000, &r), 0);
    assert_int_equal(r.bps, 0);
    assert_true(r.limited);
    assert_true(r.unclear);
    /* the same cluster with 2 of 10 lost: a queue overflowed, clearly limited */
    id = kn_prober_plan(&p, 2000000, false);
    assert_int_equal(kn_prober_active(&p, 200000), id);
    send_cluster(&p, id, 200000, 100, 250000, 2000, pk);
    pk[8].recv_us = pk[9].recv_us = KN_BWE_LOST;
    assert_int_equal(kn_prober_active(&p, 221000), -1);
    kn_prober_on_feedback(&p, pk, 10);
    assert_int_equal(kn_prober_take_result(&p, 400000, &r), 0);
    assert_int_equal(r.bps, 0);
    assert_true(r.limited);
    assert_false(r.unclear);
}

static void remb_follows_receiver(void **state) {
    kn_bwe *b;
    kn_bwe_config cfg = {.start_bps = 500000};

    (void)state;
    assert_int_equal(kn_bwe_create(&b, &kn_remb_algo, &cfg, 0, 0), 0);
    assert_int_equal(kn_bwe_estimate_bps(b), 500000);
    kn_bwe_on_remb(b, 1200000, 1000);
    assert_int_equal(kn_bwe_estimate_bps(b), 1200000);
    kn_bwe_on_loss_report(b, 13, 100, 2000000); /* 5 %: hold */
    assert_int_equal(kn_bwe_estimate_bps(b), 1200000);
    kn_bwe_on_loss_report(b, 64, 100, 3000000); /* 25 %: x 0.875 */
    assert_int_equal(kn_bwe_estimate_bps(b), 1050000);
    kn_bwe_on_remb(b, 10000, 4000000);
    assert_int_equal(kn_bwe_estimate_bps(b), KN_BWE_DEFAULT_MIN);
    kn_bwe_destroy(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(algo_registry),
        cmocka_unit_test(send_hist_wraps),
        cmocka_unit_test(twcc_feedback_mapping),
        cmocka_unit_test(trendline_detects_growing_delay),
        cmocka_unit_test(prober_measures_bottleneck),
        cmocka_unit_test(prober_spike_is_unclear),
        cmocka_unit_test(remb_follows_receiver),
        cmocka_unit_test(converges_600k),
        cmocka_unit_test(converges_1m),
        cmocka_unit_test(converges_2500k),
        cmocka_unit_test(step_down_reacts_within_1s),
        cmocka_unit_test(step_up_recovers_within_15s),
        cmocka_unit_test(random_loss_5pct_keeps_70pct),
        cmocka_unit_test(loss_above_10pct_decreases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
