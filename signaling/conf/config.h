/*
 * config.h: konsil-signaling settings. Each setting is an environment
 * variable; a KEY=VALUE file given with --config may set them too, and the
 * environment wins. Also resolves the state directory and the token secret.
 */
#ifndef KN_SIGCFG_H
#define KN_SIGCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
