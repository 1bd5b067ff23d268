/*
 * test_schema_dump.c - the SQL dump of a model: the same objects give the
 * same text whatever order they were found in, and the phases respect
 * dependencies (functions a table needs before it, unique indexes before
 * the foreign keys that use them, views by depth, indexes on materialized
 * views after the views).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schema/internal.h"

typedef struct spec {
	dbw_obj_kind kind;
	const char *table, *name, *sql;
	int rank;
	const char *mat; /* views: "yes" for materialized */
} spec;

static const spec objects[] = {
    {DBW_OBJ_VIEW, NULL, "v_top", "CREATE VIEW public.v_top AS SELECT * FROM public.v_mid;", 2,
     "no"},
    {DBW_OBJ_CONSTRAINT, "posts", "posts_user_fkey",
     "ALTER TABLE ONLY public.posts ADD CONSTRAINT posts_user_fkey FOREIGN KEY (u) REFERENCES "
     "public.users(id);",
     4, NULL},
    {DBW_OBJ_INDEX, "users", "users_email_key",
     "CREATE UNIQUE INDEX users_email_key ON public.users (email);", 0, NULL},
    {DBW_OBJ_TABLE, NULL, "users", "CREATE TABLE public.users (id bigint DEFAULT public.gen());", 0,
     NULL},
    {DBW_OBJ_FUNCTION, NULL, "gen()",
     "CREATE OR REPLACE FUNCTION public.gen() RETURNS bigint LANGUAGE sql AS 'select 1';", 0, NULL},
    {DBW_OBJ_FUNCTION, NULL, "rows()",
     "CREATE OR REPLACE FUNCTION public.rows() RETURNS SETOF public.users LANGUAGE sql AS 'select "
     "* from users';",
     RANK_LATE, NULL},
    {DBW_OBJ_VIEW, NULL, "a_mid",
     "CREATE MATERIALIZED VIEW public.a_mid AS SELECT 1\n  WITH NO DATA;", 1, "yes"},
    {DBW_OBJ_INDEX, "a_mid", "a_mid_idx", "CREATE INDEX a_mid_idx ON public.a_mid (x);", 0, NULL},
    {DBW_OBJ_VIEW, NULL, "v_mid", "CREATE VIEW public.v_mid AS SELECT * FROM public.users;", 0,
     "no"},
    {DBW_OBJ_TABLE, NULL, "posts", "CREATE TABLE public.posts (u bigint);", 0, NULL},
    {DBW_OBJ_SCHEMA, NULL, NULL, "CREATE SCHEMA IF NOT EXISTS public;", 0, NULL},
};
#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

static char *dump_in_order(const size_t *order)
{
	dbw_schema *s = calloc(1, sizeof(*s));
	char *out = NULL;
	s->engine = DBW_DB_POSTGRES;
	for (size_t i = 0; i < N_OBJECTS; i++) {
		const spec *p = &objects[order[i]];
		dbw_schema_obj *o =
		    dbw_schema__add(s, p->kind, p->kind == DBW_OBJ_SCHEMA ? NULL : "public",
		                    p->table, p->name ? p->name : "public", p->sql);
		assert_non_null(o);
		o->rank = p->rank;
		if (p->mat)
			dbw_schema__attr(o, "materialized", p->mat);
	}
	dbw_schema__sort(s);
	assert_int_equal(dbw_schema_dump_sql(s, &out, NULL), 0);
	dbw_schema_free(s);
	return out;
}

static void test_schema_dump__order_of_discovery_does_not_matter(void **state)
{
	size_t fwd[N_OBJECTS], rev[N_OBJECTS], odd[N_OBJECTS];
	char *a, *b, *c;
	for (size_t i = 0; i < N_OBJECTS; i++) {
		fwd[i] = i;
		rev[i] = N_OBJECTS - 1 - i;
		odd[i] = (i * 7) % N_OBJECTS; /* 7 and 11 are coprime: a permutation */
	}
	a = dump_in_order(fwd);
	b = dump_in_order(rev);
	c = dump_in_order(odd);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void test_schema_dump__dependencies_come_first(void **state)
{
	size_t fwd[N_OBJECTS];
	char *d;
	for (size_t i = 0; i < N_OBJECTS; i++)
		fwd[i] = i;
	d = dump_in_order(fwd);
	static const char head[] = "-- dbward schema dump\n\nSET check_function_bodies = false;\n\n"
	                           "SET search_path = public;\n\n"
	                           "CREATE SCHEMA IF NOT EXISTS public;\n\n";
	assert_true(strncmp(d, head, strlen(head)) == 0);
	assert_true(strstr(d, "FUNCTION public.gen()") < strstr(d, "CREATE TABLE public.users"));
	assert_true(strstr(d, "CREATE TABLE public.users") < strstr(d, "FUNCTION public.rows()"));
	assert_true(strstr(d, "CREATE UNIQUE INDEX users_email_key") <
	            strstr(d, "posts_user_fkey"));
	assert_true(strstr(d, "VIEW public.v_mid") < strstr(d, "MATERIALIZED VIEW public.a_mid"));
	assert_true(strstr(d, "MATERIALIZED VIEW public.a_mid") < strstr(d, "VIEW public.v_top"));
	assert_true(strstr(d, "MATERIALIZED VIEW public.a_mid") <
	            strstr(d, "CREATE INDEX a_mid_idx"));
	assert_true(d[strlen(d) - 1] == '\n' && d[strlen(d) - 2] != '\n');
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_dump__order_of_discovery_does_not_matter),
	    cmocka_unit_test(test_schema_dump__dependencies_come_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
