/*
 * test_policy_backup.c - verified SQLite backups (online backup API +
 * integrity_check), manifests, retention, checksum-checked restores, and
 * the PostgreSQL pieces that need no server: the tool lookup with its
 * package hint and the connection handed over in the environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dbward.h>
#include "driver/tools.h"
#include "policy/backup_internal.h"
#include "util/util.h"
#include "test_project.h"

static char root[] = "/tmp/dbw-test-backup-XXXXXX";
static dbw_project *project;

static int setup(void **state)
{
	char *ini;
	int rc;
	(void)state;
	if (!mkdtemp(root))
		return -1;
	ini = dbw_sprintf("[env.production]\nurl = sqlite:%s/prod.sqlite3\nbackup_dir = %s/b\n"
	                  "keep_backups = 2\n[env.staging]\nurl = sqlite:%s/staging.sqlite3\n",
	                  root, root, root);
	rc = test_project_open(root, ini, &project);
	free(ini);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	return test_project_close(root, project);
}

static void open_env(const char *name, dbw_env **env, dbw_conn **c)
{
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_env_resolve(env, project, name, &err), 0);
	assert_int_equal(dbw_conn_open(c, (*env)->url, NULL, &err), 0);
}

static const char *count_rows(dbw_conn *c, char *buf)
{
	dbw_result *r = NULL;
	assert_int_equal(dbw_conn_query(c, "SELECT count(*) FROM t", 0, NULL, &r, NULL), 0);
	strcpy(buf, dbw_result_value(r, 0, 0));
	dbw_result_free(r);
	return buf;
}

static void test_policy_backup__take_verify_restore(void **state)
{
	dbw_env *prod, *staging;
	dbw_conn *c, *s;
	dbw_backup *b = NULL, *loaded = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char buf[32];
	(void)state;
	open_env("production", &prod, &c);
	assert_int_equal(
	    dbw_conn_exec(c, "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2), (3)", &err),
	    0);
	assert_int_equal(dbw_backup_take(c, prod, project, NULL, &b, &err), 0);
	assert_int_equal(b->verified, 1);
	assert_string_equal(b->engine, "sqlite");
	assert_string_equal(b->environment, "production");
	assert_string_equal(b->verify_method, "PRAGMA integrity_check");
	assert_true(b->size > 0);
	assert_int_equal(access(b->manifest_path, R_OK), 0);
	assert_int_equal(dbw_backup_load(b->path, &loaded, &err), 0);
	assert_string_equal(loaded->sha256, b->sha256);
	assert_int_equal(loaded->size, b->size);
	dbw_backup_free(loaded);

	open_env("staging", &staging, &s);
	assert_int_equal(dbw_backup_restore(s, staging, b->path, NULL, &err), 0);
	assert_string_equal(count_rows(s, buf), "3");

	/* A changed file is refused, and the target keeps its rows. */
	assert_int_equal(dbw_conn_exec(s, "INSERT INTO t VALUES (4)", &err), 0);
	{
		FILE *f = fopen(b->path, "ab");
		assert_non_null(f);
		fputc('x', f);
		fclose(f);
	}
	assert_int_equal(dbw_backup_restore(s, staging, b->path, NULL, &err), DBW_EINPUT);
	assert_non_null(strstr(err.message, "does not match its checksum"));
	assert_string_equal(count_rows(s, buf), "4");
	dbw_error_clear(&err);
	dbw_backup_free(b);
	dbw_conn_close(s);
	dbw_conn_close(c);
	dbw_env_free(staging);
	dbw_env_free(prod);
}

static void test_policy_backup__retention_keeps_newest(void **state)
{
	dbw_env *prod;
	dbw_conn *c;
	dbw_backup *b = NULL;
	dbw_backup_list *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *dir, newest[4096];
	(void)state;
	open_env("production", &prod, &c);
	for (int i = 0; i < 3; i++) {
		dbw_sleep_ms(5); /* distinct millisecond names */
		assert_int_equal(dbw_backup_take(c, prod, project, NULL, &b, &err), 0);
		snprintf(newest, sizeof(newest), "%s", b->path);
		dbw_backup_free(b);
	}
	dir = dbw_backup_dir(prod, project, NULL);
	assert_int_equal(dbw_backup_list_dir(dir, "production", &l, &err), 0);
	assert_int_equal(l->count, 2); /* keep_backups = 2 */
	assert_string_equal(l->items[0]->path, newest);
	assert_true(l->items[0]->created_ms >= l->items[1]->created_ms);
	dbw_backup_list_free(l);
	assert_int_equal(dbw_backup_list_dir(dir, "staging", &l, &err), 0);
	assert_int_equal(l->count, 0);
	dbw_backup_list_free(l);
	free(dir);
	dbw_conn_close(c);
	dbw_env_free(prod);
}

static void test_policy_backup__unwritable_dir(void **state)
{
	dbw_env *prod;
	dbw_conn *c;
	dbw_backup_options o = DBW_BACKUP_OPTIONS_INIT;
	dbw_backup *b = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("production", &prod, &c);
	o.dir = "/dev/null/backups";
	assert_int_equal(dbw_backup_take(c, prod, project, &o, &b, &err), DBW_EIO);
	assert_null(b);
	assert_non_null(strstr(err.hint, "backup_dir writable"));
	assert_int_equal(dbw_backup_before_deploy(c, prod, project, 1, NULL, NULL, NULL, &err),
	                 DBW_EPOLICY);
	assert_string_equal(err.message, "--skip-backup on production needs --reason");
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(prod);
}

static void test_policy_backup__pg_tool_lookup(void **state)
{
	dbw_env *prod;
	dbw_conn *c;
	char *path = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("production", &prod, &c);
	assert_int_equal(dbw_backup__pg_tool(prod, root, 150004, "pg_dump", &path, &err), DBW_EIO);
	assert_null(path);
	assert_string_equal(err.message, "pg_dump for PostgreSQL 15 not found");
	assert_non_null(strstr(err.hint, "postgresql-client-15"));
	if (access("/usr/lib/postgresql/15/bin/pg_dump", X_OK) == 0) {
		assert_int_equal(dbw_backup__pg_tool(prod, NULL, 150004, "pg_dump", &path, &err),
		                 0);
		assert_string_equal(path, "/usr/lib/postgresql/15/bin/pg_dump");
		free(path);
		/* The 15 tools are not those of a PostgreSQL 16 server. */
		assert_int_equal(dbw_backup__pg_tool(prod, "/usr/lib/postgresql/15/bin", 160001,
		                                     "pg_dump", &path, &err),
		                 DBW_EIO);
		assert_non_null(strstr(err.message, "is not for PostgreSQL 16"));
		assert_non_null(strstr(err.hint, "postgresql-client-16"));
	}
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(prod);
}

static void test_policy_backup__password_goes_by_environment(void **state)
{
	dbw_strv v = DBW_STRV_INIT;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_pg__conninfo_env("postgresql://ann:s3cr%40t@db.example:5433/app"
	                                      "?sslmode=require",
	                                      &v, &err),
	                 0);
	assert_true(dbw_strv_contains(&v, "PGPASSWORD=s3cr@t"));
	assert_true(dbw_strv_contains(&v, "PGHOST=db.example"));
	assert_true(dbw_strv_contains(&v, "PGPORT=5433"));
	assert_true(dbw_strv_contains(&v, "PGDATABASE=app"));
	assert_true(dbw_strv_contains(&v, "PGUSER=ann"));
	assert_true(dbw_strv_contains(&v, "PGSSLMODE=require"));
	dbw_strv_free(&v);
	assert_int_equal(dbw_pg__conninfo_env("host=h password='a b' dbname=x", &v, &err), 0);
	assert_true(dbw_strv_contains(&v, "PGPASSWORD=a b"));
	dbw_strv_free(&v);
	assert_int_equal(dbw_pg__conninfo_env("postgresql://ann:pw@[::1/app", &v, &err),
	                 DBW_ECONFIG);
	assert_null(strstr(err.message, "pw@"));
	dbw_error_clear(&err);
	dbw_strv_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_backup__take_verify_restore),
	    cmocka_unit_test(test_policy_backup__retention_keeps_newest),
	    cmocka_unit_test(test_policy_backup__unwritable_dir),
	    cmocka_unit_test(test_policy_backup__pg_tool_lookup),
	    cmocka_unit_test(test_policy_backup__password_goes_by_environment),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
