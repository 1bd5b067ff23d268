/*
 * test_policy_identity.c - when a protected environment's URL counts as a
 * claim on its database for the same-database check (identity.c), with
 * projects whose process environment is injected.
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

/* A project in a fresh folder with this dbward.ini (NULL: none) and this
 * process environment; returns the check_same code for development. */
static int same_for_development(const char *ini, char *const *environ_vars, char **same_out)
{
	char root[] = "/tmp/dbw-test-identity-XXXXXX";
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p = NULL;
	dbw_env *dev = NULL;
	char *path, *cmd;
	int rc;

	assert_non_null(mkdtemp(root));
	if (ini) {
		path = dbw_sprintf("%s/dbward.ini", root);
		assert_int_equal(dbw_file_write(path, ini, strlen(ini), 0644, NULL), 0);
		free(path);
	}
	po.cwd = root;
	po.environ = environ_vars;
	assert_int_equal(dbw_project_open(&p, &po, NULL), 0);
	assert_int_equal(dbw_env_resolve(&dev, p, "development", NULL), 0);
	rc = dbw_identity_check_same(p, dev, same_out, NULL);
	dbw_env_free(dev);
	dbw_project_free(p);
	cmd = dbw_sprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return rc;
}

static void test_policy_identity__one_database_url_claims_nothing(void **state)
{
	char *vars[] = {"DATABASE_URL=sqlite:/tmp/dbw-identity-shared.sqlite3", NULL};
	char *same = NULL;
	(void)state;
	/* No dbward.ini: every environment falls back to DATABASE_URL. */
	assert_int_equal(same_for_development(NULL, vars, &same), 0);
	assert_null(same);
	/* production's url = ${DATABASE_URL}, development falls back to it. */
	assert_int_equal(
	    same_for_development("[env.production]\nurl = ${DATABASE_URL}\n", vars, &same), 0);
	assert_null(same);
}

static void test_policy_identity__own_url_claims(void **state)
{
	char *vars[] = {"DATABASE_URL=sqlite:/tmp/dbw-identity-shared.sqlite3", NULL};
	char *same = NULL;
	(void)state;
	/* production names the file itself: development falling back onto it is refused. */
	assert_int_equal(same_for_development("[env.production]\n"
	                                      "url = sqlite:/tmp/dbw-identity-shared.sqlite3\n",
	                                      vars, &same),
	                 DBW_EPOLICY);
	assert_string_equal(same, "production");
	free(same);
	same = NULL;
	/* Both name it: refused. */
	assert_int_equal(
	    same_for_development("[env.development]\n"
	                         "url = sqlite:/tmp/../tmp/dbw-identity-shared.sqlite3\n"
	                         "[env.production]\n"
	                         "url = sqlite:/tmp/dbw-identity-shared.sqlite3\n",
	                         NULL, &same),
	    DBW_EPOLICY);
	free(same);
	same = NULL;
	/* A different file: fine. */
	assert_int_equal(same_for_development("[env.development]\nurl = sqlite:/tmp/dbw-a.sqlite3\n"
	                                      "[env.production]\nurl = sqlite:/tmp/dbw-b.sqlite3\n",
	                                      NULL, &same),
	                 0);
	/* A protected = false production makes no claim. */
	assert_int_equal(same_for_development("[env.production]\nprotected = false\n"
	                                      "url = sqlite:/tmp/dbw-identity-shared.sqlite3\n",
	                                      vars, &same),
	                 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_identity__one_database_url_claims_nothing),
	    cmocka_unit_test(test_policy_identity__own_url_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
