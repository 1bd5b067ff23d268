/*
 * model.c - the normalized schema model: building it (objects and their
 * attributes), its order, lookups, freeing, the JSON form, and the entry
 * point that picks the engine's introspection.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "schema/internal.h"

static const char *const kind_names[DBW_OBJ__COUNT] = {
    "schema",      "extension", "enum",    "domain", "composite type", "range type",
    "sequence",    "function",  "table",   "column", "constraint",     "index",
    "statistics",  "view",      "trigger", "rule",   "event trigger",  "policy",
    "publication", "grant",     "comment"};

const char *dbw_obj_kind_name(dbw_obj_kind kind)
{
	return kind < DBW_OBJ__COUNT ? kind_names[kind] : "object";
}

int dbw_schema__strcmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : (b ? -1 : 0);
	return strcmp(a, b);
}

int dbw_schema__is_own_table(const char *name)
{
	return dbw_str_startswith(name, "dbward_") || strcmp(name, "_prisma_migrations") == 0;
}

dbw_schema_obj *dbw_schema__add(dbw_schema *s, dbw_obj_kind kind, const char *schema,
                                const char *table, const char *name, const char *sql)
{
	dbw_schema_obj *o;
	/* Grow by doubling; count is the capacity marker (powers of two). */
	if ((s->count & (s->count - 1)) == 0) {
		size_t cap = s->count ? s->count * 2 : 16;
		dbw_schema_obj *p;
		if (s->count && s->count < 16)
			cap = 16;
		p = realloc(s->objs, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->objs = p;
	}
	o = &s->objs[s->count];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->schema = schema ? strdup(schema) : NULL;
	o->table = table ? strdup(table) : NULL;
	o->name = strdup(name ? name : "");
	o->sql = sql ? strdup(sql) : NULL;
	s->count++;
	if ((schema && !o->schema) || (table && !o->table) || !o->name || (sql && !o->sql))
		return NULL; /* the object is counted, so dbw_schema_free releases it */
	return o;
}

int dbw_schema__attr(dbw_schema_obj *o, const char *key, const char *value)
{
	dbw_schema_attr *p = realloc(o->attrs, (o->n_attrs + 1) * sizeof(*p));
	if (!p)
		return DBW_ENOMEM;
	o->attrs = p;
	p[o->n_attrs].key = strdup(key);
	p[o->n_attrs].value = value ? strdup(value) : NULL;
	o->n_attrs++;
	if (!p[o->n_attrs - 1].key || (value && !p[o->n_attrs - 1].value))
		return DBW_ENOMEM;
	return 0;
}

void dbw_schema__set_sql(dbw_schema_obj *o, char *sql)
{
	free(o->sql);
	o->sql = sql;
}

static int cmp_obj(const void *pa, const void *pb)
{
	const dbw_schema_obj *a = pa, *b = pb;
	int r;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((r = dbw_schema__strcmp(a->schema, b->schema)) != 0)
		return r;
	if ((r = dbw_schema__strcmp(a->table, b->table)) != 0)
		return r;
	return strcmp(a->name, b->name);
}

void dbw_schema__sort(dbw_schema *s)
{
	if (s->count > 1)
		qsort(s->objs, s->count, sizeof(s->objs[0]), cmp_obj);
}

const dbw_schema_obj *dbw_schema_find(const dbw_schema *s, dbw_obj_kind kind, const char *schema,
                                      const char *table, const char *name)
{
	dbw_schema_obj key;
	memset(&key, 0, sizeof(key));
	key.kind = kind;
	key.schema = (char *)schema;
	key.table = (char *)table;
	key.name = (char *)name;
	if (!s || !s->count)
		return NULL;
	return bsearch(&key, s->objs, s->count, sizeof(s->objs[0]), cmp_obj);
}

const char *dbw_schema_obj_attr(const dbw_schema_obj *o, const char *key)
{
	for (size_t i = 0; o && i < o->n_attrs; i++)
		if (strcmp(o->attrs[i].key, key) == 0)
			return o->attrs[i].value;
	return NULL;
}

void dbw_schema_free(dbw_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		dbw_schema_obj *o = &s->objs[i];
		free(o->schema);
		free(o->table);
		free(o->name);
		free(o->sql);
		for (size_t j = 0; j < o->n_attrs; j++) {
			free(o->attrs[j].key);
			free(o->attrs[j].value);
		}
		free(o->attrs);
	}
	free(s->objs);
	free(s);
}

int dbw_schema__query(dbw_conn *c, const char *sql, dbw_result **out, dbw_error *err)
{
	return dbw_conn_query(c, sql, 0, NULL, out, err);
}

char *dbw_schema__ident(dbw_db_kind engine, const char *name)
{
	/* Always quoted: a keyword such as "user" or "order" is then safe
	 * without a keyword list, on both engines. */
	dbw_buf b = DBW_BUF_INIT;
	(void)engine;
	dbw_buf_putc(&b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			dbw_buf_putc(&b, '"');
		dbw_buf_putc(&b, *p);
	}
	dbw_buf_putc(&b, '"');
	return dbw_buf_detach(&b);
}

char *dbw_schema__qname(dbw_db_kind engine, const char *schema, const char *name)
{
	char *a = schema ? dbw_schema__ident(engine, schema) : NULL;
	char *b = dbw_schema__ident(engine, name);
	char *r = NULL;
	if (b && (!schema || a))
		r = schema ? dbw_sprintf("%s.%s", a, b) : dbw_strdup(b);
	free(a);
	free(b);
	return r;
}

int dbw_schema_introspect(dbw_schema **out, dbw_conn *c, const dbw_schema_options *opts,
                          dbw_error *err)
{
	static const dbw_schema_options defaults = DBW_SCHEMA_OPTIONS_INIT;
	dbw_schema *s = calloc(1, sizeof(*s));
	int rc;
	*out = NULL;
	if (!s)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!opts)
		opts = &defaults;
	s->engine = dbw_conn_kind(c);
	if (s->engine == DBW_DB_SQLITE)
		rc = dbw_sqlite__introspect(s, c, opts, err);
	else
		rc = dbw_pg__introspect(s, c, opts, err);
	if (rc < 0)
		goto done;
	dbw_schema__sort(s);
	*out = s;
	s = NULL;
done:
	dbw_schema_free(s);
	return rc;
}

static json_t *obj_json(const dbw_schema_obj *o)
{
	json_t *j = json_object(), *attrs = json_object();
	json_object_set_new(j, "kind", json_string(dbw_obj_kind_name(o->kind)));
	json_object_set_new(j, "schema", o->schema ? json_string(o->schema) : json_null());
	json_object_set_new(j, "table", o->table ? json_string(o->table) : json_null());
	json_object_set_new(j, "name", json_string(o->name));
	json_object_set_new(j, "sql", o->sql ? json_string(o->sql) : json_null());
	for (size_t i = 0; i < o->n_attrs; i++)
		json_object_set_new(attrs, o->attrs[i].key,
		                    o->attrs[i].value ? json_string(o->attrs[i].value)
		                                      : json_null());
	json_object_set_new(j, "attributes", attrs);
	return j;
}

int dbw_schema_dump_json(const dbw_schema *s, char **out, dbw_error *err)
{
	json_t *doc = json_object(), *objs = json_array();
	*out = NULL;
	json_object_set_new(doc, "engine",
	                    json_string(s->engine == DBW_DB_SQLITE ? "sqlite" : "postgresql"));
	for (size_t i = 0; i < s->count; i++)
		json_array_append_new(objs, obj_json(&s->objs[i]));
	json_object_set_new(doc, "objects", objs);
	*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}
