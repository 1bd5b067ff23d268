/*
 * sanitize_rules.c - the sanitize.ini rule set: parsing (inih), validation
 * and lookup by schema, table and column. The transformers themselves live
 * in sanitize_transform.c.
 */
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include <dbward/copy.h>
#include "util/util.h"

struct dbw_rules {
	dbw_rule *items;
	size_t count, cap;
	dbw_strv skipped; /* "schema.table" or "table" */
};

static const char *const kind_names[DBW_RULE__COUNT] = {
    "keep", "redact",    "null",       "mask",         "hash_email",
    "hash", "fake_name", "fake_phone", "fake_address", "set",
};

const char *dbw_rule_kind_name(dbw_rule_kind k)
{
	return (unsigned)k < DBW_RULE__COUNT ? kind_names[k] : "?";
}

int dbw_rules_new(dbw_rules **out, dbw_error *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}

void dbw_rules_free(dbw_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].table);
		free(r->items[i].column);
		free(r->items[i].arg);
	}
	free(r->items);
	dbw_strv_free(&r->skipped);
	free(r);
}

size_t dbw_rules_count(const dbw_rules *r)
{
	return r ? r->count : 0;
}

const dbw_rule *dbw_rules_at(const dbw_rules *r, size_t i)
{
	return r && i < r->count ? &r->items[i] : NULL;
}

/* The parse state: inih calls back per key; a reader counts lines so that
 * messages can name file:line (Debian's inih has no line-number handler). */
typedef struct parse_ctx {
	dbw_rules *rules;
	const char *name;
	const char *text;
	size_t pos;
	int line;
	int rc;
	dbw_error *err;
} parse_ctx;

static char *read_line(char *str, int num, void *stream)
{
	parse_ctx *p = stream;
	size_t n = 0;
	if (!p->text[p->pos])
		return NULL;
	while (p->text[p->pos] && n + 1 < (size_t)num) {
		char ch = p->text[p->pos++];
		str[n++] = ch;
		if (ch == '\n')
			break;
	}
	str[n] = '\0';
	p->line++;
	return str;
}

static int fail(parse_ctx *p, int code, const char *msg, const char *what)
{
	dbw_error_set(p->err, code, msg, what);
	dbw_error_where(p->err, "%s:%d", p->name, p->line);
	p->rc = code;
	return 0;
}

static int parse_kind(const char *text, size_t len, dbw_rule_kind *out)
{
	for (int k = 0; k < DBW_RULE__COUNT; k++)
		if (strlen(kind_names[k]) == len && strncmp(kind_names[k], text, len) == 0) {
			*out = (dbw_rule_kind)k;
			return 0;
		}
	return -1;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
	parse_ctx *p = user;
	const char *colon = strchr(value, ':');
	size_t klen = colon ? (size_t)(colon - value) : strlen(value);
	dbw_rule_kind kind;
	dbw_rule *r;

	if (p->rc < 0)
		return 0;
	if (!*section)
		return fail(p, DBW_ECONFIG, "rule \"%s\" outside a [table] section", key);
	if (strcmp(key, "*") == 0) {
		if (strcmp(value, "skip") != 0)
			return fail(p, DBW_ECONFIG, "unknown table rule \"%s\"", value);
		if (!dbw_strv_contains(&p->rules->skipped, section) &&
		    dbw_strv_push(&p->rules->skipped, section) < 0)
			return fail(p, DBW_ENOMEM, "out of memory%s", "");
		return 1;
	}
	if (parse_kind(value, klen, &kind) < 0) {
		fail(p, DBW_ECONFIG, "unknown sanitize rule \"%s\"", value);
		dbw_error_hint(p->err, "Use keep, redact, null, mask, hash_email, hash, fake_name, "
		                       "fake_phone, fake_address, set:VALUE, or \"* = skip\" for a "
		                       "whole table.");
		return 0;
	}
	if (kind == DBW_RULE_SET && !colon)
		return fail(p, DBW_ECONFIG, "rule \"%s\" needs a value, as in set:VALUE", value);
	if (colon && kind != DBW_RULE_SET && kind != DBW_RULE_REDACT && kind != DBW_RULE_MASK)
		return fail(p, DBW_ECONFIG, "rule \"%s\" takes no argument", value);
	if (kind == DBW_RULE_MASK && colon) {
		char *end;
		long n = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || n < 0 || n > 8)
			return fail(p, DBW_ECONFIG,
			            "mask keeps 0 to 8 trailing characters, not \"%s\"", colon + 1);
	}
	for (size_t i = 0; i < p->rules->count; i++)
		if (strcmp(p->rules->items[i].table, section) == 0 &&
		    strcmp(p->rules->items[i].column, key) == 0) {
			fail(p, DBW_ECONFIG, "column \"%s\" has two rules", key);
			dbw_error_detail(p->err, "The first is on line %d.",
			                 p->rules->items[i].line);
			return 0;
		}
	if (p->rules->count == p->rules->cap) {
		size_t cap = p->rules->cap ? p->rules->cap * 2 : 16;
		dbw_rule *items = realloc(p->rules->items, cap * sizeof(*items));
		if (!items)
			return fail(p, DBW_ENOMEM, "out of memory%s", "");
		p->rules->items = items;
		p->rules->cap = cap;
	}
	r = &p->rules->items[p->rules->count];
	memset(r, 0, sizeof(*r));
	r->table = dbw_strdup(section);
	r->column = dbw_strdup(key);
	r->arg = colon ? dbw_strdup(colon + 1) : NULL;
	r->kind = kind;
	r->line = p->line;
	p->rules->count++;
	if (!r->table || !r->column || (colon && !r->arg))
		return fail(p, DBW_ENOMEM, "out of memory%s", "");
	return 1;
}

int dbw_rules_parse(dbw_rules **out, const char *text, const char *name, dbw_error *err)
{
	parse_ctx p;
	int rc;
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.name = name ? name : "rules";
	p.text = text ? text : "";
	p.err = err;
	if ((rc = dbw_rules_new(&p.rules, err)) < 0)
		return rc;
	rc = ini_parse_stream(read_line, &p, on_key, &p);
	if (p.rc < 0) {
		rc = p.rc;
	} else if (rc != 0) {
		dbw_error_set(err, DBW_ECONFIG, "could not parse sanitize rules");
		dbw_error_where(err, "%s:%d", p.name, rc > 0 ? rc : 0);
		dbw_error_hint(err,
		               "Write one \"column = rule\" per line under a [table] heading.");
		rc = DBW_ECONFIG;
	}
	if (rc < 0) {
		dbw_rules_free(p.rules);
		return rc;
	}
	*out = p.rules;
	return 0;
}

int dbw_rules_load(dbw_rules **out, const char *path, dbw_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;
	*out = NULL;
	rc = dbw_file_read(path, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = dbw_rules_parse(out, text, path, err);
	free(text);
	return rc;
}

/* 2: section is schema.table exactly; 1: section is the bare table; 0: no match. */
static int section_match(const char *section, const char *schema, const char *table)
{
	const char *dot = strchr(section, '.');
	if (!dot)
		return strcmp(section, table) == 0 ? 1 : 0;
	if (!schema || strlen(schema) != (size_t)(dot - section) ||
	    strncmp(section, schema, (size_t)(dot - section)) != 0)
		return 0;
	return strcmp(dot + 1, table) == 0 ? 2 : 0;
}

const dbw_rule *dbw_rules_find(const dbw_rules *r, const char *schema, const char *table,
                               const char *column)
{
	const dbw_rule *best = NULL;
	int best_score = 0;
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->count; i++) {
		int score;
		if (strcmp(r->items[i].column, column) != 0)
			continue;
		score = section_match(r->items[i].table, schema, table);
		if (score > best_score) {
			best = &r->items[i];
			best_score = score;
		}
	}
	return best;
}

int dbw_rules_skips(const dbw_rules *r, const char *schema, const char *table)
{
	if (!r)
		return 0;
	for (size_t i = 0; i < r->skipped.count; i++)
		if (section_match(r->skipped.items[i], schema, table))
			return 1;
	return 0;
}
