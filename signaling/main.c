/*
 * main.c: konsil-signaling command line. `konsil-signaling [--config FILE]`
 * serves WHIP/WHEP, the demo page and /healthz over HTTPS on one libuv loop
 * (libwebsockets as a foreign-loop user), starting and supervising its own
 * konsil-sfu unless KONSIL_SFU names one. `token` and `demo-url` print access
 * tokens signed with the same secret. `host-create` makes the first practice
 * host in STATE/konsil.db; the server opens that store, purges it after the
 * retention period and serves the consultation workflow (practice/).
 * Lifecycle (docs/operations.md): SIGTERM drains (obs/drain.h) and exits 0,
 * a second SIGTERM or SIGINT exits at once; SIGHUP reloads the TLS
 * certificate, the log level (forwarded to every SFU) and the metrics token.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "auth/jwt.h"
#include "conf/config.h"
#include "conf/selfsigned.h"
#include "core/err.h"
#include "core/log.h"
#include "ctl/sfu_child.h"
#include "ctl/sfu_client.h"
#include "ctl/sfu_pool.h"
#include "account/host.h"
#include "http/httpd.h"
#include "obs/drain.h"
#include "obs/ops_http.h"
#include "practice/practice.h"
#include "room/hub.h"
#include "store/db.h"
#include "store/retention.h"
#include "whip/whip.h"

typedef struct server {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm, sighup;
    const char *config_path; /* --config FILE, reread on SIGHUP; NULL: none */
    kn_ops ops;              /* /healthz, /readyz, /metrics */
    kn_drain drain;
    kn_sigcfg cfg;
    kn_whip whip;
    kn_hub hub;
    bool hub_up;
    kn_httpd *httpd;
    kn_sfuctl *ctl;    /* pool member 0: WHIP/WHEP sessions */
    kn_sfupool *pool;  /* konsil-sfu processes (ctl/sfu_pool.h) */
    kn_httpd *closing_httpd;
    bool stopping;
    /* issue 7 workflow: store, retention, /api and pages */
    kn_db db;
    uint8_t code_key[KN_ACCESS_CODE_KEY_LEN];
    int retention_days;
    kn_retention retention;
    bool retention_up;
    kn_practice practice;
    bool practice_up;
} server;

static void usage(FILE *f) {
    fprintf(f,
            "usage: konsil-signaling [--config FILE]            serve rooms, WHIP/WHEP over HTTPS\n"
            "       konsil-signaling token --room R --role host|guest|listener [--ttl SECONDS]\n"
            "                              [--config FILE]     print a room link\n"
            "                                                   https://HOST/room/R#token=JWT\n"
            "                                                   (HOST: KONSIL_PUBLIC_URL, else\n"
            "                                                   KONSIL_LISTEN)\n"
            "       konsil-signaling token --room R --role publish|subscribe [--ttl SECONDS]\n"
            "                              [--config FILE]     print a WHIP/WHEP token\n"
            "       konsil-signaling demo-url [--room R] [--ttl SECONDS] [--config FILE]\n"
            "                                                   print a demo page URL with tokens\n"
            "       konsil-signaling host-create --practice NAME --email E\n"
            "                              --role doctor|therapist|assistant [--config FILE]\n"
            "                                                   create the first host account in\n"
            "                                                   STATE/konsil.db (password on stdin)\n"
            "       konsil-signaling --help | --version\n"
            "Serving flags (override the settings below): --log-level error|warn|info|debug,\n"
            "--log-format text|json. Signals: SIGTERM drains (no new rooms; exits 0 when the\n"
            "running ones end or after KONSIL_DRAIN_TIMEOUT), a second SIGTERM or SIGINT exits\n"
            "at once; SIGHUP reloads the TLS certificate, KONSIL_LOG_LEVEL and\n"
            "KONSIL_METRICS_TOKEN from the --config file.\n\n");
    kn_sigcfg_print_help(f);
}

/* ---- token / demo-url ---- */

static int make_token(const kn_sigcfg *c, const char *room, const char *role, long ttl, char *buf,
                      size_t cap) {
    kn_jwt_claims claims = {.exp = (int64_t)time(NULL) + ttl};
    if (strlen(room) > KN_JWT_ROOM_MAX || strlen(role) >= sizeof(claims.role))
        return KN_EINVAL;
    strcpy(claims.room, room);
    strcpy(claims.role, role);
    return kn_jwt_sign(&claims, (const uint8_t *)c->token_secret, strlen(c->token_secret), buf,
                       cap);
}

static void print_demo_url(const kn_sigcfg *c, const char *pub, const char *sub) {
    const char *host = strcmp(c->listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : c->listen_host;
    bool v6 = strchr(host, ':') != NULL;
    printf("%s://%s%s%s:%u/#token=%s&view=%s\n", c->tls ? "https" : "http", v6 ? "[" : "", host,
           v6 ? "]" : "", c->listen_port, pub, sub);
}

static bool is_room_role(const char *role) {
    return strcmp(role, "host") == 0 || strcmp(role, "guest") == 0 ||
           strcmp(role, "listener") == 0;
}

static void print_room_link(const kn_sigcfg *c, const char *room, const char *token) {
    if (c->public_url[0] != '\0') {
        printf("%s/room/%s#token=%s\n", c->public_url, room, token);
        return;
    }
    const char *host = strcmp(c->listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : c->listen_host;
    bool v6 = strchr(host, ':') != NULL;
    printf("%s://%s%s%s:%u/room/%s#token=%s\n", c->tls ? "https" : "http", v6 ? "[" : "", host,
           v6 ? "]" : "", c->listen_port, room, token);
}

static int cmd_tokens(int argc, char **argv, bool demo) {
    const char *room = demo ? "demo" : NULL, *role = NULL, *config = NULL;
    long ttl = 3600;
    kn_sigcfg cfg;
    char pub[1024], sub[1024];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--room") == 0)
            room = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0 && !demo)
            role = argv[i + 1];
        else if (strcmp(argv[i], "--ttl") == 0)
            ttl = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--config") == 0)
            config = argv[i + 1];
        else
            break;
    }
    if (room == NULL || (!demo && role == NULL) || ttl <= 0 || (argc % 2) != 0) {
        usage(stderr);
        return 2;
    }
    if (kn_sigcfg_load(&cfg, config) != 0 || kn_sigcfg_resolve_secret(&cfg) != 0) {
        fprintf(stderr, "konsil-signaling: cannot resolve the token secret in %s\n", cfg.state_dir);
        return 1;
    }
    if (make_token(&cfg, room, demo ? "publish" : role, ttl, pub, sizeof(pub)) != 0 ||
        (demo && make_token(&cfg, room, "subscribe", ttl, sub, sizeof(sub)) != 0)) {
        fprintf(stderr, "konsil-signaling: bad room or role (room: 1-64 of [A-Za-z0-9_.-]; "
                        "role: host, guest, listener, publish or subscribe)\n");
        return 2;
    }
    if (!demo && is_room_role(role))
        print_room_link(&cfg, room, pub);
    else if (!demo)
        printf("%s\n", pub);
    else
        print_demo_url(&cfg, pub, sub);
    return 0;
}

/* ---- host-create ---- */

static void state_path(const kn_sigcfg *c, const char *name, char *out, size_t cap) {
    snprintf(out, cap, "%s/%s", c->state_dir, name);
}

/* Reads one line from stdin without echo when it is a terminal. */
static int read_password(char *buf, size_t cap) {
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password (at least %d characters): ", KN_PASSWORD_MIN_LEN);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *ok = fgets(buf, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (ok == NULL)
        return KN_EINVAL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int cmd_host_create(int argc, char **argv) {
    const char *practice = NULL, *email = NULL, *role_s = NULL, *config = NULL;
    char path[600], pw[512];
    kn_host_role role;
    kn_sigcfg cfg;
    kn_db db;
    kn_host h;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char **dst = strcmp(argv[i], "--practice") == 0 ? &practice
                           : strcmp(argv[i], "--email") == 0  ? &email
                           : strcmp(argv[i], "--role") == 0   ? &role_s
                           : strcmp(argv[i], "--config") == 0 ? &config
                                                              : NULL;
        if (dst == NULL)
            break;
        *dst = argv[i + 1];
    }
    if (practice == NULL || email == NULL || role_s == NULL || argc % 2 != 0 ||
        kn_host_role_parse(role_s, &role) != 0) {
        usage(stderr);
        return 2;
    }
    if (kn_sigcfg_load(&cfg, config) != 0 || kn_sigcfg_resolve_secret(&cfg) != 0) {
        fprintf(stderr, "konsil-signaling: cannot use state directory %s\n", cfg.state_dir);
        return 1;
    }
    state_path(&cfg, "konsil.db", path, sizeof(path));
    if (read_password(pw, sizeof(pw)) != 0 || kn_db_open(&db, path) != 0) {
        fprintf(stderr, "konsil-signaling: no password given or cannot open %s\n", path);
        return 1;
    }
    int rc = kn_host_create_first(&db, practice, email, role, pw, time(NULL), &h);
    OPENSSL_cleanse(pw, sizeof(pw));
    kn_db_close(&db);
    if (rc == KN_EEXIST)
        fprintf(stderr, "konsil-signaling: a host exists already in %s\n", path);
    else if (rc == KN_EINVAL)
        fprintf(stderr, "konsil-signaling: bad e-mail address, practice name, or a password "
                        "shorter than %d characters\n", KN_PASSWORD_MIN_LEN);
    else if (rc != 0)
        fprintf(stderr, "konsil-signaling: cannot create the host: %s\n", kn_strerror(rc));
    else
        printf("host %s (%s) created for practice \"%s\" in %s\n", email, role_s, practice, path);
    return rc == 0 ? 0 : 1;
}

/* ---- serve ---- */

static void close_walk(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_pool_stopped(void *arg) {
    server *s = arg;
    s->pool = NULL;
}

static void shutdown_server(server *s) {
    if (s->stopping)
        return;
    s->stopping = true;
    KN_LOG_INFO("main", "shutting down");
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sighup, NULL);
    kn_drain_close(&s->drain);
    s->ops.hub = NULL;
    s->ops.whip = NULL;
    s->ops.n_sfus = 0;
    s->ops.pool = NULL;
    if (s->pool)
        kn_sfupool_stop(s->pool, on_pool_stopped, s); /* fails pending requests first */
    s->ctl = NULL;
    s->whip.ctl = NULL;
    if (s->httpd)
        kn_httpd_destroy(s->httpd);
    s->closing_httpd = s->httpd;
    s->httpd = NULL;
    if (s->hub_up)
        kn_hub_close(&s->hub); /* connections closed above already left their rooms */
    s->hub_up = false;
    s->practice.hub = NULL;
    if (s->practice_up)
        kn_practice_close(&s->practice);
    s->practice_up = false;
    s->whip.practice = NULL;
    if (s->retention_up)
        kn_retention_close(&s->retention, NULL);
    s->retention_up = false;
}

static void on_drained(void *arg, bool timed_out) {
    (void)timed_out; /* logged by drain.c; either way the process ends with 0 */
    shutdown_server(arg);
}

static void on_signal(uv_signal_t *h, int signum) {
    server *s = h->data;
    KN_LOG_INFO("main", "signal %d", signum);
    if (signum == SIGTERM && !s->ops.draining && !s->stopping && s->hub_up) {
        s->whip.draining = true;
        kn_drain_start(&s->drain, &s->loop, &s->ops, s->cfg.drain_timeout_s, on_drained, s);
        return;
    }
    shutdown_server(s);
}

/* Sends the log level to every SFU process (their own SIGHUP is not needed). */
static void forward_log_level(server *s) {
    for (unsigned i = 0; i < s->ops.n_sfus; i++)
        if (s->ops.sfus[i] != NULL && kn_sfuctl_up(s->ops.sfus[i]))
            kn_sfuctl_request(s->ops.sfus[i], "log.set_level",
                              json_pack("{s:s}", "level", kn_log_level_name(s->cfg.log_level)),
                              NULL, NULL);
}

static void reload_tls(server *s, const kn_sigcfg *n) {
    if (!s->cfg.tls || s->httpd == NULL)
        return;
    if (n->tls_cert[0] != '\0' && n->tls_key[0] != '\0') { /* else: the self-signed pair */
        snprintf(s->cfg.tls_cert, sizeof(s->cfg.tls_cert), "%s", n->tls_cert);
        snprintf(s->cfg.tls_key, sizeof(s->cfg.tls_key), "%s", n->tls_key);
    }
    int rc = kn_httpd_reload_tls(s->httpd, s->cfg.tls_cert, s->cfg.tls_key);
    if (rc != 0)
        KN_LOG_ERROR("main", "reload: certificate %s / key %s not loaded (%s); the old one stays",
                     s->cfg.tls_cert, s->cfg.tls_key, kn_strerror(rc));
    else
        KN_LOG_INFO("main", "reload: certificate %s loaded for new connections", s->cfg.tls_cert);
}

/* SIGHUP: what can change without a restart. A bad file changes nothing. */
static void on_sighup(uv_signal_t *h, int signum) {
    static kn_sigcfg n;
    server *s = h->data;
    (void)signum;
    if (kn_sigcfg_reload(&n, s->config_path, &s->cfg) != 0) {
        KN_LOG_ERROR("main", "reload: settings not valid, nothing changed");
        return;
    }
    reload_tls(s, &n);
    s->cfg.log_level = n.log_level;
    kn_log_set_level(n.log_level);
    forward_log_level(s);
    snprintf(s->ops.metrics_token, sizeof(s->ops.metrics_token), "%s", n.metrics_token);
    KN_LOG_INFO("main", "reload: log level %s", kn_log_level_name(n.log_level));
}

/* Ops endpoints first, then WHIP/WHEP, the pages and /api. */
static void serve_http(void *app, kn_http_req *r) {
    server *s = app;
    if (!kn_ops_route(&s->ops, r))
        kn_whip_handle(&s->whip, r);
}

static int prepare_tls(kn_sigcfg *c) {
    if (!c->tls)
        return 0;
    if (c->tls_cert[0] != '\0' || c->tls_key[0] != '\0') {
        if (c->tls_cert[0] == '\0' || c->tls_key[0] == '\0') {
            fprintf(stderr, "konsil-signaling: set both KONSIL_TLS_CERT and KONSIL_TLS_KEY\n");
            return KN_EINVAL;
        }
        return 0;
    }
    int rc = kn_selfsigned_ensure(c->state_dir, c->tls_cert, c->tls_key, sizeof(c->tls_cert));
    if (rc != 0)
        fprintf(stderr, "konsil-signaling: cannot create a self-signed certificate in %s: %s\n",
                c->state_dir, kn_strerror(rc));
    return rc;
}

/* Own children (KONSIL_SFU_PROCESSES) unless KONSIL_SFU lists remote SFUs. */
static int start_sfu(server *s, const kn_sfupool_hooks *hooks) {
    char exe[600] = "", state[PATH_MAX] = "";
    const char *why = "";
    if (s->cfg.sfu[0] == '\0' &&
        (realpath(s->cfg.state_dir, state) == NULL || kn_sfuchild_find_exe(exe, sizeof(exe)) != 0))
        return KN_EIO;
    kn_sfupool_opts o = {s->cfg.sfu, s->cfg.sfu_secret,  s->cfg.sfu_processes, exe,
                         state,      s->cfg.media_port, s->cfg.announce_ip};
    int rc = kn_sfupool_start(&s->loop, &o, hooks, &s->pool, &why);
    if (rc != 0)
        fprintf(stderr, "konsil-signaling: %s\n", why);
    return rc;
}

/* SFU events and connection state go to both WHIP/WHEP sessions and rooms. */
static void on_sfu_event(void *arg, unsigned member, const char *event, json_t *params) {
    server *s = arg;
    if (member == 0)
        kn_whip_on_event(&s->whip, event, params);
    if (s->hub_up)
        kn_hub_on_sfu_event(&s->hub, member, event, params);
}

static void on_sfu_state(void *arg, unsigned member, bool up) {
    server *s = arg;
    if (member == 0)
        kn_whip_on_state(&s->whip, up);
    if (s->hub_up)
        kn_hub_on_sfu_state(&s->hub, member, up);
}

/* HOST[:PORT] for invitation links: KONSIL_PUBLIC_URL without its scheme, else the listener. */
static void link_host(const kn_sigcfg *c, char *out, size_t cap) {
    const char *u = c->public_url, *sep = strstr(u, "://");
    if (u[0] != '\0') {
        snprintf(out, cap, "%s", sep ? sep + 3 : u);
        out[strcspn(out, "/")] = '\0';
        return;
    }
    const char *host = strcmp(c->listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : c->listen_host;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, cap, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", c->listen_port);
}

/* The store, the access-code key, the retention timer and the workflow API. */
static int start_workflow(server *s) {
    char path[600], host[300];
    int rc;
    state_path(&s->cfg, "konsil.db", path, sizeof(path));
    if ((rc = kn_db_open(&s->db, path)) != 0) {
        fprintf(stderr, "konsil-signaling: cannot open the database %s\n", path);
        return rc;
    }
    state_path(&s->cfg, "access-code.key", path, sizeof(path));
    if ((rc = kn_access_code_key_load(path, s->code_key)) != 0) {
        fprintf(stderr, "konsil-signaling: cannot read or create %s\n", path);
        return rc;
    }
    if ((rc = kn_retention_start(&s->retention, &s->loop, &s->db, s->retention_days,
                                 kn_retention_wall_clock, NULL, KN_RETENTION_INTERVAL_MS)) != 0)
        return rc;
    s->retention_up = true;
    link_host(&s->cfg, host, sizeof(host));
    kn_practice_opts po = {&s->loop, &s->db,  s->code_key, s->cfg.token_secret,
                           host,     s->cfg.tls, KN_WEB_DIR};
    if ((rc = kn_practice_init(&s->practice, &po)) != 0) {
        fprintf(stderr, "konsil-signaling: bad KONSIL_SMTP_* or KONSIL_SMS_* setting\n");
        return rc;
    }
    s->practice_up = true;
    s->whip.practice = &s->practice;
    return 0;
}

static int start_server(server *s) {
    int rc;
    if ((rc = kn_whip_init(&s->whip, s->cfg.token_secret, KN_WEB_DIR)) != 0)
        return rc;
    if ((rc = start_workflow(s)) != 0)
        return rc;
    kn_sfupool_hooks hooks = {on_sfu_event, on_sfu_state, s};
    if ((rc = start_sfu(s, &hooks)) != 0) {
        fprintf(stderr, "konsil-signaling: cannot start konsil-sfu: %s\n", kn_strerror(rc));
        return rc;
    }
    s->ctl = kn_sfupool_ctl(s->pool, 0);
    s->whip.ctl = s->ctl;
    kn_hub_opts hub = {s->cfg.token_secret,  s->cfg.stun_urls,    s->cfg.turn_urls,
                       s->cfg.turn_secret,   s->cfg.p2p_grace_ms, s->cfg.resume_grace_ms};
    if ((rc = kn_hub_init(&s->hub, &s->loop, &hub)) != 0)
        return rc;
    s->hub_up = true;
    s->hub.pool = s->pool;
    s->practice.hub = &s->hub; /* /api/end ends the room for all */
    s->hub.hostctl = (kn_hostctl){.on_end = kn_practice_on_room_end, .ctx = &s->practice};
    kn_httpd_opts ho = {s->cfg.listen_host, s->cfg.listen_port, s->cfg.tls, s->cfg.tls_cert,
                        s->cfg.tls_key, &s->hub};
    s->ops.hub = &s->hub;
    s->ops.whip = &s->whip;
    s->ops.pool = s->pool;
    s->ops.n_sfus = kn_sfupool_size(s->pool);
    for (unsigned i = 0; i < s->ops.n_sfus && i < KN_OPS_MAX_SFUS; i++)
        s->ops.sfus[i] = kn_sfupool_ctl(s->pool, i);
    if ((rc = kn_httpd_start(&s->loop, &ho, serve_http, s, &s->httpd)) != 0) {
        fprintf(stderr, "konsil-signaling: cannot listen on %s:%u\n", s->cfg.listen_host,
                s->cfg.listen_port);
        return rc;
    }
    KN_LOG_INFO("main", "konsil-signaling %s on %s://%s:%u, %u sfu process(es) from %s, state %s",
                KN_VERSION, s->cfg.tls ? "https" : "http", s->cfg.listen_host, s->cfg.listen_port,
                kn_sfupool_size(s->pool), kn_sfupool_address(s->pool, 0), s->cfg.state_dir);
    return 0;
}

static int cmd_serve(int argc, char **argv) {
    static server s;
    const char *flags[3] = {NULL, NULL, NULL}; /* --config, --log-level, --log-format */
    static const char *const names[3] = {"--config", "--log-level", "--log-format"};
    for (int i = 1; i < argc; i += 2) {
        int k = 0;
        while (k < 3 && strcmp(argv[i], names[k]) != 0)
            k++;
        if (k == 3 || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        flags[k] = argv[i + 1];
    }
    if (flags[1] != NULL)
        setenv("KONSIL_LOG_LEVEL", flags[1], 1); /* a flag is the strongest setting */
    if (flags[2] != NULL)
        setenv("KONSIL_LOG_FORMAT", flags[2], 1);
    s.config_path = flags[0];
    if (kn_sigcfg_load(&s.cfg, s.config_path) != 0)
        return 2;
    kn_log_set_level(s.cfg.log_level);
    kn_log_set_format(s.cfg.log_format);
    if (kn_sigcfg_resolve_secret(&s.cfg) != 0) {
        fprintf(stderr, "konsil-signaling: cannot use state directory %s\n", s.cfg.state_dir);
        return 1;
    }
    if (prepare_tls(&s.cfg) != 0)
        return 1;
    if (kn_retention_days_parse(getenv("KONSIL_RETENTION_DAYS"), &s.retention_days) != 0) {
        fprintf(stderr, "konsil-signaling: KONSIL_RETENTION_DAYS must be a whole number of days "
                        "from 1 to %d (default %d)\n", KN_RETENTION_MAX_DAYS,
                KN_RETENTION_DEFAULT_DAYS);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&s.loop);
    uv_signal_init(&s.loop, &s.sigint);
    uv_signal_init(&s.loop, &s.sigterm);
    uv_signal_init(&s.loop, &s.sighup);
    s.sigint.data = s.sigterm.data = s.sighup.data = &s;
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    uv_signal_start(&s.sighup, on_sighup, SIGHUP);
    kn_ops_init(&s.ops, &s.loop, s.cfg.metrics_token, s.cfg.metrics_timeout_ms);
    int rc = start_server(&s);
    if (rc != 0)
        shutdown_server(&s);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    kn_httpd_free(s.closing_httpd);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    kn_whip_close(&s.whip);
    kn_db_close(&s.db);
    if (uv_loop_close(&s.loop) != 0) { /* lws may leave a handle behind on a failed start */
        uv_walk(&s.loop, close_walk, NULL);
        uv_run(&s.loop, UV_RUN_DEFAULT);
        uv_loop_close(&s.loop);
    }
    KN_LOG_INFO("main", "stopped");
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("konsil-signaling %s\n", KN_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return cmd_tokens(argc, argv, false);
    if (argc >= 2 && strcmp(argv[1], "demo-url") == 0)
        return cmd_tokens(argc, argv, true);
    if (argc >= 2 && strcmp(argv[1], "host-create") == 0)
        return cmd_host_create(argc, argv);
    return cmd_serve(argc, argv);
}
