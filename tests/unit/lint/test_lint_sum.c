/*
 * test_lint_sum.c - dbward.sum: written, verified, and every kind of change
 * named (edited, cosmetic, deleted, added, out of order, merge conflict,
 * hand-edited total).
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
#include <dbward/sum.h>
#include "util/util.h"

typedef struct fixture {
	char dir[64];
	dbw_migration_set set;
	dbw_migration items[4];
} fixture;

static void set_migration(dbw_migration *m, const char *dir, const char *version, const char *sql)
{
	free(m->version);
	free(m->id);
	free(m->path);
	free(m->rel_path);
	free(m->content);
	m->version = strdup(version);
	m->id = strdup(version);
	m->name = m->version;
	m->path = dbw_sprintf("%s/%s_x.sql", dir, version);
	m->rel_path = dbw_sprintf("db/migrations/%s_x.sql", version);
	m->content = strdup(sql);
	m->content_len = strlen(sql);
	m->up_offset = 0;
	m->up_len = m->content_len;
	dbw_sha256_hex(sql, strlen(sql), m->checksum);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/dbw-sum-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->set.dir = f->dir;
	f->set.items = f->items;
	f->set.count = 3;
	set_migration(&f->items[0], f->dir, "20240101000000", "CREATE TABLE a (id int);\n");
	set_migration(&f->items[1], f->dir, "20240201000000", "ALTER TABLE a ADD COLUMN b text;\n");
	set_migration(&f->items[2], f->dir, "20240301000000", "CREATE INDEX a_b ON a (b);\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char *p = dbw_path_join(f->dir, DBW_SUM_FILE);
	unlink(p);
	free(p);
	rmdir(f->dir);
	for (size_t i = 0; i < 4; i++) {
		free(f->items[i].version);
		free(f->items[i].id);
		free(f->items[i].path);
		free(f->items[i].rel_path);
		free(f->items[i].content);
	}
	free(f);
	return 0;
}

/* Write the sum, apply a change, verify; return the report (kinds checked by the caller). */
static int verify(fixture *f, dbw_sum_report **r, dbw_error *err)
{
	return dbw_sum_verify(&f->set, DBW_DB_POSTGRES, r, err);
}

static void test_lint_sum__roundtrip_matches(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *path = NULL, *text = NULL;
	size_t len;
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, &path, &err), 0);
	assert_int_equal(dbw_file_read(path, &text, &len, &err), 0);
	assert_non_null(strstr(text, "20240201000000 "));
	assert_non_null(strstr(text, "\ntotal "));
	assert_int_equal(verify(f, &r, &err), 0);
	assert_int_equal(r->count, 0);
	dbw_sum_report_free(r);
	free(path);
	free(text);
}

static void test_lint_sum__missing_file(void **state)
{
	fixture *f = *state;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(verify(f, NULL, &err), DBW_ENOTFOUND);
	assert_string_equal(err.hint,
	                    "Run \"dbward sum\" to record the migrations, and commit the file.");
	dbw_error_clear(&err);
}

static void test_lint_sum__edit_named(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	set_migration(&f->items[1], f->dir, "20240201000000", "ALTER TABLE a ADD COLUMN c text;\n");
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_string_equal(err.message, "migration \"20240201000000\" was edited");
	assert_string_equal(err.where, "db/migrations/20240201000000_x.sql");
	assert_int_equal(r->count, 1);
	assert_int_equal(r->items[0].kind, DBW_SUM_EDITED);
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
}

static void test_lint_sum__cosmetic_edit(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	set_migration(&f->items[1], f->dir, "20240201000000",
	              "-- add b\nALTER TABLE a\n    ADD COLUMN b text;\n");
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_int_equal(r->items[0].kind, DBW_SUM_COSMETIC);
	assert_string_equal(err.detail,
	                    "Only whitespace or comments changed: the parse tree is the same.");
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
}

static void test_lint_sum__deleted_and_added(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	/* the last one deleted, a new one added after the others */
	set_migration(&f->items[2], f->dir, "20240401000000", "DROP INDEX a_b;\n");
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->items[0].kind, DBW_SUM_DELETED);
	assert_string_equal(r->items[0].id, "20240301000000");
	assert_int_equal(r->items[1].kind, DBW_SUM_ADDED);
	assert_string_equal(r->items[1].id, "20240401000000");
	assert_string_equal(err.message, "migration \"20240301000000\" was deleted");
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
}

static void test_lint_sum__out_of_order(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	f->set.count = 2;
	set_migration(&f->items[1], f->dir, "20240301000000", "CREATE INDEX a_b ON a (b);\n");
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	/* another branch's migration, older than one already recorded */
	set_migration(&f->items[1], f->dir, "20240201000000", "ALTER TABLE a ADD COLUMN b text;\n");
	set_migration(&f->items[2], f->dir, "20240301000000", "CREATE INDEX a_b ON a (b);\n");
	f->set.count = 3;
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->items[0].kind, DBW_SUM_OUT_OF_ORDER);
	assert_string_equal(
	    err.message,
	    "migration \"20240201000000\" was added before migrations already recorded");
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
}

static void write_sum(fixture *f, const char *text)
{
	char *p = dbw_path_join(f->dir, DBW_SUM_FILE);
	assert_int_equal(dbw_file_write(p, text, strlen(text), 0644, NULL), 0);
	free(p);
}

static void test_lint_sum__merge_conflict(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *text = NULL, *conflicted;
	assert_int_equal(dbw_sum_render(&f->set, DBW_DB_POSTGRES, &text, &err), 0);
	conflicted = dbw_sprintf("<<<<<<< HEAD\n%s=======\n%s>>>>>>> feature\n", text, text);
	write_sum(f, conflicted);
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_int_equal(r->items[0].kind, DBW_SUM_DAMAGED);
	assert_string_equal(
	    err.message,
	    "dbward.sum has merge conflict markers: two branches changed the migrations");
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
	free(text);
	free(conflicted);
}

static void test_lint_sum__hand_edited_total(void **state)
{
	fixture *f = *state;
	dbw_sum_report *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *text = NULL;
	assert_int_equal(dbw_sum_render(&f->set, DBW_DB_POSTGRES, &text, &err), 0);
	/* drop the middle line by hand: every remaining line still matches its file */
	char *a = strstr(text, "20240201000000"), *b = strchr(a, '\n') + 1;
	memmove(a, b, strlen(b) + 1);
	write_sum(f, text);
	assert_int_equal(verify(f, &r, &err), DBW_EHISTORY);
	assert_int_equal(r->items[0].kind, DBW_SUM_DAMAGED);
	assert_string_equal(
	    err.message,
	    "the total of dbward.sum does not match its lines: it was edited by hand or merged");
	dbw_sum_report_free(r);
	dbw_error_clear(&err);
	free(text);
}

/* dbw_lint_sum: each change is a DW003 finding naming the file; a matching sum gives none. */
static void test_lint_sum__lint_findings(void **state)
{
	fixture *f = *state;
	dbw_error err = DBW_ERROR_INIT;
	dbw_lint *l = NULL;
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	assert_int_equal(dbw_lint_sum(l, &f->set, &err), DBW_ENOTFOUND); /* no file: no finding */
	dbw_error_clear(&err);
	assert_int_equal(dbw_lint_count(l), 0);
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	assert_int_equal(dbw_lint_sum(l, &f->set, &err), 0); /* matches: no finding */
	assert_int_equal(dbw_lint_count(l), 0);
	/* edited, deleted (the last), added (a new last) */
	set_migration(&f->items[0], f->dir, "20240101000000", "CREATE TABLE a (id bigint);\n");
	set_migration(&f->items[2], f->dir, "20240401000000", "DROP INDEX a_b;\n");
	assert_int_equal(dbw_lint_sum(l, &f->set, &err), 0);
	assert_int_equal(dbw_lint_count(l), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(dbw_lint_finding(l, i)->rule->id, "DW003");
	assert_string_equal(dbw_lint_finding(l, 0)->file, "db/migrations/20240101000000_x.sql");
	assert_string_equal(dbw_lint_finding(l, 0)->message,
	                    "migration \"20240101000000\" was edited");
	assert_non_null(strstr(dbw_lint_finding(l, 1)->file, "dbward.sum"));
	assert_int_equal(dbw_lint_finding(l, 1)->line, 4);
	assert_string_equal(dbw_lint_finding(l, 2)->hint,
	                    "Run \"dbward sum\" and commit dbward.sum with the migration.");
	assert_int_equal(dbw_lint_code(l), DBW_EHISTORY);
	/* after dbward sum, the same folder is clean again */
	dbw_lint_free(l);
	assert_int_equal(dbw_lint_new(&l, NULL, &err), 0);
	assert_int_equal(dbw_sum_write(&f->set, DBW_DB_POSTGRES, NULL, &err), 0);
	assert_int_equal(dbw_lint_sum(l, &f->set, &err), 0);
	assert_int_equal(dbw_lint_count(l), 0);
	dbw_lint_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lint_sum__roundtrip_matches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__edit_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__cosmetic_edit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__deleted_and_added, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__merge_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__hand_edited_total, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lint_sum__lint_findings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
