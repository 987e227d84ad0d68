/*
 * schema.c: the SQL of every migration (see schema.h). What is stored and why
 * is described in docs/data-and-retention.md; in short: no patient names, no
 * contact addresses, no content; access codes and session tokens only as
 * keyed or plain hashes; times are Unix seconds.
 */
#include "store/schema.h"

static const char v1[] =
    "CREATE TABLE practices("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE hosts("
    " id INTEGER PRIMARY KEY,"
    " practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,"
    " email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " role TEXT NOT NULL CHECK(role IN ('doctor','therapist','assistant')),"
    " pw_hash TEXT NOT NULL,"
    " totp_secret BLOB,"
    " totp_last_step INTEGER NOT NULL DEFAULT 0,"
    " session_gen INTEGER NOT NULL DEFAULT 1,"
    " failed_logins INTEGER NOT NULL DEFAULT 0,"
    " locked_until INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX hosts_practice ON hosts(practice_id);"

    "CREATE TABLE sessions("
    " token_hash BLOB PRIMARY KEY,"
    " host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
    " gen INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL);"
    "CREATE INDEX sessions_host ON sessions(host_id);"
    "CREATE INDEX sessions_expiry ON sessions(expires_at);"

    "CREATE TABLE appointments("
    " id INTEGER PRIMARY KEY,"
    " public_id TEXT NOT NULL UNIQUE,"
    " practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,"
    " host_id INTEGER REFERENCES hosts(id) ON DELETE SET NULL,"
    " start_at INTEGER NOT NULL,"
    " duration_s INTEGER NOT NULL CHECK(duration_s BETWEEN 300 AND 28800),"
    " type TEXT NOT NULL CHECK(type IN ('one_to_one','with_companion','group')),"
    " state TEXT NOT NULL DEFAULT 'scheduled'"
    "  CHECK(state IN ('scheduled','active','ended','cancelled')),"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX appointments_day ON appointments(practice_id, start_at);"
    "CREATE INDEX appointments_end ON appointments(start_at + duration_s);"

    "CREATE TABLE invitees("
    " id INTEGER PRIMARY KEY,"
    " public_id TEXT NOT NULL UNIQUE,"
    " appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL CHECK(role IN ('patient','interpreter','relative')),"
    " pseudonym TEXT NOT NULL,"
    " code_mac BLOB,"
    " code_expires_at INTEGER NOT NULL,"
    " code_failures INTEGER NOT NULL DEFAULT 0,"
    " code_locked_until INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX invitees_appointment ON invitees(appointment_id);"
    "CREATE INDEX invitees_code_expiry ON invitees(code_expires_at) WHERE code_mac IS NOT NULL;"

    "CREATE TABLE consultations("
    " id INTEGER PRIMARY KEY,"
    " practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,"
    " type TEXT NOT NULL CHECK(type IN ('one_to_one','with_companion','group')),"
    " host_role TEXT NOT NULL CHECK(host_role IN ('doctor','therapist','assistant')),"
    " started_at INTEGER NOT NULL,"
    " ended_at INTEGER,"
    " patients INTEGER NOT NULL DEFAULT 0,"
    " interpreters INTEGER NOT NULL DEFAULT 0,"
    " relatives INTEGER NOT NULL DEFAULT 0,"
    " peak_participants INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX consultations_started ON consultations(started_at);";

const char *const kn_schema_migrations[] = {v1};
const int kn_schema_count = (int)(sizeof(kn_schema_migrations) / sizeof(kn_schema_migrations[0]));
