/*
 * wait.c - `wait`: retry until the database accepts a connection and
 * answers a query, for compose health checks and CI. Exponential backoff,
 * bounded by the time left, so a 5 s timeout never waits 8 s.
 */
#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"
#include "util/util.h"

/* One attempt: connect and SELECT 1. */
static int attempt(const char *url, long connect_timeout_ms, dbw_error *err)
{
	dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
	dbw_conn *c = NULL;
	dbw_result *r = NULL;
	int rc;
	co.connect_timeout_ms = connect_timeout_ms;
	co.create = 0; /* waiting must not create a SQLite file */
	rc = dbw_conn_open(&c, url, &co, err);
	if (rc < 0)
		return rc;
	rc = dbw_conn_query(c, "SELECT 1", 0, NULL, &r, err);
	dbw_result_free(r);
	dbw_conn_close(c);
	return rc;
}

int dbw_wait(const char *url, const dbw_wait_options *opts, int *attempts_out, long *elapsed_ms_out,
             dbw_error *err)
{
	static const dbw_wait_options defaults = DBW_WAIT_OPTIONS_INIT;
	dbw_error last = DBW_ERROR_INIT;
	int64_t start = dbw_monotonic_ms();
	long backoff, elapsed = 0;
	int n = 0, rc;

	if (!opts)
		opts = &defaults;
	backoff = opts->first_backoff_ms > 0 ? opts->first_backoff_ms : 100;
	for (;;) {
		long left = opts->timeout_ms - elapsed, pause;
		n++;
		dbw_error_clear(&last);
		/* Connect timeouts are whole seconds in libpq; never below 1 s. */
		rc = attempt(url, left > 1000 ? left : 1000, &last);
		elapsed = (long)(dbw_monotonic_ms() - start);
		if (rc == 0 || rc == DBW_ECONFIG || rc == DBW_ENOMEM)
			break;
		left = opts->timeout_ms - elapsed;
		if (left <= 0)
			break;
		pause = backoff < left ? backoff : left;
		if (opts->on_retry)
			opts->on_retry(n, &last, pause, opts->ctx);
		dbw_sleep_ms(pause);
		elapsed = (long)(dbw_monotonic_ms() - start);
		backoff *= 2;
		if (opts->max_backoff_ms > 0 && backoff > opts->max_backoff_ms)
			backoff = opts->max_backoff_ms;
	}
	if (attempts_out)
		*attempts_out = n;
	if (elapsed_ms_out)
		*elapsed_ms_out = elapsed;
	if (rc == 0) {
		dbw_error_clear(&last);
		return 0;
	}
	if (rc == DBW_ECONFIG || rc == DBW_ENOMEM) {
		if (err)
			dbw_error_move(err, &last);
		else
			dbw_error_clear(&last);
		return rc;
	}
	/* Timed out: the last attempt's message, and how long we tried. */
	if (err) {
		dbw_error_move(err, &last);
		err->code = DBW_ECONNECT;
		dbw_error_detail(err, "Gave up after %d attempt%s in %.1f s.", n, n == 1 ? "" : "s",
		                 elapsed / 1000.0);
		if (!err->hint)
			dbw_error_hint(err, "Check that the server is running and that the URL is "
			                    "right (dbward env --explain).");
	} else {
		dbw_error_clear(&last);
	}
	return DBW_ECONNECT;
}
