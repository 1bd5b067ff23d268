/*
 * reset.c - `reset`: drop every object of a database, then deploy every
 * migration and seed.
 *
 * How PostgreSQL objects are dropped, and why:
 * - DROP OWNED BY current_user is not enough: it misses objects other roles
 *   own (a view a reporting role made over our tables), and it revokes
 *   grants the database owner gave.
 * - DROP SCHEMA public CASCADE + CREATE SCHEMA public would need the old
 *   owner (pg_database_owner since PostgreSQL 15), its ACL and its comment
 *   put back exactly, and it takes the extensions living in public with it.
 * So: every schema other than public that we may drop (we are a member of
 * its owner: ownership is what DROP SCHEMA checks) and that holds nothing to
 * keep is dropped whole, because a fresh database has no such schema and a
 * migration's CREATE SCHEMA must succeed again. public, and any schema that
 * holds something kept (the environment stamp, an extension when
 * --extensions is absent) or that another role owns, is emptied object by
 * object: relations, routines, types and domains, collations, text search
 * configurations and dictionaries, each DROP ... IF EXISTS ... CASCADE.
 * CASCADE takes dependants whoever owns them (PostgreSQL checks ownership of
 * the named object only), so views over our tables, defaults calling our
 * functions, triggers and policies go with what they depend on; IF EXISTS
 * covers objects an earlier cascade already took. Objects of extensions
 * (pg_depend deptype 'e') are never named: they go with DROP EXTENSION. All
 * of it runs in one transaction: when the role may not drop something
 * ("must be owner"), nothing is dropped.
 * Not covered: database-wide objects (event triggers not tied to our
 * functions, publications, foreign servers and wrappers), text search
 * parsers and templates, default privileges.
 *
 * SQLite: PRAGMA foreign_keys is switched off (it cannot change inside a
 * transaction) so that dropping a parent table does not check children;
 * triggers, views, virtual tables then tables go in one transaction; the
 * sqlite_sequence rows go; VACUUM returns the pages to the file system.
 */
#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"
#include "util/util.h"

/* Non-system schemas: name, may we drop it, does it hold something to keep. */
static const char pg_schemas_sql[] =
    "SELECT n.nspname, pg_has_role(n.nspowner, 'USAGE') AS can_drop,\n"
    "  (EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid\n"
    "           AND c.relname = 'dbward_environment')\n"
    "   OR ($1::text = '0' AND EXISTS (SELECT 1 FROM pg_extension e WHERE e.extnamespace = "
    "n.oid))\n"
    "   OR ($1::text = '0' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
    "'pg_namespace'::regclass\n"
    "           AND d.objid = n.oid AND d.deptype = 'e'))) AS keeps\n"
    "FROM pg_namespace n\n"
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')\n"
    "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"
    "ORDER BY n.nspname";

/*
 * The objects of one schema ($1) as DROP statements, dependants first where
 * the order is known (views before tables), extension members and the stamp
 * left out. Objects internal to another (deptype 'i': a range type's
 * constructor functions, an identity's sequence) and sequences owned by a
 * column (serial) go with their owner; naming them is an error.
 */
static const char pg_objects_sql[] =
    "WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1::text),\n"
    "skip AS (SELECT classid, objid FROM pg_depend WHERE deptype IN ('e', 'i'))\n"
    "SELECT stmt FROM (\n"
    "  SELECT CASE c.relkind WHEN 'm' THEN 1 WHEN 'v' THEN 2 WHEN 'f' THEN 4 WHEN 'S' THEN 5 "
    "ELSE 3 END AS ord, c.relname AS nm,\n"
    "    format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED "
    "VIEW'\n"
    "      WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE "
    "'TABLE' END,\n"
    "      $1::text, c.relname) AS stmt\n"
    "  FROM pg_class c, ns WHERE c.relnamespace = ns.oid AND c.relkind IN "
    "('r','p','v','m','f','S')\n"
    "    AND NOT c.relispartition\n"
    "    AND NOT (c.relname = 'dbward_environment' AND c.relkind IN ('r','p'))\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_class'::regclass AND "
    "skip.objid = c.oid)\n"
    "    AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
    "'pg_class'::regclass\n"
    "      AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN "
    "('a','i')))\n"
    "  UNION ALL\n"
    "  SELECT 6, p.proname, format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', $1::text, "
    "p.proname,\n"
    "      pg_get_function_identity_arguments(p.oid))\n"
    "  FROM pg_proc p, ns WHERE p.pronamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_proc'::regclass AND "
    "skip.objid = p.oid)\n"
    "  UNION ALL\n"
    "  SELECT 7, t.typname, format('DROP %s IF EXISTS %I.%I CASCADE',\n"
    "      CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, $1::text, t.typname)\n"
    "  FROM pg_type t, ns WHERE t.typnamespace = ns.oid AND t.typtype IN ('b','c','d','e','r')\n"
    "    AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')\n"
    "    AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_type'::regclass AND "
    "skip.objid = t.oid)\n"
    "  UNION ALL\n"
    "  SELECT 8, co.collname, format('DROP COLLATION IF EXISTS %I.%I CASCADE', $1::text, "
    "co.collname)\n"
    "  FROM pg_collation co, ns WHERE co.collnamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_collation'::regclass AND "
    "skip.objid = co.oid)\n"
    "  UNION ALL\n"
    "  SELECT 9, cf.cfgname, format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I CASCADE', "
    "$1::text, cf.cfgname)\n"
    "  FROM pg_ts_config cf, ns WHERE cf.cfgnamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_ts_config'::regclass AND "
    "skip.objid = cf.oid)\n"
    "  UNION ALL\n"
    "  SELECT 10, di.dictname, format('DROP TEXT SEARCH DICTIONARY IF EXISTS %I.%I CASCADE', "
    "$1::text, di.dictname)\n"
    "  FROM pg_ts_dict di, ns WHERE di.dictnamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_ts_dict'::regclass AND "
    "skip.objid = di.oid)\n"
    "  UNION ALL\n"
    "  SELECT 11, op.oprname, format('DROP OPERATOR IF EXISTS %I.%s (%s, %s) CASCADE', $1::text,\n"
    "      op.oprname, CASE WHEN op.oprleft = 0 THEN 'NONE' ELSE op.oprleft::regtype::text END,\n"
    "      CASE WHEN op.oprright = 0 THEN 'NONE' ELSE op.oprright::regtype::text END)\n"
    "  FROM pg_operator op, ns WHERE op.oprnamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_operator'::regclass AND "
    "skip.objid = op.oid)\n"
    "  UNION ALL\n"
    "  SELECT 12, f.opfname, format('DROP OPERATOR FAMILY IF EXISTS %I.%I USING %I CASCADE',\n"
    "      $1::text, f.opfname, am.amname)\n"
    "  FROM pg_opfamily f JOIN pg_am am ON am.oid = f.opfmethod, ns WHERE f.opfnamespace = "
    "ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_opfamily'::regclass AND "
    "skip.objid = f.oid)\n"
    "  UNION ALL\n"
    "  SELECT 13, cv.conname, format('DROP CONVERSION IF EXISTS %I.%I CASCADE', $1::text, "
    "cv.conname)\n"
    "  FROM pg_conversion cv, ns WHERE cv.connamespace = ns.oid\n"
    "    AND NOT EXISTS (SELECT 1 FROM skip WHERE skip.classid = 'pg_conversion'::regclass AND "
    "skip.objid = cv.oid)\n"
    ") o ORDER BY ord, nm, stmt";

static void owner_hint(dbw_error *err)
{
	if (err && strcmp(err->sqlstate, "42501") == 0 && !err->hint)
		dbw_error_hint(err,
		               "Run reset as the database owner, or as a role that is a member of "
		               "the role owning the objects.");
}

static int exec_all(dbw_conn *c, dbw_result *r, size_t *count, dbw_error *err)
{
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		int rc = dbw_conn_exec(c, dbw_result_value(r, i, 0), err);
		if (rc < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

static int pg_drop(dbw_conn *c, int extensions, size_t *dropped, size_t *schemas_dropped,
                   dbw_error *err)
{
	dbw_result *schemas = NULL, *objs = NULL;
	const char *ext_param[1] = {extensions ? "1" : "0"};
	int rc;

	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		return rc;
	/* IF EXISTS on objects an earlier CASCADE took would print a NOTICE each. */
	rc = dbw_conn_exec(c, "SET LOCAL client_min_messages = warning", err);
	if (rc < 0)
		goto done;
	if (extensions) {
		/* plpgsql is part of every fresh database: keep it. */
		rc = dbw_conn_query(c,
		                    "SELECT format('DROP EXTENSION IF EXISTS %I CASCADE', extname) "
		                    "FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname",
		                    0, NULL, &objs, err);
		if (rc < 0 || (rc = exec_all(c, objs, dropped, err)) < 0)
			goto done;
		dbw_result_free(objs);
		objs = NULL;
	}
	rc = dbw_conn_query(c, pg_schemas_sql, 1, ext_param, &schemas, err);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < dbw_result_rows(schemas); i++) {
		const char *name = dbw_result_value(schemas, i, 0);
		int can_drop = strcmp(dbw_result_value(schemas, i, 1), "t") == 0;
		int keeps = strcmp(dbw_result_value(schemas, i, 2), "t") == 0;
		if (strcmp(name, "public") != 0 && can_drop && !keeps) {
			char *q = dbw_sql_quote_ident(DBW_DB_POSTGRES, name);
			char *sql = q ? dbw_sprintf("DROP SCHEMA %s CASCADE", q) : NULL;
			free(q);
			if (!sql) {
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				goto done;
			}
			rc = dbw_conn_exec(c, sql, err);
			free(sql);
			if (rc < 0)
				goto done;
			(*schemas_dropped)++;
			continue;
		}
		rc = dbw_conn_query(c, pg_objects_sql, 1, &name, &objs, err);
		if (rc < 0 || (rc = exec_all(c, objs, dropped, err)) < 0)
			goto done;
		dbw_result_free(objs);
		objs = NULL;
	}
	rc = dbw_conn_commit(c, err);
done:
	if (rc < 0) {
		dbw_error ignored = DBW_ERROR_INIT;
		owner_hint(err);
		dbw_conn_rollback(c, &ignored);
		dbw_error_clear(&ignored);
	}
	dbw_result_free(objs);
	dbw_result_free(schemas);
	return rc;
}

static int sqlite_drop(dbw_conn *c, size_t *dropped, dbw_error *err)
{
	/* Triggers and views first, then virtual tables (their shadow tables go with them). */
	static const char list_sql[] =
	    "SELECT CASE type WHEN 'trigger' THEN 'TRIGGER' WHEN 'view' THEN 'VIEW' ELSE "
	    "'TABLE' END,\n"
	    "  name FROM sqlite_schema\n"
	    "WHERE type IN ('trigger', 'view', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE "
	    "'\\'\n"
	    "  AND name <> 'dbward_environment'\n"
	    "ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE\n"
	    "  CASE WHEN sql LIKE 'CREATE VIRTUAL TABLE%' THEN 2 ELSE 3 END END, name";
	dbw_result *r = NULL;
	char *fk = NULL;
	int began = 0, rc;

	rc = dbw_data__query_value(c, "PRAGMA foreign_keys", 0, NULL, &fk, err);
	if (rc < 0)
		goto done;
	rc = dbw_conn_exec(c, "PRAGMA foreign_keys = OFF", err);
	if (rc < 0)
		goto done;
	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		goto done;
	began = 1;
	rc = dbw_conn_query(c, list_sql, 0, NULL, &r, err);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		char *q = dbw_sql_quote_ident(DBW_DB_SQLITE, dbw_result_value(r, i, 1));
		char *sql =
		    q ? dbw_sprintf("DROP %s IF EXISTS %s", dbw_result_value(r, i, 0), q) : NULL;
		free(q);
		if (!sql) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		rc = dbw_conn_exec(c, sql, err);
		free(sql);
		if (rc < 0)
			goto done;
		(*dropped)++;
	}
	{
		int seq = 0;
		rc = dbw_conn_table_exists(c, "sqlite_sequence", &seq, err);
		if (rc < 0)
			goto done;
		if (seq) {
			rc = dbw_conn_exec(c,
			                   "DELETE FROM sqlite_sequence WHERE name <> "
			                   "'dbward_environment'",
			                   err);
			if (rc < 0)
				goto done;
		}
	}
	rc = dbw_conn_commit(c, err);
	began = 0;
	if (rc < 0)
		goto done;
	rc = dbw_conn_exec(c, "VACUUM", err);
done:
	if (began) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_rollback(c, &ignored);
		dbw_error_clear(&ignored);
	}
	if (fk && strcmp(fk, "1") == 0) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_exec(c, "PRAGMA foreign_keys = ON", &ignored);
		dbw_error_clear(&ignored);
	}
	free(fk);
	dbw_result_free(r);
	return rc;
}

int dbw_reset_drop(dbw_conn *c, int extensions, size_t *dropped_out, size_t *schemas_dropped_out,
                   dbw_error *err)
{
	size_t dropped = 0, schemas = 0;
	int rc;
	if (dbw_conn_kind(c) == DBW_DB_POSTGRES)
		rc = pg_drop(c, extensions, &dropped, &schemas, err);
	else
		rc = sqlite_drop(c, &dropped, err);
	if (dropped_out)
		*dropped_out = rc < 0 ? 0 : dropped;
	if (schemas_dropped_out)
		*schemas_dropped_out = rc < 0 ? 0 : schemas;
	return rc;
}

void dbw_reset_result_free(dbw_reset_result *r)
{
	if (!r)
		return;
	dbw_deploy_result_free(r->deploy);
	dbw_seed_result_free(r->seed);
	free(r);
}

int dbw_reset(dbw_conn *c, const dbw_env *env, const dbw_migration_set *set,
              const dbw_seed_set *seeds, const dbw_reset_options *opts,
              dbw_reset_result **result_out, dbw_error *err)
{
	static const dbw_reset_options defaults = DBW_RESET_OPTIONS_INIT;
	dbw_deploy_options dopts = DBW_DEPLOY_OPTIONS_INIT;
	dbw_reset_result *res;
	int64_t t0 = dbw_monotonic_ms(), t1;
	int rc;

	if (result_out)
		*result_out = NULL;
	if (!opts)
		opts = &defaults;
	res = calloc(1, sizeof(*res));
	if (!res)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	/* The policy layer's guard replaces dbw_data_check once it lands. */
	rc = dbw_data_check(env, c, DBW_DATA_RESET, NULL, err);
	if (rc < 0)
		goto done;
	if (dbw_data_needs_confirmation(env, DBW_DATA_RESET) && !opts->confirmed) {
		rc = dbw_error_set(err, DBW_EPOLICY, "reset of %s needs confirmation", env->name);
		dbw_error_detail(err, "Reset drops every object of database \"%s\".",
		                 dbw_conn_database(c));
		dbw_error_hint(err, "Answer the prompt, or pass --yes.");
		goto done;
	}
	if (env->lock_timeout_ms > 0 &&
	    (rc = dbw_conn_set_lock_timeout(c, env->lock_timeout_ms, err)) < 0)
		goto done;
	t1 = dbw_monotonic_ms();
	rc = dbw_reset_drop(c, opts->extensions, &res->n_dropped, &res->n_schemas_dropped, err);
	res->drop_ms = (long)(dbw_monotonic_ms() - t1);
	if (rc < 0)
		goto done;
	dopts.actor = opts->actor;
	dopts.on_event = opts->on_event;
	dopts.ctx = opts->ctx;
	dopts.lock_timeout_ms = env->lock_timeout_ms;
	rc = dbw_deploy(c, set, &dopts, &res->deploy, err);
	if (rc < 0 || !seeds || opts->no_seed)
		goto done;
	rc = dbw_seed_run(c, env, seeds, NULL, &res->seed, err);
done:
	res->total_ms = (long)(dbw_monotonic_ms() - t0);
	if (result_out)
		*result_out = res;
	else
		dbw_reset_result_free(res);
	return rc;
}
