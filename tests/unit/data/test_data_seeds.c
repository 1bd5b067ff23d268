/*
 * test_data_seeds.c - dbw_seeds_load: shared/ before <env>/, name order,
 * only .sql files, checksums of the bytes, a missing folder holds no seeds,
 * a binary or non-UTF-8 seed is refused with its name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward.h>
#include "util/util.h"

static char *scratch(void)
{
	char tmpl[] = "/tmp/dbw_seeds_XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *dir)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void put(const char *root, const char *rel, const char *text, size_t len)
{
	char *path = dbw_path_join(root, rel);
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(dbw_mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(dbw_file_write(path, text, len, 0644, NULL), 0);
	free(dir);
	free(path);
}

static void test_data_seeds__shared_first_then_env_in_name_order(void **state)
{
	char *root = scratch();
	char *seeds = dbw_path_join(root, "db/seeds");
	dbw_seed_set *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char sum[65];
	(void)state;
	put(seeds, "test/010_b.sql", "select 2;\n", 10);
	put(seeds, "test/002_a.sql", "select 1;\n", 10);
	put(seeds, "shared/100_z.sql", "select 3;\n", 10);
	put(seeds, "shared/README.md", "not a seed", 10);
	put(seeds, "development/001_dev.sql", "select 4;\n", 10);
	assert_int_equal(dbw_seeds_load(&s, seeds, root, "test", &err), 0);
	assert_int_equal(s->count, 3);
	assert_string_equal(s->items[0].name, "shared/100_z.sql");
	assert_string_equal(s->items[1].name, "test/002_a.sql");
	assert_string_equal(s->items[2].name, "test/010_b.sql");
	assert_string_equal(s->items[1].rel_path, "db/seeds/test/002_a.sql");
	assert_string_equal(s->items[1].content, "select 1;\n");
	dbw_sha256_hex("select 1;\n", 10, sum);
	assert_string_equal(s->items[1].checksum, sum);
	assert_string_equal(s->env_name, "test");
	dbw_seeds_free(s);
	free(seeds);
	rm_rf(root);
	free(root);
}

static void test_data_seeds__missing_folder_holds_no_seeds(void **state)
{
	char *root = scratch();
	char *seeds = dbw_path_join(root, "db/seeds");
	dbw_seed_set *s = NULL;
	(void)state;
	assert_int_equal(dbw_seeds_load(&s, seeds, root, "development", NULL), 0);
	assert_int_equal(s->count, 0);
	dbw_seeds_free(s);
	free(seeds);
	rm_rf(root);
	free(root);
}

static void test_data_seeds__binary_seed_is_refused_by_name(void **state)
{
	char *root = scratch();
	char *seeds = dbw_path_join(root, "db/seeds");
	dbw_seed_set *s = (dbw_seed_set *)1;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	put(seeds, "shared/001_ok.sql", "select 1;\n", 10);
	put(seeds, "shared/002_bin.sql", "sel\0ect", 7);
	assert_int_equal(dbw_seeds_load(&s, seeds, root, "development", &err), DBW_EINPUT);
	assert_null(s);
	assert_string_equal(err.message, "seed \"db/seeds/shared/002_bin.sql\" is not UTF-8 text");
	dbw_error_clear(&err);
	put(seeds, "shared/002_bin.sql", "select '\xff';", 11);
	assert_int_equal(dbw_seeds_load(&s, seeds, root, "development", &err), DBW_EINPUT);
	dbw_error_clear(&err);
	free(seeds);
	rm_rf(root);
	free(root);
}

static void test_data_seeds__shared_env_name_does_not_run_twice(void **state)
{
	char *root = scratch();
	char *seeds = dbw_path_join(root, "db/seeds");
	dbw_seed_set *s = NULL;
	(void)state;
	put(seeds, "shared/001.sql", "select 1;\n", 10);
	assert_int_equal(dbw_seeds_load(&s, seeds, root, "shared", NULL), 0);
	assert_int_equal(s->count, 1);
	dbw_seeds_free(s);
	free(seeds);
	rm_rf(root);
	free(root);
}

static void test_data_seeds__state_names(void **state)
{
	(void)state;
	assert_string_equal(dbw_seed_state_name(DBW_SEED_NEW), "new");
	assert_string_equal(dbw_seed_state_name(DBW_SEED_CHANGED), "changed");
	assert_string_equal(dbw_seed_state_name(DBW_SEED_UNCHANGED), "unchanged");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_seeds__shared_first_then_env_in_name_order),
	    cmocka_unit_test(test_data_seeds__missing_folder_holds_no_seeds),
	    cmocka_unit_test(test_data_seeds__binary_seed_is_refused_by_name),
	    cmocka_unit_test(test_data_seeds__shared_env_name_does_not_run_twice),
	    cmocka_unit_test(test_data_seeds__state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
