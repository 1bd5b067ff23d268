/*
 * test_policy_guard.c - stamp, identity, confirmation, the guard's order
 * and the audit trail, on real SQLite files of a real project.
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
#include "util/util.h"
#include "test_project.h"

static char root[] = "/tmp/dbw-test-guard-XXXXXX";
static dbw_project *project;

static int setup(void **state)
{
	char *ini;
	int rc;
	(void)state;
	if (!mkdtemp(root))
		return -1;
	ini = dbw_sprintf(
	    "[env.development]\nurl = sqlite:%s/dev.sqlite3\n"
	    "[env.production]\nurl = sqlite:%s/app_prod.sqlite3\nexpect_database = *prod*\n"
	    "[env.shadow]\nurl = sqlite:%s/./app_prod.sqlite3\n"
	    "[env.copy]\nurl = sqlite:%s/copy.sqlite3\n",
	    root, root, root, root);
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

static void test_policy_guard__stamp_roundtrip(void **state)
{
	dbw_env *env;
	dbw_conn *c;
	dbw_stamp *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("development", &env, &c);
	assert_int_equal(dbw_stamp_read(c, &s, &err), 0);
	assert_null(s);
	assert_int_equal(dbw_stamp_write(c, "development", "ann@laptop", &err), 0);
	assert_int_equal(dbw_stamp_read(c, &s, &err), 0);
	assert_non_null(s);
	assert_string_equal(s->environment, "development");
	assert_string_equal(s->stamped_by, "ann@laptop");
	assert_string_equal(s->dbward_version, dbw_version());
	dbw_stamp_free(s);
	/* Re-stamping replaces the one row. */
	assert_int_equal(dbw_stamp_write(c, "test", NULL, &err), 0);
	assert_int_equal(dbw_stamp_read(c, &s, &err), 0);
	assert_string_equal(s->environment, "test");
	dbw_stamp_free(s);
	assert_int_equal(dbw_stamp_write(c, "development", NULL, &err), 0);
	assert_int_equal(dbw_stamp_write(c, "", NULL, &err), DBW_EUSAGE);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(env);
}

static void test_policy_guard__first_deploy_stamps(void **state)
{
	dbw_env *env;
	dbw_conn *c;
	dbw_guard_options o = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result r;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("production", &env, &c);
	o.stamp_unstamped = 1;
	assert_int_equal(dbw_guard(c, env, project, "deploy", &o, &r, &err), 0);
	assert_int_equal(r.stamped, 1);
	assert_string_equal(r.stamp_env, "production");
	assert_int_equal(dbw_guard(c, env, project, "deploy", &o, &r, &err), 0);
	assert_int_equal(r.stamped, 0);
	assert_int_equal(r.is_stamped, 1);
	dbw_conn_close(c);
	dbw_env_free(env);
}

static void test_policy_guard__stamp_mismatch_refused(void **state)
{
	dbw_env *copy;
	dbw_conn *c;
	dbw_guard_result r;
	dbw_error err = DBW_ERROR_INIT;
	char *cmd = dbw_sprintf("cp '%s/app_prod.sqlite3' '%s/copy.sqlite3'", root, root);
	(void)state;
	/* A copy of production's file carries production's stamp. */
	assert_int_equal(system(cmd), 0);
	free(cmd);
	open_env("copy", &copy, &c);
	assert_int_equal(dbw_guard(c, copy, project, "seed", NULL, &r, &err), DBW_EPOLICY);
	assert_string_equal(err.message,
	                    "database \"copy.sqlite3\" is stamped production, not copy");
	assert_non_null(strstr(err.hint, "use --env production if you meant production"));
	assert_int_equal(r.needs_confirmation, 0);
	assert_int_equal(r.is_stamped, 1);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(copy);
}

static void test_policy_guard__same_file_refused_first(void **state)
{
	dbw_env *shadow;
	dbw_conn *c;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	/* Identity runs before the stamp: the same-file refusal names both environments. */
	open_env("shadow", &shadow, &c);
	assert_int_equal(dbw_guard(c, shadow, project, "status", NULL, NULL, &err), DBW_EPOLICY);
	assert_string_equal(err.message,
	                    "shadow resolves to the database of protected environment production");
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(shadow);
}

static void test_policy_guard__policy_then_confirmation(void **state)
{
	dbw_env *env;
	dbw_conn *c;
	dbw_guard_options o = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result r;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("production", &env, &c);
	assert_int_equal(dbw_guard(c, env, project, "reset", &o, &r, &err), DBW_EPOLICY);
	assert_string_equal(err.message, "reset is not allowed in production");
	assert_int_equal(r.verdict, DBW_VERDICT_DENY);
	/* Even the right name does not lift a refusal. */
	o.confirm = "app_prod.sqlite3";
	assert_int_equal(dbw_guard(c, env, project, "truncate", &o, &r, &err), DBW_EPOLICY);
	o.confirm = NULL;
	o.yes = 1;
	assert_int_equal(dbw_guard(c, env, project, "restore", &o, &r, &err), DBW_EPOLICY);
	assert_int_equal(r.needs_confirmation, 1);
	assert_int_equal(r.verdict, DBW_VERDICT_CONFIRM_NAME);
	o.confirm = "app_prod";
	assert_int_equal(dbw_guard(c, env, project, "restore", &o, &r, &err), DBW_EPOLICY);
	assert_int_equal(r.needs_confirmation, 0);
	assert_string_equal(err.message, "confirmation \"app_prod\" does not match the database "
	                                 "\"app_prod.sqlite3\" of production");
	o.confirm = "app_prod.sqlite3";
	dbw_error_clear(&err);
	assert_int_equal(dbw_guard(c, env, project, "restore", &o, &r, &err), 0);
	/* A name that is not this database's stops even an operation that needs none. */
	o.confirm = "app_staging.sqlite3";
	assert_int_equal(dbw_guard(c, env, project, "deploy", &o, &r, &err), DBW_EPOLICY);
	assert_non_null(strstr(err.message, "confirmation \"app_staging.sqlite3\" does not match"));
	o.confirm = NULL;
	assert_int_equal(dbw_guard(c, env, project, "deploy", &o, &r, &err), 0);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(env);
}

static void test_policy_guard__confirm_plain(void **state)
{
	dbw_env *env;
	dbw_conn *c;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("development", &env, &c);
	assert_int_equal(dbw_confirm_check(c, env, "reset", DBW_VERDICT_CONFIRM, NULL, 0, &err),
	                 DBW_EPOLICY);
	assert_string_equal(err.message, "reset on development needs confirmation");
	assert_int_equal(dbw_confirm_check(c, env, "reset", DBW_VERDICT_CONFIRM, NULL, 1, &err), 0);
	assert_int_equal(
	    dbw_confirm_check(c, env, "reset", DBW_VERDICT_CONFIRM_NAME, NULL, 1, &err),
	    DBW_EPOLICY);
	assert_int_equal(
	    dbw_confirm_check(c, env, "reset", DBW_VERDICT_CONFIRM_NAME, "dev.sqlite3", 0, &err),
	    0);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(env);
}

static void test_policy_guard__identity_keys(void **state)
{
	char *a = NULL, *b = NULL;
	char *p1 = dbw_sprintf("sqlite:%s/app_prod.sqlite3", root);
	char *p2 = dbw_sprintf("sqlite:%s/./app_prod.sqlite3", root);
	(void)state;
	assert_int_equal(dbw_identity_url_key(p1, &a, NULL), 0);
	assert_int_equal(dbw_identity_url_key(p2, &b, NULL), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(dbw_identity_url_key("postgresql://u:pw@localhost:5433/app", &a, NULL), 0);
	assert_int_equal(
	    dbw_identity_url_key("host=127.0.0.1 port=5433 dbname=app user=x", &b, NULL), 0);
	assert_string_equal(a, "pg:localhost:5433/app");
	assert_string_equal(a, b);
	free(b);
	assert_int_equal(dbw_identity_url_key("postgresql://u@localhost:5433/app_dev", &b, NULL),
	                 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(dbw_identity_url_key("sqlite::memory:", &a, NULL), 0);
	assert_int_equal(dbw_identity_url_key("sqlite::memory:", &b, NULL), 0);
	free(a);
	free(b);
	free(p1);
	free(p2);
}

static void test_policy_guard__same_database_refused(void **state)
{
	dbw_env *shadow;
	char *same = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_env_resolve(&shadow, project, "shadow", &err), 0);
	assert_int_equal(dbw_identity_check_same(project, shadow, &same, &err), DBW_EPOLICY);
	assert_string_equal(same, "production");
	assert_string_equal(err.message,
	                    "shadow resolves to the database of protected environment production");
	free(same);
	dbw_error_clear(&err);
	dbw_env_free(shadow);
}

static void test_policy_guard__expect_database(void **state)
{
	dbw_env *env;
	dbw_conn *c;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	open_env("development", &env, &c);
	free(env->expect_database);
	env->expect_database = dbw_strdup("*prod*");
	assert_int_equal(dbw_identity_check_name(c, env, &err), DBW_EPOLICY);
	assert_string_equal(err.message, "database \"dev.sqlite3\" does not match expect_database "
	                                 "\"*prod*\" of development");
	free(env->expect_database);
	env->expect_database = dbw_strdup("dev.*");
	assert_int_equal(dbw_identity_check_name(c, env, &err), 0);
	dbw_error_clear(&err);
	dbw_conn_close(c);
	dbw_env_free(env);
}

static void test_policy_guard__audit_trail(void **state)
{
	dbw_audit_log *l = NULL;
	dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
	dbw_env *env;
	dbw_conn *c;
	dbw_result *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	size_t skipped = 9, refused = 0;
	int64_t t = dbw_now_ms();
	(void)state;
	open_env("production", &env, &c);
	e.environment = "production";
	e.operation = "exec-write";
	e.command_line = "dbward exec --url postgresql://ann:hunter2@db/app";
	e.outcome = "refused";
	e.detail = "from postgresql://ann:hunter2@db/app";
	assert_int_equal(dbw_audit_record(c, project, &e, &err), 0);
	assert_int_equal(dbw_audit_read(project, t, &l, &skipped, &err), 0);
	assert_int_equal(skipped, 0);
	assert_true(l->count >= 1);
	for (size_t i = 0; i < l->count; i++) {
		assert_null(
		    strstr(l->items[i].command_line ? l->items[i].command_line : "", "hunter2"));
		if (strcmp(l->items[i].outcome, "refused") == 0)
			refused++;
	}
	assert_true(refused >= 1);
	assert_string_equal(l->items[l->count - 1].operation, "exec-write");
	assert_null(strstr(l->items[l->count - 1].detail, "hunter2"));
	dbw_audit_log_free(l);
	/* Refusals of earlier tests reached dbward_audit in the database too. */
	assert_int_equal(dbw_conn_query(c,
	                                "SELECT count(*) FROM dbward_audit WHERE outcome = "
	                                "'refused' AND command NOT LIKE '%hunter2%'",
	                                0, NULL, &r, &err),
	                 0);
	assert_true(atoi(dbw_result_value(r, 0, 0)) >= 3);
	dbw_result_free(r);
	/* A future --since keeps nothing. */
	assert_int_equal(dbw_audit_read(project, t + 3600000, &l, NULL, &err), 0);
	assert_int_equal(l->count, 0);
	dbw_audit_log_free(l);
	dbw_conn_close(c);
	dbw_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_guard__stamp_roundtrip),
	    cmocka_unit_test(test_policy_guard__first_deploy_stamps),
	    cmocka_unit_test(test_policy_guard__stamp_mismatch_refused),
	    cmocka_unit_test(test_policy_guard__same_file_refused_first),
	    cmocka_unit_test(test_policy_guard__policy_then_confirmation),
	    cmocka_unit_test(test_policy_guard__confirm_plain),
	    cmocka_unit_test(test_policy_guard__identity_keys),
	    cmocka_unit_test(test_policy_guard__same_database_refused),
	    cmocka_unit_test(test_policy_guard__expect_database),
	    cmocka_unit_test(test_policy_guard__audit_trail),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
