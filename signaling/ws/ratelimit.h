/*
 * ratelimit.h: token bucket per WebSocket connection (messages per second with
 * a burst). Pure arithmetic over a caller-supplied clock in milliseconds.
 */
#ifndef KN_RATELIMIT_H
#define KN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct kn_ratelimit {
    uint32_t rate;  /* tokens per second */
    uint32_t burst; /* bucket size */
    uint64_t milli_tokens; /* tokens * 1000 */
    uint64_t last_ms;
} kn_ratelimit;

/* A full bucket at `now_ms`. */
void kn_ratelimit_init(kn_ratelimit *r, uint32_t rate, uint32_t burst, uint64_t now_ms);

/* Refills for the time since the last call and takes one token. Returns true
 * when a token was available (the message may pass). */
bool kn_ratelimit_take(kn_ratelimit *r, uint64_t now_ms);

#endif
