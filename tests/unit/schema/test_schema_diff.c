/*
 * test_schema_diff.c - differences between hand-built models: matching by
 * key, the attributes named, folding of added / removed tables, the words,
 * and the DDL (order, destructive markers, enum values).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schema/internal.h"

static dbw_schema *model(void)
{
	dbw_schema *s = calloc(1, sizeof(*s));
	s->engine = DBW_DB_POSTGRES;
	return s;
}

static dbw_schema_obj *add(dbw_schema *s, dbw_obj_kind k, const char *table, const char *name,
                           const char *sql)
{
	dbw_schema_obj *o = dbw_schema__add(s, k, "public", table, name, sql);
	assert_non_null(o);
	return o;
}

static void column(dbw_schema *s, const char *table, const char *name, const char *type,
                   const char *def)
{
	char *sql = dbw_sprintf("%s %s%s%s", name, type, def ? " DEFAULT " : "", def ? def : "");
	dbw_schema_obj *o = add(s, DBW_OBJ_COLUMN, table, name, sql);
	free(sql);
	dbw_schema__attr(o, "type", type);
	dbw_schema__attr(o, "not_null", "no");
	dbw_schema__attr(o, "default", def);
}

static void table(dbw_schema *s, const char *name)
{
	char *sql = dbw_sprintf("CREATE TABLE public.%s (id bigint);", name);
	dbw_schema_obj *o = add(s, DBW_OBJ_TABLE, NULL, name, sql);
	free(sql);
	dbw_schema__attr(o, "row_security", "disabled");
	dbw_schema__attr(o, "force_row_security", "no");
}

static dbw_schema_diff *diff(dbw_schema *a, dbw_schema *b)
{
	dbw_schema_diff *d = NULL;
	dbw_schema__sort(a);
	dbw_schema__sort(b);
	assert_int_equal(dbw_schema_diff_build(&d, a, b, NULL), 0);
	return d;
}

static void test_schema_diff__identical_models_have_no_items(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *text = NULL;
	table(a, "users");
	column(a, "users", "email", "text", NULL);
	table(b, "users");
	column(b, "users", "email", "text", NULL);
	d = diff(a, b);
	assert_int_equal(d->count, 0);
	assert_int_equal(dbw_schema_diff_text(d, "a", "b", &text, NULL), 0);
	assert_string_equal(text, "");
	free(text);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void test_schema_diff__names_the_changed_default(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *text = NULL, *sql = NULL;
	table(a, "users");
	column(a, "users", "n", "integer", "3");
	table(b, "users");
	column(b, "users", "n", "integer", "5");
	d = diff(a, b);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->items[0].change, DBW_CHANGE_CHANGED);
	assert_int_equal(d->items[0].n_attrs, 1);
	assert_string_equal(d->items[0].attrs[0].key, "default");
	assert_int_equal(dbw_schema_diff_text(d, "staging", "production", &text, NULL), 0);
	assert_string_equal(text, "column public.users.n: differs\n"
	                          "    default: 3 in staging, 5 in production\n");
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_non_null(
	    strstr(sql, "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"n\" SET DEFAULT 5;"));
	assert_null(strstr(sql, "destructive"));
	free(text);
	free(sql);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void test_schema_diff__folds_the_columns_of_an_added_table(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *sql = NULL;
	table(b, "posts");
	column(b, "posts", "body", "text", NULL);
	add(b, DBW_OBJ_INDEX, "posts", "posts_body",
	    "CREATE INDEX posts_body ON public.posts (body);");
	d = diff(a, b);
	/* the table and its index; the column is inside CREATE TABLE */
	assert_int_equal(d->count, 2);
	assert_int_equal(d->items[0].b->kind, DBW_OBJ_TABLE);
	assert_int_equal(d->items[1].b->kind, DBW_OBJ_INDEX);
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_true(strstr(sql, "CREATE TABLE public.posts") <
	            strstr(sql, "CREATE INDEX posts_body"));
	free(sql);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void test_schema_diff__drops_come_first_and_are_marked(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *sql = NULL;
	table(a, "old");
	column(a, "old", "x", "text", NULL);
	add(a, DBW_OBJ_VIEW, NULL, "v", "CREATE VIEW public.v AS\n SELECT 1;");
	table(b, "new");
	d = diff(a, b);
	/* old and the view go, new comes; old's column is folded into it */
	assert_int_equal(d->count, 3);
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_non_null(strstr(sql, "-- destructive: drops the table and its rows\n"
	                            "DROP TABLE \"public\".\"old\";"));
	assert_true(strstr(sql, "DROP VIEW") < strstr(sql, "DROP TABLE"));
	assert_true(strstr(sql, "DROP TABLE") < strstr(sql, "CREATE TABLE public.new"));
	free(sql);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void enum_type(dbw_schema *s, const char *values)
{
	char *sql = dbw_sprintf("CREATE TYPE public.\"Role\" AS ENUM (%s);", values);
	dbw_schema_obj *o = add(s, DBW_OBJ_ENUM, NULL, "Role", sql);
	free(sql);
	dbw_schema__attr(o, "values", values);
}

static void test_schema_diff__enum_values_are_added_in_place(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *sql = NULL;
	enum_type(a, "'ADMIN', 'USER'");
	enum_type(b, "'ADMIN', 'GUEST', 'USER', 'OWNER'");
	d = diff(a, b);
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_string_equal(sql,
	                    "-- dbward diff: statements that turn A into B\n\n"
	                    "ALTER TYPE \"public\".\"Role\" ADD VALUE 'GUEST' BEFORE 'USER';\n\n"
	                    "ALTER TYPE \"public\".\"Role\" ADD VALUE 'OWNER';\n");
	free(sql);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void test_schema_diff__a_removed_enum_value_rebuilds_the_type(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *sql = NULL;
	enum_type(a, "'ADMIN', 'USER'");
	table(a, "users");
	column(a, "users", "role", "\"Role\"", NULL);
	enum_type(b, "'USER'");
	table(b, "users");
	column(b, "users", "role", "\"Role\"", NULL);
	d = diff(a, b);
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_non_null(strstr(sql, "-- destructive: enum values are removed or reordered"));
	assert_non_null(
	    strstr(sql, "ALTER TYPE \"public\".\"Role\" RENAME TO \"Role__dbward_old\";"));
	assert_non_null(strstr(sql,
	                       "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"role\" TYPE "
	                       "\"public\".\"Role\" USING \"role\"::text::\"public\".\"Role\";"));
	assert_non_null(strstr(sql, "DROP TYPE \"public\".\"Role__dbward_old\";"));
	free(sql);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

static void test_schema_diff__a_type_change_is_destructive(void **state)
{
	dbw_schema *a = model(), *b = model();
	dbw_schema_diff *d;
	char *sql = NULL, *json = NULL;
	table(a, "users");
	column(a, "users", "n", "integer", NULL);
	table(b, "users");
	column(b, "users", "n", "bigint", NULL);
	d = diff(a, b);
	assert_int_equal(dbw_schema_diff_sql(d, DBW_DB_POSTGRES, &sql, NULL), 0);
	assert_non_null(strstr(sql,
	                       "-- destructive: changes the column's type or collation; values "
	                       "are converted\nALTER TABLE \"public\".\"users\" ALTER COLUMN \"n\" "
	                       "TYPE bigint USING \"n\"::bigint;"));
	assert_int_equal(dbw_schema_diff_json(d, &json, NULL), 0);
	assert_non_null(strstr(json, "\"object\": \"column public.users.n\""));
	assert_non_null(strstr(json, "\"identical\": false"));
	free(sql);
	free(json);
	dbw_schema_diff_free(d);
	dbw_schema_free(a);
	dbw_schema_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_diff__identical_models_have_no_items),
	    cmocka_unit_test(test_schema_diff__names_the_changed_default),
	    cmocka_unit_test(test_schema_diff__folds_the_columns_of_an_added_table),
	    cmocka_unit_test(test_schema_diff__drops_come_first_and_are_marked),
	    cmocka_unit_test(test_schema_diff__enum_values_are_added_in_place),
	    cmocka_unit_test(test_schema_diff__a_removed_enum_value_rebuilds_the_type),
	    cmocka_unit_test(test_schema_diff__a_type_change_is_destructive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
