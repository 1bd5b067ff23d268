/*
 * sql_sqlite.c - SQLite SQL text without a database: splitting a script
 * into statements with sqlite3_complete() (which knows that CREATE TRIGGER
 * ... BEGIN ... END; holds semicolons), flags per statement, and a
 * fingerprint of the token stream without comments and whitespace.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "driver/driver.h"
#include "util/util.h"

/* End of the quoted token or comment starting at i (SQLite's tokenizer:
 * '' "" `` quote with doubling, [] does not nest, block comments do not
 * nest); i itself when text[i] starts none of them. */
static size_t skip_quoted(const char *text, size_t len, size_t i)
{
	char c = text[i], close;
	if (c == '-' && i + 1 < len && text[i + 1] == '-') {
		while (i < len && text[i] != '\n')
			i++;
		return i;
	}
	if (c == '/' && i + 1 < len && text[i + 1] == '*') {
		i += 2;
		while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'))
			i++;
		return i + 2 < len ? i + 2 : len;
	}
	if (c != '\'' && c != '"' && c != '`' && c != '[')
		return i;
	close = c == '[' ? ']' : c;
	i++;
	while (i < len) {
		if (text[i] == close) {
			if (close != ']' && i + 1 < len && text[i + 1] == close) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

static int first_word_is(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len < n || strncasecmp(s, word, n) != 0)
		return 0;
	return len == n || !(isalnum((unsigned char)s[n]) || s[n] == '_');
}

static unsigned sqlite_flags(const char *s, size_t len)
{
	static const char *const txn[] = {"BEGIN",    "COMMIT",    "END",
	                                  "ROLLBACK", "SAVEPOINT", "RELEASE"};
	for (size_t k = 0; k < sizeof(txn) / sizeof(txn[0]); k++)
		if (first_word_is(s, len, txn[k]))
			return DBW_STMT_TXN_CONTROL;
	/* https://sqlite.org/lang_vacuum.html: "A VACUUM will fail if there is
	 * an open transaction on the database connection" */
	if (first_word_is(s, len, "VACUUM"))
		return DBW_STMT_NO_TXN;
	return 0;
}

/* Record text[start, end) as a statement unless it is only whitespace. */
static int add_stmt(dbw_stmt **v, size_t *n, size_t *cap, const char *text, size_t start,
                    size_t end)
{
	size_t first = dbw_sql__skip_blank(text, end, start, 0), ws = start;
	dbw_stmt *s;
	while (ws < end && isspace((unsigned char)text[ws]))
		ws++;
	if (ws >= end)
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		dbw_stmt *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return DBW_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	s = &(*v)[(*n)++];
	if (first >= end) {
		s->offset = ws;
		s->length = end - ws;
		s->flags = DBW_STMT_EMPTY;
	} else {
		s->offset = first;
		s->length = end - first;
		s->flags = sqlite_flags(text + first, end - first);
	}
	return 0;
}

int dbw_sqlite__split(const char *text, size_t len, dbw_stmt **stmts_out, size_t *n_out)
{
	dbw_stmt *v = NULL;
	size_t n = 0, cap = 0, start = 0, i = 0;
	dbw_buf piece = DBW_BUF_INIT;
	int rc = 0;
	*stmts_out = NULL;
	*n_out = 0;
	if (!text)
		len = 0;
	while (i < len) {
		size_t j = skip_quoted(text, len, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (text[i] != ';') {
			i++;
			continue;
		}
		/* a real semicolon: does it end the statement (not a trigger body)? */
		piece.len = 0;
		dbw_buf_put(&piece, text + start, i + 1 - start);
		if (piece.oom) {
			rc = DBW_ENOMEM;
			goto done;
		}
		if (sqlite3_complete(piece.data)) {
			if ((rc = add_stmt(&v, &n, &cap, text, start, i)) != 0)
				goto done;
			start = i + 1;
		}
		i++;
	}
	if ((rc = add_stmt(&v, &n, &cap, text, start, len)) != 0)
		goto done;
	*stmts_out = v;
	*n_out = n;
	v = NULL;
done:
	dbw_buf_free(&piece);
	free(v);
	return rc;
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/*
 * The token stream, one space between tokens. Unquoted words are folded to
 * lower case because SQLite's keywords and unquoted identifiers ignore
 * ASCII case; quoted tokens keep their spelling. SQLite has no parser API,
 * so this never fails on syntax: the database judges the text when run.
 */
int dbw_sqlite__fingerprint(const char *text, size_t len, char out[65], dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t i = 0;
	if (!text)
		len = 0;
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		size_t j;
		if (isspace(c)) {
			i++;
			continue;
		}
		if ((c == '-' && i + 1 < len && text[i + 1] == '-') ||
		    (c == '/' && i + 1 < len && text[i + 1] == '*')) {
			i = skip_quoted(text, len, i);
			continue;
		}
		if (b.len)
			dbw_buf_putc(&b, ' ');
		j = skip_quoted(text, len, i);
		if (j != i) {
			dbw_buf_put(&b, text + i, j - i);
			i = j;
		} else if (is_word(c)) {
			int number = isdigit(c);
			while (i < len &&
			       (is_word((unsigned char)text[i]) || (number && text[i] == '.')))
				dbw_buf_putc(&b, (char)tolower((unsigned char)text[i++]));
		} else {
			dbw_buf_putc(&b, (char)c);
			i++;
		}
	}
	if (b.oom) {
		dbw_buf_free(&b);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_sha256_hex(b.data ? b.data : "", b.len, out);
	dbw_buf_free(&b);
	return 0;
}
