/*
 * test_lint_engine.c - the lint session around the rules: positions in the
 * file (an up section after a header keeps its file lines), excerpts,
 * sign-offs (-- dbward:allow), the exit code, size text, type-change
 * classes and the folder dialect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbward.h>
#include "lint/lint_internal.h"

static dbw_lint *lint_pg(const char *sql, size_t start)
{
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	assert_int_equal(dbw_lint_text(l, "db/migrations/1_x.sql", sql, strlen(sql), start,
	                               strlen(sql), 0, &err),
	                 0);
	return l;
}

static void test_lint_engine__position_excerpt_hint(void **state)
{
	const char *sql =
	    "-- migrate:up\nSET lock_timeout = '1s';\n\n  DROP TABLE\n    \"Session\";\n";
	dbw_lint *l = lint_pg(sql, 14);
	const dbw_finding *f;
	(void)state;
	assert_int_equal(dbw_lint_count(l), 1);
	f = dbw_lint_finding(l, 0);
	assert_string_equal(f->rule->id, "DW101");
	assert_string_equal(f->file, "db/migrations/1_x.sql");
	assert_int_equal(f->line, 4);
	assert_int_equal(f->col, 3);
	assert_string_equal(f->message, "table \"Session\" is dropped with its data");
	assert_string_equal(f->excerpt, "DROP TABLE \"Session\"");
	assert_string_equal(f->table, "Session");
	assert_non_null(strstr(f->hint, "later release"));
	assert_int_equal(f->severity, DBW_SEV_ERROR);
	assert_int_equal(dbw_lint_code(l), DBW_ELINT);
	dbw_lint_free(l);
}

static void test_lint_engine__schema_of_the_table(void **state)
{
	dbw_lint *l =
	    lint_pg("CREATE INDEX i ON auth.users (email);\nCREATE INDEX j ON users (x);\n", 0);
	(void)state;
	assert_int_equal(dbw_lint_count(l), 2);
	assert_string_equal(dbw_lint_finding(l, 0)->table, "users");
	assert_string_equal(dbw_lint_finding(l, 0)->schema, "auth");
	assert_null(dbw_lint_finding(l, 1)->schema);
	dbw_lint_free(l);
}

static void test_lint_engine__history_before_lint(void **state)
{
	dbw_lint *l = lint_pg("SET lock_timeout = '1s';\nDROP TABLE a;\n", 0);
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_lint_code(l), DBW_ELINT);
	assert_int_equal(dbw_lint_add(l, "DW003", "db/migrations/dbward.sum", 3, 0,
	                              "migration \"1\" was deleted", NULL, &err),
	                 0);
	assert_int_equal(dbw_lint_code(l), DBW_EHISTORY);
	assert_int_equal(dbw_lint_add(l, "DW999", "x", 0, 0, "m", NULL, &err), DBW_EUSAGE);
	dbw_error_clear(&err);
	dbw_lint_free(l);
}

/* A NUL byte is a parse error at its place; nothing reads past it (found by fuzzing). */
static void test_lint_engine__nul_byte(void **state)
{
	static const char sql[] = "SELECT 1;\nDROP TABLE a;\0DROP TABLE b;\n";
	for (int d = 0; d < 2; d++) {
		dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
		dbw_lint *l = NULL;
		o.dialect = d ? DBW_DB_SQLITE : DBW_DB_POSTGRES;
		assert_int_equal(dbw_lint_new(&l, &o, NULL), 0);
		assert_int_equal(
		    dbw_lint_text(l, "x.sql", sql, sizeof(sql) - 1, 0, sizeof(sql) - 1, 0, NULL),
		    0);
		assert_int_equal(dbw_lint_count(l), 1);
		assert_string_equal(dbw_lint_finding(l, 0)->rule->id, "DW001");
		assert_string_equal(dbw_lint_finding(l, 0)->message,
		                    "the file contains a NUL byte");
		assert_int_equal(dbw_lint_finding(l, 0)->line, 2);
		assert_int_equal(dbw_lint_finding(l, 0)->col, 14);
		dbw_lint_free(l);
	}
	(void)state;
}

/* A parse tree deeper than jansson reads is reported, and the rest is still linted. */
static void test_lint_engine__too_deep(void **state)
{
	dbw_buf b = DBW_BUF_INIT;
	dbw_lint *l;
	(void)state;
	dbw_buf_puts(&b, "SELECT 1");
	for (int i = 0; i < 5000; i++)
		dbw_buf_puts(&b, " - 1");
	dbw_buf_puts(&b, ";\nSET lock_timeout = '1s';\nDROP TABLE a;\n");
	l = lint_pg(b.data, 0);
	assert_int_equal(dbw_lint_count(l), 2);
	assert_string_equal(dbw_lint_finding(l, 0)->message,
	                    "the statement nests too deeply to be linted");
	assert_string_equal(dbw_lint_finding(l, 1)->rule->id, "DW101");
	dbw_lint_free(l);
	dbw_buf_free(&b);
}

static void test_lint_engine__parse_error_position(void **state)
{
	/* the parser reports characters; a multi-byte name before the error must not shift it */
	const char *sql =
	    "CREATE TABLE \"Über\" (id int);\nALTER TABLE \"Über\" ADD COLUMN x intt int;\n";
	dbw_lint *l = lint_pg(sql, 0);
	const dbw_finding *f;
	(void)state;
	assert_int_equal(dbw_lint_count(l), 1);
	f = dbw_lint_finding(l, 0);
	assert_string_equal(f->rule->id, "DW001");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->col, 38);
	assert_string_equal(f->message, "syntax error at or near \"int\"");
	dbw_lint_free(l);
}

static void test_lint_engine__allow_accepts_one(void **state)
{
	const char *sql =
	    "SET lock_timeout = '1s';\n"
	    "-- dbward:allow DW101 archived to s3://backups/2024 before this release\n"
	    "DROP TABLE \"Session\";\nDROP TABLE \"Token\";\n";
	dbw_lint *l = lint_pg(sql, 0);
	size_t e, w, i, a;
	(void)state;
	assert_int_equal(dbw_lint_count(l), 2);
	assert_true(dbw_lint_finding(l, 0)->allowed);
	assert_string_equal(dbw_lint_finding(l, 0)->allow_reason,
	                    "archived to s3://backups/2024 before this release");
	assert_false(dbw_lint_finding(l, 1)->allowed);
	dbw_lint_totals(l, &e, &w, &i, &a);
	assert_int_equal(e, 1);
	assert_int_equal(a, 1);
	assert_int_equal(dbw_lint_code(l), DBW_ELINT);
	dbw_lint_free(l);
}

static void test_lint_engine__allow_all_clears_exit(void **state)
{
	const char *sql = "SET lock_timeout = '1s';\nDROP TABLE \"Session\";\n"
	                  "-- dbward:allow drop-table sessions are recreated at login\n";
	dbw_lint *l = lint_pg(sql, 0);
	(void)state;
	assert_int_equal(dbw_lint_count(l), 1);
	assert_true(dbw_lint_finding(l, 0)->allowed);
	assert_int_equal(dbw_lint_code(l), 0);
	dbw_lint_free(l);
}

static void test_lint_engine__unmatched_allow_warns(void **state)
{
	const char *sql = "-- dbward:allow DW104 no truncate here\n"
	                  "-- dbward:allow DW101\n"
	                  "-- dbward:allow DW999 typo\n"
	                  "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c int;\n";
	dbw_lint *l = lint_pg(sql, 0);
	(void)state;
	assert_int_equal(dbw_lint_count(l), 3);
	assert_string_equal(dbw_lint_finding(l, 0)->rule->id, "DW002");
	assert_string_equal(dbw_lint_finding(l, 0)->message,
	                    "dbward:allow DW104 matches no finding");
	assert_string_equal(dbw_lint_finding(l, 1)->message, "dbward:allow DW101 has no reason");
	assert_string_equal(dbw_lint_finding(l, 2)->message,
	                    "dbward:allow names unknown rule \"DW999\"");
	assert_int_equal(dbw_lint_finding(l, 0)->severity, DBW_SEV_WARNING);
	assert_int_equal(dbw_lint_finding(l, 0)->line, 1);
	assert_int_equal(dbw_lint_code(l), 0);
	dbw_lint_free(l);
}

static void test_lint_engine__model_across_files(void **state)
{
	/* the old type comes from an earlier file; a table from an earlier file is "existing" */
	const char *a = "CREATE TABLE users (id int, age bigint);";
	const char *b = "SET lock_timeout = '1s';\nALTER TABLE users ALTER COLUMN age TYPE int;";
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	assert_int_equal(dbw_lint_text(l, "1.sql", a, strlen(a), 0, strlen(a), 0, &err), 0);
	assert_int_equal(dbw_lint_count(l), 0);
	assert_int_equal(dbw_lint_text(l, "2.sql", b, strlen(b), 0, strlen(b), 0, &err), 0);
	assert_int_equal(dbw_lint_count(l), 2);
	assert_string_equal(
	    dbw_lint_finding(l, 0)->message,
	    "column \"age\" changes type int8 to int4: values may be lost or refused");
	assert_string_equal(dbw_lint_finding(l, 1)->rule->id, "DW207");
	dbw_lint_free(l);
}

static void test_lint_engine__messages_name_objects(void **state)
{
	const char *sql = "SET lock_timeout = '1s';\n"
	                  "ALTER TABLE \"Signature\" ADD CONSTRAINT \"Signature_recipientId_fkey\" "
	                  "FOREIGN KEY (\"recipientId\") REFERENCES \"Recipient\"(\"id\");\n"
	                  "ALTER TABLE orders ADD CHECK (total > 0);\n";
	dbw_lint *l = lint_pg(sql, 0);
	(void)state;
	assert_int_equal(dbw_lint_count(l), 2);
	assert_string_equal(dbw_lint_finding(l, 0)->message,
	                    "foreign key \"Signature_recipientId_fkey\" is added to \"Signature\" "
	                    "without NOT VALID: both tables are scanned under lock");
	assert_string_equal(
	    dbw_lint_finding(l, 1)->message,
	    "check constraint \"(unnamed)\" is added to \"orders\" without NOT VALID: "
	    "the table is scanned under an ACCESS EXCLUSIVE lock");
	dbw_lint_free(l);
}

static void test_lint_engine__type_change_classes(void **state)
{
	(void)state;
	assert_int_equal(dbw_lint__type_change("varchar(10)", "varchar(20)"), DBW_TC_FREE);
	assert_int_equal(dbw_lint__type_change("varchar(10)", "text"), DBW_TC_FREE);
	assert_int_equal(dbw_lint__type_change("text", "varchar(10)"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change("int4", "int8"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("int8", "int4"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change("numeric(10,2)", "numeric(12,2)"), DBW_TC_FREE);
	assert_int_equal(dbw_lint__type_change("numeric(10,2)", "numeric(10,1)"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change("timestamp(3)", "timestamptz"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("timestamp(3)", "date"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change("int4", "text"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("text", "int4[]"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change(NULL, "int4"), DBW_TC_UNKNOWN);
	assert_int_equal(dbw_lint__type_change("serial", "int8"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("bigserial", "int4"), DBW_TC_LOSSY);
	assert_int_equal(dbw_lint__type_change("time", "timestamp"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("int4", "numeric(65,30)"), DBW_TC_REWRITE);
	assert_int_equal(dbw_lint__type_change("int8", "numeric(10,2)"), DBW_TC_LOSSY);
}

static void test_lint_engine__size_text(void **state)
{
	char out[64];
	(void)state;
	dbw_lint_size_text(12400000, 3328599654LL, out, sizeof(out));
	assert_string_equal(out, "12.4 M rows, 3.1 GB");
	dbw_lint_size_text(1, 8192, out, sizeof(out));
	assert_string_equal(out, "1 row, 8.0 kB");
	dbw_lint_size_text(-1, 512, out, sizeof(out));
	assert_string_equal(out, "512 bytes");
	dbw_lint_size_text(25000, -1, out, sizeof(out));
	assert_string_equal(out, "25.0 k rows");
}

static void test_lint_engine__folder_dialect(void **state)
{
	char dir[] = "/tmp/dbw-dialect-XXXXXX", *lock;
	const char *toml = "# Please do not edit this file manually\nprovider = \"sqlite\"\n";
	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(dbw_lint_folder_dialect(dir), DBW_DB_NONE);
	lock = dbw_path_join(dir, "migration_lock.toml");
	assert_int_equal(dbw_file_write(lock, toml, strlen(toml), 0644, NULL), 0);
	assert_int_equal(dbw_lint_folder_dialect(dir), DBW_DB_SQLITE);
	unlink(lock);
	rmdir(dir);
	free(lock);
}

static dbw_project *project_with(const char *ini, char *dir)
{
	dbw_project *p = NULL;
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	char *path;
	assert_non_null(mkdtemp(dir));
	path = dbw_path_join(dir, "dbward.ini");
	assert_int_equal(dbw_file_write(path, ini, strlen(ini), 0644, NULL), 0);
	po.cwd = dir;
	assert_int_equal(dbw_project_open(&p, &po, NULL), 0);
	unlink(path);
	rmdir(dir);
	free(path);
	return p;
}

static void test_lint_engine__severity_overrides(void **state)
{
	char dir[] = "/tmp/dbw-lintini-XXXXXX";
	dbw_project *p = project_with("[lint]\nDW201 = warning\ndrop-table = off\n", dir);
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	const char *sql = "SET lock_timeout = '1s';\nDROP TABLE a;\nCREATE INDEX i ON b (c);\n";
	(void)state;
	o.project = p;
	assert_int_equal(dbw_lint_new(&l, &o, NULL), 0);
	assert_int_equal(dbw_lint_text(l, "m.sql", sql, strlen(sql), 0, strlen(sql), 0, NULL), 0);
	assert_int_equal(dbw_lint_count(l), 1);
	assert_string_equal(dbw_lint_finding(l, 0)->rule->id, "DW201");
	assert_int_equal(dbw_lint_finding(l, 0)->severity, DBW_SEV_WARNING);
	assert_int_equal(dbw_lint_code(l), 0);
	dbw_lint_free(l);
	dbw_project_free(p);
}

static void test_lint_engine__bad_lint_settings(void **state)
{
	char d1[] = "/tmp/dbw-lintini-XXXXXX", d2[] = "/tmp/dbw-lintini-XXXXXX";
	dbw_project *p = project_with("[lint]\nDW101 = loud\n", d1);
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	o.project = p;
	assert_int_equal(dbw_lint_new(&l, &o, &err), DBW_ECONFIG);
	assert_null(l);
	assert_string_equal(err.message, "invalid severity \"loud\"");
	assert_string_equal(err.where, "[lint] DW101");
	dbw_error_clear(&err);
	dbw_project_free(p);
	p = project_with("[lint]\nsmall_table_rows = many\n", d2);
	o.project = p;
	assert_int_equal(dbw_lint_new(&l, &o, &err), DBW_ECONFIG);
	assert_string_equal(err.hint, "Use a whole number of rows, e.g. 10000.");
	dbw_error_clear(&err);
	dbw_project_free(p);
}

static dbw_db_kind dialect_of(const char *ini, int with_env)
{
	char dir[] = "/tmp/dbw-lintini-XXXXXX";
	dbw_project *p = project_with(ini, dir);
	dbw_env *env = NULL;
	dbw_db_kind k = DBW_DB_NONE;
	dbw_error err = DBW_ERROR_INIT;
	if (with_env && dbw_env_resolve(&env, p, "development", &err) != 0)
		fail_msg("env: %s", err.message);
	if (dbw_lint_dialect(p, env, &k, &err) != 0)
		k = DBW_DB_NONE;
	dbw_env_free(env);
	dbw_project_free(p);
	dbw_error_clear(&err);
	return k;
}

static void test_lint_engine__dialect_choice(void **state)
{
	(void)state;
	unsetenv("DATABASE_URL");
	unsetenv("DEV_DATABASE_URL");
	assert_int_equal(dialect_of("[lint]\ndialect = sqlite\n", 0), DBW_DB_SQLITE);
	assert_int_equal(dialect_of("[lint]\ndialect = mysql\n", 0), DBW_DB_NONE);
	assert_int_equal(dialect_of("[env.development]\nurl = sqlite:app.db\n", 1), DBW_DB_SQLITE);
	assert_int_equal(dialect_of("[env.development]\nurl = postgres://h/app\n", 1),
	                 DBW_DB_POSTGRES);
	/* the embedded SQLite default does not make a project SQLite */
	assert_int_equal(dialect_of("[project]\n", 1), DBW_DB_POSTGRES);
	assert_int_equal(
	    dialect_of("[lint]\ndialect = postgres\n[env.development]\nurl = sqlite:a.db\n", 1),
	    DBW_DB_POSTGRES);
}

static void test_lint_engine__rules_have_pages(void **state)
{
	size_t n;
	const dbw_lint_rule *r = dbw_lint_rules(&n);
	const char *src = getenv("DBW_SOURCE_DIR");
	(void)state;
	assert_non_null(src);
	assert_true(n >= 25);
	for (size_t i = 0; i < n; i++) {
		char *page = dbw_sprintf("%s/docs/lint/%s.md", src, r[i].id);
		if (!dbw_path_exists(page))
			fail_msg("rule %s has no page %s", r[i].id, page);
		assert_ptr_equal(dbw_lint_rule_find(r[i].name), &r[i]);
		free(page);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lint_engine__position_excerpt_hint),
	    cmocka_unit_test(test_lint_engine__parse_error_position),
	    cmocka_unit_test(test_lint_engine__allow_accepts_one),
	    cmocka_unit_test(test_lint_engine__allow_all_clears_exit),
	    cmocka_unit_test(test_lint_engine__unmatched_allow_warns),
	    cmocka_unit_test(test_lint_engine__model_across_files),
	    cmocka_unit_test(test_lint_engine__type_change_classes),
	    cmocka_unit_test(test_lint_engine__messages_name_objects),
	    cmocka_unit_test(test_lint_engine__severity_overrides),
	    cmocka_unit_test(test_lint_engine__bad_lint_settings),
	    cmocka_unit_test(test_lint_engine__schema_of_the_table),
	    cmocka_unit_test(test_lint_engine__history_before_lint),
	    cmocka_unit_test(test_lint_engine__dialect_choice),
	    cmocka_unit_test(test_lint_engine__nul_byte),
	    cmocka_unit_test(test_lint_engine__too_deep),
	    cmocka_unit_test(test_lint_engine__size_text),
	    cmocka_unit_test(test_lint_engine__folder_dialect),
	    cmocka_unit_test(test_lint_engine__rules_have_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
