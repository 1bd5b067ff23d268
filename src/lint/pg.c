/*
 * pg.c - the PostgreSQL rules, read from libpg_query's parse tree (the
 * PostgreSQL 15 parser, as JSON through jansson). Owns: parsing a file
 * (whole, then statement by statement when the whole is rejected so that a
 * parse error does not hide the rest), the per-file state that makes a
 * pattern safe (tables created in this file, the copy-rename-drop table
 * redefinition, the enum redefinition, a validated IS NOT NULL check,
 * SET lock_timeout, an open BEGIN), and one handler per statement kind.
 * Lock levels come from https://www.postgresql.org/docs/15/explicit-locking.html
 * and the ALTER TABLE reference.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <pg_query.h>

#include "lint_internal.h"

/* Per-file state. */
typedef struct pgf {
	dbw_lint_file *f;
	size_t base;             /* content offset of the parsed text */
	size_t so, sl;           /* current statement: content offset and length */
	dbw_strv created;        /* tables created in this file */
	dbw_strv indexes;        /* indexes created in this file */
	dbw_strv types;          /* types created in this file */
	dbw_strv renamed_types;  /* "old\nnew" pairs */
	dbw_strv copies;         /* "src\ndst": INSERT INTO dst SELECT ... FROM src */
	dbw_strv renames;        /* "old\nnew" table renames */
	dbw_strv pending_checks; /* "conname\ntable.col": CHECK (col IS NOT NULL) NOT VALID */
	dbw_strv notnull_ok;     /* "table.col" with a validated IS NOT NULL check */
	int in_txn;
	int lock_timeout;
	int lock_reported;
} pgf;

/* ---- JSON helpers ---- */

/* The single key of a node wrapper {"Type": {...}}; *inner gets the value. */
static const char *node(json_t *n, json_t **inner)
{
	const char *k;
	json_t *v;
	*inner = NULL;
	if (!json_is_object(n))
		return "";
	json_object_foreach(n, k, v)
	{
		*inner = v;
		return k;
	}
	return "";
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* The last String of a names list ("pg_catalog","int4" -> "int4"). */
static const char *last_name(json_t *list)
{
	size_t n = json_array_size(list);
	json_t *in;
	if (!n)
		return NULL;
	if (strcmp(node(json_array_get(list, n - 1), &in), "String"))
		return NULL;
	return jstr(in, "sval");
}

/* "varchar(255)", "int4", "text[]" from a TypeName. */
static char *type_text(json_t *tn)
{
	dbw_buf b = DBW_BUF_INIT;
	json_t *mods = json_object_get(tn, "typmods"), *m, *in;
	size_t i;
	const char *name = last_name(json_object_get(tn, "names"));
	dbw_buf_puts(&b, name ? name : "?");
	if (json_array_size(mods)) {
		dbw_buf_putc(&b, '(');
		json_array_foreach(mods, i, m)
		{
			json_t *c;
			long v = 0;
			if (strcmp(node(m, &in), "A_Const") == 0 &&
			    (c = json_object_get(in, "ival")))
				v = (long)json_integer_value(json_object_get(c, "ival"));
			dbw_buf_printf(&b, "%s%ld", i ? "," : "", v);
		}
		dbw_buf_putc(&b, ')');
	}
	if (json_array_size(json_object_get(tn, "arrayBounds")))
		dbw_buf_puts(&b, "[]");
	return dbw_buf_detach(&b);
}

static const char *relname(json_t *rangevar)
{
	return jstr(rangevar, "relname");
}

/* ---- state helpers ---- */

static int pair_has(const dbw_strv *v, const char *a, const char *b)
{
	for (size_t i = 0; i < v->count; i++) {
		const char *s = v->items[i], *nl = strchr(s, '\n');
		if (!nl)
			continue;
		if ((!a || (strlen(a) == (size_t)(nl - s) && strncmp(s, a, nl - s) == 0)) &&
		    (!b || strcmp(nl + 1, b) == 0))
			return 1;
	}
	return 0;
}

static int pair_push(dbw_strv *v, const char *a, const char *b)
{
	char *s = dbw_sprintf("%s\n%s", a, b);
	return s ? dbw_strv_take(v, s) : DBW_ENOMEM;
}

static int is_new(const pgf *p, const char *table)
{
	return table && dbw_strv_contains(&p->created, table);
}

static int report(pgf *p, const char *rule, const char *table, dbw_error *err, const char *fmt,
                  const char *a, const char *b)
{
	return dbw_lint__report(p->f, rule, p->so, p->so, p->sl, table, NULL, err, fmt, a ? a : "",
	                        b ? b : "");
}

/* DW209, once per file: an ACCESS EXCLUSIVE lock on an existing table with no lock_timeout. */
static int access_exclusive(pgf *p, const char *table, const char *what, dbw_error *err)
{
	if (p->lock_timeout || p->lock_reported || p->f->l->lock_timeout_configured ||
	    is_new(p, table))
		return 0;
	p->lock_reported = 1;
	return report(p, "DW209", table, err,
	              "%s takes an ACCESS EXCLUSIVE lock on \"%s\" with no lock_timeout set", what,
	              table);
}

/* ---- expressions ---- */

/* Volatile functions that make ADD COLUMN ... DEFAULT rewrite the table. */
static int is_volatile_fn(const char *name)
{
	static const char *const v[] = {"random",
	                                "gen_random_uuid",
	                                "uuid_generate_v1",
	                                "uuid_generate_v1mc",
	                                "uuid_generate_v4",
	                                "clock_timestamp",
	                                "timeofday",
	                                "nextval",
	                                "txid_current",
	                                "setseed",
	                                NULL};
	for (size_t i = 0; v[i]; i++)
		if (strcasecmp(name, v[i]) == 0)
			return 1;
	return 0;
}

/* Search an expression tree for a FuncCall to a volatile function; returns its name. */
static const char *find_volatile(json_t *n)
{
	const char *k, *r;
	json_t *v;
	size_t i;
	if (json_is_array(n)) {
		json_array_foreach(n, i, v) if ((r = find_volatile(v))) return r;
		return NULL;
	}
	if (!json_is_object(n))
		return NULL;
	json_object_foreach(n, k, v)
	{
		if (strcmp(k, "FuncCall") == 0) {
			const char *fn = last_name(json_object_get(v, "funcname"));
			if (fn && is_volatile_fn(fn))
				return fn;
		}
		if ((r = find_volatile(v)))
			return r;
	}
	return NULL;
}

/* CHECK (col IS NOT NULL): the column name, else NULL. */
static const char *not_null_check_col(json_t *expr)
{
	json_t *in, *arg, *cin;
	if (strcmp(node(expr, &in), "NullTest") ||
	    strcmp(jstr(in, "nulltesttype") ? jstr(in, "nulltesttype") : "", "IS_NOT_NULL"))
		return NULL;
	arg = json_object_get(in, "arg");
	if (strcmp(node(arg, &cin), "ColumnRef"))
		return NULL;
	return last_name(json_object_get(cin, "fields"));
}

/* ---- statements ---- */

static int on_column_def(pgf *p, const char *table, json_t *cd, int adding, dbw_error *err)
{
	const char *col = jstr(cd, "colname");
	json_t *cons = json_object_get(cd, "constraints"), *c, *in;
	size_t i;
	int not_null = 0, has_default = 0, rc = 0;
	const char *vol = NULL;
	char *type = type_text(json_object_get(cd, "typeName"));
	const char *tname = last_name(json_object_get(json_object_get(cd, "typeName"), "names"));

	if (!type)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	json_array_foreach(cons, i, c)
	{
		const char *ct;
		if (strcmp(node(c, &in), "Constraint"))
			continue;
		ct = jstr(in, "contype");
		if (!ct)
			continue;
		if (strcmp(ct, "CONSTR_NOTNULL") == 0 || strcmp(ct, "CONSTR_PRIMARY") == 0)
			not_null = 1;
		else if (strcmp(ct, "CONSTR_DEFAULT") == 0) {
			has_default = 1;
			if (!vol)
				vol = find_volatile(json_object_get(in, "raw_expr"));
		} else if (strcmp(ct, "CONSTR_IDENTITY") == 0) {
			has_default = 1;
			vol = "an identity sequence";
		} else if (strcmp(ct, "CONSTR_GENERATED") == 0) {
			has_default = 1;
			vol = "a stored generated expression";
		}
	}
	if (tname && (strcmp(tname, "serial") == 0 || strcmp(tname, "bigserial") == 0 ||
	              strcmp(tname, "smallserial") == 0 || strcmp(tname, "serial4") == 0 ||
	              strcmp(tname, "serial8") == 0)) {
		has_default = 1;
		vol = "nextval (serial)";
	}
	if (adding && !is_new(p, table)) {
		if (vol)
			rc =
			    report(p, "DW206", table, err,
			           "column \"%s\" is added with a volatile default (%s): the table "
			           "is rewritten under lock",
			           col, vol);
		if (!rc && not_null && !has_default)
			rc = report(
			    p, "DW301", table, err,
			    "NOT NULL column \"%s\" is added to existing table \"%s\" without a "
			    "default",
			    col, table);
	}
	if (!rc && col && dbw_lint__model_set_col(&p->f->l->model, table, col, type, not_null))
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	free(type);
	return rc;
}

static int on_create(pgf *p, json_t *s, dbw_error *err)
{
	const char *t = relname(json_object_get(s, "relation"));
	json_t *elts = json_object_get(s, "tableElts"), *e, *in;
	size_t i;
	int rc;
	if (!t)
		return 0;
	if (dbw_strv_push(&p->created, t) || dbw_lint__model_add_table(&p->f->l->model, t))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	json_array_foreach(elts, i, e)
	{
		if (strcmp(node(e, &in), "ColumnDef") == 0 &&
		    (rc = on_column_def(p, t, in, 0, err)) != 0)
			return rc;
	}
	return 0;
}

static int on_alter_cmd(pgf *p, const char *t, json_t *cmd, dbw_error *err)
{
	const char *sub = jstr(cmd, "subtype"), *name = jstr(cmd, "name");
	json_t *def = json_object_get(cmd, "def"), *in;
	dbw_lint_model *m = &p->f->l->model;
	int rc = 0, existing = !is_new(p, t);

	if (!sub)
		return 0;
	if (strcmp(sub, "AT_DropColumn") == 0) {
		if (existing)
			rc = report(p, "DW102", t, err, "column \"%s\" of table \"%s\" is dropped",
			            name, t);
		dbw_lint__model_drop_col(m, t, name ? name : "");
	} else if (strcmp(sub, "AT_AddColumn") == 0) {
		if (strcmp(node(def, &in), "ColumnDef") == 0)
			rc = on_column_def(p, t, in, 1, err);
	} else if (strcmp(sub, "AT_AlterColumnType") == 0 && name) {
		json_t *tn;
		char *nt;
		const dbw_lint_col *c = dbw_lint__model_col(m, t, name);
		dbw_type_change tc;
		if (strcmp(node(def, &in), "ColumnDef"))
			return 0;
		tn = json_object_get(in, "typeName");
		if (!(nt = type_text(tn)))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		tc = dbw_lint__type_change(c ? c->type : NULL, nt);
		/* enum redefinition: the column moves to the re-created type of the same name */
		{
			const char *tn_name = last_name(json_object_get(tn, "names"));
			if (tn_name && dbw_strv_contains(&p->types, tn_name) &&
			    pair_has(&p->renamed_types, tn_name, NULL))
				tc = DBW_TC_FREE;
		}
		if (existing && tc == DBW_TC_LOSSY) {
			char *what = dbw_sprintf("%s to %s", c->type, nt);
			rc = report(p, "DW107", t, err,
			            "column \"%s\" changes type %s: values may be lost or refused",
			            name, what ? what : nt);
			free(what);
		}
		if (!rc && existing && tc != DBW_TC_FREE) {
			char *what = c ? dbw_sprintf("from %s to %s", c->type, nt)
			               : dbw_sprintf("to %s (old type unknown)", nt);
			rc =
			    report(p, "DW207", t, err,
			           "column \"%s\" changes type %s: the table is rewritten under an "
			           "ACCESS EXCLUSIVE lock",
			           name, what ? what : nt);
			free(what);
		}
		if (!rc && dbw_lint__model_set_col(m, t, name, nt, c ? c->not_null : 0))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		free(nt);
	} else if (strcmp(sub, "AT_SetNotNull") == 0 && name) {
		char *key = dbw_sprintf("%s.%s", t, name);
		if (!key)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		if (existing && !dbw_strv_contains(&p->notnull_ok, key))
			rc = report(
			    p, "DW205", t, err,
			    "SET NOT NULL on column \"%s\" scans table \"%s\" under an ACCESS "
			    "EXCLUSIVE lock",
			    name, t);
		free(key);
	} else if (strcmp(sub, "AT_AddConstraint") == 0 &&
	           strcmp(node(def, &in), "Constraint") == 0) {
		const char *ct = jstr(in, "contype"), *cn = jstr(in, "conname");
		if (!ct)
			return 0;
		if (strcmp(ct, "CONSTR_FOREIGN") == 0 && existing && !jbool(in, "skip_validation"))
			rc = report(p, "DW203", t, err,
			            "foreign key %s%s is added without NOT VALID: both tables are "
			            "scanned under lock",
			            cn ? cn : "", cn ? " on \"" : "");
		if (strcmp(ct, "CONSTR_CHECK") == 0) {
			const char *col = not_null_check_col(json_object_get(in, "raw_expr"));
			int valid = !jbool(in, "skip_validation");
			if (col) {
				char *key = dbw_sprintf("%s.%s", t, col);
				if (!key)
					return dbw_error_set(err, DBW_ENOMEM, "out of memory");
				rc = valid ? dbw_strv_take(&p->notnull_ok, key)
				           : (cn ? pair_push(&p->pending_checks, cn, key) : 0);
				if (!valid)
					free(key);
				if (rc)
					return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			}
			if (existing && valid)
				rc = report(
				    p, "DW203", t, err,
				    "check constraint %s is added to \"%s\" without NOT VALID: "
				    "the table is scanned under an ACCESS EXCLUSIVE lock",
				    cn ? cn : "", t);
		}
		if ((strcmp(ct, "CONSTR_UNIQUE") == 0 || strcmp(ct, "CONSTR_PRIMARY") == 0 ||
		     strcmp(ct, "CONSTR_EXCLUSION") == 0) &&
		    existing && !jstr(in, "indexname"))
			rc = report(p, "DW204", t, err,
			            "%s constraint on existing table \"%s\" builds its index while "
			            "blocking writes",
			            strcmp(ct, "CONSTR_PRIMARY") == 0  ? "PRIMARY KEY"
			            : strcmp(ct, "CONSTR_UNIQUE") == 0 ? "UNIQUE"
			                                               : "EXCLUDE",
			            t);
	} else if (strcmp(sub, "AT_ValidateConstraint") == 0 && name) {
		for (size_t i = 0; i < p->pending_checks.count; i++) {
			const char *s = p->pending_checks.items[i], *nl = strchr(s, '\n');
			if (nl && strlen(name) == (size_t)(nl - s) &&
			    strncmp(s, name, nl - s) == 0 && dbw_strv_push(&p->notnull_ok, nl + 1))
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
	}
	return rc;
}

/* Which ALTER TABLE subcommands take less than ACCESS EXCLUSIVE. */
static int weaker_lock(const char *sub, json_t *cmd)
{
	json_t *in;
	if (strcmp(sub, "AT_ValidateConstraint") == 0 || strcmp(sub, "AT_SetStatistics") == 0 ||
	    strcmp(sub, "AT_ClusterOn") == 0 || strcmp(sub, "AT_SetRelOptions") == 0 ||
	    strcmp(sub, "AT_AttachPartition") == 0)
		return 1;
	if (strcmp(sub, "AT_AddConstraint") == 0 &&
	    strcmp(node(json_object_get(cmd, "def"), &in), "Constraint") == 0 &&
	    strcmp(jstr(in, "contype") ? jstr(in, "contype") : "", "CONSTR_FOREIGN") == 0)
		return 1; /* SHARE ROW EXCLUSIVE */
	return 0;
}

static int on_alter(pgf *p, json_t *s, dbw_error *err)
{
	const char *t = relname(json_object_get(s, "relation"));
	const char *ot = jstr(s, "objtype");
	json_t *cmds = json_object_get(s, "cmds"), *c, *in;
	size_t i;
	int rc, ae = 0;
	if (!t || (ot && strcmp(ot, "OBJECT_TABLE")))
		return 0;
	json_array_foreach(cmds, i, c)
	{
		if (strcmp(node(c, &in), "AlterTableCmd"))
			continue;
		if ((rc = on_alter_cmd(p, t, in, err)) != 0)
			return rc;
		if (!weaker_lock(jstr(in, "subtype") ? jstr(in, "subtype") : "", in))
			ae = 1;
	}
	return ae ? access_exclusive(p, t, "ALTER TABLE", err) : 0;
}

static int on_drop(pgf *p, json_t *s, dbw_error *err)
{
	const char *rt = jstr(s, "removeType");
	json_t *objs = json_object_get(s, "objects"), *o, *in;
	size_t i;
	int rc = 0;
	dbw_lint_model *m = &p->f->l->model;
	if (!rt)
		return 0;
	json_array_foreach(objs, i, o)
	{
		const char *kind = node(o, &in), *name = NULL;
		if (strcmp(kind, "List") == 0)
			name = last_name(json_object_get(in, "items"));
		else if (strcmp(kind, "String") == 0)
			name = jstr(in, "sval");
		else if (strcmp(kind, "TypeName") == 0)
			name = last_name(json_object_get(in, "names"));
		if (!name)
			continue;
		if (strcmp(rt, "OBJECT_TABLE") == 0) {
			/* copy-rename-drop: INSERT INTO new SELECT FROM name; DROP name; RENAME new
			 * TO name */
			int redefined = 0;
			for (size_t k = 0; k < p->copies.count && !redefined; k++) {
				const char *cp = p->copies.items[k], *nl = strchr(cp, '\n');
				if (nl && strlen(name) == (size_t)(nl - cp) &&
				    strncmp(cp, name, nl - cp) == 0 &&
				    pair_has(&p->renames, nl + 1, name))
					redefined = 1;
			}
			if (!is_new(p, name) && !redefined) {
				if ((rc = access_exclusive(p, name, "DROP TABLE", err)) != 0 ||
				    (rc = report(p, "DW101", name, err,
				                 "table \"%s\" is dropped with its data%s", name,
				                 "")))
					return rc;
			}
			dbw_lint__model_drop_table(m, name);
		} else if (strcmp(rt, "OBJECT_SCHEMA") == 0) {
			rc = report(p, "DW103", NULL, err,
			            "schema \"%s\" is dropped with everything in it", name, NULL);
		} else if (strcmp(rt, "OBJECT_TYPE") == 0) {
			/* enum redefinition: ALTER TYPE x RENAME TO x_old; CREATE TYPE x; ... DROP
			 * TYPE x_old */
			int redefined = 0;
			for (size_t k = 0; k < p->renamed_types.count && !redefined; k++) {
				const char *r = p->renamed_types.items[k], *nl = strchr(r, '\n');
				if (nl && strcmp(nl + 1, name) == 0) {
					char *old = dbw_strndup(r, nl - r);
					redefined = old && dbw_strv_contains(&p->types, old);
					free(old);
				}
			}
			if (!redefined && !dbw_strv_contains(&p->types, name))
				rc = report(
				    p, "DW108", NULL, err,
				    "type \"%s\" is dropped while columns may still use it%s", name,
				    "");
			dbw_lint__model_drop_enum(m, name);
		} else if (strcmp(rt, "OBJECT_INDEX") == 0 && !jbool(s, "concurrent") &&
		           !dbw_strv_contains(&p->indexes, name)) {
			rc = report(p, "DW210", NULL, err,
			            "index \"%s\" is dropped without CONCURRENTLY%s", name, "");
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int on_rename(pgf *p, json_t *s, dbw_error *err)
{
	const char *rt = jstr(s, "renameType"), *nn = jstr(s, "newname");
	const char *t = relname(json_object_get(s, "relation"));
	dbw_lint_model *m = &p->f->l->model;
	int rc = 0;
	if (!rt || !nn)
		return 0;
	if (strcmp(rt, "OBJECT_TABLE") == 0 && t) {
		if (!is_new(p, t)) {
			if ((rc = access_exclusive(p, t, "ALTER TABLE RENAME", err)) != 0 ||
			    (rc = report(p, "DW303", t, err, "table \"%s\" is renamed to \"%s\"", t,
			                 nn)))
				return rc;
		} else if (dbw_strv_push(&p->created, nn)) {
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
		dbw_lint__model_rename_table(m, t, nn);
	} else if (strcmp(rt, "OBJECT_COLUMN") == 0 && t) {
		const char *old = jstr(s, "subname");
		if (!is_new(p, t)) {
			if ((rc = access_exclusive(p, t, "ALTER TABLE RENAME COLUMN", err)) != 0 ||
			    (rc = report(p, "DW302", t, err, "column \"%s\" is renamed to \"%s\"",
			                 old, nn)))
				return rc;
		}
		dbw_lint__model_rename_col(m, t, old ? old : "", nn);
	} else if (strcmp(rt, "OBJECT_TYPE") == 0) {
		json_t *in;
		const char *old = NULL;
		if (strcmp(node(json_object_get(s, "object"), &in), "List") == 0)
			old = last_name(json_object_get(in, "items"));
		if (old) {
			if (pair_push(&p->renamed_types, old, nn))
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			dbw_lint__model_rename_enum(m, old, nn);
		}
	}
	return 0;
}

static int on_create_enum(pgf *p, json_t *s, dbw_error *err)
{
	const char *name = last_name(json_object_get(s, "typeName"));
	json_t *vals = json_object_get(s, "vals"), *v, *in;
	dbw_strv values = DBW_STRV_INIT;
	dbw_lint_model *m = &p->f->l->model;
	size_t i;
	int rc = 0;
	if (!name)
		return 0;
	json_array_foreach(vals, i, v)
	{
		if (strcmp(node(v, &in), "String") == 0 && dbw_strv_push(&values, jstr(in, "sval")))
			rc = DBW_ENOMEM;
	}
	/* a redefinition: the old type was renamed away in this file */
	for (size_t k = 0; !rc && k < p->renamed_types.count; k++) {
		const char *r = p->renamed_types.items[k], *nl = strchr(r, '\n');
		dbw_lint_enum *old;
		if (!nl || strlen(name) != (size_t)(nl - r) || strncmp(r, name, nl - r))
			continue;
		old = dbw_lint__model_enum(m, nl + 1);
		for (size_t j = 0; old && j < old->values.count && !rc; j++)
			if (!dbw_strv_contains(&values, old->values.items[j]))
				rc = report(
				    p, "DW109", NULL, err,
				    "enum \"%s\" is redefined without value '%s': rows holding "
				    "it make the type change fail",
				    name, old->values.items[j]);
	}
	if (!rc && (dbw_strv_push(&p->types, name) || dbw_lint__model_add_enum(m, name, &values)))
		rc = DBW_ENOMEM;
	dbw_strv_free(&values);
	if (rc == DBW_ENOMEM)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return rc;
}

static int on_insert(pgf *p, json_t *s, dbw_error *err)
{
	const char *t = relname(json_object_get(s, "relation"));
	if (!t)
		return 0;
	if ((p->f->flags & DBW_LINT_SEED) && !json_object_get(s, "onConflictClause"))
		return report(p, "DW401", t, err,
		              "seed INSERT into \"%s\" has no ON CONFLICT: re-running the seed "
		              "duplicates or fails%s",
		              t, "");
	return 0;
}

/* Pre-pass: INSERT INTO dst SELECT ... FROM src and table renames, for copy-rename-drop. */
static int prepass(pgf *p, json_t *stmts)
{
	json_t *st, *in, *sel, *fl, *f, *fin;
	size_t i, j;
	json_array_foreach(stmts, i, st)
	{
		const char *k = node(json_object_get(st, "stmt"), &in);
		if (strcmp(k, "InsertStmt") == 0) {
			const char *dst = relname(json_object_get(in, "relation"));
			if (!dst ||
			    strcmp(node(json_object_get(in, "selectStmt"), &sel), "SelectStmt"))
				continue;
			fl = json_object_get(sel, "fromClause");
			json_array_foreach(fl, j, f)
			{
				const char *src;
				if (strcmp(node(f, &fin), "RangeVar") || !(src = relname(fin)))
					continue;
				if (pair_push(&p->copies, src, dst))
					return DBW_ENOMEM;
			}
		} else if (strcmp(k, "RenameStmt") == 0 &&
		           strcmp(jstr(in, "renameType") ? jstr(in, "renameType") : "",
		                  "OBJECT_TABLE") == 0) {
			const char *t = relname(json_object_get(in, "relation"));
			if (t && jstr(in, "newname") &&
			    pair_push(&p->renames, t, jstr(in, "newname")))
				return DBW_ENOMEM;
		}
	}
	return 0;
}

static int has_defelem(json_t *list, const char *name)
{
	json_t *d, *in;
	size_t i;
	json_array_foreach(list, i, d)
	{
		if (strcmp(node(d, &in), "DefElem") == 0 && jstr(in, "defname") &&
		    strcasecmp(jstr(in, "defname"), name) == 0)
			return 1;
	}
	return 0;
}

static int on_stmt(pgf *p, json_t *stmt, dbw_error *err)
{
	json_t *s;
	const char *k = node(stmt, &s);
	const char *t;
	int rc = 0;

	if (strcmp(k, "CreateStmt") == 0)
		return on_create(p, s, err);
	if (strcmp(k, "CreateTableAsStmt") == 0) {
		json_t *into = json_object_get(s, "into");
		t = relname(json_object_get(into, "rel"));
		if (t && (dbw_strv_push(&p->created, t) ||
		          dbw_lint__model_add_table(&p->f->l->model, t)))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "AlterTableStmt") == 0)
		return on_alter(p, s, err);
	if (strcmp(k, "IndexStmt") == 0) {
		const char *idx = jstr(s, "idxname");
		t = relname(json_object_get(s, "relation"));
		if (idx && dbw_strv_push(&p->indexes, idx))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		if (jbool(s, "concurrent")) {
			if (p->in_txn)
				rc = report(
				    p, "DW202", t, err,
				    "CREATE INDEX CONCURRENTLY on \"%s\" inside a transaction "
				    "block fails%s",
				    t, "");
		} else if (t && !is_new(p, t)) {
			rc = report(
			    p, "DW201", t, err,
			    "CREATE INDEX on existing table \"%s\" without CONCURRENTLY blocks "
			    "writes for the whole build%s",
			    t, "");
		}
		return rc;
	}
	if (strcmp(k, "DropStmt") == 0) {
		if (jbool(s, "concurrent") && p->in_txn)
			rc = report(p, "DW202", NULL, err,
			            "DROP INDEX CONCURRENTLY inside a transaction block fails%s%s",
			            NULL, NULL);
		return rc ? rc : on_drop(p, s, err);
	}
	if (strcmp(k, "DropdbStmt") == 0)
		return report(p, "DW103", NULL, err, "database \"%s\" is dropped%s",
		              jstr(s, "dbname"), "");
	if (strcmp(k, "RenameStmt") == 0)
		return on_rename(p, s, err);
	if (strcmp(k, "TruncateStmt") == 0) {
		json_t *r, *in;
		size_t i;
		json_array_foreach(json_object_get(s, "relations"), i, r)
		{
			if (strcmp(node(r, &in), "RangeVar") || !(t = relname(in)) || is_new(p, t))
				continue;
			if ((rc = access_exclusive(p, t, "TRUNCATE", err)) != 0 ||
			    (rc = report(p, "DW104", t, err, "table \"%s\" is truncated%s", t, "")))
				return rc;
		}
		return 0;
	}
	if (strcmp(k, "DeleteStmt") == 0 || strcmp(k, "UpdateStmt") == 0) {
		int del = k[0] == 'D';
		t = relname(json_object_get(s, "relation"));
		if (!t || is_new(p, t) || json_object_get(s, "whereClause"))
			return 0;
		return report(p, del ? "DW105" : "DW106", t, err,
		              del ? "DELETE without WHERE removes every row of \"%s\"%s"
		                  : "UPDATE without WHERE rewrites every row of \"%s\"%s",
		              t, "");
	}
	if (strcmp(k, "InsertStmt") == 0)
		return on_insert(p, s, err);
	if (strcmp(k, "CreateEnumStmt") == 0)
		return on_create_enum(p, s, err);
	if (strcmp(k, "CompositeTypeStmt") == 0) {
		t = relname(json_object_get(s, "typevar"));
		if (t && dbw_strv_push(&p->types, t))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "AlterEnumStmt") == 0) {
		const char *name = last_name(json_object_get(s, "typeName"));
		const char *nv = jstr(s, "newVal");
		dbw_lint_enum *e = name ? dbw_lint__model_enum(&p->f->l->model, name) : NULL;
		if (e && nv && !jstr(s, "oldVal") && dbw_strv_push(&e->values, nv))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "VacuumStmt") == 0) {
		if (jbool(s, "is_vacuumcmd") && has_defelem(json_object_get(s, "options"), "full"))
			return report(
			    p, "DW208", NULL, err,
			    "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock%s%s",
			    NULL, NULL);
		return 0;
	}
	if (strcmp(k, "ClusterStmt") == 0)
		return report(p, "DW208", relname(json_object_get(s, "relation")), err,
		              "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock%s%s", NULL,
		              NULL);
	if (strcmp(k, "ReindexStmt") == 0) {
		if (!has_defelem(json_object_get(s, "params"), "concurrently"))
			return report(
			    p, "DW208", relname(json_object_get(s, "relation")), err,
			    "REINDEX without CONCURRENTLY blocks writes (and reads that use "
			    "the index)%s%s",
			    NULL, NULL);
		if (p->in_txn)
			return report(p, "DW202", NULL, err,
			              "REINDEX CONCURRENTLY inside a transaction block fails%s%s",
			              NULL, NULL);
		return 0;
	}
	if (strcmp(k, "VariableSetStmt") == 0) {
		const char *name = jstr(s, "name");
		if (name && strcasecmp(name, "lock_timeout") == 0)
			p->lock_timeout =
			    strcmp(jstr(s, "kind") ? jstr(s, "kind") : "", "VAR_SET_VALUE") == 0;
		return 0;
	}
	if (strcmp(k, "TransactionStmt") == 0) {
		const char *kind = jstr(s, "kind");
		if (!kind)
			return 0;
		if (strcmp(kind, "TRANS_STMT_BEGIN") == 0 || strcmp(kind, "TRANS_STMT_START") == 0)
			p->in_txn = 1;
		else if (strcmp(kind, "TRANS_STMT_COMMIT") == 0 ||
		         strcmp(kind, "TRANS_STMT_ROLLBACK") == 0)
			p->in_txn = 0;
		return 0;
	}
	return 0;
}

/* Skip blanks and comments from a statement's location to its first token. */
static size_t first_token(const char *s, size_t i, size_t end)
{
	while (i < end) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
			i++;
		} else if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
			while (i < end && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i < end && depth) {
				if (s[i] == '*' && i + 1 < end && s[i + 1] == '/')
					depth--, i += 2;
				else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*')
					depth++, i += 2;
				else
					i++;
			}
		} else {
			break;
		}
	}
	return i;
}

/* PostgreSQL reports error positions in characters (1-based); map to a byte offset. */
static size_t char_to_byte(const char *s, size_t len, int cursorpos)
{
	size_t i = 0;
	int chars = 0;
	if (cursorpos <= 0)
		return 0;
	while (i < len && chars < cursorpos - 1) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

static int lint_tree(pgf *p, const char *sql, size_t sql_len, json_t *stmts, size_t extra_base,
                     dbw_error *err)
{
	json_t *st;
	size_t i;
	int rc;
	json_array_foreach(stmts, i, st)
	{
		size_t loc = (size_t)json_integer_value(json_object_get(st, "stmt_location"));
		size_t len = (size_t)json_integer_value(json_object_get(st, "stmt_len"));
		size_t end = len ? loc + len : sql_len;
		size_t tok;
		if (end > sql_len)
			end = sql_len;
		tok = first_token(sql, loc, end);
		p->so = p->base + extra_base + tok;
		p->sl = end > tok ? end - tok : 0;
		if ((rc = on_stmt(p, json_object_get(st, "stmt"), err)) != 0)
			return rc;
	}
	return 0;
}

static int parse_error(pgf *p, const char *sql, size_t len, size_t extra_base, PgQueryError *e,
                       dbw_error *err)
{
	size_t at = char_to_byte(sql, len, e->cursorpos);
	size_t so = first_token(sql, 0, len);
	p->so = p->base + extra_base + so;
	p->sl = len > so ? len - so : 0;
	if (at < so)
		at = so;
	return dbw_lint__report(p->f, "DW001", p->base + extra_base + at, p->so, p->sl, NULL, NULL,
	                        err, "%s", e->message);
}

/* The whole text was rejected: lint what the parser accepts statement by statement. */
static int lint_by_statement(pgf *p, const char *sql, size_t len, dbw_error *err)
{
	PgQuerySplitResult sr = pg_query_split_with_scanner(sql);
	size_t covered = 0;
	int rc = 0;
	if (sr.error) {
		rc = parse_error(p, sql, len, 0, sr.error, err);
		pg_query_free_split_result(sr);
		return rc;
	}
	for (int i = 0; i <= sr.n_stmts && !rc; i++) {
		size_t loc, sl;
		char *one;
		if (i < sr.n_stmts) {
			loc = (size_t)sr.stmts[i]->stmt_location;
			sl = (size_t)sr.stmts[i]->stmt_len;
			covered = sl ? loc + sl : len;
		} else {
			/* the scanner leaves out an unterminated tail (e.g. an unclosed "(") */
			loc = covered;
			if (first_token(sql, loc, len) >= len)
				break;
			sl = len - loc;
		}
		one = dbw_strndup(sql + loc, sl ? sl : len - loc);
		PgQueryParseResult r;
		if (!one)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		r = pg_query_parse(one);
		if (r.error) {
			rc = parse_error(p, one, strlen(one), loc, r.error, err);
		} else {
			json_t *doc = json_loads(r.parse_tree, 0, NULL);
			if (!doc)
				rc =
				    dbw_error_set(err, DBW_ENOMEM, "could not read the parse tree");
			else
				rc = lint_tree(p, one, strlen(one), json_object_get(doc, "stmts"),
				               loc, err);
			json_decref(doc);
		}
		pg_query_free_parse_result(r);
		free(one);
	}
	pg_query_free_split_result(sr);
	return rc;
}

int dbw_lint__pg(dbw_lint_file *f, dbw_error *err)
{
	pgf p;
	size_t len = f->end - f->start;
	char *sql = dbw_strndup(f->content + f->start, len);
	PgQueryParseResult r;
	int rc = 0;

	if (!sql)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.base = f->start;
	r = pg_query_parse(sql);
	if (r.error) {
		rc = lint_by_statement(&p, sql, len, err);
	} else {
		json_t *doc = json_loads(r.parse_tree, 0, NULL);
		json_t *stmts = json_object_get(doc, "stmts");
		if (!doc)
			rc = dbw_error_set(err, DBW_ENOMEM, "could not read the parse tree");
		else if (prepass(&p, stmts))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		else
			rc = lint_tree(&p, sql, len, stmts, 0, err);
		json_decref(doc);
	}
	pg_query_free_parse_result(r);
	free(sql);
	dbw_strv_free(&p.created);
	dbw_strv_free(&p.indexes);
	dbw_strv_free(&p.types);
	dbw_strv_free(&p.renamed_types);
	dbw_strv_free(&p.copies);
	dbw_strv_free(&p.renames);
	dbw_strv_free(&p.pending_checks);
	dbw_strv_free(&p.notnull_ok);
	return rc;
}
