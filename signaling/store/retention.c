/*
 * retention.c: the purge and its timer (see retention.h). Statement slots
 * KN_DB_SLOT_RETENTION + 0..7.
 */
#include "store/retention.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"

enum {
    S_CONSULTATIONS = KN_DB_SLOT_RETENTION,
    S_APPOINTMENTS,
    S_CODES,
    S_SESSIONS,
};

int64_t kn_retention_wall_clock(void *ctx) {
    (void)ctx;
    return (int64_t)time(NULL);
}

int kn_retention_days_parse(const char *value, int *days) {
    char *end;
    long v;

    if (value == NULL || value[0] == '\0') {
        *days = KN_RETENTION_DEFAULT_DAYS;
        return 0;
    }
    if (value[0] < '0' || value[0] > '9')
        return KN_EINVAL;
    v = strtol(value, &end, 10);
    if (*end != '\0' || v < 1 || v > KN_RETENTION_MAX_DAYS)
        return KN_EINVAL;
    *days = (int)v;
    return 0;
}

/* Runs one purge statement with `t` bound to ?1 and adds the row count. */
static int purge_one(kn_db *db, int slot, const char *sql, int64_t t, int64_t *count) {
    sqlite3_stmt *st = kn_db_stmt(db, slot, sql);
    int rc;

    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, t);
    if ((rc = kn_db_exec_stmt(st)) != 0)
        return rc;
    *count = sqlite3_changes(db->h);
    return 0;
}

int kn_retention_purge(kn_db *db, int64_t now, int days, kn_retention_counts *out) {
    int64_t cutoff = now - (int64_t)days * 86400;
    int rc;

    memset(out, 0, sizeof(*out));
    if (days < 1 || days > KN_RETENTION_MAX_DAYS)
        return KN_EINVAL;
    if (kn_db_begin(db) != 0)
        return KN_EIO;
    if ((rc = purge_one(db, S_CONSULTATIONS, "DELETE FROM consultations WHERE started_at < ?",
                        cutoff, &out->consultations)) != 0 ||
        (rc = purge_one(db, S_APPOINTMENTS,
                        "DELETE FROM appointments WHERE start_at + duration_s < ?", cutoff,
                        &out->appointments)) != 0 ||
        (rc = purge_one(db, S_CODES,
                        "UPDATE invitees SET code_mac = NULL"
                        " WHERE code_mac IS NOT NULL AND code_expires_at <= ?",
                        now, &out->codes)) != 0 ||
        (rc = purge_one(db, S_SESSIONS, "DELETE FROM sessions WHERE expires_at <= ?", now,
                        &out->sessions)) != 0 ||
        (rc = kn_db_commit(db)) != 0) {
        kn_db_rollback(db);
        return KN_EIO;
    }
    /* Deleted pages are zeroed (secure_delete); a passive checkpoint moves
     * them out of the WAL without waiting for readers. */
    sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return 0;
}

static void on_timer(uv_timer_t *t) {
    kn_retention *r = t->data;
    kn_retention_counts *c = &r->last;

    r->last_rc = kn_retention_purge(r->db, r->clock(r->clock_ctx), r->days, c);
    r->runs++;
    if (r->last_rc != 0)
        KN_LOG_ERROR("retention", "purge failed: %s", kn_strerror(r->last_rc));
    else if (c->consultations + c->appointments + c->codes + c->sessions > 0)
        KN_LOG_INFO("retention",
                    "purged %lld consultations, %lld appointments, %lld codes, %lld sessions",
                    (long long)c->consultations, (long long)c->appointments, (long long)c->codes,
                    (long long)c->sessions);
}

int kn_retention_start(kn_retention *r, uv_loop_t *loop, kn_db *db, int days, kn_clock_fn clock,
                       void *clock_ctx, uint64_t interval_ms) {
    memset(r, 0, sizeof(*r));
    if (days < 1 || days > KN_RETENTION_MAX_DAYS || clock == NULL || interval_ms == 0)
        return KN_EINVAL;
    r->db = db;
    r->days = days;
    r->clock = clock;
    r->clock_ctx = clock_ctx;
    if (uv_timer_init(loop, &r->timer) != 0)
        return KN_EIO;
    r->timer.data = r;
    if (uv_timer_start(&r->timer, on_timer, 0, interval_ms) != 0) {
        uv_close((uv_handle_t *)&r->timer, NULL);
        return KN_EIO;
    }
    return 0;
}

void kn_retention_close(kn_retention *r, uv_close_cb cb) {
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, cb);
}
