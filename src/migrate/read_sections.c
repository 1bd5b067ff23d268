/*
 * read_sections.c - the sections of a dbward / dbmate migration file:
 * "-- migrate:up" and "-- migrate:down" marker lines (dbmate's rule: a line
 * starting "--", optional blanks, "migrate:up" followed by blanks and
 * options such as "transaction:false"), and dbward's own
 * "-- dbward:no-transaction" marker. A file with neither migrate marker is
 * all up SQL (dbward's simple form).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/folder.h"

typedef enum { L_OTHER, L_UP, L_DOWN, L_NO_TXN } line_kind;

/* Classify the line [s, e) (e excludes the newline). *opts: the text after the marker. */
static line_kind classify(const char *s, const char *e, const char **opts)
{
	const char *p = s;
	size_t n;
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - p < 2 || p[0] != '-' || p[1] != '-')
		return L_OTHER;
	p += 2;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(e - p);
	if (n == strlen("dbward:no-transaction") && memcmp(p, "dbward:no-transaction", n) == 0)
		return L_NO_TXN;
	if (n >= 10 && memcmp(p, "migrate:up", 10) == 0 &&
	    (n == 10 || isspace((unsigned char)p[10]))) {
		*opts = p + 10;
		return L_UP;
	}
	if (n >= 12 && memcmp(p, "migrate:down", 12) == 0 &&
	    (n == 12 || isspace((unsigned char)p[12]))) {
		*opts = p + 12;
		return L_DOWN;
	}
	return L_OTHER;
}

/* dbmate's options: "transaction:false" among blank-separated key:value pairs. */
static int opts_no_transaction(const char *p)
{
	const char *key = "transaction:false";
	size_t kl = strlen(key);
	while (*p && *p != '\n') {
		while (*p && *p != '\n' && isspace((unsigned char)*p))
			p++;
		if (strncmp(p, key, kl) == 0 && (p[kl] == '\0' || isspace((unsigned char)p[kl])))
			return 1;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return 0;
}

/* Only blanks and "--" comment lines in [s, e)? */
static int only_comments(const char *s, const char *e, const char **bad)
{
	while (s < e) {
		const char *eol = memchr(s, '\n', (size_t)(e - s));
		const char *p = s;
		if (!eol)
			eol = e;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		if (p < eol && !(eol - p >= 2 && p[0] == '-' && p[1] == '-')) {
			*bad = p;
			return 0;
		}
		s = eol + 1;
	}
	return 1;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

static int fail_at(dbw_migration *m, size_t off, dbw_error *err, const char *msg, const char *hint)
{
	int line, col;
	dbw_migration_position(m, off, &line, &col);
	dbw_error_set(err, DBW_EINPUT, "%s in migration file \"%s\"", msg, m->rel_path);
	dbw_error_hint(err, "%s", hint);
	dbw_error_where(err, "%s:%d:%d", m->rel_path, line, col);
	return DBW_EINPUT;
}

int dbw_migration__read_sections(dbw_migration *m, dbw_error *err)
{
	const char *c = m->content, *end = m->content + m->content_len;
	const char *up_line = NULL, *up_body = NULL, *down_line = NULL, *down_body = NULL;
	const char *opts = NULL, *bad = NULL;
	int no_txn = 0, up_opts_no_txn = 0;

	/* a UTF-8 byte order mark (Windows editors) is not SQL */
	if (m->content_len >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0)
		c += 3;
	for (const char *s = c; s < end;) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *next = eol ? eol + 1 : end;
		line_kind k = classify(s, eol ? eol : end, &opts);
		if (k == L_UP) {
			if (up_line)
				return fail_at(m, (size_t)(s - m->content), err,
				               "second \"-- migrate:up\" line",
				               "Keep one \"-- migrate:up\" section per file.");
			if (down_line)
				return fail_at(m, (size_t)(s - m->content), err,
				               "\"-- migrate:up\" after \"-- migrate:down\"",
				               "Put the up section first, then the down section.");
			up_line = s;
			up_body = next;
			up_opts_no_txn = opts_no_transaction(opts);
		} else if (k == L_DOWN) {
			if (down_line)
				return fail_at(m, (size_t)(s - m->content), err,
				               "second \"-- migrate:down\" line",
				               "Keep one \"-- migrate:down\" section per file.");
			down_line = s;
			down_body = next;
		} else if (k == L_NO_TXN && !down_line) {
			no_txn = 1;
		}
		s = next;
	}
	if (down_line && !up_line)
		return fail_at(m, (size_t)(down_line - m->content), err,
		               "\"-- migrate:down\" without \"-- migrate:up\"",
		               "Add a \"-- migrate:up\" line above the up SQL.");
	if (up_line && !only_comments(c, up_line, &bad))
		return fail_at(m, (size_t)(bad - m->content), err, "SQL before \"-- migrate:up\"",
		               "Move the statement below the \"-- migrate:up\" line.");

	if (!up_line) { /* dbward's simple form: the whole file is up SQL */
		m->up_offset = (size_t)(c - m->content);
		m->up_len = (size_t)(end - c);
	} else {
		m->up_offset = (size_t)(up_body - m->content);
		m->up_len = (size_t)((down_line ? down_line : end) - up_body);
	}
	m->no_transaction = no_txn || up_opts_no_txn;
	free(m->down_sql);
	m->down_sql = NULL;
	m->down_offset = 0;
	if (down_line && !blank(down_body, (size_t)(end - down_body))) {
		m->down_sql = dbw_strndup(down_body, (size_t)(end - down_body));
		if (!m->down_sql)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		m->down_offset = (size_t)(down_body - m->content);
	}
	return 0;
}

int dbw_migration__scan_marker(const dbw_migration *m)
{
	const char *c = m->content, *end = m->content + m->content_len, *opts = NULL;
	if (m->content_len >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0)
		c += 3;
	for (const char *s = c; s < end;) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		if (classify(s, eol ? eol : end, &opts) == L_NO_TXN)
			return 1;
		s = eol ? eol + 1 : end;
	}
	return 0;
}
