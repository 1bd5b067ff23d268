/*
 * pg_copy.c - PostgreSQL's COPY protocol through libpq for the data layer
 * (copy_io.h): COPY TO STDOUT read row by row, COPY FROM STDIN written in
 * chunks. The connection itself is pg.c's; this file borrows its PGconn.
 */
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "driver/copy_io.h"
#include "util/util.h"

static PGconn *native(dbw_conn *c, dbw_error *err)
{
	if (dbw_conn_kind(c) != DBW_DB_POSTGRES) {
		dbw_error_set(err, DBW_EUSAGE, "COPY needs a PostgreSQL connection");
		return NULL;
	}
	return dbw_pg__native(c);
}

/* Fill err from a failed result (message, detail, hint, SQLSTATE). */
static int result_error(const PGresult *res, PGconn *pg, dbw_error *err)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	char *fallback = NULL;
	if (!msg) {
		fallback = dbw_strdup(PQerrorMessage(pg));
		if (fallback)
			dbw_str_trim(fallback);
		msg = fallback && *fallback ? fallback : "COPY failed";
	}
	dbw_error_set(err, DBW_ESQL, "%s", msg);
	if (detail)
		dbw_error_detail(err, "%s", detail);
	if (hint)
		dbw_error_hint(err, "%s", hint);
	if (ctx)
		dbw_error_where(err, "%s", ctx);
	if (err && state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	free(fallback);
	return DBW_ESQL;
}

/* Collect the results after a COPY ends; the first error wins. */
static int finish(PGconn *pg, dbw_error *err)
{
	PGresult *res;
	int rc = 0;
	while ((res = PQgetResult(pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);
		if (rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			rc = result_error(res, pg, err);
		PQclear(res);
	}
	return rc;
}

int dbw_conn_copy_out(dbw_conn *c, const char *sql, dbw_copy_line_fn fn, void *ctx, dbw_error *err)
{
	PGconn *pg = native(c, err);
	PGresult *res;
	char *buf = NULL;
	int n, rc = 0;
	if (!pg)
		return DBW_EUSAGE;
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		rc = result_error(res, pg, err);
		PQclear(res);
		finish(pg, NULL);
		return rc;
	}
	PQclear(res);
	while ((n = PQgetCopyData(pg, &buf, 0)) > 0) {
		if (rc == 0)
			rc = fn(buf, (size_t)n, ctx);
		PQfreemem(buf);
		buf = NULL;
		if (rc < 0) {
			/* Stop the server's side; the rest of the stream is drained below. */
			PGcancel *cancel = PQgetCancel(pg);
			char errbuf[256];
			if (cancel) {
				PQcancel(cancel, errbuf, sizeof(errbuf));
				PQfreeCancel(cancel);
			}
			while ((n = PQgetCopyData(pg, &buf, 0)) > 0) {
				PQfreemem(buf);
				buf = NULL;
			}
			break;
		}
	}
	if (rc < 0) {
		finish(pg, NULL);
		return rc;
	}
	if (n == -2) {
		rc = result_error(NULL, pg, err);
		finish(pg, NULL);
		return rc;
	}
	return finish(pg, err);
}

int dbw_conn_copy_in_start(dbw_conn *c, const char *sql, dbw_error *err)
{
	PGconn *pg = native(c, err);
	PGresult *res;
	int rc = 0;
	if (!pg)
		return DBW_EUSAGE;
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = result_error(res, pg, err);
		PQclear(res);
		finish(pg, NULL);
		return rc;
	}
	PQclear(res);
	return 0;
}

int dbw_conn_copy_in_put(dbw_conn *c, const char *data, size_t len, dbw_error *err)
{
	PGconn *pg = native(c, err);
	if (!pg)
		return DBW_EUSAGE;
	while (len > 0) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
		if (PQputCopyData(pg, data, chunk) != 1)
			return result_error(NULL, pg, err);
		data += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

int dbw_conn_copy_in_end(dbw_conn *c, const char *abort_reason, dbw_error *err)
{
	PGconn *pg = native(c, err);
	int rc;
	if (!pg)
		return DBW_EUSAGE;
	if (PQputCopyEnd(pg, abort_reason) != 1) {
		rc = result_error(NULL, pg, err);
		finish(pg, NULL);
		return rc;
	}
	if (abort_reason) {
		finish(pg, NULL);
		return 0;
	}
	return finish(pg, err);
}
