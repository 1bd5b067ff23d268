/*
 * test_config_duration.c - dbw_duration_parse: units, bare seconds, refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dbward/config.h>

static long ms(const char *text)
{
	long v = -1;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_duration_parse(text, &v, &err), 0);
	return v;
}

static void test_config_duration__units(void **state)
{
	assert_int_equal(ms("250ms"), 250);
	assert_int_equal(ms("5s"), 5000);
	assert_int_equal(ms("2m"), 120000);
	assert_int_equal(ms("1h"), 3600000);
	assert_int_equal(ms("7"), 7000);
	assert_int_equal(ms(" 3 s"), 3000);
	assert_int_equal(ms("0"), 0);
}

static void test_config_duration__refused(void **state)
{
	const char *bad[] = {"",  "s", "-5s", "5 seconds", "1.5s", "5d", "99999999999999999999h",
	                     NULL};
	for (int i = 0; bad[i]; i++) {
		long v = 42;
		dbw_error err = DBW_ERROR_INIT;
		assert_int_equal(dbw_duration_parse(bad[i], &v, &err), DBW_ECONFIG);
		assert_int_equal(v, 0);
		assert_non_null(err.hint);
		dbw_error_clear(&err);
	}
	{
		long v;
		dbw_error err = DBW_ERROR_INIT;
		dbw_duration_parse("5d", &v, &err);
		assert_string_equal(err.message, "invalid duration \"5d\"");
		dbw_error_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_duration__units),
	    cmocka_unit_test(test_config_duration__refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
