/*
 * config.c: settings table (name, help, setter), KEY=VALUE file parsing,
 * environment overlay, state directory and token secret resolution.
 */
#include "conf/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "notify/sms.h"

typedef int (*set_fn)(kn_sigcfg *c, const char *v, const char **err);

static int copy(char *dst, size_t cap, const char *v, const char **err) {
    if (strlen(v) >= cap) {
        *err = "value too long";
        return KN_EINVAL;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int parse_port(const char *v, uint16_t *port) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < 1 || n > 65535)
        return KN_EINVAL;
    *port = (uint16_t)n;
    return 0;
}

static int set_listen(kn_sigcfg *c, const char *v, const char **err) {
    const char *colon = strrchr(v, ':');
    size_t hl = colon ? (size_t)(colon - v) : 0;
    *err = "expected host:port";
    if (colon == NULL || hl == 0 || hl >= sizeof(c->listen_host) ||
        parse_port(colon + 1, &c->listen_port) != 0)
        return KN_EINVAL;
    if (v[0] == '[' && hl >= 2 && v[hl - 1] == ']') { /* [::1]:8443 */
        memcpy(c->listen_host, v + 1, hl - 2);
        c->listen_host[hl - 2] = '\0';
    } else {
        memcpy(c->listen_host, v, hl);
        c->listen_host[hl] = '\0';
    }
    return 0;
}

static int set_tls(kn_sigcfg *c, const char *v, const char **err) {
    if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
        *err = "expected on or off";
        return KN_EINVAL;
    }
    c->tls = strcmp(v, "on") == 0;
    return 0;
}

static int set_media_port(kn_sigcfg *c, const char *v, const char **err) {
    *err = "expected a port 1-65535";
    return parse_port(v, &c->media_port);
}

static int set_sfu(kn_sigcfg *c, const char *v, const char **err) {
    if (v[0] != '\0' && strncmp(v, "unix:", 5) != 0 && strncmp(v, "tcp:", 4) != 0) {
        *err = "expected unix:/path or tcp:host:port";
        return KN_EINVAL;
    }
    return copy(c->sfu, sizeof(c->sfu), v, err);
}

static int set_sfu_processes(kn_sigcfg *c, const char *v, const char **err) {
    char *end = NULL;
    errno = 0;
    long n = strcmp(v, "auto") == 0 ? 0 : strtol(v, &end, 10);
    *err = "expected auto or a number 1-64";
    if (strcmp(v, "auto") != 0 && (errno || end == v || *end != '\0' || n < 1 || n > 64))
        return KN_EINVAL;
    c->sfu_processes = (unsigned)n;
    return 0;
}

#define STR_SETTER(fn, field)                                                                      \
    static int fn(kn_sigcfg *c, const char *v, const char **err) {                                 \
        return copy(c->field, sizeof(c->field), v, err);                                           \
    }
STR_SETTER(set_cert, tls_cert)
STR_SETTER(set_key, tls_key)
STR_SETTER(set_secret, token_secret)
STR_SETTER(set_announce, announce_ip)
STR_SETTER(set_sfu_secret, sfu_secret)
STR_SETTER(set_state, state_dir)
STR_SETTER(set_stun_urls, stun_urls)
STR_SETTER(set_turn_urls, turn_urls)
STR_SETTER(set_turn_secret, turn_secret)

static int set_public_url(kn_sigcfg *c, const char *v, const char **err) {
    size_t n = strlen(v);
    if (v[0] != '\0' && ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
                          v[n - 1] == '/' || strcspn(v, " \t\"'<>#?") != n)) {
        *err = "expected https://host[:port] without a trailing slash";
        return KN_EINVAL;
    }
    return copy(c->public_url, sizeof(c->public_url), v, err);
}

static int parse_ms(const char *v, uint32_t max, uint32_t *out, const char **err) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < 0 || n > (long)max) {
        *err = "expected milliseconds";
        return KN_EINVAL;
    }
    *out = (uint32_t)n;
    return 0;
}

static int set_p2p_grace(kn_sigcfg *c, const char *v, const char **err) {
    return parse_ms(v, 600000, &c->p2p_grace_ms, err);
}

static int set_resume_grace(kn_sigcfg *c, const char *v, const char **err) {
    return parse_ms(v, 600000, &c->resume_grace_ms, err);
}

static int parse_uint(const char *v, uint32_t min, uint32_t max, uint32_t *out) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || v[0] == '-' || n < (long)min || n > (long)max)
        return KN_EINVAL;
    *out = (uint32_t)n;
    return 0;
}

STR_SETTER(set_metrics_token, metrics_token)

static int set_metrics_timeout(kn_sigcfg *c, const char *v, const char **err) {
    *err = "expected milliseconds 100-30000";
    return parse_uint(v, 100, 30000, &c->metrics_timeout_ms);
}

static int set_drain_timeout(kn_sigcfg *c, const char *v, const char **err) {
    *err = "expected seconds 0-604800";
    return parse_uint(v, 0, 604800, &c->drain_timeout_s);
}

static int ext_copy(kn_sigcfg *c, int slot, const char *v, const char **err) {
    if (strpbrk(v, "\r\n") != NULL) {
        *err = "line breaks are not allowed";
        return KN_EINVAL;
    }
    return copy(c->ext[slot], sizeof(c->ext[slot]), v, err);
}

static int set_log_level(kn_sigcfg *c, const char *v, const char **err) {
    *err = "expected error, warn, info or debug";
    if (kn_log_level_parse(v, &c->log_level) != 0)
        return KN_EINVAL;
    return ext_copy(c, KN_CFG_LOG_LEVEL, v, err);
}

static int set_log_format(kn_sigcfg *c, const char *v, const char **err) {
    *err = "expected text or json";
    if (kn_log_format_parse(v, &c->log_format) != 0)
        return KN_EINVAL;
    return ext_copy(c, KN_CFG_LOG_FORMAT, v, err);
}

static int set_retention(kn_sigcfg *c, const char *v, const char **err) {
    uint32_t days;
    *err = "expected whole days 1-90";
    if (v[0] != '\0' && parse_uint(v, 1, 90, &days) != 0)
        return KN_EINVAL;
    return ext_copy(c, KN_CFG_RETENTION_DAYS, v, err);
}

static int set_smtp_port(kn_sigcfg *c, const char *v, const char **err) {
    uint16_t port;
    *err = "expected a port 1-65535";
    if (v[0] != '\0' && parse_port(v, &port) != 0)
        return KN_EINVAL;
    return ext_copy(c, KN_CFG_SMTP_PORT, v, err);
}

static int set_smtp_starttls(kn_sigcfg *c, const char *v, const char **err) {
    if (v[0] != '\0' && strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
        *err = "expected on or off";
        return KN_EINVAL;
    }
    return ext_copy(c, KN_CFG_SMTP_STARTTLS, v, err);
}

static int set_sms_url(kn_sigcfg *c, const char *v, const char **err) {
    kn_sms_config sc;
    if (v[0] != '\0' && kn_sms_url_parse(v, &sc) != 0) {
        *err = "expected https://host[:port]/path (http:// only to a loopback address)";
        return KN_EINVAL;
    }
    return ext_copy(c, KN_CFG_SMS_URL, v, err);
}

#define EXT_SETTER(fn, slot)                                                                       \
    static int fn(kn_sigcfg *c, const char *v, const char **err) {                                 \
        return ext_copy(c, slot, v, err);                                                          \
    }
EXT_SETTER(set_smtp_host, KN_CFG_SMTP_HOST)
EXT_SETTER(set_smtp_from, KN_CFG_SMTP_FROM)
EXT_SETTER(set_smtp_user, KN_CFG_SMTP_USER)
EXT_SETTER(set_smtp_password, KN_CFG_SMTP_PASSWORD)
EXT_SETTER(set_smtp_cafile, KN_CFG_SMTP_CAFILE)
EXT_SETTER(set_smtp_helo, KN_CFG_SMTP_HELO)
EXT_SETTER(set_sms_token, KN_CFG_SMS_TOKEN)
EXT_SETTER(set_sms_cafile, KN_CFG_SMS_CAFILE)

static const struct setting {
    const char *name;
    set_fn set;
    const char *def;
    const char *help;
    int ext; /* KN_CFG_* slot exported to the environment, or -1 */
} settings[] = {
    {"KONSIL_LISTEN",       set_listen,     "127.0.0.1:8443", "HTTP(S) listen address host:port"                 , -1},
    {"KONSIL_TLS",          set_tls,        "on",             "on: HTTPS; off: plain HTTP"                       , -1},
    {"KONSIL_TLS_CERT",     set_cert,       "",               "PEM certificate (unset: self-signed in state dir)", -1},
    {"KONSIL_TLS_KEY",      set_key,        "",               "PEM private key for KONSIL_TLS_CERT"              , -1},
    {"KONSIL_TOKEN_SECRET", set_secret,     "",
     "HS256 token secret (unset: random, kept in state dir)"                                                     , -1},
    {"KONSIL_MEDIA_PORT",   set_media_port, "10000",          "UDP and ICE-TCP port of the own SFU child"        , -1},
    {"KONSIL_ANNOUNCE_IP",  set_announce,   "127.0.0.1",      "address the SFU puts in its candidates"           , -1},
    {"KONSIL_SFU",          set_sfu,        "",
     "external SFU control address unix:/path | tcp:host:port, or a comma list of them (unset: own children)"    , -1},
    {"KONSIL_SFU_PROCESSES", set_sfu_processes, "auto",
     "own konsil-sfu processes: auto (one per online CPU) or 1-64; process i uses KONSIL_MEDIA_PORT + i", -1},
    {"KONSIL_SFU_SECRET",   set_sfu_secret, "",               "shared secret for a tcp: SFU control address"     , -1},
    {"KONSIL_STATE_DIR",    set_state,      "",
     "state directory (unset: /var/lib/konsil if writable, else ./state)"                                        , -1},
    {"KONSIL_PUBLIC_URL",   set_public_url, "",               "https://host[:port] for printed room links (unset: from KONSIL_LISTEN)", -1},
    {"KONSIL_TURN_URLS",    set_turn_urls,  "",
     "TURN URLs for room clients, comma list, e.g. turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp", -1},
    {"KONSIL_TURN_SECRET",  set_turn_secret, "",
     "coturn static-auth-secret: TURN REST credentials (username expiry:participant, 6 h)", -1},
    {"KONSIL_STUN_URLS",    set_stun_urls,  "",               "STUN URLs, comma list (unset: stun: of each TURN host)", -1},
    {"KONSIL_P2P_GRACE_MS", set_p2p_grace,  "4000",           "two participants this long before a room goes back to P2P", -1},
    {"KONSIL_RESUME_GRACE_MS", set_resume_grace, "20000",     "how long a dropped participant's place is held", -1},
    {"KONSIL_METRICS_TOKEN",   set_metrics_token,   "",
     "bearer token for GET /metrics (unset: /metrics answers loopback clients only)", -1},
    {"KONSIL_METRICS_TIMEOUT_MS", set_metrics_timeout, "2000",
     "how long /metrics waits for each SFU process (then konsil_sfu_up 0)", -1},
    {"KONSIL_DRAIN_TIMEOUT",   set_drain_timeout,   "3600",
     "SIGTERM drain: seconds running consultations may continue before the process ends", -1},
    {"KONSIL_LOG_LEVEL",       set_log_level,       "info",
     "error, warn, info or debug (signaling and its SFU children; SIGHUP reloads it from the file)",
     KN_CFG_LOG_LEVEL},
    {"KONSIL_LOG_FORMAT",      set_log_format,      "text",
     "text, or json: one {\"ts\",\"level\",\"module\",\"msg\"} object per line", KN_CFG_LOG_FORMAT},
    {"KONSIL_RETENTION_DAYS",  set_retention,       "90",
     "days stored consultation records are kept before the hourly purge (1-90)",
     KN_CFG_RETENTION_DAYS},
    {"KONSIL_SMTP_HOST",       set_smtp_host,       "",
     "SMTP relay for invitation mail (unset: no mail; needs KONSIL_SMTP_FROM)", KN_CFG_SMTP_HOST},
    {"KONSIL_SMTP_FROM",       set_smtp_from,       "",      "sender address of invitation mail",
     KN_CFG_SMTP_FROM},
    {"KONSIL_SMTP_PORT",       set_smtp_port,       "",
     "SMTP port (unset: 587 with STARTTLS, else 25)", KN_CFG_SMTP_PORT},
    {"KONSIL_SMTP_USER",       set_smtp_user,       "",      "SMTP AUTH user (unset: no AUTH)",
     KN_CFG_SMTP_USER},
    {"KONSIL_SMTP_PASSWORD",   set_smtp_password,   "",      "SMTP AUTH password",
     KN_CFG_SMTP_PASSWORD},
    {"KONSIL_SMTP_STARTTLS",   set_smtp_starttls,   "on",
     "on: STARTTLS required with certificate check; off: plain SMTP", KN_CFG_SMTP_STARTTLS},
    {"KONSIL_SMTP_CAFILE",     set_smtp_cafile,     "",
     "CA bundle for the SMTP certificate (unset: system store)", KN_CFG_SMTP_CAFILE},
    {"KONSIL_SMTP_HELO",       set_smtp_helo,       "",      "EHLO name (unset: the host name)",
     KN_CFG_SMTP_HELO},
    {"KONSIL_SMS_URL",         set_sms_url,         "",
     "SMS gateway endpoint https://host[:port]/path (unset: no SMS; needs KONSIL_SMS_TOKEN)",
     KN_CFG_SMS_URL},
    {"KONSIL_SMS_TOKEN",       set_sms_token,       "",      "bearer token for the SMS gateway",
     KN_CFG_SMS_TOKEN},
    {"KONSIL_SMS_CAFILE",      set_sms_cafile,      "",
     "CA bundle for the SMS gateway (unset: system store)", KN_CFG_SMS_CAFILE},
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

void kn_sigcfg_defaults(kn_sigcfg *c) {
    const char *err;
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].def[0] != '\0')
            settings[i].set(c, settings[i].def, &err);
}

int kn_sigcfg_set(kn_sigcfg *c, const char *name, const char *value, const char **err) {
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return settings[i].set(c, value, err);
    *err = "unknown setting";
    return KN_ENOENT;
}

static const char *trim(char *s) {
    char *e = s + strlen(s);
    while (*s == ' ' || *s == '\t')
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int apply_line(kn_sigcfg *c, char *line, const char **err) {
    const char *t = trim(line);
    if (*t == '\0' || *t == '#')
        return 0;
    char *eq = strchr(line, '=');
    if (eq == NULL) {
        *err = "expected KEY=VALUE";
        return KN_EINVAL;
    }
    *eq = '\0';
    return kn_sigcfg_set(c, trim(line), trim(eq + 1), err);
}

int kn_sigcfg_parse_text(kn_sigcfg *c, const char *text, size_t len, const char **err,
                         unsigned *line) {
    char buf[1024];
    size_t pos = 0;
    *line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
        ++*line;
        if (n >= sizeof(buf) || memchr(text + pos, '\0', n) != NULL) {
            *err = "line too long or contains NUL";
            return KN_EINVAL;
        }
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        int rc = apply_line(c, buf, err);
        if (rc != 0)
            return rc;
        pos += n + 1;
    }
    return 0;
}

static int load_file(kn_sigcfg *c, const char *file) {
    char text[65536];
    const char *err = "";
    unsigned line = 0;
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "konsil-signaling: cannot open %s: %s\n", file, strerror(errno));
        return KN_EIO;
    }
    size_t n = fread(text, 1, sizeof(text), f);
    int too_big = n == sizeof(text);
    fclose(f);
    if (too_big) {
        fprintf(stderr, "konsil-signaling: %s: larger than 64 KiB\n", file);
        return KN_ELIMIT;
    }
    int rc = kn_sigcfg_parse_text(c, text, n, &err, &line);
    if (rc != 0)
        fprintf(stderr, "konsil-signaling: %s:%u: %s\n", file, line, err);
    return rc;
}

_Static_assert(N_SETTINGS <= 64, "kn_sigcfg.from_env is a 64-bit mask");

/* Applies the environment: every setting, or only those in `mask`. */
static int apply_env(kn_sigcfg *c, uint64_t mask) {
    int rc;
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *v = getenv(settings[i].name), *err = "";
        if (v == NULL || !(mask >> i & 1))
            continue;
        if ((rc = settings[i].set(c, v, &err)) != 0) {
            fprintf(stderr, "konsil-signaling: %s: %s\n", settings[i].name, err);
            return rc;
        }
        c->from_env |= (uint64_t)1 << i;
    }
    return 0;
}

/* File values of the getenv settings become visible to their modules (and to
 * the SFU children, which read KONSIL_LOG_*); the environment is not overwritten. */
static void export_ext(const kn_sigcfg *c) {
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].ext >= 0 && !(c->from_env >> i & 1) && c->ext[settings[i].ext][0] != '\0')
            setenv(settings[i].name, c->ext[settings[i].ext], 1);
}

int kn_sigcfg_load(kn_sigcfg *c, const char *file) {
    int rc;
    kn_sigcfg_defaults(c);
    if (file != NULL && (rc = load_file(c, file)) != 0)
        return rc;
    if ((rc = apply_env(c, UINT64_MAX)) != 0)
        return rc;
    export_ext(c);
    kn_sigcfg_finish(c);
    return 0;
}

int kn_sigcfg_reload(kn_sigcfg *c, const char *file, const kn_sigcfg *old) {
    int rc;
    kn_sigcfg_defaults(c);
    if (file != NULL && (rc = load_file(c, file)) != 0)
        return rc;
    if ((rc = apply_env(c, old->from_env)) != 0)
        return rc;
    export_ext(c);
    kn_sigcfg_finish(c);
    return 0;
}

void kn_sigcfg_finish(kn_sigcfg *c) {
    if (c->state_dir[0] != '\0')
        return;
    if (access("/var/lib/konsil", W_OK | X_OK) == 0)
        strcpy(c->state_dir, "/var/lib/konsil");
    else
        strcpy(c->state_dir, "./state");
}

static int read_secret(kn_sigcfg *c, const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? KN_ENOENT : KN_EIO;
    size_t n = fread(c->token_secret, 1, sizeof(c->token_secret) - 1, f);
    fclose(f);
    while (n > 0 && (c->token_secret[n - 1] == '\n' || c->token_secret[n - 1] == '\r'))
        n--;
    c->token_secret[n] = '\0';
    return n >= 16 ? 0 : KN_EIO;
}

static int create_secret(kn_sigcfg *c, const char *path) {
    uint8_t raw[32];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return KN_ECRYPTO;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(c->token_secret + 2 * i, 3, "%02x", raw[i]);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? read_secret(c, path) : KN_EIO; /* lost a race: use theirs */
    size_t len = strlen(c->token_secret);
    int ok = write(fd, c->token_secret, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    close(fd);
    return ok ? 0 : KN_EIO;
}

int kn_sigcfg_resolve_secret(kn_sigcfg *c) {
    char path[600];
    if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST)
        return KN_EIO;
    if (c->token_secret[0] != '\0')
        return 0;
    snprintf(path, sizeof(path), "%s/token-secret", c->state_dir);
    int rc = read_secret(c, path);
    return rc == KN_ENOENT ? create_secret(c, path) : rc;
}

void kn_sigcfg_print_help(FILE *f) {
    fprintf(f, "Settings (environment variables; --config FILE may set them as KEY=VALUE lines,\n"
               "the environment wins):\n");
    for (size_t i = 0; i < N_SETTINGS; i++)
        fprintf(f, "  %-26s %s%s%s%s\n", settings[i].name, settings[i].help,
                settings[i].def[0] ? " [default: " : "", settings[i].def,
                settings[i].def[0] ? "]" : "");
}
