/*
 * model.c - the schema the linted files build, as far as rules need it:
 * which tables exist, each column's type, each enum's values. Files are
 * linted in order, so a rule on migration N knows what migrations 1..N-1
 * created. Also owns the classification of column type changes (free,
 * rewrite, lossy) from PostgreSQL's cast and storage rules
 * (https://www.postgresql.org/docs/15/sql-altertable.html, Notes: a change
 * between binary-coercible types, or an increase of a varchar length or
 * numeric precision, skips the rewrite).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint_internal.h"

void dbw_lint__model_free(dbw_lint_model *m)
{
	dbw_strv_free(&m->tables);
	dbw_strv_free(&m->indexes);
	for (size_t i = 0; i < m->n_cols; i++) {
		free(m->cols[i].table);
		free(m->cols[i].column);
		free(m->cols[i].type);
	}
	free(m->cols);
	for (size_t i = 0; i < m->n_enums; i++) {
		free(m->enums[i].name);
		dbw_strv_free(&m->enums[i].values);
	}
	free(m->enums);
	memset(m, 0, sizeof(*m));
}

int dbw_lint__model_has_table(const dbw_lint_model *m, const char *table)
{
	return table && dbw_strv_contains(&m->tables, table);
}

int dbw_lint__model_add_table(dbw_lint_model *m, const char *table)
{
	if (!table || dbw_lint__model_has_table(m, table))
		return 0;
	return dbw_strv_push(&m->tables, table);
}

static void strv_remove(dbw_strv *v, const char *s)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->items[i], s) == 0) {
			free(v->items[i]);
			v->items[i] = v->items[--v->count];
			return;
		}
}

static void remove_col_at(dbw_lint_model *m, size_t i)
{
	free(m->cols[i].table);
	free(m->cols[i].column);
	free(m->cols[i].type);
	m->cols[i] = m->cols[--m->n_cols];
}

void dbw_lint__model_drop_table(dbw_lint_model *m, const char *table)
{
	strv_remove(&m->tables, table);
	for (size_t i = m->n_cols; i-- > 0;)
		if (strcmp(m->cols[i].table, table) == 0)
			remove_col_at(m, i);
}

void dbw_lint__model_rename_table(dbw_lint_model *m, const char *from, const char *to)
{
	if (dbw_lint__model_has_table(m, to))
		dbw_lint__model_drop_table(m, to);
	for (size_t i = 0; i < m->tables.count; i++)
		if (strcmp(m->tables.items[i], from) == 0) {
			char *n = dbw_strdup(to);
			if (n) {
				free(m->tables.items[i]);
				m->tables.items[i] = n;
			}
		}
	for (size_t i = 0; i < m->n_cols; i++)
		if (strcmp(m->cols[i].table, from) == 0) {
			char *n = dbw_strdup(to);
			if (n) {
				free(m->cols[i].table);
				m->cols[i].table = n;
			}
		}
}

const dbw_lint_col *dbw_lint__model_col(const dbw_lint_model *m, const char *table, const char *col)
{
	for (size_t i = 0; i < m->n_cols; i++)
		if (strcmp(m->cols[i].table, table) == 0 && strcmp(m->cols[i].column, col) == 0)
			return &m->cols[i];
	return NULL;
}

int dbw_lint__model_set_col(dbw_lint_model *m, const char *table, const char *col, const char *type,
                            int not_null)
{
	dbw_lint_col *c = (dbw_lint_col *)dbw_lint__model_col(m, table, col);
	char *t = dbw_strdup(type ? type : "");
	if (!t)
		return DBW_ENOMEM;
	if (c) {
		free(c->type);
		c->type = t;
		c->not_null = not_null;
		return 0;
	}
	if (m->n_cols == m->cap_cols) {
		size_t cap = m->cap_cols ? m->cap_cols * 2 : 64;
		dbw_lint_col *n = realloc(m->cols, cap * sizeof(*n));
		if (!n) {
			free(t);
			return DBW_ENOMEM;
		}
		m->cols = n;
		m->cap_cols = cap;
	}
	c = &m->cols[m->n_cols];
	c->table = dbw_strdup(table);
	c->column = dbw_strdup(col);
	c->type = t;
	c->not_null = not_null;
	if (!c->table || !c->column) {
		free(c->table);
		free(c->column);
		free(t);
		return DBW_ENOMEM;
	}
	m->n_cols++;
	return 0;
}

void dbw_lint__model_drop_col(dbw_lint_model *m, const char *table, const char *col)
{
	for (size_t i = 0; i < m->n_cols; i++)
		if (strcmp(m->cols[i].table, table) == 0 && strcmp(m->cols[i].column, col) == 0) {
			remove_col_at(m, i);
			return;
		}
}

void dbw_lint__model_rename_col(dbw_lint_model *m, const char *table, const char *from,
                                const char *to)
{
	dbw_lint_col *c = (dbw_lint_col *)dbw_lint__model_col(m, table, from);
	char *n;
	if (!c || !(n = dbw_strdup(to)))
		return;
	free(c->column);
	c->column = n;
}

dbw_lint_enum *dbw_lint__model_enum(dbw_lint_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_enums; i++)
		if (strcmp(m->enums[i].name, name) == 0)
			return &m->enums[i];
	return NULL;
}

int dbw_lint__model_add_enum(dbw_lint_model *m, const char *name, dbw_strv *values_taken)
{
	dbw_lint_enum *e;
	dbw_lint__model_drop_enum(m, name);
	if (m->n_enums == m->cap_enums) {
		size_t cap = m->cap_enums ? m->cap_enums * 2 : 16;
		dbw_lint_enum *n = realloc(m->enums, cap * sizeof(*n));
		if (!n)
			return DBW_ENOMEM;
		m->enums = n;
		m->cap_enums = cap;
	}
	e = &m->enums[m->n_enums];
	e->name = dbw_strdup(name);
	if (!e->name)
		return DBW_ENOMEM;
	e->values = *values_taken;
	memset(values_taken, 0, sizeof(*values_taken));
	m->n_enums++;
	return 0;
}

void dbw_lint__model_drop_enum(dbw_lint_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_enums; i++)
		if (strcmp(m->enums[i].name, name) == 0) {
			free(m->enums[i].name);
			dbw_strv_free(&m->enums[i].values);
			m->enums[i] = m->enums[--m->n_enums];
			return;
		}
}

void dbw_lint__model_rename_enum(dbw_lint_model *m, const char *from, const char *to)
{
	dbw_lint_enum *e = dbw_lint__model_enum(m, from);
	char *n;
	if (!e || !(n = dbw_strdup(to)))
		return;
	dbw_lint__model_drop_enum(m, to);
	e = dbw_lint__model_enum(m, from); /* the array may have moved an item */
	free(e->name);
	e->name = n;
}

/* ---- type changes ---- */

typedef struct parsed_type {
	char base[64];
	long mods[2];
	int n_mods;
	int array;
} parsed_type;

static void parse_type(const char *s, parsed_type *t)
{
	size_t i = 0;
	memset(t, 0, sizeof(*t));
	while (s[i] && s[i] != '(' && s[i] != '[' && i + 1 < sizeof(t->base)) {
		t->base[i] = (char)tolower((unsigned char)s[i]);
		i++;
	}
	s += i;
	if (*s == '(') {
		s++;
		while (*s && *s != ')' && t->n_mods < 2) {
			t->mods[t->n_mods++] = strtol(s, (char **)&s, 10);
			while (*s == ',' || *s == ' ')
				s++;
		}
	}
	t->array = strchr(s, '[') != NULL;
}

static void normalize_serial(parsed_type *t)
{
	if (strcmp(t->base, "serial") == 0 || strcmp(t->base, "serial4") == 0)
		strcpy(t->base, "int4");
	else if (strcmp(t->base, "bigserial") == 0 || strcmp(t->base, "serial8") == 0)
		strcpy(t->base, "int8");
	else if (strcmp(t->base, "smallserial") == 0 || strcmp(t->base, "serial2") == 0)
		strcpy(t->base, "int2");
}

static int is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int int_rank(const char *b)
{
	if (strcmp(b, "int2") == 0)
		return 1;
	if (strcmp(b, "int4") == 0)
		return 2;
	if (strcmp(b, "int8") == 0)
		return 3;
	return 0;
}

dbw_type_change dbw_lint__type_change(const char *old_type, const char *new_type)
{
	static const char *const text_like[] = {"text", "varchar", "citext", NULL};
	static const char *const time_like[] = {"timestamp", "timestamptz", "time",
	                                        "timetz",    "interval",    NULL};
	parsed_type o, n;

	if (!old_type || !*old_type)
		return DBW_TC_UNKNOWN;
	parse_type(old_type, &o);
	parse_type(new_type, &n);
	/* serial types are integers with a sequence default */
	normalize_serial(&o);
	normalize_serial(&n);
	if (o.array != n.array)
		return DBW_TC_LOSSY;
	if (strcmp(o.base, n.base) == 0) {
		if (n.n_mods == 0)
			return DBW_TC_FREE;
		if (o.n_mods == 0)
			return DBW_TC_LOSSY; /* unbounded -> bounded */
		if (strcmp(n.base, "numeric") == 0) {
			if (o.n_mods == n.n_mods && n.mods[0] >= o.mods[0] &&
			    (n.n_mods < 2 || n.mods[1] == o.mods[1]))
				return DBW_TC_FREE;
			return DBW_TC_LOSSY;
		}
		return n.mods[0] >= o.mods[0] ? DBW_TC_FREE : DBW_TC_LOSSY;
	}
	/* varchar -> text, text -> unbounded varchar: binary coercible */
	if (is_one_of(o.base, text_like) && is_one_of(n.base, text_like) &&
	    strcmp(o.base, "citext") && strcmp(n.base, "citext"))
		return n.n_mods ? DBW_TC_LOSSY : DBW_TC_FREE;
	if (int_rank(o.base) && int_rank(n.base))
		return int_rank(n.base) > int_rank(o.base) ? DBW_TC_REWRITE : DBW_TC_LOSSY;
	if (int_rank(o.base) && strcmp(n.base, "numeric") == 0) {
		/* numeric(p,s) holds p-s integer digits: int2 needs 5, int4 10, int8 19 */
		static const long digits[] = {0, 5, 10, 19};
		long whole = n.n_mods ? n.mods[0] - (n.n_mods > 1 ? n.mods[1] : 0) : 1000;
		return whole >= digits[int_rank(o.base)] ? DBW_TC_REWRITE : DBW_TC_LOSSY;
	}
	if (int_rank(o.base) && int_rank(o.base) < 3 && strcmp(n.base, "float8") == 0)
		return DBW_TC_REWRITE;
	if ((strcmp(o.base, "timestamp") == 0 && strcmp(n.base, "timestamptz") == 0) ||
	    (strcmp(o.base, "timestamptz") == 0 && strcmp(n.base, "timestamp") == 0) ||
	    (strcmp(o.base, "date") == 0 && is_one_of(n.base, time_like)) ||
	    (strcmp(o.base, "time") == 0 && strncmp(n.base, "timestamp", 9) == 0) ||
	    (strcmp(o.base, "float4") == 0 && strcmp(n.base, "float8") == 0) ||
	    (strcmp(o.base, "json") == 0 && strcmp(n.base, "jsonb") == 0) ||
	    (strcmp(o.base, "jsonb") == 0 && strcmp(n.base, "json") == 0) ||
	    (strcmp(o.base, "bpchar") == 0 && is_one_of(n.base, text_like)))
		return n.n_mods && !is_one_of(n.base, time_like) ? DBW_TC_LOSSY : DBW_TC_REWRITE;
	/* to unbounded text every value converts */
	if (is_one_of(n.base, text_like) && n.n_mods == 0)
		return DBW_TC_REWRITE;
	return DBW_TC_LOSSY;
}

int dbw_lint__model_type_in_use(const dbw_lint_model *m, const char *type)
{
	size_t n = strlen(type);
	for (size_t i = 0; i < m->n_cols; i++) {
		const char *t = m->cols[i].type;
		if (strncmp(t, type, n) == 0 && (t[n] == '\0' || t[n] == '[' || t[n] == '('))
			return 1;
	}
	return 0;
}

int dbw_lint__model_add_index(dbw_lint_model *m, const char *index, const char *table)
{
	char *s = dbw_sprintf("%s\n%s", index, table);
	return s ? dbw_strv_take(&m->indexes, s) : DBW_ENOMEM;
}

const char *dbw_lint__model_index_table(const dbw_lint_model *m, const char *index)
{
	size_t n = strlen(index);
	/* the latest definition wins (an index dropped and re-created on another table) */
	for (size_t i = m->indexes.count; i-- > 0;) {
		const char *s = m->indexes.items[i];
		if (strncmp(s, index, n) == 0 && s[n] == '\n')
			return s + n + 1;
	}
	return NULL;
}
