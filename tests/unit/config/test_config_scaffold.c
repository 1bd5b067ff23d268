/*
 * test_config_scaffold.c - dbw_project_scaffold: what a new project gets,
 * that existing files are kept, that .gitignore gains only missing rules,
 * and that the template parses and resolves with the defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config_internal.h"

static char *root;

static int setup(void **state)
{
	char tmpl[] = "/tmp/dbw-scaffold-XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	root = strdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", root);
	int rc = system(cmd);
	free(cmd);
	free(root);
	return rc;
}

static char *slurp(const char *rel)
{
	char *path = dbw_path_join(root, rel), *text = NULL;
	assert_int_equal(dbw_file_read(path, &text, NULL, NULL), 0);
	free(path);
	return text;
}

static const dbw_scaffold_item *item(const dbw_scaffold_result *r, const char *path)
{
	for (size_t i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].path, path))
			return &r->items[i];
	fail_msg("no item %s", path);
	return NULL;
}

static void test_config_scaffold__creates_then_keeps(void **state)
{
	dbw_scaffold_result *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *gi, *ini, *again;
	char *path = dbw_path_join(root, ".gitignore");

	assert_int_equal(dbw_file_write(path, "node_modules\n.env.local", 23, 0644, NULL), 0);
	assert_int_equal(dbw_project_scaffold(root, NULL, &r, &err), 0);
	assert_int_equal(r->count, 5);
	assert_int_equal(item(r, "dbward.ini")->action, DBW_SCAFFOLD_CREATED);
	assert_int_equal(item(r, "db/migrations/")->action, DBW_SCAFFOLD_CREATED);
	assert_int_equal(item(r, "db/seeds/shared/")->action, DBW_SCAFFOLD_CREATED);
	assert_int_equal(item(r, ".env.example")->action, DBW_SCAFFOLD_CREATED);
	assert_int_equal(item(r, ".gitignore")->action, DBW_SCAFFOLD_UPDATED);
	assert_int_equal(item(r, ".gitignore")->added, 3);
	dbw_scaffold_result_free(r);
	gi = slurp(".gitignore");
	assert_string_equal(gi, "node_modules\n.env.local\n\n# dbward: local secrets, databases, "
	                        "backups\n.env.*.local\ndb/*.sqlite3\nbackups/\n");
	ini = slurp("dbward.ini");
	assert_non_null(strstr(ini, "[env.production]\n"));
	assert_non_null(strstr(ini, "protected = true"));

	assert_int_equal(dbw_project_scaffold(root, "dbward", &r, &err), 0);
	for (size_t i = 0; i < r->count; i++)
		assert_int_equal(r->items[i].action, DBW_SCAFFOLD_KEPT);
	dbw_scaffold_result_free(r);
	again = slurp(".gitignore");
	assert_string_equal(again, gi);
	free(again);
	again = slurp("dbward.ini");
	assert_string_equal(again, ini); /* not rewritten with format = dbward */
	free(again);
	free(gi);
	free(ini);
	free(path);
}

static void test_config_scaffold__template_resolves(void **state)
{
	dbw_scaffold_result *r = NULL;
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p = NULL;
	dbw_env *e = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *env[] = {"DATABASE_URL=postgres://h/prod", NULL};

	assert_int_equal(dbw_project_scaffold(root, "prisma", &r, &err), 0);
	assert_int_equal(item(r, "prisma/migrations/")->action, DBW_SCAFFOLD_CREATED);
	dbw_scaffold_result_free(r);
	o.cwd = root;
	o.environ = env;
	assert_int_equal(dbw_project_open(&p, &o, &err), 0);
	assert_string_equal(dbw_project_format(p), "prisma");
	assert_int_equal(dbw_env_resolve(&e, p, "production", &err), 0);
	assert_int_equal(e->is_protected, 1);
	assert_string_equal(e->url, "postgres://h/prod");
	dbw_env_free(e);
	assert_int_equal(dbw_env_resolve(&e, p, "development", &err), 0);
	assert_string_equal(e->url, "postgres://h/prod");
	dbw_env_free(e);
	dbw_project_free(p);
}

static void test_config_scaffold__unknown_format(void **state)
{
	dbw_scaffold_result *r = (dbw_scaffold_result *)1;
	dbw_error err = DBW_ERROR_INIT;
	char *path = dbw_path_join(root, "dbward.ini");
	assert_int_equal(dbw_project_scaffold(root, "liquibase", &r, &err), DBW_EUSAGE);
	assert_null(r);
	assert_string_equal(err.message, "unknown migration format \"liquibase\"");
	assert_false(dbw_path_exists(path));
	dbw_error_clear(&err);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config_scaffold__creates_then_keeps, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_config_scaffold__template_resolves, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_config_scaffold__unknown_format, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
