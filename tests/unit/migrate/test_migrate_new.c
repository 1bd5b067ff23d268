/*
 * test_migrate_new.c - dbw_migration_new in each format: the layout, a
 * version that sorts after the newest, no overwrite, name sanitising, and
 * that the written migration loads back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dbward.h>
#include "util/util.h"

static char *scratch(void)
{
	char tmpl[] = "/tmp/dbw_new_XXXXXX";
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

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len;
	assert_int_equal(dbw_file_read(path, &data, &len, NULL), 0);
	return data;
}

/* The 14-digit UTC timestamp now, for a bound on the version written. */
static long long now_version(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", &tm);
	return atoll(buf);
}

static dbw_migration_set *load(const char *dir, dbw_format f)
{
	dbw_migration_set *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	int rc = dbw_migrations_load(&s, dir, NULL, f, &err);
	if (rc)
		fail_msg("load: %s", err.message);
	dbw_error_clear(&err);
	return s;
}

static void test_migrate_new__dbward(void **st)
{
	char *root = scratch(), *dir = dbw_path_join(root, "db/migrations"), *p1 = NULL, *p2 = NULL;
	char *text;
	long long before = now_version(), v1, v2;
	dbw_migration_set *s;
	dbw_error err = DBW_ERROR_INIT;

	/* the folder is created */
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_AUTO, "Add users table!", &p1, &err), 0);
	assert_true(dbw_str_startswith(p1, dir));
	assert_true(dbw_str_endswith(p1, "_add_users_table.sql"));
	v1 = atoll(dbw_path_basename(p1));
	assert_int_equal(strlen(dbw_path_basename(p1)), 14 + strlen("_add_users_table.sql"));
	assert_true(v1 >= before && v1 <= now_version() + 1);
	text = slurp(p1);
	assert_string_equal(text, "-- migrate:up\n\n\n-- migrate:down\n\n");
	free(text);
	/* a second one in the same second still gets a later version */
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_DBWARD, "second", &p2, &err), 0);
	v2 = atoll(dbw_path_basename(p2));
	assert_true(v2 > v1);
	s = load(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_DBWARD);
	assert_int_equal(s->count, 2);
	assert_string_equal(s->items[0].name, "add_users_table");
	assert_null(s->items[0].down_sql);
	dbw_migrations_free(s);
	free(p1);
	free(p2);
	free(dir);
	rm_rf(root);
	free(root);
}

static void test_migrate_new__other_formats(void **st)
{
	char *dir = scratch(), *p = NULL, *down;
	dbw_migration_set *s;
	dbw_error err = DBW_ERROR_INIT;

	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_GOLANG_MIGRATE, "init", &p, &err), 0);
	assert_true(dbw_str_endswith(p, "_init.up.sql"));
	down = dbw_sprintf("%.*sdown.sql", (int)(strlen(p) - strlen("up.sql")), p);
	assert_true(dbw_path_exists(down));
	s = load(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_GOLANG_MIGRATE);
	assert_int_equal(s->count, 1);
	assert_string_equal(s->items[0].down_path, down);
	dbw_migrations_free(s);
	free(down);
	free(p);
	rm_rf(dir);
	free(dir);

	dir = scratch();
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_FLYWAY, "init", &p, &err), 0);
	assert_int_equal(dbw_path_basename(p)[0], 'V');
	assert_true(dbw_str_endswith(p, "__init.sql"));
	free(p);
	s = load(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_FLYWAY);
	assert_int_equal(s->count, 1);
	assert_int_equal(strlen(s->items[0].version), 14);
	dbw_migrations_free(s);
	/* AUTO follows the folder's format */
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_AUTO, "next", &p, &err), 0);
	assert_int_equal(dbw_path_basename(p)[0], 'V');
	free(p);
	rm_rf(dir);
	free(dir);

	dir = scratch();
	{ /* a fresh Prisma folder holds only migration_lock.toml: AUTO sees Prisma's */
		char *lock = dbw_path_join(dir, "migration_lock.toml");
		assert_int_equal(
		    dbw_file_write(lock, "provider = \"postgresql\"\n", 24, 0644, NULL), 0);
		free(lock);
	}
	s = load(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_PRISMA);
	assert_int_equal(s->count, 0);
	dbw_migrations_free(s);
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_AUTO, "init", &p, &err), 0);
	assert_true(dbw_str_endswith(p, "_init/migration.sql"));
	free(p);
	s = load(dir, DBW_FORMAT_AUTO);
	assert_int_equal(s->format, DBW_FORMAT_PRISMA);
	assert_int_equal(s->count, 1);
	assert_int_equal(strlen(s->items[0].id), 14 + strlen("_init"));
	dbw_migrations_free(s);
	rm_rf(dir);
	free(dir);
}

static void test_migrate_new__bad_names(void **st)
{
	char *dir = scratch(), *p = (char *)1;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_DBWARD, "", &p, &err), DBW_EUSAGE);
	assert_null(p);
	assert_string_equal(err.message, "invalid migration name \"\"");
	assert_string_equal(err.hint, "Name the change in words, e.g. dbward new add_users_table.");
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_DBWARD, "../../--", &p, &err),
	                 DBW_EUSAGE);
	assert_string_equal(err.message, "invalid migration name \"../../--\"");
	dbw_error_clear(&err);
	/* unsafe characters become '_': nothing escapes the folder */
	assert_int_equal(dbw_migration_new(dir, DBW_FORMAT_DBWARD, "../Etc/Passwd", &p, &err), 0);
	assert_true(dbw_str_endswith(p, "_etc_passwd.sql"));
	assert_true(dbw_str_startswith(p, dir));
	free(p);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_new__dbward),
	    cmocka_unit_test(test_migrate_new__other_formats),
	    cmocka_unit_test(test_migrate_new__bad_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
