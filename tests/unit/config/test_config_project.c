/*
 * test_config_project.c - finding dbward.ini upward, -c, parse errors with
 * file:line, kept unknown keys, and the [project] defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config_internal.h"

static char *tmp_root(void)
{
	char tmpl[] = "/tmp/dbw-config-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void rm_rf(char *dir)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void put(const char *root, const char *rel, const char *text)
{
	char *path = dbw_path_join(root, rel), *slash;
	char *dir = strdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	assert_int_equal(dbw_mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(dbw_file_write(path, text, strlen(text), 0644, NULL), 0);
	free(dir);
	free(path);
}

static void mkdirs(const char *root, const char *rel)
{
	char *path = dbw_path_join(root, rel);
	assert_int_equal(dbw_mkdir_p(path, 0755, NULL), 0);
	free(path);
}

static dbw_project *open_at(const char *cwd, const char *config)
{
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p = NULL;
	dbw_error err = DBW_ERROR_INIT;
	o.cwd = cwd;
	o.config_path = config;
	assert_int_equal(dbw_project_open(&p, &o, &err), 0);
	return p;
}

static void test_config_project__found_walking_up(void **state)
{
	char *root = tmp_root(), *deep = dbw_path_join(root, "a/b/c"), *want;
	dbw_project *p;
	put(root, "dbward.ini", "[project]\nmigrations = sql/m\nseeds = sql/s\nformat = dbmate\n");
	mkdirs(root, "a/b/c");
	p = open_at(deep, NULL);
	assert_string_equal(dbw_project_root(p), root);
	want = dbw_path_join(root, "dbward.ini");
	assert_string_equal(dbw_project_config_path(p), want);
	free(want);
	want = dbw_path_join(root, "sql/m");
	assert_string_equal(dbw_project_migrations_dir(p), want);
	free(want);
	want = dbw_path_join(root, "sql/s");
	assert_string_equal(dbw_project_seeds_dir(p), want);
	free(want);
	assert_string_equal(dbw_project_format(p), "dbmate");
	dbw_project_free(p);
	free(deep);
	rm_rf(root);
}

static void test_config_project__none_means_defaults_at_cwd(void **state)
{
	char *root = tmp_root(), *want;
	dbw_project *p = open_at(root, NULL);
	assert_null(dbw_project_config_path(p));
	assert_string_equal(dbw_project_root(p), root);
	want = dbw_path_join(root, "db/migrations");
	assert_string_equal(dbw_project_migrations_dir(p), want);
	free(want);
	want = dbw_path_join(root, "db/seeds");
	assert_string_equal(dbw_project_seeds_dir(p), want);
	free(want);
	assert_string_equal(dbw_project_format(p), "auto");
	assert_int_equal(dbw_project_env_count(p), 4);
	assert_string_equal(dbw_project_env_name(p, 0), "development");
	assert_string_equal(dbw_project_env_name(p, 3), "production");
	assert_null(dbw_project_env_name(p, 4));
	dbw_project_free(p);
	rm_rf(root);
}

static void test_config_project__detects_other_tools_folders(void **state)
{
	char *root = tmp_root(), *want;
	dbw_project *p;
	mkdirs(root, "migrations");
	p = open_at(root, NULL);
	want = dbw_path_join(root, "migrations");
	assert_string_equal(dbw_project_migrations_dir(p), want);
	free(want);
	dbw_project_free(p);
	mkdirs(root, "prisma/migrations");
	p = open_at(root, NULL);
	want = dbw_path_join(root, "prisma/migrations");
	assert_string_equal(dbw_project_migrations_dir(p), want);
	free(want);
	dbw_project_free(p);
	mkdirs(root, "db/migrations"); /* dbward's own folder wins once it exists */
	p = open_at(root, NULL);
	want = dbw_path_join(root, "db/migrations");
	assert_string_equal(dbw_project_migrations_dir(p), want);
	free(want);
	dbw_project_free(p);
	rm_rf(root);
}

static void test_config_project__settings_and_environments(void **state)
{
	char *root = tmp_root();
	dbw_project *p;
	put(root, "dbward.ini",
	    "; comment\n"
	    "[project]\n"
	    "env_vars = APP_ENV\n"
	    "custom = kept\n"
	    "[env.qa]\n"
	    "url = ${QA_URL}   ; inline comment\n"
	    "[env.production]\n"
	    "allow = reset\n"
	    "[lint]\n"
	    "rules = all\n"
	    "  more\n");
	p = open_at(root, NULL);
	assert_string_equal(dbw_project_setting(p, "project", "custom"), "kept");
	assert_string_equal(dbw_project_setting(p, "env.qa", "url"), "${QA_URL}");
	assert_string_equal(dbw_project_setting(p, "env.production", "allow"), "reset");
	assert_string_equal(dbw_project_setting(p, "lint", "rules"), "all\nmore");
	assert_null(dbw_project_setting(p, "lint", "nope"));
	assert_int_equal(dbw_project_env_count(p), 5);
	assert_string_equal(dbw_project_env_name(p, 4), "qa");
	assert_int_equal(dbw_project__find(p, "env.qa", "url")->line, 6);
	assert_int_equal(p->env_vars.count, 1);
	assert_string_equal(p->env_vars.items[0], "APP_ENV");
	dbw_project_free(p);
	rm_rf(root);
}

static void test_config_project__malformed_line_names_file_line(void **state)
{
	char *root = tmp_root(), *where;
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p = (dbw_project *)1;
	dbw_error err = DBW_ERROR_INIT;
	put(root, "dbward.ini", "[project]\nmigrations = db/migrations\n\nthis line is wrong\n");
	o.cwd = root;
	assert_int_equal(dbw_project_open(&p, &o, &err), DBW_ECONFIG);
	assert_null(p);
	where = dbw_sprintf("%s/dbward.ini:4", root);
	assert_string_equal(err.where, where);
	assert_non_null(strstr(err.message, "line 4: expected [section] or key = value"));
	assert_non_null(err.hint);
	free(where);
	dbw_error_clear(&err);

	put(root, "dbward.ini", "[env.bad/name]\nurl = x\n");
	assert_int_equal(dbw_project_open(&p, &o, &err), DBW_ECONFIG);
	where = dbw_sprintf("%s/dbward.ini:2", root);
	assert_string_equal(err.where, where);
	free(where);
	dbw_error_clear(&err);

	{
		char *long_ini = calloc(1, 400);
		strcpy(long_ini, "[env.test]\nurl = ");
		memset(long_ini + strlen(long_ini), 'x', 300);
		strcat(long_ini, "\n");
		put(root, "dbward.ini", long_ini);
		free(long_ini);
	}
	assert_int_equal(dbw_project_open(&p, &o, &err), DBW_ECONFIG);
	assert_non_null(strstr(err.message, "line 2: line too long"));
	where = dbw_sprintf("%s/dbward.ini:2", root);
	assert_string_equal(err.where, where);
	free(where);
	dbw_error_clear(&err);

	put(root, "dbward.ini", "[project]\nformat = liquibase\n");
	assert_int_equal(dbw_project_open(&p, &o, &err), DBW_ECONFIG);
	assert_string_equal(err.message, "unknown migration format \"liquibase\"");
	dbw_error_clear(&err);
	rm_rf(root);
}

static void test_config_project__explicit_config(void **state)
{
	char *root = tmp_root(), *sub, *want;
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p;
	dbw_error err = DBW_ERROR_INIT;
	put(root, "conf/other.ini", "[project]\nseeds = s\n");
	p = open_at(root, "conf/other.ini");
	sub = dbw_path_join(root, "conf");
	assert_string_equal(dbw_project_root(p), sub);
	want = dbw_path_join(sub, "s");
	assert_string_equal(dbw_project_seeds_dir(p), want);
	free(want);
	free(sub);
	dbw_project_free(p);
	o.cwd = root;
	o.config_path = "missing.ini";
	assert_int_equal(dbw_project_open(&p, &o, &err), DBW_ECONFIG);
	assert_null(p);
	want = dbw_sprintf("config file \"%s/missing.ini\" does not exist", root);
	assert_string_equal(err.message, want);
	free(want);
	dbw_error_clear(&err);
	rm_rf(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_project__found_walking_up),
	    cmocka_unit_test(test_config_project__none_means_defaults_at_cwd),
	    cmocka_unit_test(test_config_project__detects_other_tools_folders),
	    cmocka_unit_test(test_config_project__settings_and_environments),
	    cmocka_unit_test(test_config_project__malformed_line_names_file_line),
	    cmocka_unit_test(test_config_project__explicit_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
