/*
 * config.h: konsil-signaling settings. Each setting is an environment
 * variable; a KEY=VALUE file given with --config may set them too, and the
 * environment wins. Settings other modules read with getenv (SMTP, SMS,
 * retention, log) are checked here and, when set in the file only, exported
 * to the environment. Also resolves the state directory and the token secret.
 */
#ifndef KN_SIGCFG_H
#define KN_SIGCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/log.h"

/* Settings read by other modules through getenv (kn_sigcfg.ext slots). */
enum {
    KN_CFG_RETENTION_DAYS,
    KN_CFG_SMTP_HOST,
    KN_CFG_SMTP_FROM,
    KN_CFG_SMTP_PORT,
    KN_CFG_SMTP_USER,
    KN_CFG_SMTP_PASSWORD,
    KN_CFG_SMTP_STARTTLS,
    KN_CFG_SMTP_CAFILE,
    KN_CFG_SMTP_HELO,
    KN_CFG_SMS_URL,
    KN_CFG_SMS_TOKEN,
    KN_CFG_SMS_CAFILE,
    KN_CFG_LOG_LEVEL,
    KN_CFG_LOG_FORMAT,
    KN_CFG_N_EXT
};

typedef struct kn_sigcfg {
    char listen_host[64];
    uint16_t listen_port;
    bool tls;
    char tls_cert[512], tls_key[512];
    char token_secret[256];
    uint16_t media_port;
    char announce_ip[64];
    char sfu[512]; /* "unix:/path" or "tcp:host:port"; empty = own child */
    char sfu_secret[256];
    unsigned sfu_processes; /* own konsil-sfu children; 0 = one per online CPU ("auto") */
    char state_dir[512];
    char public_url[256];  /* https://host[:port] for printed links; empty = from listen */
    char stun_urls[1024];  /* comma list; empty = derived from turn_urls */
    char turn_urls[1024];  /* comma list of turn:/turns: URLs */
    char turn_secret[256]; /* coturn static-auth-secret (TURN REST credentials) */
    uint32_t p2p_grace_ms, resume_grace_ms;
    char metrics_token[256];     /* "" = /metrics for loopback clients only */
    uint32_t metrics_timeout_ms; /* how long a scrape waits for the SFUs */
    uint32_t drain_timeout_s;    /* SIGTERM: running rooms end at the latest after this */
    kn_log_level log_level;
    kn_log_format log_format;
    char ext[KN_CFG_N_EXT][512];    /* values of the getenv settings ("" = unset) */
    uint64_t from_env;              /* bit i: settings[i] came from the environment */
} kn_sigcfg;

/* Fills the defaults (state_dir is resolved later by kn_sigcfg_finish). */
void kn_sigcfg_defaults(kn_sigcfg *c);

/*
 * Sets one setting by its variable name. Returns 0, KN_ENOENT for an unknown
 * name, or KN_EINVAL for a bad value (*err then names the problem).
 */
int kn_sigcfg_set(kn_sigcfg *c, const char *name, const char *value, const char **err);

/*
 * Applies KEY=VALUE lines (blank lines and '#' comments skipped, optional
 * whitespace around '='). Returns 0 or the first error, with *line set to its
 * 1-based number.
 */
int kn_sigcfg_parse_text(kn_sigcfg *c, const char *text, size_t len, const char **err,
                         unsigned *line);

/*
 * Defaults, then --config file (may be NULL), then the environment, then
 * kn_sigcfg_finish. Prints the problem to stderr on failure. Returns 0 or a
 * KN_E* code.
 */
int kn_sigcfg_load(kn_sigcfg *c, const char *file);

/*
 * SIGHUP: loads the file again (NULL: none) over the defaults, keeping what
 * the environment set at start (old->from_env). Returns 0 or a KN_E* code
 * (message printed to stderr); on failure *c is unusable.
 */
int kn_sigcfg_reload(kn_sigcfg *c, const char *file, const kn_sigcfg *old);

/* Resolves state_dir when unset: /var/lib/konsil if writable, else ./state. */
void kn_sigcfg_finish(kn_sigcfg *c);

/*
 * Ensures the state directory exists (0700) and that token_secret is set:
 * reads <state>/token-secret or creates it with 32 random bytes as hex (0600).
 * Returns 0, KN_EIO or KN_ECRYPTO.
 */
int kn_sigcfg_resolve_secret(kn_sigcfg *c);

/* Prints every setting with its default and meaning (for --help). */
void kn_sigcfg_print_help(FILE *f);

#endif
