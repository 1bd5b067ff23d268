/*
 * url.c - database URLs without a connection: which engine a URL names,
 * the same URL with its password hidden, and SQL quoting per dialect.
 * Also the UTF-8 character-to-byte position helper the drivers share.
 *
 * Redaction must never fail on garbage: it copies what it does not
 * understand and only ever replaces a password value by "****".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver/driver.h"
#include "util/util.h"

static int has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* libpq conninfo: the text starts with "keyword =" (libpq's conninfo_parse). */
static int looks_like_conninfo(const char *s)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	return *p == '=';
}

dbw_db_kind dbw_url_kind(const char *url)
{
	if (!url || !*url)
		return DBW_DB_NONE;
	if (has_prefix_ci(url, "postgres://") || has_prefix_ci(url, "postgresql://"))
		return DBW_DB_POSTGRES;
	if (has_prefix_ci(url, "sqlite:"))
		return url[7] ? DBW_DB_SQLITE : DBW_DB_NONE;
	if (strstr(url, "://"))
		return DBW_DB_NONE;
	if (looks_like_conninfo(url))
		return DBW_DB_POSTGRES;
	if (dbw_str_endswith(url, ".db") || dbw_str_endswith(url, ".sqlite") ||
	    dbw_str_endswith(url, ".sqlite3"))
		return DBW_DB_SQLITE;
	return DBW_DB_NONE;
}

/* Query parameters "?a=1&password=x": replace each password value. */
static void redact_query(dbw_buf *b, const char *q)
{
	while (*q) {
		const char *end = q + strcspn(q, "&#");
		const char *eq = memchr(q, '=', (size_t)(end - q));
		if (eq && (size_t)(eq - q) == 8 && strncmp(q, "password", 8) == 0) {
			dbw_buf_put(b, q, (size_t)(eq - q + 1));
			dbw_buf_puts(b, "****");
		} else {
			dbw_buf_put(b, q, (size_t)(end - q));
		}
		q = end;
		if (*q == '&') {
			dbw_buf_putc(b, '&');
			q++;
		} else if (*q == '#') {
			dbw_buf_puts(b, q);
			return;
		}
	}
}

static void redact_uri(dbw_buf *b, const char *url)
{
	const char *auth = strstr(url, "://") + 3;
	const char *auth_end = auth + strcspn(auth, "/?#");
	const char *at = NULL, *q;
	for (const char *p = auth; p < auth_end; p++)
		if (*p == '@')
			at = p;
	dbw_buf_put(b, url, (size_t)(auth - url));
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			dbw_buf_put(b, auth, (size_t)(colon - auth + 1));
			dbw_buf_puts(b, "****");
		} else {
			dbw_buf_put(b, auth, (size_t)(at - auth));
		}
		auth = at;
	}
	q = strchr(auth, '?');
	if (!q) {
		dbw_buf_puts(b, auth);
		return;
	}
	dbw_buf_put(b, auth, (size_t)(q - auth + 1));
	redact_query(b, q + 1);
}

/* keyword = value pairs; values may be 'quoted' with \ escapes (libpq). */
static void redact_conninfo(dbw_buf *b, const char *s)
{
	const char *p = s;
	while (*p) {
		const char *key, *key_end, *val;
		while (isspace((unsigned char)*p))
			dbw_buf_putc(b, *p++);
		if (!*p)
			break;
		key = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		key_end = p;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') { /* garbage: copy the rest as it is */
			dbw_buf_puts(b, key);
			return;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		dbw_buf_put(b, key, (size_t)(p - key));
		val = p;
		if (*p == '\'') {
			p++;
			while (*p && *p != '\'') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (*p == '\'')
				p++;
		} else {
			while (*p && !isspace((unsigned char)*p)) {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
		}
		if (key_end - key == 8 && strncmp(key, "password", 8) == 0)
			dbw_buf_puts(b, "****");
		else
			dbw_buf_put(b, val, (size_t)(p - val));
	}
}

char *dbw_url_redact(const char *url)
{
	dbw_buf b = DBW_BUF_INIT;
	if (!url)
		return dbw_strdup("");
	if (strstr(url, "://") && !has_prefix_ci(url, "sqlite:"))
		redact_uri(&b, url);
	else if (looks_like_conninfo(url))
		redact_conninfo(&b, url);
	else
		dbw_buf_puts(&b, url);
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	return dbw_buf_detach(&b);
}

char *dbw_sql_quote_ident(dbw_db_kind kind, const char *ident)
{
	dbw_buf b = DBW_BUF_INIT;
	(void)kind; /* both dialects double the quote character */
	dbw_buf_putc(&b, '"');
	for (const char *p = ident ? ident : ""; *p; p++) {
		if (*p == '"')
			dbw_buf_putc(&b, '"');
		dbw_buf_putc(&b, *p);
	}
	dbw_buf_putc(&b, '"');
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	return dbw_buf_detach(&b);
}

char *dbw_sql_quote_literal(dbw_db_kind kind, const char *value)
{
	dbw_buf b = DBW_BUF_INIT;
	const char *v = value ? value : "";
	/* PostgreSQL's quote_literal(): E'' with doubled backslashes when the
	 * value holds one, so the result is right whatever
	 * standard_conforming_strings says. SQLite has no backslash escapes. */
	int e = kind == DBW_DB_POSTGRES && strchr(v, '\\');
	if (e)
		dbw_buf_putc(&b, 'E');
	dbw_buf_putc(&b, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '\'' || (e && *p == '\\'))
			dbw_buf_putc(&b, *p);
		dbw_buf_putc(&b, *p);
	}
	dbw_buf_putc(&b, '\'');
	if (b.oom) {
		dbw_buf_free(&b);
		return NULL;
	}
	return dbw_buf_detach(&b);
}

size_t dbw_utf8__char_to_byte(const char *text, size_t len, size_t chars)
{
	size_t i = 0;
	while (chars > 0 && i < len) {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}
