/*
 * bwe_sim.h: deterministic closed-loop replay for the bwe unit tests. A sender
 * (kn_bwe + a media model) sends through a bottleneck that replays a Mahimahi
 * link trace (gen_traces.py: one 1500-byte delivery opportunity per line),
 * with a drop-tail queue, optional random loss (fixed-seed xorshift) and 20 ms
 * propagation each way; or through a token bucket like `tc tbf rate R burst B
 * latency L` (sim_tbf: packets leave at line rate while the bucket holds
 * tokens, then at R; queue limit R x L + B). The receiver writes real RTPFB FMT 15 feedback every
 * 50 ms with kn_twcc_write on its own clock; the sender parses it with
 * kn_twcc_parse and feeds kn_bwe_on_twcc. 1 ms steps; allocates nothing
 * (static state, one simulation at a time). Included by test_bwe_*.c.
 */
#ifndef KN_BWE_SIM_H
#define KN_BWE_SIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bwe/allocator.h"
#include "bwe/bwe.h"
#include "rtp/rtcp_fb.h"

#define SIM_MAX_OPP   20000
#define SIM_QCAP      8192
#define SIM_RX_CAP    (1 << 18)
#define SIM_PROP_US   20000
#define SIM_FB_US     50000
#define SIM_RX_OFFSET 7123456789ull /* receiver clock = sender clock + this */
#define SIM_PKT       1200
#define SIM_MAX_S     90

typedef struct sim_pkt {
    int64_t useq;
    uint32_t size, left;
    bool media;
} sim_pkt;

typedef struct sim_fb {
    uint64_t due_us;
    size_t len;
    uint8_t buf[1500];
} sim_fb;

/* Media model: an app that wants want_bps (mode "saturate"), or the
 * allocator's consumers (mode "layers": audio + one simulcast video). */
typedef struct sim {
    uint32_t opp_ms[SIM_MAX_OPP];
    size_t n_opp, opp_i;
    uint64_t opp_base_ms;
    sim_pkt q[SIM_QCAP];
    size_t qh, qn;
    uint32_t q_bytes, q_limit;
    uint32_t loss_ppm, rng;
    uint32_t tbf_bps, tbf_burst; /* token bucket instead of the trace when tbf_bps != 0 */
    double tbf_tokens;           /* bytes */
    uint32_t probe_max_bps;      /* highest probe result seen (a repeated value is missed) */
    uint64_t probe_max_from_us;  /* probe_max_bps counts results from then on */
    uint32_t probe_last;         /* SIM_DEBUG=1: every new probe result on stderr */
    struct {
        int64_t useq;
        uint64_t at_us;
    } fly[SIM_QCAP]; /* past the bottleneck, propagating */
    size_t fh, fn;
    int64_t rx_recv[SIM_RX_CAP]; /* receiver clock, 0 = not received */
    int64_t rx_next, rx_high;
    uint8_t fb_count;
    sim_fb fbq[16];
    size_t fbh, fbn;
    kn_twcc_status st[400];
    kn_bwe *bwe;
    int64_t useq;
    uint64_t now_us;
    double pace_bits;
    /* media model */
    bool layers;
    uint32_t want_bps;
    kn_alloc_consumer cons[2]; /* [0] audio, [1] video */
    uint64_t media_sent, media_lost;
    uint64_t last_video_us; /* last time the video consumer had a target */
    uint64_t max_gap_us;    /* longest time without a video layer after the first */
} sim;

static sim S;

static void sim_load(const char *path) {
    FILE *f = fopen(path, "r");
    unsigned v;

    S.n_opp = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    while (S.n_opp < SIM_MAX_OPP && fscanf(f, "%u", &v) == 1)
        S.opp_ms[S.n_opp++] = v;
    fclose(f);
    if (S.n_opp == 0)
        abort();
}

/* layers: q/h/f bitrates; 0 = saturating app that wants want_bps. */
static void sim_start(const char *trace, uint32_t loss_ppm, const uint32_t *layers,
                      uint32_t want_bps) {
    kn_bwe_config cfg = {.start_bps = 300000, .max_bps = 5000000, .initial_probe = true};

    memset(&S, 0, sizeof(S));
    sim_load(trace);
    S.q_limit = 40000; /* like tbf limit: ~130 ms at 2.5 Mbit/s, 530 ms at 600 kbit/s */
    S.loss_ppm = loss_ppm;
    S.rng = 2463534242u;
    S.useq = 65000; /* wraps early */
    S.rx_next = -1;
    S.want_bps = want_bps;
    S.layers = layers != NULL;
    kn_alloc_consumer_init(&S.cons[0], true);
    S.cons[0].layer_bps[0] = 40000;
    kn_alloc_consumer_init(&S.cons[1], false);
    if (layers != NULL) {
        S.cons[1].n_layers = 3;
        memcpy(S.cons[1].layer_bps, layers, 3 * sizeof(uint32_t));
    }
    if (kn_bwe_create(&S.bwe, &kn_gcc_algo, &cfg, 0, 0) != 0)
        abort();
}

/* After sim_start: the bottleneck becomes `tbf rate bps burst burst latency lat_ms`
 * (the bucket starts full). */
static inline void sim_tbf(uint32_t bps, uint32_t burst, uint32_t lat_ms) {
    S.tbf_bps = bps;
    S.tbf_burst = burst;
    S.tbf_tokens = burst;
    S.q_limit = (uint32_t)((uint64_t)bps * lat_ms / 8000) + burst;
}

static void sim_stop(void) {
    kn_bwe_destroy(S.bwe);
    S.bwe = NULL;
}

static uint32_t xorshift(void) {
    S.rng ^= S.rng << 13;
    S.rng ^= S.rng >> 17;
    S.rng ^= S.rng << 5;
    return S.rng;
}

static void sim_send(uint32_t size, bool media, bool padding) {
    int64_t u = S.useq++;

    kn_bwe_on_packet_sent(S.bwe, (uint16_t)u, size, S.now_us, padding);
    if (media)
        S.media_sent++;
    if (S.loss_ppm != 0 && xorshift() % 1000000 < S.loss_ppm) {
        S.media_lost += media;
        return;
    }
    if (S.qn == SIM_QCAP || S.q_bytes + size > S.q_limit) {
        S.media_lost += media; /* drop-tail */
        return;
    }
    S.q[(S.qh + S.qn++) % SIM_QCAP] =
        (sim_pkt){.useq = u, .size = size, .left = size, .media = media};
    S.q_bytes += size;
}

/* One 1500-byte opportunity: drains the queue head (partial packets allowed). */
static void link_opportunity(void) {
    uint32_t credit = 1500;

    while (S.qn > 0 && credit > 0) {
        sim_pkt *p = &S.q[S.qh];
        uint32_t take = p->left < credit ? p->left : credit;
        p->left -= take;
        credit -= take;
        if (p->left > 0)
            break;
        S.q_bytes -= p->size;
        S.fly[(S.fh + S.fn++) % SIM_QCAP].useq = p->useq;
        S.fly[(S.fh + S.fn - 1) % SIM_QCAP].at_us = S.now_us + SIM_PROP_US;
        S.qh = (S.qh + 1) % SIM_QCAP;
        S.qn--;
    }
}

/* Token bucket: tokens accrue at tbf_bps up to tbf_burst; the head packet
 * leaves (at line rate) once the bucket holds its size. */
static void tbf_step(void) {
    S.tbf_tokens += S.tbf_bps / 8000.0;
    if (S.tbf_tokens > S.tbf_burst)
        S.tbf_tokens = S.tbf_burst;
    while (S.qn > 0 && S.q[S.qh].size <= S.tbf_tokens) {
        sim_pkt *p = &S.q[S.qh];
        S.tbf_tokens -= p->size;
        S.q_bytes -= p->size;
        S.fly[(S.fh + S.fn++) % SIM_QCAP].useq = p->useq;
        S.fly[(S.fh + S.fn - 1) % SIM_QCAP].at_us = S.now_us + SIM_PROP_US;
        S.qh = (S.qh + 1) % SIM_QCAP;
        S.qn--;
    }
}

static void link_step(void) {
    uint64_t ms = S.now_us / 1000;

    if (S.tbf_bps != 0)
        tbf_step();
    for (; S.tbf_bps == 0;) {
        uint64_t t = S.opp_base_ms + S.opp_ms[S.opp_i];
        if (t > ms)
            break;
        link_opportunity();
        if (++S.opp_i == S.n_opp) { /* the trace repeats */
            S.opp_i = 0;
            S.opp_base_ms += S.opp_ms[S.n_opp - 1];
        }
    }
    while (S.fn > 0 && S.fly[S.fh].at_us <= S.now_us) {
        int64_t u = S.fly[S.fh].useq;
        S.rx_recv[u % SIM_RX_CAP] = (int64_t)(S.fly[S.fh].at_us + SIM_RX_OFFSET);
        if (S.rx_next < 0)
            S.rx_next = u;
        if (u > S.rx_high)
            S.rx_high = u;
        S.fh = (S.fh + 1) % SIM_QCAP;
        S.fn--;
    }
}

/* The receiver's feedback for rx_next..rx_high, in 250 µs ticks as libwebrtc. */
static void rx_feedback(void) {
    kn_twcc hdr = {.sender_ssrc = 1, .media_ssrc = 2};
    int64_t n = S.rx_high - S.rx_next + 1, first = -1, ticks;
    sim_fb *fb;

    if (S.rx_next < 0 || n <= 0 || S.fbn == 16)
        return;
    if (n > 300)
        n = 300;
    for (int64_t i = 0; i < n && first < 0; i++)
        first = S.rx_recv[(S.rx_next + i) % SIM_RX_CAP] > 0
                    ? S.rx_recv[(S.rx_next + i) % SIM_RX_CAP]
                    : -1;
    if (first < 0)
        first = (int64_t)(S.now_us + SIM_RX_OFFSET);
    hdr.base_seq = (uint16_t)S.rx_next;
    hdr.ref_time = (int32_t)((first / 64000) & 0xffffff);
    hdr.fb_count = S.fb_count++;
    ticks = (first / 64000) * 256;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = S.rx_recv[(S.rx_next + i) % SIM_RX_CAP], t = r / 250;
        S.st[i].seq = (uint16_t)(S.rx_next + i);
        S.st[i].status = r == 0             ? KN_TWCC_NOT_RECEIVED
                         : t - ticks <= 255 ? KN_TWCC_SMALL_DELTA
                                            : KN_TWCC_LARGE_DELTA;
        S.st[i].delta_us = r == 0 ? 0 : (int32_t)(t - ticks) * 250;
        if (r != 0)
            ticks = t;
    }
    fb = &S.fbq[(S.fbh + S.fbn) % 16];
    if (kn_twcc_write(&hdr, S.st, (size_t)n, fb->buf, sizeof(fb->buf), &fb->len) != 0)
        abort();
    fb->due_us = S.now_us + SIM_PROP_US;
    S.fbn++;
    for (int64_t i = 0; i < n; i++)
        S.rx_recv[(S.rx_next + i) % SIM_RX_CAP] = 0;
    S.rx_next += n;
}

static void tx_feedback(void) {
    while (S.fbn > 0 && S.fbq[S.fbh].due_us <= S.now_us) {
        kn_twcc hdr;
        size_t n;
        if (kn_twcc_parse(S.fbq[S.fbh].buf, S.fbq[S.fbh].len, &hdr, S.st, 400, &n) != 0)
            abort();
        kn_bwe_on_twcc(S.bwe, &hdr, S.st, n, S.now_us);
        S.fbh = (S.fbh + 1) % 16;
        S.fbn--;
    }
}

static void send_padding(void) {
    size_t due = kn_bwe_probe_bytes_due(S.bwe, S.now_us);

    while (due > 0) {
        uint32_t sz = due > SIM_PKT ? SIM_PKT : due < 200 ? 200 : (uint32_t)due;
        sim_send(sz, false, true);
        due = due > sz ? due - sz : 0;
    }
}

static void send_saturating(void) {
    uint32_t est = kn_bwe_estimate_bps(S.bwe);
    uint32_t rate = est < S.want_bps ? est : S.want_bps;

    double cap = rate / 100.0 > 2 * SIM_PKT * 8 ? rate / 100.0 : 2 * SIM_PKT * 8;

    S.pace_bits += rate / 1000.0;
    if (S.pace_bits > cap) /* at most 10 ms (or two packets) of credit */
        S.pace_bits = cap;
    while (S.pace_bits >= SIM_PKT * 8) {
        sim_send(SIM_PKT, true, false);
        S.pace_bits -= SIM_PKT * 8;
    }
    if (S.now_us % 100000 == 0 && est < S.want_bps)
        (void)kn_bwe_request_probe(S.bwe, S.want_bps, S.now_us);
}

/* Audio 100 B / 20 ms; video frames at 30 fps of the target layer's size. */
static void send_layers(void) {
    uint64_t ms = S.now_us / 1000;
    kn_alloc_consumer *v = &S.cons[1];

    if (ms % 20 == 0)
        sim_send(100, true, false);
    if (v->target >= 0 && (ms * 3) % 100 < 3) {
        uint32_t bytes = v->layer_bps[v->target] / 30 / 8;
        for (; bytes > 0; bytes -= bytes > SIM_PKT ? SIM_PKT : bytes)
            sim_send(bytes > SIM_PKT ? SIM_PKT : bytes, true, false);
    }
    if (ms % 100 == 0) {
        kn_alloc_result r;
        int8_t before = v->target;
        if (kn_alloc_run(S.cons, 2, kn_bwe_estimate_bps(S.bwe), S.now_us, &r) != 0)
            abort();
        if (getenv("SIM_DEBUG") != NULL && v->target != before)
            fprintf(stderr, "%.2f layer %d -> %d est %u\n", S.now_us / 1e6, before, v->target,
                    kn_bwe_estimate_bps(S.bwe));
        if (r.probe_bps != 0)
            (void)kn_bwe_request_probe(S.bwe, r.probe_bps, S.now_us);
    }
    if (v->target >= 0) {
        if (v->ever && S.last_video_us != 0 && S.now_us - S.last_video_us > S.max_gap_us)
            S.max_gap_us = S.now_us - S.last_video_us;
        S.last_video_us = S.now_us;
    }
}

/* Advances the simulation to end_us (1 ms steps). */
static void sim_run(uint64_t end_us) {
    for (; S.now_us < end_us; S.now_us += 1000) {
        link_step();
        if (S.now_us % SIM_FB_US == 0)
            rx_feedback();
        tx_feedback();
        if (S.bwe->stats.last_probe_bps != S.probe_last) { /* a new result */
            S.probe_last = S.bwe->stats.last_probe_bps;
            if (getenv("SIM_DEBUG") != NULL)
                fprintf(stderr, "%.2f probe %u est %u\n", S.now_us / 1e6, S.probe_last,
                        kn_bwe_estimate_bps(S.bwe));
            if (S.now_us >= S.probe_max_from_us && S.probe_last > S.probe_max_bps)
                S.probe_max_bps = S.probe_last;
        }
        send_padding();
        if (S.layers)
            send_layers();
        else
            send_saturating();
    }
}

#endif
