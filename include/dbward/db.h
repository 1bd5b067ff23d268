/*
 * dbward/db.h - one connection interface over PostgreSQL (libpq) and SQLite.
 *
 * URLs: postgres:// and postgresql:// URIs and libpq key=value conninfo
 * strings (so service files, .pgpass and PG* variables behave as with psql:
 * libpq reads them itself); sqlite:PATH, sqlite:///ABS/PATH, sqlite::memory:.
 * A bare path ending in .db, .sqlite or .sqlite3 is taken as SQLite.
 *
 * Queries use $1, $2, ... placeholders on both engines; values are passed
 * and returned as text (NULL for SQL NULL).
 */
#ifndef DBWARD_DB_H
#define DBWARD_DB_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dbw_db_kind { DBW_DB_NONE = 0, DBW_DB_POSTGRES = 1, DBW_DB_SQLITE = 2 } dbw_db_kind;

typedef struct dbw_conn dbw_conn;
typedef struct dbw_result dbw_result;

/**
 * The engine a URL names, without connecting.
 * @return DBW_DB_POSTGRES, DBW_DB_SQLITE, or DBW_DB_NONE when unrecognised.
 */
dbw_db_kind dbw_url_kind(const char *url);

/**
 * A copy of url with any password replaced by "****" (URI userinfo,
 * password= in conninfo, ?password= parameters). Caller frees. NULL on ENOMEM.
 */
char *dbw_url_redact(const char *url);

typedef struct dbw_connect_options {
	long connect_timeout_ms;      /**< 0: the driver's default */
	const char *application_name; /**< PostgreSQL application_name; NULL: "dbward" */
	int read_only;                /**< 1: open read-only (SQLite: SQLITE_OPEN_READONLY) */
	int create;                   /**< SQLite: 1 creates a missing file (and nothing else) */
} dbw_connect_options;

#define DBW_CONNECT_OPTIONS_INIT                                                                   \
	{                                                                                          \
		0, NULL, 0, 1                                                                      \
	}

/**
 * Open a connection. *out is owned by the caller (dbw_conn_close).
 * @return 0; DBW_ECONFIG for a malformed or unsupported URL (the hint shows
 *         the accepted forms); DBW_ECONNECT when the server cannot be
 *         reached or refuses (wrong password: the message says so, without
 *         the password); DBW_ENOMEM.
 */
int dbw_conn_open(dbw_conn **out, const char *url, const dbw_connect_options *opts, dbw_error *err);

/** Close and free; NULL is accepted. */
void dbw_conn_close(dbw_conn *c);

dbw_db_kind dbw_conn_kind(const dbw_conn *c);

/** The live database name: current_database() on PostgreSQL, the file's base name on SQLite ("" for
 * memory). */
const char *dbw_conn_database(const dbw_conn *c);

/** The URL the connection was opened with, password redacted. */
const char *dbw_conn_url_redacted(const dbw_conn *c);

/** Server version as an integer (PostgreSQL server_version_num, e.g. 150004; SQLite 3040001). */
int dbw_conn_server_version(const dbw_conn *c);

/**
 * Run one or more statements, discarding results.
 * @return 0; DBW_ESQL with sqlstate, message, detail, hint and err->offset
 *         (0-based byte offset into sql, when the database reports a
 *         position); DBW_ELOCK when the statement failed on lock_timeout
 *         (SQLSTATE 55P03) or SQLite stayed busy past its timeout.
 */
int dbw_conn_exec(dbw_conn *c, const char *sql, dbw_error *err);

/**
 * Run one statement with text parameters ($1..$n) and keep its rows.
 * *out is owned by the caller (dbw_result_free). Errors as dbw_conn_exec.
 */
int dbw_conn_query(dbw_conn *c, const char *sql, size_t nparams, const char *const *params,
                   dbw_result **out, dbw_error *err);

size_t dbw_result_rows(const dbw_result *r);
size_t dbw_result_cols(const dbw_result *r);
/** Column name of col; the pointer lives as long as r. */
const char *dbw_result_colname(const dbw_result *r, size_t col);
/** Text value at (row, col), or NULL for SQL NULL; lives as long as r. */
const char *dbw_result_value(const dbw_result *r, size_t row, size_t col);
void dbw_result_free(dbw_result *r);

/**
 * Start a transaction the engine's right way for writers: BEGIN on
 * PostgreSQL, BEGIN IMMEDIATE on SQLite (takes the write lock now, waiting
 * up to the busy timeout, so that a read-then-write cannot deadlock).
 * @return 0; DBW_ELOCK when SQLite stayed busy; DBW_ESQL.
 */
int dbw_conn_begin(dbw_conn *c, dbw_error *err);
int dbw_conn_commit(dbw_conn *c, dbw_error *err);
/** Roll back; safe to call when no transaction is open. */
int dbw_conn_rollback(dbw_conn *c, dbw_error *err);

/**
 * How long statements wait for locks, in ms (0: forever). PostgreSQL: SET
 * lock_timeout (session). SQLite: the busy timeout.
 */
int dbw_conn_set_lock_timeout(dbw_conn *c, long ms, dbw_error *err);

/**
 * Take the deploy lock for this database, waiting at most timeout_ms
 * (negative: forever). PostgreSQL: a session-level advisory lock on key
 * (pg_try_advisory_lock, retried with backoff; the server releases it when
 * the session ends, so a killed process leaves no stale lock). SQLite: a
 * no-op that returns 0, because every migration transaction takes the write
 * lock with BEGIN IMMEDIATE and re-reads the history inside it.
 * @return 0; DBW_ELOCK when not acquired in time (detail names the holder's
 *         pid when the server shows it); DBW_ESQL.
 */
int dbw_conn_lock(dbw_conn *c, long long key, long timeout_ms, dbw_error *err);
int dbw_conn_unlock(dbw_conn *c, long long key, dbw_error *err);

/** 1 when a table (or view) of that name exists in the connection's default schema. */
int dbw_conn_table_exists(dbw_conn *c, const char *table, int *exists_out, dbw_error *err);

/* ---- SQL text, by dialect (no connection needed) ---- */

/** Statement flags found by the engine's own parser. */
enum {
	DBW_STMT_NO_TXN = 1 << 0, /**< refused inside a transaction block (CREATE INDEX
	                             CONCURRENTLY, VACUUM, ...) */
	DBW_STMT_TXN_CONTROL =
	    1 << 1, /**< BEGIN / COMMIT / ROLLBACK / SAVEPOINT written in the script */
	DBW_STMT_ENUM_ADD =
	    1 << 2, /**< ALTER TYPE ... ADD VALUE: the value is usable only after commit */
	DBW_STMT_EMPTY = 1 << 3 /**< only comments / whitespace */
};

/** One statement of a script: a byte range of the text and its flags. */
typedef struct dbw_stmt {
	size_t offset; /**< 0-based byte offset of the statement's first token */
	size_t length; /**< bytes, without the terminating semicolon */
	unsigned flags;
} dbw_stmt;

/**
 * Split a script into statements with the engine's own parser: libpg_query
 * (the PostgreSQL 15 parser) for PostgreSQL, sqlite3_complete() for SQLite.
 * text need not be NUL-terminated. *stmts_out is caller-owned (free()).
 * When PostgreSQL's parser rejects the text, the split falls back to its
 * scanner (so a newer server's syntax still runs; the server decides) and
 * *parse_error_out, when non-NULL, receives the parser's complaint in err
 * form (code DBW_ESQL, offset set) without failing the call.
 * @return 0; DBW_ENOMEM.
 */
int dbw_sql_split(dbw_db_kind kind, const char *text, size_t len, dbw_stmt **stmts_out,
                  size_t *n_out, dbw_error *parse_error_out);

/**
 * A SHA-256 (64 hex chars + NUL) of the script's meaning, not its spelling:
 * for PostgreSQL the parse trees with locations removed; for SQLite the token
 * stream without comments and whitespace. Equal fingerprints with different
 * checksums mean a cosmetic edit.
 * @return 0; DBW_ESQL when PostgreSQL text does not parse (no fingerprint;
 *         err->offset set). SQLite text always gets one: SQLite has no
 *         parser API, and the database judges the text when it runs.
 */
int dbw_sql_fingerprint(dbw_db_kind kind, const char *text, size_t len, char out[65],
                        dbw_error *err);

/** Quote an identifier for the dialect ("a""b"); caller frees; NULL on ENOMEM. */
char *dbw_sql_quote_ident(dbw_db_kind kind, const char *ident);

/** Quote a literal for the dialect ('it''s'; E'' where PostgreSQL needs it); caller frees. */
char *dbw_sql_quote_literal(dbw_db_kind kind, const char *value);

#ifdef __cplusplus
}
#endif
#endif
