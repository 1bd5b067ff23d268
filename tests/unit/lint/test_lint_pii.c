/*
 * test_lint_pii.c - DW601: a column that looks personal (dbw_pii_reason),
 * added by CREATE TABLE or ALTER TABLE ADD COLUMN, with no rule in the
 * project's sanitize rules file (sanitize.ini or [copy] rules); silent when
 * the project has no rules file.
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

/* A project in a fresh directory: dbward.ini, and sanitize_name with rules when rules != NULL. */
typedef struct proj {
	char dir[32];
	char *files[2];
	dbw_project *p;
} proj;

static void proj_open(proj *pj, const char *ini, const char *sanitize_name, const char *rules)
{
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	memset(pj, 0, sizeof(*pj));
	strcpy(pj->dir, "/tmp/dbw-lintpii-XXXXXX");
	assert_non_null(mkdtemp(pj->dir));
	pj->files[0] = dbw_path_join(pj->dir, "dbward.ini");
	assert_int_equal(dbw_file_write(pj->files[0], ini, strlen(ini), 0644, NULL), 0);
	if (rules) {
		pj->files[1] = dbw_path_join(pj->dir, sanitize_name);
		assert_int_equal(dbw_file_write(pj->files[1], rules, strlen(rules), 0644, NULL), 0);
	}
	po.cwd = pj->dir;
	assert_int_equal(dbw_project_open(&pj->p, &po, NULL), 0);
}

static void proj_close(proj *pj)
{
	for (int i = 0; i < 2; i++) {
		if (pj->files[i])
			unlink(pj->files[i]);
		free(pj->files[i]);
	}
	rmdir(pj->dir);
	dbw_project_free(pj->p);
}

/* Lint sql (PostgreSQL) in the project; returns the number of DW601 findings, message of the
 * first in msg (when msg != NULL, caller frees). */
static size_t lint_dw601(const proj *pj, const char *sql, char **msg, char **hint)
{
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	size_t n = 0;
	o.project = pj->p;
	assert_int_equal(dbw_lint_new(&l, &o, &err), 0);
	assert_int_equal(
	    dbw_lint_text(l, "db/migrations/1_x.sql", sql, strlen(sql), 0, strlen(sql), 0, &err),
	    0);
	for (size_t i = 0; i < dbw_lint_count(l); i++) {
		const dbw_finding *f = dbw_lint_finding(l, i);
		if (strcmp(f->rule->id, "DW601"))
			continue;
		if (n == 0 && msg)
			*msg = strdup(f->message);
		if (n == 0 && hint)
			*hint = strdup(f->hint);
		assert_int_equal(f->severity, DBW_SEV_WARNING);
		n++;
	}
	dbw_lint_free(l);
	return n;
}

static const char *const RULES = "[users]\nemail = hash_email\n\n[audit_log]\n* = skip\n";

static void test_lint_pii__create_table_fires(void **state)
{
	proj pj;
	char *msg = NULL, *hint = NULL;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", RULES);
	assert_int_equal(lint_dw601(&pj,
	                            "CREATE TABLE customers (id int8 PRIMARY KEY, email text, "
	                            "phone_number text, created_at timestamptz);",
	                            &msg, &hint),
	                 2);
	assert_string_equal(msg, "column \"customers.email\" looks personal (email) and the "
	                         "sanitize rules have no rule for it");
	assert_string_equal(hint, "Add \"email = hash_email\" (or another rule: hash, redact, "
	                          "fake_name, ...) to section [customers] of the sanitize rules "
	                          "file, or \"* = skip\" for the whole table.");
	free(msg);
	free(hint);
	proj_close(&pj);
}

static void test_lint_pii__add_column_fires(void **state)
{
	proj pj;
	char *msg = NULL;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", RULES);
	/* users has a rule for email, not for the new last_name */
	assert_int_equal(
	    lint_dw601(&pj, "ALTER TABLE users ADD COLUMN last_name text;", &msg, NULL), 1);
	assert_string_equal(msg, "column \"users.last_name\" looks personal (name) and the "
	                         "sanitize rules have no rule for it");
	free(msg);
	proj_close(&pj);
}

static void test_lint_pii__type_fires_and_copy_rules_setting(void **state)
{
	proj pj;
	char *msg = NULL;
	(void)state;
	/* the rules file named by [copy] rules, not sanitize.ini; the type is personal */
	proj_open(&pj, "[copy]\nrules = privacy/rules.ini\n", "rules.ini", NULL);
	{
		char *sub = dbw_path_join(pj.dir, "privacy");
		assert_int_equal(mkdir(sub, 0755), 0);
		pj.files[1] = dbw_path_join(sub, "rules.ini");
		assert_int_equal(dbw_file_write(pj.files[1], RULES, strlen(RULES), 0644, NULL), 0);
		assert_int_equal(
		    lint_dw601(&pj, "ALTER TABLE sessions ADD COLUMN origin inet;", &msg, NULL), 1);
		assert_string_equal(msg, "column \"sessions.origin\" looks personal (inet) and the "
		                         "sanitize rules have no rule for it");
		unlink(pj.files[1]);
		rmdir(sub);
		free(sub);
	}
	free(msg);
	proj_close(&pj);
}

static void test_lint_pii__covered_by_rule(void **state)
{
	proj pj;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", RULES);
	assert_int_equal(lint_dw601(&pj, "ALTER TABLE users ADD COLUMN email text;", NULL, NULL),
	                 0);
	assert_int_equal(
	    lint_dw601(&pj, "CREATE TABLE public.users (id int8, email text);", NULL, NULL), 0);
	proj_close(&pj);
}

static void test_lint_pii__covered_by_skip(void **state)
{
	proj pj;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", RULES);
	assert_int_equal(lint_dw601(&pj,
	                            "CREATE TABLE audit_log (id int8, email text, ip inet);\n"
	                            "ALTER TABLE audit_log ADD COLUMN first_name text;",
	                            NULL, NULL),
	                 0);
	proj_close(&pj);
}

static void test_lint_pii__not_personal(void **state)
{
	proj pj;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", RULES);
	assert_int_equal(
	    lint_dw601(
	        &pj,
	        "CREATE TABLE orders (id int8, ship_count int4, total numeric, tip numeric);\n"
	        "ALTER TABLE orders ADD COLUMN status text;",
	        NULL, NULL),
	    0);
	proj_close(&pj);
}

static void test_lint_pii__no_rules_file(void **state)
{
	proj pj;
	(void)state;
	proj_open(&pj, "[project]\n", "sanitize.ini", NULL);
	assert_int_equal(
	    lint_dw601(&pj, "CREATE TABLE customers (id int8, email text);", NULL, NULL), 0);
	proj_close(&pj);
}

static void test_lint_pii__no_project(void **state)
{
	dbw_lint *l = NULL;
	const char *sql = "CREATE TABLE customers (id int8, email text);";
	(void)state;
	assert_int_equal(dbw_lint_new(&l, NULL, NULL), 0);
	assert_int_equal(dbw_lint_text(l, "m.sql", sql, strlen(sql), 0, strlen(sql), 0, NULL), 0);
	for (size_t i = 0; i < dbw_lint_count(l); i++)
		assert_string_not_equal(dbw_lint_finding(l, i)->rule->id, "DW601");
	dbw_lint_free(l);
}

static void test_lint_pii__named_rules_file_missing(void **state)
{
	proj pj;
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	proj_open(&pj, "[copy]\nrules = nowhere.ini\n", "sanitize.ini", NULL);
	o.project = pj.p;
	assert_int_equal(dbw_lint_new(&l, &o, &err), DBW_ENOTFOUND);
	assert_null(l);
	dbw_error_clear(&err);
	proj_close(&pj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lint_pii__create_table_fires),
	    cmocka_unit_test(test_lint_pii__add_column_fires),
	    cmocka_unit_test(test_lint_pii__type_fires_and_copy_rules_setting),
	    cmocka_unit_test(test_lint_pii__covered_by_rule),
	    cmocka_unit_test(test_lint_pii__covered_by_skip),
	    cmocka_unit_test(test_lint_pii__not_personal),
	    cmocka_unit_test(test_lint_pii__no_rules_file),
	    cmocka_unit_test(test_lint_pii__no_project),
	    cmocka_unit_test(test_lint_pii__named_rules_file_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
