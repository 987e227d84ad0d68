/*
 * schema.h: the store's migrations, in order. Migration i (0-based) takes the
 * schema from version i to i+1; each runs in its own transaction together
 * with the schema_version update, so a crash leaves a consistent version.
 * Migrations are append-only: never edit one that has shipped.
 */
#ifndef KN_SCHEMA_H
#define KN_SCHEMA_H

extern const char *const kn_schema_migrations[];
extern const int kn_schema_count;

#endif
