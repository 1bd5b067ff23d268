/*
 * copy_io.h - bulk row streaming for the data layer (internal): PostgreSQL's
 * COPY protocol through libpq (pg_copy.c) and SQLite row reading and
 * prepared inserts (sqlite_copy.c). These live in the driver because only
 * driver files may include libpq-fe.h or sqlite3.h; the COPY text format
 * itself (escapes, \N) is parsed and written by src/data/copy_text.c.
 */
#ifndef DBW_DRIVER_COPY_IO_H
#define DBW_DRIVER_COPY_IO_H

#include <stddef.h>
#include <dbward/db.h>
#include "driver/driver.h" /* dbw_pg__native, dbw_sqlite__native */

/* One value of a row: p/len bytes (not NUL-terminated), or is_null;
 * is_blob marks SQLite BLOB bytes (bound back as a BLOB). */
typedef struct dbw_field {
	const char *p;
	size_t len;
	int is_null;
	int is_blob;
} dbw_field;

/* Called once per COPY row (text format, with its final newline). A
 * negative return stops the copy (the server's COPY is cancelled) and is
 * returned by dbw_conn_copy_out. */
typedef int (*dbw_copy_line_fn)(const char *line, size_t len, void *ctx);

/*
 * Run `COPY ... TO STDOUT` (sql) on PostgreSQL and hand each row to fn.
 * @return 0; the callback's negative code; DBW_ESQL (err filled from the
 *         server's report); DBW_EUSAGE on a SQLite connection.
 */
int dbw_conn_copy_out(dbw_conn *c, const char *sql, dbw_copy_line_fn fn, void *ctx, dbw_error *err);

/* Start `COPY ... FROM STDIN` (sql), send data (whole rows, COPY text),
 * then end it: abort_reason NULL finishes the COPY (the server checks the
 * rows then), non-NULL aborts it with that message. @return 0; DBW_ESQL. */
int dbw_conn_copy_in_start(dbw_conn *c, const char *sql, dbw_error *err);
int dbw_conn_copy_in_put(dbw_conn *c, const char *data, size_t len, dbw_error *err);
int dbw_conn_copy_in_end(dbw_conn *c, const char *abort_reason, dbw_error *err);

/* Called once per row read from SQLite; negative stops the scan. */
typedef int (*dbw_row_fn)(const dbw_field *fields, size_t n, void *ctx);

/* Run a SQLite query and hand each row to fn as text (NULL as is_null;
 * BLOBs as their bytes). @return 0; the callback's code; DBW_ESQL. */
int dbw_conn_rows_each(dbw_conn *c, const char *sql, dbw_row_fn fn, void *ctx, dbw_error *err);

/* A prepared SQLite statement with n parameters, run once per row. */
typedef struct dbw_insert dbw_insert;
int dbw_conn_insert_prepare(dbw_conn *c, const char *sql, dbw_insert **out, dbw_error *err);
/* Bind fields to ?1..?n (text; NULL for is_null) and run. @return 0; DBW_ESQL. */
int dbw_insert_row(dbw_insert *ins, const dbw_field *fields, size_t n, dbw_error *err);
void dbw_insert_free(dbw_insert *ins);

#endif
