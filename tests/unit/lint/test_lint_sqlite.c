/*
 * test_lint_sqlite.c - the SQLite rules, read from SQLite's own parser and
 * authorizer on a shadow database: earlier migrations (before
 * "-- @next-file") are replayed first, as dbward lint does with a folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lint_cases.h"
#include "util/util.h"
#include <unistd.h>

#define USERS                                                                                      \
	"CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, "       \
	"\"name\" TEXT);\nCREATE TABLE \"Share\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"views\" "    \
	"INTEGER NOT NULL DEFAULT 0, \"creatorId\" TEXT);\n-- @next-file\n"

static const lint_case cases[] = {
    /* DW001: SQLite's parser (and the shadow schema) reject the statement */
    {"DW001", 1, 0, USERS "CREATE TABLE \"Config\" (\"key\" TEXT NOT NULL PRIMARY KEY,);"},
    {"DW001", 1, 0, USERS "CREATE INDEX \"Share_x_idx\" ON \"Share\"(expiresAt);"},
    {"DW001", 1, 0, USERS "INSERT INTO \"Missing\" (\"id\") VALUES ('a');"},
    {"DW001", 0, 0,
     USERS "ALTER TABLE \"User\" ADD COLUMN \"isAdmin\" BOOLEAN NOT NULL DEFAULT false;"},
    {"DW001", 0, 0,
     USERS "PRAGMA foreign_keys=OFF;\nPRAGMA foreign_key_check;\nPRAGMA foreign_keys=ON;"},
    {"DW001", 0, 0, USERS "-- nothing but a comment\n"},
    /* DW101 drop-table */
    {"DW101", 1, 0, USERS "DROP TABLE \"Share\";"},
    {"DW101", 1, 0,
     USERS "PRAGMA foreign_keys=OFF;\nDROP TABLE \"User\";\nCREATE TABLE \"User\" (\"id\" TEXT NOT "
           "NULL PRIMARY KEY);"},
    {"DW101", 1, 0,
     USERS "CREATE TABLE \"new_User\" (\"id\" TEXT NOT NULL PRIMARY KEY);\nDROP TABLE "
           "\"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";"},
    {"DW101", 0, 0,
     USERS
     "PRAGMA foreign_keys=OFF;\n"
     "CREATE TABLE \"new_User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL);\n"
     "INSERT INTO \"new_User\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"User\";\n"
     "DROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";\nPRAGMA foreign_keys=ON;"},
    {"DW101", 0, 0, USERS "CREATE TABLE tmp (id INTEGER);\nDROP TABLE tmp;"},
    {"DW101", 0, 0, USERS "DROP INDEX IF EXISTS \"User_email_key\";"},
    /* DW102 drop-column */
    {"DW102", 1, 0, USERS "ALTER TABLE \"User\" DROP COLUMN \"name\";"},
    {"DW102", 1, 0, USERS "ALTER TABLE \"Share\" DROP COLUMN \"views\";"},
    {"DW102", 1, 0,
     USERS
     "ALTER TABLE \"Share\" ADD COLUMN \"x\" TEXT;\nALTER TABLE \"Share\" DROP \"creatorId\";"},
    {"DW102", 0, 0, USERS "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;"},
    {"DW102", 0, 0, USERS "CREATE TABLE t (a INTEGER, b INTEGER);\nALTER TABLE t DROP COLUMN b;"},
    {"DW102", 0, 0, USERS "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"username\";"},
    /* DW105 delete-without-where */
    {"DW105", 1, 0, USERS "DELETE FROM \"Share\";"},
    {"DW105", 1, 0, USERS "PRAGMA foreign_keys=OFF;\nDELETE FROM \"User\";"},
    {"DW105", 1, 0,
     USERS "UPDATE \"Share\" SET \"views\" = 0 WHERE \"id\" = 'x';\nDELETE FROM \"User\";"},
    {"DW105", 0, 0, USERS "DELETE FROM \"Share\" WHERE \"creatorId\" IS NULL;"},
    {"DW105", 0, 0, USERS "DROP TABLE \"Share\";"},
    {"DW105", 0, 0, USERS "CREATE TABLE tmp (id INTEGER);\nDELETE FROM tmp;"},
    /* DW106 update-without-where */
    {"DW106", 1, 0, USERS "UPDATE \"Share\" SET \"views\" = 0;"},
    {"DW106", 1, 0, USERS "UPDATE \"User\" SET \"name\" = 'anonymous', \"email\" = 'x';"},
    {"DW106", 1, 0, USERS "UPDATE \"Share\" SET \"creatorId\" = NULL;"},
    {"DW106", 0, 0, USERS "UPDATE \"Share\" SET \"views\" = 0 WHERE \"views\" < 0;"},
    {"DW106", 0, 0,
     USERS
     "UPDATE \"User\" SET \"name\" = 'x' WHERE \"id\" IN (SELECT \"creatorId\" FROM \"Share\");"},
    {"DW106", 0, 0, USERS "CREATE TABLE t (a INTEGER);\nUPDATE t SET a = 1;"},
    /* DW301 not-null-without-default: SQLite refuses it once the table has rows */
    {"DW301", 1, 0, USERS "ALTER TABLE \"User\" ADD COLUMN \"isAdmin\" BOOLEAN NOT NULL;"},
    {"DW301", 1, 0, USERS "ALTER TABLE \"Share\" ADD COLUMN \"expiration\" DATETIME NOT NULL;"},
    {"DW301", 1, 0,
     USERS "ALTER TABLE \"Share\" ADD \"uploadLocked\" BOOLEAN NOT NULL CHECK (\"uploadLocked\" IN "
           "(0, 1));"},
    {"DW301", 0, 0,
     USERS "ALTER TABLE \"User\" ADD COLUMN \"isAdmin\" BOOLEAN NOT NULL DEFAULT false;"},
    {"DW301", 0, 0, USERS "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;"},
    {"DW301", 0, 0,
     USERS "CREATE TABLE t (a INTEGER);\nALTER TABLE t ADD COLUMN b INTEGER NOT NULL;"},
    /* DW302 rename-column */
    {"DW302", 1, 0, USERS "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"username\";"},
    {"DW302", 1, 0, USERS "ALTER TABLE \"Share\" RENAME \"views\" TO \"viewCount\";"},
    {"DW302", 1, 0, USERS "ALTER TABLE \"Share\" RENAME COLUMN \"creatorId\" TO \"ownerId\";"},
    {"DW302", 0, 0, USERS "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;"},
    {"DW302", 0, 0, USERS "CREATE TABLE t (a INTEGER);\nALTER TABLE t RENAME COLUMN a TO b;"},
    {"DW302", 0, 0, USERS "ALTER TABLE \"User\" RENAME TO \"Member\";"},
    /* DW303 rename-table */
    {"DW303", 1, 0, USERS "ALTER TABLE \"User\" RENAME TO \"Member\";"},
    {"DW303", 1, 0, USERS "ALTER TABLE \"Share\" RENAME TO \"Upload\";"},
    {"DW303", 1, 0,
     USERS "PRAGMA foreign_keys=OFF;\nALTER TABLE \"Share\" RENAME TO \"Share_old\";"},
    {"DW303", 0, 0,
     USERS "CREATE TABLE \"new_Share\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n"
           "INSERT INTO \"new_Share\" (\"id\") SELECT \"id\" FROM \"Share\";\n"
           "DROP TABLE \"Share\";\nALTER TABLE \"new_Share\" RENAME TO \"Share\";"},
    {"DW303", 0, 0, USERS "ALTER TABLE \"User\" RENAME COLUMN \"name\" TO \"username\";"},
    {"DW303", 0, 0, USERS "CREATE TABLE t (a INTEGER);\nALTER TABLE t RENAME TO u;"},
};

#define N (sizeof(cases) / sizeof(cases[0]))
#define RULE_TEST(id)                                                                              \
	static void test_lint_sqlite__##id(void **state)                                           \
	{                                                                                          \
		(void)state;                                                                       \
		run_cases(DBW_DB_SQLITE, cases, N, #id);                                           \
	}

RULE_TEST(DW001)
RULE_TEST(DW101)
RULE_TEST(DW102)
RULE_TEST(DW105)
RULE_TEST(DW106)
RULE_TEST(DW301)
RULE_TEST(DW302)
RULE_TEST(DW303)

/* The position of a parse error is SQLite's own (sqlite3_error_offset). */
static void test_lint_sqlite__parse_error_position(void **state)
{
	const char *sql = "CREATE TABLE a (id INTEGER);\nSELECT id FRM a;\n";
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	const dbw_finding *f;
	(void)state;
	o.dialect = DBW_DB_SQLITE;
	assert_int_equal(dbw_lint_new(&l, &o, &err), 0);
	assert_int_equal(dbw_lint_text(l, "x.sql", sql, strlen(sql), 0, strlen(sql), 0, &err), 0);
	assert_int_equal(dbw_lint_count(l), 1);
	f = dbw_lint_finding(l, 0);
	assert_string_equal(f->rule->id, "DW001");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->col, 15);
	assert_string_equal(f->message, "near \"a\": syntax error");
	dbw_lint_free(l);
}

/* The shadow never writes a file, whatever the migration says. */
static void test_lint_sqlite__shadow_writes_no_file(void **state)
{
	char dir[] = "/tmp/dbw-shadow-XXXXXX", sql[256], *a, *b;
	(void)state;
	assert_non_null(mkdtemp(dir));
	a = dbw_sprintf("%s/attached.db", dir);
	b = dbw_sprintf("%s/vacuumed.db", dir);
	snprintf(sql, sizeof(sql),
	         "CREATE TABLE t (a INTEGER);\nATTACH DATABASE '%s' AS x;\nVACUUM INTO '%s';\n", a,
	         b);
	assert_string_equal(lint_ids(DBW_DB_SQLITE, sql, 0), "");
	assert_false(dbw_path_exists(a));
	assert_false(dbw_path_exists(b));
	rmdir(dir);
	free(a);
	free(b);
}

/* A statement that would never end on the shadow is stopped, not waited for. */
static void test_lint_sqlite__endless_statement(void **state)
{
	(void)state;
	assert_string_equal(
	    lint_ids(
	        DBW_DB_SQLITE,
	        "CREATE TABLE n (x INTEGER);\n"
	        "INSERT INTO n WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
	        "SELECT x FROM c;\n"
	        "ALTER TABLE n ADD COLUMN y TEXT;\n",
	        0),
	    "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lint_sqlite__DW001),
	    cmocka_unit_test(test_lint_sqlite__DW101),
	    cmocka_unit_test(test_lint_sqlite__DW102),
	    cmocka_unit_test(test_lint_sqlite__DW105),
	    cmocka_unit_test(test_lint_sqlite__DW106),
	    cmocka_unit_test(test_lint_sqlite__DW301),
	    cmocka_unit_test(test_lint_sqlite__DW302),
	    cmocka_unit_test(test_lint_sqlite__DW303),
	    cmocka_unit_test(test_lint_sqlite__parse_error_position),
	    cmocka_unit_test(test_lint_sqlite__shadow_writes_no_file),
	    cmocka_unit_test(test_lint_sqlite__endless_statement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
