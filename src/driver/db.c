/*
 * db.c - the public connection API: picks the driver from the URL and
 * dispatches to it; results are materialised text cells owned here.
 */
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "util/util.h"

int dbw_conn_open(dbw_conn **out, const char *url, const dbw_connect_options *opts, dbw_error *err)
{
	static const dbw_connect_options defaults = DBW_CONNECT_OPTIONS_INIT;
	*out = NULL;
	if (!url || !*url)
		return dbw_error_set(err, DBW_ECONFIG, "no database URL");
	if (!opts)
		opts = &defaults;
	switch (dbw_url_kind(url)) {
	case DBW_DB_POSTGRES:
		return dbw_pg_ops.open(out, url, opts, err);
	case DBW_DB_SQLITE:
		return dbw_sqlite_ops.open(out, url, opts, err);
	default: {
		char *safe = dbw_url_redact(url);
		dbw_error_set(err, DBW_ECONFIG, "unsupported database URL \"%s\"",
		              safe ? safe : "");
		dbw_error_hint(
		    err,
		    "Use postgres://user@host:5432/dbname, a libpq key=value string "
		    "(\"host=... dbname=...\"), sqlite:path/to/file.sqlite3 or sqlite::memory:.");
		free(safe);
		return DBW_ECONFIG;
	}
	}
}

void dbw_conn_close(dbw_conn *c)
{
	if (c)
		c->ops->close(c);
}

dbw_db_kind dbw_conn_kind(const dbw_conn *c)
{
	return c->kind;
}

const char *dbw_conn_database(const dbw_conn *c)
{
	return c->database ? c->database : "";
}

const char *dbw_conn_url_redacted(const dbw_conn *c)
{
	return c->url_redacted ? c->url_redacted : "";
}

int dbw_conn_server_version(const dbw_conn *c)
{
	return c->server_version;
}

int dbw_conn_exec(dbw_conn *c, const char *sql, dbw_error *err)
{
	return c->ops->exec(c, sql, err);
}

int dbw_conn_query(dbw_conn *c, const char *sql, size_t nparams, const char *const *params,
                   dbw_result **out, dbw_error *err)
{
	*out = NULL;
	return c->ops->query(c, sql, nparams, params, out, err);
}

int dbw_conn_begin(dbw_conn *c, dbw_error *err)
{
	return c->ops->begin(c, err);
}

int dbw_conn_commit(dbw_conn *c, dbw_error *err)
{
	return c->ops->exec(c, "COMMIT", err);
}

int dbw_conn_rollback(dbw_conn *c, dbw_error *err)
{
	dbw_error ignored = DBW_ERROR_INIT;
	/* ROLLBACK outside a transaction is a warning on PostgreSQL and an error
	 * on SQLite; either way there is nothing left to undo. */
	int rc = c->ops->exec(c, "ROLLBACK", &ignored);
	dbw_error_clear(&ignored);
	(void)rc;
	(void)err;
	return 0;
}

int dbw_conn_set_lock_timeout(dbw_conn *c, long ms, dbw_error *err)
{
	return c->ops->set_lock_timeout(c, ms, err);
}

int dbw_conn_lock(dbw_conn *c, long long key, long timeout_ms, dbw_error *err)
{
	return c->ops->lock(c, key, timeout_ms, err);
}

int dbw_conn_unlock(dbw_conn *c, long long key, dbw_error *err)
{
	return c->ops->unlock(c, key, err);
}

int dbw_conn_table_exists(dbw_conn *c, const char *table, int *exists_out, dbw_error *err)
{
	return c->ops->table_exists(c, table, exists_out, err);
}

int dbw_result__new(dbw_result **out, size_t rows, size_t cols)
{
	dbw_result *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return DBW_ENOMEM;
	r->rows = rows;
	r->cols = cols;
	r->colnames = calloc(cols ? cols : 1, sizeof(char *));
	r->cells = calloc(rows * cols > 0 ? rows * cols : 1, sizeof(char *));
	if (!r->colnames || !r->cells) {
		dbw_result_free(r);
		return DBW_ENOMEM;
	}
	*out = r;
	return 0;
}

size_t dbw_result_rows(const dbw_result *r)
{
	return r ? r->rows : 0;
}

size_t dbw_result_cols(const dbw_result *r)
{
	return r ? r->cols : 0;
}

const char *dbw_result_colname(const dbw_result *r, size_t col)
{
	return col < r->cols ? r->colnames[col] : NULL;
}

const char *dbw_result_value(const dbw_result *r, size_t row, size_t col)
{
	if (!r || row >= r->rows || col >= r->cols)
		return NULL;
	return r->cells[row * r->cols + col];
}

void dbw_result_free(dbw_result *r)
{
	if (!r)
		return;
	if (r->colnames)
		for (size_t i = 0; i < r->cols; i++)
			free(r->colnames[i]);
	if (r->cells)
		for (size_t i = 0; i < r->rows * r->cols; i++)
			free(r->cells[i]);
	free(r->colnames);
	free(r->cells);
	free(r);
}

int dbw_sql_split(dbw_db_kind kind, const char *text, size_t len, dbw_stmt **stmts_out,
                  size_t *n_out, dbw_error *parse_error_out)
{
	*stmts_out = NULL;
	*n_out = 0;
	if (kind == DBW_DB_SQLITE)
		return dbw_sqlite__split(text, len, stmts_out, n_out);
	return dbw_pg__split(text, len, stmts_out, n_out, parse_error_out);
}

int dbw_sql_fingerprint(dbw_db_kind kind, const char *text, size_t len, char out[65],
                        dbw_error *err)
{
	if (kind == DBW_DB_SQLITE)
		return dbw_sqlite__fingerprint(text, len, out, err);
	return dbw_pg__fingerprint(text, len, out, err);
}
