/*
 * db.h: the signaling server's SQLite store (WAL, foreign keys, busy timeout)
 * with versioned migrations and a cache of prepared statements.
 *
 * Runs on the signaling loop: every statement is small, prepared once, keyed
 * by an index and touches only indexed rows, so a call costs well under a
 * millisecond; the busy timeout (KN_DB_BUSY_MS) bounds the worst case when
 * another process holds the write lock. Nothing here is thread-safe: one
 * kn_db per thread (uv_queue_work jobs that need the store open their own).
 */
#ifndef KN_DB_H
#define KN_DB_H

#include <sqlite3.h>
#include <stdint.h>

#define KN_DB_BUSY_MS 200
#define KN_DB_STMTS   64

typedef struct kn_db {
    sqlite3 *h;
    sqlite3_stmt *stmts[KN_DB_STMTS]; /* by statement number, prepared on first use */
} kn_db;

/*
 * Opens (creating) the database at `path` (":memory:" for tests), sets
 * journal_mode=WAL, foreign_keys=ON, busy_timeout, and applies every pending
 * migration. Returns 0, KN_EIO when SQLite fails to open or migrate, or
 * KN_ENOMEM; on failure *db is zeroed.
 */
int kn_db_open(kn_db *db, const char *path);

/* Finalizes the cached statements and closes the handle; accepts a zeroed db. */
void kn_db_close(kn_db *db);

/* Current schema version (0 for an empty database). Returns 0 or KN_EIO. */
int kn_db_version(kn_db *db, int *version);

/* Number of migrations this build knows; after kn_db_open the version equals it. */
int kn_db_latest_version(void);

/*
 * Returns the cached statement number `slot` (each module owns a range, see
 * db.c), preparing `sql` on first use, reset and with bindings cleared; NULL
 * when preparing fails. The statement stays owned by db.
 */
sqlite3_stmt *kn_db_stmt(kn_db *db, int slot, const char *sql);

/* Runs `st` to completion expecting no rows; returns 0, KN_EEXIST on a
 * constraint violation, or KN_EIO. Resets the statement. */
int kn_db_exec_stmt(sqlite3_stmt *st);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or KN_EIO. */
int kn_db_begin(kn_db *db);
int kn_db_commit(kn_db *db);
void kn_db_rollback(kn_db *db);

/* Statement slots, one range per module, so two modules never share a slot. */
enum {
    KN_DB_SLOT_APPOINTMENT = 0,   /* 0..19 */
    KN_DB_SLOT_CONSULTATION = 20, /* 20..27 */
    KN_DB_SLOT_RETENTION = 28,    /* 28..35 */
    KN_DB_SLOT_HOST = 36,         /* 36..47 */
    KN_DB_SLOT_SESSION = 48,      /* 48..59 */
    KN_DB_SLOT_PRACTICE = 60,     /* 60..63: practice/ (workflow API) */
};

#endif
