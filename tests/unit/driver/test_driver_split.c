/*
 * test_driver_split.c - statement splitting, flags and fingerprints for
 * both dialects, on crafted scripts and on every migration of the corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dbward/db.h>
#include "util/util.h"

typedef struct split {
	dbw_stmt *v;
	size_t n;
	dbw_error perr;
} split;

static void do_split(dbw_db_kind kind, const char *text, split *s)
{
	dbw_error init = DBW_ERROR_INIT;
	s->perr = init;
	assert_int_equal(dbw_sql_split(kind, text, strlen(text), &s->v, &s->n, &s->perr), 0);
}

static void free_split(split *s)
{
	free(s->v);
	dbw_error_clear(&s->perr);
}

static void expect_stmt(const char *text, const split *s, size_t i, const char *want,
                        unsigned flags)
{
	assert_true(i < s->n);
	assert_int_equal(s->v[i].length, strlen(want));
	assert_memory_equal(text + s->v[i].offset, want, strlen(want));
	assert_int_equal(s->v[i].flags, flags);
}

static void test_driver_split__pg_offsets_skip_comments(void **state)
{
	const char *t = "  -- lead\n/* a /* nested */ b */ CREATE TABLE t (a int);\n"
	                "\n-- between\nINSERT INTO t VALUES (1) ;  SELECT ';' -- tail";
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.perr.code, 0);
	assert_int_equal(s.n, 3);
	expect_stmt(t, &s, 0, "CREATE TABLE t (a int)", 0);
	expect_stmt(t, &s, 1, "INSERT INTO t VALUES (1) ", 0);
	expect_stmt(t, &s, 2, "SELECT ';' -- tail", 0);
	free_split(&s);
}

static void test_driver_split__pg_flags(void **state)
{
	const char *t =
	    "CREATE INDEX CONCURRENTLY i ON t (a);\n"
	    "CREATE INDEX j ON t (a);\n"
	    "DROP INDEX CONCURRENTLY i;\n"
	    "REINDEX (CONCURRENTLY) TABLE t;\n"
	    "REINDEX TABLE t;\n"
	    "REINDEX SCHEMA s;\n"
	    "VACUUM t;\n"
	    "ANALYZE t;\n"
	    "VACUUM (ANALYZE) t;\n"
	    "CREATE DATABASE d;\n"
	    "DROP DATABASE d;\n"
	    "ALTER SYSTEM SET work_mem = '4MB';\n"
	    "CLUSTER;\n"
	    "CLUSTER t USING i;\n"
	    "ALTER DATABASE d SET TABLESPACE x;\n"
	    "ALTER DATABASE d SET work_mem = '1MB';\n"
	    "BEGIN;\n"
	    "COMMIT;\n"
	    "SAVEPOINT a;\n"
	    "ALTER TYPE e ADD VALUE 'x';\n"
	    "ALTER TYPE e RENAME VALUE 'x' TO 'y';\n"
	    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p;\n"
	    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false);\n"
	    "ALTER SUBSCRIPTION s REFRESH PUBLICATION;\n"
	    "ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false);\n"
	    "ALTER TABLE t DETACH PARTITION p CONCURRENTLY;\n"
	    "CREATE TABLESPACE x LOCATION '/x';\n"
	    "DROP TABLESPACE x;\n";
	const unsigned want[] = {DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_TXN_CONTROL,
	                         DBW_STMT_TXN_CONTROL,
	                         DBW_STMT_TXN_CONTROL,
	                         DBW_STMT_ENUM_ADD,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         0,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN};
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.perr.code, 0);
	assert_int_equal(s.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.n; i++) {
		if (s.v[i].flags != want[i])
			fail_msg("statement %zu \"%.*s\": flags %u, want %u", i, (int)s.v[i].length,
			         t + s.v[i].offset, s.v[i].flags, want[i]);
	}
	free_split(&s);
}

static void test_driver_split__pg_empty_and_comments_only(void **state)
{
	split s;
	do_split(DBW_DB_POSTGRES, "", &s);
	assert_int_equal(s.n, 0);
	free_split(&s);
	do_split(DBW_DB_POSTGRES, "  \n\t", &s);
	assert_int_equal(s.n, 0);
	free_split(&s);
	do_split(DBW_DB_POSTGRES, "\n-- nothing here\n/* at all */\n", &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].offset, 1);
	assert_int_equal(s.v[0].flags, DBW_STMT_EMPTY);
	free_split(&s);
	do_split(DBW_DB_POSTGRES, "SELECT 1;;\n;", &s);
	assert_int_equal(s.n, 1);
	free_split(&s);
}

static void test_driver_split__pg_parse_error_falls_back(void **state)
{
	/* the syntax error is in the 3rd statement, after a multi-byte character */
	const char *t = "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('é');\n"
	                "SELEC 1;\nSELECT 2;";
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.perr.code, DBW_ESQL);
	assert_non_null(strstr(s.perr.message, "syntax error"));
	assert_int_equal(s.perr.offset, strstr(t, "SELEC 1") - t);
	assert_int_equal(s.n, 4);
	expect_stmt(t, &s, 2, "SELEC 1", 0);
	expect_stmt(t, &s, 3, "SELECT 2", 0);
	free_split(&s);
}

static void test_driver_split__pg_fallback_quoting(void **state)
{
	/* an unknown command first, then every kind of quoting psql knows */
	const char *t = "FROBNICATE 1;\nSELECT E'a\\';b', 'c'';d', \"e;f\" FROM (SELECT ';') x;\n"
	                "CREATE FUNCTION g() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;\n"
	                "/* a /* nested; */ comment; */ SELECT $1, a$b FROM t -- x;\n;\n"
	                "-- only this;\n";
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.perr.code, DBW_ESQL);
	assert_int_equal(s.perr.offset, 0);
	assert_int_equal(s.n, 5);
	expect_stmt(t, &s, 0, "FROBNICATE 1", 0);
	expect_stmt(t, &s, 1, "SELECT E'a\\';b', 'c'';d', \"e;f\" FROM (SELECT ';') x", 0);
	expect_stmt(t, &s, 2, "CREATE FUNCTION g() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql",
	            0);
	expect_stmt(t, &s, 3, "SELECT $1, a$b FROM t -- x;\n", 0);
	expect_stmt(t, &s, 4, "-- only this;\n", DBW_STMT_EMPTY);
	free_split(&s);
}

static void test_driver_split__pg_fallback_flags_from_keywords(void **state)
{
	/* each statement holds a word the parser rejects (as newer syntax
	 * would be), so every flag comes from the leading words */
	const char *t = "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a) FROBNICATE;\n"
	                "create index concurrently j on t (a) frob;\n"
	                "DROP INDEX CONCURRENTLY i frob;\nREINDEX TABLE CONCURRENTLY t frob;\n"
	                "VACUUM (FROB) t;\nBEGIN frob;\nCREATE INDEX k ON t (a) frob;\n"
	                "CREATE TABLE concurrently (a int) frob;";
	const unsigned want[] = {DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_NO_TXN,
	                         DBW_STMT_TXN_CONTROL,
	                         0,
	                         0};
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.perr.code, DBW_ESQL);
	assert_int_equal(s.n, 8);
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].flags != want[i])
			fail_msg("statement %zu: flags %u, want %u", i, s.v[i].flags, want[i]);
	free_split(&s);
}

static void test_driver_split__pg_dollar_quotes_and_do(void **state)
{
	const char *t = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
	                "DO $$ BEGIN PERFORM 1; END $$;";
	split s;
	do_split(DBW_DB_POSTGRES, t, &s);
	assert_int_equal(s.n, 2);
	expect_stmt(t, &s, 1, "DO $$ BEGIN PERFORM 1; END $$", 0);
	free_split(&s);
}

static void test_driver_split__not_nul_terminated(void **state)
{
	const char buf[] = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', ';', 'X', 'Y'};
	dbw_stmt *v = NULL;
	size_t n = 0;
	assert_int_equal(dbw_sql_split(DBW_DB_POSTGRES, buf, 9, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].length, 8);
	free(v);
	assert_int_equal(dbw_sql_split(DBW_DB_SQLITE, buf, 9, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].length, 8);
	free(v);
}

static void test_driver_split__sqlite_trigger_and_flags(void **state)
{
	const char *t =
	    "PRAGMA foreign_keys=OFF;\n-- c\nCREATE TABLE \"a;b\" (x TEXT DEFAULT ';');\n"
	    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n"
	    "  DELETE FROM u;\nEND;\n"
	    "BEGIN TRANSACTION; COMMIT; END; ROLLBACK; SAVEPOINT s; RELEASE s;\n"
	    "VACUUM; /* x; */ [weird;name]; `q;`;\n-- only a comment\n";
	const char *trigger = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n"
	                      "  DELETE FROM u;\nEND";
	split s;
	do_split(DBW_DB_SQLITE, t, &s);
	assert_int_equal(s.n, 13);
	expect_stmt(t, &s, 0, "PRAGMA foreign_keys=OFF", 0);
	expect_stmt(t, &s, 1, "CREATE TABLE \"a;b\" (x TEXT DEFAULT ';')", 0);
	expect_stmt(t, &s, 2, trigger, 0);
	for (size_t i = 3; i < 9; i++)
		assert_int_equal(s.v[i].flags, DBW_STMT_TXN_CONTROL);
	expect_stmt(t, &s, 9, "VACUUM", DBW_STMT_NO_TXN);
	expect_stmt(t, &s, 10, "[weird;name]", 0);
	expect_stmt(t, &s, 11, "`q;`", 0);
	expect_stmt(t, &s, 12, "-- only a comment\n", DBW_STMT_EMPTY);
	free_split(&s);
}

static void fp(dbw_db_kind kind, const char *t, char out[65])
{
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_sql_fingerprint(kind, t, strlen(t), out, &err), 0);
	assert_int_equal(strlen(out), 64);
}

static void test_driver_split__fingerprints(void **state)
{
	char a[65], b[65], c[65];
	dbw_error err = DBW_ERROR_INIT;
	fp(DBW_DB_POSTGRES, "CREATE TABLE t (a int DEFAULT 1);", a);
	fp(DBW_DB_POSTGRES, "-- header\ncreate   table t(\n  a INT default 1 -- x\n) ;\n", b);
	fp(DBW_DB_POSTGRES, "CREATE TABLE t (a int DEFAULT 2);", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(dbw_sql_fingerprint(DBW_DB_POSTGRES, "SELECT 1;\nSELEC 2", 17, a, &err),
	                 DBW_ESQL);
	assert_int_equal(err.offset, 10);
	dbw_error_clear(&err);

	fp(DBW_DB_SQLITE, "CREATE TABLE t (a TEXT DEFAULT 'x');", a);
	fp(DBW_DB_SQLITE, "/* h */ create table t(\n a text default 'x' -- c\n);", b);
	fp(DBW_DB_SQLITE, "CREATE TABLE t (a TEXT DEFAULT 'X');", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	fp(DBW_DB_SQLITE, "CREATE TABLE \"T\" (a TEXT);", a);
	fp(DBW_DB_SQLITE, "CREATE TABLE \"t\" (a TEXT);", b);
	assert_string_not_equal(a, b);
}

/* ---- the corpus ---- */

typedef struct corpus_stats {
	size_t files, stmts, parse_failures;
	size_t enum_adds, add_value_mentions; /* flagged statements; "ADD VALUE" in the text */
	dbw_strv failures;
} corpus_stats;

static int blank_or_comment_start(const char *t, size_t len, size_t i)
{
	char c = t[i];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 1;
	return i + 1 < len && ((c == '-' && t[i + 1] == '-') || (c == '/' && t[i + 1] == '*'));
}

static char *with_comments(const char *t, const dbw_stmt *v, size_t n)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		dbw_buf_put(&b, t + at, v[i].offset - at);
		dbw_buf_puts(&b, "\n/* added */ -- also added\n\t ");
		at = v[i].offset;
	}
	dbw_buf_puts(&b, t + at);
	dbw_buf_puts(&b, "\n-- trailing\n");
	return dbw_buf_detach(&b);
}

static void check_file(dbw_db_kind kind, const char *path, corpus_stats *st)
{
	char *text = NULL, *commented = NULL, *lit1 = NULL, *lit2 = NULL;
	size_t len = 0, semis = 0;
	dbw_stmt *v = NULL;
	size_t n = 0;
	dbw_error perr = DBW_ERROR_INIT, err = DBW_ERROR_INIT;
	char f0[65], f1[65], f2[65], f3[65];
	assert_int_equal(dbw_file_read(path, &text, &len, &err), 0);
	st->files++;
	assert_int_equal(dbw_sql_split(kind, text, len, &v, &n, &perr), 0);
	if (perr.code) {
		st->parse_failures++;
		dbw_strv_take(&st->failures,
		              dbw_sprintf("%s: %s at byte %ld", path, perr.message, perr.offset));
	}
	for (size_t i = 0; i < len; i++)
		semis += text[i] == ';';
	for (const char *p = text; (p = strcasestr(p, "ADD VALUE")) != NULL; p++)
		st->add_value_mentions++;
	assert_true(n <= semis + 1);
	if (len > 0 && n == 0) {
		for (size_t i = 0; i < len; i++)
			assert_true(text[i] == ' ' || text[i] == '\n' || text[i] == '\t' ||
			            text[i] == '\r');
	}
	for (size_t i = 0; i < n; i++) {
		assert_true(v[i].offset + v[i].length <= len);
		assert_true(i == 0 || v[i].offset >= v[i - 1].offset + v[i - 1].length);
		if (v[i].flags & DBW_STMT_EMPTY)
			continue;
		st->stmts++;
		if (v[i].flags & DBW_STMT_ENUM_ADD)
			st->enum_adds++;
		if (blank_or_comment_start(text, len, v[i].offset))
			fail_msg("%s: statement %zu starts at a blank or comment", path, i);
		if (kind == DBW_DB_POSTGRES && !perr.code && v[i].offset + v[i].length < len &&
		    text[v[i].offset + v[i].length] != ';')
			fail_msg("%s: statement %zu does not end at a semicolon", path, i);
	}
	if (kind == DBW_DB_POSTGRES && !perr.code) {
		/* the fallback splitter must agree with the parser on valid text */
		static const char bad[] = "FROBNICATE;\n";
		char *broken = dbw_sprintf("%s%s", bad, text);
		dbw_stmt *fv = NULL;
		size_t fn = 0, k = 1;
		dbw_error ferr = DBW_ERROR_INIT;
		assert_int_equal(dbw_sql_split(kind, broken, strlen(broken), &fv, &fn, &ferr), 0);
		assert_int_equal(ferr.code, DBW_ESQL);
		for (size_t i = 0; i < n; i++, k++) {
			while (k < fn && (fv[k].flags & DBW_STMT_EMPTY))
				k++;
			if (k >= fn || fv[k].offset != v[i].offset + strlen(bad) ||
			    fv[k].length != v[i].length)
				fail_msg("%s: fallback split differs at statement %zu", path, i);
		}
		free(fv);
		free(broken);
		dbw_error_clear(&ferr);
	}
	if (!perr.code) {
		commented = with_comments(text, v, n);
		lit1 = dbw_sprintf("%s\n;SELECT 'dbward-a';", text);
		lit2 = dbw_sprintf("%s\n;SELECT 'dbward-b';", text);
		assert_int_equal(dbw_sql_fingerprint(kind, text, len, f0, &err), 0);
		assert_int_equal(dbw_sql_fingerprint(kind, commented, strlen(commented), f1, &err),
		                 0);
		assert_int_equal(dbw_sql_fingerprint(kind, lit1, strlen(lit1), f2, &err), 0);
		assert_int_equal(dbw_sql_fingerprint(kind, lit2, strlen(lit2), f3, &err), 0);
		if (strcmp(f0, f1) != 0)
			fail_msg("%s: fingerprint changed by comments between statements", path);
		assert_string_not_equal(f0, f2);
		assert_string_not_equal(f2, f3);
	}
	free(commented);
	free(lit1);
	free(lit2);
	free(v);
	free(text);
	dbw_error_clear(&perr);
	dbw_error_clear(&err);
}

static void walk(dbw_db_kind kind, const char *dir, const char *must_contain, corpus_stats *st)
{
	dbw_strv names = DBW_STRV_INIT;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_dir_list(dir, &names, &err), 0);
	for (size_t i = 0; i < names.count; i++) {
		char *p = dbw_path_join(dir, names.items[i]);
		if (dbw_path_is_dir(p))
			walk(kind, p, must_contain, st);
		else if (dbw_str_endswith(p, ".sql") && (!must_contain || strstr(p, must_contain)))
			check_file(kind, p, st);
		free(p);
	}
	dbw_strv_free(&names);
}

static const char *corpus(void)
{
	const char *c = getenv("DBW_CORPUS");
	return c && *c ? c : "/work/shared/corpus";
}

static void run_corpus(dbw_db_kind kind, const char *folder, const char *must_contain,
                       size_t min_files, size_t allowed_failures)
{
	corpus_stats st = {0, 0, 0, 0, 0, DBW_STRV_INIT};
	char *dir = dbw_path_join(corpus(), folder);
	if (!dbw_path_is_dir(dir)) {
		free(dir);
		skip();
	}
	walk(kind, dir, must_contain, &st);
	for (size_t i = 0; i < st.failures.count; i++)
		print_message("parse failure: %s\n", st.failures.items[i]);
	print_message("%s: %zu files, %zu statements, %zu parse failures, %zu ADD VALUE\n", folder,
	              st.files, st.stmts, st.parse_failures, st.enum_adds);
	assert_true(st.files >= min_files);
	assert_true(st.stmts >= st.files);
	assert_int_equal(st.parse_failures, allowed_failures);
	/* every ALTER TYPE ... ADD VALUE of the corpus is flagged (none of them
	 * sits in a comment or a string) */
	assert_int_equal(st.enum_adds, st.add_value_mentions);
	dbw_strv_free(&st.failures);
	free(dir);
}

static void test_driver_split__corpus_documenso(void **state)
{
	run_corpus(DBW_DB_POSTGRES, "documenso__documenso", NULL, 163, 0);
}

static void test_driver_split__corpus_supabase(void **state)
{
	run_corpus(DBW_DB_POSTGRES, "supabase__postgres", NULL, 37, 0);
}

static void test_driver_split__corpus_harbor(void **state)
{
	run_corpus(DBW_DB_POSTGRES, "goharbor__harbor", NULL, 39, 0);
}

static void test_driver_split__corpus_kestra(void **state)
{
	run_corpus(DBW_DB_POSTGRES, "kestra-io__kestra", "jdbc-postgres", 26, 0);
}

static void test_driver_split__corpus_openstreetmap(void **state)
{
	run_corpus(DBW_DB_POSTGRES, "openstreetmap__openstreetmap-website", NULL, 1, 0);
}

static void test_driver_split__corpus_pingvin_sqlite(void **state)
{
	run_corpus(DBW_DB_SQLITE, "stonith404__pingvin-share", NULL, 24, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_driver_split__pg_offsets_skip_comments),
	    cmocka_unit_test(test_driver_split__pg_flags),
	    cmocka_unit_test(test_driver_split__pg_empty_and_comments_only),
	    cmocka_unit_test(test_driver_split__pg_parse_error_falls_back),
	    cmocka_unit_test(test_driver_split__pg_fallback_quoting),
	    cmocka_unit_test(test_driver_split__pg_fallback_flags_from_keywords),
	    cmocka_unit_test(test_driver_split__pg_dollar_quotes_and_do),
	    cmocka_unit_test(test_driver_split__not_nul_terminated),
	    cmocka_unit_test(test_driver_split__sqlite_trigger_and_flags),
	    cmocka_unit_test(test_driver_split__fingerprints),
	    cmocka_unit_test(test_driver_split__corpus_documenso),
	    cmocka_unit_test(test_driver_split__corpus_supabase),
	    cmocka_unit_test(test_driver_split__corpus_harbor),
	    cmocka_unit_test(test_driver_split__corpus_kestra),
	    cmocka_unit_test(test_driver_split__corpus_openstreetmap),
	    cmocka_unit_test(test_driver_split__corpus_pingvin_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
