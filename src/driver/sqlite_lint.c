/*
 * sqlite_lint.c - the SQLite shadow database behind `dbward lint` on SQLite
 * migrations: statements prepared with SQLite's own parser and an
 * authorizer that reports each action (https://sqlite.org/c3ref/set_authorizer.html),
 * then run so that the schema grows as the migrations do.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "sqlite_lint.h"

struct dbw_sqlite_shadow {
	sqlite3 *db;
	dbw_sq_action *acts;
	size_t n, cap;
	int oom;
	int in_run;   /* the authorizer is installed */
	int attach;   /* the statement opens another file (ATTACH, VACUUM INTO): never run it */
	int stepping; /* inside sqlite3_step: VACUUM INTO asks for its file only then */
	long ticks;   /* progress-handler calls for the running statement */
};

static int progress(void *ctx);

int dbw_sqlite__shadow_open(dbw_sqlite_shadow **out, dbw_error *err)
{
	dbw_sqlite_shadow *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		dbw_error_set(err, DBW_ERROR, "could not open an in-memory SQLite database: %s",
		              s->db ? sqlite3_errmsg(s->db) : "out of memory");
		dbw_sqlite__shadow_close(s);
		return DBW_ERROR;
	}
	sqlite3_progress_handler(s->db, 1000, progress, s);
	*out = s;
	return 0;
}

static void clear_actions(dbw_sqlite_shadow *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->acts[i].table);
		free(s->acts[i].column);
	}
	s->n = 0;
}

void dbw_sqlite__shadow_close(dbw_sqlite_shadow *s)
{
	if (!s)
		return;
	clear_actions(s);
	free(s->acts);
	sqlite3_close(s->db);
	free(s);
}

static int map_action(int code)
{
	switch (code) {
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_TEMP_TABLE:
		return DBW_SQ_CREATE_TABLE;
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TEMP_TABLE:
		return DBW_SQ_DROP_TABLE;
	case SQLITE_INSERT:
		return DBW_SQ_INSERT;
	case SQLITE_DELETE:
		return DBW_SQ_DELETE;
	case SQLITE_UPDATE:
		return DBW_SQ_UPDATE;
	case SQLITE_READ:
		return DBW_SQ_READ;
	case SQLITE_ALTER_TABLE:
		return DBW_SQ_ALTER_TABLE;
	case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TEMP_INDEX:
		return DBW_SQ_CREATE_INDEX;
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TEMP_INDEX:
		return DBW_SQ_DROP_INDEX;
	case SQLITE_PRAGMA:
		return DBW_SQ_PRAGMA;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		return DBW_SQ_TRANSACTION;
	default:
		return DBW_SQ_OTHER;
	}
}

/* The authorizer: record, never deny. */
static int authorizer(void *ctx, int code, const char *a1, const char *a2, const char *dbname,
                      const char *trigger)
{
	dbw_sqlite_shadow *s = ctx;
	dbw_sq_action *a;
	int kind = map_action(code);
	(void)dbname;
	if (code == SQLITE_ATTACH) {
		s->attach = 1;
		if (s->stepping)
			return SQLITE_DENY;
	}
	if (kind == DBW_SQ_OTHER || trigger || s->oom)
		return SQLITE_OK;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		dbw_sq_action *n = realloc(s->acts, cap * sizeof(*n));
		if (!n) {
			s->oom = 1;
			return SQLITE_OK;
		}
		s->acts = n;
		s->cap = cap;
	}
	a = &s->acts[s->n++];
	a->action = kind;
	a->table = NULL;
	a->column = NULL;
	switch (kind) {
	case DBW_SQ_ALTER_TABLE: /* (database, table) */
		a->table = dbw_strdup(a2);
		break;
	case DBW_SQ_READ:
	case DBW_SQ_UPDATE:
		a->table = dbw_strdup(a1);
		a->column = dbw_strdup(a2);
		break;
	case DBW_SQ_CREATE_INDEX:
	case DBW_SQ_DROP_INDEX: /* (index, table) */
		a->table = dbw_strdup(a2);
		a->column = dbw_strdup(a1);
		break;
	case DBW_SQ_PRAGMA:
		a->column = dbw_strdup(a1);
		break;
	default:
		a->table = dbw_strdup(a1);
	}
	return SQLITE_OK;
}

/*
 * The shadow runs statements only to know the schema they leave; a data
 * statement that would run for long (a recursive CTE without end, a big
 * generated INSERT) is stopped after a budget of virtual-machine steps and
 * counted as run. 1000 handler calls of 1000 opcodes: about a million steps.
 */
static int progress(void *ctx)
{
	dbw_sqlite_shadow *s = ctx;
	return ++s->ticks > 1000;
}

static size_t skip_blank(const char *s, size_t i, size_t len)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
		    s[i] == ';')
			i++;
		else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-')
			while (i < len && s[i] != '\n')
				i++;
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			char *e = memmem(s + i + 2, len - i - 2, "*/", 2);
			i = e ? (size_t)(e - s) + 2 : len;
		} else
			break;
	}
	return i;
}

/* After a rejected statement: the end of the next complete statement (sqlite3_complete). */
static size_t next_statement(const char *sql, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++) {
		if (sql[i] != ';')
			continue;
		char *part = dbw_strndup(sql + from, i + 1 - from);
		int done = part ? sqlite3_complete(part) : 1;
		free(part);
		if (done)
			return i + 1;
	}
	return len;
}

int dbw_sqlite__shadow_run(dbw_sqlite_shadow *s, const char *text, size_t len, dbw_sq_stmt_fn fn,
                           void *ctx, dbw_error *err)
{
	char *sql = dbw_strndup(text, len);
	size_t pos = 0;
	int rc = 0;

	if (!sql)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	len = strlen(sql); /* SQLite stops at a NUL byte too: never read past one */
	sqlite3_set_authorizer(s->db, authorizer, s);
	s->in_run = 1;
	while (!rc && (pos = skip_blank(sql, pos, len)) < len) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		dbw_sq_stmt info;
		int prc;
		memset(&info, 0, sizeof(info));
		clear_actions(s);
		s->attach = 0;
		prc = sqlite3_prepare_v2(s->db, sql + pos, (int)(len - pos), &st, &tail);
		info.offset = pos;
		if (prc != SQLITE_OK) {
			int eo = sqlite3_error_offset(s->db);
			size_t next = next_statement(sql, pos, len);
			info.error = sqlite3_errmsg(s->db);
			info.error_offset = pos + (eo >= 0 ? (size_t)eo : 0);
			info.length = next - pos;
			rc = fn(ctx, &info, err);
			pos = next;
			continue;
		}
		if (!st) { /* only comments left */
			break;
		}
		info.length = (size_t)(tail - (sql + pos));
		info.actions = s->acts;
		info.n_actions = s->n;
		if (s->oom) {
			sqlite3_finalize(st);
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			break;
		}
		rc = fn(ctx, &info, err);
		if (!rc) {
			/* the shadow lives in memory: a statement that would write a file
			 * (ATTACH 'x.db', VACUUM INTO 'x.db') is prepared, never run */
			int step = SQLITE_DONE;
			s->stepping = 1;
			s->ticks = 0;
			if (!s->attach)
				while ((step = sqlite3_step(st)) == SQLITE_ROW)
					;
			s->stepping = 0;
			info.phase = 1;
			info.exec_error = step == SQLITE_DONE || s->attach || s->ticks > 1000
			                      ? NULL
			                      : sqlite3_errmsg(s->db);
			rc = fn(ctx, &info, err);
		}
		sqlite3_finalize(st);
		pos += info.length;
	}
	sqlite3_set_authorizer(s->db, NULL, NULL);
	s->in_run = 0;
	clear_actions(s);
	free(sql);
	return rc;
}

static int list_query(dbw_sqlite_shadow *s, const char *q, const char *param, dbw_strv *out,
                      dbw_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	/* the caller may be inside a walk: keep this query out of its actions */
	sqlite3_set_authorizer(s->db, NULL, NULL);
	if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK)
		rc = dbw_error_set(err, DBW_ERROR, "could not read the shadow schema: %s",
		                   sqlite3_errmsg(s->db));
	if (s->in_run)
		sqlite3_set_authorizer(s->db, authorizer, s);
	if (rc)
		return rc;
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (dbw_strv_push(out, (const char *)sqlite3_column_text(st, 0))) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			break;
		}
	sqlite3_finalize(st);
	return rc;
}

int dbw_sqlite__shadow_tables(dbw_sqlite_shadow *s, dbw_strv *out, dbw_error *err)
{
	return list_query(s,
	                  "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
	                  "'sqlite_%' ORDER BY name",
	                  NULL, out, err);
}

int dbw_sqlite__shadow_columns(dbw_sqlite_shadow *s, const char *table, dbw_strv *out,
                               dbw_error *err)
{
	return list_query(s, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", table, out,
	                  err);
}

int dbw_sqlite__shadow_column_info(dbw_sqlite_shadow *s, const char *table, const char *column,
                                   int *not_null_out, int *has_default_out, dbw_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = DBW_ENOTFOUND;
	sqlite3_set_authorizer(s->db, NULL, NULL);
	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT \"notnull\", dflt_value IS NOT NULL FROM pragma_table_info(?1) "
	        "WHERE name = ?2",
	        -1, &st, NULL) != SQLITE_OK) {
		rc = dbw_error_set(err, DBW_ERROR, "could not read the shadow schema: %s",
		                   sqlite3_errmsg(s->db));
	} else {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, column, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*not_null_out = sqlite3_column_int(st, 0);
			*has_default_out = sqlite3_column_int(st, 1);
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	if (s->in_run)
		sqlite3_set_authorizer(s->db, authorizer, s);
	return rc;
}
