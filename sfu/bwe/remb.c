/*
 * remb.c: REMB-following estimator (see remb.h), for subscribers that
 * negotiated goog-remb but not transport-cc.
 */
#include "bwe/remb.h"

#include <string.h>

#define DECREASE_US 300000 /* plus one RTT between loss decreases, as gcc.c */

static void remb_init(void *st, const kn_bwe_config *cfg, uint64_t now_us) {
    kn_remb *r = st;

    (void)now_us;
    memset(r, 0, sizeof(*r));
    r->min_bps = cfg->min_bps;
    r->max_bps = cfg->max_bps;
    r->remb_bps = cfg->start_bps;
    r->loss_bps = cfg->max_bps;
    r->rtt_us = 200000;
}

static void remb_on_remb(void *st, uint64_t bps, uint64_t now_us) {
    kn_remb *r = st;

    (void)now_us;
    r->remb_bps = (double)bps;
}

static void remb_on_rtt(void *st, uint32_t rtt_us, uint64_t now_us) {
    (void)now_us;
    ((kn_remb *)st)->rtt_us = rtt_us;
}

static void remb_on_loss_report(void *st, uint8_t fraction, uint32_t packets, uint64_t now_us) {
    kn_remb *r = st;
    double p = fraction / 256.0;
    double cur = r->loss_bps < r->remb_bps ? r->loss_bps : r->remb_bps;

    if (packets == 0)
        return;
    if (p > 0.10 && now_us - r->last_decrease_us >= DECREASE_US + r->rtt_us) {
        r->loss_bps = cur * (1 - 0.5 * p);
        r->last_decrease_us = now_us;
    } else if (p < 0.02) {
        r->loss_bps = r->loss_bps * 1.08 + 1000;
    }
    if (r->loss_bps > r->max_bps)
        r->loss_bps = r->max_bps;
}

static uint32_t remb_estimate_bps(const void *st) {
    const kn_remb *r = st;
    double e = r->loss_bps < r->remb_bps ? r->loss_bps : r->remb_bps;

    if (e < r->min_bps)
        e = r->min_bps;
    return (uint32_t)(e > r->max_bps ? r->max_bps : e);
}

const struct kn_bwe_algo kn_remb_algo = {
    .name = "remb",
    .state_size = sizeof(kn_remb),
    .init = remb_init,
    .on_remb = remb_on_remb,
    .on_rtt = remb_on_rtt,
    .on_loss_report = remb_on_loss_report,
    .estimate_bps = remb_estimate_bps,
};
