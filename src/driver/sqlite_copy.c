/*
 * sqlite_copy.c - SQLite's side of a copy (copy_io.h): rows read one by one
 * as text, and a prepared INSERT run once per row. The connection itself is
 * sqlite.c's; this file borrows its sqlite3 handle.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "driver/copy_io.h"
#include "util/util.h"

struct dbw_insert {
	sqlite3 *db;
	sqlite3_stmt *stmt;
};

static sqlite3 *native(dbw_conn *c, dbw_error *err)
{
	if (dbw_conn_kind(c) != DBW_DB_SQLITE) {
		dbw_error_set(err, DBW_EUSAGE, "row streaming needs a SQLite connection");
		return NULL;
	}
	return dbw_sqlite__native(c);
}

static int sql_error(sqlite3 *db, dbw_error *err)
{
	dbw_error_set(err, DBW_ESQL, "%s", sqlite3_errmsg(db));
	return DBW_ESQL;
}

int dbw_conn_rows_each(dbw_conn *c, const char *sql, dbw_row_fn fn, void *ctx, dbw_error *err)
{
	sqlite3 *db = native(c, err);
	sqlite3_stmt *st = NULL;
	dbw_field *fields = NULL;
	int rc = 0, step, n;
	if (!db)
		return DBW_EUSAGE;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_error(db, err);
	n = sqlite3_column_count(st);
	fields = calloc(n ? (size_t)n : 1, sizeof(*fields));
	if (!fields) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			int type = sqlite3_column_type(st, i);
			fields[i].is_null = type == SQLITE_NULL;
			fields[i].is_blob = type == SQLITE_BLOB;
			if (type == SQLITE_BLOB)
				fields[i].p = sqlite3_column_blob(st, i);
			else
				fields[i].p = (const char *)sqlite3_column_text(st, i);
			fields[i].len = (size_t)sqlite3_column_bytes(st, i);
			if (!fields[i].p)
				fields[i].p = "";
		}
		if ((rc = fn(fields, (size_t)n, ctx)) < 0)
			goto done;
	}
	if (step != SQLITE_DONE)
		rc = sql_error(db, err);
done:
	free(fields);
	sqlite3_finalize(st);
	return rc;
}

int dbw_conn_insert_prepare(dbw_conn *c, const char *sql, dbw_insert **out, dbw_error *err)
{
	sqlite3 *db = native(c, err);
	dbw_insert *ins;
	*out = NULL;
	if (!db)
		return DBW_EUSAGE;
	ins = calloc(1, sizeof(*ins));
	if (!ins)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	ins->db = db;
	if (sqlite3_prepare_v2(db, sql, -1, &ins->stmt, NULL) != SQLITE_OK) {
		int rc = sql_error(db, err);
		free(ins);
		return rc;
	}
	*out = ins;
	return 0;
}

int dbw_insert_row(dbw_insert *ins, const dbw_field *fields, size_t n, dbw_error *err)
{
	int rc;
	sqlite3_reset(ins->stmt);
	for (size_t i = 0; i < n; i++) {
		if (fields[i].is_null)
			rc = sqlite3_bind_null(ins->stmt, (int)i + 1);
		else if (fields[i].is_blob)
			rc = sqlite3_bind_blob(ins->stmt, (int)i + 1, fields[i].p,
			                       (int)fields[i].len, SQLITE_STATIC);
		else
			rc = sqlite3_bind_text(ins->stmt, (int)i + 1, fields[i].p,
			                       (int)fields[i].len, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			return sql_error(ins->db, err);
	}
	if (sqlite3_step(ins->stmt) != SQLITE_DONE)
		return sql_error(ins->db, err);
	return 0;
}

void dbw_insert_free(dbw_insert *ins)
{
	if (!ins)
		return;
	sqlite3_finalize(ins->stmt);
	free(ins);
}
