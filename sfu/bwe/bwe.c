/*
 * bwe.c: the per-subscriber estimation container (see bwe.h): send history,
 * TWCC feedback → per-packet send/arrival pairs (draft-holmer-rmcat-
 * transport-wide-cc-extensions-01 §3.1: reference time in 64 ms units, receive
 * deltas in 250 µs), probe clusters, dispatch to the selected algorithm.
 * Allocates once in kn_bwe_create. Media loop only.
 */
#include "bwe/bwe.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define START_BPS         300000
#define MAX_BPS           20000000
#define PROBE_BACKOFF_MIN 1000
#define PROBE_BACKOFF_MAX 4000
#define EXP_CONTINUE      0.7 /* libwebrtc: probe further when result >= 70 % of target */

static const struct kn_bwe_algo *const algos[] = {&kn_gcc_algo, &kn_remb_algo};

const struct kn_bwe_algo *kn_bwe_algo_find(const char *name) {
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
        if (name != NULL && strcmp(algos[i]->name, name) == 0)
            return algos[i];
    return NULL;
}

static size_t round_up(size_t n) {
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

static void fill_config(kn_bwe_config *c, const kn_bwe_config *in) {
    memset(c, 0, sizeof(*c));
    if (in != NULL)
        *c = *in;
    if (c->start_bps == 0)
        c->start_bps = START_BPS;
    if (c->min_bps == 0)
        c->min_bps = KN_BWE_DEFAULT_MIN;
    if (c->max_bps == 0)
        c->max_bps = MAX_BPS;
    if (c->start_bps < c->min_bps)
        c->start_bps = c->min_bps;
    if (c->start_bps > c->max_bps)
        c->start_bps = c->max_bps;
}

int kn_bwe_create(kn_bwe **out, const struct kn_bwe_algo *algo, const kn_bwe_config *cfg,
                  size_t hist_cap, uint64_t now_us) {
    size_t off_batch = round_up(sizeof(kn_bwe));
    size_t off_st = off_batch + round_up(KN_BWE_BATCH * sizeof(kn_bwe_pkt));
    size_t off_hist;
    uint8_t *mem;
    kn_bwe *b;

    *out = NULL;
    if (hist_cap == 0)
        hist_cap = KN_BWE_HIST_CAP;
    if (algo == NULL || hist_cap < 16 || (hist_cap & (hist_cap - 1)) != 0 ||
        (cfg != NULL && cfg->max_bps != 0 && cfg->min_bps > cfg->max_bps))
        return KN_EINVAL;
    off_hist = off_st + round_up(algo->state_size);
    if ((mem = calloc(1, off_hist + hist_cap * sizeof(kn_send_hist_entry))) == NULL)
        return KN_ENOMEM;
    b = (kn_bwe *)mem;
    b->algo = algo;
    b->batch = (kn_bwe_pkt *)(mem + off_batch);
    b->st = mem + off_st;
    kn_send_hist_init(&b->hist, (kn_send_hist_entry *)(mem + off_hist), hist_cap);
    kn_prober_init(&b->prober);
    fill_config(&b->cfg, cfg);
    b->probe_backoff_ms = PROBE_BACKOFF_MIN;
    algo->init(b->st, &b->cfg, now_us);
    if (b->cfg.initial_probe) { /* GCC start-up: 3x and 6x the start rate */
        (void)kn_prober_plan(&b->prober, 3 * b->cfg.start_bps, true);
        (void)kn_prober_plan(&b->prober, 6 * b->cfg.start_bps, true);
    }
    *out = b;
    return 0;
}

void kn_bwe_destroy(kn_bwe *b) {
    free(b);
}

void kn_bwe_on_packet_sent(kn_bwe *b, uint16_t twcc_seq, size_t size, uint64_t send_us,
                           bool padding) {
    int id = kn_prober_active(&b->prober, send_us);
    uint32_t sz = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;

    (void)kn_send_hist_on_sent(&b->hist, twcc_seq, sz, send_us, (int16_t)id);
    if (id >= 0) {
        kn_prober_on_sent(&b->prober, id, sz, send_us);
        if (padding)
            b->stats.probes_sent++;
    }
}

uint32_t kn_bwe_estimate_bps(const kn_bwe *b) {
    uint32_t e = b->algo->estimate_bps(b->st);

    if (e < b->cfg.min_bps)
        return b->cfg.min_bps;
    return e > b->cfg.max_bps ? b->cfg.max_bps : e;
}

static void on_probe_result(kn_bwe *b, const kn_probe_result *r, uint64_t now_us) {
    uint32_t before = kn_bwe_estimate_bps(b);
    bool climbing = false;

    if (r->bps > 0) {
        if (!r->limited)
            b->stats.probes_ok++;
        b->stats.last_probe_bps = r->bps;
        if (b->algo->on_probe_result != NULL)
            b->algo->on_probe_result(b->st, r->bps, r->limited, now_us);
    }
    if (r->exponential) {
        uint32_t est = kn_bwe_estimate_bps(b);
        if (!r->limited && r->bps >= EXP_CONTINUE * r->target_bps && est < b->cfg.max_bps &&
            !kn_prober_busy(&b->prober))
            (void)kn_prober_plan(&b->prober, 2 * est, true);
        return;
    }
    if (r->unclear) {
        /* It told nothing (after a lifted cap, a 1-3 packet timestamp spike
         * failed the first probe and the next came 4 s later): try again soon. */
        b->probe_backoff_ms = PROBE_BACKOFF_MIN;
    } else if (r->limited) {
        b->probe_backoff_ms *= 2; /* the link is at its rate: do not push it again soon */
        if (b->probe_backoff_ms > PROBE_BACKOFF_MAX)
            b->probe_backoff_ms = PROBE_BACKOFF_MAX;
    } else if (b->probe_wanted_bps != 0 && r->bps >= b->probe_wanted_bps) {
        b->probe_backoff_ms = PROBE_BACKOFF_MIN; /* reached: the next may follow soon */
    } else if (r->bps > before + before / 10 &&
               r->bps > b->last_req_probe_bps + b->last_req_probe_bps / 10) {
        b->probe_backoff_ms = PROBE_BACKOFF_MIN; /* still climbing */
        climbing = r->bps >= EXP_CONTINUE * r->target_bps;
    } else {
        b->probe_backoff_ms *= 2;
        if (b->probe_backoff_ms > PROBE_BACKOFF_MAX)
            b->probe_backoff_ms = PROBE_BACKOFF_MAX;
    }
    /* The link carried the cluster and the target is not reached yet: the
     * next request may go at once, as start-up probing continues (a lifted
     * cap otherwise costs a backoff per doubling; 720p came 13-17 s after
     * the lift in test_sfu_bwe_chromium). */
    if (climbing && b->probe_wanted_bps != 0 && r->bps < b->probe_wanted_bps)
        b->last_probe_req_us = 0;
    b->probe_wanted_bps = 0;
    b->last_req_probe_bps = r->bps;
}

static void flush(kn_bwe *b, size_t n, uint64_t now_us) {
    kn_probe_result r;

    if (n == 0)
        return;
    if (b->algo->on_feedback != NULL)
        b->algo->on_feedback(b->st, b->batch, n, now_us);
    kn_prober_on_feedback(&b->prober, b->batch, n);
    while (kn_prober_take_result(&b->prober, now_us, &r) == 0)
        on_probe_result(b, &r, now_us);
}

/* The reference time is 24 bits of 64 ms: unwrap it against the previous one. */
static int64_t unwrap_ref(kn_bwe *b, int32_t ref) {
    int32_t r24 = ref & 0xffffff, d;

    if (!b->have_ref) {
        b->have_ref = true;
        b->ref_64ms = r24;
        return b->ref_64ms;
    }
    d = (r24 - (int32_t)(b->ref_64ms & 0xffffff)) & 0xffffff;
    if (d & 0x800000)
        d -= 0x1000000;
    b->ref_64ms += d;
    return b->ref_64ms;
}

/* Adds one status to the batch; returns false when it is not to be reported. */
static bool take_status(kn_bwe *b, const kn_twcc_status *s, int64_t recv_us, kn_bwe_pkt *out) {
    kn_send_hist_entry *e = kn_send_hist_find(&b->hist, kn_send_hist_unwrap(&b->hist, s->seq));
    bool received = s->status != KN_TWCC_NOT_RECEIVED;

    if (e == NULL) {
        b->stats.unknown_seq++;
        return false;
    }
    if (e->recv_us >= 0 || (!received && e->reported))
        return false; /* reported before */
    e->reported = true;
    if (received)
        e->recv_us = recv_us;
    out->seq = e->seq;
    out->send_us = e->send_us;
    out->recv_us = received ? recv_us : KN_BWE_LOST;
    out->size = e->size;
    out->probe_id = e->probe_id;
    if (received)
        b->stats.pkts_received++;
    else
        b->stats.pkts_lost++;
    return true;
}

void kn_bwe_on_twcc(kn_bwe *b, const kn_twcc *hdr, const kn_twcc_status *st, size_t n,
                    uint64_t now_us) {
    int64_t t = unwrap_ref(b, hdr->ref_time) * 64000;
    size_t m = 0;

    b->stats.feedbacks++;
    for (size_t i = 0; i < n; i++) {
        if (st[i].status != KN_TWCC_NOT_RECEIVED)
            t += st[i].delta_us;
        if (take_status(b, &st[i], t, &b->batch[m]) && ++m == KN_BWE_BATCH) {
            flush(b, m, now_us);
            m = 0;
        }
    }
    flush(b, m, now_us);
}

void kn_bwe_on_remb(kn_bwe *b, uint64_t bps, uint64_t now_us) {
    if (b->algo->on_remb != NULL)
        b->algo->on_remb(b->st, bps, now_us);
}

void kn_bwe_on_rtt(kn_bwe *b, uint32_t rtt_us, uint64_t now_us) {
    if (b->algo->on_rtt != NULL)
        b->algo->on_rtt(b->st, rtt_us, now_us);
}

void kn_bwe_on_loss_report(kn_bwe *b, uint8_t fraction_lost, uint32_t packets, uint64_t now_us) {
    if (b->algo->on_loss_report != NULL)
        b->algo->on_loss_report(b->st, fraction_lost, packets, now_us);
}

int kn_bwe_request_probe(kn_bwe *b, uint32_t target_bps, uint64_t now_us) {
    uint64_t rate, est = kn_bwe_estimate_bps(b);

    if (target_bps == 0)
        return KN_EINVAL;
    if (kn_prober_busy(&b->prober) ||
        (b->last_probe_req_us != 0 &&
         now_us < b->last_probe_req_us + (uint64_t)b->probe_backoff_ms * 1000))
        return KN_ESTATE;
    /* 1.5 x the target, but at most 2 x the estimate per step: a probe far
     * above the link fills the bottleneck queue for nothing. */
    rate = (uint64_t)target_bps * 3 / 2;
    if (rate > 2 * est)
        rate = 2 * est;
    if (rate > b->cfg.max_bps)
        rate = b->cfg.max_bps;
    if (rate <= est || kn_prober_plan(&b->prober, (uint32_t)rate, false) < 0)
        return KN_ESTATE;
    b->last_probe_req_us = now_us;
    b->probe_wanted_bps = target_bps;
    return 0;
}

size_t kn_bwe_probe_bytes_due(kn_bwe *b, uint64_t now_us) {
    kn_probe_result r;

    while (kn_prober_take_result(&b->prober, now_us, &r) == 0) /* timed-out clusters */
        on_probe_result(b, &r, now_us);
    return kn_prober_bytes_due(&b->prober, now_us);
}

bool kn_bwe_probe_active(const kn_bwe *b, uint64_t now_us) {
    (void)now_us;
    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++)
        if (b->prober.c[i].state == KN_PROBE_QUEUED || b->prober.c[i].state == KN_PROBE_SENDING)
            return true;
    return false;
}
