/*
 * sqlite.c - the SQLite driver: opening sqlite: URLs and database files,
 * running scripts statement by statement (so an error carries the byte
 * offset of its statement), $N parameters, BEGIN IMMEDIATE and the busy
 * timeout that stands in for lock_timeout.
 *
 * PRAGMA foreign_keys is left at SQLite's default, OFF, on purpose: Prisma's
 * table redefinitions DROP a parent table inside a transaction, where
 * PRAGMA foreign_keys=OFF is a no-op; with enforcement on, that DROP's
 * implicit DELETE would fire ON DELETE CASCADE and lose child rows. The
 * migrator runs PRAGMA foreign_key_check before commit instead.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "driver/driver.h"
#include "util/util.h"

/* Wait this long for another writer unless the caller sets a lock timeout. */
#define DEFAULT_BUSY_TIMEOUT_MS 5000

/* Prepared statements kept for reuse: deploy runs the same history
 * statement once per migration, and preparing an UPSERT costs far more than
 * running it (about 250 k instructions, measured with callgrind). */
#define STMT_CACHE 8

typedef struct sqlite_conn {
	dbw_conn base;
	sqlite3 *db;
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	unsigned next_slot;
} sqlite_conn;

/* A cached statement for sql, removed from the cache (the caller returns it
 * with cache_put), or NULL. */
static sqlite3_stmt *cache_take(sqlite_conn *c, const char *sql)
{
	for (unsigned i = 0; i < STMT_CACHE; i++) {
		if (c->cache[i].st && strcmp(c->cache[i].sql, sql) == 0) {
			sqlite3_stmt *st = c->cache[i].st;
			c->cache[i].st = NULL;
			free(c->cache[i].sql);
			c->cache[i].sql = NULL;
			return st;
		}
	}
	return NULL;
}

/* Keep st for sql (reset, bindings cleared); the oldest entry makes room. */
static void cache_put(sqlite_conn *c, const char *sql, sqlite3_stmt *st)
{
	unsigned slot = c->next_slot++ % STMT_CACHE;
	char *copy = strdup(sql);
	if (!copy) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_finalize(c->cache[slot].st);
	free(c->cache[slot].sql);
	c->cache[slot].sql = copy;
	c->cache[slot].st = st;
}

static void cache_clear(sqlite_conn *c)
{
	for (unsigned i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
		c->cache[i].st = NULL;
		c->cache[i].sql = NULL;
	}
}

void *dbw_sqlite__native(dbw_conn *c)
{
	return c && c->kind == DBW_DB_SQLITE ? ((sqlite_conn *)c)->db : NULL;
}

/* The file a URL names: sqlite:PATH, sqlite://PATH (so sqlite:///abs is
 * /abs), sqlite::memory:, or a bare path. */
static const char *url_path(const char *url)
{
	if (strncasecmp(url, "sqlite:", 7) != 0)
		return url;
	url += 7;
	if (strncmp(url, "//", 2) == 0)
		url += 2;
	return url;
}

static void sqlite_close(dbw_conn *conn)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	if (!c)
		return;
	cache_clear(c);
	sqlite3_close_v2(c->db);
	free(c->base.url_redacted);
	free(c->base.database);
	free(c);
}

static int sqlite_open(dbw_conn **out, const char *url, const dbw_connect_options *opts,
                       dbw_error *err)
{
	const char *path = url_path(url);
	int memory = strcmp(path, ":memory:") == 0;
	int flags = SQLITE_OPEN_NOMUTEX;
	sqlite_conn *c = NULL;
	int rc = 0;
	*out = NULL;
	if (!*path)
		return dbw_error_set(err, DBW_ECONFIG, "no file name in database URL \"%s\"", url);
	if (opts->read_only)
		flags |= SQLITE_OPEN_READONLY;
	else
		flags |= SQLITE_OPEN_READWRITE | (opts->create || memory ? SQLITE_OPEN_CREATE : 0);
	if (!memory && (opts->read_only || !opts->create) && !dbw_path_exists(path)) {
		dbw_error_set(err, DBW_ECONNECT, "database file \"%s\" does not exist", path);
		dbw_error_hint(err, "Create it first (dbward setup will), or fix the path in the "
		                    "database URL; relative paths start at the working directory.");
		return DBW_ECONNECT;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	c->base.ops = &dbw_sqlite_ops;
	c->base.kind = DBW_DB_SQLITE;
	c->base.server_version = sqlite3_libversion_number();
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		dbw_error_set(err, DBW_ECONNECT, "could not open database file \"%s\"", path);
		dbw_error_detail(err, "SQLite: %s.",
		                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
		dbw_error_hint(err, "Check that the folder exists and that you may read and "
		                    "write the file.");
		rc = DBW_ECONNECT;
		goto done;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, DEFAULT_BUSY_TIMEOUT_MS);
	c->base.url_redacted = dbw_url_redact(url);
	c->base.database = dbw_strdup(memory ? "" : dbw_path_basename(path));
	if (!c->base.url_redacted || !c->base.database) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	*out = &c->base;
	c = NULL;
done:
	sqlite_close(c ? &c->base : NULL);
	return rc;
}

/* An SQLite failure as a dbw_error; offset is a byte offset into the text
 * sent, or -1. */
static int sqlite_error(sqlite_conn *c, int rc, long offset, dbw_error *err)
{
	int code = DBW_ESQL;
	int primary = rc & 0xff;
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		code = DBW_ELOCK;
	dbw_error_set(err, code, "%s", sqlite3_errmsg(c->db));
	if (!err)
		return code;
	err->offset = offset;
	if (code == DBW_ELOCK)
		dbw_error_hint(err, "Another connection holds the database's write lock; wait for "
		                    "it to finish, or allow a longer wait with --lock-timeout.");
	else if (primary == SQLITE_READONLY)
		dbw_error_hint(err, "Check that you may write the database file and the folder "
		                    "that holds it (SQLite creates a journal file there).");
	return code;
}

static int sqlite_exec(dbw_conn *conn, const char *sql, dbw_error *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	const char *tail = sql;
	size_t len = strlen(sql);
	while (*tail) {
		sqlite3_stmt *st = NULL;
		const char *start = tail;
		long at = (long)dbw_sql__skip_blank(sql, len, (size_t)(start - sql), 0);
		int rc = sqlite3_prepare_v2(c->db, start, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			int off = sqlite3_error_offset(c->db);
			return sqlite_error(c, rc, off >= 0 ? (long)(start - sql) + off : at, err);
		}
		if (!st) { /* an empty statement (";"), or only comments left */
			if (tail == start)
				break;
			continue;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			rc = sqlite_error(c, rc, at, err);
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_finalize(st);
	}
	return 0;
}

static int bind_params(sqlite_conn *c, sqlite3_stmt *st, size_t nparams, const char *const *params,
                       dbw_error *err)
{
	for (size_t i = 0; i < nparams; i++) {
		char name[32];
		int idx;
		snprintf(name, sizeof(name), "$%zu", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0) {
			snprintf(name, sizeof(name), "?%zu", i + 1);
			idx = sqlite3_bind_parameter_index(st, name);
		}
		if (idx == 0)
			continue; /* not used by the statement, as PostgreSQL allows */
		if ((params[i] ? sqlite3_bind_text(st, idx, params[i], -1, SQLITE_TRANSIENT)
		               : sqlite3_bind_null(st, idx)) != SQLITE_OK)
			return sqlite_error(c, sqlite3_errcode(c->db), -1, err);
	}
	return 0;
}

static int sqlite_query(dbw_conn *conn, const char *sql, size_t nparams, const char *const *params,
                        dbw_result **out, dbw_error *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	sqlite3_stmt *st = NULL;
	dbw_buf cells = DBW_BUF_INIT; /* char * pointers, row-major */
	dbw_result *r = NULL;
	size_t cols, rows = 0, ncells;
	char **cellv;
	int rc;
	*out = NULL;
	st = cache_take(c, sql);
	rc = st ? SQLITE_OK
	        : sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		int off = sqlite3_error_offset(c->db);
		rc = sqlite_error(c, rc, off, err);
		goto done;
	}
	if (!st) {
		rc = dbw_error_set(err, DBW_ESQL, "empty query");
		goto done;
	}
	if ((rc = bind_params(c, st, nparams, params, err)) != 0)
		goto done;
	cols = (size_t)sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t j = 0; j < cols; j++) {
			char *v = NULL;
			if (sqlite3_column_type(st, (int)j) != SQLITE_NULL) {
				const unsigned char *t = sqlite3_column_text(st, (int)j);
				v = dbw_strndup(t ? (const char *)t : "",
				                (size_t)sqlite3_column_bytes(st, (int)j));
				if (!v)
					cells.oom = 1;
			}
			dbw_buf_put(&cells, (const char *)&v, sizeof(v));
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		rc = sqlite_error(c, rc, -1, err);
		goto done;
	}
	if (cells.oom || (rc = dbw_result__new(&r, rows, cols)) != 0) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t j = 0; j < cols; j++)
		if (!(r->colnames[j] = dbw_strdup(sqlite3_column_name(st, (int)j))))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (rc)
		goto done;
	if (rows * cols != 0)
		memcpy(r->cells, cells.data, rows * cols * sizeof(char *));
	dbw_buf_free(&cells);
	*out = r;
	r = NULL;
done:
	ncells = cells.len / sizeof(char *);
	cellv = (char **)cells.data;
	for (size_t i = 0; i < ncells; i++)
		free(cellv[i]);
	dbw_buf_free(&cells);
	dbw_result_free(r);
	if (st && rc == 0)
		cache_put(c, sql, st);
	else
		sqlite3_finalize(st);
	return rc;
}

static int sqlite_begin(dbw_conn *c, dbw_error *err)
{
	return sqlite_exec(c, "BEGIN IMMEDIATE", err);
}

static int sqlite_set_lock_timeout(dbw_conn *conn, long ms, dbw_error *err)
{
	sqlite_conn *c = (sqlite_conn *)conn;
	/* 0 means "wait forever" in dbward; SQLite's 0 means "never wait" */
	sqlite3_busy_timeout(c->db, ms <= 0 || ms > INT_MAX ? INT_MAX : (int)ms);
	return 0;
}

/* See db.h: BEGIN IMMEDIATE takes the write lock, so there is nothing to do. */
static int sqlite_lock(dbw_conn *c, long long key, long timeout_ms, dbw_error *err)
{
	return 0;
}

static int sqlite_unlock(dbw_conn *c, long long key, dbw_error *err)
{
	return 0;
}

static int sqlite_table_exists(dbw_conn *c, const char *table, int *exists_out, dbw_error *err)
{
	const char *params[1] = {table};
	dbw_result *r = NULL;
	int rc = sqlite_query(c,
	                      "SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND "
	                      "name = $1",
	                      1, params, &r, err);
	*exists_out = rc == 0 && r->rows > 0;
	dbw_result_free(r);
	return rc;
}

const dbw_driver_ops dbw_sqlite_ops = {
    "sqlite",
    sqlite_open,
    sqlite_close,
    sqlite_exec,
    sqlite_query,
    sqlite_begin,
    sqlite_set_lock_timeout,
    sqlite_lock,
    sqlite_unlock,
    sqlite_table_exists,
};
