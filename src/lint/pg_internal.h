/*
 * pg_internal.h - what pg.c (parsing, statement dispatch) and pg_ddl.c (the
 * table, column, type and constraint rules) share: the per-file state and
 * small readers of libpg_query's JSON parse tree (internal).
 */
#ifndef DBW_LINT_PG_INTERNAL_H
#define DBW_LINT_PG_INTERNAL_H

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "lint_internal.h"

/* Per-file state. */
typedef struct pgf {
	dbw_lint_file *f;
	size_t base;              /* content offset of the parsed text */
	size_t so, sl;            /* current statement: content offset and length */
	dbw_strv created;         /* tables created in this file */
	dbw_strv indexes;         /* indexes created in this file */
	dbw_strv types;           /* types created in this file */
	dbw_strv renamed_types;   /* "old\nnew" pairs */
	dbw_strv copies;          /* "src\ndst": INSERT INTO dst SELECT ... FROM src */
	dbw_strv renames;         /* "old\nnew" table renames */
	dbw_strv pending_checks;  /* "conname\ntable.col": CHECK (col IS NOT NULL) NOT VALID */
	dbw_strv notnull_ok;      /* "table.col" with a validated IS NOT NULL check */
	const char *rel, *schema; /* the statement's relation (RangeVar), for sizes */
	dbw_strv locked;          /* existing tables this file holds ACCESS EXCLUSIVE locks on */
	dbw_strv backfilled;      /* tables DW213 was reported for */
	int in_txn;
	size_t begin_off, begin_len; /* the open BEGIN */
	int lock_timeout;
	int lock_reported;
} pgf;

/* ---- JSON helpers ---- */

/* The single key of a node wrapper {"Type": {...}}; *inner gets the value. */
static inline const char *node(json_t *n, json_t **inner)
{
	const char *k;
	json_t *v;
	*inner = NULL;
	if (!json_is_object(n))
		return "";
	json_object_foreach(n, k, v)
	{
		*inner = v;
		return k;
	}
	return "";
}

static inline const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static inline int jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* The last String of a names list ("pg_catalog","int4" -> "int4"). */
static inline const char *last_name(json_t *list)
{
	size_t n = json_array_size(list);
	json_t *in;
	if (!n)
		return NULL;
	if (strcmp(node(json_array_get(list, n - 1), &in), "String"))
		return NULL;
	return jstr(in, "sval");
}

/* "varchar(255)", "int4", "text[]" from a TypeName. */
static inline char *type_text(json_t *tn)
{
	dbw_buf b = DBW_BUF_INIT;
	json_t *mods = json_object_get(tn, "typmods"), *m, *in;
	size_t i;
	const char *name = last_name(json_object_get(tn, "names"));
	dbw_buf_puts(&b, name ? name : "?");
	if (json_array_size(mods)) {
		dbw_buf_putc(&b, '(');
		json_array_foreach(mods, i, m)
		{
			json_t *c;
			long v = 0;
			if (strcmp(node(m, &in), "A_Const") == 0 &&
			    (c = json_object_get(in, "ival")))
				v = (long)json_integer_value(json_object_get(c, "ival"));
			dbw_buf_printf(&b, "%s%ld", i ? "," : "", v);
		}
		dbw_buf_putc(&b, ')');
	}
	if (json_array_size(json_object_get(tn, "arrayBounds")))
		dbw_buf_puts(&b, "[]");
	return dbw_buf_detach(&b);
}

static inline const char *relname(json_t *rangevar)
{
	return jstr(rangevar, "relname");
}

/* ---- state helpers ---- */

static inline int pair_has(const dbw_strv *v, const char *a, const char *b)
{
	for (size_t i = 0; i < v->count; i++) {
		const char *s = v->items[i], *nl = strchr(s, '\n');
		if (!nl)
			continue;
		if ((!a || (strlen(a) == (size_t)(nl - s) && strncmp(s, a, nl - s) == 0)) &&
		    (!b || strcmp(nl + 1, b) == 0))
			return 1;
	}
	return 0;
}

static inline int pair_push(dbw_strv *v, const char *a, const char *b)
{
	char *s = dbw_sprintf("%s\n%s", a, b);
	return s ? dbw_strv_take(v, s) : DBW_ENOMEM;
}

static inline int is_new(const pgf *p, const char *table)
{
	return table && dbw_strv_contains(&p->created, table);
}

static inline int report(pgf *p, const char *rule, const char *table, dbw_error *err,
                         const char *fmt, const char *a, const char *b)
{
	size_t before = p->f->l->count;
	int rc = dbw_lint__report(p->f, rule, p->so, p->so, p->sl, table, NULL, err, fmt,
	                          a ? a : "", b ? b : "");
	/* the statement's own relation carries its schema, for live sizes */
	if (!rc && table && p->schema && p->rel && strcmp(table, p->rel) == 0 &&
	    p->f->l->count > before) {
		dbw_finding *f = &p->f->l->items[p->f->l->count - 1];
		if (!(f->schema = dbw_strdup(p->schema)))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	return rc;
}

/* DW209, once per file: an ACCESS EXCLUSIVE lock on an existing table with no lock_timeout. */
static inline int access_exclusive(pgf *p, const char *table, const char *what, dbw_error *err)
{
	if (!table || is_new(p, table))
		return 0;
	/* held until the migration's transaction ends (DW213 reads this) */
	if (!(p->f->flags & DBW_LINT_NO_TXN) && !dbw_strv_contains(&p->locked, table) &&
	    dbw_strv_push(&p->locked, table))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (p->lock_timeout || p->lock_reported || p->f->l->lock_timeout_configured)
		return 0;
	p->lock_reported = 1;
	return report(p, "DW209", table, err,
	              "%s takes an ACCESS EXCLUSIVE lock on \"%s\" with no lock_timeout set", what,
	              table);
}

/* pg_ddl.c: one handler per statement kind that changes tables and types. */
int dbw_lint__pg_create(pgf *p, json_t *s, dbw_error *err);
int dbw_lint__pg_alter(pgf *p, json_t *s, dbw_error *err);
int dbw_lint__pg_drop(pgf *p, json_t *s, dbw_error *err);
int dbw_lint__pg_rename(pgf *p, json_t *s, dbw_error *err);
int dbw_lint__pg_create_enum(pgf *p, json_t *s, dbw_error *err);

#endif
