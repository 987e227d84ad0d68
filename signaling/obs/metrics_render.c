/*
 * metrics_render.c: the families of GET /metrics (metrics_render.h). SFU
 * counters come from a table (metric name, type, help, path in the SFU's
 * `metrics` result), so adding one is one line here and one in the SFU.
 */
#include "obs/metrics_render.h"

#include <stdio.h>
#include <string.h>

#include "core/proc_usage.h"
#include "ctl/sfu_pool.h"
#include "obs/counters.h"
#include "room/hub.h"
#include "whip/whip.h"

typedef struct sfu_metric {
    const char *name, *type, *help;
    const char *path; /* "rx.packets": object keys joined by '.' */
} sfu_metric;

/* One entry per metric (two lines when long) reads better than aligned columns. */
/* clang-format off */
static const sfu_metric sfu_metrics[] = {
    {"konsil_sfu_rooms", "gauge", "Rooms on this SFU process.", "rooms"},
    {"konsil_sfu_peers", "gauge", "WebRTC peers (transports) on this SFU process.", "peers"},
    {"konsil_sfu_cpu_seconds_total", "counter", "User and system CPU time of the SFU process.",
     "process.cpu_seconds"},
    {"konsil_sfu_resident_memory_bytes", "gauge", "Resident memory of the SFU process.",
     "process.resident_bytes"},
    {"konsil_sfu_received_packets_total", "counter",
     "Datagrams received on peers' media paths (STUN, DTLS, RTP, RTCP).", "rx.packets"},
    {"konsil_sfu_received_bytes_total", "counter", "Bytes received on peers' media paths.",
     "rx.bytes"},
    {"konsil_sfu_received_rtp_packets_total", "counter", "RTP packets received from publishers.",
     "rx.rtp_packets"},
    {"konsil_sfu_lost_packets_total", "counter",
     "Packets lost from publishers (RFC 3550 cumulative loss).", "rx.lost"},
    {"konsil_sfu_forwarded_packets_total", "counter",
     "RTP packets sent to subscribers (forwarded media, RTX and probe padding).",
     "tx.rtp_packets"},
    {"konsil_sfu_sent_packets_total", "counter",
     "Datagrams sent on peers' media paths (RTP, RTCP, DTLS, STUN).", "tx.packets"},
    {"konsil_sfu_sent_bytes_total", "counter", "Bytes sent on peers' media paths.", "tx.bytes"},
    {"konsil_sfu_padding_sent_total", "counter", "Probe padding packets sent.",
     "tx.padding_sent"},
    {"konsil_sfu_nacks_received_total", "counter", "Generic NACKs received from subscribers.",
     "rtcp.nacks_received"},
    {"konsil_sfu_nacks_sent_total", "counter", "Generic NACKs sent to publishers.",
     "rtcp.nacks_sent"},
    {"konsil_sfu_rtx_sent_total", "counter", "Retransmissions sent to subscribers.",
     "rtcp.rtx_sent"},
    {"konsil_sfu_rtx_received_total", "counter", "RTX packets received from publishers.",
     "rtcp.rtx_received"},
    {"konsil_sfu_plis_received_total", "counter", "PLIs received from subscribers.",
     "rtcp.plis_received"},
    {"konsil_sfu_plis_sent_total", "counter", "PLIs sent to publishers.", "rtcp.plis_sent"},
    {"konsil_sfu_firs_received_total", "counter", "FIRs received from subscribers.",
     "rtcp.firs_received"},
    {"konsil_sfu_firs_sent_total", "counter", "FIRs sent to publishers.", "rtcp.firs_sent"},
    {"konsil_sfu_layer_switches_total", "counter", "Spatial layer switches of all consumers.",
     "layer_switches"},
    {"konsil_sfu_dtls_failures_total", "counter",
     "Peers closed by a DTLS handshake failure or fatal alert.", "peers_closed.dtls"},
    {"konsil_sfu_pool_slots_in_use", "gauge", "Packet pool slots in use.", "pool.in_use"},
    {"konsil_sfu_pool_empty_total", "counter", "Packets not kept because the pool was empty.",
     "pool.empty"},
};
/* clang-format on */

static const char *const drop_reasons[] = {
    "stun_early",       "stun_auth",      "srtp_auth",    "malformed",
    "unknown_ssrc",     "pool_empty",     "send",         "stun_unknown_ufrag",
    "stun_auth_failed", "stun_malformed", "unknown_addr", "unknown_kind",
};

static const char *const close_reasons[] = {"consent", "dtls", "tcp", "destroyed", "request"};

static json_t *at_path(json_t *o, const char *path) {
    char key[64];
    while (o != NULL && *path != '\0') {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

static void sfu_label(unsigned i, char *buf, size_t cap) {
    snprintf(buf, cap, "%u", i);
}

static void render_sfu_table(const kn_ops *o, json_t *const *res, kn_prom *p) {
    char idx[16];
    for (size_t m = 0; m < sizeof(sfu_metrics) / sizeof(sfu_metrics[0]); m++) {
        kn_prom_family(p, sfu_metrics[m].name, sfu_metrics[m].type, sfu_metrics[m].help);
        for (unsigned i = 0; i < o->n_sfus; i++) {
            json_t *v = res[i] ? at_path(res[i], sfu_metrics[m].path) : NULL;
            if (o->sfus[i] == NULL || !json_is_number(v))
                continue;
            sfu_label(i, idx, sizeof(idx));
            const char *l[] = {"sfu", idx, NULL};
            kn_prom_sample(p, sfu_metrics[m].name, l, json_number_value(v));
        }
    }
}

/* One family with a `reason` label per key of res[i].<object>. */
static void render_by_reason(const kn_ops *o, json_t *const *res, kn_prom *p, const char *name,
                             const char *help, const char *object, const char *const *reasons,
                             size_t n_reasons) {
    char idx[16];
    kn_prom_family(p, name, "counter", help);
    for (unsigned i = 0; i < o->n_sfus; i++) {
        json_t *obj = res[i] ? json_object_get(res[i], object) : NULL;
        if (o->sfus[i] == NULL || obj == NULL)
            continue;
        sfu_label(i, idx, sizeof(idx));
        for (size_t k = 0; k < n_reasons; k++) {
            json_t *v = json_object_get(obj, reasons[k]);
            const char *l[] = {"sfu", idx, "reason", reasons[k], NULL};
            if (json_is_number(v))
                kn_prom_sample(p, name, l, json_number_value(v));
        }
    }
}

static void render_bwe(const kn_ops *o, json_t *const *res, kn_prom *p) {
    char idx[16];
    kn_prom_family(p, "konsil_sfu_bwe_estimate_bps", "histogram",
                   "Per-subscriber send-side bandwidth estimates, one sample per subscriber "
                   "and second.");
    for (unsigned i = 0; i < o->n_sfus; i++) {
        json_t *h = res[i] ? json_object_get(res[i], "bwe_estimate") : NULL;
        json_t *jb = json_object_get(h, "bounds_bps"), *jc = json_object_get(h, "counts");
        double bounds[16];
        uint64_t counts[17];
        size_t nb = json_array_size(jb);
        if (o->sfus[i] == NULL || nb == 0 || nb > 16 || json_array_size(jc) != nb + 1)
            continue;
        for (size_t k = 0; k <= nb; k++) {
            if (k < nb)
                bounds[k] = json_number_value(json_array_get(jb, k));
            counts[k] = (uint64_t)json_integer_value(json_array_get(jc, k));
        }
        sfu_label(i, idx, sizeof(idx));
        const char *l[] = {"sfu", idx, NULL};
        kn_prom_histogram(p, "konsil_sfu_bwe_estimate_bps", l, bounds, counts, (unsigned)nb,
                          json_number_value(json_object_get(h, "sum_bps")));
    }
}

static void render_sfu_up(const kn_ops *o, json_t *const *res, kn_prom *p) {
    char idx[16];
    kn_prom_family(p, "konsil_sfu_up", "gauge",
                   "1 when the SFU process answered this scrape over its control link.");
    for (unsigned i = 0; i < o->n_sfus; i++) {
        if (o->sfus[i] == NULL)
            continue;
        sfu_label(i, idx, sizeof(idx));
        const char *l[] = {"sfu", idx, NULL};
        kn_prom_sample(p, "konsil_sfu_up", l, res[i] != NULL ? 1 : 0);
    }
}

/* The pool as signaling sees it: placement load per member, and for own
 * children the PID and restart count (a remote SFU has neither). */
static void render_pool(const kn_ops *o, kn_prom *p) {
    char idx[16], pid[16];
    unsigned n = o->pool != NULL ? kn_sfupool_size(o->pool) : 0;
    if (n > o->n_sfus)
        n = o->n_sfus;
    kn_prom_family(p, "konsil_sfu_placement_rooms", "gauge",
                   "Rooms signaling placed on the SFU process (placement load).");
    kn_prom_family(p, "konsil_sfu_placement_participants", "gauge",
                   "Room participants signaling placed on the SFU process (placement load).");
    for (unsigned i = 0; i < n; i++) {
        kn_sfupool_load l = kn_sfupool_load_of(o->pool, i);
        sfu_label(i, idx, sizeof(idx));
        const char *lab[] = {"sfu", idx, NULL};
        kn_prom_sample(p, "konsil_sfu_placement_rooms", lab, l.rooms);
        kn_prom_sample(p, "konsil_sfu_placement_participants", lab, l.parts);
    }
    if (n == 0 || !kn_sfupool_own(o->pool))
        return;
    kn_prom_family(p, "konsil_sfu_process_info", "gauge",
                   "1 per running konsil-sfu child, labelled with its PID.");
    for (unsigned i = 0; i < n; i++) {
        int child = kn_sfupool_pid(o->pool, i);
        if (child <= 0)
            continue;
        sfu_label(i, idx, sizeof(idx));
        snprintf(pid, sizeof(pid), "%d", child);
        const char *lab[] = {"sfu", idx, "pid", pid, NULL};
        kn_prom_sample(p, "konsil_sfu_process_info", lab, 1);
    }
    kn_prom_family(p, "konsil_sfu_restarts_total", "counter",
                   "Restarts of the konsil-sfu child (after a crash or a lost control link).");
    for (unsigned i = 0; i < n; i++) {
        sfu_label(i, idx, sizeof(idx));
        const char *lab[] = {"sfu", idx, NULL};
        kn_prom_sample(p, "konsil_sfu_restarts_total", lab, kn_sfupool_restarts(o->pool, i));
    }
}

static void gauge(kn_prom *p, const char *name, const char *help, double v) {
    kn_prom_family(p, name, "gauge", help);
    kn_prom_sample(p, name, NULL, v);
}

static void counter(kn_prom *p, const char *name, const char *help, double v) {
    kn_prom_family(p, name, "counter", help);
    kn_prom_sample(p, name, NULL, v);
}

static void render_rooms(const kn_ops *o, kn_prom *p) {
    unsigned rooms = 0, p2p = 0, sfu = 0, conns = 0;
    if (o->hub != NULL) {
        rooms = o->hub->n_rooms;
        for (const kn_room *r = o->hub->rooms; r != NULL; r = r->next)
            *(r->mode == KN_MODE_SFU ? &sfu : &p2p) += r->n;
        for (const kn_wsconn *c = o->hub->conns; c != NULL; c = c->next)
            conns++;
    }
    gauge(p, "konsil_rooms", "Rooms with at least one participant.", rooms);
    kn_prom_family(p, "konsil_participants", "gauge",
                   "Room participants (including those holding a place to resume) by room mode.");
    const char *lp[] = {"mode", "p2p", NULL}, *ls[] = {"mode", "sfu", NULL};
    kn_prom_sample(p, "konsil_participants", lp, p2p);
    kn_prom_sample(p, "konsil_participants", ls, sfu);
    gauge(p, "konsil_ws_connections", "Open room-signaling WebSocket connections.", conns);
    gauge(p, "konsil_whip_sessions", "WHIP and WHEP sessions.",
          o->whip != NULL ? o->whip->reg.n_sessions : 0);
}

static void render_counters(kn_prom *p) {
    static const char *const classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    kn_prom_family(p, "konsil_http_requests_total", "counter",
                   "HTTP responses sent, by status class.");
    for (unsigned c = 1; c <= 5; c++) {
        const char *l[] = {"class", classes[c - 1], NULL};
        kn_prom_sample(p, "konsil_http_requests_total", l, (double)kn_obs_http_get(c));
    }
    counter(p, "konsil_ws_connections_opened_total", "Room-signaling WebSocket connections opened.",
            (double)kn_obs_get(KN_OBS_WS_OPENED));
    counter(p, "konsil_joins_total", "Room joins.", (double)kn_obs_get(KN_OBS_JOINS));
    counter(p, "konsil_resumes_total", "Room resumes after a dropped connection.",
            (double)kn_obs_get(KN_OBS_RESUMES));
    counter(p, "konsil_joins_refused_draining_total", "Joins of a new room refused while draining.",
            (double)kn_obs_get(KN_OBS_JOINS_DRAINING));
    kn_prom_family(p, "konsil_access_code_failures_total", "counter",
                   "Failed patient access-code checks, by reason.");
    const char *lw[] = {"reason", "wrong_code", NULL}, *ll[] = {"reason", "locked", NULL},
               *le[] = {"reason", "expired", NULL};
    kn_prom_sample(p, "konsil_access_code_failures_total", lw,
                   (double)kn_obs_get(KN_OBS_CODE_WRONG));
    kn_prom_sample(p, "konsil_access_code_failures_total", ll,
                   (double)kn_obs_get(KN_OBS_CODE_LOCKED));
    kn_prom_sample(p, "konsil_access_code_failures_total", le,
                   (double)kn_obs_get(KN_OBS_CODE_EXPIRED));
}

static void render_process(const kn_ops *o, kn_prom *p) {
    kn_proc_usage u;
    kn_proc_usage_read(&u);
    counter(p, "process_cpu_seconds_total", "User and system CPU time of konsil-signaling.",
            u.cpu_seconds);
    gauge(p, "process_resident_memory_bytes", "Resident memory of konsil-signaling.",
          (double)u.resident_bytes);
    gauge(p, "process_start_time_seconds", "Start time of konsil-signaling (Unix seconds).",
          (double)o->start_time_s);
}

void kn_metrics_render(const kn_ops *o, json_t *const *results, kn_prom *p) {
    const char *reason;
    kn_prom_family(p, "konsil_build_info", "gauge", "Version of konsil-signaling (always 1).");
    const char *lv[] = {"version", KN_VERSION, NULL};
    kn_prom_sample(p, "konsil_build_info", lv, 1);
    gauge(p, "konsil_ready", "1 when new rooms are accepted (as /readyz).",
          kn_ops_ready(o, &reason) ? 1 : 0);
    gauge(p, "konsil_draining", "1 after SIGTERM while running consultations finish.",
          o->draining ? 1 : 0);
    render_rooms(o, p);
    render_counters(p);
    render_process(o, p);
    render_sfu_up(o, results, p);
    render_pool(o, p);
    render_sfu_table(o, results, p);
    render_by_reason(o, results, p, "konsil_sfu_dropped_packets_total",
                     "Packets the SFU dropped, by reason.", "dropped", drop_reasons,
                     sizeof(drop_reasons) / sizeof(drop_reasons[0]));
    render_by_reason(o, results, p, "konsil_sfu_peers_closed_total",
                     "Peers closed, by peer.closed reason.", "peers_closed", close_reasons,
                     sizeof(close_reasons) / sizeof(close_reasons[0]));
    render_bwe(o, results, p);
}
