/*
 * test_config_dotenv.c - the dotenv parser: quotes, escapes, several-line
 * values, export, comments, expansion, and malformed lines with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config_internal.h"

typedef struct kv {
	char *keys[32];
	char *vals[32];
	int lines[32];
	int n;
	char *const *env; /* plays the process environment for lookups */
} kv;

static const char *lookup(void *ctx, const char *name)
{
	kv *t = ctx;
	size_t n = strlen(name);
	for (char *const *e = t->env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	for (int i = t->n; i-- > 0;)
		if (!strcmp(t->keys[i], name))
			return t->vals[i];
	return NULL;
}

static int emit(void *ctx, const char *key, const char *value, int line)
{
	kv *t = ctx;
	assert_true(t->n < 32);
	t->keys[t->n] = strdup(key);
	t->vals[t->n] = strdup(value);
	t->lines[t->n] = line;
	t->n++;
	return 0;
}

static void kv_free(kv *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->keys[i]);
		free(t->vals[i]);
	}
	t->n = 0;
}

static int parse(kv *t, const char *text, dbw_error *err)
{
	return dbw_dotenv__parse(text, "/p/.env", lookup, emit, t, err);
}

static void test_config_dotenv__plain_export_and_comments(void **state)
{
	kv t = {0};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(parse(&t,
	                       "# a comment\n"
	                       "\n"
	                       "A=1\n"
	                       "export B = two words  \n"
	                       "C=x # trailing comment\n"
	                       "D=x#not-a-comment\n"
	                       "  E=\n"
	                       "F= # comment only\n"
	                       "G=#hash\n",
	                       &err),
	                 0);
	assert_int_equal(t.n, 7);
	assert_string_equal(t.keys[0], "A");
	assert_string_equal(t.vals[0], "1");
	assert_int_equal(t.lines[0], 3);
	assert_string_equal(t.keys[1], "B");
	assert_string_equal(t.vals[1], "two words");
	assert_string_equal(t.vals[2], "x");
	assert_string_equal(t.vals[3], "x#not-a-comment");
	assert_string_equal(t.keys[4], "E");
	assert_string_equal(t.vals[4], "");
	assert_string_equal(t.vals[5], "");
	assert_int_equal(t.lines[5], 8);
	assert_string_equal(t.vals[6], "#hash");
	kv_free(&t);
}

static void test_config_dotenv__quotes_and_escapes(void **state)
{
	kv t = {0};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(parse(&t,
	                       "S='lit $HOME \\n # x'\n"
	                       "D=\"a\\nb \\\"q\\\" \\\\ \\$NOPE\"  # c\n"
	                       "B=`back 'tick' \"x\"`\n"
	                       "H=\"has # hash\"\n",
	                       &err),
	                 0);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.vals[0], "lit $HOME \\n # x");
	assert_string_equal(t.vals[1], "a\nb \"q\" \\ $NOPE");
	assert_string_equal(t.vals[2], "back 'tick' \"x\"");
	assert_string_equal(t.vals[3], "has # hash");
	kv_free(&t);
}

static void test_config_dotenv__multiline_keeps_lines(void **state)
{
	kv t = {0};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(parse(&t,
	                       "KEY=\"-----BEGIN-----\n"
	                       "abc\n"
	                       "-----END-----\"\n"
	                       "NEXT=after\r\n",
	                       &err),
	                 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.vals[0], "-----BEGIN-----\nabc\n-----END-----");
	assert_int_equal(t.lines[0], 1);
	assert_string_equal(t.keys[1], "NEXT");
	assert_string_equal(t.vals[1], "after");
	assert_int_equal(t.lines[1], 4);
	kv_free(&t);
}

static void test_config_dotenv__expansion(void **state)
{
	char *env[] = {"HOST=envhost", "USER=shell", NULL};
	kv t = {0};
	dbw_error err = DBW_ERROR_INIT;
	t.env = env;
	assert_int_equal(parse(&t,
	                       "USER=file\n"
	                       "DB=app\n"
	                       "URL=postgres://${USER}@$HOST/${DB}_test\n"
	                       "Q=\"${MISSING:-fallback} $MISSING. ${DB-x}\"\n"
	                       "L='${DB}'\n"
	                       "P=cost $5\n",
	                       &err),
	                 0);
	assert_int_equal(t.n, 6);
	/* the process environment wins over the file's own USER */
	assert_string_equal(t.vals[2], "postgres://shell@envhost/app_test");
	assert_string_equal(t.vals[3], "fallback . app");
	assert_string_equal(t.vals[4], "${DB}");
	assert_string_equal(t.vals[5], "cost $5");
	kv_free(&t);
}

static void check_malformed(const char *text, const char *where, const char *message)
{
	kv t = {0};
	dbw_error err = DBW_ERROR_INIT;
	assert_int_equal(parse(&t, text, &err), DBW_ECONFIG);
	assert_int_equal(err.code, DBW_ECONFIG);
	assert_non_null(err.where);
	assert_string_equal(err.where, where);
	assert_string_equal(err.message, message);
	assert_non_null(err.hint);
	dbw_error_clear(&err);
	kv_free(&t);
}

static void test_config_dotenv__malformed_lines(void **state)
{
	check_malformed(
	    "A=1\nthis is not a variable\n", "/p/.env:2",
	    "could not parse \"/p/.env\" line 2: expected \"=\" after the variable name");
	check_malformed("A=1\n\nB=\"open\nstill open\n", "/p/.env:3",
	                "could not parse \"/p/.env\" line 3: unterminated quoted value");
	check_malformed(
	    "A='x' y\n", "/p/.env:1",
	    "could not parse \"/p/.env\" line 1: unexpected text after the closing quote");
	check_malformed("1A=x\n", "/p/.env:1",
	                "could not parse \"/p/.env\" line 1: expected a variable name");
	check_malformed("A=${B\n", "/p/.env:1",
	                "could not parse \"/p/.env\" line 1: unterminated \"${\"");
}

static void test_config_dotenv__expand_strict_names_missing(void **state)
{
	kv t = {0};
	char *out = NULL, *missing = NULL;
	dbw_error err = DBW_ERROR_INIT;
	char *env[] = {"A=x", NULL};
	t.env = env;
	assert_int_equal(dbw_config__expand("${A}-${B}", lookup, &t, 1, &out, &missing, &err),
	                 DBW_ECONFIG);
	assert_null(out);
	assert_string_equal(missing, "B");
	assert_string_equal(err.message, "variable \"B\" is not set");
	free(missing);
	dbw_error_clear(&err);
	assert_int_equal(dbw_config__expand("${A}-${B}", lookup, &t, 0, &out, NULL, &err), 0);
	assert_string_equal(out, "x-");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_dotenv__plain_export_and_comments),
	    cmocka_unit_test(test_config_dotenv__quotes_and_escapes),
	    cmocka_unit_test(test_config_dotenv__multiline_keeps_lines),
	    cmocka_unit_test(test_config_dotenv__expansion),
	    cmocka_unit_test(test_config_dotenv__malformed_lines),
	    cmocka_unit_test(test_config_dotenv__expand_strict_names_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
