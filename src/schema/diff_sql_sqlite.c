/*
 * diff_sql_sqlite.c - the DDL that turns one SQLite schema into another.
 * SQLite alters little in place (ADD / DROP COLUMN, nothing else), so a
 * table whose columns or constraints change is rebuilt the way SQLite's
 * documentation describes ("Making Other Kinds Of Table Schema Changes"):
 * create the new shape under a temporary name, copy the shared columns,
 * drop the old table, rename, recreate its indexes and triggers.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

static char *q(const char *name)
{
	return dbw_schema__ident(DBW_DB_SQLITE, name);
}

/* A table in both schemas whose columns or constraints differ. */
static int must_rebuild(const dbw_schema_diff *d, const char *table)
{
	if (!dbw_schema_find(d->a, DBW_OBJ_TABLE, "main", NULL, table) ||
	    !dbw_schema_find(d->b, DBW_OBJ_TABLE, "main", NULL, table))
		return 0;
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = &d->items[i];
		const dbw_schema_obj *o = it->b ? it->b : it->a;
		if (!o->table || strcmp(o->table, table))
			continue;
		if (o->kind == DBW_OBJ_CONSTRAINT)
			return 1;
		if (o->kind == DBW_OBJ_COLUMN && it->change == DBW_CHANGE_CHANGED)
			return 1;
	}
	return 0;
}

static int in_rebuilt(const dbw_schema_diff *d, const dbw_schema_obj *o)
{
	return o->table &&
	       (o->kind == DBW_OBJ_COLUMN || o->kind == DBW_OBJ_CONSTRAINT ||
	        o->kind == DBW_OBJ_INDEX || o->kind == DBW_OBJ_TRIGGER) &&
	       must_rebuild(d, o->table);
}

/* Replace the table name in B's CREATE TABLE with tmp: the name follows
 * "TABLE" and is the first token there. */
static char *renamed_create(const char *sql, const char *tmp)
{
	const char *p = strcasestr(sql, "TABLE");
	const char *name, *end;
	if (!p)
		return NULL;
	p += 5;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (!strncasecmp(p, "IF NOT EXISTS", 13)) {
		p += 13;
		while (*p == ' ')
			p++;
	}
	name = p;
	if (*p == '"' || *p == '`' || *p == '[') {
		char close = *p == '[' ? ']' : *p;
		for (p++; *p && !(*p == close && p[1] != close); p += (*p == close) ? 2 : 1)
			;
		end = *p ? p + 1 : p;
	} else {
		while (*p && *p != ' ' && *p != '(' && *p != '\n')
			p++;
		end = p;
	}
	return dbw_sprintf("%.*s%s%s", (int)(name - sql), sql, tmp, end);
}

static void rebuild(const dbw_schema_diff *d, const dbw_schema_obj *tb, dbw_buf *b)
{
	char *tmp = dbw_sprintf("_dbward_new_%s", tb->name);
	char *qt = q(tb->name), *qtmp = tmp ? q(tmp) : NULL;
	char *create = qtmp && tb->sql ? renamed_create(tb->sql, qtmp) : NULL;
	dbw_buf cols = DBW_BUF_INIT;
	for (size_t i = 0; i < d->b->count; i++) {
		const dbw_schema_obj *c = &d->b->objs[i];
		char *qc;
		if (c->kind != DBW_OBJ_COLUMN || strcmp(c->table, tb->name) ||
		    dbw_schema_obj_attr(c, "generated") ||
		    !dbw_schema_find(d->a, DBW_OBJ_COLUMN, "main", tb->name, c->name))
			continue;
		qc = q(c->name);
		dbw_buf_printf(&cols, "%s%s", cols.len ? ", " : "", qc ? qc : "");
		free(qc);
	}
	dbw_buf_printf(
	    b,
	    "-- destructive: rebuilds table %s (SQLite cannot alter columns or "
	    "constraints in place); rows are copied, values of dropped columns are lost\n",
	    qt ? qt : "");
	/* legacy_alter_table: the rename must not re-check views that name the
	 * table while it is briefly absent. */
	dbw_buf_puts(b, "PRAGMA foreign_keys=OFF;\n\nPRAGMA legacy_alter_table=ON;\n\n");
	dbw_buf_printf(b, "%s\n\n", create ? create : "");
	if (cols.len)
		dbw_buf_printf(b, "INSERT INTO %s (%s) SELECT %s FROM %s;\n\n", qtmp, cols.data,
		               cols.data, qt);
	dbw_buf_printf(b, "DROP TABLE %s;\n\nALTER TABLE %s RENAME TO %s;\n\n", qt, qtmp, qt);
	for (size_t i = 0; i < d->b->count; i++) {
		const dbw_schema_obj *o = &d->b->objs[i];
		if ((o->kind == DBW_OBJ_INDEX || o->kind == DBW_OBJ_TRIGGER) && o->table &&
		    !strcmp(o->table, tb->name) && o->sql)
			dbw_buf_printf(b, "%s\n\n", o->sql);
	}
	dbw_buf_puts(b, "PRAGMA legacy_alter_table=OFF;\n\nPRAGMA foreign_keys=ON;\n\n");
	dbw_buf_free(&cols);
	free(tmp);
	free(qt);
	free(qtmp);
	free(create);
}

static void drop(const dbw_schema_obj *o, dbw_buf *b)
{
	char *n = q(o->name), *t = o->table ? q(o->table) : NULL;
	switch (o->kind) {
	case DBW_OBJ_TABLE:
		dbw_buf_printf(
		    b, "-- destructive: drops the table and its rows\nDROP TABLE %s;\n\n", n);
		break;
	case DBW_OBJ_COLUMN:
		dbw_buf_printf(b,
		               "-- destructive: drops the column and its values\n"
		               "ALTER TABLE %s DROP COLUMN %s;\n\n",
		               t, n);
		break;
	case DBW_OBJ_INDEX:
		dbw_buf_printf(b, "DROP INDEX %s;\n\n", n);
		break;
	case DBW_OBJ_VIEW:
		dbw_buf_printf(b, "DROP VIEW %s;\n\n", n);
		break;
	case DBW_OBJ_TRIGGER:
		dbw_buf_printf(b, "DROP TRIGGER %s;\n\n", n);
		break;
	default:
		break;
	}
	free(n);
	free(t);
}

static void create(const dbw_schema_obj *o, dbw_buf *b)
{
	if (o->kind == DBW_OBJ_COLUMN) {
		char *n = q(o->name), *t = q(o->table);
		const char *type = dbw_schema_obj_attr(o, "type");
		const char *def = dbw_schema_obj_attr(o, "default");
		dbw_buf_printf(b, "ALTER TABLE %s ADD COLUMN %s%s%s%s%s%s;\n\n", t, n,
		               type && *type ? " " : "", type ? type : "",
		               dbw_schema__strcmp(dbw_schema_obj_attr(o, "not_null"), "yes")
		                   ? ""
		                   : " NOT NULL",
		               def ? " DEFAULT " : "", def ? def : "");
		free(n);
		free(t);
	} else if (o->sql && o->kind != DBW_OBJ_CONSTRAINT) {
		dbw_buf_printf(b, "%s\n\n", o->sql);
	}
}

void dbw_sqlite__diff_sql(const dbw_schema_diff *d, dbw_buf *b)
{
	for (size_t i = d->count; i-- > 0;) {
		const dbw_diff_item *it = &d->items[i];
		if (it->change == DBW_CHANGE_ADDED || in_rebuilt(d, it->a))
			continue;
		if (it->change == DBW_CHANGE_REMOVED || it->a->kind != DBW_OBJ_TABLE)
			drop(it->a, b);
	}
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = &d->items[i];
		const dbw_schema_obj *o = it->b;
		if (it->change == DBW_CHANGE_REMOVED || in_rebuilt(d, o))
			continue;
		if (o->kind == DBW_OBJ_TABLE && it->change == DBW_CHANGE_CHANGED)
			continue;
		create(o, b);
	}
	for (size_t i = 0; i < d->b->count; i++) {
		const dbw_schema_obj *t = &d->b->objs[i];
		if (t->kind == DBW_OBJ_TABLE && must_rebuild(d, t->name))
			rebuild(d, t, b);
	}
}
