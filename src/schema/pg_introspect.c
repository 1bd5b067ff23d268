/*
 * pg_introspect.c - PostgreSQL introspection: the entry point, schemas,
 * extensions and comments. The other object families live in
 * pg_introspect_types.c, pg_introspect_tables.c and pg_introspect_code.c.
 * Everything comes from pg_catalog (PostgreSQL docs, chapter "System
 * Catalogs") and the server's own deparsers (pg_get_*def), so that the text
 * is what the server itself would write.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"
#include "schema/pg_sql.h"

static int introspect_schemas(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    "SELECT n.nspname, format('CREATE SCHEMA IF NOT EXISTS %I;', n.nspname)"
	    " FROM pg_namespace n WHERE " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_namespace",
	                                                                   "n.oid") " ORDER BY 1",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++)
		if (!dbw_schema__add(s, DBW_OBJ_SCHEMA, NULL, NULL, dbw_result_value(r, i, 0),
		                     dbw_result_value(r, i, 1)))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	dbw_result_free(r);
	return rc;
}

static int introspect_extensions(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    "SELECT e.extname, n.nspname, e.extversion,"
	    " format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I;', e.extname, n.nspname)"
	    " FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_EXTENSION, NULL, NULL, dbw_result_value(r, i, 0),
		                    dbw_result_value(r, i, 3));
		if (!o || dbw_schema__attr(o, "schema", dbw_result_value(r, i, 1)) < 0 ||
		    dbw_schema__attr(o, "version", dbw_result_value(r, i, 2)) < 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_result_free(r);
	return rc;
}

/*
 * Comments on every object the model holds. pg_identify_object gives the
 * object's type and a quoted identity that COMMENT ON accepts as written,
 * except for domain constraints, which need "ON DOMAIN".
 */
static int introspect_comments(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	char *sql = dbw_sprintf(
	    "SELECT COALESCE(o.schema, (SELECT nspname FROM pg_namespace WHERE oid = "
	    "cl.relnamespace)),"
	    " t.typ || ' ' || o.identity,"
	    " CASE WHEN o.type = 'domain constraint'"
	    "  THEN format('COMMENT ON CONSTRAINT %%I ON DOMAIN %%s IS %%L;', co.conname,"
	    "   co.contypid::regtype, d.description)"
	    "  WHEN o.type = 'table constraint' THEN format('COMMENT ON CONSTRAINT %%s IS %%L;',"
	    "   o.identity, d.description)"
	    "  ELSE format('COMMENT ON %%s %%s IS %%L;', upper(t.typ), o.identity, d.description) "
	    "END,"
	    " d.description"
	    /* Objects of the system have OIDs below FirstNormalObjectId (16384);
	     * skipping them first spares pg_identify_object thousands of calls.
	     * public (2200) is the one made by initdb that users comment on. */
	    " FROM (SELECT * FROM pg_description WHERE objoid >= 16384"
	    "  OR (classoid = 'pg_namespace'::regclass AND objoid = 2200)) d"
	    " CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o"
	    /* COMMENT ON says COLUMN for the columns of tables, views and types,
	     * and TYPE for composite types. */
	    " CROSS JOIN LATERAL (SELECT CASE WHEN o.type LIKE '%% column' THEN 'column'"
	    "  WHEN o.type = 'composite type' THEN 'type' WHEN o.type = 'statistics object'"
	    "  THEN 'statistics' ELSE o.type END AS typ) t"
	    " LEFT JOIN pg_constraint co ON d.classoid = 'pg_constraint'::regclass AND co.oid = "
	    "d.objoid"
	    " LEFT JOIN pg_class cl ON cl.oid = COALESCE(CASE WHEN d.classoid = "
	    "'pg_class'::regclass"
	    "  THEN d.objoid END, co.conrelid, (SELECT tgrelid FROM pg_trigger t WHERE"
	    "  d.classoid = 'pg_trigger'::regclass AND t.oid = d.objoid), (SELECT polrelid FROM"
	    "  pg_policy p WHERE d.classoid = 'pg_policy'::regclass AND p.oid = d.objoid),"
	    " (SELECT ev_class FROM pg_rewrite rw WHERE d.classoid = 'pg_rewrite'::regclass"
	    "  AND rw.oid = d.objoid), (SELECT stxrelid FROM pg_statistic_ext st WHERE"
	    "  d.classoid = 'pg_statistic_ext'::regclass AND st.oid = d.objoid))"
	    " WHERE d.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass,"
	    "  'pg_namespace'::regclass, 'pg_constraint'::regclass, 'pg_trigger'::regclass,"
	    "  'pg_policy'::regclass, 'pg_extension'::regclass, 'pg_event_trigger'::regclass,"
	    "  'pg_rewrite'::regclass, 'pg_statistic_ext'::regclass)"
	    " AND COALESCE(o.schema, '') NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
	    " AND COALESCE(o.schema, '') NOT LIKE 'pg\\_temp\\_%%'"
	    " AND NOT EXISTS (SELECT 1 FROM pg_depend de WHERE de.classid = d.classoid"
	    "  AND de.objid = d.objoid AND de.deptype = 'e')"
	    " AND NOT EXISTS (SELECT 1 FROM pg_depend de WHERE de.classid = 'pg_class'::regclass"
	    "  AND de.objid = cl.oid AND de.deptype = 'e')"
	    " AND NOT (d.classoid = 'pg_type'::regclass AND EXISTS (SELECT 1 FROM pg_type t"
	    "  JOIN pg_class tc ON tc.oid = t.typrelid WHERE t.oid = d.objoid AND tc.relkind <> "
	    "'c'))"
	    " AND NOT (d.classoid = 'pg_namespace'::regclass AND d.objoid IN (SELECT oid FROM"
	    "  pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema', 'pg_toast')))"
	    " AND NOT (%s AND cl.oid IS NOT NULL AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                          " ORDER BY 1, 2",
	    excl);
	int rc = sql ? dbw_schema__query(c, sql, &r, err)
	             : dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_COMMENT, dbw_result_value(r, i, 0), NULL,
		                    dbw_result_value(r, i, 1), dbw_result_value(r, i, 2));
		if (!o || dbw_schema__attr(o, "text", dbw_result_value(r, i, 3)) < 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

/*
 * Privileges that differ from an object's default (acldefault: what a new
 * object of that kind has), for tables, views, sequences, functions,
 * schemas and types. The owner's own entries are left out: owners may
 * differ between environments, and an owner holds its privileges anyway.
 * One object per grant target: name "<kind> <target>", attribute
 * "privileges" ("grantee: PRIV, PRIV[ (with grant option)]; ..."), and the
 * statements that set them: REVOKE ALL ... FROM PUBLIC, then the GRANTs.
 */
static int introspect_grants(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	/* clang-format off */
	char *sql = dbw_sprintf(
		"WITH o(objtype, nsp, target, acl, owner, deflt) AS ("
		" SELECT CASE WHEN cl.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname,"
		"  format('%%I.%%I', n.nspname, cl.relname), cl.relacl, cl.relowner,"
		"  acldefault(CASE WHEN cl.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", cl.relowner)"
		" FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace"
		" WHERE cl.relkind IN ('r', 'p', 'v', 'm', 'S') AND cl.relacl IS NOT NULL"
		"  AND " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_class", "cl.oid")
		"  AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
		" UNION ALL"
		" SELECT CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname,"
		"  format('%%I.%%I(%%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)),"
		"  p.proacl, p.proowner, acldefault('f', p.proowner)"
		" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
		" WHERE p.prokind IN ('f', 'p') AND p.proacl IS NOT NULL"
		"  AND " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_proc", "p.oid")
		" UNION ALL"
		" SELECT 'SCHEMA', n.nspname, format('%%I', n.nspname), n.nspacl, n.nspowner,"
		"  acldefault('n', n.nspowner)"
		" FROM pg_namespace n"
		" WHERE n.nspacl IS NOT NULL AND " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_namespace", "n.oid")
		" UNION ALL"
		" SELECT CASE WHEN t.typtype = 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname,"
		"  format('%%I.%%I', n.nspname, t.typname), t.typacl, t.typowner,"
		"  acldefault('T', t.typowner)"
		" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
		" WHERE t.typtype IN ('e', 'd', 'r') AND t.typacl IS NOT NULL"
		"  AND " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_type", "t.oid") "),"
		" e AS ("
		" SELECT o.objtype, o.nsp, o.target, x.is_grantable, x.privs,"
		"  CASE WHEN x.grantee = 0 THEN 'PUBLIC'"
		"   ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS who"
		" FROM o LEFT JOIN LATERAL ("
		"  SELECT grantee, is_grantable,"
		"   string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privs"
		"  FROM aclexplode(o.acl) WHERE grantee <> o.owner"
		"  GROUP BY grantee, is_grantable) x ON true"
		" WHERE o.acl <> o.deflt)"
		" SELECT objtype, nsp, lower(objtype) || ' ' || target,"
		"  COALESCE(string_agg(who || ': ' || privs"
		"   || CASE WHEN is_grantable THEN ' (with grant option)' ELSE '' END,"
		"   '; ' ORDER BY who, is_grantable) FILTER (WHERE privs IS NOT NULL), ''),"
		"  format('REVOKE ALL ON %%s %%s FROM PUBLIC;', objtype, target)"
		"   || COALESCE(E'\\n' || string_agg(format('GRANT %%s ON %%s %%s TO %%s%%s;', privs,"
		"   objtype, target, who, CASE WHEN is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),"
		"   E'\\n' ORDER BY who, is_grantable) FILTER (WHERE privs IS NOT NULL), '')"
		" FROM e GROUP BY objtype, nsp, target ORDER BY 1, 2, 3",
		excl);
	/* clang-format on */
	int rc = sql ? dbw_schema__query(c, sql, &r, err)
	             : dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		const char *type = dbw_result_value(r, i, 0);
		dbw_schema_obj *o = dbw_schema__add(
		    s, DBW_OBJ_GRANT, strcmp(type, "SCHEMA") ? dbw_result_value(r, i, 1) : NULL,
		    NULL, dbw_result_value(r, i, 2), dbw_result_value(r, i, 4));
		if (!o || dbw_schema__attr(o, "privileges", dbw_result_value(r, i, 3)) < 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

int dbw_pg__introspect(dbw_schema *s, dbw_conn *c, const dbw_schema_options *opts, dbw_error *err)
{
	const char *excl = opts->include_dbward_tables ? "false" : "true";
	int rc;
	/* One snapshot for every catalog query, so the model is consistent even
	 * while someone runs DDL; read-only, so nothing can be changed by it. */
	if ((rc = dbw_conn_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) < 0)
		return rc;
	/* The deparsers qualify names by the search_path: fix it, so that a
	 * role's own setting cannot make two identical schemas read apart. */
	if ((rc = dbw_conn_exec(c, "SET LOCAL search_path = public", err)) < 0)
		goto done;
	if ((rc = introspect_schemas(s, c, err)) < 0 ||
	    (rc = introspect_extensions(s, c, err)) < 0 ||
	    (rc = dbw_pg__introspect_types(s, c, excl, err)) < 0 ||
	    (rc = dbw_pg__introspect_tables(s, c, excl, err)) < 0 ||
	    (rc = dbw_pg__introspect_code(s, c, excl, err)) < 0 ||
	    (rc = introspect_grants(s, c, excl, err)) < 0 ||
	    (rc = introspect_comments(s, c, excl, err)) < 0)
		goto done;
done:
	dbw_conn_rollback(c, NULL);
	return rc;
}
