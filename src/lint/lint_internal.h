/*
 * lint_internal.h - what the lint layer's files share (internal): the
 * session, the schema model that carries across files, and the helpers the
 * PostgreSQL and SQLite rule files use to record findings.
 */
#ifndef DBW_LINT_INTERNAL_H
#define DBW_LINT_INTERNAL_H

#include <dbward/copy.h>
#include <dbward/lint.h>
#include "util/util.h"

/* A column the model knows: "table.column" and its type as written, normalised. */
typedef struct dbw_lint_col {
	char *table;
	char *column;
	char *type; /* e.g. "varchar(255)", "int4", "text" */
	int not_null;
} dbw_lint_col;

/* An enum type and its values, comma-joined. */
typedef struct dbw_lint_enum {
	char *name;
	dbw_strv values;
} dbw_lint_enum;

typedef struct dbw_lint_model {
	dbw_strv tables; /* tables created by earlier files (and this one, as it goes) */
	dbw_lint_col *cols;
	size_t n_cols, cap_cols;
	dbw_strv indexes; /* "index\ntable" for indexes created by the linted files */
	dbw_lint_enum *enums;
	size_t n_enums, cap_enums;
} dbw_lint_model;

struct dbw_lint {
	dbw_db_kind dialect;
	dbw_severity overrides[64]; /* by rule index; DBW_SEV_OFF - 1 = none */
	int has_override[64];
	long small_table_rows; /* -1: not set */
	int lock_timeout_configured;
	dbw_finding *items;
	size_t count, cap;
	dbw_lint_model model;
	void *sqlite_shadow;  /* dbw_sqlite_shadow, opened on first SQLite text */
	dbw_rules *pii_rules; /* the project's sanitize rules (DW601); NULL: no rules file */
};

/* The state of one file being linted. */
typedef struct dbw_lint_file {
	dbw_lint *l;
	const char *file;
	const char *content;
	size_t len;
	size_t start, end;
	unsigned flags;
	size_t first_finding; /* index of this file's first finding */
} dbw_lint_file;

/* Record a finding of rule_id at content offset off; stmt_off/stmt_len give the excerpt. */
int dbw_lint__report(dbw_lint_file *f, const char *rule_id, size_t off, size_t stmt_off,
                     size_t stmt_len, const char *table, const char *hint, dbw_error *err,
                     const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* Index of a rule in the table, or -1. */
int dbw_lint__rule_index(const char *id);

/* Apply "-- dbward:allow" comments of the file to its findings (DW002 for unmatched ones). */
int dbw_lint__apply_allows(dbw_lint_file *f, dbw_error *err);

/* The engines. */
int dbw_lint__pg(dbw_lint_file *f, dbw_error *err);
int dbw_lint__sqlite(dbw_lint_file *f, dbw_error *err);
void dbw_lint__sqlite_close(dbw_lint *l);

/* ---- model ---- */
void dbw_lint__model_free(dbw_lint_model *m);
int dbw_lint__model_has_table(const dbw_lint_model *m, const char *table);
int dbw_lint__model_add_table(dbw_lint_model *m, const char *table);
void dbw_lint__model_drop_table(dbw_lint_model *m, const char *table);
void dbw_lint__model_rename_table(dbw_lint_model *m, const char *from, const char *to);
int dbw_lint__model_set_col(dbw_lint_model *m, const char *table, const char *col, const char *type,
                            int not_null);
const dbw_lint_col *dbw_lint__model_col(const dbw_lint_model *m, const char *table,
                                        const char *col);
void dbw_lint__model_drop_col(dbw_lint_model *m, const char *table, const char *col);
void dbw_lint__model_rename_col(dbw_lint_model *m, const char *table, const char *from,
                                const char *to);
dbw_lint_enum *dbw_lint__model_enum(dbw_lint_model *m, const char *name);
int dbw_lint__model_add_enum(dbw_lint_model *m, const char *name, dbw_strv *values_taken);
/* Index -> table, as the linted files created them; NULL when unknown. */
int dbw_lint__model_add_index(dbw_lint_model *m, const char *index, const char *table);
const char *dbw_lint__model_index_table(const dbw_lint_model *m, const char *index);
/* 1 when a known column has that type (or an array of it). */
int dbw_lint__model_type_in_use(const dbw_lint_model *m, const char *type);
void dbw_lint__model_drop_enum(dbw_lint_model *m, const char *name);
void dbw_lint__model_rename_enum(dbw_lint_model *m, const char *from, const char *to);

/* How a column type change behaves, from old and new normalised types. */
typedef enum dbw_type_change {
	DBW_TC_UNKNOWN = 0, /* old type unknown */
	DBW_TC_FREE,        /* no rewrite, no loss (varchar(10) -> varchar(20) / text) */
	DBW_TC_REWRITE,     /* rewrite, no loss (int4 -> int8) */
	DBW_TC_LOSSY        /* rewrite and values may be lost or refused (int8 -> int4) */
} dbw_type_change;
dbw_type_change dbw_lint__type_change(const char *old_type, const char *new_type);

#endif
