/*
 * test_lint_gate.c - dbw_lint_deploy_check, what deploy asks before it runs:
 * a protected environment refuses error-level findings of the pending
 * migrations unless signed off; other environments only verify dbward.sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward.h>
#include "util/util.h"

typedef struct proj {
	char dir[64];
	dbw_project *p;
	dbw_migration_set *set;
} proj;

static void put(proj *r, const char *rel, const char *text)
{
	char *path = dbw_path_join(r->dir, rel), *slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(dbw_mkdir_p(path, 0755, NULL), 0);
	*slash = '/';
	assert_int_equal(dbw_file_write(path, text, strlen(text), 0644, NULL), 0);
	free(path);
}

static void load(proj *r)
{
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	char *dir = dbw_path_join(r->dir, "db/migrations");
	dbw_migrations_free(r->set);
	dbw_project_free(r->p);
	po.cwd = r->dir;
	assert_int_equal(dbw_project_open(&r->p, &po, NULL), 0);
	assert_int_equal(dbw_migrations_load(&r->set, dir, r->dir, DBW_FORMAT_AUTO, NULL), 0);
	free(dir);
}

static int setup(void **state)
{
	proj *r = calloc(1, sizeof(*r));
	strcpy(r->dir, "/tmp/dbw-gate-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	put(r, "dbward.ini",
	    "[env.production]\nurl = postgresql://app@db.example.com/app_prod\nlock_timeout = 5s\n"
	    "[env.staging]\nurl = postgresql://app@db.example.com/app_staging\n");
	put(r, "db/migrations/20240101000000_init.sql",
	    "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
	    "CREATE TABLE sessions (id bigint);\n");
	put(r, "db/migrations/20240201000000_drop.sql",
	    "-- migrate:up\nDROP TABLE sessions;\nALTER TABLE users ADD COLUMN bio text;\n");
	load(r);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	proj *r = *state;
	char *cmd = dbw_sprintf("rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		fail();
	free(cmd);
	dbw_migrations_free(r->set);
	dbw_project_free(r->p);
	free(r);
	return 0;
}

static int check(proj *r, const char *env_name, const unsigned char *pending, dbw_error *err)
{
	dbw_env *env = NULL;
	dbw_lint *l = NULL;
	int rc;
	assert_int_equal(dbw_env_resolve(&env, r->p, env_name, NULL), 0);
	rc = dbw_lint_deploy_check(r->p, env, r->set, pending, &l, err);
	if (rc == 0 || rc == DBW_EPOLICY)
		assert_non_null(l);
	else
		assert_null(l);
	dbw_lint_free(l);
	dbw_env_free(env);
	return rc;
}

static void test_lint_gate__protected_refuses(void **state)
{
	proj *r = *state;
	static const unsigned char all[] = {1, 1};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(check(r, "production", all, &err), DBW_EPOLICY);
	assert_string_equal(err.message,
	                    "cannot deploy to protected environment \"production\": "
	                    "DW101 drop-table: table \"sessions\" is dropped with its data");
	assert_string_equal(err.where, "db/migrations/20240201000000_drop.sql:2:1");
	assert_string_equal(err.detail, "One error-level lint finding is not signed off.");
	assert_non_null(strstr(err.hint, "-- dbward:allow DW101 <reason>"));
	dbw_error_clear(&err);
}

static void test_lint_gate__signed_off_passes(void **state)
{
	proj *r = *state;
	static const unsigned char all[] = {1, 1};
	dbw_error err = DBW_ERROR_INIT;
	put(r, "db/migrations/20240201000000_drop.sql",
	    "-- migrate:up\n-- dbward:allow DW101 sessions are recreated at login\n"
	    "DROP TABLE sessions;\nALTER TABLE users ADD COLUMN bio text;\n");
	load(r);
	assert_int_equal(check(r, "production", all, &err), 0);
}

static void test_lint_gate__only_pending_and_only_protected(void **state)
{
	proj *r = *state;
	static const unsigned char first_only[] = {1, 0};
	static const unsigned char all[] = {1, 1};
	dbw_error err = DBW_ERROR_INIT;
	/* the drop is in the applied migration: not linted */
	assert_int_equal(check(r, "production", first_only, &err), 0);
	/* staging is not protected: findings do not refuse */
	assert_int_equal(check(r, "staging", all, &err), 0);
	/* NULL: every migration */
	assert_int_equal(check(r, "production", NULL, &err), DBW_EPOLICY);
	dbw_error_clear(&err);
}

static void test_lint_gate__sum_checked_everywhere(void **state)
{
	proj *r = *state;
	static const unsigned char all[] = {1, 1};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_sum_write(r->set, DBW_DB_POSTGRES, NULL, &err), 0);
	put(r, "db/migrations/20240101000000_init.sql",
	    "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n"
	    "CREATE TABLE sessions (id bigint);\n");
	load(r);
	assert_int_equal(check(r, "staging", all, &err), DBW_EHISTORY);
	assert_string_equal(err.message, "migration \"20240101000000\" was edited");
	dbw_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lint_gate__protected_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_gate__signed_off_passes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_gate__only_pending_and_only_protected, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lint_gate__sum_checked_everywhere, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
