/*
 * main.c: konsil-sfu. Parses the command line, starts the worker (UDP + ICE-TCP
 * media port, DTLS context, packet pool) and the control API server on one
 * libuv loop, and on SIGINT/SIGTERM closes every handle and exits 0. SIGHUP
 * re-reads the --config file (conf/sfu_conf.h) and applies its log level and
 * format; nothing else changes and no peer is touched. A 1 s
 * timer samples the bandwidth estimates for the `metrics` method. With
 * --exit-with-parent the kernel sends that SIGTERM when the parent ends
 * (PR_SET_PDEATHSIG), so a child of konsil-signaling is never orphaned.
 */
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <uv.h>

#include "api/api.h"
#include "api/api_metrics.h"
#include "api/api_server.h"
#include "conf/sfu_conf.h"
#include "core/err.h"
#include "core/log.h"
#include "router/transport.h"
#include "router/worker.h"
#include "srtp/srtp_session.h"

typedef struct opts {
    int port;
    int consent_s; /* RFC 7675 consent timeout */
    long pool_packets;
    long max_pub_bps; /* REMB cap toward publishers, 0 = none */
    bool exit_with_parent;
    const char *announce_ip, *bind_ip, *control, *secret_file;
    const char *config; /* --config FILE; NULL: none */
    kn_log_level level; /* from flags, environment or default: used when the file has none */
    kn_log_format log_format;
} opts;

static kn_worker worker;
static kn_api_server api;
static opts cfg;
static uv_signal_t sigint, sigterm, sighup;
static uv_timer_t shutdown_deadline, metrics_tick;

#define SHUTDOWN_DEADLINE_MS 500 /* then any handle still open is logged and closed */

static void usage(FILE *f) {
    fprintf(f, "usage: konsil-sfu --port N --announce-ip IP --control unix:PATH|tcp:HOST:PORT\n"
               "                  [--control-secret-file F] [--bind-ip IP]\n"
               "                  [--consent-timeout SECONDS] [--pool-packets N]\n"
               "                  [--max-publisher-bitrate BPS]\n"
               "                  [--log-level error|warn|info|debug] [--log-format text|json]\n"
               "                  [--config FILE] [--exit-with-parent]\n"
               "                  [--help]\n"
               "  --bind-ip          media address (default: the announce IP when it is\n"
               "                     local, else 0.0.0.0)\n"
               "  --consent-timeout  close a peer with no valid STUN check for this long\n"
               "                     (RFC 7675 consent freshness; 1-300, default 30)\n"
               "  --config FILE      KEY=VALUE file; its KONSIL_LOG_LEVEL and KONSIL_LOG_FORMAT\n"
               "                     win over the flags and the environment, and SIGHUP\n"
               "                     reads them again (other KONSIL_* keys are ignored)\n"
               "  --exit-with-parent end (SIGTERM) when the process that started us ends\n"
               "  --max-publisher-bitrate  REMB cap sent to every publisher (bit/s,\n"
               "                     100000-100000000; default: only what subscribers need)\n"
               "  --log-format       text (default) or json: one {\"ts\",\"level\",\"module\",\"msg\"}\n"
               "                     object per line\n"
               "  (KONSIL_LOG_LEVEL and KONSIL_LOG_FORMAT in the environment are the defaults\n"
               "   of --log-level and --log-format)\n"
               "  --pool-packets     packet pool slots (1.6 KB each; one per received packet\n"
               "                     kept <= 1 s for retransmission; 256-1048576, default %u)\n",
            (unsigned)KN_POOL_SLOTS);
}

/* KONSIL_LOG_LEVEL / KONSIL_LOG_FORMAT (inherited from konsil-signaling or set
 * by a unit) are the defaults the flags override; empty means unset. */
static int env_log_defaults(opts *o) {
    const char *level = getenv("KONSIL_LOG_LEVEL"), *format = getenv("KONSIL_LOG_FORMAT");
    if (level != NULL && level[0] != '\0' && kn_log_level_parse(level, &o->level) != 0) {
        fprintf(stderr, "konsil-sfu: KONSIL_LOG_LEVEL: expected error, warn, info or debug\n");
        return -1;
    }
    if (format != NULL && format[0] != '\0' && kn_log_format_parse(format, &o->log_format) != 0) {
        fprintf(stderr, "konsil-sfu: KONSIL_LOG_FORMAT: expected text or json\n");
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, opts *o) {
    o->port = -1;
    o->consent_s = KN_CONSENT_MS / 1000;
    o->pool_packets = KN_POOL_SLOTS;
    o->bind_ip = NULL; /* default: see choose_bind_ip() */
    o->level = KN_LOG_INFO;
    if (env_log_defaults(o) != 0)
        return -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--exit-with-parent") == 0) {
            o->exit_with_parent = true;
            continue;
        }
        if (v == NULL)
            return -1;
        if (strcmp(a, "--port") == 0)
            o->port = atoi(v);
        else if (strcmp(a, "--announce-ip") == 0)
            o->announce_ip = v;
        else if (strcmp(a, "--bind-ip") == 0)
            o->bind_ip = v;
        else if (strcmp(a, "--control") == 0)
            o->control = v;
        else if (strcmp(a, "--consent-timeout") == 0)
            o->consent_s = atoi(v);
        else if (strcmp(a, "--pool-packets") == 0)
            o->pool_packets = atol(v);
        else if (strcmp(a, "--max-publisher-bitrate") == 0)
            o->max_pub_bps = atol(v);
        else if (strcmp(a, "--control-secret-file") == 0)
            o->secret_file = v;
        else if (strcmp(a, "--config") == 0)
            o->config = v;
        else if (strcmp(a, "--log-level") == 0) {
            if (kn_log_level_parse(v, &o->level) != 0)
                return -1;
        } else if (strcmp(a, "--log-format") == 0) {
            if (kn_log_format_parse(v, &o->log_format) != 0)
                return -1;
        } else
            return -1;
        i++;
    }
    if (o->port < 0 || o->port > 65535 || o->announce_ip == NULL || o->control == NULL ||
        o->consent_s < 1 || o->consent_s > 300 || o->pool_packets < 256 ||
        o->pool_packets > 1048576 ||
        (o->max_pub_bps != 0 && (o->max_pub_bps < 100000 || o->max_pub_bps > 100000000)))
        return -1;
    return 0;
}

/* True when ip is an address of this host (a UDP socket can bind to it). */
static bool is_local_address(const char *ip) {
    struct sockaddr_storage ss;
    if (uv_ip4_addr(ip, 0, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(ip, 0, (struct sockaddr_in6 *)&ss) != 0)
        return false;
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    socklen_t len =
        ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    bool ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    return ok;
}

/* Without --bind-ip the media port binds to the announced address when it is
 * local: a wildcard socket lets the kernel choose the reply's source address,
 * and a STUN response from another address than the request went to is dropped
 * by browsers (RFC 8445 §7.2.5.2.1), e.g. Chrome checking from 192.0.2.2 toward
 * 127.0.0.1. Behind NAT (announced address not local) it binds 0.0.0.0. */
static const char *choose_bind_ip(const opts *o) {
    if (o->bind_ip != NULL)
        return o->bind_ip;
    return is_local_address(o->announce_ip) ? o->announce_ip : "0.0.0.0";
}

/* The kernel sends SIGTERM when the parent ends (handled like any SIGTERM);
 * a parent that ended before prctl() is caught by the getppid() check. */
static int watch_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        return -1;
    if (getppid() != parent || parent == 1) {
        KN_LOG_ERROR("main", "--exit-with-parent: the parent has already ended");
        return -1;
    }
    return 0;
}

static int read_secret(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    return n > 0 ? 0 : -1;
}

static json_t *dispatch(void *arg, json_t *req) {
    return kn_api_dispatch(arg, req);
}

/* Last resort of the shutdown: a handle some module did not close would keep
 * uv_run going forever (PID 1 in a container then hangs until SIGKILL). */
static void close_left(uv_handle_t *h, void *arg) {
    (void)arg;
    if (uv_is_closing(h))
        return;
    KN_LOG_WARN("main", "shutdown: closing a %s handle left open", uv_handle_type_name(h->type));
    uv_close(h, NULL);
}

static void on_deadline(uv_timer_t *t) {
    uv_close((uv_handle_t *)t, NULL);
    uv_walk(t->loop, close_left, NULL);
}

static void on_metrics_tick(uv_timer_t *t) {
    (void)t;
    kn_api_metrics_sample(&worker);
}

static void log_reload(const opts *o, kn_log_level level, kn_log_format format) {
    KN_LOG_INFO("main", "reload: log level %s, format %s from %s", kn_log_level_name(level),
                format == KN_LOG_JSON ? "json" : "text", o->config);
}

/* The log settings of the --config file over those of flags / environment.
 * Returns 0, or the parser's error after telling why (stderr at start, the
 * log on reload: then nothing changes). */
static int apply_config(const opts *o, bool reload) {
    kn_sfuconf c;
    unsigned line;
    const char *why = "";
    if (o->config == NULL)
        return 0;
    int rc = kn_sfuconf_load(o->config, &c, &line, &why);
    if (rc != 0 && !reload)
        fprintf(stderr, "konsil-sfu: %s:%u: %s\n", o->config, line, why);
    if (rc != 0 && reload)
        KN_LOG_ERROR("main", "reload: %s:%u: %s; nothing changed", o->config, line, why);
    if (rc != 0)
        return rc;
    kn_log_level level = c.has_level ? c.level : o->level;
    kn_log_format format = c.has_format ? c.format : o->log_format;
    if (reload && level < KN_LOG_INFO) /* said while info lines still print */
        log_reload(o, level, format);
    kn_log_set_level(level);
    kn_log_set_format(format);
    if (reload && level >= KN_LOG_INFO)
        log_reload(o, level, format);
    return 0;
}

static void on_sighup(uv_signal_t *s, int signum) {
    (void)s;
    (void)signum;
    if (cfg.config == NULL) {
        KN_LOG_INFO("main", "SIGHUP: no --config file, nothing to reload");
        return;
    }
    apply_config(&cfg, true);
}

static void on_signal(uv_signal_t *s, int signum) {
    if (uv_is_closing((uv_handle_t *)&sigint))
        return; /* both signals came in one loop iteration */
    KN_LOG_INFO("main", "signal %d: shutting down", signum);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sighup, NULL);
    uv_close((uv_handle_t *)&metrics_tick, NULL);
    worker.api = NULL;
    kn_api_server_close(&api, NULL);
    kn_worker_close(&worker, NULL);
    /* Unreferenced: fires only if something else still keeps the loop alive. */
    uv_timer_init(s->loop, &shutdown_deadline);
    uv_timer_start(&shutdown_deadline, on_deadline, SHUTDOWN_DEADLINE_MS, 0);
    uv_unref((uv_handle_t *)&shutdown_deadline);
}

int main(int argc, char **argv) {
    opts o = {0};
    char secret[256] = "";
    uv_loop_t *loop = uv_default_loop();

    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    kn_log_set_level(o.level);
    kn_log_set_format(o.log_format);
    if (apply_config(&o, false) != 0)
        return 2;
    cfg = o;
    /* Handlers first: PID 1 in a container ignores a SIGTERM without one (a
     * signal during start-up is handled once the loop runs). */
    uv_signal_init(loop, &sigint);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_init(loop, &sighup); /* also keeps SIGHUP from ending the process */
    uv_signal_start(&sighup, on_sighup, SIGHUP);
    if (o.exit_with_parent && watch_parent() != 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    if (o.secret_file != NULL && read_secret(o.secret_file, secret, sizeof(secret)) != 0) {
        KN_LOG_ERROR("main", "cannot read the control secret from %s", o.secret_file);
        return 1;
    }
    if (kn_srtp_global_init() != 0) {
        KN_LOG_ERROR("main", "libsrtp2 init failed");
        return 1;
    }
    KN_LOG_INFO("main", "SRTP backend: %s", kn_srtp_backend());
    const char *explicit_bind = o.bind_ip;
    o.bind_ip = choose_bind_ip(&o);
    int rc = kn_worker_init(&worker, loop, o.bind_ip, (uint16_t)o.port, o.announce_ip,
                            (uint32_t)o.pool_packets);
    if (rc != 0) {
        KN_LOG_ERROR("main", "media port %d: %s", o.port, kn_strerror(rc));
        return 1;
    }
    worker.consent_ms = (uint64_t)o.consent_s * 1000;
    worker.max_pub_bps = (uint32_t)o.max_pub_bps;
    if (explicit_bind != NULL &&
        (strcmp(o.bind_ip, "0.0.0.0") == 0 || strcmp(o.bind_ip, "::") == 0) &&
        is_local_address(o.announce_ip))
        KN_LOG_WARN("main",
                    "media bound to %s: UDP replies leave with the kernel's source "
                    "address; if it is not %s, browsers drop them (use --bind-ip)",
                    o.bind_ip, o.announce_ip);
    if ((rc = kn_api_server_init(&api, loop, o.control, secret, dispatch, &worker)) != 0) {
        KN_LOG_ERROR("main", "control %s: %s", o.control, kn_strerror(rc));
        return 1;
    }
    worker.api = &api;
    uv_timer_init(loop, &metrics_tick);
    uv_timer_start(&metrics_tick, on_metrics_tick, 1000, 1000);
    KN_LOG_INFO("main", "konsil-sfu %s: media udp+tcp %s:%u (announce %s), control %s", KN_VERSION,
                o.bind_ip, (unsigned)worker.port, o.announce_ip, o.control);
    uv_run(loop, UV_RUN_DEFAULT);
    if (uv_is_active((uv_handle_t *)&shutdown_deadline)) { /* not needed: everything closed */
        uv_close((uv_handle_t *)&shutdown_deadline, NULL);
        uv_run(loop, UV_RUN_DEFAULT);
    }
    rc = uv_loop_close(loop);
    if (rc != 0)
        KN_LOG_WARN("main", "loop closed with handles left: %s", uv_strerror(rc));
    return 0;
}
