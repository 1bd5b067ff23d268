/*
 * test_data_copy.c - the COPY text codec, and dbw_copy between real SQLite
 * files: rules applied, joins on hashed columns intact, canaries gone, the
 * PII guard, and a failed copy leaving the target untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dbward/copy.h>
#include "data/copy_internal.h"

#define KEY "unit-test-key-0123456789"

static void test_data_copy__text_split_and_unescape(void **state)
{
	const char line[] = "1\ta\\tb\\\\c\\nd\t\\N\t\\101\\x41\t\n";
	dbw_field f[8];
	dbw_buf b = DBW_BUF_INIT;
	size_t n = 0;
	(void)state;
	assert_int_equal(dbw_copytext_split(line, sizeof(line) - 1, f, 8, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(f[2].is_null, 1);
	assert_int_equal(f[4].len, 0);
	assert_int_equal(f[4].is_null, 0);
	assert_int_equal(dbw_copytext_unescape(f[1].p, f[1].len, &b), 0);
	assert_string_equal(b.data, "a\tb\\c\nd");
	assert_int_equal(dbw_copytext_unescape(f[3].p, f[3].len, &b), 0);
	assert_string_equal(b.data, "AA");
	assert_int_equal(dbw_copytext_split(line, sizeof(line) - 1, f, 4, &n), -1);
	dbw_buf_free(&b);
}

static void test_data_copy__text_escape_round_trip(void **state)
{
	const char in[] = "tab\there\nnew\\back\rcr\bb\ff\vv \\N";
	dbw_buf esc = DBW_BUF_INIT, back = DBW_BUF_INIT;
	(void)state;
	assert_int_equal(dbw_copytext_escape(in, sizeof(in) - 1, &esc), 0);
	assert_null(memchr(esc.data, '\t', esc.len));
	assert_null(memchr(esc.data, '\n', esc.len));
	assert_int_equal(dbw_copytext_unescape(esc.data, esc.len, &back), 0);
	assert_int_equal(back.len, sizeof(in) - 1);
	assert_memory_equal(back.data, in, back.len);
	dbw_buf_free(&esc);
	dbw_buf_free(&back);
}

static const char schema_sql[] =
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE,"
    " full_name TEXT, phone TEXT, note TEXT, plan TEXT);"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_email TEXT NOT NULL REFERENCES users(email),"
    " amount INTEGER);"
    "CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT);";

typedef struct fixture {
	char dir[64];
	char src_url[128], dst_url[128];
	dbw_conn *src, *dst;
} fixture;

static void exec_ok(dbw_conn *c, const char *sql)
{
	dbw_error err = DBW_ERROR_INIT;
	int rc = dbw_conn_exec(c, sql, &err);
	if (rc < 0)
		fail_msg("%s: %s", sql, err.message);
}

static char *scalar(dbw_conn *c, const char *sql)
{
	dbw_result *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *v;
	if (dbw_conn_query(c, sql, 0, NULL, &r, &err) < 0)
		fail_msg("%s: %s", sql, err.message);
	v = strdup(dbw_result_value(r, 0, 0) ? dbw_result_value(r, 0, 0) : "(null)");
	dbw_result_free(r);
	return v;
}

static void expect_scalar(dbw_conn *c, const char *sql, const char *want)
{
	char *v = scalar(c, sql);
	assert_string_equal(v, want);
	free(v);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	dbw_error err = DBW_ERROR_INIT;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dbw-copy-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->src_url, sizeof(f->src_url), "sqlite:%s/src.sqlite3", f->dir);
	snprintf(f->dst_url, sizeof(f->dst_url), "sqlite:%s/dst.sqlite3", f->dir);
	assert_int_equal(dbw_conn_open(&f->src, f->src_url, NULL, &err), 0);
	assert_int_equal(dbw_conn_open(&f->dst, f->dst_url, NULL, &err), 0);
	exec_ok(f->src, schema_sql);
	exec_ok(f->dst, schema_sql);
	exec_ok(
	    f->src,
	    "INSERT INTO users (email, full_name, phone, note, plan) VALUES"
	    " ('canary.alice@example.com', 'Zebulon Quackenbush', '+31 6 11112222', 'tab\there', "
	    "'pro'),"
	    " ('canary.bob@example.org', 'Philippa Wobblesworth', '+44 20 99990000', NULL, 'free');"
	    "DELETE FROM users WHERE id = 2;"
	    "INSERT INTO users (email, full_name, phone, note, plan) VALUES"
	    " ('canary.bob@example.org', 'Philippa Wobblesworth', '+44 20 99990000', NULL, 'free');"
	    "INSERT INTO orders (user_email, amount) VALUES ('canary.alice@example.com', 10),"
	    " ('canary.alice@example.com', 20), ('canary.bob@example.org', 5);"
	    "INSERT INTO sessions (token) VALUES ('sk_live_CANARYTOKEN');");
	exec_ok(f->dst, "INSERT INTO users (email, full_name) VALUES ('old@staging.test', 'Old');"
	                "INSERT INTO sessions (token) VALUES ('old-session');");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];
	dbw_conn_close(f->src);
	dbw_conn_close(f->dst);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static const char rules_ini[] = "[users]\n"
                                "email = hash_email\n"
                                "full_name = fake_name\n"
                                "phone = fake_phone\n"
                                "note = null\n"
                                "plan = keep\n"
                                "[orders]\n"
                                "user_email = hash_email\n"
                                "[sessions]\n"
                                "* = skip\n";

static void test_data_copy__sqlite_to_sqlite(void **state)
{
	fixture *f = *state;
	dbw_rules *rules = NULL;
	dbw_copy_options opts = DBW_COPY_OPTIONS_INIT;
	dbw_copy_result *res = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *dump;
	assert_int_equal(dbw_rules_parse(&rules, rules_ini, "rules", &err), 0);
	opts.rules = rules;
	opts.key = KEY;
	if (dbw_copy(f->src, f->dst, &opts, &res, &err) < 0)
		fail_msg("copy: %s (%s)", err.message, err.detail ? err.detail : "");
	assert_int_equal(res->count, 3);
	/* Foreign-key order: users before orders. */
	assert_string_equal(res->tables[0].name, "users");
	assert_string_equal(res->tables[1].name, "orders");
	assert_string_equal(res->tables[2].name, "sessions");
	assert_int_equal(res->tables[2].skipped, 1);
	assert_int_equal(res->rows, 5);
	assert_int_equal(res->rewritten[DBW_RULE_HASH_EMAIL], 5);
	assert_int_equal(res->rewritten[DBW_RULE_FAKE_NAME], 2);
	assert_int_equal(res->rewritten[DBW_RULE_NULL], 1);
	expect_scalar(f->dst, "select count(*) from users", "2");
	expect_scalar(f->dst, "select count(*) from sessions", "0");
	expect_scalar(f->dst, "select plan from users where id = 1", "pro");
	/* The join on the hashed column still holds, for every order. */
	expect_scalar(f->dst,
	              "select count(*) from orders o join users u on u.email = o.user_email", "3");
	expect_scalar(f->dst,
	              "select sum(amount) from orders o join users u on u.email = o.user_email"
	              " where u.id = 1",
	              "30");
	expect_scalar(f->dst, "select email like '%@example.com' from users where id = 1", "1");
	/* AUTOINCREMENT counter follows the source (3: a row was deleted and re-added). */
	expect_scalar(f->dst, "select seq from sqlite_sequence where name = 'users'", "3");
	dump = scalar(f->dst, "select group_concat(coalesce(email,'') || full_name || "
	                      "coalesce(phone,'') || coalesce(note,''), '|') from users");
	assert_null(strstr(dump, "canary"));
	assert_null(strstr(dump, "Quackenbush"));
	assert_null(strstr(dump, "Wobblesworth"));
	assert_null(strstr(dump, "11112222"));
	free(dump);
	dbw_copy_result_free(res);
	dbw_rules_free(rules);
}

static void test_data_copy__pii_guard_refuses(void **state)
{
	fixture *f = *state;
	dbw_rules *rules = NULL;
	dbw_copy_options opts = DBW_COPY_OPTIONS_INIT;
	dbw_copy_result *res = (dbw_copy_result *)1;
	dbw_pii_report *rep = NULL;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_rules_parse(&rules, "[users]\nemail = hash_email\n", "r", &err), 0);
	opts.rules = rules;
	opts.key = KEY;
	assert_int_equal(dbw_copy(f->src, f->dst, &opts, &res, &err), DBW_EPOLICY);
	assert_null(res);
	assert_string_equal(err.message, "cannot copy: 4 columns look personal and have no rule");
	assert_string_equal(err.detail, "Unreviewed: orders.user_email (email), sessions.token "
	                                "(token), users.full_name (name), users.phone (phone).");
	dbw_error_clear(&err);
	expect_scalar(f->dst, "select email from users", "old@staging.test");
	assert_int_equal(dbw_pii_check(f->src, rules, "users", &rep, &err), 0);
	assert_int_equal(rep->count, 2);
	assert_string_equal(rep->items[0].column, "full_name");
	dbw_pii_report_free(rep);
	dbw_rules_free(rules);
}

static void test_data_copy__failure_leaves_target(void **state)
{
	fixture *f = *state;
	dbw_rules *rules = NULL;
	dbw_copy_options opts = DBW_COPY_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	/* The target's orders lacks a column: the copy fails after emptying users. */
	exec_ok(f->dst, "DROP TABLE orders; CREATE TABLE orders (id INTEGER PRIMARY KEY, "
	                "user_email TEXT);");
	assert_int_equal(dbw_rules_parse(&rules, rules_ini, "rules", &err), 0);
	opts.rules = rules;
	opts.key = KEY;
	assert_int_equal(dbw_copy(f->src, f->dst, &opts, NULL, &err), DBW_ESQL);
	assert_non_null(strstr(err.message, "amount"));
	dbw_error_clear(&err);
	expect_scalar(f->dst, "select count(*) || email from users", "1old@staging.test");
	expect_scalar(f->dst, "select token from sessions", "old-session");
	dbw_rules_free(rules);
}

static void test_data_copy__needs_key_and_unprotected(void **state)
{
	fixture *f = *state;
	dbw_rules *rules = NULL;
	dbw_copy_options opts = DBW_COPY_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_rules_new(&rules, &err), 0);
	opts.rules = rules;
	unsetenv(DBW_SANITIZE_KEY_VAR);
	assert_int_equal(dbw_copy(f->src, f->dst, &opts, NULL, &err), DBW_ECONFIG);
	assert_string_equal(err.message, "no sanitize key");
	dbw_error_clear(&err);
	opts.key = KEY;
	opts.target_protected = 1;
	opts.target_name = "production";
	assert_int_equal(dbw_copy(f->src, f->dst, &opts, NULL, &err), DBW_EPOLICY);
	assert_string_equal(err.message, "cannot copy into protected environment \"production\"");
	dbw_error_clear(&err);
	expect_scalar(f->dst, "select count(*) from users", "1");
	dbw_rules_free(rules);
}

static void history(dbw_conn *c, const char *rows)
{
	char sql[512];
	exec_ok(
	    c, "CREATE TABLE dbward_migrations (version TEXT PRIMARY KEY, name TEXT, checksum TEXT,"
	       " status TEXT)");
	snprintf(sql, sizeof(sql), "INSERT INTO dbward_migrations VALUES %s", rows);
	exec_ok(c, sql);
}

static void test_data_copy__schema_check(void **state)
{
	fixture *f = *state;
	dbw_schema_check *c = NULL;
	dbw_error err = DBW_ERROR_INIT;
	/* Neither has a history: the same. */
	assert_int_equal(dbw_copy_schema_check(f->src, f->dst, &c, &err), 0);
	assert_int_equal(c->state, DBW_SCHEMA_SAME);
	dbw_schema_check_free(c);
	history(f->src, "('1', 'a', 'aa', 'applied'), ('2', 'b', 'bb', 'applied'), "
	                "('3', 'c', 'cc', 'failed')");
	history(f->dst, "('1', 'a', 'aa', 'applied')");
	assert_int_equal(dbw_copy_schema_check(f->src, f->dst, &c, &err), 0);
	assert_int_equal(c->state, DBW_SCHEMA_BEHIND);
	assert_int_equal(c->n_missing, 1);
	assert_string_equal(c->source_version, "2");
	assert_string_equal(c->difference, "The target lacks 1 migration the source has applied "
	                                   "(source at 2, target at 1).");
	dbw_schema_check_free(c);
	assert_int_equal(dbw_copy_schema_sync(f->src, f->dst, NULL, NULL, NULL, &err),
	                 DBW_EPENDING);
	assert_string_equal(err.message, "target is behind the source's migration version");
	dbw_error_clear(&err);
	exec_ok(f->dst, "INSERT INTO dbward_migrations VALUES ('2', 'b', 'XX', 'applied')");
	assert_int_equal(dbw_copy_schema_check(f->src, f->dst, &c, &err), 0);
	assert_int_equal(c->state, DBW_SCHEMA_DIFFERS);
	assert_string_equal(c->difference, "2 has different checksums.");
	dbw_schema_check_free(c);
	exec_ok(f->dst, "UPDATE dbward_migrations SET checksum = 'bb' WHERE version = '2';"
	                "INSERT INTO dbward_migrations VALUES ('4', 'd', 'dd', 'applied')");
	assert_int_equal(dbw_copy_schema_sync(f->src, f->dst, NULL, &c, NULL, &err), DBW_EDRIFT);
	assert_string_equal(err.detail, "The target has 4, which the source has not applied.");
	assert_int_equal(c->state, DBW_SCHEMA_DIFFERS);
	dbw_schema_check_free(c);
	dbw_error_clear(&err);
	exec_ok(f->dst, "DELETE FROM dbward_migrations WHERE version = '4'");
	assert_int_equal(dbw_copy_schema_sync(f->src, f->dst, NULL, &c, NULL, &err), 0);
	assert_int_equal(c->state, DBW_SCHEMA_SAME);
	dbw_schema_check_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_copy__text_split_and_unescape),
	    cmocka_unit_test(test_data_copy__text_escape_round_trip),
	    cmocka_unit_test_setup_teardown(test_data_copy__sqlite_to_sqlite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_copy__pii_guard_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_copy__failure_leaves_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_copy__schema_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_copy__needs_key_and_unprotected, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
