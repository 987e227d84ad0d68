/*
 * drain.h: the SIGTERM drain of konsil-signaling. Marks the server as
 * draining (/readyz 503 "draining", joins of new rooms refused by the hub,
 * new WHIP/WHEP rooms refused), then checks once a second whether every room
 * and WHIP/WHEP session has ended or the deadline passed, and calls done()
 * once. Existing rooms keep taking joins and resumes meanwhile. Signaling loop.
 */
#ifndef KN_DRAIN_H
#define KN_DRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "obs/ops_http.h"

typedef struct kn_drain {
    uv_timer_t timer;
    kn_ops *ops;
    uint64_t deadline_ms; /* loop clock */
    void (*done)(void *arg, bool timed_out);
    void *arg;
    bool started, finished;
} kn_drain;

/* Starts draining; done(arg, timed_out) runs once, from the timer, when
 * nothing is left or after timeout_s (0: at the next check). */
void kn_drain_start(kn_drain *d, uv_loop_t *loop, kn_ops *ops, uint32_t timeout_s,
                    void (*done)(void *arg, bool timed_out), void *arg);

/* Rooms plus WHIP/WHEP sessions still running. */
unsigned kn_drain_remaining(const kn_ops *ops);

/* Stops the timer (close callback on the loop); accepts a drain never started. */
void kn_drain_close(kn_drain *d);

#endif
