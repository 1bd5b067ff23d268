/*
 * lint.c - the lint session: options and [lint] overrides, recording
 * findings with file:line:column and an excerpt, "-- dbward:allow"
 * sign-offs, totals and the exit code; the sanitize rules DW601 checks
 * against. The rules themselves live in pg.c
 * (PostgreSQL parse trees) and sqlite.c (SQLite's authorizer).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbward/sum.h>
#include "lint_internal.h"

/*
 * DW601 needs the sanitize rules the copy uses: `rules =` of [copy] in
 * dbward.ini, else sanitize.ini at the project root (docs/copy.md). No
 * setting and no sanitize.ini: the project does not sanitize, DW601 is off.
 * A named or present file that does not load is an error, as for copy.
 */
static int load_pii_rules(dbw_lint *l, const dbw_project *p, dbw_error *err)
{
	const char *setting = dbw_project_setting(p, "copy", "rules");
	char *file = dbw_path_join(dbw_project_root(p), setting ? setting : "sanitize.ini");
	int rc = 0;
	if (!file)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (setting || dbw_path_exists(file))
		rc = dbw_rules_load(&l->pii_rules, file, err);
	free(file);
	return rc;
}

int dbw_lint_new(dbw_lint **out, const dbw_lint_options *opts, dbw_error *err)
{
	dbw_lint_options defaults = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l;
	size_t n;
	const dbw_lint_rule *rules = dbw_lint_rules(&n);
	int rc = 0;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	l = calloc(1, sizeof(*l));
	if (!l)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	l->dialect = opts->dialect == DBW_DB_SQLITE ? DBW_DB_SQLITE : DBW_DB_POSTGRES;
	l->small_table_rows = -1;
	l->lock_timeout_configured = opts->lock_timeout_configured;
	if (opts->project) {
		for (size_t i = 0; i < n && i < 64; i++) {
			const char *v = dbw_project_setting(opts->project, "lint", rules[i].id);
			const char *key = rules[i].id;
			if (!v) {
				v = dbw_project_setting(opts->project, "lint", rules[i].name);
				key = rules[i].name;
			}
			if (!v)
				continue;
			if ((rc = dbw_severity_parse(v, &l->overrides[i], err)) != 0) {
				dbw_error_where(err, "[lint] %s", key);
				goto done;
			}
			l->has_override[i] = 1;
		}
		const char *small = dbw_project_setting(opts->project, "lint", "small_table_rows");
		if (small) {
			char *end = NULL;
			long v = strtol(small, &end, 10);
			if (!*small || *end || v < 0) {
				rc = dbw_error_set(err, DBW_ECONFIG,
				                   "invalid small_table_rows \"%s\"", small);
				dbw_error_hint(err, "Use a whole number of rows, e.g. 10000.");
				dbw_error_where(err, "[lint] small_table_rows");
				goto done;
			}
			l->small_table_rows = v;
		}
		if ((rc = load_pii_rules(l, opts->project, err)) != 0)
			goto done;
	}
done:
	if (rc) {
		dbw_lint_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

static void finding_clear(dbw_finding *f)
{
	free(f->file);
	free(f->message);
	free(f->excerpt);
	free(f->hint);
	free(f->table);
	free(f->schema);
	free(f->allow_reason);
}

void dbw_lint_free(dbw_lint *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		finding_clear(&l->items[i]);
	dbw_rules_free(l->pii_rules);
	free(l->items);
	dbw_lint__model_free(&l->model);
	dbw_lint__sqlite_close(l);
	free(l);
}

/* One line, blanks collapsed, at most 160 bytes (cut on a UTF-8 boundary). */
static char *make_excerpt(const char *s, size_t len)
{
	dbw_buf b = DBW_BUF_INIT;
	int blank = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c)) {
			blank = b.len > 0;
			continue;
		}
		if (blank)
			dbw_buf_putc(&b, ' ');
		blank = 0;
		if (b.len >= 160 && (c & 0xC0) != 0x80) {
			dbw_buf_puts(&b, " ...");
			break;
		}
		dbw_buf_putc(&b, (char)c);
	}
	return dbw_buf_detach(&b);
}

static int push_finding(dbw_lint *l, dbw_finding **out, dbw_error *err)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		dbw_finding *n = realloc(l->items, cap * sizeof(*n));
		if (!n)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		l->items = n;
		l->cap = cap;
	}
	*out = &l->items[l->count++];
	memset(*out, 0, sizeof(**out));
	(*out)->rows = -1;
	(*out)->bytes = -1;
	return 0;
}

static dbw_severity effective(const dbw_lint *l, int idx)
{
	const dbw_lint_rule *rules = dbw_lint_rules(NULL);
	if (idx < 64 && l->has_override[idx])
		return l->overrides[idx];
	return rules[idx].severity;
}

int dbw_lint__report(dbw_lint_file *f, const char *rule_id, size_t off, size_t stmt_off,
                     size_t stmt_len, const char *table, const char *hint, dbw_error *err,
                     const char *fmt, ...)
{
	dbw_lint *l = f->l;
	int idx = dbw_lint__rule_index(rule_id);
	dbw_finding *fd = NULL;
	va_list ap;
	dbw_buf msg = DBW_BUF_INIT;
	char tmp[1024];
	int rc;

	if (idx < 0)
		return dbw_error_set(err, DBW_EUSAGE, "unknown lint rule \"%s\"", rule_id);
	if ((f->flags & DBW_LINT_REPLAY) || effective(l, idx) == DBW_SEV_OFF)
		return 0;
	if ((rc = push_finding(l, &fd, err)) != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	dbw_buf_puts(&msg, tmp);
	fd->rule = &dbw_lint_rules(NULL)[idx];
	fd->severity = effective(l, idx);
	fd->file = dbw_strdup(f->file);
	if (off > f->len)
		off = f->len;
	fd->offset = off;
	dbw_text_position(f->content, f->len, off, &fd->line, &fd->col);
	fd->message = dbw_buf_detach(&msg);
	if (stmt_off + stmt_len > f->len)
		stmt_len = stmt_off < f->len ? f->len - stmt_off : 0;
	fd->excerpt = make_excerpt(f->content + stmt_off, stmt_len);
	fd->hint = dbw_strdup(hint ? hint : fd->rule->hint);
	fd->table = table ? dbw_strdup(table) : NULL;
	if (!fd->file || !fd->message || !fd->excerpt || !fd->hint || (table && !fd->table))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}

int dbw_lint_add(dbw_lint *l, const char *rule_id, const char *file, int line, int col,
                 const char *message, const char *hint, dbw_error *err)
{
	int idx = dbw_lint__rule_index(rule_id);
	dbw_finding *fd = NULL;
	int rc;
	if (idx < 0)
		return dbw_error_set(err, DBW_EUSAGE, "unknown lint rule \"%s\"", rule_id);
	if (effective(l, idx) == DBW_SEV_OFF)
		return 0;
	if ((rc = push_finding(l, &fd, err)) != 0)
		return rc;
	fd->rule = &dbw_lint_rules(NULL)[idx];
	fd->severity = effective(l, idx);
	fd->file = dbw_strdup(file ? file : "");
	fd->line = line;
	fd->col = col;
	fd->message = dbw_strdup(message);
	fd->excerpt = dbw_strdup("");
	fd->hint = dbw_strdup(hint ? hint : fd->rule->hint);
	if (!fd->file || !fd->message || !fd->excerpt || !fd->hint)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}

/*
 * Sign-offs are comments on their own line: "-- dbward:allow DW101 reason".
 * They are directives to dbward, like "-- dbward:no-transaction", read line
 * by line; they never decide a rule, they only accept a finding.
 */
int dbw_lint__apply_allows(dbw_lint_file *f, dbw_error *err)
{
	dbw_lint *l = f->l;
	size_t pos = f->start;
	int rc = 0;
	static const char marker[] = "dbward:allow";

	if (f->flags & DBW_LINT_REPLAY)
		return 0;
	while (pos < f->end) {
		const char *line = f->content + pos;
		const char *nl = memchr(line, '\n', f->end - pos);
		size_t n = nl ? (size_t)(nl - line) : f->end - pos;
		size_t i = 0, line_off = pos;
		pos += n + 1;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i + 2 > n || line[i] != '-' || line[i + 1] != '-')
			continue;
		i += 2;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (n - i < sizeof(marker) - 1 || strncmp(line + i, marker, sizeof(marker) - 1))
			continue;
		i += sizeof(marker) - 1;
		char *rest = dbw_strndup(line + i, n - i);
		if (!rest)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		char *p = dbw_str_trim(rest);
		char *id = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		char *reason = dbw_str_trim(p);
		size_t at = line_off + i;
		int idx = dbw_lint__rule_index(id);
		dbw_finding *match = NULL;
		if (idx >= 0 && *reason) {
			const dbw_lint_rule *r = &dbw_lint_rules(NULL)[idx];
			for (size_t k = f->first_finding; k < l->count; k++) {
				dbw_finding *fd = &l->items[k];
				if (fd->rule == r && !fd->allowed && fd->offset >= line_off) {
					match = fd;
					break;
				}
			}
			for (size_t k = f->first_finding; !match && k < l->count; k++) {
				dbw_finding *fd = &l->items[k];
				if (fd->rule == r && !fd->allowed)
					match = fd;
			}
		}
		if (match) {
			match->allowed = 1;
			match->allow_reason = dbw_strdup(reason);
		} else if (idx < 0) {
			rc = dbw_lint__report(f, "DW002", at, line_off, n, NULL,
			                      "Name a rule id such as DW101 (dbward lint --help "
			                      "lists them).",
			                      err, "dbward:allow names unknown rule \"%s\"", id);
		} else if (!*reason) {
			rc = dbw_lint__report(f, "DW002", at, line_off, n, NULL, NULL, err,
			                      "dbward:allow %s has no reason", id);
		} else {
			rc = dbw_lint__report(f, "DW002", at, line_off, n, NULL, NULL, err,
			                      "dbward:allow %s matches no finding", id);
		}
		free(rest);
		if (rc)
			return rc;
	}
	return 0;
}

int dbw_lint_text(dbw_lint *l, const char *file, const char *content, size_t len, size_t start,
                  size_t end, unsigned flags, dbw_error *err)
{
	dbw_lint_file f;
	int rc;
	if (end > len)
		end = len;
	if (start > end)
		start = end;
	f.l = l;
	f.file = file;
	f.content = content;
	f.len = len;
	f.start = start;
	f.end = end;
	f.flags = flags;
	f.first_finding = l->count;
	{
		/* neither parser reads past a NUL byte: the text cannot be SQL */
		const char *nul = memchr(content + start, '\0', end - start);
		if (nul)
			return dbw_lint__report(&f, "DW001", (size_t)(nul - content), start,
			                        (size_t)(nul - content) - start, NULL,
			                        "Remove the NUL byte: SQL text cannot hold one.",
			                        err, "the file contains a NUL byte");
	}
	rc = l->dialect == DBW_DB_SQLITE ? dbw_lint__sqlite(&f, err) : dbw_lint__pg(&f, err);
	if (rc)
		return rc;
	return dbw_lint__apply_allows(&f, err);
}

int dbw_lint_migration(dbw_lint *l, const dbw_migration *m, unsigned flags, dbw_error *err)
{
	if (m->no_transaction)
		flags |= DBW_LINT_NO_TXN;
	return dbw_lint_text(l, m->rel_path ? m->rel_path : m->path, m->content, m->content_len,
	                     m->up_offset, m->up_offset + m->up_len, flags, err);
}

size_t dbw_lint_count(const dbw_lint *l)
{
	return l->count;
}

const dbw_finding *dbw_lint_finding(const dbw_lint *l, size_t i)
{
	return i < l->count ? &l->items[i] : NULL;
}

void dbw_lint_totals(const dbw_lint *l, size_t *errors, size_t *warnings, size_t *infos,
                     size_t *allowed)
{
	size_t e = 0, w = 0, in = 0, a = 0;
	for (size_t i = 0; i < l->count; i++) {
		const dbw_finding *f = &l->items[i];
		if (f->allowed)
			a++;
		else if (f->severity == DBW_SEV_ERROR)
			e++;
		else if (f->severity == DBW_SEV_WARNING)
			w++;
		else if (f->severity == DBW_SEV_INFO)
			in++;
	}
	if (errors)
		*errors = e;
	if (warnings)
		*warnings = w;
	if (infos)
		*infos = in;
	if (allowed)
		*allowed = a;
}

int dbw_lint_code(const dbw_lint *l)
{
	int rc = 0;
	for (size_t i = 0; i < l->count; i++) {
		const dbw_finding *f = &l->items[i];
		if (f->allowed || f->severity != DBW_SEV_ERROR)
			continue;
		if (strcmp(f->rule->category, "history") == 0)
			return DBW_EHISTORY;
		rc = DBW_ELINT;
	}
	return rc;
}

int dbw_lint_set(dbw_lint *l, const dbw_migration_set *set, const unsigned char *want,
                 dbw_error *err)
{
	size_t last = want ? 0 : set->count;
	int rc = 0;
	for (size_t i = 0; want && i < set->count; i++)
		if (want[i])
			last = i + 1;
	for (size_t i = 0; i < last && !rc; i++)
		rc = dbw_lint_migration(l, &set->items[i], !want || want[i] ? 0 : DBW_LINT_REPLAY,
		                        err);
	return rc;
}

int dbw_lint_seeds(dbw_lint *l, const char *seeds_dir, const char *root, dbw_error *err)
{
	dbw_strv names = DBW_STRV_INIT;
	int rc = 0;
	if (!seeds_dir || !dbw_path_is_dir(seeds_dir))
		return 0;
	if ((rc = dbw_dir_list(seeds_dir, &names, err)) != 0)
		return rc;
	for (size_t i = 0; i < names.count && !rc; i++) {
		char *path, *rel, *data = NULL;
		size_t len;
		if (!dbw_str_endswith(names.items[i], ".sql"))
			continue;
		path = dbw_path_join(seeds_dir, names.items[i]);
		rel = path ? (root ? dbw_path_relative(path, root) : dbw_strdup(path)) : NULL;
		if (!rel)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		else if ((rc = dbw_file_read(path, &data, &len, err)) == 0)
			rc = dbw_lint_text(l, rel, data, len, 0, len, DBW_LINT_SEED, err);
		free(data);
		free(rel);
		free(path);
	}
	dbw_strv_free(&names);
	return rc;
}

int dbw_lint_sum(dbw_lint *l, const dbw_migration_set *set, dbw_error *err)
{
	dbw_sum_report *r = NULL;
	int rc = dbw_sum_verify(set, l->dialect, &r, err);
	if (rc == DBW_EHISTORY) {
		dbw_error_clear(err);
		rc = 0;
		for (size_t i = 0; i < r->count && !rc; i++) {
			const dbw_sum_change *c = &r->items[i];
			const char *hint =
			    c->kind == DBW_SUM_COSMETIC
			        ? "Only whitespace or comments changed: restore the file, or run "
			          "\"dbward sum\" to accept the edit."
			    : c->kind == DBW_SUM_ADDED
			        ? "Run \"dbward sum\" and commit dbward.sum with the migration."
			        : NULL;
			rc = dbw_lint_add(l, "DW003", c->file ? c->file : r->path,
			                  c->file ? 0 : c->line, 0, c->message, hint, err);
		}
	}
	dbw_sum_report_free(r);
	return rc;
}

dbw_db_kind dbw_lint_folder_dialect(const char *migrations_dir)
{
	char *path = dbw_path_join(migrations_dir, "migration_lock.toml");
	char *data = NULL;
	size_t len = 0;
	dbw_db_kind kind = DBW_DB_NONE;
	if (path && dbw_file_read(path, &data, &len, NULL) == 0) {
		/* Prisma writes: provider = "sqlite" (a TOML key, not SQL) */
		char *line = data;
		while (line && *line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			char *t = dbw_str_trim(line);
			if (strncmp(t, "provider", 8) == 0) {
				char *q = strchr(t, '"');
				if (q && strncmp(q, "\"sqlite\"", 8) == 0)
					kind = DBW_DB_SQLITE;
				else if (q && (strncmp(q, "\"postgresql\"", 12) == 0 ||
				               strncmp(q, "\"postgres\"", 10) == 0))
					kind = DBW_DB_POSTGRES;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	free(data);
	free(path);
	return kind;
}

int dbw_lint_dialect(const dbw_project *p, const dbw_env *env, dbw_db_kind *out, dbw_error *err)
{
	const char *d = p ? dbw_project_setting(p, "lint", "dialect") : NULL;
	*out = DBW_DB_POSTGRES;
	if (d) {
		if (strcasecmp(d, "sqlite") == 0) {
			*out = DBW_DB_SQLITE;
		} else if (strcasecmp(d, "postgres") && strcasecmp(d, "postgresql")) {
			dbw_error_set(err, DBW_ECONFIG, "invalid lint dialect \"%s\"", d);
			dbw_error_hint(err, "Use postgres or sqlite.");
			dbw_error_where(err, "[lint] dialect");
			return DBW_ECONFIG;
		}
		return 0;
	}
	if (p && (*out = dbw_lint_folder_dialect(dbw_project_migrations_dir(p))) != DBW_DB_NONE)
		return 0;
	*out = DBW_DB_POSTGRES;
	/* config.c names the fallback "the embedded SQLite default" in url_origin */
	if (env && env->url && !(env->url_origin && strstr(env->url_origin, "embedded")) &&
	    dbw_url_kind(env->url) == DBW_DB_SQLITE)
		*out = DBW_DB_SQLITE;
	return 0;
}
