/*
 * db.c: opening the SQLite store, migrations and the prepared-statement cache
 * (see db.h). Signaling loop only.
 */
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "store/schema.h"

static int exec(sqlite3 *h, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        KN_LOG_ERROR("db", "%s", msg != NULL ? msg : sqlite3_errmsg(h));
        sqlite3_free(msg);
        return KN_EIO;
    }
    return 0;
}

int kn_db_version(kn_db *db, int *version) {
    sqlite3_stmt *st = NULL;
    int rc = KN_EIO;

    *version = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT max(version) FROM schema_version", -1, &st, NULL) !=
        SQLITE_OK)
        goto done;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = 0;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

int kn_db_latest_version(void) {
    return kn_schema_count;
}

static int apply(kn_db *db, int index) {
    char bump[96];

    if (exec(db->h, "BEGIN IMMEDIATE") != 0)
        return KN_EIO;
    snprintf(bump, sizeof(bump), "INSERT INTO schema_version(version) VALUES(%d)", index + 1);
    if (exec(db->h, kn_schema_migrations[index]) != 0 || exec(db->h, bump) != 0) {
        exec(db->h, "ROLLBACK");
        return KN_EIO;
    }
    return exec(db->h, "COMMIT");
}

/* Idempotent: applies only migrations above the stored version. Two processes
 * opening one file race safely because each migration re-checks under the
 * write lock (BEGIN IMMEDIATE) through the UNIQUE version column. */
static int migrate(kn_db *db) {
    int version;

    if (exec(db->h, "CREATE TABLE IF NOT EXISTS schema_version("
                    " version INTEGER PRIMARY KEY,"
                    " applied_at INTEGER NOT NULL DEFAULT (unixepoch()))") != 0)
        return KN_EIO;
    if (kn_db_version(db, &version) != 0)
        return KN_EIO;
    if (version > kn_schema_count) {
        KN_LOG_ERROR("db", "schema version %d is newer than this build (%d)", version,
                     kn_schema_count);
        return KN_EIO;
    }
    for (int i = version; i < kn_schema_count; i++) {
        if (apply(db, i) != 0)
            return KN_EIO;
        KN_LOG_INFO("db", "migrated schema to version %d", i + 1);
    }
    return 0;
}

int kn_db_open(kn_db *db, const char *path) {
    char pragma[64];
    int rc;

    memset(db, 0, sizeof(*db));
    rc = sqlite3_open_v2(path, &db->h,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = rc == SQLITE_NOMEM ? KN_ENOMEM : KN_EIO;
        goto fail;
    }
    rc = KN_EIO;
    snprintf(pragma, sizeof(pragma), "PRAGMA busy_timeout=%d", KN_DB_BUSY_MS);
    if (exec(db->h, pragma) != 0 || exec(db->h, "PRAGMA foreign_keys=ON") != 0 ||
        exec(db->h, "PRAGMA journal_mode=WAL") != 0 ||
        exec(db->h, "PRAGMA synchronous=NORMAL") != 0 || exec(db->h, "PRAGMA secure_delete=ON"))
        goto fail;
    if (migrate(db) != 0)
        goto fail;
    return 0;

fail:
    if (db->h != NULL && sqlite3_errcode(db->h) != SQLITE_OK)
        KN_LOG_ERROR("db", "open %s: %s", path, sqlite3_errmsg(db->h));
    kn_db_close(db);
    return rc;
}

void kn_db_close(kn_db *db) {
    for (int i = 0; i < KN_DB_STMTS; i++)
        sqlite3_finalize(db->stmts[i]);
    sqlite3_close(db->h);
    memset(db, 0, sizeof(*db));
}

sqlite3_stmt *kn_db_stmt(kn_db *db, int slot, const char *sql) {
    sqlite3_stmt *st;

    if (slot < 0 || slot >= KN_DB_STMTS)
        return NULL;
    st = db->stmts[slot];
    if (st == NULL) {
        if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
            KN_LOG_ERROR("db", "prepare: %s", sqlite3_errmsg(db->h));
            return NULL;
        }
        db->stmts[slot] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int kn_db_exec_stmt(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return (rc & 0xff) == SQLITE_CONSTRAINT ? KN_EEXIST : KN_EIO;
}

int kn_db_begin(kn_db *db) {
    return exec(db->h, "BEGIN IMMEDIATE");
}

int kn_db_commit(kn_db *db) {
    return exec(db->h, "COMMIT");
}

void kn_db_rollback(kn_db *db) {
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}
