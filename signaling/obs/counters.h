/*
 * counters.h: the process-wide event counters of konsil-signaling for
 * /metrics (ops_http.c): HTTP responses by status class, room joins and
 * resumes, joins refused while draining, access-code failures by reason.
 * Incremented by one-line hooks where the event happens; only grow. Signaling
 * loop only (plain integers, no locking).
 */
#ifndef KN_OBS_COUNTERS_H
#define KN_OBS_COUNTERS_H

#include <stdint.h>

typedef enum {
    KN_OBS_JOINS,          /* a participant joined a room */
    KN_OBS_RESUMES,        /* a participant resumed after a dropped connection */
    KN_OBS_JOINS_DRAINING, /* join of a new room refused while draining */
    KN_OBS_CODE_WRONG,     /* access code did not match */
    KN_OBS_CODE_LOCKED,    /* too many attempts: locked */
    KN_OBS_CODE_EXPIRED,   /* invitation expired or used up */
    KN_OBS_WS_OPENED,      /* WebSocket connections accepted */
    KN_OBS_N
} kn_obs_counter;

void kn_obs_inc(kn_obs_counter which);
uint64_t kn_obs_get(kn_obs_counter which);

/* Counts one HTTP response by class (status / 100, 1..5; others as 5). */
void kn_obs_http_response(int status);
/* Responses of class 1..5 so far. */
uint64_t kn_obs_http_get(unsigned cls);

#endif
