/*
 * diff.c - differences between two models: matching objects by key, the
 * attributes that differ, and how to say it to a person (words with a line
 * diff of long definitions) and to CI (JSON). The DDL lives in diff_sql.c.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "schema/internal.h"

static const char *const change_names[] = {"added", "removed", "changed"};

const char *dbw_change_name(dbw_change c)
{
	return c <= DBW_CHANGE_CHANGED ? change_names[c] : "changed";
}

static int key_cmp(const dbw_schema_obj *a, const dbw_schema_obj *b)
{
	int r;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((r = dbw_schema__strcmp(a->schema, b->schema)) != 0)
		return r;
	if ((r = dbw_schema__strcmp(a->table, b->table)) != 0)
		return r;
	return strcmp(a->name, b->name);
}

static int push(dbw_schema_diff *d, dbw_change ch, const dbw_schema_obj *a, const dbw_schema_obj *b)
{
	dbw_diff_item *p = realloc(d->items, (d->count + 1) * sizeof(*p));
	if (!p)
		return DBW_ENOMEM;
	d->items = p;
	memset(&p[d->count], 0, sizeof(p[0]));
	p[d->count].change = ch;
	p[d->count].a = a;
	p[d->count].b = b;
	d->count++;
	return 0;
}

/* Attributes that differ, NULL-safe, over the union of both key lists. */
static int compare_attrs(dbw_diff_item *it)
{
	const dbw_schema_obj *a = it->a, *b = it->b;
	size_t cap = a->n_attrs + b->n_attrs;
	it->attrs = calloc(cap ? cap : 1, sizeof(*it->attrs));
	if (!it->attrs)
		return DBW_ENOMEM;
	for (size_t i = 0; i < a->n_attrs; i++) {
		const char *bv = dbw_schema_obj_attr(b, a->attrs[i].key);
		if (dbw_schema__strcmp(a->attrs[i].value, bv) != 0)
			it->attrs[it->n_attrs++] =
			    (dbw_attr_change){a->attrs[i].key, a->attrs[i].value, bv};
	}
	for (size_t i = 0; i < b->n_attrs; i++) {
		int in_a = 0;
		for (size_t j = 0; j < a->n_attrs && !in_a; j++)
			in_a = strcmp(a->attrs[j].key, b->attrs[i].key) == 0;
		if (!in_a && b->attrs[i].value)
			it->attrs[it->n_attrs++] =
			    (dbw_attr_change){b->attrs[i].key, NULL, b->attrs[i].value};
	}
	return 0;
}

/* Is (schema, table) a table this diff adds (ch ADDED) or removes? */
static int table_changes(const dbw_schema_diff *d, const char *schema, const char *table,
                         dbw_change ch)
{
	const dbw_schema_obj *in_a = dbw_schema_find(d->a, DBW_OBJ_TABLE, schema, NULL, table);
	const dbw_schema_obj *in_b = dbw_schema_find(d->b, DBW_OBJ_TABLE, schema, NULL, table);
	return ch == DBW_CHANGE_ADDED ? (in_b && !in_a) : (in_a && !in_b);
}

/* Fold the parts of added / removed tables into the table's own item. */
static void fold(dbw_schema_diff *d, dbw_db_kind engine)
{
	size_t out = 0;
	for (size_t i = 0; i < d->count; i++) {
		dbw_diff_item *it = &d->items[i];
		const dbw_schema_obj *o = it->a ? it->a : it->b;
		int drop = 0;
		if (o->table && o->kind != DBW_OBJ_COMMENT) {
			if (table_changes(d, o->schema, o->table, DBW_CHANGE_REMOVED))
				drop = 1;
			else if (table_changes(d, o->schema, o->table, DBW_CHANGE_ADDED))
				drop = o->kind == DBW_OBJ_COLUMN ||
				       (engine == DBW_DB_SQLITE && o->kind == DBW_OBJ_CONSTRAINT);
		}
		if (drop) {
			free(it->attrs);
			continue;
		}
		d->items[out++] = *it;
	}
	d->count = out;
}

int dbw_schema_diff_build(dbw_schema_diff **out, const dbw_schema *a, const dbw_schema *b,
                          dbw_error *err)
{
	dbw_schema_diff *d = calloc(1, sizeof(*d));
	size_t i = 0, j = 0;
	int rc = 0;
	*out = NULL;
	if (!d)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	d->a = a;
	d->b = b;
	while (rc == 0 && (i < a->count || j < b->count)) {
		int c = i >= a->count ? 1 : j >= b->count ? -1 : key_cmp(&a->objs[i], &b->objs[j]);
		if (c < 0) {
			rc = push(d, DBW_CHANGE_REMOVED, &a->objs[i++], NULL);
		} else if (c > 0) {
			rc = push(d, DBW_CHANGE_ADDED, NULL, &b->objs[j++]);
		} else {
			dbw_diff_item probe = {DBW_CHANGE_CHANGED, &a->objs[i], &b->objs[j], NULL,
			                       0};
			rc = compare_attrs(&probe);
			if (rc == 0 && probe.n_attrs) {
				rc = push(d, DBW_CHANGE_CHANGED, probe.a, probe.b);
				if (rc == 0) {
					d->items[d->count - 1].attrs = probe.attrs;
					d->items[d->count - 1].n_attrs = probe.n_attrs;
					probe.attrs = NULL;
				}
			}
			free(probe.attrs);
			i++;
			j++;
		}
	}
	if (rc < 0) {
		dbw_schema_diff_free(d);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	fold(d, a->engine);
	*out = d;
	return 0;
}

void dbw_schema_diff_free(dbw_schema_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].attrs);
	free(d->items);
	free(d);
}

/* "column public.users.email", "function public.f(integer)", "event trigger x". */
static char *object_label(const dbw_schema_obj *o)
{
	const char *kind = dbw_obj_kind_name(o->kind);
	if (o->kind == DBW_OBJ_COMMENT)
		return dbw_sprintf("comment on %s", o->name);
	if (o->kind == DBW_OBJ_GRANT)
		return dbw_sprintf("privileges on %s", o->name);
	if (o->kind == DBW_OBJ_VIEW &&
	    dbw_schema__strcmp(dbw_schema_obj_attr(o, "materialized"), "yes") == 0)
		kind = "materialized view";
	if (o->kind == DBW_OBJ_FUNCTION && dbw_schema_obj_attr(o, "kind"))
		kind = dbw_schema_obj_attr(o, "kind");
	if (o->kind == DBW_OBJ_COLUMN)
		return dbw_sprintf("%s %s.%s.%s", kind, o->schema, o->table, o->name);
	if (o->table)
		return dbw_sprintf("%s %s on %s.%s", kind, o->name, o->schema, o->table);
	if (o->schema)
		return dbw_sprintf("%s %s.%s", kind, o->schema, o->name);
	return dbw_sprintf("%s %s", kind, o->name);
}

/* Split text into lines (pointers into a copy). */
static char **split_lines(char *text, size_t *n)
{
	size_t cap = 16;
	char **v = malloc(cap * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (char *p = text; p;) {
		char *nl = strchr(p, '\n');
		if (*n == cap) {
			char **q = realloc(v, (cap *= 2) * sizeof(*v));
			if (!q) {
				free(v);
				return NULL;
			}
			v = q;
		}
		v[(*n)++] = p;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
	}
	return v;
}

/* A line diff (longest common subsequence) of two definitions: "-" lines only
 * in A, "+" lines only in B, indented. Falls back to both texts whole when
 * they are too long for the quadratic table. */
static void line_diff(dbw_buf *b, const char *ta, const char *tb)
{
	char *ca = dbw_strdup(ta ? ta : ""), *cb = dbw_strdup(tb ? tb : "");
	size_t na = 0, nb = 0;
	char **la = ca ? split_lines(ca, &na) : NULL, **lb = cb ? split_lines(cb, &nb) : NULL;
	unsigned *t = NULL;
	if (la && lb && na * nb <= 4000000)
		t = calloc((na + 1) * (nb + 1), sizeof(*t));
	if (!t) {
		dbw_buf_printf(b, "      - %s\n      + %s\n", ta ? ta : "(none)",
		               tb ? tb : "(none)");
		goto done;
	}
#define T(i, j) t[(i) * (nb + 1) + (j)]
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			T(i, j) = strcmp(la[i], lb[j]) == 0
			              ? T(i + 1, j + 1) + 1
			              : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
			i++;
			j++;
		} else if (j >= nb || (i < na && T(i + 1, j) >= T(i, j + 1))) {
			dbw_buf_printf(b, "      - %s\n", la[i++]);
		} else {
			dbw_buf_printf(b, "      + %s\n", lb[j++]);
		}
	}
#undef T
done:
	free(t);
	free(la);
	free(lb);
	free(ca);
	free(cb);
}

static int multiline(const char *s)
{
	return s && (strchr(s, '\n') || strlen(s) > 60);
}

int dbw_schema_diff_text(const dbw_schema_diff *d, const char *label_a, const char *label_b,
                         char **out, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	*out = NULL;
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = &d->items[i];
		const dbw_schema_obj *o = it->a ? it->a : it->b;
		char *label = object_label(o);
		if (it->change == DBW_CHANGE_ADDED)
			dbw_buf_printf(&b, "%s: only in %s\n", label ? label : "", label_b);
		else if (it->change == DBW_CHANGE_REMOVED)
			dbw_buf_printf(&b, "%s: only in %s\n", label ? label : "", label_a);
		else
			dbw_buf_printf(&b, "%s: differs\n", label ? label : "");
		if (it->change != DBW_CHANGE_CHANGED && o->kind == DBW_OBJ_COLUMN)
			dbw_buf_printf(&b, "    %s\n", dbw_schema_obj_attr(o, "type"));
		else if (it->change != DBW_CHANGE_CHANGED && dbw_schema_obj_attr(o, "definition") &&
		         !strchr(dbw_schema_obj_attr(o, "definition"), '\n'))
			/* an index, constraint or trigger: what it is, in one line */
			dbw_buf_printf(&b, "    %s\n", dbw_schema_obj_attr(o, "definition"));
		for (size_t k = 0; k < it->n_attrs; k++) {
			const dbw_attr_change *ac = &it->attrs[k];
			if (multiline(ac->a) || multiline(ac->b)) {
				dbw_buf_printf(&b, "    %s differs (- %s, + %s):\n", ac->key,
				               label_a, label_b);
				line_diff(&b, ac->a, ac->b);
			} else {
				dbw_buf_printf(&b, "    %s: %s in %s, %s in %s\n", ac->key,
				               ac->a ? ac->a : "(none)", label_a,
				               ac->b ? ac->b : "(none)", label_b);
			}
		}
		free(label);
	}
	*out = dbw_buf_detach(&b);
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

int dbw_schema_diff_json(const dbw_schema_diff *d, char **out, dbw_error *err)
{
	json_t *doc = json_object(), *arr = json_array();
	*out = NULL;
	json_object_set_new(doc, "identical", json_boolean(d->count == 0));
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = &d->items[i];
		const dbw_schema_obj *o = it->a ? it->a : it->b;
		json_t *j = json_object(), *attrs = json_array();
		char *label = object_label(o);
		json_object_set_new(j, "object", jstr(label));
		json_object_set_new(j, "kind", json_string(dbw_obj_kind_name(o->kind)));
		json_object_set_new(j, "schema", jstr(o->schema));
		json_object_set_new(j, "table", jstr(o->table));
		json_object_set_new(j, "name", json_string(o->name));
		json_object_set_new(j, "change", json_string(dbw_change_name(it->change)));
		for (size_t k = 0; k < it->n_attrs; k++) {
			json_t *a = json_object();
			json_object_set_new(a, "name", json_string(it->attrs[k].key));
			json_object_set_new(a, "a", jstr(it->attrs[k].a));
			json_object_set_new(a, "b", jstr(it->attrs[k].b));
			json_array_append_new(attrs, a);
		}
		json_object_set_new(j, "attributes", attrs);
		json_array_append_new(arr, j);
		free(label);
	}
	json_object_set_new(doc, "differences", arr);
	*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}
