/*
 * test_migrate_version.c - dbw_version_cmp: numeric digit runs of any
 * length, leading zeros, Flyway's separators, byte order otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dbward.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_migrate_version__table(void **st)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
	    {"1", "2", -1},
	    {"2", "10", -1},
	    {"0003", "3", 0},
	    {"0003", "12", -1},
	    {"1_1", "1_2", -1},
	    {"1_2", "1_10", -1},
	    {"1_10", "2", -1},
	    {"1.1", "1_1", 0},
	    {"1.9", "1.10", -1},
	    {"1", "1.1", -1},
	    {"10000000000000", "20211115181400", -1},
	    {"20230404095503", "20230404095503", 0},
	    /* longer than any integer type: compared by length, then digits */
	    {"123456789012345678901234567890", "123456789012345678901234567891", -1},
	    {"999999999999999999999999999999", "1000000000000000000000000000000", -1},
	    {"00000000000000000000000000000001", "1", 0},
	    {"", "", 0},
	    {"", "1", -1},
	    {"1a", "1b", -1},
	    {"a", "1", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = sign(dbw_version_cmp(cases[i].a, cases[i].b));
		int back = sign(dbw_version_cmp(cases[i].b, cases[i].a));
		if (got != cases[i].want || back != -cases[i].want)
			fail_msg("cmp(\"%s\", \"%s\") = %d, reverse %d; want %d", cases[i].a,
			         cases[i].b, got, back, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_version__table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
