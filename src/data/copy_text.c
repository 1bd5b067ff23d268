/*
 * copy_text.c - PostgreSQL's COPY text format, row by row: split a row into
 * fields and undo the backslash escapes; write fields back escaped. The
 * format (PostgreSQL docs, COPY, "Text Format"): fields separated by tab,
 * rows ended by newline, \N for NULL, and backslash escapes \b \f \n \r \t
 * \v \\, \digits (octal) and \xhex. A raw tab never occurs inside a field,
 * so splitting on tabs is exact before any unescaping.
 */
#include <string.h>

#include "data/copy_internal.h"

int dbw_copytext_split(const char *line, size_t len, dbw_field *fields, size_t max, size_t *n_out)
{
	size_t n = 0, start = 0;
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == max)
			return -1;
		fields[n].p = line + start;
		fields[n].len = i - start;
		fields[n].is_null =
		    fields[n].len == 2 && line[start] == '\\' && line[start + 1] == 'N';
		fields[n].is_blob = 0;
		n++;
		start = i + 1;
	}
	*n_out = n;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dbw_copytext_unescape(const char *p, size_t len, dbw_buf *out)
{
	out->len = 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c != '\\' || i + 1 == len) {
			dbw_buf_putc(out, c);
			continue;
		}
		c = p[++i];
		switch (c) {
		case 'b':
			dbw_buf_putc(out, '\b');
			break;
		case 'f':
			dbw_buf_putc(out, '\f');
			break;
		case 'n':
			dbw_buf_putc(out, '\n');
			break;
		case 'r':
			dbw_buf_putc(out, '\r');
			break;
		case 't':
			dbw_buf_putc(out, '\t');
			break;
		case 'v':
			dbw_buf_putc(out, '\v');
			break;
		case 'x':
			if (i + 1 < len && hexval(p[i + 1]) >= 0) {
				int v = hexval(p[++i]);
				if (i + 1 < len && hexval(p[i + 1]) >= 0)
					v = v * 16 + hexval(p[++i]);
				dbw_buf_putc(out, (char)v);
			} else {
				dbw_buf_putc(out, 'x');
			}
			break;
		default:
			if (c >= '0' && c <= '7') {
				int v = c - '0';
				for (int k = 0;
				     k < 2 && i + 1 < len && p[i + 1] >= '0' && p[i + 1] <= '7';
				     k++)
					v = v * 8 + (p[++i] - '0');
				dbw_buf_putc(out, (char)v);
			} else {
				/* Any other escaped character stands for itself (\\ included). */
				dbw_buf_putc(out, c);
			}
		}
	}
	if (!out->data)
		dbw_buf_put(out, "", 0);
	return out->oom ? DBW_ENOMEM : 0;
}

int dbw_copytext_escape(const char *p, size_t len, dbw_buf *out)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *esc = NULL;
		switch (p[i]) {
		case '\\':
			esc = "\\\\";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\v':
			esc = "\\v";
			break;
		default:
			continue;
		}
		dbw_buf_put(out, p + run, i - run);
		dbw_buf_puts(out, esc);
		run = i + 1;
	}
	dbw_buf_put(out, p + run, len - run);
	return out->oom ? DBW_ENOMEM : 0;
}
