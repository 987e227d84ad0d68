/*
 * attempts.c: fixed-size table of failed attempts per client address (see
 * attempts.h). Linear scan: the table is small (a few thousand entries) and
 * only touched on a code submission, never per packet.
 */
#include "account/attempts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int kn_attempts_init(kn_attempts *a, size_t cap, uint32_t max_failures, int64_t window_s) {
    memset(a, 0, sizeof(*a));
    if (cap == 0 || max_failures == 0 || window_s <= 0)
        return KN_EINVAL;
    if ((a->e = calloc(cap, sizeof(*a->e))) == NULL)
        return KN_ENOMEM;
    a->cap = cap;
    a->max_failures = max_failures;
    a->window_s = window_s;
    return 0;
}

void kn_attempts_close(kn_attempts *a) {
    free(a->e);
    memset(a, 0, sizeof(*a));
}

static int live(const kn_attempts *a, const kn_attempts_entry *e, int64_t now) {
    return e->failures > 0 && now - e->window_start < a->window_s;
}

static kn_attempts_entry *find(const kn_attempts *a, const char *key, int64_t now) {
    for (size_t i = 0; i < a->cap; i++)
        if (live(a, &a->e[i], now) && strncmp(a->e[i].key, key, KN_ATTEMPTS_KEY_BUF - 1) == 0)
            return &a->e[i];
    return NULL;
}

int kn_attempts_check(const kn_attempts *a, const char *key, int64_t now) {
    const kn_attempts_entry *e = find(a, key, now);
    return e != NULL && e->failures >= a->max_failures ? KN_ELIMIT : 0;
}

/* A free or expired slot, else the one whose window started first. */
static kn_attempts_entry *victim(kn_attempts *a, int64_t now) {
    kn_attempts_entry *oldest = &a->e[0];
    for (size_t i = 0; i < a->cap; i++) {
        if (!live(a, &a->e[i], now))
            return &a->e[i];
        if (a->e[i].window_start < oldest->window_start)
            oldest = &a->e[i];
    }
    return oldest;
}

void kn_attempts_fail(kn_attempts *a, const char *key, int64_t now) {
    kn_attempts_entry *e = find(a, key, now);
    if (e == NULL) {
        e = victim(a, now);
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->window_start = now;
        e->failures = 0;
    }
    if (e->failures < UINT32_MAX)
        e->failures++;
}
