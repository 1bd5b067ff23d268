/*
 * pg_ddl.c - the PostgreSQL rules on statements that change tables and
 * types: CREATE TABLE (columns into the model), ALTER TABLE (drop column,
 * type changes, SET NOT NULL, volatile defaults, NOT NULL without default,
 * constraints without NOT VALID or a prebuilt index, lock levels), DROP
 * (tables with the copy-rename-drop redefinition recognised, schemas, types
 * with the enum redefinition recognised, indexes), renames, and enum
 * redefinitions that lose values, and new columns that look personal with
 * no sanitize rule (DW601). Lock levels: ALTER TABLE reference and
 * https://www.postgresql.org/docs/15/explicit-locking.html.
 */
#include <strings.h>

#include "pg_internal.h"

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

/* DW601: a column that looks personal with no sanitize rule, when the project has rules. */
static int check_pii(pgf *p, const char *table, const char *col, const char *type, dbw_error *err)
{
	const dbw_rules *r = p->f->l->pii_rules;
	const char *why, *schema = "public";
	char *hint;
	int rc;
	if (!r || !table || !col || !(why = dbw_pii_reason(col, type)))
		return 0;
	if (p->schema && p->rel && strcmp(table, p->rel) == 0)
		schema = p->schema;
	if (dbw_rules_find(r, schema, table, col) || dbw_rules_skips(r, schema, table))
		return 0;
	hint = dbw_sprintf("Add \"%s = hash_email\" (or another rule: hash, redact, fake_name, "
	                   "...) to section [%s] of the sanitize rules file, or \"* = skip\" "
	                   "for the whole table.",
	                   col, table);
	if (!hint)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rc = dbw_lint__report(p->f, "DW601", p->so, p->so, p->sl, table, hint, err,
	                      "column \"%s.%s\" looks personal (%s) and the sanitize rules "
	                      "have no rule for it",
	                      table, col, why);
	free(hint);
	return rc;
}

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
			json_t *k, *e = json_object_get(in, "raw_expr");
			/* DEFAULT NULL is no default for NOT NULL */
			has_default = !(strcmp(node(e, &k), "A_Const") == 0 && jbool(k, "isnull"));
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
	if (!rc)
		rc = check_pii(p, table, col, type, err);
	if (!rc && col && dbw_lint__model_set_col(&p->f->l->model, table, col, type, not_null))
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	free(type);
	return rc;
}

int dbw_lint__pg_create(pgf *p, json_t *s, dbw_error *err)
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
			            "foreign key \"%s\" is added to \"%s\" without NOT VALID: both "
			            "tables are scanned under lock",
			            cn ? cn : "(unnamed)", t);
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
				    "check constraint \"%s\" is added to \"%s\" without NOT VALID: "
				    "the table is scanned under an ACCESS EXCLUSIVE lock",
				    cn ? cn : "(unnamed)", t);
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
	} else if (strcmp(sub, "AT_DetachPartition") == 0 &&
	           strcmp(node(def, &in), "PartitionCmd") == 0 && !jbool(in, "concurrent")) {
		rc = report(p, "DW212", t, err,
		            "DETACH PARTITION \"%s\" without CONCURRENTLY locks \"%s\" out",
		            relname(json_object_get(in, "name")), t);
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

int dbw_lint__pg_alter(pgf *p, json_t *s, dbw_error *err)
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

int dbw_lint__pg_drop(pgf *p, json_t *s, dbw_error *err)
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
			/* with a history, only a type some known column still uses; without one,
			 * every drop (nothing tells that it is unused) */
			int in_use = dbw_lint__model_type_in_use(m, name) || m->n_cols == 0;
			if (!redefined && in_use && !dbw_strv_contains(&p->types, name))
				rc = report(
				    p, "DW108", NULL, err,
				    "type \"%s\" is dropped while columns may still use it%s", name,
				    "");
			dbw_lint__model_drop_enum(m, name);
		} else if (strcmp(rt, "OBJECT_INDEX") == 0 && !jbool(s, "concurrent") &&
		           !dbw_strv_contains(&p->indexes, name)) {
			/* the earlier files say which table the index is on */
			const char *it = dbw_lint__model_index_table(m, name);
			if (!it || !is_new(p, it))
				rc = report(
				    p, "DW210", it, err,
				    it ? "index \"%s\" on \"%s\" is dropped without CONCURRENTLY"
				       : "index \"%s\" is dropped without CONCURRENTLY%s",
				    name, it ? it : "");
		}
		if (rc)
			return rc;
	}
	return 0;
}

int dbw_lint__pg_rename(pgf *p, json_t *s, dbw_error *err)
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

int dbw_lint__pg_create_enum(pgf *p, json_t *s, dbw_error *err)
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
