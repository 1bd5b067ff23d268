/*
 * sqlite.c - the SQLite rules, read from what SQLite's own parser and
 * authorizer report on the shadow database (src/driver/sqlite_lint.c) and
 * from the shadow's schema before and after each ALTER TABLE. Owns the
 * SQLite side of: drop table (with Prisma's copy-rename-drop redefinition
 * recognised), drop / rename column, rename table, DELETE / UPDATE without
 * WHERE, and parse errors (a statement SQLite refuses to prepare, or to run on
 * the shadow database).
 *
 * DELETE and UPDATE without WHERE: SQLite's authorizer reports a READ for
 * every column a WHERE clause reads; a DELETE of a table with no READ of
 * that table has no WHERE. An UPDATE whose SET reads a column of its own
 * table (SET a = b), or a RETURNING clause, is not told apart from a WHERE
 * (a known gap).
 */
#include <stdlib.h>
#include <string.h>

#include "lint_internal.h"
#include "driver/sqlite_lint.h"

typedef struct sqf {
	dbw_lint_file *f;
	dbw_strv created;
	dbw_strv copies;  /* "src\ndst" */
	dbw_strv renames; /* "old\nnew" */
	dbw_strv drops;   /* "table\noffset\nlength" */
	dbw_strv tables_before;
	dbw_strv cols_before;
	const char *alter_table;
} sqf;

static int push_pair(dbw_strv *v, const char *a, const char *b)
{
	char *s = dbw_sprintf("%s\n%s", a, b);
	return s ? dbw_strv_take(v, s) : DBW_ENOMEM;
}

static int has_pair(const dbw_strv *v, const char *a, const char *b)
{
	char *s = dbw_sprintf("%s\n%s", a, b);
	int r = s && dbw_strv_contains(v, s);
	free(s);
	return r;
}

static int rep(sqf *q, const dbw_sq_stmt *st, const char *rule, const char *table, dbw_error *err,
               const char *fmt, const char *a, const char *b)
{
	size_t base = q->f->start;
	return dbw_lint__report(q->f, rule, base + st->offset, base + st->offset, st->length, table,
	                        NULL, err, fmt, a ? a : "", b ? b : "");
}

static int before(sqf *q, const dbw_sq_stmt *st, dbw_error *err)
{
	dbw_sqlite_shadow *sh = q->f->l->sqlite_shadow;
	const char *insert_into = NULL;
	int rc = 0, dropping = 0;

	if (st->error) {
		size_t base = q->f->start;
		return dbw_lint__report(q->f, "DW001", base + st->error_offset, base + st->offset,
		                        st->length, NULL, NULL, err, "%s", st->error);
	}
	q->alter_table = NULL;
	for (size_t i = 0; i < st->n_actions; i++)
		if (st->actions[i].action == DBW_SQ_INSERT)
			insert_into = st->actions[i].table;
		else if (st->actions[i].action == DBW_SQ_DROP_TABLE)
			dropping = 1; /* DROP TABLE also reports a DELETE of its rows */
	for (size_t i = 0; i < st->n_actions && !rc; i++) {
		const dbw_sq_action *a = &st->actions[i];
		const char *t = a->table;
		int read_own = 0;
		if (!t)
			continue;
		switch (a->action) {
		case DBW_SQ_CREATE_TABLE:
			if (dbw_strv_push(&q->created, t))
				rc = DBW_ENOMEM;
			break;
		case DBW_SQ_DROP_TABLE:
			if (!dbw_strv_contains(&q->created, t)) {
				char *s = dbw_sprintf("%s\n%zu\n%zu", t, st->offset, st->length);
				if (!s || dbw_strv_take(&q->drops, s))
					rc = DBW_ENOMEM;
			}
			break;
		case DBW_SQ_READ:
			if (insert_into && strcmp(insert_into, t) &&
			    !has_pair(&q->copies, t, insert_into) &&
			    push_pair(&q->copies, t, insert_into))
				rc = DBW_ENOMEM;
			break;
		case DBW_SQ_DELETE:
		case DBW_SQ_UPDATE:
			if (dropping || dbw_strv_contains(&q->created, t) ||
			    strncmp(t, "sqlite_", 7) == 0)
				break;
			for (size_t j = 0; j < st->n_actions; j++)
				if (st->actions[j].action == DBW_SQ_READ && st->actions[j].table &&
				    strcmp(st->actions[j].table, t) == 0)
					read_own = 1;
			if (read_own)
				break;
			if (a->action == DBW_SQ_DELETE)
				rc = rep(q, st, "DW105", t, err,
				         "DELETE without WHERE removes every row of \"%s\"%s", t,
				         "");
			else if (!(i > 0 && st->actions[i - 1].action == DBW_SQ_UPDATE &&
			           strcmp(st->actions[i - 1].table, t) == 0))
				rc = rep(q, st, "DW106", t, err,
				         "UPDATE without WHERE rewrites every row of \"%s\"%s", t,
				         "");
			break;
		case DBW_SQ_ALTER_TABLE:
			q->alter_table = t;
			dbw_strv_free(&q->tables_before);
			dbw_strv_free(&q->cols_before);
			if ((rc = dbw_sqlite__shadow_tables(sh, &q->tables_before, err)) != 0 ||
			    (rc = dbw_sqlite__shadow_columns(sh, t, &q->cols_before, err)) != 0)
				return rc;
			break;
		}
	}
	return rc == DBW_ENOMEM ? dbw_error_set(err, DBW_ENOMEM, "out of memory") : rc;
}

static int after_alter(sqf *q, const dbw_sq_stmt *st, dbw_error *err)
{
	dbw_sqlite_shadow *sh = q->f->l->sqlite_shadow;
	dbw_strv tables = DBW_STRV_INIT, cols = DBW_STRV_INIT;
	const char *t = q->alter_table;
	int rc;
	int is_new = dbw_strv_contains(&q->created, t);

	if ((rc = dbw_sqlite__shadow_tables(sh, &tables, err)) != 0 ||
	    (rc = dbw_sqlite__shadow_columns(sh, t, &cols, err)) != 0)
		goto done;
	if (!dbw_strv_contains(&tables, t)) { /* renamed */
		for (size_t i = 0; i < tables.count && !rc; i++) {
			const char *nn = tables.items[i];
			if (dbw_strv_contains(&q->tables_before, nn))
				continue;
			if (push_pair(&q->renames, t, nn) ||
			    (is_new && dbw_strv_push(&q->created, nn))) {
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				break;
			}
			if (!is_new)
				rc = rep(q, st, "DW303", t, err,
				         "table \"%s\" is renamed to \"%s\"", t, nn);
		}
		goto done;
	}
	if (is_new)
		goto done;
	if (cols.count < q->cols_before.count) {
		for (size_t i = 0; i < q->cols_before.count && !rc; i++)
			if (!dbw_strv_contains(&cols, q->cols_before.items[i]))
				rc = rep(q, st, "DW102", t, err,
				         "column \"%s\" of table \"%s\" is dropped",
				         q->cols_before.items[i], t);
	} else if (cols.count > q->cols_before.count) {
		for (size_t i = 0; i < cols.count && !rc; i++) {
			int nn = 0, def = 0;
			if (dbw_strv_contains(&q->cols_before, cols.items[i]) ||
			    dbw_sqlite__shadow_column_info(sh, t, cols.items[i], &nn, &def, err))
				continue;
			if (nn && !def)
				rc = rep(q, st, "DW301", t, err,
				         "NOT NULL column \"%s\" is added to existing table \"%s\" "
				         "without a default",
				         cols.items[i], t);
		}
	} else if (cols.count == q->cols_before.count) {
		for (size_t i = 0; i < cols.count && !rc; i++)
			if (strcmp(cols.items[i], q->cols_before.items[i]))
				rc = rep(q, st, "DW302", t, err,
				         "column \"%s\" is renamed to \"%s\"",
				         q->cols_before.items[i], cols.items[i]);
	}
done:
	dbw_strv_free(&tables);
	dbw_strv_free(&cols);
	return rc;
}

static int on_stmt(void *ctx, const dbw_sq_stmt *st, dbw_error *err)
{
	sqf *q = ctx;
	if (st->phase == 0)
		return before(q, st, err);
	if (st->exec_error) {
		/* refused when run on the shadow (which holds the earlier migrations' schema) */
		size_t base = q->f->start;
		return dbw_lint__report(q->f, "DW001", base + st->offset, base + st->offset,
		                        st->length, NULL, NULL, err, "%s", st->exec_error);
	}
	if (q->alter_table && !st->exec_error)
		return after_alter(q, st, err);
	return 0;
}

/* Drops not part of a copy-rename-drop redefinition are data loss. */
static int report_drops(sqf *q, dbw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < q->drops.count && !rc; i++) {
		char *t = q->drops.items[i];
		char *p1 = strchr(t, '\n'), *p2;
		dbw_sq_stmt st;
		int redefined = 0;
		*p1 = '\0';
		memset(&st, 0, sizeof(st));
		st.offset = strtoul(p1 + 1, &p2, 10);
		st.length = strtoul(p2 + 1, NULL, 10);
		for (size_t k = 0; k < q->copies.count && !redefined; k++) {
			const char *c = q->copies.items[k], *nl = strchr(c, '\n');
			if (nl && strlen(t) == (size_t)(nl - c) && strncmp(c, t, nl - c) == 0 &&
			    has_pair(&q->renames, nl + 1, t))
				redefined = 1;
		}
		if (!redefined)
			rc = rep(q, &st, "DW101", t, err, "table \"%s\" is dropped with its data%s",
			         t, "");
	}
	return rc;
}

int dbw_lint__sqlite(dbw_lint_file *f, dbw_error *err)
{
	sqf q;
	int rc;
	if (!f->l->sqlite_shadow) {
		dbw_sqlite_shadow *sh;
		if ((rc = dbw_sqlite__shadow_open(&sh, err)) != 0)
			return rc;
		f->l->sqlite_shadow = sh;
	}
	memset(&q, 0, sizeof(q));
	q.f = f;
	rc = dbw_sqlite__shadow_run(f->l->sqlite_shadow, f->content + f->start, f->end - f->start,
	                            on_stmt, &q, err);
	if (!rc)
		rc = report_drops(&q, err);
	dbw_strv_free(&q.created);
	dbw_strv_free(&q.copies);
	dbw_strv_free(&q.renames);
	dbw_strv_free(&q.drops);
	dbw_strv_free(&q.tables_before);
	dbw_strv_free(&q.cols_before);
	return rc;
}

void dbw_lint__sqlite_close(dbw_lint *l)
{
	dbw_sqlite__shadow_close(l->sqlite_shadow);
	l->sqlite_shadow = NULL;
}
