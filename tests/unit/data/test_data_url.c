/*
 * test_data_url.c - setup's reading of PostgreSQL URLs: which database a URL
 * names (URIs with user info, sockets in the query, percent-encoding;
 * key=value strings with quoting; libpq's defaults), and the same URL
 * pointed at the maintenance database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"

static void expect_target(const char *url, const char *want)
{
	char *got = dbw_data__pg_target_name(url);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void expect_maint(const char *url, const char *want)
{
	char *got = dbw_data__pg_with_database(url, "postgres");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_data_url__target_from_uri(void **state)
{
	(void)state;
	expect_target("postgres://u:p@db.example.com:5432/app_dev", "app_dev");
	expect_target("postgresql://u:p@/app_test?host=/var/run/postgresql&port=5433", "app_test");
	expect_target("postgresql://u@localhost/my%20db?sslmode=require", "my db");
	expect_target("postgresql://[::1]:5432/v6db", "v6db");
}

static void test_data_url__target_from_conninfo(void **state)
{
	(void)state;
	expect_target("host=localhost dbname=app user=me", "app");
	expect_target("host=localhost dbname = 'it\\'s' user=me", "it's");
	expect_target("dbname='with space' host=x", "with space");
	expect_target("dbname=a dbname=b", "b"); /* libpq: the last one wins */
}

static void test_data_url__target_defaults_like_libpq(void **state)
{
	(void)state;
	unsetenv("PGDATABASE");
	setenv("PGUSER", "envuser", 1);
	expect_target("postgresql://urluser@localhost", "urluser");
	expect_target("postgresql://localhost/", "envuser");
	expect_target("host=localhost", "envuser");
	setenv("PGDATABASE", "envdb", 1);
	expect_target("postgresql://urluser@localhost", "envdb");
	unsetenv("PGDATABASE");
	unsetenv("PGUSER");
}

static void test_data_url__maintenance_url(void **state)
{
	(void)state;
	expect_maint("postgres://u:p@h:5432/app_dev", "postgres://u:p@h:5432/postgres");
	expect_maint("postgresql://u:p@/app?host=/tmp&port=5433",
	             "postgresql://u:p@/postgres?host=/tmp&port=5433");
	expect_maint("postgresql://u@h", "postgresql://u@h/postgres");
	expect_maint("postgresql://u@h?sslmode=require",
	             "postgresql://u@h/postgres?sslmode=require");
	expect_maint("host=h dbname=app", "host=h dbname=app dbname=postgres");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_url__target_from_uri),
	    cmocka_unit_test(test_data_url__target_from_conninfo),
	    cmocka_unit_test(test_data_url__target_defaults_like_libpq),
	    cmocka_unit_test(test_data_url__maintenance_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
