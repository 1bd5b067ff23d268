/*
 * internal.h - what the files of the schema layer share: building the model
 * (objects, attributes) and the per-engine introspection entry points.
 */
#ifndef DBW_SCHEMA_INTERNAL_H
#define DBW_SCHEMA_INTERNAL_H

#include <dbward/schema.h>
#include "util/util.h"

/* Functions ranked at or above this are created after tables (dump.c). */
#define RANK_LATE 1000

/* Append an object; strings are copied (NULL stays NULL). Returns the new
 * object or NULL on ENOMEM. The pointer is valid until the next append. */
dbw_schema_obj *dbw_schema__add(dbw_schema *s, dbw_obj_kind kind, const char *schema,
                                const char *table, const char *name, const char *sql);
/* Append an attribute (value copied; NULL stays NULL). 0 or DBW_ENOMEM. */
int dbw_schema__attr(dbw_schema_obj *o, const char *key, const char *value);
/* Take ownership of sql (replacing any). */
void dbw_schema__set_sql(dbw_schema_obj *o, char *sql);
/* Sort into model order (kind, schema, table, name). */
void dbw_schema__sort(dbw_schema *s);
/* Compare two possibly-NULL strings (NULL first). */
int dbw_schema__strcmp(const char *a, const char *b);
/* Is this a bookkeeping table of dbward or Prisma? */
int dbw_schema__is_own_table(const char *name);

/* Engine introspection (pg_introspect*.c, sqlite_introspect.c). */
int dbw_pg__introspect(dbw_schema *s, dbw_conn *c, const dbw_schema_options *opts, dbw_error *err);
int dbw_pg__introspect_types(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err);
int dbw_pg__introspect_tables(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err);
int dbw_pg__introspect_code(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err);
int dbw_sqlite__introspect(dbw_schema *s, dbw_conn *c, const dbw_schema_options *opts,
                           dbw_error *err);

/* SQLite's DDL for a diff (diff_sql_sqlite.c), appended to b. */
void dbw_sqlite__diff_sql(const dbw_schema_diff *d, dbw_buf *b);

/* Run a catalog query; on failure err is set and the result NULL. */
int dbw_schema__query(dbw_conn *c, const char *sql, dbw_result **out, dbw_error *err);

/* Qualified name "schema.name" with identifiers quoted only when needed. */
char *dbw_schema__qname(dbw_db_kind engine, const char *schema, const char *name);
/* Quote an identifier only when PostgreSQL would need it (lower-case, not a keyword). */
char *dbw_schema__ident(dbw_db_kind engine, const char *name);

#endif
