/*
 * main.c: kn-loadgen, the capacity benchmark's load generator. Sets up real
 * WebRTC peers against konsil-signaling over WHIP/WHEP, or against a Janus
 * 1.1.2 VideoRoom with --janus (REST API, janus_flow.h; --room is then the
 * numeric id of the first room): publishers first (blocking), then subscribers
 * from a helper thread while the media loop runs (joiner.h; --join-spread spaces
 * them over a time span: the join storm). Peers are a fan-out (--publishers,
 * --subscribers) or --rooms of --room-size participants who all publish and
 * watch each other (layout.h). Every peer runs on one libuv loop pinned to
 * --cpu; after all joined and a warm-up it measures --duration seconds: per subscriber packets, frames,
 * loss, freezes and latency; per server PID CPU seconds and RSS; the network
 * counters of the server's namespace; and its own CPU. Prints one JSON line.
 * Exit 0 on a valid run, 3 when the generator itself saturated its core (the
 * run is refused: no results printed), 1 on setup failure, 2 on usage errors.
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <uv.h>

#include "clip.h"
#include "core/err.h"
#include "core/log.h"
#include "core/proc_usage.h"
#include "http_client.h"
#include "janus_api.h"
#include "janus_flow.h"
#include "joiner.h"
#include "layout.h"
#include "peer.h"
#include "procstat.h"
#include "report.h"
#include "sdp_offer.h"

#define TICK_MS 5 /* default --tick-ms */
#define PUBLISHER_SETTLE_US 1000000

/* PH_PUBLISHERS: Janus only, the loop runs until the publishers are connected. */
typedef enum { PH_PUBLISHERS, PH_CONNECT, PH_WARMUP, PH_MEASURE, PH_DONE } phase;

typedef struct run {
    kn_lg_opts o;
    uv_loop_t *loop;
    uv_timer_t tick;
    kn_peer *peers;
    unsigned n_peers;
    phase ph;
    uint64_t phase_end_us, last_tick_us;
    kn_lg_sample start, end;
    kn_janus janus;
    kn_janus_flow jflow;
    kn_joiner joiner;
    kn_peer_cfg cfg;
    const char *fp;
    unsigned n_pub;
    bool pubs_up;
} run;

static void usage(void) {
    fprintf(stderr,
            "usage: kn-loadgen (--server URL --secret S | --janus URL) --room R\n"
            "                  [--publishers P] [--subscribers N] | [--rooms R --room-size M]\n"
            "                  [--join-spread SEC] [--sub-layer 0-2] [--scenario NAME] [--brief]\n"
            "                  [--warmup SEC] [--top-kbps K] [--verify-sample N] [--pace F]\n"
            "                  [--tick-ms 1-20]\n"
            "                  [--duration SEC] [--cpu C] [--server-pid PID]... [--layers 1-3]\n"
            "                  [--local-ip IP] [--connect-timeout SEC] [--srtp any|gcm|cm]\n");
}

/* --srtp: which DTLS-SRTP profiles the generator offers (RFC 5764 §4.1.2 names). */
static const char *srtp_profiles(const char *name) {
    if (strcmp(name, "any") == 0)
        return KN_DTLS_SRTP_PROFILES;
    if (strcmp(name, "gcm") == 0)
        return "SRTP_AEAD_AES_128_GCM";
    if (strcmp(name, "cm") == 0)
        return "SRTP_AES128_CM_SHA1_80";
    return NULL;
}

static int parse_args(int argc, char **argv, kn_lg_opts *o) {
    static const struct option lo[] = {
        {"server", 1, 0, 's'}, {"secret", 1, 0, 'k'}, {"room", 1, 0, 'r'},
        {"publishers", 1, 0, 'p'}, {"subscribers", 1, 0, 'n'}, {"duration", 1, 0, 'd'},
        {"cpu", 1, 0, 'c'}, {"server-pid", 1, 0, 'P'}, {"layers", 1, 0, 'l'},
        {"local-ip", 1, 0, 'i'}, {"connect-timeout", 1, 0, 't'}, {"srtp", 1, 0, 'S'},
        {"janus", 1, 0, 'J'}, {"rooms", 1, 0, 'R'}, {"room-size", 1, 0, 'M'},
        {"join-spread", 1, 0, 'j'}, {"sub-layer", 1, 0, 'L'}, {"scenario", 1, 0, 'N'},
        {"brief", 0, 0, 'B'}, {"warmup", 1, 0, 'W'}, {"top-kbps", 1, 0, 'K'},
        {"verify-sample", 1, 0, 'V'}, {"pace", 1, 0, 'A'}, {"tick-ms", 1, 0, 'T'},
        {0, 0, 0, 0}};
    int ch;
    *o = (kn_lg_opts){.publishers = 1, .duration = 20, .cpu = -1, .layers = 3,
                      .local_ip = "127.0.0.1", .connect_timeout = 15, .srtp = "any",
                      .sub_layer = -1, .scenario = "fanout", .warmup = 2,
                      .tick_ms = TICK_MS};
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 's': o->server = optarg; break;
        case 'k': o->secret = optarg; break;
        case 'r': o->room = optarg; break;
        case 'p': o->publishers = (unsigned)atoi(optarg); break;
        case 'n': o->subscribers = (unsigned)atoi(optarg); break;
        case 'd': o->duration = atof(optarg); break;
        case 'c': o->cpu = atoi(optarg); break;
        case 'l': o->layers = (unsigned)atoi(optarg); break;
        case 'i': o->local_ip = optarg; break;
        case 't': o->connect_timeout = atof(optarg); break;
        case 'S': o->srtp = optarg; break;
        case 'J': o->janus = optarg; break;
        case 'R': o->rooms = (unsigned)atoi(optarg); break;
        case 'M': o->room_size = (unsigned)atoi(optarg); break;
        case 'j': o->join_spread = atof(optarg); break;
        case 'L': o->sub_layer = atoi(optarg); break;
        case 'N': o->scenario = optarg; break;
        case 'B': o->brief = true; break;
        case 'W': o->warmup = atof(optarg); break;
        case 'K': o->top_kbps = (unsigned)atoi(optarg); break;
        case 'V': o->verify_sample = (unsigned)atoi(optarg); break;
        case 'A': o->pace = atof(optarg); break;
        case 'T': o->tick_ms = (unsigned)atoi(optarg); break;
        case 'P':
            if (o->n_server_pids == KN_LG_MAX_PIDS)
                return -1;
            o->server_pids[o->n_server_pids++] = atoi(optarg);
            break;
        default: return -1;
        }
    }
    if (srtp_profiles(o->srtp) == NULL)
        return -1;
    if (o->janus && (o->server || strtoull(o->room ? o->room : "", NULL, 10) == 0))
        return -1; /* Janus rooms are numbers */
    if (!o->janus && (!o->server || !o->secret))
        return -1;
    kn_lg_layout l = {.rooms = o->rooms, .room_size = o->room_size, .publishers = o->publishers,
                      .subscribers = o->subscribers};
    if (!o->room || kn_lg_layout_check(&l) != 0 || o->layers < 1 || o->layers > 3 ||
        o->duration <= 0 || o->warmup < 0 || o->join_spread < 0 || o->sub_layer >= (int)o->layers ||
        o->top_kbps > 100000 || o->verify_sample > 1000000 || o->pace < 0 || o->pace > 100 ||
        o->tick_ms < 1 || o->tick_ms > 20)
        return -1;
    return 0;
}

static int pin_cpu(int cpu) {
    cpu_set_t set;
    if (cpu < 0)
        return 0;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : KN_EIO;
}

/* The room a peer is in: --room itself, or "<room>-<index>" with --rooms. */
static void room_name(const run *r, const kn_peer *p, char *out, size_t cap) {
    if (r->o.rooms)
        snprintf(out, cap, "%s-%u", r->o.room, p->room_idx);
    else
        snprintf(out, cap, "%s", r->o.room);
}

/* WHIP or WHEP exchange of one peer: offer, POST, answer into *ans. */
static int signal_peer(run *r, kn_peer *p, const char *url, kn_answer *ans) {
    static char offer[8192];
    char token[1024], room[300];
    kn_http_resp resp;
    kn_offer_params op = {.publish = p->publisher, .ufrag = p->ufrag, .pwd = p->pwd,
                          .fingerprint = r->fp, .ip = r->o.local_ip,
                          .port = ntohs(p->local.sin_port), .n_layers = r->o.layers,
                          .audio_ssrc = p->publisher ? p->tx[0].ssrc : 0};
    room_name(r, p, room, sizeof(room));
    int rc = kn_offer_write(&op, offer, sizeof(offer));
    if (rc == 0)
        rc = kn_http_mint_token(r->o.secret, room, p->publisher ? "publish" : "subscribe",
                                (int64_t)time(NULL) + 3600, token, sizeof(token));
    if (rc == 0)
        rc = kn_http_request("POST", url, token, "application/sdp", offer, &resp);
    if (rc != 0) {
        kn_log(KN_LOG_ERROR, "loadgen", "peer %u: POST %s: %s", p->idx, url, kn_strerror(rc));
        return rc;
    }
    if (resp.status != 201 || kn_answer_parse(resp.body, ans) != 0) {
        kn_log(KN_LOG_ERROR, "loadgen", "peer %u: POST %s: status %d: %.200s", p->idx, url,
               resp.status, resp.body);
        kn_http_resp_free(&resp);
        return KN_EPROTO;
    }
    if (resp.location[0])
        kn_http_resolve(url, resp.location, p->session_url, sizeof(p->session_url));
    kn_http_resp_free(&resp);
    return 0;
}

static int init_peers(run *r) {
    kn_lg_layout l = {.rooms = r->o.rooms, .room_size = r->o.room_size,
                      .publishers = r->o.publishers, .subscribers = r->o.subscribers};
    r->n_peers = kn_lg_layout_total(&l);
    r->n_pub = kn_lg_layout_publishers(&l);
    if ((r->peers = calloc(r->n_peers, sizeof(*r->peers))) == NULL)
        return KN_ENOMEM;
    for (unsigned i = 0; i < r->n_peers; i++) {
        kn_lg_slot s;
        int rc = kn_lg_layout_slot(&l, i, &s);
        if (rc == 0)
            rc = kn_peer_init(&r->peers[i], &r->cfg, i, s.publisher);
        if (rc != 0)
            return rc;
        r->peers[i].room_idx = s.room;
        r->peers[i].pub = s.publisher ? NULL : &r->peers[s.pub];
    }
    return 0;
}

/* Konsil publishers: WHIP, before the loop runs. */
static int setup_whip(run *r) {
    char url[1024], room[300];
    for (unsigned i = 0; i < r->n_pub; i++) {
        kn_peer *p = &r->peers[i];
        kn_answer ans;
        room_name(r, p, room, sizeof(room));
        snprintf(url, sizeof(url), "%s/whip/%s", r->o.server, room);
        int rc = signal_peer(r, p, url, &ans);
        if (rc == 0)
            rc = kn_peer_on_answer(p, &r->cfg, &ans);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* A kn_join_fn: a Konsil subscriber's WHEP request to its publisher's session id
 * (?max_spatial=L with --sub-layer, see docs/whip-whep.md). Joiner thread. */
static int whep_join(void *ctx, kn_peer *p, kn_answer *ans) {
    run *r = ctx;
    char url[1024], room[300], q[32] = "";
    const char *id = strrchr(p->pub->session_url, '/');
    room_name(r, p, room, sizeof(room));
    if (r->o.sub_layer >= 0)
        snprintf(q, sizeof(q), "?max_spatial=%d", r->o.sub_layer);
    snprintf(url, sizeof(url), "%s/whep/%s%s%s", r->o.server, room, id ? id : "", q);
    return signal_peer(r, p, url, ans);
}

static bool all_connected(run *r, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        if (!r->peers[i].media_ok && !r->peers[i].failed)
            return false;
    return true;
}

/* Janus publishers; the loop runs until they are connected (subscribers follow
 * through the joiner: Janus lets them join a feed only once it is up). */
static int setup_janus(run *r) {
    int rc = kn_janus_open(&r->janus, r->o.janus);
    r->jflow.substream = r->o.sub_layer < 0 ? 0 : (int)r->o.layers - 1 - r->o.sub_layer;
    if (rc == 0)
        rc = kn_janus_flow_publish(&r->jflow, &r->janus, strtoull(r->o.room, NULL, 10),
                                   r->o.rooms ? r->o.rooms : 1, r->peers, r->n_pub, &r->cfg, r->fp);
    if (rc == 0)
        rc = kn_janus_keepalive_start(&r->janus);
    if (rc != 0)
        return rc;
    r->ph = PH_PUBLISHERS;
    r->phase_end_us = kn_peer_now_us() + (uint64_t)(r->o.connect_timeout * 1e6);
    uv_run(r->loop, UV_RUN_DEFAULT);
    for (unsigned i = 0; i < r->n_pub; i++)
        if (!r->peers[i].media_ok)
            return KN_ESTATE;
    return 0;
}

static void sample(run *r, kn_lg_sample *s, uint64_t now) {
    s->us = now;
    kn_proc_usage own;
    kn_proc_usage_read(&own);
    s->self_cpu = own.cpu_seconds;
    for (unsigned i = 0; i < r->o.n_server_pids; i++)
        kn_procstat_read(r->o.server_pids[i], &s->server[i]);
    if (r->o.n_server_pids)
        kn_procstat_netdev(r->o.server_pids[0], &s->net);
    s->server_core = r->o.n_server_pids ? kn_procstat_pinned_cpu(r->o.server_pids[0]) : -1;
    if (s->server_core < 0 || kn_procstat_cpu_times(s->server_core, &s->core_busy_s, &s->core_total_s) != 0)
        s->server_core = -1;
    memset(&s->gen, 0, sizeof(s->gen));
    for (unsigned i = 0; i < r->n_peers; i++) {
        s->gen.pkts_out += r->peers[i].c.pkts_out;
        s->gen.bytes_out += r->peers[i].c.bytes_out;
        s->gen.pkts_in += r->peers[i].c.pkts_in;
        s->gen.bytes_in += r->peers[i].c.bytes_in;
    }
}


static void on_tick(uv_timer_t *t) {
    run *r = t->data;
    uint64_t now = kn_peer_now_us();
    uint64_t gap = r->last_tick_us ? now - r->last_tick_us : 0;
    if (gap > KN_PEER_STALL_US) {
        kn_peer_stall.count += r->ph == PH_MEASURE;
        kn_peer_stall.last_from_us = r->last_tick_us;
        kn_peer_stall.last_to_us = now;
    }
    if (r->ph == PH_MEASURE && gap > r->end.max_tick_gap_us)
        r->end.max_tick_gap_us = gap;
    r->last_tick_us = now;
    for (unsigned i = 0; i < r->n_peers; i++)
        kn_peer_tick(&r->peers[i], now);
    if (r->ph == PH_PUBLISHERS && !r->pubs_up && all_connected(r, r->n_pub)) {
        r->pubs_up = true; /* let Janus see media before subscribers join the feeds */
        r->phase_end_us = now + PUBLISHER_SETTLE_US;
    } else if (r->ph == PH_PUBLISHERS && now >= r->phase_end_us) {
        uv_stop(r->loop); /* main() starts the joiner and runs the loop again */
    } else if (r->ph == PH_CONNECT && !kn_joiner_done(&r->joiner)) {
        r->phase_end_us = now + (uint64_t)(r->o.connect_timeout * 1e6); /* from the last join */
    } else if (r->ph == PH_CONNECT && (all_connected(r, r->n_peers) || now >= r->phase_end_us)) {
        r->ph = PH_WARMUP;
        r->phase_end_us = now + (uint64_t)(r->o.warmup * 1e6);
    } else if (r->ph == PH_WARMUP && now >= r->phase_end_us) {
        r->ph = PH_MEASURE;
        r->phase_end_us = now + (uint64_t)(r->o.duration * 1e6);
        for (unsigned i = 0; i < r->n_peers; i++)
            kn_peer_window_start(&r->peers[i]);
        sample(r, &r->start, now);
    } else if (r->ph == PH_MEASURE && now >= r->phase_end_us) {
        uint64_t gap = r->end.max_tick_gap_us;
        for (unsigned i = 0; i < r->n_peers; i++)
            kn_peer_window_end(&r->peers[i], now);
        sample(r, &r->end, now);
        r->end.max_tick_gap_us = gap;
        r->ph = PH_DONE;
        uv_stop(r->loop);
    }
}

static void teardown(run *r) {
    kn_joiner_stop(&r->joiner);
    for (unsigned i = 0; i < r->n_peers; i++) {
        kn_http_resp resp;
        if (r->peers[i].session_url[0] &&
            kn_http_request("DELETE", r->peers[i].session_url, NULL, NULL, NULL, &resp) == 0)
            kn_http_resp_free(&resp);
        kn_peer_close(&r->peers[i]);
    }
    if (r->tick.loop)
        uv_close((uv_handle_t *)&r->tick, NULL);
    uv_run(r->loop, UV_RUN_DEFAULT); /* finish the closes */
    free(r->peers);
}

int main(int argc, char **argv) {
    static run r;
    kn_clip clip;
    kn_dtls_ctx *dctx = NULL;
    int code = 1;

    if (parse_args(argc, argv, &r.o) != 0) {
        usage();
        return 2;
    }
    if (pin_cpu(r.o.cpu) != 0) {
        fprintf(stderr, "kn-loadgen: cannot pin to CPU %d\n", r.o.cpu);
        return 2;
    }
    if (kn_srtp_global_init() != 0 || kn_clip_build_top(&clip, r.o.layers, r.o.top_kbps) != 0 ||
        kn_dtls_ctx_create(&dctx) != 0)
        return 1;
    if (SSL_CTX_set_tlsext_use_srtp(kn_dtls_ctx_ssl_ctx(dctx), srtp_profiles(r.o.srtp)) != 0)
        return 1;
    r.loop = uv_default_loop();
    r.cfg = (kn_peer_cfg){.loop = r.loop, .dtls_ctx = dctx, .clip = &clip, .n_layers = r.o.layers,
                          .verify_sample = r.o.verify_sample, .pace = r.o.pace,
                          .local_ip = r.o.local_ip};
    r.fp = kn_dtls_ctx_fingerprint(dctx);
    int rc = init_peers(&r);
    uv_timer_init(r.loop, &r.tick);
    r.tick.data = &r;
    uv_timer_start(&r.tick, on_tick, r.o.tick_ms, r.o.tick_ms);
    if (rc == 0)
        rc = r.o.janus ? setup_janus(&r) : setup_whip(&r);
    if (rc == 0)
        rc = kn_joiner_start(&r.joiner, r.loop, &r.cfg, r.peers, r.n_pub, r.n_peers,
                             r.o.join_spread, r.o.janus ? kn_janus_flow_subscribe : whep_join,
                             r.o.janus ? (void *)&r.jflow : (void *)&r);
    if (rc == 0) {
        r.ph = PH_CONNECT;
        r.phase_end_us = kn_peer_now_us() + (uint64_t)(r.o.connect_timeout * 1e6);
        uv_run(r.loop, UV_RUN_DEFAULT);
        code = kn_lg_report(&r.o, r.peers, r.n_peers, &r.start, &r.end, stdout);
    }
    teardown(&r);
    if (r.o.janus)
        kn_janus_close(&r.janus);
    kn_janus_flow_free(&r.jflow);
    kn_dtls_ctx_destroy(dctx);
    kn_clip_free(&clip);
    return code;
}
