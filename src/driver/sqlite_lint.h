/*
 * sqlite_lint.h - SQLite's own parser for the lint layer (internal).
 *
 * A shadow is an in-memory SQLite database. Each statement of a script is
 * prepared on it with an authorizer callback that records every action
 * SQLite reports (create/drop table, insert, delete, update, read, alter
 * table, ...), handed to the caller, then executed so that later statements
 * (and later migrations) see its effect: a shadow fed the earlier
 * migrations first lints the current one against their schema. The lint
 * layer never sees sqlite3.h: actions are mapped to DBW_SQ_*.
 */
#ifndef DBW_SQLITE_LINT_H
#define DBW_SQLITE_LINT_H

#include <stddef.h>
#include <dbward/error.h>
#include "util/util.h"

typedef struct dbw_sqlite_shadow dbw_sqlite_shadow;

enum {
	DBW_SQ_OTHER = 0,
	DBW_SQ_CREATE_TABLE,
	DBW_SQ_DROP_TABLE,
	DBW_SQ_INSERT,
	DBW_SQ_DELETE,
	DBW_SQ_UPDATE,
	DBW_SQ_READ,
	DBW_SQ_ALTER_TABLE,
	DBW_SQ_CREATE_INDEX,
	DBW_SQ_DROP_INDEX,
	DBW_SQ_PRAGMA,
	DBW_SQ_TRANSACTION
};

typedef struct dbw_sq_action {
	int action;   /* DBW_SQ_* */
	char *table;  /* the table the action names, or NULL */
	char *column; /* READ / UPDATE column, PRAGMA name, or NULL */
} dbw_sq_action;

typedef struct dbw_sq_stmt {
	size_t offset; /* byte offset of the first token in the script */
	size_t length; /* bytes up to and including the end of the statement */
	int phase;     /* 0: prepared, not yet run; 1: after it ran on the shadow */
	dbw_sq_action *actions;
	size_t n_actions;
	const char *error;      /* prepare failed: SQLite's message (phase 0 only) */
	size_t error_offset;    /* byte offset of the error in the script */
	const char *exec_error; /* phase 1: running it on the shadow failed, or NULL */
} dbw_sq_stmt;

typedef int (*dbw_sq_stmt_fn)(void *ctx, const dbw_sq_stmt *st, dbw_error *err);

/* Open an in-memory shadow. @return 0; DBW_ERROR; DBW_ENOMEM. */
int dbw_sqlite__shadow_open(dbw_sqlite_shadow **out, dbw_error *err);
void dbw_sqlite__shadow_close(dbw_sqlite_shadow *s);

/*
 * Walk sql[0, len) statement by statement with SQLite's parser: fn is called
 * once after prepare (phase 0; with error set when SQLite rejects the
 * statement, after which the walk resumes at the next complete statement)
 * and once after the statement ran on the shadow (phase 1).
 * @return 0; what fn returns; DBW_ENOMEM.
 */
int dbw_sqlite__shadow_run(dbw_sqlite_shadow *s, const char *sql, size_t len, dbw_sq_stmt_fn fn,
                           void *ctx, dbw_error *err);

/* Tables of the shadow's main schema (sorted). */
int dbw_sqlite__shadow_tables(dbw_sqlite_shadow *s, dbw_strv *out, dbw_error *err);

/* Columns of a table, in order; empty when the table does not exist. */
int dbw_sqlite__shadow_columns(dbw_sqlite_shadow *s, const char *table, dbw_strv *out,
                               dbw_error *err);

/* A column's NOT NULL flag and whether it has a default (PRAGMA table_info). 0 or DBW_ENOTFOUND. */
int dbw_sqlite__shadow_column_info(dbw_sqlite_shadow *s, const char *table, const char *column,
                                   int *not_null_out, int *has_default_out, dbw_error *err);

#endif
