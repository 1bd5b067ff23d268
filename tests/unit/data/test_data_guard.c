/*
 * test_data_guard.c - which data operations each environment allows
 * (dbw_data_check, dbw_data_needs_confirmation), on environments resolved
 * from a real dbward.ini: reset never when protected, truncate in
 * development and test (elsewhere with allow = truncate), seeds in a
 * protected environment only with allow = seed and --confirm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward.h>
#include "util/util.h"

static char *root;
static dbw_project *proj;

static const char ini[] = "[env.staging]\n"
                          "url = sqlite:staging.db\n"
                          "[env.qa]\n"
                          "url = sqlite:qa.db\n"
                          "allow = seed, truncate\n"
                          "[env.production]\n"
                          "url = sqlite:prod.db\n"
                          "[env.vault]\n"
                          "url = sqlite:vault.db\n"
                          "protected = true\n"
                          "allow = seed, truncate\n"
                          "[env.demo]\n"
                          "url = sqlite:demo.db\n"
                          "confirm_reset = true\n";

static int setup(void **state)
{
	char tmpl[] = "/tmp/dbw_guard_XXXXXX";
	char *path;
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	static char *env_[] = {"TEST_DATABASE_URL=sqlite:test.db", NULL};
	(void)state;
	root = strdup(mkdtemp(tmpl));
	path = dbw_path_join(root, "dbward.ini");
	assert_int_equal(dbw_file_write(path, ini, strlen(ini), 0644, NULL), 0);
	free(path);
	o.cwd = root;
	o.environ = env_;
	assert_int_equal(dbw_project_open(&proj, &o, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", root);
	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	dbw_project_free(proj);
	free(root);
	return 0;
}

static dbw_env *env(const char *name)
{
	dbw_env *e = NULL;
	dbw_error err = DBW_ERROR_INIT;
	if (dbw_env_resolve(&e, proj, name, &err) != 0)
		fail_msg("resolve %s: %s", name, err.message);
	return e;
}

static int check(const char *name, dbw_data_op op, const char *confirm, dbw_error *err)
{
	dbw_env *e = env(name);
	int rc = dbw_data_check(e, NULL, op, confirm, err);
	dbw_env_free(e);
	return rc;
}

static void test_data_guard__reset_refused_when_protected(void **state)
{
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(check("production", DBW_DATA_RESET, "prod.db", &err), DBW_EPOLICY);
	assert_string_equal(err.message, "reset is not allowed in production");
	assert_string_equal(err.hint, "Reset a development or test database instead.");
	dbw_error_clear(&err);
	assert_int_equal(check("vault", DBW_DATA_RESET, NULL, &err), DBW_EPOLICY);
	dbw_error_clear(&err);
	assert_int_equal(check("development", DBW_DATA_RESET, NULL, NULL), 0);
	assert_int_equal(check("staging", DBW_DATA_RESET, NULL, NULL), 0);
}

static void test_data_guard__reset_asks_on_staging(void **state)
{
	dbw_env *e;
	(void)state;
	e = env("staging");
	assert_int_equal(dbw_data_needs_confirmation(e, DBW_DATA_RESET), 1);
	assert_int_equal(dbw_data_needs_confirmation(e, DBW_DATA_TRUNCATE), 0);
	dbw_env_free(e);
	e = env("demo");
	assert_int_equal(dbw_data_needs_confirmation(e, DBW_DATA_RESET), 1);
	dbw_env_free(e);
	e = env("development");
	assert_int_equal(dbw_data_needs_confirmation(e, DBW_DATA_RESET), 0);
	dbw_env_free(e);
}

static void test_data_guard__truncate_in_dev_and_test_or_when_allowed(void **state)
{
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(check("development", DBW_DATA_TRUNCATE, NULL, NULL), 0);
	assert_int_equal(check("test", DBW_DATA_TRUNCATE, NULL, NULL), 0);
	assert_int_equal(check("qa", DBW_DATA_TRUNCATE, NULL, NULL), 0);
	assert_int_equal(check("staging", DBW_DATA_TRUNCATE, NULL, &err), DBW_EPOLICY);
	assert_string_equal(err.message, "truncate is not allowed in staging");
	assert_string_equal(err.hint,
	                    "Add \"allow = truncate\" to [env.staging] in dbward.ini to allow it.");
	dbw_error_clear(&err);
	/* allow does not open a protected environment */
	assert_int_equal(check("vault", DBW_DATA_TRUNCATE, "vault.db", &err), DBW_EPOLICY);
	assert_string_equal(err.message, "truncate is not allowed in vault");
	dbw_error_clear(&err);
}

static void test_data_guard__seed_in_protected_needs_allow_and_confirm(void **state)
{
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(check("staging", DBW_DATA_SEED, NULL, NULL), 0);
	assert_int_equal(check("production", DBW_DATA_SEED, "prod.db", &err), DBW_EPOLICY);
	assert_string_equal(err.message, "seed is not allowed in production");
	dbw_error_clear(&err);
	/* allowed, but no connection to compare --confirm with */
	assert_int_equal(check("vault", DBW_DATA_SEED, "vault.db", &err), DBW_EPOLICY);
	assert_string_equal(err.message, "seed in vault needs --confirm");
	dbw_error_clear(&err);
}

static void test_data_guard__seed_confirm_must_match_live_database(void **state)
{
	dbw_env *e = env("vault");
	dbw_conn *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *url = dbw_sprintf("sqlite:%s/vault.db", root);
	(void)state;
	assert_int_equal(dbw_conn_open(&c, url, NULL, &err), 0);
	assert_int_equal(dbw_data_check(e, c, DBW_DATA_SEED, "other.db", &err), DBW_EPOLICY);
	assert_string_equal(
	    err.detail, "--confirm \"other.db\" does not match the live database \"vault.db\".");
	dbw_error_clear(&err);
	assert_int_equal(dbw_data_check(e, c, DBW_DATA_SEED, "vault.db", &err), 0);
	dbw_conn_close(c);
	dbw_env_free(e);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_guard__reset_refused_when_protected),
	    cmocka_unit_test(test_data_guard__reset_asks_on_staging),
	    cmocka_unit_test(test_data_guard__truncate_in_dev_and_test_or_when_allowed),
	    cmocka_unit_test(test_data_guard__seed_in_protected_needs_allow_and_confirm),
	    cmocka_unit_test(test_data_guard__seed_confirm_must_match_live_database),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
