/*
 * buf.c - growable NUL-terminated buffers and string lists. An allocation
 * failure marks the buffer (oom) instead of failing every call site, and
 * detach then returns NULL: one check at the end instead of one per append.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <fnmatch.h>

#include "util/util.h"

int dbw_buf_grow(dbw_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;
	if (b->oom)
		return DBW_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = 1;
		return DBW_ENOMEM;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int dbw_buf_put(dbw_buf *b, const char *data, size_t len)
{
	if (dbw_buf_grow(b, len) < 0)
		return DBW_ENOMEM;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int dbw_buf_puts(dbw_buf *b, const char *s)
{
	return dbw_buf_put(b, s, strlen(s));
}

int dbw_buf_putc(dbw_buf *b, char c)
{
	return dbw_buf_put(b, &c, 1);
}

int dbw_buf_printf(dbw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || dbw_buf_grow(b, (size_t)n) < 0)
		return DBW_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *dbw_buf_detach(dbw_buf *b)
{
	char *s;
	if (b->oom) {
		dbw_buf_free(b);
		return NULL;
	}
	s = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void dbw_buf_free(dbw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

const char *dbw_buf_cstr(const dbw_buf *b)
{
	return b->data ? b->data : "";
}

int dbw_strv_take(dbw_strv *v, char *s)
{
	if (!s)
		return DBW_ENOMEM;
	if (v->count == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		char **p = realloc(v->items, cap * sizeof(*p));
		if (!p) {
			free(s);
			return DBW_ENOMEM;
		}
		v->items = p;
		v->cap = cap;
	}
	v->items[v->count++] = s;
	return 0;
}

int dbw_strv_push(dbw_strv *v, const char *s)
{
	return dbw_strv_take(v, strdup(s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void dbw_strv_sort(dbw_strv *v)
{
	if (v->count > 1)
		qsort(v->items, v->count, sizeof(char *), cmp_str);
}

int dbw_strv_contains(const dbw_strv *v, const char *s)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->items[i], s) == 0)
			return 1;
	return 0;
}

void dbw_strv_free(dbw_strv *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->count = v->cap = 0;
}

int dbw_strv_split_list(dbw_strv *v, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *item = dbw_strndup(p, n);
		if (!item)
			return DBW_ENOMEM;
		dbw_str_trim(item);
		if (*item) {
			if (dbw_strv_take(v, item) < 0)
				return DBW_ENOMEM;
		} else {
			free(item);
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

char *dbw_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *dbw_strndup(const char *s, size_t n)
{
	return s ? strndup(s, n) : NULL;
}

char *dbw_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int dbw_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int dbw_str_endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *dbw_str_trim(char *s)
{
	char *start = s, *end;
	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	if (start != s)
		memmove(s, start, (size_t)(end - start) + 1);
	return s;
}

int dbw_glob_match(const char *pattern, const char *text)
{
	return fnmatch(pattern, text, 0) == 0;
}
