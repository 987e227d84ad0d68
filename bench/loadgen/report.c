/*
 * report.c: builds kn-loadgen's JSON result line (see report.h) with jansson.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static double ms(uint64_t us) {
    return (double)us / 1000.0;
}

/* One subscriber's window: packets, frames, loss, freezes, latency. */
static json_t *subscriber_json(const kn_peer *p, double secs, uint64_t *pkts, uint64_t *frames,
                               uint64_t *expected, uint64_t *freezes) {
    uint64_t rcv = 0, exp = 0, fr = 0, frz = 0, frz_us = 0, key = 0, gfrz = 0;
    for (unsigned i = 0; i < p->n_rx; i++) {
        const kn_sub_stream *s = &p->rx[i];
        rcv += s->w_received;
        exp += s->max_ext - s->w_base;
        fr += s->w_frames;
        key += s->w_keyframes;
        frz += s->w_freezes;
        frz_us += s->w_freeze_us;
        gfrz += s->w_gen_freezes;
    }
    *pkts += rcv;
    *frames += fr;
    *expected += exp;
    *freezes += frz;
    double loss = exp ? 100.0 * (double)(exp > rcv ? exp - rcv : 0) / (double)exp : 100.0;
    json_t *j = json_pack("{s:i, s:b, s:I, s:f, s:I, s:f, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:I}",
                     "peer", p->idx, "connected", p->media_ok, "packets", (json_int_t)rcv,
                     "loss_pct", loss, "frames", (json_int_t)fr, "fps", (double)fr / secs,
                     "keyframes", (json_int_t)key, "freezes", (json_int_t)frz, "freeze_ms",
                     ms(frz_us), "latency_p50_ms", ms(kn_lat_quantile(p->lat, 0.5)),
                     "latency_p99_ms", ms(kn_lat_quantile(p->lat, 0.99)), "nacks",
                     (json_int_t)p->c.nacks_out, "plis", (json_int_t)p->c.plis_out,
                     "srtp_errors", (json_int_t)p->c.srtp_errors);
    json_object_set_new(j, "video_pkts_by_layer",
                        json_pack("[I, I, I]", (json_int_t)p->c.layer_pkts[0],
                                  (json_int_t)p->c.layer_pkts[1], (json_int_t)p->c.layer_pkts[2]));
    json_object_set_new(j, "generator_freezes", json_integer((json_int_t)gfrz));
    json_object_set_new(j, "unmatched", json_integer((json_int_t)p->c.lat_unmatched));
    json_object_set_new(j, "unknown_rtp", json_integer((json_int_t)p->c.rtp_unknown));
    json_object_set_new(j, "rtx_in", json_integer((json_int_t)p->c.rtx_in));
    json_object_set_new(j, "probe_padding_in", json_integer((json_int_t)p->c.rtx_padding_in));
    json_object_set_new(j, "unverified", json_integer((json_int_t)p->c.rtp_unverified));
    return j;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank quantile of sorted v[0..n); 0 when empty. */
static double quantile(const double *v, size_t n, double q) {
    if (n == 0)
        return 0;
    size_t k = (size_t)(q * (double)n + 0.999999);
    return v[k == 0 ? 0 : k > n ? n - 1 : k - 1];
}

/* Time to first media per subscriber: from its join request (join_us) to its first
 * RTP packet and to its first complete video frame; never = not by the window's end. */
static json_t *ttfm_json(const kn_peer *peers, unsigned n) {
    double *pkt = calloc(n + 1, sizeof(double)), *frm = calloc(n + 1, sizeof(double));
    size_t np = 0, nf = 0, never = 0;
    for (unsigned i = 0; pkt && frm && i < n; i++) {
        const kn_peer *p = &peers[i];
        if (p->publisher || p->join_us == 0)
            continue;
        if (p->first_rtp_us > p->join_us)
            pkt[np++] = ms(p->first_rtp_us - p->join_us);
        if (p->first_frame_us > p->join_us)
            frm[nf++] = ms(p->first_frame_us - p->join_us);
        else
            never++;
    }
    qsort(pkt, np, sizeof(double), cmp_double);
    qsort(frm, nf, sizeof(double), cmp_double);
    json_t *j = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "first_packet_p50_ms",
                          quantile(pkt, np, 0.5), "first_packet_p99_ms", quantile(pkt, np, 0.99),
                          "first_frame_p50_ms", quantile(frm, nf, 0.5), "first_frame_p99_ms",
                          quantile(frm, nf, 0.99), "first_frame_max_ms", nf ? frm[nf - 1] : 0.0,
                          "first_frame_min_ms", nf ? frm[0] : 0.0, "no_frame",
                          (json_int_t)never);
    free(pkt);
    free(frm);
    return j;
}

/* The quality rule of the room scenarios: a subscriber is good when it received
 * >= 25 video frames/s with < 1 % loss over the window. */
#define GOOD_FPS 25.0
#define GOOD_LOSS_PCT 1.0

static void quality(json_t *list, json_t *out) {
    size_t n = json_array_size(list), good = 0, i;
    double *fps = calloc(n + 1, sizeof(double));
    json_t *s;
    json_array_foreach(list, i, s) {
        double f = json_real_value(json_object_get(s, "fps"));
        double l = json_real_value(json_object_get(s, "loss_pct"));
        good += json_is_true(json_object_get(s, "connected")) && f >= GOOD_FPS && l < GOOD_LOSS_PCT;
        if (fps)
            fps[i] = f;
    }
    if (fps)
        qsort(fps, n, sizeof(double), cmp_double);
    json_object_set_new(out, "good_pct", json_real(n ? 100.0 * (double)good / (double)n : 0));
    json_object_set_new(out, "fps_min", json_real(fps && n ? fps[0] : 0));
    json_object_set_new(out, "fps_p01", json_real(fps ? quantile(fps, n, 0.01) : 0));
    json_object_set_new(out, "fps_p50", json_real(fps ? quantile(fps, n, 0.5) : 0));
    free(fps);
}

static json_t *subscribers_json(const kn_lg_opts *o, const kn_peer *peers, unsigned n, double secs,
                                bool *all_ok) {
    static kn_lat all;
    json_t *list = json_array();
    uint64_t pkts = 0, frames = 0, expected = 0, freezes = 0, min_frames = UINT64_MAX;
    unsigned count = 0, connected = 0;
    *all_ok = true;
    for (unsigned i = 0; i < n; i++) {
        const kn_peer *p = &peers[i];
        if (p->publisher)
            continue;
        uint64_t f0 = frames;
        count++;
        connected += p->media_ok;
        *all_ok &= p->media_ok;
        json_array_append_new(list, subscriber_json(p, secs, &pkts, &frames, &expected, &freezes));
        if (frames - f0 < min_frames)
            min_frames = frames - f0;
        kn_lat_merge(&all, p->lat);
    }
    double loss = expected ? 100.0 * (double)(expected > pkts ? expected - pkts : 0) / (double)expected : 0;
    json_t *out = json_pack("{s:i, s:i, s:I, s:f, s:I, s:I, s:f, s:I, s:f, s:f, s:I, s:O}", "count", count,
                     "connected", connected, "packets", (json_int_t)pkts, "pps",
                     (double)pkts / secs, "frames", (json_int_t)frames, "min_frames",
                     (json_int_t)(count ? min_frames : 0), "loss_pct", loss, "freezes",
                     (json_int_t)freezes, "latency_p50_ms", ms(kn_lat_quantile(&all, 0.5)),
                     "latency_p99_ms", ms(kn_lat_quantile(&all, 0.99)),
                     "latency_samples", (json_int_t)all.count, "per_subscriber", list);
    quality(list, out);
    json_object_set_new(out, "join", ttfm_json(peers, n));
    if (o->brief)
        json_object_del(out, "per_subscriber");
    json_decref(list);
    return out;
}

static json_t *publishers_json(const kn_peer *peers, unsigned n) {
    uint64_t nacks = 0, rtx = 0, missed = 0, plis = 0, firs = 0;
    unsigned count = 0, connected = 0;
    for (unsigned i = 0; i < n; i++) {
        const kn_peer *p = &peers[i];
        if (!p->publisher)
            continue;
        count++;
        connected += p->media_ok;
        nacks += p->c.nacks_in;
        rtx += p->c.rtx_out;
        missed += p->c.rtx_missed;
        plis += p->c.plis_in;
        firs += p->c.firs_in;
    }
    return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:s}", "count", count, "connected",
                     connected, "nacks_received", (json_int_t)nacks, "retransmitted",
                     (json_int_t)rtx, "nack_not_in_ring", (json_int_t)missed, "plis_received",
                     (json_int_t)plis, "firs_received", (json_int_t)firs, "srtp_profile",
                     count ? kn_srtp_profile_name(peers[0].srtp.profile) : "none");
}

static json_t *server_json(const kn_lg_opts *o, const kn_lg_sample *a, const kn_lg_sample *b,
                           double secs) {
    json_t *pids = json_array();
    double cpu = 0;
    uint64_t rss = 0;
    double cpu_ticks = 0;
    int all_precise = 1;
    for (unsigned i = 0; i < o->n_server_pids; i++) {
        int precise;
        double c = kn_procstat_cpu_between(&a->server[i], &b->server[i], &precise);
        double ticks = b->server[i].cpu_s - a->server[i].cpu_s;
        cpu += c;
        cpu_ticks += ticks;
        all_precise = all_precise && precise;
        rss += b->server[i].rss_kb;
        json_array_append_new(pids, json_pack("{s:i, s:f, s:f, s:s, s:I}", "pid",
                                              (int)o->server_pids[i], "cpu_s", c, "cpu_s_ticks",
                                              ticks, "cpu_source", precise ? "schedstat" : "stat",
                                              "rss_kb", (json_int_t)b->server[i].rss_kb));
    }
    json_t *net = json_pack("{s:I, s:I, s:I, s:I}", "rx_packets",
                            (json_int_t)(b->net.rx_packets - a->net.rx_packets), "tx_packets",
                            (json_int_t)(b->net.tx_packets - a->net.tx_packets), "rx_bytes",
                            (json_int_t)(b->net.rx_bytes - a->net.rx_bytes), "tx_bytes",
                            (json_int_t)(b->net.tx_bytes - a->net.tx_bytes));
    json_t *out = json_pack("{s:f, s:f, s:f, s:s, s:I, s:o, s:o}", "cpu_s", cpu, "cpu_pct",
                            100.0 * cpu / secs, "cpu_s_ticks", cpu_ticks, "cpu_source",
                            all_precise ? "schedstat" : "stat", "rss_kb", (json_int_t)rss, "pids",
                            pids, "netns", net);
    double tot = b->core_total_s - a->core_total_s;
    if (a->server_core >= 0 && a->server_core == b->server_core && tot > 0)
        /* the whole core: busy_pct well above cpu_pct means other processes shared it */
        json_object_set_new(out, "core", json_pack("{s:i, s:f}", "cpu", a->server_core, "busy_pct",
                                                   100.0 * (b->core_busy_s - a->core_busy_s) / tot));
    return out;
}

static json_t *generator_json(const kn_lg_opts *o, const kn_lg_sample *a, const kn_lg_sample *b,
                              double secs, double load) {
    return json_pack("{s:i, s:f, s:f, s:b, s:f, s:I, s:I, s:I, s:f, s:f}", "cpu", o->cpu, "cpu_s",
                     b->self_cpu - a->self_cpu, "cpu_pct", 100.0 * load, "saturated",
                     load >= KN_LG_SATURATED, "max_tick_gap_ms", ms(b->max_tick_gap_us),
                     "stalls_over_50ms", (json_int_t)kn_peer_stall.count,
                     "pkts_out", (json_int_t)(b->gen.pkts_out - a->gen.pkts_out), "pkts_in",
                     (json_int_t)(b->gen.pkts_in - a->gen.pkts_in), "pps_out",
                     (double)(b->gen.pkts_out - a->gen.pkts_out) / secs, "pps_in",
                     (double)(b->gen.pkts_in - a->gen.pkts_in) / secs);
}

int kn_lg_report(const kn_lg_opts *o, const kn_peer *peers, unsigned n, const kn_lg_sample *a,
                 const kn_lg_sample *b, FILE *out) {
    if (a->us == 0 || b->us <= a->us) {
        fprintf(stderr, "kn-loadgen: no measurement window completed\n");
        return 1;
    }
    double secs = (double)(b->us - a->us) / 1e6;
    double load = (b->self_cpu - a->self_cpu) / secs;
    json_t *gen = generator_json(o, a, b, secs, load);
    json_t *res;
    bool all_ok = true;
    int code = 0;
    bool stalled = kn_peer_stall.count >= KN_LG_MAX_STALLS || b->max_tick_gap_us >= KN_LG_MAX_GAP_US;
    if (load >= KN_LG_SATURATED || stalled) {
        res = json_pack("{s:s, s:s, s:s, s:o}", "error",
                        load >= KN_LG_SATURATED ? "generator saturated its core; run refused"
                                                : "generator loop stalled; run refused",
                        "scenario", o->scenario, "target", o->janus ? "janus" : "konsil",
                        "generator", gen);
        code = 3;
    } else {
        res = json_pack("{s:s, s:s, s:f, s:f, s:i, s:i, s:f, s:i, s:o, s:o, s:o, s:o}", "scenario",
                        o->scenario, "target", o->janus ? "janus" : "konsil", "window_s", secs,
                        "warmup_s", o->warmup,
                        "rooms", (int)o->rooms, "room_size", (int)o->room_size, "join_spread_s",
                        o->join_spread, "sub_layer", o->sub_layer, "publishers",
                        publishers_json(peers, n), "subscribers",
                        subscribers_json(o, peers, n, secs, &all_ok), "server",
                        server_json(o, a, b, secs), "generator", gen);
        json_object_set_new(res, "top_kbps", json_integer(o->top_kbps));
        json_object_set_new(res, "verify_sample", json_integer(o->verify_sample > 1 ? o->verify_sample : 1));
        json_object_set_new(res, "pace", json_real(o->pace));
        json_object_set_new(res, "tick_ms", json_integer(o->tick_ms));
        code = all_ok ? 0 : 1;
    }
    char *s = json_dumps(res, JSON_COMPACT);
    fprintf(out, "%s\n", s ? s : "{}");
    fflush(out);
    free(s);
    json_decref(res);
    return code;
}
