/*
 * test_config_env.c - environment resolution: the name's selection order,
 * cascade precedence and provenance, URL fallbacks per environment,
 * undefined ${VAR}, unknown names with a suggestion, settings, and that no
 * trace value holds a password.
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

static char *root;

static int setup(void **state)
{
	char tmpl[] = "/tmp/dbw-env-XXXXXX";
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

static void put(const char *rel, const char *text)
{
	char *path = dbw_path_join(root, rel);
	assert_int_equal(dbw_file_write(path, text, strlen(text), 0644, NULL), 0);
	free(path);
}

static char *abs_of(const char *rel)
{
	return dbw_path_join(root, rel);
}

static dbw_project *project(char **environ_)
{
	dbw_project_options o = DBW_PROJECT_OPTIONS_INIT;
	dbw_project *p = NULL;
	dbw_error err = DBW_ERROR_INIT;
	o.cwd = root;
	o.environ = environ_;
	assert_int_equal(dbw_project_open(&p, &o, &err), 0);
	return p;
}

/* Resolve; expect rc; on failure the error is left in *err. */
static dbw_env *resolve(char **environ_, const char *name, int want, dbw_error *err)
{
	dbw_project *p = project(environ_);
	dbw_env *e = (dbw_env *)1;
	assert_int_equal(dbw_env_resolve(&e, p, name, err), want);
	dbw_project_free(p);
	if (want < 0)
		assert_null(e);
	return e;
}

static const dbw_trace *trace(const dbw_env *e, const char *name)
{
	for (size_t i = 0; i < dbw_env_trace_count(e); i++)
		if (!strcmp(dbw_env_trace(e, i)->name, name))
			return dbw_env_trace(e, i);
	return NULL;
}

static void test_config_env__name_selection_order(void **state)
{
	char *none[] = {NULL};
	char *node[] = {"NODE_ENV=test", NULL};
	char *both[] = {"NODE_ENV=test", "DATABASE_ENV=staging",
	                "STAGING_DATABASE_URL=postgres://h/s", NULL};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *e;
	const dbw_trace *t;
	char *dotenv = abs_of(".env");

	put(".env", "TEST_DATABASE_URL=postgres://h/t\n");
	e = resolve(none, NULL, 0, &err);
	assert_string_equal(e->name, "development");
	assert_string_equal(dbw_env_name_origin(e), "the default");
	assert_int_equal(trace(e, "environment")->winner.kind, DBW_SOURCE_DEFAULT);
	dbw_env_free(e);

	e = resolve(node, NULL, 0, &err);
	assert_string_equal(e->name, "test");
	assert_string_equal(dbw_env_name_origin(e), "NODE_ENV from the process environment");
	dbw_env_free(e);

	e = resolve(both, NULL, 0, &err);
	assert_string_equal(e->name, "staging");
	t = trace(e, "environment");
	assert_int_equal(t->winner.kind, DBW_SOURCE_PROCESS);
	assert_string_equal(t->winner.value, "staging");
	assert_int_equal(t->n_shadowed, 1);
	assert_string_equal(t->shadowed[0].value, "test");
	dbw_env_free(e);

	e = resolve(both, "test", 0, &err);
	assert_string_equal(e->name, "test");
	assert_string_equal(dbw_env_name_origin(e), "--env");
	assert_int_equal(trace(e, "environment")->winner.kind, DBW_SOURCE_OPTION);
	dbw_env_free(e);

	/* from .env.local over .env when the process has none */
	put(".env", "TEST_DATABASE_URL=postgres://h/t\nNODE_ENV=production\n");
	put(".env.local", "NODE_ENV=test\n");
	e = resolve(none, NULL, 0, &err);
	assert_string_equal(e->name, "test");
	t = trace(e, "environment");
	assert_int_equal(t->winner.kind, DBW_SOURCE_DOTENV);
	assert_int_equal(t->winner.line, 1);
	assert_non_null(strstr(t->winner.file, ".env.local"));
	assert_int_equal(t->n_shadowed, 1);
	assert_string_equal(t->shadowed[0].file, dotenv);
	assert_int_equal(t->shadowed[0].line, 2);
	dbw_env_free(e);
	free(dotenv);
}

static void test_config_env__cascade_precedence_and_provenance(void **state)
{
	char *shell[] = {"DATABASE_URL=postgres://shell:shellpw@h/from_shell", NULL};
	char *none[] = {NULL};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *e;
	const dbw_trace *t;
	char *local = abs_of(".env.test.local"), *envtest = abs_of(".env.test"), *origin;

	put(".env", "DATABASE_URL=postgres://u:pw0@h/base\nOTHER=1\n");
	put(".env.local", "OTHER=2\n");
	put(".env.test", "# test\nDATABASE_URL=postgres://u:pw1@h/test\n");
	put(".env.test.local", "\nDATABASE_URL=postgres://u:secretpw@h/test_local\n");

	e = resolve(none, "test", 0, &err);
	assert_string_equal(e->url, "postgres://u:secretpw@h/test_local");
	origin = dbw_sprintf("DATABASE_URL from %s:2", local);
	assert_string_equal(e->url_origin, origin);
	free(origin);
	assert_string_equal(dbw_env_var(e, "OTHER"), "2");
	t = trace(e, "DATABASE_URL");
	assert_non_null(t);
	assert_int_equal(t->winner.kind, DBW_SOURCE_DOTENV);
	assert_string_equal(t->winner.file, local);
	assert_int_equal(t->winner.line, 2);
	assert_string_equal(t->winner.value, "postgres://u:****@h/test_local");
	assert_int_equal(t->n_shadowed, 2);
	assert_string_equal(t->shadowed[0].file, envtest);
	assert_int_equal(t->shadowed[0].line, 2);
	assert_string_equal(t->shadowed[1].value, "postgres://u:****@h/base");
	assert_null(trace(e, "TEST_DATABASE_URL")); /* read, but set nowhere */
	dbw_env_free(e);

	/* the shell wins over every file, and the files show as shadowed */
	e = resolve(shell, "test", 0, &err);
	assert_string_equal(e->url, "postgres://shell:shellpw@h/from_shell");
	assert_string_equal(e->url_origin, "DATABASE_URL from the process environment");
	t = trace(e, "DATABASE_URL");
	assert_int_equal(t->winner.kind, DBW_SOURCE_PROCESS);
	assert_null(t->winner.file);
	assert_string_equal(t->winner.value, "postgres://shell:****@h/from_shell");
	assert_int_equal(t->n_shadowed, 3);
	assert_string_equal(t->shadowed[0].file, local);
	assert_int_equal(t->shadowed[0].line, 2);
	for (size_t i = 0; i < dbw_env_trace_count(e); i++) {
		const dbw_trace *x = dbw_env_trace(e, i);
		assert_null(strstr(x->winner.value, "shellpw"));
		for (size_t j = 0; j < x->n_shadowed; j++)
			assert_null(strstr(x->shadowed[j].value, "secretpw"));
	}
	dbw_env_free(e);
	free(local);
	free(envtest);
}

static void test_config_env__url_defaults_per_environment(void **state)
{
	char *vars[] = {"DEV_DATABASE_URL=postgres://h/dev", "TEST_DATABASE_URL=postgres://h/test",
	                "STAGING_DATABASE_URL=postgres://h/staging",
	                "DATABASE_URL=postgres://h/any", NULL};
	char *only_db[] = {"DATABASE_URL=postgres://h/any", NULL};
	char *none[] = {NULL};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *e;
	char *want;
	const char *envs[] = {"development", "test", "staging", "production"};
	const char *urls[] = {"postgres://h/dev", "postgres://h/test", "postgres://h/staging",
	                      "postgres://h/any"};

	for (int i = 0; i < 4; i++) {
		e = resolve(vars, envs[i], 0, &err);
		assert_string_equal(e->url, urls[i]);
		assert_int_equal(e->is_protected, i == 3);
		assert_ptr_equal(e->migration_url, e->url);
		dbw_env_free(e);
		e = resolve(only_db, envs[i], 0, &err);
		assert_string_equal(e->url, "postgres://h/any");
		assert_string_equal(e->url_origin, "DATABASE_URL from the process environment");
		dbw_env_free(e);
	}
	e = resolve(none, "development", 0, &err);
	want = dbw_sprintf("sqlite:%s/db/development.sqlite3", root);
	assert_string_equal(e->url, want);
	assert_string_equal(e->url_origin, "the embedded SQLite default");
	free(want);
	dbw_env_free(e);

	resolve(none, "test", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "no database URL for environment \"test\"");
	assert_string_equal(err.hint,
	                    "Set TEST_DATABASE_URL (or DATABASE_URL) in the environment or "
	                    "in .env.test, or set url in [env.test] of dbward.ini.");
	dbw_error_clear(&err);
	resolve(none, "production", DBW_ECONFIG, &err);
	assert_string_equal(err.hint,
	                    "Set DATABASE_URL in the environment or in .env.production, or "
	                    "set url in [env.production] of dbward.ini.");
	dbw_error_clear(&err);
}

static void test_config_env__config_url_expansion_and_settings(void **state)
{
	char *vars[] = {"DB_PASSWORD=hunter22", "PRIMARY=db1", "DIRECT_URL=postgres://d/direct",
	                NULL};
	char *no_direct[] = {"DB_PASSWORD=hunter22", "PRIMARY=db1", NULL};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *e;
	char *ini = abs_of("dbward.ini"), *want;
	const dbw_trace *t;

	put("dbward.ini", "[env.production]\n"
	                  "url = postgres://app:${DB_PASSWORD}@${PRIMARY}/prod\n"
	                  "direct_url = ${DIRECT_URL}\n"
	                  "protected = no\n"
	                  "expect_database = *prod*\n"
	                  "backup_dir = backups/production\n"
	                  "lock_timeout = 5s\n"
	                  "connect_timeout = 250ms\n"
	                  "allow = seed\n");
	e = resolve(vars, "production", 0, &err);
	assert_string_equal(e->url, "postgres://app:hunter22@db1/prod");
	want = dbw_sprintf("url in [env.production] of %s:2", ini);
	assert_string_equal(e->url_origin, want);
	free(want);
	assert_string_equal(e->direct_url, "postgres://d/direct");
	assert_ptr_equal(e->migration_url, e->direct_url);
	assert_int_equal(e->is_protected, 0);
	assert_string_equal(e->expect_database, "*prod*");
	want = abs_of("backups/production");
	assert_string_equal(e->backup_dir, want);
	free(want);
	assert_int_equal(e->lock_timeout_ms, 5000);
	assert_int_equal(e->connect_timeout_ms, 250);
	assert_string_equal(dbw_env_setting(e, "allow"), "seed");
	t = trace(e, "env.production.url");
	assert_int_equal(t->winner.kind, DBW_SOURCE_CONFIG);
	assert_string_equal(t->winner.file, ini);
	assert_int_equal(t->winner.line, 2);
	t = trace(e, "DB_PASSWORD");
	assert_non_null(t);
	assert_string_equal(t->winner.value, "****");
	assert_non_null(trace(e, "PRIMARY"));
	assert_non_null(trace(e, "DIRECT_URL"));
	dbw_env_free(e);

	/* direct_url applies only when its variable is set */
	e = resolve(no_direct, "production", 0, &err);
	assert_null(e->direct_url);
	assert_ptr_equal(e->migration_url, e->url);
	dbw_env_free(e);

	put("dbward.ini", "[env.staging]\n\nurl = ${STAGING_DATABASE_URL}\n");
	resolve(vars, "staging", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "variable \"STAGING_DATABASE_URL\" is not set");
	want = dbw_sprintf("%s:3", ini);
	assert_string_equal(err.where, want);
	free(want);
	assert_non_null(strstr(err.hint, "Set STAGING_DATABASE_URL in the environment or in "
	                                 ".env.staging.local"));
	dbw_error_clear(&err);

	put("dbward.ini", "[env.test]\nurl = postgres://h/t\nprotected = maybe\n");
	resolve(vars, "test", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "invalid value \"maybe\" for protected");
	want = dbw_sprintf("%s:3", ini);
	assert_string_equal(err.where, want);
	free(want);
	dbw_error_clear(&err);

	put("dbward.ini", "[env.test]\nurl = postgres://h/t\nlock_timeout = soon\n");
	resolve(vars, "test", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "invalid duration \"soon\"");
	dbw_error_clear(&err);

	put("dbward.ini", "[env.test]\nurl = not a url\n");
	resolve(vars, "test", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "malformed database URL \"not a url\"");
	dbw_error_clear(&err);

	put("dbward.ini", "[env.test]\nurl = mysql://u:${DB_PASSWORD}@h/db\n");
	resolve(vars, "test", DBW_ECONFIG, &err);
	assert_string_equal(err.message, "unsupported database URL scheme \"mysql\"");
	assert_null(strstr(err.detail, "hunter22"));
	assert_non_null(strstr(err.hint, "postgres://"));
	dbw_error_clear(&err);
	unlink(ini);
	free(ini);
}

static void test_config_env__unknown_environment_suggests(void **state)
{
	char *none[] = {NULL};
	char *node[] = {"NODE_ENV=prod", NULL};
	dbw_error err = DBW_ERROR_INIT;
	char *ini = abs_of("dbward.ini");

	unlink(ini);
	resolve(none, "stagin", DBW_ENOTFOUND, &err);
	assert_string_equal(err.message, "unknown environment \"stagin\"");
	assert_string_equal(err.hint, "Did you mean \"staging\"? Known environments: development, "
	                              "test, staging, production; add an [env.stagin] section to "
	                              "dbward.ini for a new one.");
	assert_null(err.detail);
	dbw_error_clear(&err);

	resolve(node, NULL, DBW_ENOTFOUND, &err);
	assert_string_equal(err.message, "unknown environment \"prod\"");
	assert_string_equal(err.detail,
	                    "The name came from NODE_ENV from the process environment.");
	assert_non_null(strstr(err.hint, "Did you mean \"production\"?"));
	dbw_error_clear(&err);

	resolve(none, "zzzzzz", DBW_ENOTFOUND, &err);
	assert_string_equal(err.hint, "Known environments: development, test, staging, production; "
	                              "add an [env.zzzzzz] section to dbward.ini for a new one.");
	dbw_error_clear(&err);

	put("dbward.ini", "[env.qa]\nurl = sqlite:qa.db\n");
	{
		dbw_env *e = resolve(none, "qa", 0, &err);
		char *want = dbw_sprintf("sqlite:%s/qa.db", root);
		assert_string_equal(e->url, want); /* relative to the project root */
		free(want);
		assert_int_equal(e->is_protected, 0);
		dbw_env_free(e);
	}
	unlink(ini);
	free(ini);
}

static void test_config_env__malformed_dotenv_fails_with_where(void **state)
{
	char *none[] = {NULL};
	dbw_error err = DBW_ERROR_INIT;
	char *want;
	put(".env.test", "DATABASE_URL=postgres://h/t\nbroken line\n");
	resolve(none, "test", DBW_ECONFIG, &err);
	want = dbw_sprintf("%s/.env.test:2", root);
	assert_string_equal(err.where, want);
	free(want);
	dbw_error_clear(&err);
	want = abs_of(".env.test");
	unlink(want);
	free(want);
}

static void test_config_env__many_variables(void **state)
{
	char *env[] = {"DATABASE_ENV=test", NULL};
	dbw_error err = DBW_ERROR_INIT;
	dbw_buf b = DBW_BUF_INIT;
	dbw_env *e;
	for (int i = 0; i < 100; i++)
		dbw_buf_printf(&b, "VAR_%d=value $VAR_%d\n", i, i ? i - 1 : 0);
	dbw_buf_puts(&b, "NODE_ENV=production\nTEST_DATABASE_URL=postgres://h/t_${VAR_1}\n");
	put(".env", b.data);
	dbw_buf_free(&b);
	e = resolve(env, NULL, 0, &err);
	assert_string_equal(e->name, "test");
	assert_string_equal(e->url, "postgres://h/t_value value");
	assert_string_equal(dbw_env_var(e, "VAR_3"), "value value value value");
	assert_int_equal(trace(e, "environment")->n_shadowed, 1);
	assert_string_equal(trace(e, "environment")->shadowed[0].value, "production");
	dbw_env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config_env__name_selection_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__cascade_precedence_and_provenance,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__url_defaults_per_environment, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__config_url_expansion_and_settings,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__unknown_environment_suggests, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__many_variables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_env__malformed_dotenv_fails_with_where,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
