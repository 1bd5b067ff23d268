/*
 * test_data_sanitize.c - the sanitize rules parser, every transformer,
 * determinism, key dependence, and that no output carries the input's
 * personal parts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dbward/copy.h>

#define KEY  "0123456789abcdef-test-key"
#define KEY2 "another-key-0123456789abcdef"

static char *apply_with(const char *key, dbw_rule_kind kind, const char *arg, const char *in)
{
	dbw_sanitizer *s = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(dbw_sanitizer_new(&s, key, &err), 0);
	assert_int_equal(
	    dbw_sanitize_value(s, kind, arg, in, in ? strlen(in) : 0, &out, &len, &err), 0);
	if (out)
		assert_int_equal(strlen(out), len);
	dbw_sanitizer_free(s);
	return out;
}

static char *apply(dbw_rule_kind kind, const char *arg, const char *in)
{
	return apply_with(KEY, kind, arg, in);
}

static void expect(dbw_rule_kind kind, const char *arg, const char *in, const char *want)
{
	char *out = apply(kind, arg, in);
	if (!want) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_data_sanitize__keep_redact_null_set(void **state)
{
	(void)state;
	expect(DBW_RULE_KEEP, NULL, "alice", "alice");
	expect(DBW_RULE_REDACT, NULL, "secret", "[redacted]");
	expect(DBW_RULE_REDACT, "gone", "secret", "gone");
	expect(DBW_RULE_NULL, NULL, "secret", NULL);
	expect(DBW_RULE_SET, "NL", "DE", "NL");
	/* NULL stays NULL except for set, which always writes its value. */
	expect(DBW_RULE_HASH, NULL, NULL, NULL);
	expect(DBW_RULE_REDACT, NULL, NULL, NULL);
	expect(DBW_RULE_SET, "x", NULL, "x");
}

static void test_data_sanitize__mask_keeps_format(void **state)
{
	(void)state;
	expect(DBW_RULE_MASK, NULL, "+1 (415) 555-2671", "+X (XXX) XXX-XXXX");
	expect(DBW_RULE_MASK, NULL, "AB12 cd", "xxXX xx");
	expect(DBW_RULE_MASK, "4", "4111 1111 1111 1234", "XXXX XXXX XXXX 1234");
	expect(DBW_RULE_MASK, "8", "ab", "ab");
	/* One character out per character in: "é" (2 bytes) becomes one 'x'. */
	expect(DBW_RULE_MASK, NULL, "José", "xxxx");
	expect(DBW_RULE_MASK, NULL, "", "");
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static void test_data_sanitize__hash_email_keeps_domain(void **state)
{
	char *a = apply(DBW_RULE_HASH_EMAIL, NULL, "jane.doe@example.com");
	char *b = apply(DBW_RULE_HASH_EMAIL, NULL, "\"odd@local\"@Example.org");
	char *c = apply(DBW_RULE_HASH_EMAIL, NULL, "not-an-email");
	(void)state;
	assert_int_equal(strlen(a), 20 + strlen("@example.com"));
	assert_true(is_hex(a, 20));
	assert_string_equal(a + 20, "@example.com");
	assert_null(strstr(a, "jane"));
	assert_string_equal(b + 20, "@Example.org");
	assert_null(strstr(b, "odd"));
	assert_int_equal(strlen(c), 20);
	assert_true(is_hex(c, 20));
	free(a);
	free(b);
	free(c);
}

static void test_data_sanitize__hash_is_long_hex(void **state)
{
	char *a = apply(DBW_RULE_HASH, NULL, "tok_live_9f8e7d6c5b4a");
	(void)state;
	assert_int_equal(strlen(a), 32);
	assert_true(is_hex(a, 32));
	free(a);
}

static void test_data_sanitize__fakes_look_real(void **state)
{
	char *name = apply(DBW_RULE_FAKE_NAME, NULL, "Zebulon Quackenbush");
	char *phone = apply(DBW_RULE_FAKE_PHONE, NULL, "+44 20 7946 0958");
	char *addr = apply(DBW_RULE_FAKE_ADDRESS, NULL, "221B Baker Street, London");
	unsigned a, b;
	char rest[64];
	(void)state;
	assert_non_null(strchr(name, ' '));
	assert_true(name[0] >= 'A' && name[0] <= 'Z');
	assert_int_equal(sscanf(phone, "+1 555 %3u %4u", &a, &b), 2);
	assert_int_equal(strlen(phone), strlen("+1 555 123 4567"));
	assert_int_equal(sscanf(addr, "%u %63[^\n]", &a, rest), 2);
	assert_non_null(strstr(addr, ", "));
	free(name);
	free(phone);
	free(addr);
}

static void test_data_sanitize__deterministic(void **state)
{
	static const dbw_rule_kind kinds[] = {DBW_RULE_HASH_EMAIL,   DBW_RULE_HASH,
	                                      DBW_RULE_FAKE_NAME,    DBW_RULE_FAKE_PHONE,
	                                      DBW_RULE_FAKE_ADDRESS, DBW_RULE_MASK};
	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *x = apply(kinds[i], NULL, "carol@example.net");
		char *y = apply(kinds[i], NULL, "carol@example.net");
		assert_string_equal(x, y);
		free(x);
		free(y);
	}
}

static void test_data_sanitize__key_changes_output(void **state)
{
	static const dbw_rule_kind kinds[] = {DBW_RULE_HASH_EMAIL, DBW_RULE_HASH,
	                                      DBW_RULE_FAKE_NAME, DBW_RULE_FAKE_PHONE,
	                                      DBW_RULE_FAKE_ADDRESS};
	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		/* One input may collide by chance for the small fake lists; ten cannot all. */
		int differ = 0;
		for (int n = 0; n < 10; n++) {
			char in[32];
			char *x, *y;
			snprintf(in, sizeof(in), "user%d@example.net", n);
			x = apply_with(KEY, kinds[i], NULL, in);
			y = apply_with(KEY2, kinds[i], NULL, in);
			differ += strcmp(x, y) != 0;
			free(x);
			free(y);
		}
		assert_true(
		    differ >=
		    (kinds[i] == DBW_RULE_HASH || kinds[i] == DBW_RULE_HASH_EMAIL ? 10 : 5));
	}
}

static void test_data_sanitize__kinds_are_independent(void **state)
{
	char *a = apply(DBW_RULE_HASH, NULL, "bob");
	char *b = apply(DBW_RULE_HASH_EMAIL, NULL, "bob");
	(void)state;
	assert_int_not_equal(strncmp(a, b, 20), 0);
	free(a);
	free(b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_data_sanitize__no_collisions(void **state)
{
	enum { N = 20000 };
	char **seen = calloc(N, sizeof(char *));
	(void)state;
	for (int i = 0; i < N; i++) {
		char in[64];
		snprintf(in, sizeof(in), "person%d@example.com", i);
		seen[i] = apply(DBW_RULE_HASH_EMAIL, NULL, in);
	}
	qsort(seen, N, sizeof(char *), cmp_str);
	for (int i = 1; i < N; i++)
		assert_int_not_equal(strcmp(seen[i - 1], seen[i]), 0);
	for (int i = 0; i < N; i++)
		free(seen[i]);
	free(seen);
}

static void test_data_sanitize__no_personal_part_survives(void **state)
{
	static const struct {
		dbw_rule_kind kind;
		const char *in, *part;
	} cases[] = {
	    {DBW_RULE_HASH_EMAIL, "canary.alice@example.com", "canary"},
	    {DBW_RULE_HASH_EMAIL, "canary.alice@example.com", "alice"},
	    {DBW_RULE_HASH, "sk_live_CANARYTOKEN42", "CANARY"},
	    {DBW_RULE_HASH, "hunter2-password", "hunter2"},
	    {DBW_RULE_FAKE_NAME, "Zebulon Quackenbush", "Zebulon"},
	    {DBW_RULE_FAKE_NAME, "Zebulon Quackenbush", "Quackenbush"},
	    {DBW_RULE_FAKE_PHONE, "+31 6 12345678", "12345678"},
	    {DBW_RULE_FAKE_ADDRESS, "742 Evergreen Terrace", "Evergreen"},
	    {DBW_RULE_MASK, "NL91ABNA0417164300", "0417164300"},
	    {DBW_RULE_REDACT, "hunter2", "hunter2"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = apply(cases[i].kind, NULL, cases[i].in);
		assert_non_null(out);
		assert_string_not_equal(out, cases[i].in);
		assert_null(strstr(out, cases[i].part));
		free(out);
	}
}

static void test_data_sanitize__key_required(void **state)
{
	dbw_sanitizer *s = (dbw_sanitizer *)1;
	dbw_error err = DBW_ERROR_INIT;
	(void)state;
	unsetenv(DBW_SANITIZE_KEY_VAR);
	assert_int_equal(dbw_sanitizer_new(&s, NULL, &err), DBW_ECONFIG);
	assert_null(s);
	assert_string_equal(err.message, "no sanitize key");
	assert_non_null(strstr(err.hint, "DBWARD_SANITIZE_KEY"));
	dbw_error_clear(&err);
	assert_int_equal(dbw_sanitizer_new(&s, "short", &err), DBW_ECONFIG);
	assert_string_equal(err.message, "sanitize key is too short");
	dbw_error_clear(&err);
	setenv(DBW_SANITIZE_KEY_VAR, KEY, 1);
	assert_int_equal(dbw_sanitizer_new(&s, NULL, &err), 0);
	dbw_sanitizer_free(s);
	unsetenv(DBW_SANITIZE_KEY_VAR);
}

static void test_data_sanitize__rules_parse(void **state)
{
	dbw_rules *r = NULL;
	dbw_error err = DBW_ERROR_INIT;
	const dbw_rule *rule;
	const char *text = "; comment\n"
	                   "[users]\n"
	                   "email = hash_email\n"
	                   "phone = mask:4 ; keep the last four\n"
	                   "country = set:NL\n"
	                   "\n"
	                   "[billing.users]\n"
	                   "email = redact:none\n"
	                   "[sessions]\n"
	                   "* = skip\n";
	(void)state;
	assert_int_equal(dbw_rules_parse(&r, text, "sanitize.ini", &err), 0);
	assert_int_equal(dbw_rules_count(r), 4);
	rule = dbw_rules_find(r, "public", "users", "email");
	assert_non_null(rule);
	assert_int_equal(rule->kind, DBW_RULE_HASH_EMAIL);
	assert_int_equal(rule->line, 3);
	rule = dbw_rules_find(r, "billing", "users", "email");
	assert_int_equal(rule->kind, DBW_RULE_REDACT);
	assert_string_equal(rule->arg, "none");
	rule = dbw_rules_find(r, "public", "users", "phone");
	assert_int_equal(rule->kind, DBW_RULE_MASK);
	assert_string_equal(rule->arg, "4");
	assert_string_equal(dbw_rules_find(r, "public", "users", "country")->arg, "NL");
	assert_null(dbw_rules_find(r, "public", "users", "name"));
	assert_null(dbw_rules_find(r, "public", "orders", "email"));
	assert_true(dbw_rules_skips(r, "public", "sessions"));
	assert_false(dbw_rules_skips(r, "public", "users"));
	dbw_rules_free(r);
}

static void expect_parse_error(const char *text, const char *message, const char *where)
{
	dbw_rules *r = (dbw_rules *)1;
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(dbw_rules_parse(&r, text, "s.ini", &err), DBW_ECONFIG);
	assert_null(r);
	assert_string_equal(err.message, message);
	assert_string_equal(err.where, where);
	dbw_error_clear(&err);
}

static void test_data_sanitize__rules_errors(void **state)
{
	(void)state;
	expect_parse_error("[users]\nemail = md5\n", "unknown sanitize rule \"md5\"", "s.ini:2");
	expect_parse_error("email = hash\n", "rule \"email\" outside a [table] section", "s.ini:1");
	expect_parse_error("[t]\nc = set\n", "rule \"set\" needs a value, as in set:VALUE",
	                   "s.ini:2");
	expect_parse_error("[t]\nc = hash:3\n", "rule \"hash:3\" takes no argument", "s.ini:2");
	expect_parse_error("[t]\nc = mask:x\n", "mask keeps 0 to 8 trailing characters, not \"x\"",
	                   "s.ini:2");
	expect_parse_error("[t]\nc = keep\n\nc = null\n", "column \"c\" has two rules", "s.ini:4");
	expect_parse_error("[t]\n* = drop\n", "unknown table rule \"drop\"", "s.ini:2");
}

static void test_data_sanitize__pii_reason(void **state)
{
	(void)state;
	assert_string_equal(dbw_pii_reason("email", "text"), "email");
	assert_string_equal(dbw_pii_reason("contact_email", "text"), "email");
	assert_string_equal(dbw_pii_reason("firstName", "text"), "name");
	assert_string_equal(dbw_pii_reason("phone_number", "text"), "phone");
	assert_string_equal(dbw_pii_reason("password_digest", "text"), "password");
	assert_string_equal(dbw_pii_reason("api_token", "text"), "token");
	assert_string_equal(dbw_pii_reason("last_login_ip", "text"), "ip");
	assert_string_equal(dbw_pii_reason("seen_from", "inet"), "inet");
	assert_string_equal(dbw_pii_reason("date_of_birth", "date"), "birth");
	assert_string_equal(dbw_pii_reason("dob", "date"), "dob");
	assert_string_equal(dbw_pii_reason("IBAN", "text"), "iban");
	assert_null(dbw_pii_reason("tip_amount", "integer"));
	assert_null(dbw_pii_reason("id", "bigint"));
	assert_null(dbw_pii_reason("created_at", "timestamp with time zone"));
	assert_null(dbw_pii_reason("description", "text"));
	assert_null(dbw_pii_reason("shipping_method", "text"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_sanitize__keep_redact_null_set),
	    cmocka_unit_test(test_data_sanitize__mask_keeps_format),
	    cmocka_unit_test(test_data_sanitize__hash_email_keeps_domain),
	    cmocka_unit_test(test_data_sanitize__hash_is_long_hex),
	    cmocka_unit_test(test_data_sanitize__fakes_look_real),
	    cmocka_unit_test(test_data_sanitize__deterministic),
	    cmocka_unit_test(test_data_sanitize__key_changes_output),
	    cmocka_unit_test(test_data_sanitize__kinds_are_independent),
	    cmocka_unit_test(test_data_sanitize__no_collisions),
	    cmocka_unit_test(test_data_sanitize__no_personal_part_survives),
	    cmocka_unit_test(test_data_sanitize__key_required),
	    cmocka_unit_test(test_data_sanitize__rules_parse),
	    cmocka_unit_test(test_data_sanitize__rules_errors),
	    cmocka_unit_test(test_data_sanitize__pii_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
