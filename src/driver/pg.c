/*
 * pg.c - the PostgreSQL driver (libpq): connecting the way psql does,
 * running scripts and parameterised queries, turning server errors into
 * dbw_error records with byte offsets, and the session-level advisory lock
 * that serialises deploys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "driver/driver.h"
#include "util/util.h"

typedef struct pg_conn {
	dbw_conn base;
	PGconn *pg;
	char *notices[DBW_PG_NOTICES_KEPT];
	size_t n_notices;
} pg_conn;

#define ACCEPTED_FORMS                                                                             \
	"Use postgres://user:password@host:5432/dbname?sslmode=prefer or a libpq key=value "       \
	"string such as \"host=localhost port=5432 dbname=app user=app\"."

static char *trimmed(const char *s)
{
	char *t = dbw_strdup(s ? s : "");
	size_t n;
	if (!t)
		return NULL;
	n = strlen(t);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' ' || t[n - 1] == '.'))
		t[--n] = '\0';
	return t;
}

/* Replace each occurrence of password in s (in place is not possible: new string). */
static char *scrub(const char *s, const char *password)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t plen = password ? strlen(password) : 0;
	if (!s)
		return NULL;
	if (plen == 0)
		return dbw_strdup(s);
	for (const char *p = s; *p;) {
		const char *hit = strstr(p, password);
		if (!hit) {
			dbw_buf_puts(&b, p);
			break;
		}
		dbw_buf_put(&b, p, (size_t)(hit - p));
		dbw_buf_puts(&b, "****");
		p = hit + plen;
	}
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	return dbw_buf_detach(&b);
}

/*
 * libpq's URL parse errors quote the offending piece of the URL, which may
 * be (part of) a password, e.g. "invalid percent-encoded token: \"p%zz\"".
 * Keep a quoted piece only when the redacted URL shows it too.
 */
static char *scrub_quoted(const char *msg, const char *redacted)
{
	dbw_buf b = DBW_BUF_INIT;
	const char *p = msg;
	if (!msg)
		return NULL;
	while (*p) {
		const char *open = strchr(p, '"'), *close;
		char *piece;
		if (!open || !(close = strchr(open + 1, '"'))) {
			dbw_buf_puts(&b, p);
			break;
		}
		dbw_buf_put(&b, p, (size_t)(open - p + 1));
		piece = dbw_strndup(open + 1, (size_t)(close - open - 1));
		if (piece && redacted && strstr(redacted, piece))
			dbw_buf_puts(&b, piece);
		else
			dbw_buf_puts(&b, "****");
		free(piece);
		dbw_buf_putc(&b, '"');
		p = close + 1;
	}
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	return dbw_buf_detach(&b);
}

static void notice_processor(void *arg, const char *message)
{
	pg_conn *c = arg;
	char *copy = trimmed(message);
	if (!copy)
		return;
	if (c->n_notices == DBW_PG_NOTICES_KEPT) {
		free(c->notices[0]);
		memmove(c->notices, c->notices + 1, (DBW_PG_NOTICES_KEPT - 1) * sizeof(char *));
		c->n_notices--;
	}
	c->notices[c->n_notices++] = copy;
}

static void clear_notices(pg_conn *c)
{
	for (size_t i = 0; i < c->n_notices; i++)
		free(c->notices[i]);
	c->n_notices = 0;
}

size_t dbw_pg__notices(dbw_conn *conn, const char *const **notices_out)
{
	pg_conn *c = (pg_conn *)conn;
	*notices_out = NULL;
	if (!conn || conn->kind != DBW_DB_POSTGRES)
		return 0;
	*notices_out = (const char *const *)c->notices;
	return c->n_notices;
}

void *dbw_pg__native(dbw_conn *c)
{
	return c && c->kind == DBW_DB_POSTGRES ? ((pg_conn *)c)->pg : NULL;
}

static void pg_close(dbw_conn *conn)
{
	pg_conn *c = (pg_conn *)conn;
	if (!c)
		return;
	if (c->pg)
		PQfinish(c->pg);
	clear_notices(c);
	free(c->base.url_redacted);
	free(c->base.database);
	free(c);
}

/* The hint for a failed connection, from libpq's message (which is all
 * libpq tells us about the cause). */
static void connect_hint(dbw_error *err, const char *msg, const char *host, const char *port)
{
	if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied"))
		dbw_error_hint(err, "Check the password in the database URL or in ~/.pgpass "
		                    "(PGPASSFILE).");
	else if (strstr(msg, "does not exist") && strstr(msg, "database"))
		dbw_error_hint(err, "Create the database first (dbward setup will), or fix the "
		                    "database name in the URL.");
	else if (strstr(msg, "does not exist") && strstr(msg, "role"))
		dbw_error_hint(err, "Check the user name in the database URL, or create that role "
		                    "on the server.");
	else if ((strstr(msg, "Connection refused") || strstr(msg, "No such file")) &&
	         host[0] == '/')
		dbw_error_hint(err,
		               "Is the server running locally and accepting connections on "
		               "the Unix-domain socket \"%s/.s.PGSQL.%s\"?",
		               host, port);
	else if (strstr(msg, "Connection refused") || strstr(msg, "No such file"))
		dbw_error_hint(err, "Is the server running on that host and accepting TCP/IP "
		                    "connections on that port?");
	else if (strstr(msg, "timeout expired"))
		dbw_error_hint(err, "Check that the host is reachable and that no firewall drops "
		                    "the connection.");
	else if (strstr(msg, "could not translate host name"))
		dbw_error_hint(err, "Check the host name in the database URL.");
	else if (strstr(msg, "definition of service"))
		dbw_error_hint(err, "Check the service name against pg_service.conf "
		                    "(PGSERVICEFILE, PGSYSCONFDIR).");
	else
		dbw_error_hint(err, "Check the database URL; psql with the same URL shows the same "
		                    "error.");
}

static int connect_error(pg_conn *c, const char *password, dbw_error *err)
{
	char *msg = trimmed(PQerrorMessage(c->pg));
	char *safe = scrub(msg, password);
	const char *db = PQdb(c->pg), *host = PQhost(c->pg), *port = PQport(c->pg);
	dbw_error_set(err, DBW_ECONNECT, "could not connect to database \"%s\" at %s:%s",
	              db ? db : "", host && *host ? host : "localhost",
	              port && *port ? port : "5432");
	if (safe && *safe) {
		/* libpq's message is one or more lines "connection to server ...
		 * failed: cause"; the sentence keeps them as they are */
		dbw_error_detail(err, "%s.", safe);
	}
	connect_hint(err, msg ? msg : "", host && *host ? host : "localhost",
	             port && *port ? port : "5432");
	free(msg);
	free(safe);
	return DBW_ECONNECT;
}

static int result_error(pg_conn *c, PGresult *res, const char *sql, dbw_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	int code = DBW_ESQL;
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		char *msg = trimmed(PQerrorMessage(c->pg));
		dbw_error_set(err, DBW_ECONNECT, "lost the connection to database \"%s\"",
		              c->base.database ? c->base.database : "");
		if (msg && *msg)
			dbw_error_detail(err, "%s.", msg);
		dbw_error_hint(err, "Check that the server is running; the server rolled back any "
		                    "transaction that was open.");
		free(msg);
		return DBW_ECONNECT;
	}
	if (state && strcmp(state, "55P03") == 0)
		code = DBW_ELOCK;
	if (primary) {
		dbw_error_set(err, code, "%s", primary);
	} else {
		char *msg = trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
		dbw_error_set(err, code, "%s", msg && *msg ? msg : "statement failed");
		free(msg);
	}
	if (!err)
		return code;
	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	if (detail)
		dbw_error_detail(err, "%s", detail);
	if (hint)
		dbw_error_hint(err, "%s", hint);
	/* PG_DIAG_STATEMENT_POSITION counts characters from 1 */
	if (pos && sql && atol(pos) > 0)
		err->offset = (long)dbw_utf8__char_to_byte(sql, strlen(sql), (size_t)atol(pos) - 1);
	return code;
}

static int pg_open(dbw_conn **out, const char *url, const dbw_connect_options *opts, dbw_error *err)
{
	const char *keys[8], *vals[8];
	char timeout[32];
	char *errmsg = NULL, *password = NULL;
	PQconninfoOption *parsed;
	pg_conn *c = NULL;
	PGresult *res = NULL;
	int k = 0, rc = 0;
	*out = NULL;
	parsed = PQconninfoParse(url, &errmsg);
	if (!parsed) {
		char *safe = dbw_url_redact(url), *msg = trimmed(errmsg);
		char *m2 = scrub_quoted(msg, safe);
		dbw_error_set(err, DBW_ECONFIG, "invalid database URL \"%s\"", safe ? safe : "");
		if (m2 && *m2)
			dbw_error_detail(err, "libpq: %s.", m2);
		dbw_error_hint(err, ACCEPTED_FORMS);
		free(safe);
		free(msg);
		free(m2);
		PQfreemem(errmsg);
		return DBW_ECONFIG;
	}
	for (PQconninfoOption *o = parsed; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			password = dbw_strdup(o->val);
	PQconninfoFree(parsed);

	c = calloc(1, sizeof(*c));
	if (!c) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	c->base.ops = &dbw_pg_ops;
	c->base.kind = DBW_DB_POSTGRES;
	c->base.url_redacted = dbw_url_redact(url);
	/* Order matters: later keywords override the expanded URL, earlier
	 * ones are overridden by it (libpq "Parameter Key Words"). */
	keys[k] = "fallback_application_name";
	vals[k++] = "dbward";
	keys[k] = "dbname";
	vals[k++] = url;
	if (opts->application_name) {
		keys[k] = "application_name";
		vals[k++] = opts->application_name;
	}
	if (opts->connect_timeout_ms > 0) {
		/* libpq takes whole seconds, and treats 1 as 2: round up, min 1 */
		long s = (opts->connect_timeout_ms + 999) / 1000;
		snprintf(timeout, sizeof(timeout), "%ld", s < 1 ? 1 : s);
		keys[k] = "connect_timeout";
		vals[k++] = timeout;
	}
	keys[k] = NULL;
	vals[k] = NULL;
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		if (!password && PQpass(c->pg))
			password = dbw_strdup(PQpass(c->pg));
		rc = connect_error(c, password, err);
		goto done;
	}
	PQsetNoticeProcessor(c->pg, notice_processor, c);
	c->base.server_version = PQserverVersion(c->pg);
	res = PQexec(c->pg, "SELECT current_database()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = result_error(c, res, NULL, err);
		goto done;
	}
	c->base.database = dbw_strdup(PQgetvalue(res, 0, 0));
	if (!c->base.url_redacted || !c->base.database) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	*out = &c->base;
	c = NULL;
done:
	PQclear(res);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	pg_close(c ? &c->base : NULL);
	return rc;
}

/* A COPY ... FROM STDIN in a script: libpq waits for data we do not have. */
static int end_copy(pg_conn *c, PGresult *res, dbw_error *err)
{
	PGresult *r;
	PQclear(res);
	PQputCopyEnd(c->pg, "dbward does not send COPY data");
	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
	dbw_error_set(err, DBW_ESQL, "COPY FROM STDIN is not supported in a migration");
	dbw_error_hint(err, "Use INSERT statements, or COPY FROM a file on the server.");
	return DBW_ESQL;
}

/* COPY ... TO STDOUT in a script: read and drop the rows, as for SELECT. */
static int discard_copy_out(pg_conn *c, PGresult *res, const char *sql, dbw_error *err)
{
	char *row = NULL;
	int rc = 0;
	PGresult *r;
	PQclear(res);
	while (PQgetCopyData(c->pg, &row, 0) > 0) {
		PQfreemem(row);
		row = NULL;
	}
	while ((r = PQgetResult(c->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (!rc && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
		    st != PGRES_EMPTY_QUERY)
			rc = result_error(c, r, sql, err);
		PQclear(r);
	}
	return rc;
}

static int pg_exec(dbw_conn *conn, const char *sql, dbw_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	PGresult *res;
	int rc = 0;
	clear_notices(c);
	res = PQexec(c->pg, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		break;
	case PGRES_COPY_IN:
		return end_copy(c, res, err);
	case PGRES_COPY_OUT:
		return discard_copy_out(c, res, sql, err);
	default:
		rc = result_error(c, res, sql, err);
	}
	PQclear(res);
	return rc;
}

static int pg_query(dbw_conn *conn, const char *sql, size_t nparams, const char *const *params,
                    dbw_result **out, dbw_error *err)
{
	pg_conn *c = (pg_conn *)conn;
	PGresult *res;
	dbw_result *r = NULL;
	int rc = 0, rows, cols;
	*out = NULL;
	clear_notices(c);
	res = PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = result_error(c, res, sql, err);
		goto done;
	}
	rows = PQntuples(res);
	cols = PQnfields(res);
	if ((rc = dbw_result__new(&r, (size_t)rows, (size_t)cols)) != 0) {
		dbw_error_set(err, rc, "out of memory");
		goto done;
	}
	for (int j = 0; j < cols; j++)
		if (!(r->colnames[j] = dbw_strdup(PQfname(res, j))))
			rc = DBW_ENOMEM;
	for (int i = 0; i < rows && !rc; i++)
		for (int j = 0; j < cols; j++)
			if (!PQgetisnull(res, i, j) &&
			    !(r->cells[(size_t)i * (size_t)cols + (size_t)j] =
			          dbw_strdup(PQgetvalue(res, i, j))))
				rc = DBW_ENOMEM;
	if (rc) {
		dbw_error_set(err, rc, "out of memory");
		goto done;
	}
	*out = r;
	r = NULL;
done:
	dbw_result_free(r);
	PQclear(res);
	return rc;
}

static int pg_begin(dbw_conn *c, dbw_error *err)
{
	return pg_exec(c, "BEGIN", err);
}

static int pg_set_lock_timeout(dbw_conn *c, long ms, dbw_error *err)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SET lock_timeout = %ld", ms < 0 ? 0 : ms);
	return pg_exec(c, sql, err);
}

/* Who holds advisory lock key in this database: pg_locks shows a bigint key
 * as classid (high 32 bits) and objid (low 32 bits) with objsubid 1
 * (PostgreSQL docs, "pg_locks"). */
static void describe_holder(dbw_conn *c, const char *key, dbw_error *err)
{
	static const char *const sql =
	    "SELECT a.pid, coalesce(a.application_name, ''), "
	    "coalesce(host(a.client_addr), 'local socket'), coalesce(a.usename::text, '') "
	    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
	    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
	    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
	    "AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint LIMIT 1";
	const char *params[1] = {key};
	dbw_result *r = NULL;
	dbw_error ignored = DBW_ERROR_INIT;
	if (pg_query(c, sql, 1, params, &r, &ignored) == 0 && r->rows == 1)
		dbw_error_detail(err,
		                 "The lock is held by process %s (application \"%s\", user \"%s\", "
		                 "client %s).",
		                 r->cells[0], r->cells[1], r->cells[3], r->cells[2]);
	else
		dbw_error_detail(err, "Another session holds advisory lock %s on this database.",
		                 key);
	dbw_result_free(r);
	dbw_error_clear(&ignored);
}

static int pg_lock(dbw_conn *c, long long key, long timeout_ms, dbw_error *err)
{
	char keytext[32];
	const char *params[1] = {keytext};
	int64_t start = dbw_monotonic_ms();
	long backoff = 10;
	snprintf(keytext, sizeof(keytext), "%lld", key);
	for (;;) {
		dbw_result *r = NULL;
		int rc = pg_query(c, "SELECT pg_try_advisory_lock($1::bigint)", 1, params, &r, err);
		int got;
		long left;
		if (rc)
			return rc;
		got = r->rows == 1 && r->cells[0] && strcmp(r->cells[0], "t") == 0;
		dbw_result_free(r);
		if (got)
			return 0;
		left = timeout_ms < 0 ? backoff : timeout_ms - (long)(dbw_monotonic_ms() - start);
		if (left <= 0) {
			dbw_error_set(err, DBW_ELOCK,
			              "could not acquire the deploy lock within %ld ms",
			              timeout_ms);
			describe_holder(c, keytext, err);
			dbw_error_hint(err, "Another deploy is running against this database; wait "
			                    "for it to finish, or allow a longer wait with "
			                    "--lock-timeout.");
			return DBW_ELOCK;
		}
		dbw_sleep_ms(backoff < left ? backoff : left);
		backoff = backoff * 2 > 250 ? 250 : backoff * 2;
	}
}

static int pg_unlock(dbw_conn *c, long long key, dbw_error *err)
{
	char keytext[32];
	const char *params[1] = {keytext};
	dbw_result *r = NULL;
	int rc;
	snprintf(keytext, sizeof(keytext), "%lld", key);
	rc = pg_query(c, "SELECT pg_advisory_unlock($1::bigint)", 1, params, &r, err);
	dbw_result_free(r);
	return rc;
}

static int pg_table_exists(dbw_conn *c, const char *table, int *exists_out, dbw_error *err)
{
	const char *params[1] = {table};
	dbw_result *r = NULL;
	int rc = pg_query(c,
	                  "SELECT to_regclass(quote_ident(current_schema()) || '.' || "
	                  "quote_ident($1)) IS NOT NULL",
	                  1, params, &r, err);
	*exists_out = 0;
	if (rc == 0)
		*exists_out = r->rows == 1 && r->cells[0] && strcmp(r->cells[0], "t") == 0;
	dbw_result_free(r);
	return rc;
}

const dbw_driver_ops dbw_pg_ops = {
    "postgres",          pg_open, pg_close,  pg_exec,         pg_query, pg_begin,
    pg_set_lock_timeout, pg_lock, pg_unlock, pg_table_exists,
};
