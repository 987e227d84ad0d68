/*
 * retention.h: deletes what the store may no longer keep: consultation
 * metadata and appointments (with their invitees) older than the retention
 * period (default and maximum 90 days, shorter via KONSIL_RETENTION_DAYS),
 * access-code MACs once the code expired, and expired sessions. Time comes
 * from an injectable clock so tests can move it. kn_retention_start runs a
 * purge at once and then on a uv timer (hourly in the server); each purge is
 * four indexed statements in one transaction, deleting about one interval's
 * worth of rows, so it stays short on the signaling loop.
 */
#ifndef KN_RETENTION_H
#define KN_RETENTION_H

#include <stdint.h>

#include <uv.h>

#include "store/db.h"

#define KN_RETENTION_DEFAULT_DAYS 90
#define KN_RETENTION_MAX_DAYS     90
#define KN_RETENTION_INTERVAL_MS  (3600 * 1000)

/* Unix seconds. */
typedef int64_t (*kn_clock_fn)(void *ctx);

/* The real clock (time(NULL)); ctx unused. */
int64_t kn_retention_wall_clock(void *ctx);

/* KONSIL_RETENTION_DAYS: NULL or "" gives the default; otherwise a decimal
 * 1..90. Returns 0 or KN_EINVAL (the server refuses to start). */
int kn_retention_days_parse(const char *value, int *days);

typedef struct kn_retention_counts {
    int64_t consultations;
    int64_t appointments; /* invitees go with them (ON DELETE CASCADE) */
    int64_t codes;        /* MACs cleared */
    int64_t sessions;
} kn_retention_counts;

/* One purge at `now`. Returns 0, KN_EINVAL (days out of range) or KN_EIO
 * (rolled back). */
int kn_retention_purge(kn_db *db, int64_t now, int days, kn_retention_counts *out);

typedef struct kn_retention {
    uv_timer_t timer;
    kn_db *db;
    int days;
    kn_clock_fn clock;
    void *clock_ctx;
    uint64_t runs;
    int last_rc;
    kn_retention_counts last;
} kn_retention;

/* Starts the periodic purge (first run on the next loop iteration). `r` must
 * outlive the close callback. Returns 0, KN_EINVAL or KN_EIO. */
int kn_retention_start(kn_retention *r, uv_loop_t *loop, kn_db *db, int days, kn_clock_fn clock,
                       void *clock_ctx, uint64_t interval_ms);

/* Stops the timer; `cb` (may be NULL) runs when the handle is closed. */
void kn_retention_close(kn_retention *r, uv_close_cb cb);

#endif
