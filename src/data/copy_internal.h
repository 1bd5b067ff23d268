/*
 * copy_internal.h - what the copy_*.c files share (internal): the COPY text
 * format helpers and the catalog of the tables a copy moves.
 */
#ifndef DBW_DATA_COPY_INTERNAL_H
#define DBW_DATA_COPY_INTERNAL_H

#include <stddef.h>
#include <dbward/copy.h>
#include "driver/copy_io.h"
#include "util/util.h"

/* ---- COPY text format (copy_text.c) ---- */

/* Split one COPY text row (with or without its newline) into at most max
 * fields; fields point into line and stay escaped; "\N" sets is_null.
 * @return 0, or -1 when the row has more than max fields. */
int dbw_copytext_split(const char *line, size_t len, dbw_field *fields, size_t max, size_t *n_out);
/* Undo the escapes of one field into out (reset first, NUL-terminated). */
int dbw_copytext_unescape(const char *p, size_t len, dbw_buf *out);
/* Append p escaped for COPY text to out. */
int dbw_copytext_escape(const char *p, size_t len, dbw_buf *out);

/* ---- the catalog (copy_catalog.c) ---- */

typedef struct dbw_ccol {
	char *name;
	char *type; /* PostgreSQL format_type(); SQLite's declared type, lower case */
} dbw_ccol;

typedef struct dbw_ctable {
	char *schema; /* "main" on SQLite */
	char *name;
	char *oid; /* PostgreSQL pg_class oid as text; SQLite: the name */
	int partitioned;
	int unqualified;    /* from SQLite: name it without a schema on PostgreSQL too */
	long long est_rows; /* reltuples, -1 unknown */
	dbw_ccol *cols;     /* copied columns in attnum order (generated ones left out) */
	size_t ncols;
	size_t *refs; /* indexes of tables this one references (within the catalog) */
	int *refs_deferrable;
	size_t nrefs;
	dbw_strv seqs; /* sequences owned by its columns, schema-qualified and quoted */
} dbw_ctable;

typedef struct dbw_catalog {
	dbw_db_kind kind;
	dbw_ctable *tables; /* schema, name order */
	size_t count;
} dbw_catalog;

/* Read the user tables of c (dbward's own tables left out). Reads only. */
int dbw_catalog__load(dbw_conn *c, dbw_catalog **out, dbw_error *err);
void dbw_catalog__free(dbw_catalog *cat);

/* Select tables by a "t1,s.t2" list (NULL: all) into *idx_out (catalog indexes,
 * catalog order). DBW_ENOTFOUND names the first unknown table. */
int dbw_catalog__select(const dbw_catalog *cat, const char *list, size_t **idx_out, size_t *n_out,
                        dbw_error *err);

/* Order sel (n indexes) so that referenced tables come first. A cycle whose
 * edges are all DEFERRABLE is broken (constraints are deferred); any other
 * cycle is DBW_EUSAGE naming the tables. */
int dbw_catalog__order(const dbw_catalog *cat, size_t *sel, size_t n, dbw_error *err);

/* "schema"."table" (PostgreSQL) or "table" (SQLite); caller frees. */
char *dbw_catalog__qname(dbw_db_kind kind, const dbw_ctable *t);

/* The PII report over selected catalog tables (copy_pii.c). */
int dbw_pii__report(const dbw_catalog *cat, const size_t *sel, size_t n, const dbw_rules *rules,
                    dbw_pii_report **out, dbw_error *err);

/* Drop the plain indexes of a large PostgreSQL target table, keeping their
 * definitions in defs; build them again (copy_index.c). */
int dbw_copy__indexes_drop(dbw_conn *dst, const dbw_ctable *t, dbw_strv *defs, dbw_error *err);
int dbw_copy__indexes_create(dbw_conn *dst, const dbw_strv *defs, dbw_error *err);

/* Tables dbward keeps for itself (history, stamp, audit, seeds): never copied. */
int dbw_copy__internal_table(const char *table);

#endif
