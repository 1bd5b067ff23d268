/*
 * test_driver_url.c - URL kinds, password redaction and SQL quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dbward/db.h>

static void test_driver_url__kind_postgres(void **state)
{
	assert_int_equal(dbw_url_kind("postgres://u@h/db"), DBW_DB_POSTGRES);
	assert_int_equal(dbw_url_kind("postgresql://h:5432/db?sslmode=require"), DBW_DB_POSTGRES);
	assert_int_equal(dbw_url_kind("POSTGRES://h/db"), DBW_DB_POSTGRES);
	assert_int_equal(dbw_url_kind("host=x dbname=y"), DBW_DB_POSTGRES);
	assert_int_equal(dbw_url_kind("service=foo"), DBW_DB_POSTGRES);
	assert_int_equal(dbw_url_kind("  dbname = app.db"), DBW_DB_POSTGRES);
}

static void test_driver_url__kind_sqlite(void **state)
{
	assert_int_equal(dbw_url_kind("sqlite:dev.sqlite3"), DBW_DB_SQLITE);
	assert_int_equal(dbw_url_kind("sqlite:///var/lib/app.db"), DBW_DB_SQLITE);
	assert_int_equal(dbw_url_kind("sqlite::memory:"), DBW_DB_SQLITE);
	assert_int_equal(dbw_url_kind("data/app.db"), DBW_DB_SQLITE);
	assert_int_equal(dbw_url_kind("app.sqlite"), DBW_DB_SQLITE);
	assert_int_equal(dbw_url_kind("/tmp/x.sqlite3"), DBW_DB_SQLITE);
}

static void test_driver_url__kind_none(void **state)
{
	assert_int_equal(dbw_url_kind(NULL), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind(""), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind("mysql://u@h/db"), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind("sqlite:"), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind("app.txt"), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind("=x"), DBW_DB_NONE);
	assert_int_equal(dbw_url_kind("http://x.db"), DBW_DB_NONE);
}

static void check_redact(const char *in, const char *want)
{
	char *got = dbw_url_redact(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_driver_url__redact_uri(void **state)
{
	check_redact("postgres://bob:s3cret@db.example:5432/app",
	             "postgres://bob:****@db.example:5432/app");
	check_redact("postgresql://bob:p%40ss%2Fw@h/app", "postgresql://bob:****@h/app");
	check_redact("postgres://bob:a@b@h/app", "postgres://bob:****@h/app");
	check_redact("postgres://bob@h/app", "postgres://bob@h/app");
	check_redact("postgres://h/app", "postgres://h/app");
	check_redact("postgres://bob:x@h1:5432,h2:5433/app",
	             "postgres://bob:****@h1:5432,h2:5433/app");
	check_redact("postgres://bob:@h/app", "postgres://bob:****@h/app");
}

static void test_driver_url__redact_query(void **state)
{
	check_redact("postgres://h/app?password=x&sslmode=require",
	             "postgres://h/app?password=****&sslmode=require");
	check_redact("postgres://h/app?sslmode=require&password=x%20y",
	             "postgres://h/app?sslmode=require&password=****");
	check_redact("postgres://u:p@h/app?password=q", "postgres://u:****@h/app?password=****");
	check_redact("postgres://h/app?passwordx=1", "postgres://h/app?passwordx=1");
	check_redact("postgres://h/app?password=x#frag", "postgres://h/app?password=****#frag");
}

static void test_driver_url__redact_conninfo(void **state)
{
	check_redact("host=h password=secret dbname=app", "host=h password=**** dbname=app");
	check_redact("host=h password='a b' dbname=app", "host=h password=**** dbname=app");
	check_redact("password='it\\'s' user=u", "password=**** user=u");
	check_redact("host=h password = x", "host=h password = ****");
	check_redact("host=h dbname=app", "host=h dbname=app");
	check_redact("service=foo", "service=foo");
	check_redact("host=h password='unterminated", "host=h password=****");
	check_redact("host=h garbage", "host=h garbage");
}

static void test_driver_url__redact_garbage(void **state)
{
	char *s;
	check_redact("sqlite:dev.db", "sqlite:dev.db");
	check_redact("", "");
	check_redact("://", "://");
	check_redact("postgres://", "postgres://");
	check_redact("postgres://@", "postgres://@");
	check_redact("postgres://:@/?&=#", "postgres://:****@/?&=#");
	check_redact("a=", "a=");
	check_redact("password=", "password=****");
	s = dbw_url_redact(NULL);
	assert_non_null(s);
	free(s);
}

static void test_driver_url__quote(void **state)
{
	char *s;
	s = dbw_sql_quote_ident(DBW_DB_POSTGRES, "a\"b");
	assert_string_equal(s, "\"a\"\"b\"");
	free(s);
	s = dbw_sql_quote_ident(DBW_DB_SQLITE, "Users");
	assert_string_equal(s, "\"Users\"");
	free(s);
	s = dbw_sql_quote_literal(DBW_DB_POSTGRES, "it's");
	assert_string_equal(s, "'it''s'");
	free(s);
	s = dbw_sql_quote_literal(DBW_DB_POSTGRES, "a\\b'c");
	assert_string_equal(s, "E'a\\\\b''c'");
	free(s);
	s = dbw_sql_quote_literal(DBW_DB_SQLITE, "a\\b'c");
	assert_string_equal(s, "'a\\b''c'");
	free(s);
	s = dbw_sql_quote_literal(DBW_DB_SQLITE, "");
	assert_string_equal(s, "''");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_driver_url__kind_postgres),
	    cmocka_unit_test(test_driver_url__kind_sqlite),
	    cmocka_unit_test(test_driver_url__kind_none),
	    cmocka_unit_test(test_driver_url__redact_uri),
	    cmocka_unit_test(test_driver_url__redact_query),
	    cmocka_unit_test(test_driver_url__redact_conninfo),
	    cmocka_unit_test(test_driver_url__redact_garbage),
	    cmocka_unit_test(test_driver_url__quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
