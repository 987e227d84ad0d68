/*
 * attempts.h: in-memory limit on failed access-code attempts per client
 * address (default 20 per 10 minutes). Kept in memory on purpose: client
 * addresses are personal data and never go to disk; a restart forgets them,
 * which the per-code lock in the store (5 failures, 15 minutes) backs up.
 * A fixed table allocated at init; when full, the entry whose window started
 * first is reused. Callers pass IPv6 clients as their /64 prefix so one host
 * cannot rotate through its own addresses. Signaling loop only.
 */
#ifndef KN_ATTEMPTS_H
#define KN_ATTEMPTS_H

#include <stddef.h>
#include <stdint.h>

#define KN_ATTEMPTS_KEY_BUF 48

typedef struct kn_attempts_entry {
    char key[KN_ATTEMPTS_KEY_BUF];
    int64_t window_start;
    uint32_t failures;
} kn_attempts_entry;

typedef struct kn_attempts {
    kn_attempts_entry *e;
    size_t cap;
    uint32_t max_failures; /* per window */
    int64_t window_s;
} kn_attempts;

/* Returns 0, KN_EINVAL (zero sizes) or KN_ENOMEM. */
int kn_attempts_init(kn_attempts *a, size_t cap, uint32_t max_failures, int64_t window_s);
void kn_attempts_close(kn_attempts *a);

/* 0 when `key` may try again at `now`, KN_ELIMIT when its failures in the
 * current window reached the maximum. */
int kn_attempts_check(const kn_attempts *a, const char *key, int64_t now);

/* Counts one failure for `key` at `now`. */
void kn_attempts_fail(kn_attempts *a, const char *key, int64_t now);

#endif
