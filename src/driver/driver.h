/*
 * driver.h - the one interface every database engine implements (internal).
 *
 * dbw_conn (include/dbward/db.h) is a thin dispatcher over these operations.
 * pg.c implements them with libpq, sqlite.c with SQLite; they are the only
 * files that include libpq-fe.h or sqlite3.h. A later engine (MySQL) adds
 * one more table of operations and nothing above this layer changes.
 */
#ifndef DBW_DRIVER_H
#define DBW_DRIVER_H

#include <dbward/db.h>

typedef struct dbw_driver_ops dbw_driver_ops;

/* The common head of every connection; each driver embeds it first. */
struct dbw_conn {
	const dbw_driver_ops *ops;
	dbw_db_kind kind;
	char *url_redacted;
	char *database; /* live database name */
	int server_version;
};

/* A materialised result: rows x cols text cells (NULL = SQL NULL). */
struct dbw_result {
	size_t rows, cols;
	char **colnames; /* cols */
	char **cells;    /* rows * cols, row-major */
};

struct dbw_driver_ops {
	const char *name;
	int (*open)(dbw_conn **out, const char *url, const dbw_connect_options *opts,
	            dbw_error *err);
	void (*close)(dbw_conn *c);
	int (*exec)(dbw_conn *c, const char *sql, dbw_error *err);
	int (*query)(dbw_conn *c, const char *sql, size_t nparams, const char *const *params,
	             dbw_result **out, dbw_error *err);
	int (*begin)(dbw_conn *c, dbw_error *err);
	int (*set_lock_timeout)(dbw_conn *c, long ms, dbw_error *err);
	int (*lock)(dbw_conn *c, long long key, long timeout_ms, dbw_error *err);
	int (*unlock)(dbw_conn *c, long long key, dbw_error *err);
	int (*table_exists)(dbw_conn *c, const char *table, int *exists_out, dbw_error *err);
};

extern const dbw_driver_ops dbw_pg_ops;
extern const dbw_driver_ops dbw_sqlite_ops;

/* Build a result from cells; the driver fills it (result.c). */
int dbw_result__new(dbw_result **out, size_t rows, size_t cols);

/* Per-dialect statement splitting and fingerprints (sql_pg.c, sql_sqlite.c). */
int dbw_pg__split(const char *text, size_t len, dbw_stmt **stmts_out, size_t *n_out,
                  dbw_error *parse_error_out);
int dbw_sqlite__split(const char *text, size_t len, dbw_stmt **stmts_out, size_t *n_out);
int dbw_pg__fingerprint(const char *text, size_t len, char out[65], dbw_error *err);
int dbw_sqlite__fingerprint(const char *text, size_t len, char out[65], dbw_error *err);

/* The engine handles, for other driver files (a COPY implementation, ...):
 * the PGconn * / sqlite3 * of c, or NULL when c is of another kind. */
void *dbw_pg__native(dbw_conn *c);
void *dbw_sqlite__native(dbw_conn *c);

/* The last PostgreSQL notices of c (oldest first, at most
 * DBW_PG_NOTICES_KEPT), each without its final newline; 0 for SQLite.
 * The strings live until the next statement on c. */
#define DBW_PG_NOTICES_KEPT 8
size_t dbw_pg__notices(dbw_conn *c, const char *const **notices_out);

/* Byte offset of character number chars (0-based) in UTF-8 text (url.c). */
size_t dbw_utf8__char_to_byte(const char *text, size_t len, size_t chars);

/* Skip whitespace, -- comments and block comments from i; pg_nested: block
 * comments nest (PostgreSQL) or not (SQLite). Returns the first other byte
 * or len (sql_pg.c). */
size_t dbw_sql__skip_blank(const char *text, size_t len, size_t i, int pg_nested);

#endif
