/*
 * dotenv.c - the dotenv file format and ${VAR} expansion.
 *
 * Follows the convention shared by dotenv + dotenv-expand (Node) and
 * godotenv (Go): KEY=VALUE lines, an optional `export ` prefix, full-line #
 * comments and # comments after an unquoted value when whitespace precedes
 * them, '...' taken literally, "..." with \n \r \t \" \\ \$ escapes and
 * values spanning lines, `...` literally, and ${VAR}, ${VAR:-default} and
 * $VAR expanded in unquoted and double-quoted values. Unlike dotenv, which
 * skips lines it cannot read, a malformed line is an error naming file:line:
 * a silently ignored DATABASE_URL is exactly what dbward exists to prevent.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static int is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

/* Keys may also hold dots and dashes (godotenv accepts them). */
static int is_key_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/*
 * Expand the `$` at s[*i]; advance *i past what was consumed. A `$` not
 * followed by a name is kept as is. Returns 0, DBW_ECONFIG (unterminated
 * ${ or, when strict, an undefined variable named in *missing) or DBW_ENOMEM.
 */
static int expand_one(const char *s, size_t *i, dbw_buf *b, dbw_lookup_fn lookup, void *ctx,
                      int strict, char **missing)
{
	size_t j = *i + 1, name_start, name_end;
	const char *def = NULL;
	size_t def_len = 0;
	int def_if_empty = 0;
	char *name;
	const char *val;

	if (s[j] == '{') {
		name_start = ++j;
		while (is_name_char((unsigned char)s[j]))
			j++;
		name_end = j;
		if (name_end == name_start)
			return DBW_ECONFIG;
		if (s[j] == ':' && s[j + 1] == '-') {
			def_if_empty = 1;
			j += 2;
		} else if (s[j] == '-') {
			j += 1;
		} else if (s[j] != '}') {
			return DBW_ECONFIG;
		}
		if (s[j] != '}') {
			def = s + j;
			while (s[j] && s[j] != '}' && s[j] != '\n')
				j++;
			if (s[j] != '}')
				return DBW_ECONFIG;
			def_len = (size_t)(s + j - def);
		} else if (s[j - 1] == '-') {
			def = s + j; /* ${VAR:-} or ${VAR-}: empty default */
		}
		j++; /* the } */
	} else if (is_name_start((unsigned char)s[j])) {
		name_start = j;
		while (is_name_char((unsigned char)s[j]))
			j++;
		name_end = j;
	} else {
		*i += 1;
		return dbw_buf_putc(b, '$') < 0 ? DBW_ENOMEM : 0;
	}
	name = dbw_strndup(s + name_start, name_end - name_start);
	if (!name)
		return DBW_ENOMEM;
	val = lookup ? lookup(ctx, name) : NULL;
	if (def && (!val || (def_if_empty && !*val))) {
		dbw_buf_put(b, def, def_len);
	} else if (val) {
		dbw_buf_puts(b, val);
	} else if (strict) {
		if (missing)
			*missing = name;
		else
			free(name);
		return DBW_ECONFIG;
	}
	free(name);
	*i = j;
	return b->oom ? DBW_ENOMEM : 0;
}

int dbw_config__expand(const char *text, dbw_lookup_fn lookup, void *ctx, int strict, char **out,
                       char **missing_out, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	if (missing_out)
		*missing_out = NULL;
	while (text[i]) {
		if (text[i] == '$') {
			rc = expand_one(text, &i, &b, lookup, ctx, strict, missing_out);
			if (rc == DBW_ENOMEM) {
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				goto done;
			}
			if (rc < 0) {
				if (missing_out && *missing_out)
					rc = dbw_error_set(err, DBW_ECONFIG,
					                   "variable \"%s\" is not set",
					                   *missing_out);
				else
					rc = dbw_error_set(err, DBW_ECONFIG,
					                   "malformed variable reference in \"%s\"",
					                   text);
				goto done;
			}
			continue;
		}
		dbw_buf_putc(&b, text[i++]);
	}
	*out = dbw_buf_detach(&b);
	if (!*out)
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
done:
	dbw_buf_free(&b);
	return rc;
}

static int malformed(dbw_error *err, const char *file, int line, const char *what)
{
	dbw_error_set(err, DBW_ECONFIG, "could not parse \"%s\" line %d: %s", file, line, what);
	dbw_error_where(err, "%s:%d", file, line);
	dbw_error_hint(err, "Write each variable as KEY=VALUE; quote values holding spaces or #.");
	return DBW_ECONFIG;
}

/* After a closing quote only blanks and a # comment may follow on the line. */
static int rest_of_line_ok(const char *s, size_t *i)
{
	while (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r')
		(*i)++;
	if (s[*i] == '#')
		while (s[*i] && s[*i] != '\n')
			(*i)++;
	return s[*i] == '\0' || s[*i] == '\n';
}

static int count_lines(const char *from, const char *to)
{
	int n = 0;
	for (; from < to; from++)
		if (*from == '\n')
			n++;
	return n;
}

int dbw_dotenv__parse(const char *text, const char *file, dbw_lookup_fn lookup,
                      dbw_dotenv_emit_fn emit, void *ctx, dbw_error *err)
{
	size_t i = 0;
	int line = 1, rc = 0;
	dbw_buf val = DBW_BUF_INIT;
	char *key = NULL;

	if (!strncmp(text, "\xEF\xBB\xBF", 3))
		i = 3; /* a UTF-8 byte order mark, as some editors write */
	while (text[i]) {
		size_t line_start = i, k0;
		int start_line = line;

		while (text[i] == ' ' || text[i] == '\t')
			i++;
		if (text[i] == '\n' || text[i] == '\r' || text[i] == '#' || text[i] == '\0') {
			while (text[i] && text[i] != '\n')
				i++;
			if (text[i] == '\n') {
				i++;
				line++;
			}
			continue;
		}
		if (!strncmp(text + i, "export", 6) &&
		    (text[i + 6] == ' ' || text[i + 6] == '\t')) {
			i += 6;
			while (text[i] == ' ' || text[i] == '\t')
				i++;
		}
		k0 = i;
		if (!is_name_start((unsigned char)text[i])) {
			rc = malformed(err, file, line, "expected a variable name");
			goto done;
		}
		while (is_key_char((unsigned char)text[i]))
			i++;
		free(key);
		key = dbw_strndup(text + k0, i - k0);
		if (!key) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		while (text[i] == ' ' || text[i] == '\t')
			i++;
		if (text[i] != '=') {
			rc = malformed(err, file, line, "expected \"=\" after the variable name");
			goto done;
		}
		i++;
		while (text[i] == ' ' || text[i] == '\t')
			i++;
		dbw_buf_free(&val);
		if (text[i] == '\'' || text[i] == '`') {
			char q = text[i++];
			size_t v0 = i;
			while (text[i] && text[i] != q)
				i++;
			if (!text[i]) {
				rc = malformed(err, file, start_line, "unterminated quoted value");
				goto done;
			}
			dbw_buf_put(&val, text + v0, i - v0);
			i++;
			if (!rest_of_line_ok(text, &i)) {
				rc =
				    malformed(err, file,
				              start_line + count_lines(text + line_start, text + i),
				              "unexpected text after the closing quote");
				goto done;
			}
		} else if (text[i] == '"') {
			i++;
			while (text[i] && text[i] != '"') {
				if (text[i] == '\\' && text[i + 1]) {
					char c = text[i + 1];
					i += 2;
					switch (c) {
					case 'n':
						dbw_buf_putc(&val, '\n');
						break;
					case 'r':
						dbw_buf_putc(&val, '\r');
						break;
					case 't':
						dbw_buf_putc(&val, '\t');
						break;
					case '"':
					case '\\':
					case '$':
						dbw_buf_putc(&val, c);
						break;
					default:
						dbw_buf_putc(&val, '\\');
						dbw_buf_putc(&val, c);
					}
				} else if (text[i] == '$') {
					rc = expand_one(text, &i, &val, lookup, ctx, 0, NULL);
					if (rc < 0) {
						if (rc == DBW_ENOMEM)
							rc = dbw_error_set(err, DBW_ENOMEM,
							                   "out of memory");
						else
							rc = malformed(
							    err, file,
							    start_line +
							        count_lines(text + line_start,
							                    text + i),
							    "unterminated \"${\"");
						goto done;
					}
				} else {
					dbw_buf_putc(&val, text[i++]);
				}
			}
			if (!text[i]) {
				rc = malformed(err, file, start_line, "unterminated quoted value");
				goto done;
			}
			i++;
			if (!rest_of_line_ok(text, &i)) {
				rc =
				    malformed(err, file,
				              start_line + count_lines(text + line_start, text + i),
				              "unexpected text after the closing quote");
				goto done;
			}
		} else {
			while (text[i] && text[i] != '\n') {
				if (text[i] == '#' && i > 0 &&
				    (text[i - 1] == ' ' || text[i - 1] == '\t'))
					break;
				if (text[i] == '$') {
					rc = expand_one(text, &i, &val, lookup, ctx, 0, NULL);
					if (rc < 0) {
						if (rc == DBW_ENOMEM)
							rc = dbw_error_set(err, DBW_ENOMEM,
							                   "out of memory");
						else
							rc = malformed(err, file, line,
							               "unterminated \"${\"");
						goto done;
					}
					continue;
				}
				dbw_buf_putc(&val, text[i++]);
			}
			while (text[i] && text[i] != '\n')
				i++;
			while (val.len &&
			       (val.data[val.len - 1] == ' ' || val.data[val.len - 1] == '\t' ||
			        val.data[val.len - 1] == '\r'))
				val.data[--val.len] = '\0';
		}
		if (val.oom) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (emit && emit(ctx, key, dbw_buf_cstr(&val), start_line) != 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		line = start_line + count_lines(text + line_start, text + i);
		if (text[i] == '\n') {
			i++;
			line++;
		}
	}
done:
	free(key);
	dbw_buf_free(&val);
	return rc;
}
