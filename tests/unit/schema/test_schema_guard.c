/*
 * test_schema_guard.c - dbw_drift_guard, the check deploy runs before a
 * protected environment: it refuses on drift with DBW_EDRIFT and the
 * message, detail and hint people read; --allow-drift passes; an
 * unprotected environment passes without a check. Needs PostgreSQL
 * (scripts/with-postgres.sh); every test skips when PGHOST is unset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dbward.h>
#include "util/util.h"

static char db[64], url[128], dir[64];

static int have_pg(void)
{
	const char *h = getenv("PGHOST");
	return h && *h;
}

static void must(int rc, const dbw_error *err)
{
	if (rc)
		fail_msg("%s", err->message ? err->message : "error");
}

static int setup(void **state)
{
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char sql[128], *path;
	FILE *f;
	if (!have_pg())
		return 0;
	snprintf(db, sizeof(db), "dbw_schema_guard_%ld", (long)getpid());
	snprintf(url, sizeof(url), "dbname=%s", db);
	snprintf(dir, sizeof(dir), "/tmp/dbw_guard_%ld", (long)getpid());
	must(dbw_mkdir_p(dir, 0755, &err), &err);
	path = dbw_path_join(dir, "20240101000000_users.sql");
	f = fopen(path, "w");
	fputs("-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n", f);
	fclose(f);
	free(path);
	must(dbw_conn_open(&c, "dbname=postgres", NULL, &err), &err);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	must(dbw_conn_exec(c, sql, &err), &err);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", db);
	must(dbw_conn_exec(c, sql, &err), &err);
	dbw_conn_close(c);
	return 0;
}

static int teardown(void **state)
{
	dbw_conn *c = NULL;
	char sql[128];
	if (!have_pg())
		return 0;
	if (dbw_conn_open(&c, "dbname=postgres", NULL, NULL) == 0) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
		dbw_conn_exec(c, sql, NULL);
	}
	dbw_conn_close(c);
	snprintf(sql, sizeof(sql), "rm -rf %s", dir);
	return system(sql) == 0 ? 0 : -1;
}

static void test_schema_guard__refuses_drift_in_a_protected_environment(void **state)
{
	dbw_conn *c = NULL;
	dbw_migration_set *set = NULL;
	dbw_error err = DBW_ERROR_INIT;
	dbw_drift_options opts = DBW_DRIFT_OPTIONS_INIT;
	dbw_drift *drift = NULL;
	dbw_env prod, dev;
	int calls = 0;
	if (!have_pg())
		skip();
	memset(&prod, 0, sizeof(prod));
	prod.name = "production";
	prod.is_protected = 1;
	memset(&dev, 0, sizeof(dev));
	dev.name = "development";
	opts.live_url = url;
	must(dbw_conn_open(&c, url, NULL, &err), &err);
	must(dbw_migrations_load(&set, dir, NULL, DBW_FORMAT_DBWARD, &err), &err);
	must(dbw_deploy(c, set, NULL, NULL, &err), &err);

	/* no drift: passes, and says so */
	assert_int_equal(dbw_drift_guard(c, &prod, set, &opts, 0, &drift, &err), 0);
	assert_non_null(drift);
	assert_int_equal(drift->diff->count, 0);
	assert_int_equal(drift->n_replayed, 1);
	dbw_drift_free(drift);

	must(dbw_conn_exec(c, "ALTER TABLE users ADD COLUMN age int", &err), &err);
	assert_int_equal(dbw_drift_guard(c, &prod, set, &opts, 0, &drift, &err), DBW_EDRIFT);
	assert_string_equal(
	    err.message,
	    "cannot deploy to protected environment \"production\": its schema has drifted");
	assert_string_equal(err.detail,
	                    "1 object differs from what the 1 applied migration produces.");
	assert_string_equal(err.hint,
	                    "Run 'dbward diff production --migrations' to see the "
	                    "differences; deploy anyway with --allow-drift --reason \"...\".");
	assert_string_equal(drift->diff->items[0].b->name, "age");
	dbw_drift_free(drift);
	dbw_error_clear(&err);

	/* allowed: passes with the findings for the audit */
	assert_int_equal(dbw_drift_guard(c, &prod, set, &opts, 1, &drift, &err), 0);
	assert_int_equal(drift->diff->count, 1);
	dbw_drift_free(drift);

	/* unprotected: no check at all (no shadow, nothing returned) */
	drift = (dbw_drift *)&calls;
	assert_int_equal(dbw_drift_guard(c, &dev, set, &opts, 0, &drift, &err), 0);
	assert_null(drift);

	dbw_migrations_free(set);
	dbw_conn_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_guard__refuses_drift_in_a_protected_environment),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
