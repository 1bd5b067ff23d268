/*
 * test_lint_corpus.c - every migration of the real histories in
 * ../shared/corpus lints without a crash or a parse error (DW001): each
 * folder is read with dbw_migrations_load and linted in order in one
 * session, with its dialect (Prisma's migration_lock.toml says SQLite for
 * pingvin-share). Also checks a few findings a person confirmed by hand
 * (docs/lint/corpus-report.md), so that a rule that stops firing is noticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward.h>
#include "util/util.h"

typedef struct folder {
	const char *path;
	size_t min_migrations;
} folder;

static const folder folders[] = {
    {"documenso__documenso/packages/prisma/migrations", 160},
    {"stonith404__pingvin-share/backend/prisma/migrations", 24},
    {"supabase__postgres/migrations/db/init-scripts", 4},
    {"supabase__postgres/migrations/db/migrations", 30},
    {"goharbor__harbor/make/migrations/postgresql", 39},
    {"kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres", 26},
};

static const char *corpus(void)
{
	const char *c = getenv("DBW_CORPUS");
	if (!c || !dbw_path_is_dir(c))
		skip();
	return c;
}

/* Lint a folder; return the session (caller frees); assert no DW001. */
static dbw_lint *lint_folder(const char *rel, size_t min, size_t *count_out)
{
	char *dir = dbw_path_join(corpus(), rel);
	dbw_migration_set *set = NULL;
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	if (dbw_migrations_load(&set, dir, corpus(), DBW_FORMAT_AUTO, &err) != 0)
		fail_msg("%s: %s", rel, err.message);
	assert_true(set->count >= min);
	o.dialect = dbw_lint_folder_dialect(dir) == DBW_DB_SQLITE ? DBW_DB_SQLITE : DBW_DB_POSTGRES;
	assert_int_equal(dbw_lint_new(&l, &o, &err), 0);
	for (size_t i = 0; i < set->count; i++)
		if (dbw_lint_migration(l, &set->items[i], 0, &err) != 0)
			fail_msg("%s: %s", set->items[i].rel_path, err.message);
	for (size_t i = 0; i < dbw_lint_count(l); i++) {
		const dbw_finding *f = dbw_lint_finding(l, i);
		if (strcmp(f->rule->id, "DW001") == 0)
			fail_msg("%s:%d:%d: spurious parse error: %s", f->file, f->line, f->col,
			         f->message);
	}
	if (count_out)
		*count_out = set->count;
	dbw_migrations_free(set);
	free(dir);
	return l;
}

static int has(const dbw_lint *l, const char *rule, const char *file_part, int line)
{
	for (size_t i = 0; i < dbw_lint_count(l); i++) {
		const dbw_finding *f = dbw_lint_finding(l, i);
		if (strcmp(f->rule->id, rule) == 0 && strstr(f->file, file_part) &&
		    (!line || f->line == line))
			return 1;
	}
	return 0;
}

static void test_lint_corpus__every_folder_parses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		size_t n = 0;
		dbw_lint *l = lint_folder(folders[i].path, folders[i].min_migrations, &n);
		print_message("%-70s %4zu migrations %5zu findings\n", folders[i].path, n,
		              dbw_lint_count(l));
		dbw_lint_free(l);
	}
}

/* supabase's schema dumps (pg_dump of PostgreSQL 15 and 16) parse. */
static void test_lint_corpus__schema_dumps_parse(void **state)
{
	static const char *const dumps[] = {"supabase__postgres/migrations/schema.sql",
	                                    "supabase__postgres/migrations/schema-15.sql",
	                                    "supabase__postgres/migrations/schema-16.sql"};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *path = dbw_path_join(corpus(), dumps[i]), *data = NULL;
		size_t len;
		dbw_lint *l = NULL;
		assert_int_equal(dbw_file_read(path, &data, &len, NULL), 0);
		assert_int_equal(dbw_lint_new(&l, NULL, NULL), 0);
		assert_int_equal(dbw_lint_text(l, dumps[i], data, len, 0, len, 0, NULL), 0);
		for (size_t k = 0; k < dbw_lint_count(l); k++)
			if (strcmp(dbw_lint_finding(l, k)->rule->id, "DW001") == 0)
				fail_msg("%s:%d: %s", dumps[i], dbw_lint_finding(l, k)->line,
				         dbw_lint_finding(l, k)->message);
		dbw_lint_free(l);
		free(data);
		free(path);
	}
}

static void test_lint_corpus__pg_dump_structure(void **state)
{
	char *path =
	    dbw_path_join(corpus(), "openstreetmap__openstreetmap-website/db/structure.sql");
	char *data = NULL;
	size_t len;
	dbw_lint *l = NULL;
	(void)state;
	assert_int_equal(dbw_file_read(path, &data, &len, NULL), 0);
	assert_int_equal(dbw_lint_new(&l, NULL, NULL), 0);
	assert_int_equal(dbw_lint_text(l, "structure.sql", data, len, 0, len, 0, NULL), 0);
	/* a schema dump creates every table it touches: nothing to report */
	for (size_t i = 0; i < dbw_lint_count(l); i++)
		fail_msg("%s", dbw_lint_finding(l, i)->message);
	dbw_lint_free(l);
	free(data);
	free(path);
}

/* Findings reviewed by hand in docs/lint/corpus-report.md. */
static void test_lint_corpus__reviewed_findings(void **state)
{
	dbw_lint *doc, *ping;
	(void)state;
	doc = lint_folder(folders[0].path, 0, NULL);
	/* Prisma's enum redefinition is recognised: no DW108 on the *_old types */
	for (size_t i = 0; i < dbw_lint_count(doc); i++) {
		const dbw_finding *f = dbw_lint_finding(doc, i);
		if (strcmp(f->rule->id, "DW108") == 0 && strstr(f->message, "_old\""))
			fail_msg("%s:%d: enum redefinition flagged", f->file, f->line);
	}
	assert_true(has(doc, "DW201", "", 0));
	assert_true(has(doc, "DW203", "", 0));
	dbw_lint_free(doc);
	ping = lint_folder(folders[1].path, 0, NULL);
	/* 16 copy-rename-drop redefinitions pass; the one real drop (data not copied) fires */
	assert_true(has(ping, "DW101", "20230104145733_v0_5_1", 10));
	for (size_t i = 0; i < dbw_lint_count(ping); i++) {
		const dbw_finding *f = dbw_lint_finding(ping, i);
		if (strcmp(f->rule->id, "DW101") == 0 && !strstr(f->file, "20230104145733_v0_5_1"))
			fail_msg("%s:%d: %s", f->file, f->line, f->message);
	}
	dbw_lint_free(ping);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lint_corpus__every_folder_parses),
	    cmocka_unit_test(test_lint_corpus__pg_dump_structure),
	    cmocka_unit_test(test_lint_corpus__schema_dumps_parse),
	    cmocka_unit_test(test_lint_corpus__reviewed_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
