/*
 * test_driver_sqlite.c - the SQLite driver against real files in a
 * temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <dbward/db.h>
#include "driver/driver.h"
#include "util/util.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/dbw_sqlite_test_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *url_for(const char *name)
{
	return dbw_sprintf("sqlite:%s/%s", dir, name);
}

static dbw_conn *open_file(const char *name, const dbw_connect_options *opts)
{
	char *url = url_for(name);
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	if (dbw_conn_open(&c, url, opts, &err) != 0)
		fail_msg("open %s: %s", url, err.message);
	free(url);
	return c;
}

static void test_driver_sqlite__open_identity(void **state)
{
	dbw_conn *c = open_file("ident.sqlite3", NULL);
	dbw_error err = DBW_ERROR_INIT;
	char *path = dbw_sprintf("%s/ident.sqlite3", dir);
	assert_int_equal(dbw_conn_kind(c), DBW_DB_SQLITE);
	assert_string_equal(dbw_conn_database(c), "ident.sqlite3");
	assert_true(dbw_conn_server_version(c) >= 3000000);
	assert_non_null(dbw_sqlite__native(c));
	assert_null(dbw_pg__native(c));
	assert_true(dbw_path_exists(path));
	dbw_conn_close(c);
	assert_int_equal(dbw_conn_open(&c, "sqlite::memory:", NULL, &err), 0);
	assert_string_equal(dbw_conn_database(c), "");
	dbw_conn_close(c);
	free(path);
}

static void test_driver_sqlite__exec_error_offset_third_statement(void **state)
{
	dbw_conn *c = open_file("offset.db", NULL);
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	int exists = 0;
	const char *sql =
	    "CREATE TABLE t (a INTEGER PRIMARY KEY);\n-- c\nINSERT INTO t VALUES (1);\n"
	    "  SELECT 'ünï', nosuchcol FROM t;";
	const char *dup = "INSERT INTO t VALUES (2);\n /* x */ INSERT INTO t VALUES (2);";
	assert_int_equal(
	    dbw_conn_exec(c, "CREATE TABLE e (a);; -- x\n;INSERT INTO e VALUES (1);", &err), 0);
	assert_int_equal(dbw_conn_table_exists(c, "e", &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(dbw_conn_query(c, "SELECT count(*) FROM e", 0, NULL, &r, &err), 0);
	assert_string_equal(dbw_result_value(r, 0, 0), "1");
	dbw_result_free(r);
	assert_int_equal(dbw_conn_exec(c, sql, &err), DBW_ESQL);
	assert_string_equal(err.message, "no such column: nosuchcol");
	assert_string_equal(err.sqlstate, "");
	assert_int_equal(err.offset, strstr(sql, "nosuchcol") - sql);
	dbw_error_clear(&err);
	/* a failure while stepping points at its statement's first token */
	assert_int_equal(dbw_conn_exec(c, dup, &err), DBW_ESQL);
	assert_string_equal(err.message, "UNIQUE constraint failed: t.a");
	assert_int_equal(err.offset, strstr(dup, "*/ INSERT") + 3 - dup);
	dbw_error_clear(&err);
	dbw_conn_close(c);
}

static void test_driver_sqlite__query_params_nulls(void **state)
{
	dbw_conn *c = open_file("query.db", NULL);
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	const char *params[3] = {"héllo", "41", NULL};
	int exists = 0;
	assert_int_equal(dbw_conn_exec(c, "CREATE TABLE q (s TEXT, n INTEGER, z TEXT)", &err), 0);
	assert_int_equal(
	    dbw_conn_query(c, "INSERT INTO q VALUES ($1, $2 + 1, $3)", 3, params, &r, &err), 0);
	dbw_result_free(r);
	assert_int_equal(
	    dbw_conn_query(c, "SELECT s, n, z FROM q WHERE s = $1", 1, params, &r, &err), 0);
	assert_int_equal(dbw_result_rows(r), 1);
	assert_int_equal(dbw_result_cols(r), 3);
	assert_string_equal(dbw_result_colname(r, 1), "n");
	assert_string_equal(dbw_result_value(r, 0, 0), "héllo");
	assert_string_equal(dbw_result_value(r, 0, 1), "42");
	assert_null(dbw_result_value(r, 0, 2));
	dbw_result_free(r);
	assert_int_equal(dbw_conn_query(c, "SELECT s FROM q WHERE s = $1", 1, params + 1, &r, &err),
	                 0);
	assert_int_equal(dbw_result_rows(r), 0);
	dbw_result_free(r);
	assert_int_equal(dbw_conn_query(c, "SELECT nope FROM q", 0, NULL, &r, &err), DBW_ESQL);
	assert_null(r);
	assert_int_equal(err.offset, 7);
	dbw_error_clear(&err);
	assert_int_equal(dbw_conn_table_exists(c, "q", &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(dbw_conn_table_exists(c, "nope", &exists, &err), 0);
	assert_int_equal(exists, 0);
	dbw_conn_close(c);
}

static void test_driver_sqlite__busy_is_elock(void **state)
{
	dbw_conn *a = open_file("busy.db", NULL), *b = open_file("busy.db", NULL);
	dbw_error err = DBW_ERROR_INIT;
	int64_t t0, took;
	assert_int_equal(dbw_conn_exec(a, "CREATE TABLE t (a)", &err), 0);
	assert_int_equal(dbw_conn_begin(a, &err), 0);
	assert_int_equal(dbw_conn_set_lock_timeout(b, 200, &err), 0);
	t0 = dbw_monotonic_ms();
	assert_int_equal(dbw_conn_begin(b, &err), DBW_ELOCK);
	took = dbw_monotonic_ms() - t0;
	assert_true(took >= 150);
	assert_true(took < 3000);
	assert_string_equal(err.message, "database is locked");
	assert_non_null(strstr(err.hint, "--lock-timeout"));
	dbw_error_clear(&err);
	/* the lock and unlock of db.h are no-ops on SQLite */
	assert_int_equal(dbw_conn_lock(b, 42, 0, &err), 0);
	assert_int_equal(dbw_conn_unlock(b, 42, &err), 0);
	assert_int_equal(dbw_conn_commit(a, &err), 0);
	assert_int_equal(dbw_conn_begin(b, &err), 0);
	assert_int_equal(dbw_conn_rollback(b, &err), 0);
	dbw_conn_close(a);
	dbw_conn_close(b);
}

static void test_driver_sqlite__read_only(void **state)
{
	dbw_connect_options ro = DBW_CONNECT_OPTIONS_INIT;
	dbw_conn *c = open_file("ro.db", NULL);
	dbw_error err = DBW_ERROR_INIT;
	dbw_result *r = NULL;
	char *path = dbw_sprintf("%s/ro.db", dir);
	assert_int_equal(dbw_conn_exec(c, "CREATE TABLE t (a); INSERT INTO t VALUES (1)", &err), 0);
	dbw_conn_close(c);
	ro.read_only = 1;
	c = open_file("ro.db", &ro);
	assert_int_equal(dbw_conn_exec(c, "INSERT INTO t VALUES (2)", &err), DBW_ESQL);
	assert_string_equal(err.message, "attempt to write a readonly database");
	assert_non_null(strstr(err.hint, "write the database file"));
	dbw_error_clear(&err);
	dbw_conn_close(c);
	/* a write-protected file (only meaningful when not root) */
	if (geteuid() != 0) {
		chmod(path, 0444);
		c = open_file("ro.db", NULL);
		assert_int_equal(dbw_conn_exec(c, "INSERT INTO t VALUES (3)", &err), DBW_ESQL);
		assert_string_equal(err.message, "attempt to write a readonly database");
		dbw_error_clear(&err);
		dbw_conn_close(c);
		chmod(path, 0644);
	}
	c = open_file("ro.db", NULL);
	assert_int_equal(dbw_conn_query(c, "SELECT count(*) FROM t", 0, NULL, &r, &err), 0);
	assert_string_equal(dbw_result_value(r, 0, 0), "1");
	dbw_result_free(r);
	dbw_conn_close(c);
	free(path);
}

static void test_driver_sqlite__missing_file_without_create(void **state)
{
	dbw_connect_options opts = DBW_CONNECT_OPTIONS_INIT;
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *url = url_for("absent.db"), *path = dbw_sprintf("%s/absent.db", dir), *msg;
	opts.create = 0;
	assert_int_equal(dbw_conn_open(&c, url, &opts, &err), DBW_ECONNECT);
	assert_null(c);
	msg = dbw_sprintf("database file \"%s\" does not exist", path);
	assert_string_equal(err.message, msg);
	assert_non_null(err.hint);
	assert_false(dbw_path_exists(path));
	dbw_error_clear(&err);
	free(msg);
	free(url);
	url = dbw_sprintf("sqlite:%s/no/such/folder/x.db", dir);
	assert_int_equal(dbw_conn_open(&c, url, NULL, &err), DBW_ECONNECT);
	assert_non_null(strstr(err.message, "could not open database file"));
	dbw_error_clear(&err);
	free(url);
	free(path);
}

static void test_driver_sqlite__relative_path_and_triple_slash(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char cwd[512], *url;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(dbw_conn_open(&c, "sqlite:rel.sqlite", NULL, &err), 0);
	dbw_conn_close(c);
	assert_int_equal(dbw_conn_open(&c, "bare.db", NULL, &err), 0);
	dbw_conn_close(c);
	assert_int_equal(chdir(cwd), 0);
	url = dbw_sprintf("sqlite://%s/rel.sqlite", dir);
	assert_int_equal(dbw_conn_open(&c, url, NULL, &err), 0);
	assert_string_equal(dbw_conn_database(c), "rel.sqlite");
	dbw_conn_close(c);
	free(url);
	url = dbw_sprintf("%s/bare.db", dir);
	assert_true(dbw_path_exists(url));
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_driver_sqlite__open_identity),
	    cmocka_unit_test(test_driver_sqlite__exec_error_offset_third_statement),
	    cmocka_unit_test(test_driver_sqlite__query_params_nulls),
	    cmocka_unit_test(test_driver_sqlite__busy_is_elock),
	    cmocka_unit_test(test_driver_sqlite__read_only),
	    cmocka_unit_test(test_driver_sqlite__missing_file_without_create),
	    cmocka_unit_test(test_driver_sqlite__relative_path_and_triple_slash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
