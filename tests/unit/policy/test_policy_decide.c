/*
 * test_policy_decide.c - the policy table of issue 3 and allow / deny,
 * through a real dbward.ini resolved by the config layer.
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

static char root[] = "/tmp/dbw-test-decide-XXXXXX";
static dbw_project *project;

static int setup(void **state)
{
	static const char ini[] =
	    "[env.development]\nurl = sqlite::memory:\n"
	    "[env.staging]\nurl = sqlite::memory:\n"
	    "[env.production]\nurl = sqlite::memory:\n"
	    "[env.test]\nurl = sqlite::memory:\ndeny = reset\nallow = reset, seed\n"
	    "[env.vault]\nurl = sqlite::memory:\nprotected = true\nallow = seed\n"
	    "[env.typo]\nurl = sqlite::memory:\nallow = sede\n";
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	char *path;
	(void)state;
	if (!mkdtemp(root))
		return -1;
	path = dbw_sprintf("%s/dbward.ini", root);
	if (dbw_file_write(path, ini, strlen(ini), 0644, NULL) < 0)
		return -1;
	free(path);
	po.cwd = root;
	return dbw_project_open(&project, &po, NULL);
}

static int teardown(void **state)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", root);
	(void)state;
	dbw_project_free(project);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static dbw_verdict verdict(const char *envname, const char *op)
{
	dbw_env *env = NULL;
	dbw_decision d;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_env_resolve(&env, project, envname, &err), 0);
	assert_int_equal(dbw_policy_decide(env, op, &d, &err), 0);
	dbw_env_free(env);
	return d.verdict;
}

static void test_policy_decide__protected_refuses_destructive(void **state)
{
	const char *denied[] = {"reset", "truncate", "seed", "copy-into", "exec-write"};
	(void)state;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		assert_int_equal(verdict("production", denied[i]), DBW_VERDICT_DENY);
	assert_int_equal(verdict("production", "rollback"), DBW_VERDICT_CONFIRM_NAME);
	assert_int_equal(verdict("production", "restore"), DBW_VERDICT_CONFIRM_NAME);
	assert_int_equal(verdict("production", "deploy"), DBW_VERDICT_ALLOW);
	assert_int_equal(verdict("production", "backup"), DBW_VERDICT_ALLOW);
	assert_int_equal(verdict("production", "status"), DBW_VERDICT_ALLOW);
}

static void test_policy_decide__development_allows_all(void **state)
{
	const char *const *ops = dbw_policy_operations();
	(void)state;
	for (; *ops; ops++)
		assert_int_equal(verdict("development", *ops), DBW_VERDICT_ALLOW);
}

static void test_policy_decide__staging_confirms_reset(void **state)
{
	(void)state;
	assert_int_equal(verdict("staging", "reset"), DBW_VERDICT_CONFIRM);
	/* Truncate is a test-suite tool: development and test only, unless allowed. */
	assert_int_equal(verdict("staging", "truncate"), DBW_VERDICT_DENY);
	assert_int_equal(verdict("test", "truncate"), DBW_VERDICT_ALLOW);
}

static void test_policy_decide__deny_wins_over_allow(void **state)
{
	(void)state;
	assert_int_equal(verdict("test", "reset"), DBW_VERDICT_DENY);
	assert_int_equal(verdict("test", "seed"), DBW_VERDICT_ALLOW);
}

static void test_policy_decide__allow_on_protected_needs_name(void **state)
{
	(void)state;
	assert_int_equal(verdict("vault", "seed"), DBW_VERDICT_CONFIRM_NAME);
	assert_int_equal(verdict("vault", "reset"), DBW_VERDICT_DENY);
}

static void test_policy_decide__unknown_operation(void **state)
{
	dbw_env *env = NULL;
	dbw_decision d;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_env_resolve(&env, project, "development", &err), 0);
	assert_int_equal(dbw_policy_decide(env, "drop-everything", &d, &err), DBW_EUSAGE);
	assert_string_equal(err.message, "unknown operation \"drop-everything\"");
	assert_non_null(strstr(err.hint, "reset"));
	assert_int_equal(d.verdict, DBW_VERDICT_DENY);
	dbw_error_clear(&err);
	dbw_env_free(env);
}

static void test_policy_decide__typo_in_list_is_config_error(void **state)
{
	dbw_env *env = NULL;
	dbw_decision d;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_env_resolve(&env, project, "typo", &err), 0);
	assert_int_equal(dbw_policy_decide(env, "status", &d, &err), DBW_ECONFIG);
	assert_string_equal(err.message, "unknown operation \"sede\" in allow of [env.typo]");
	dbw_error_clear(&err);
	dbw_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_decide__protected_refuses_destructive),
	    cmocka_unit_test(test_policy_decide__development_allows_all),
	    cmocka_unit_test(test_policy_decide__staging_confirms_reset),
	    cmocka_unit_test(test_policy_decide__deny_wins_over_allow),
	    cmocka_unit_test(test_policy_decide__allow_on_protected_needs_name),
	    cmocka_unit_test(test_policy_decide__unknown_operation),
	    cmocka_unit_test(test_policy_decide__typo_in_list_is_config_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
