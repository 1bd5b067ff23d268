/*
 * test_lint_staged.c - the pre-commit checks against a real git repository
 * in a temporary folder: staged migrations linted (their staged text),
 * edits and deletions of committed migrations refused, dangerous commands
 * in scripts and DROP TABLE in loose .sql files refused; and the hook
 * writer, which never overwrites a hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dbward.h>
#include "util/util.h"

typedef struct repo {
	char dir[64];
	char *migrations;
	char *seeds;
} repo;

static void sh(repo *r, const char *cmd)
{
	char *full = dbw_sprintf("cd '%s' && (%s) >/dev/null 2>&1", r->dir, cmd);
	if (system(full) != 0)
		fail_msg("command failed: %s", cmd);
	free(full);
}

static void put(repo *r, const char *rel, const char *text)
{
	char *p = dbw_path_join(r->dir, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	assert_int_equal(dbw_mkdir_p(p, 0755, NULL), 0);
	*slash = '/';
	assert_int_equal(dbw_file_write(p, text, strlen(text), 0644, NULL), 0);
	free(p);
}

static int setup(void **state)
{
	repo *r = calloc(1, sizeof(*r));
	strcpy(r->dir, "/tmp/dbw-staged-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	r->migrations = dbw_path_join(r->dir, "db/migrations");
	r->seeds = dbw_path_join(r->dir, "db/seeds");
	sh(r, "git init -q . && git config user.email t@example.com && git config user.name t");
	put(r, "db/migrations/20240101000000_init.sql",
	    "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
	    "-- migrate:down\nDROP TABLE users;\n");
	sh(r, "git add -A && git commit -qm init");
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	repo *r = *state;
	char *cmd = dbw_sprintf("rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		fail();
	free(cmd);
	free(r->migrations);
	free(r->seeds);
	free(r);
	return 0;
}

/* Run the staged checks; return the space-joined rule ids (static). */
static const char *staged_ids(repo *r, const char *dangerous, int *rc_out)
{
	static char out[2048];
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	dbw_staged_options so = {r->dir, r->migrations, r->seeds, dangerous};
	out[0] = '\0';
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	*rc_out = dbw_lint_staged(l, &so, &err);
	for (size_t i = 0; i < dbw_lint_count(l); i++) {
		strcat(out, dbw_lint_finding(l, i)->rule->id);
		strcat(out, " ");
	}
	dbw_lint_free(l);
	dbw_error_clear(&err);
	return out;
}

static void test_lint_staged__new_migration_linted(void **state)
{
	repo *r = *state;
	int rc;
	put(r, "db/migrations/20240201000000_idx.sql",
	    "-- migrate:up\nSET lock_timeout = '1s';\nCREATE INDEX users_email ON users "
	    "(email);\n");
	sh(r, "git add -A");
	/* an unstaged edit does not count: the staged text is linted */
	put(r, "db/migrations/20240201000000_idx.sql",
	    "-- migrate:up\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n");
	assert_string_equal(staged_ids(r, NULL, &rc), "DW201 ");
	assert_int_equal(rc, 0);
}

static void test_lint_staged__committed_migration_edit_refused(void **state)
{
	repo *r = *state;
	int rc;
	dbw_lint *l = NULL;
	dbw_staged_options so = {r->dir, r->migrations, r->seeds, NULL};
	put(r, "db/migrations/20240101000000_init.sql",
	    "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text, x int);\n");
	sh(r, "git add -A");
	assert_int_equal(dbw_lint_new(&l, NULL, NULL), 0);
	assert_int_equal(dbw_lint_staged(l, &so, NULL), 0);
	assert_int_equal(dbw_lint_count(l), 1);
	assert_string_equal(dbw_lint_finding(l, 0)->rule->id, "DW501");
	assert_string_equal(dbw_lint_finding(l, 0)->message,
	                    "staged edit of committed migration "
	                    "\"db/migrations/20240101000000_init.sql\"");
	dbw_lint_free(l);
	sh(r, "git reset -q --hard && git rm -q db/migrations/20240101000000_init.sql");
	assert_string_equal(staged_ids(r, NULL, &rc), "DW501 ");
}

/* DW501 fires for a rename; not for the sum file, a non-migration file or a new migration. */
static void test_lint_staged__committed_migration_more_cases(void **state)
{
	repo *r = *state;
	int rc;
	sh(r,
	   "git mv db/migrations/20240101000000_init.sql db/migrations/20240101000000_initial.sql");
	assert_string_equal(staged_ids(r, NULL, &rc), "DW501 ");
	sh(r, "git reset -q --hard");
	put(r, "db/migrations/dbward.sum", "# dbward.sum\n");
	put(r, "db/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
	put(r, "README.md", "# app\n");
	sh(r, "git add -A");
	assert_string_equal(staged_ids(r, NULL, &rc), "");
	put(r, "db/migrations/20240301000000_bio.sql",
	    "-- migrate:up\nSET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN bio text;\n");
	sh(r, "git add -A");
	assert_string_equal(staged_ids(r, NULL, &rc), "");
}

static void test_lint_staged__dangerous_script(void **state)
{
	repo *r = *state;
	int rc;
	put(r, "package.json", "{\"scripts\": {\"fresh\": \"prisma  migrate reset --force\"}}\n");
	put(r, "README.md", "Never run prisma migrate reset on production.\n");
	sh(r, "git add -A");
	assert_string_equal(staged_ids(r, NULL, &rc), "DW502 ");
	/* a configured list replaces the defaults */
	assert_string_equal(staged_ids(r, "rails db:drop", &rc), "");
	put(r, "bin/reset", "#!/bin/sh\nbundle exec rails db:drop\n");
	sh(r, "git add -A");
	assert_string_equal(staged_ids(r, "rails db:drop", &rc), "DW502 ");
}

static void test_lint_staged__drop_table_outside_migrations(void **state)
{
	repo *r = *state;
	int rc;
	put(r, "scripts/cleanup.sql", "-- one-off\nTRUNCATE users;\n");
	put(r, "scripts/report.sql", "SELECT count(*) FROM users;\n");
	sh(r, "git add -A");
	assert_string_equal(staged_ids(r, NULL, &rc), "DW502 ");
}

static void test_lint_staged__not_a_repository(void **state)
{
	char dir[] = "/tmp/dbw-norepo-XXXXXX";
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	dbw_staged_options so = {dir, dir, NULL, NULL};
	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	assert_int_equal(dbw_lint_staged(l, &so, &err), DBW_EIO);
	assert_string_equal(err.detail, "The folder may not be inside a git work tree.");
	dbw_lint_free(l);
	dbw_error_clear(&err);
	rmdir(dir);
}

static void test_lint_staged__hook_install_never_overwrites(void **state)
{
	repo *r = *state;
	dbw_error err = DBW_ERROR_INIT;
	char *path = NULL, *text = NULL;
	size_t len;
	struct stat st;
	assert_int_equal(dbw_hook_install(r->dir, "dbward", &path, NULL, &err), 0);
	assert_int_equal(dbw_file_read(path, &text, &len, &err), 0);
	assert_non_null(strstr(text, "exec dbward lint --staged\n"));
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	assert_null(strstr(text, "cd "));
	free(text);
	free(path);
	path = NULL;
	{
		int already = 0;
		assert_int_equal(dbw_hook_install(r->dir, "dbward", &path, &already, &err), 0);
		assert_int_equal(already, 1);
		free(path);
		path = NULL;
	}
	/* a hook someone else wrote */
	sh(r, "printf '#!/bin/sh\\nnpx lint-staged\\n' > .git/hooks/pre-commit");
	assert_int_equal(dbw_hook_install(r->dir, "dbward", &path, NULL, &err), DBW_EPOLICY);
	assert_non_null(strstr(err.message, "cannot install the pre-commit hook"));
	assert_non_null(strstr(err.hint, "dbward lint --staged || exit 1"));
	free(path);
	dbw_error_clear(&err);
}

/* A project in a sub-folder of the repository: the hook enters it first. */
static void test_lint_staged__hook_in_monorepo(void **state)
{
	repo *r = *state;
	dbw_error err = DBW_ERROR_INIT;
	char *sub = dbw_path_join(r->dir, "services/api"), *path = NULL, *text = NULL;
	size_t len;
	assert_int_equal(dbw_mkdir_p(sub, 0755, &err), 0);
	assert_int_equal(dbw_hook_install(sub, "dbward", &path, NULL, &err), 0);
	assert_int_equal(dbw_file_read(path, &text, &len, &err), 0);
	assert_non_null(strstr(text,
	                       "cd \"$(git rev-parse --show-toplevel)/services/api\" || exit 1\n"
	                       "exec dbward lint --staged\n"));
	free(text);
	free(path);
	free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lint_staged__new_migration_linted, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lint_staged__committed_migration_edit_refused,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_staged__committed_migration_more_cases, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lint_staged__dangerous_script, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_staged__drop_table_outside_migrations, setup,
	                                    teardown),
	    cmocka_unit_test(test_lint_staged__not_a_repository),
	    cmocka_unit_test_setup_teardown(test_lint_staged__hook_in_monorepo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_staged__hook_install_never_overwrites, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
