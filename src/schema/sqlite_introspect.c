/*
 * sqlite_introspect.c - SQLite introspection: sqlite_schema for tables,
 * indexes, views and triggers (their SQL as stored), and the pragmas for
 * facts that diff compares: table_xinfo (columns, generated ones included),
 * index_list / index_xinfo (unique constraints) and foreign_key_list.
 * SQLite keeps no names for unnamed constraints, so foreign keys and unique
 * constraints are named by their columns: "foreign key (a) -> t(b)".
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

#define V(r, i, j) dbw_result_value(r, i, j)

static int oom(dbw_error *err)
{
	return dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

static char *with_semicolon(const char *sql)
{
	return sql ? dbw_sprintf("%s;", sql) : NULL;
}

static int columns(dbw_schema *s, dbw_conn *c, const char *table, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *params[1] = {table};
	int rc = dbw_conn_query(c,
	                        "SELECT name, type, \"notnull\", dflt_value, pk, hidden, cid"
	                        " FROM pragma_table_xinfo($1) ORDER BY cid",
	                        1, params, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		const char *hidden = V(r, i, 5);
		const char *gen = strcmp(hidden, "2") == 0   ? "virtual"
		                  : strcmp(hidden, "3") == 0 ? "stored"
		                                             : NULL;
		dbw_schema_obj *o;
		if (strcmp(hidden, "1") == 0)
			continue; /* a virtual table's hidden column */
		o = dbw_schema__add(s, DBW_OBJ_COLUMN, "main", table, V(r, i, 0), NULL);
		if (!o) {
			rc = oom(err);
			break;
		}
		o->rank = atoi(V(r, i, 6)) + 1;
		if (dbw_schema__attr(o, "type", V(r, i, 1)) < 0 ||
		    dbw_schema__attr(o, "not_null", strcmp(V(r, i, 2), "0") ? "yes" : "no") < 0 ||
		    dbw_schema__attr(o, "default", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "primary_key",
		                     strcmp(V(r, i, 4), "0") ? V(r, i, 4) : NULL) < 0 ||
		    dbw_schema__attr(o, "generated", gen) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int foreign_keys(dbw_schema *s, dbw_conn *c, const char *table, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *params[1] = {table};
	int rc = dbw_conn_query(
	    c,
	    "SELECT id, \"table\", group_concat(\"from\", ', '), group_concat(\"to\", ', '),"
	    " on_update, on_delete FROM (SELECT * FROM pragma_foreign_key_list($1) ORDER BY id, "
	    "seq)"
	    " GROUP BY id ORDER BY id",
	    1, params, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		char *name = dbw_sprintf("foreign key (%s) -> %s(%s)", V(r, i, 2), V(r, i, 1),
		                         V(r, i, 3) ? V(r, i, 3) : "");
		char *def = dbw_sprintf(
		    "FOREIGN KEY (%s) REFERENCES %s(%s) ON UPDATE %s ON DELETE %s", V(r, i, 2),
		    V(r, i, 1), V(r, i, 3) ? V(r, i, 3) : "", V(r, i, 4), V(r, i, 5));
		dbw_schema_obj *o =
		    name && def ? dbw_schema__add(s, DBW_OBJ_CONSTRAINT, "main", table, name, NULL)
		                : NULL;
		if (!o || dbw_schema__attr(o, "type", "foreign key") < 0 ||
		    dbw_schema__attr(o, "definition", def) < 0)
			rc = oom(err);
		free(name);
		free(def);
	}
	dbw_result_free(r);
	return rc;
}

/* Unique constraints written in CREATE TABLE appear as automatic indexes (origin 'u'). */
static int uniques(dbw_schema *s, dbw_conn *c, const char *table, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *params[1] = {table};
	int rc = dbw_conn_query(
	    c,
	    "SELECT il.origin, (SELECT group_concat(name, ', ') FROM (SELECT name FROM"
	    " pragma_index_info(il.name) ORDER BY seqno)) FROM pragma_index_list($1) il"
	    " WHERE il.origin IN ('u', 'pk') ORDER BY 2",
	    1, params, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		int pk = strcmp(V(r, i, 0), "pk") == 0;
		char *name = dbw_sprintf("%s (%s)", pk ? "primary key" : "unique",
		                         V(r, i, 1) ? V(r, i, 1) : "");
		dbw_schema_obj *o =
		    name ? dbw_schema__add(s, DBW_OBJ_CONSTRAINT, "main", table, name, NULL) : NULL;
		if (!o || dbw_schema__attr(o, "type", pk ? "primary key" : "unique") < 0)
			rc = oom(err);
		free(name);
	}
	dbw_result_free(r);
	return rc;
}

/* Skip a quoted string or identifier starting at p ('..', "..", `..`, [..]). */
static const char *skip_quoted(const char *p)
{
	char close = *p == '[' ? ']' : *p;
	for (p++; *p; p++) {
		if (*p == close) {
			if (close != ']' && p[1] == close) {
				p++;
				continue;
			}
			return p + 1;
		}
	}
	return p;
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * CHECK constraints exist only in the text of CREATE TABLE (no pragma lists
 * them): find each CHECK keyword outside quotes and comments and take its parenthesized
 * expression, blanks collapsed, as a constraint named by that expression.
 */
static int checks(dbw_schema *s, const char *table, const char *sql, dbw_error *err)
{
	for (const char *p = sql; p && *p;) {
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
			p = skip_quoted(p);
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			p = strchr(p, '\n');
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			p = strstr(p + 2, "*/");
			p = p ? p + 2 : NULL;
			continue;
		}
		if (!strncasecmp(p, "CHECK", 5) && (p == sql || !is_word(p[-1])) &&
		    !is_word(p[5])) {
			const char *q = p + 5;
			int depth = 0;
			dbw_buf b = DBW_BUF_INIT;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q != '(') {
				p = q;
				continue;
			}
			for (; *q; q++) {
				if (*q == '\'' || *q == '"' || *q == '`' || *q == '[') {
					const char *e = skip_quoted(q);
					dbw_buf_put(&b, q, (size_t)(e - q));
					q = e - 1;
					continue;
				}
				if (*q == '(')
					depth++;
				else if (*q == ')' && --depth == 0) {
					dbw_buf_putc(&b, ')');
					q++;
					break;
				}
				if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') {
					if (b.len && b.data[b.len - 1] != ' ')
						dbw_buf_putc(&b, ' ');
					continue;
				}
				dbw_buf_putc(&b, *q);
			}
			{
				char *expr = dbw_buf_detach(&b);
				char *name = expr ? dbw_sprintf("check %s", expr) : NULL;
				dbw_schema_obj *o = name
				                        ? dbw_schema__add(s, DBW_OBJ_CONSTRAINT,
				                                          "main", table, name, NULL)
				                        : NULL;
				int bad = !o || dbw_schema__attr(o, "type", "check") < 0 ||
				          dbw_schema__attr(o, "definition", expr) < 0;
				free(expr);
				free(name);
				if (bad)
					return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			}
			p = q;
			continue;
		}
		p++;
	}
	return 0;
}

int dbw_sqlite__introspect(dbw_schema *s, dbw_conn *c, const dbw_schema_options *opts,
                           dbw_error *err)
{
	dbw_result *r = NULL;
	int rc =
	    dbw_schema__query(c,
	                      "SELECT type, name, tbl_name, sql FROM sqlite_schema"
	                      " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql IS NOT NULL"
	                      " ORDER BY type, name",
	                      &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		const char *type = V(r, i, 0), *name = V(r, i, 1), *tbl = V(r, i, 2);
		char *sql = with_semicolon(V(r, i, 3));
		dbw_schema_obj *o = NULL;
		if (!opts->include_dbward_tables && dbw_schema__is_own_table(tbl)) {
			free(sql);
			continue;
		}
		if (strcmp(type, "table") == 0)
			o = dbw_schema__add(s, DBW_OBJ_TABLE, "main", NULL, name, NULL);
		else if (strcmp(type, "index") == 0)
			o = dbw_schema__add(s, DBW_OBJ_INDEX, "main", tbl, name, NULL);
		else if (strcmp(type, "view") == 0)
			o = dbw_schema__add(s, DBW_OBJ_VIEW, "main", NULL, name, NULL);
		else if (strcmp(type, "trigger") == 0)
			o = dbw_schema__add(s, DBW_OBJ_TRIGGER, "main", tbl, name, NULL);
		if (!o) {
			free(sql);
			if (strcmp(type, "table") && strcmp(type, "index") &&
			    strcmp(type, "view") && strcmp(type, "trigger"))
				continue;
			rc = oom(err);
			break;
		}
		dbw_schema__set_sql(o, sql);
		if (o->kind != DBW_OBJ_TABLE && dbw_schema__attr(o, "definition", V(r, i, 3)) < 0)
			rc = oom(err);
		if (rc == 0 && o->kind == DBW_OBJ_TABLE) {
			/* o may move while columns are appended: copy the name first. */
			char *t = dbw_strdup(name);
			rc = t ? columns(s, c, t, err) : oom(err);
			if (rc == 0)
				rc = foreign_keys(s, c, t, err);
			if (rc == 0)
				rc = uniques(s, c, t, err);
			if (rc == 0)
				rc = checks(s, t, V(r, i, 3), err);
			free(t);
		}
	}
	dbw_result_free(r);
	return rc;
}
