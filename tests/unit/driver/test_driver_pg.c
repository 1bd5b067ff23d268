/*
 * test_driver_pg.c - the libpq driver against a live PostgreSQL server
 * (scripts/with-postgres.sh); every test skips when PGHOST is unset.
 * Each run works in a scratch database of its own, dropped at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dbward/db.h>
#include "driver/driver.h"
#include "util/util.h"

static char scratch_url[256];
static char scratch_db[64];

static int have_pg(void)
{
	const char *h = getenv("PGHOST");
	return h && *h;
}

static dbw_conn *open_url(const char *url)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	int rc = dbw_conn_open(&c, url, NULL, &err);
	if (rc)
		fail_msg("open %s: %s (%s)", url, err.message, err.detail ? err.detail : "");
	dbw_error_clear(&err);
	return c;
}

static dbw_conn *open_scratch(void)
{
	if (!have_pg())
		skip();
	return open_url(scratch_url);
}

static int setup(void **state)
{
	dbw_conn *c;
	dbw_error err = DBW_ERROR_INIT;
	char sql[128];
	if (!have_pg())
		return 0;
	snprintf(scratch_db, sizeof(scratch_db), "dbw_driver_test_%ld", (long)getpid());
	snprintf(scratch_url, sizeof(scratch_url), "dbname=%s", scratch_db);
	c = open_url("dbname=postgres");
	/* one statement each: PQexec runs a script as one implicit
	 * transaction, which CREATE DATABASE refuses */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", scratch_db);
	assert_int_equal(dbw_conn_exec(c, sql, &err), 0);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", scratch_db);
	assert_int_equal(dbw_conn_exec(c, sql, &err), 0);
	dbw_conn_close(c);
	return 0;
}

static int teardown(void **state)
{
	dbw_conn *c;
	dbw_error err = DBW_ERROR_INIT;
	char sql[128];
	if (!have_pg())
		return 0;
	c = open_url("dbname=postgres");
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", scratch_db);
	dbw_conn_exec(c, sql, &err);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	return 0;
}

static void test_driver_pg__open_reads_identity(void **state)
{
	dbw_conn *c = open_scratch();
	assert_int_equal(dbw_conn_kind(c), DBW_DB_POSTGRES);
	assert_string_equal(dbw_conn_database(c), scratch_db);
	assert_true(dbw_conn_server_version(c) >= 150000);
	assert_string_equal(dbw_conn_url_redacted(c), scratch_url);
	assert_ptr_not_equal(dbw_pg__native(c), NULL);
	assert_null(dbw_sqlite__native(c));
	dbw_conn_close(c);
}

static void expect_app(const char *url, const char *app, const char *want)
{
	dbw_connect_options opts = DBW_CONNECT_OPTIONS_INIT;
	dbw_conn *c = NULL;
	dbw_result *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	opts.application_name = app;
	opts.connect_timeout_ms = 1;
	assert_int_equal(dbw_conn_open(&c, url, &opts, &err), 0);
	assert_int_equal(
	    dbw_conn_query(c, "SELECT current_setting('application_name')", 0, NULL, &r, &err), 0);
	assert_string_equal(dbw_result_value(r, 0, 0), want);
	dbw_result_free(r);
	dbw_conn_close(c);
}

static void test_driver_pg__application_name(void **state)
{
	char url[320];
	if (!have_pg())
		skip();
	expect_app(scratch_url, NULL, "dbward");
	expect_app(scratch_url, "deployer", "deployer");
	snprintf(url, sizeof(url), "%s application_name=fromurl", scratch_url);
	expect_app(url, NULL, "fromurl");
	expect_app(url, "deployer", "deployer");
}

static void test_driver_pg__exec_error_offset_third_statement(void **state)
{
	dbw_conn *c = open_scratch();
	dbw_error err = DBW_ERROR_INIT;
	const char *sql = "CREATE TABLE off_t (a int);\nINSERT INTO off_t VALUES (1);\n"
	                  "SELECT 'ünïcødé', nosuchcol FROM off_t;";
	int exists = 1;
	assert_int_equal(dbw_conn_exec(c, sql, &err), DBW_ESQL);
	assert_string_equal(err.sqlstate, "42703");
	assert_string_equal(err.message, "column \"nosuchcol\" does not exist");
	assert_int_equal(err.offset, strstr(sql, "nosuchcol") - sql);
	dbw_error_clear(&err);
	/* PQexec runs the script as one implicit transaction: nothing remains */
	assert_int_equal(dbw_conn_table_exists(c, "off_t", &exists, &err), 0);
	assert_int_equal(exists, 0);
	dbw_conn_close(c);
}

static void test_driver_pg__exec_syntax_error_detail_hint(void **state)
{
	dbw_conn *c = open_scratch();
	dbw_error err = DBW_ERROR_INIT;
	const char *sql = "SELECT 1;\nSELECT 'é';\nSELEC 2;";
	assert_int_equal(dbw_conn_exec(c, sql, &err), DBW_ESQL);
	assert_string_equal(err.sqlstate, "42601");
	assert_string_equal(err.message, "syntax error at or near \"SELEC\"");
	assert_int_equal(err.offset, strstr(sql, "SELEC 2") - sql);
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_exec(c,
	                               "CREATE TABLE h (a int PRIMARY KEY);"
	                               "INSERT INTO h VALUES (1), (1);",
	                               &err),
	                 DBW_ESQL);
	assert_string_equal(err.sqlstate, "23505");
	assert_string_equal(err.detail, "Key (a)=(1) already exists.");
	assert_int_equal(err.offset, -1);
	dbw_error_clear(&err);
	dbw_conn_close(c);
}

static void test_driver_pg__query_params_nulls_unicode(void **state)
{
	dbw_conn *c = open_scratch();
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	const char *params[3] = {"héllo wörld", "41", NULL};
	assert_int_equal(dbw_conn_query(c,
	                                "SELECT $1::text AS s, $2::int + 1 AS n, $3::text AS z, "
	                                "length($1::text) AS len",
	                                3, params, &r, &err),
	                 0);
	assert_int_equal(dbw_result_rows(r), 1);
	assert_int_equal(dbw_result_cols(r), 4);
	assert_string_equal(dbw_result_colname(r, 0), "s");
	assert_string_equal(dbw_result_value(r, 0, 0), "héllo wörld");
	assert_string_equal(dbw_result_value(r, 0, 1), "42");
	assert_null(dbw_result_value(r, 0, 2));
	assert_string_equal(dbw_result_value(r, 0, 3), "11");
	assert_null(dbw_result_value(r, 1, 0));
	dbw_result_free(r);
	assert_int_equal(dbw_conn_query(c, "SELECT x FROM generate_series(1, 3) x WHERE x > $1", 1,
	                                params + 1, &r, &err),
	                 0);
	assert_int_equal(dbw_result_rows(r), 0);
	dbw_result_free(r);
	assert_int_equal(dbw_conn_query(c, "SELECT $1::int", 1, params, &r, &err), DBW_ESQL);
	assert_null(r);
	assert_string_equal(err.sqlstate, "22P02");
	dbw_error_clear(&err);
	dbw_conn_close(c);
}

static void test_driver_pg__transactions_and_table_exists(void **state)
{
	dbw_conn *c = open_scratch();
	dbw_error err = DBW_ERROR_INIT;
	int exists = 0;
	assert_int_equal(dbw_conn_begin(c, &err), 0);
	assert_int_equal(dbw_conn_exec(c, "CREATE TABLE \"MixedCase\" (a int)", &err), 0);
	assert_int_equal(dbw_conn_rollback(c, &err), 0);
	assert_int_equal(dbw_conn_table_exists(c, "MixedCase", &exists, &err), 0);
	assert_int_equal(exists, 0);
	assert_int_equal(dbw_conn_begin(c, &err), 0);
	assert_int_equal(dbw_conn_exec(c, "CREATE TABLE \"MixedCase\" (a int)", &err), 0);
	assert_int_equal(dbw_conn_commit(c, &err), 0);
	assert_int_equal(dbw_conn_table_exists(c, "MixedCase", &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(dbw_conn_table_exists(c, "mixedcase", &exists, &err), 0);
	assert_int_equal(exists, 0);
	assert_int_equal(dbw_conn_rollback(c, &err), 0); /* none open: still fine */
	/* COPY in a script: TO STDOUT is read and dropped, FROM STDIN refused */
	assert_int_equal(dbw_conn_exec(c, "COPY (SELECT 1 UNION ALL SELECT 2) TO STDOUT", &err), 0);
	assert_int_equal(dbw_conn_exec(c, "COPY \"MixedCase\" FROM STDIN", &err), DBW_ESQL);
	assert_string_equal(err.message, "COPY FROM STDIN is not supported in a migration");
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_exec(c, "SELECT 1", &err), 0);
	dbw_conn_close(c);
}

static void test_driver_pg__notices_captured(void **state)
{
	dbw_conn *c = open_scratch();
	dbw_error err = DBW_ERROR_INIT;
	const char *const *notices = NULL;
	size_t n;
	assert_int_equal(dbw_conn_exec(c, "DO $$BEGIN RAISE NOTICE 'hello %', 1; END$$", &err), 0);
	n = dbw_pg__notices(c, &notices);
	assert_int_equal(n, 1);
	assert_string_equal(notices[0], "NOTICE:  hello 1");
	assert_int_equal(dbw_conn_exec(c,
	                               "DO $$BEGIN FOR i IN 1..20 LOOP RAISE NOTICE 'n%', i; "
	                               "END LOOP; END$$",
	                               &err),
	                 0);
	n = dbw_pg__notices(c, &notices);
	assert_int_equal(n, DBW_PG_NOTICES_KEPT);
	assert_string_equal(notices[n - 1], "NOTICE:  n20");
	dbw_conn_close(c);
}

static void test_driver_pg__advisory_lock_times_out(void **state)
{
	dbw_conn *a = open_scratch(), *b = open_url(scratch_url);
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	char want[128];
	int64_t t0, took;
	assert_int_equal(dbw_conn_lock(a, -7046029254386353131LL, 0, &err), 0);
	assert_int_equal(dbw_conn_query(a, "SELECT pg_backend_pid()", 0, NULL, &r, &err), 0);
	snprintf(want, sizeof(want), "The lock is held by process %s (application \"dbward\"",
	         dbw_result_value(r, 0, 0));
	dbw_result_free(r);
	t0 = dbw_monotonic_ms();
	assert_int_equal(dbw_conn_lock(b, -7046029254386353131LL, 300, &err), DBW_ELOCK);
	took = dbw_monotonic_ms() - t0;
	assert_true(took >= 300);
	assert_true(took < 2000);
	assert_string_equal(err.message, "could not acquire the deploy lock within 300 ms");
	assert_non_null(err.detail);
	if (strncmp(err.detail, want, strlen(want)) != 0)
		fail_msg("detail \"%s\" does not start with \"%s\"", err.detail, want);
	assert_non_null(strstr(err.hint, "--lock-timeout"));
	dbw_error_clear(&err);
	/* another key is free; after unlock, the first one too */
	assert_int_equal(dbw_conn_lock(b, 1, 0, &err), 0);
	assert_int_equal(dbw_conn_unlock(a, -7046029254386353131LL, &err), 0);
	assert_int_equal(dbw_conn_lock(b, -7046029254386353131LL, 1000, &err), 0);
	dbw_conn_close(a);
	dbw_conn_close(b);
}

static void test_driver_pg__lock_timeout_is_elock(void **state)
{
	dbw_conn *a = open_scratch(), *b = open_url(scratch_url);
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_conn_exec(a, "CREATE TABLE IF NOT EXISTS lk (a int)", &err), 0);
	assert_int_equal(dbw_conn_begin(a, &err), 0);
	assert_int_equal(dbw_conn_exec(a, "LOCK TABLE lk IN ACCESS EXCLUSIVE MODE", &err), 0);
	assert_int_equal(dbw_conn_set_lock_timeout(b, 100, &err), 0);
	assert_int_equal(dbw_conn_exec(b, "ALTER TABLE lk ADD COLUMN b int", &err), DBW_ELOCK);
	assert_string_equal(err.sqlstate, "55P03");
	assert_string_equal(err.message, "canceling statement due to lock timeout");
	dbw_error_clear(&err);
	dbw_conn_close(a);
	dbw_conn_close(b);
}

static void test_driver_pg__lost_connection_is_econnect(void **state)
{
	dbw_conn *a = open_scratch(), *b = open_url(scratch_url);
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	char sql[96];
	assert_int_equal(dbw_conn_query(b, "SELECT pg_backend_pid()", 0, NULL, &r, &err), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", dbw_result_value(r, 0, 0));
	dbw_result_free(r);
	assert_int_equal(dbw_conn_exec(a, sql, &err), 0);
	dbw_sleep_ms(100);
	assert_int_equal(dbw_conn_exec(b, "SELECT 1", &err), DBW_ECONNECT);
	assert_non_null(strstr(err.message, "lost the connection to database"));
	dbw_error_clear(&err);
	dbw_conn_close(a);
	dbw_conn_close(b);
}

static int field_has(const dbw_error *e, const char *s)
{
	return (e->message && strstr(e->message, s)) || (e->detail && strstr(e->detail, s)) ||
	       (e->hint && strstr(e->hint, s)) || (e->where && strstr(e->where, s));
}

static void test_driver_pg__wrong_password(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char url[512];
	const char *user = getenv("PGUSER"), *port = getenv("PGPORT");
	if (!have_pg())
		skip();
	snprintf(url, sizeof(url), "postgres://%s:Wr0ng-Secret@127.0.0.1:%s/%s",
	         user ? user : "postgres", port ? port : "5432", scratch_db);
	assert_int_equal(dbw_conn_open(&c, url, NULL, &err), DBW_ECONNECT);
	assert_null(c);
	assert_false(field_has(&err, "Wr0ng-Secret"));
	snprintf(url, sizeof(url), "could not connect to database \"%s\" at 127.0.0.1:%s",
	         scratch_db, port ? port : "5432");
	assert_string_equal(err.message, url);
	assert_non_null(strstr(err.detail, "password authentication failed"));
	assert_string_equal(err.hint,
	                    "Check the password in the database URL or in ~/.pgpass (PGPASSFILE).");
	dbw_error_clear(&err);
	/* the same as conninfo with a quoted password */
	snprintf(url, sizeof(url), "host=127.0.0.1 port=%s dbname=%s password='Wr0ng Secret'",
	         port ? port : "5432", scratch_db);
	assert_int_equal(dbw_conn_open(&c, url, NULL, &err), DBW_ECONNECT);
	assert_false(field_has(&err, "Wr0ng"));
	dbw_error_clear(&err);
}

static void test_driver_pg__unreachable_and_missing_database(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	dbw_connect_options opts = DBW_CONNECT_OPTIONS_INIT;
	opts.connect_timeout_ms = 1500;
	if (!have_pg())
		skip();
	assert_int_equal(dbw_conn_open(&c, "postgres://u:pw@127.0.0.1:1/app", &opts, &err),
	                 DBW_ECONNECT);
	assert_string_equal(err.message, "could not connect to database \"app\" at 127.0.0.1:1");
	assert_non_null(strstr(err.detail, "Connection refused"));
	assert_string_equal(err.hint, "Is the server running on that host and accepting TCP/IP "
	                              "connections on that port?");
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_open(&c, "dbname=dbw_no_such_database_here", NULL, &err),
	                 DBW_ECONNECT);
	assert_non_null(strstr(err.detail, "does not exist"));
	assert_non_null(strstr(err.hint, "dbward setup"));
	dbw_error_clear(&err);
}

static void test_driver_pg__malformed_url(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	/* no server needed: libpq rejects these before connecting */
	assert_int_equal(dbw_conn_open(&c, "postgres://bob:Sekrit9@h/app?bogus=1", NULL, &err),
	                 DBW_ECONFIG);
	assert_null(c);
	assert_string_equal(err.message,
	                    "invalid database URL \"postgres://bob:****@h/app?bogus=1\"");
	assert_non_null(strstr(err.detail, "bogus"));
	assert_non_null(strstr(err.hint, "postgres://"));
	assert_false(field_has(&err, "Sekrit9"));
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_open(&c, "host=h password='Sekrit9 dbname", NULL, &err),
	                 DBW_ECONFIG);
	assert_false(field_has(&err, "Sekrit9"));
	dbw_error_clear(&err);
	/* libpq quotes the bad token, here the password itself */
	assert_int_equal(dbw_conn_open(&c, "postgres://bob:Sek%zzrit9@h/app", NULL, &err),
	                 DBW_ECONFIG);
	assert_string_equal(err.detail, "libpq: invalid percent-encoded token: \"****\".");
	assert_false(field_has(&err, "Sek"));
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_open(&c, "mysql://u@h/db", NULL, &err), DBW_ECONFIG);
	dbw_error_clear(&err);
}

static void test_driver_pg__connect_hints_without_server(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_conn_open(&c, "host=/nonexistent-dbw port=5999 dbname=x", NULL, &err),
	                 DBW_ECONNECT);
	assert_null(c);
	assert_string_equal(err.message,
	                    "could not connect to database \"x\" at /nonexistent-dbw:5999");
	assert_string_equal(err.hint, "Is the server running locally and accepting connections on "
	                              "the Unix-domain socket \"/nonexistent-dbw/.s.PGSQL.5999\"?");
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_open(&c, "service=dbw_no_such_service", NULL, &err),
	                 DBW_ECONNECT);
	assert_non_null(strstr(err.detail, "dbw_no_such_service"));
	assert_non_null(strstr(err.hint, "pg_service.conf"));
	dbw_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_driver_pg__open_reads_identity),
	    cmocka_unit_test(test_driver_pg__application_name),
	    cmocka_unit_test(test_driver_pg__exec_error_offset_third_statement),
	    cmocka_unit_test(test_driver_pg__exec_syntax_error_detail_hint),
	    cmocka_unit_test(test_driver_pg__query_params_nulls_unicode),
	    cmocka_unit_test(test_driver_pg__transactions_and_table_exists),
	    cmocka_unit_test(test_driver_pg__notices_captured),
	    cmocka_unit_test(test_driver_pg__advisory_lock_times_out),
	    cmocka_unit_test(test_driver_pg__lock_timeout_is_elock),
	    cmocka_unit_test(test_driver_pg__lost_connection_is_econnect),
	    cmocka_unit_test(test_driver_pg__wrong_password),
	    cmocka_unit_test(test_driver_pg__unreachable_and_missing_database),
	    cmocka_unit_test(test_driver_pg__malformed_url),
	    cmocka_unit_test(test_driver_pg__connect_hints_without_server),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
