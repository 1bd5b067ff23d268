/*
 * pg_introspect_types.c - PostgreSQL user types and sequences: enums (labels
 * in enumsortorder), domains (base type, collation, default, NOT NULL, CHECK
 * constraints), composite types, and sequences with their OWNED BY column.
 * Identity sequences are left out: the identity column implies them.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"
#include "schema/pg_sql.h"

#define V(r, i, j) dbw_result_value(r, i, j)

static int oom(dbw_error *err)
{
	return dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

static int introspect_enums(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    "SELECT n.nspname, t.typname,"
	    " string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder),"
	    " format('CREATE TYPE %I.%I AS ENUM (', n.nspname, t.typname)"
	    "  || string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) || ');'"
	    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	    " JOIN pg_enum e ON e.enumtypid = t.oid"
	    " WHERE t.typtype = 'e' AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_type", "t.oid") " GROUP BY n.nspname, t.typname ORDER BY 1, 2",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_ENUM, V(r, i, 0), NULL, V(r, i, 1), V(r, i, 3));
		if (!o || dbw_schema__attr(o, "values", V(r, i, 2)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int introspect_domains(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    "SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),"
	    " CASE WHEN t.typcollation <> bt.typcollation THEN"
	    "  (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co"
	    "   JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) "
	    "END,"
	    " t.typdefault, CASE WHEN t.typnotnull THEN 'yes' ELSE 'no' END,"
	    " (SELECT string_agg(format('CONSTRAINT %I %s', k.conname, "
	    "pg_get_constraintdef(k.oid)),"
	    "   ' ' ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid)"
	    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	    " JOIN pg_type bt ON bt.oid = t.typbasetype"
	    " WHERE t.typtype = 'd' AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_type", "t.oid") " ORDER BY 1, 2",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_buf b = DBW_BUF_INIT;
		char *q = dbw_schema__qname(DBW_DB_POSTGRES, V(r, i, 0), V(r, i, 1));
		dbw_schema_obj *o;
		dbw_buf_printf(&b, "CREATE DOMAIN %s AS %s", q ? q : "", V(r, i, 2));
		if (V(r, i, 3))
			dbw_buf_printf(&b, " COLLATE %s", V(r, i, 3));
		if (V(r, i, 4))
			dbw_buf_printf(&b, " DEFAULT %s", V(r, i, 4));
		if (strcmp(V(r, i, 5), "yes") == 0)
			dbw_buf_puts(&b, " NOT NULL");
		if (V(r, i, 6))
			dbw_buf_printf(&b, " %s", V(r, i, 6));
		dbw_buf_putc(&b, ';');
		free(q);
		o = dbw_schema__add(s, DBW_OBJ_DOMAIN, V(r, i, 0), NULL, V(r, i, 1), NULL);
		if (o)
			dbw_schema__set_sql(o, dbw_buf_detach(&b));
		else
			dbw_buf_free(&b);
		if (!o || !o->sql || dbw_schema__attr(o, "type", V(r, i, 2)) < 0 ||
		    dbw_schema__attr(o, "collation", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "default", V(r, i, 4)) < 0 ||
		    dbw_schema__attr(o, "not_null", V(r, i, 5)) < 0 ||
		    dbw_schema__attr(o, "constraints", V(r, i, 6)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int introspect_composites(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc =
	    dbw_schema__query(c,
	                      "SELECT n.nspname, t.typname, string_agg(format('%I %s', a.attname,"
	                      "  format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)"
	                      " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	                      " JOIN pg_class cl ON cl.oid = t.typrelid AND cl.relkind = 'c'"
	                      " LEFT JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 "
	                      "AND NOT a.attisdropped"
	                      " WHERE t.typtype = 'c' AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	                          "pg_type", "t.oid") " GROUP BY 1, 2 ORDER BY 1, 2",
	                      &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		char *q = dbw_schema__qname(DBW_DB_POSTGRES, V(r, i, 0), V(r, i, 1));
		char *sql = dbw_sprintf("CREATE TYPE %s AS (%s);", q ? q : "",
		                        V(r, i, 2) ? V(r, i, 2) : "");
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_COMPOSITE, V(r, i, 0), NULL, V(r, i, 1), NULL);
		free(q);
		if (o)
			dbw_schema__set_sql(o, sql);
		else
			free(sql);
		if (!o || !o->sql || dbw_schema__attr(o, "attributes", V(r, i, 2)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int introspect_sequences(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	char *sql = dbw_sprintf(
	    "SELECT n.nspname, cl.relname, format_type(sq.seqtypid, NULL), sq.seqstart::text,"
	    " sq.seqincrement::text, sq.seqmin::text, sq.seqmax::text, sq.seqcache::text,"
	    " CASE WHEN sq.seqcycle THEN 'yes' ELSE 'no' END,"
	    " (SELECT format('%%I.%%I.%%I', tn.nspname, tc.relname, a.attname) FROM pg_depend d"
	    "  JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = "
	    "tc.relnamespace"
	    "  JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = d.refobjsubid"
	    "  WHERE d.classid = 'pg_class'::regclass AND d.objid = cl.oid"
	    "  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'),"
	    " format('CREATE SEQUENCE %%I.%%I AS %%s START WITH %%s INCREMENT BY %%s MINVALUE %%s"
	    " MAXVALUE %%s CACHE %%s%%s;', n.nspname, cl.relname, format_type(sq.seqtypid, NULL),"
	    " sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache,"
	    " CASE WHEN sq.seqcycle THEN ' CYCLE' ELSE '' END)"
	    " FROM pg_sequence sq JOIN pg_class cl ON cl.oid = sq.seqrelid"
	    " JOIN pg_namespace n ON n.oid = cl.relnamespace"
	    " WHERE " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class", "cl.oid") " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid "
	                              "= 'pg_class'::regclass"
	                              "  AND d.objid = cl.oid AND d.deptype = 'i')"
	                              " AND NOT (%s AND EXISTS (SELECT 1 FROM pg_depend d JOIN "
	                              "pg_class tc ON tc.oid = d.refobjid"
	                              "  WHERE d.classid = 'pg_class'::regclass AND d.objid = "
	                              "cl.oid AND d.deptype = 'a'"
	                              "  AND " PG_OWN_TABLE("tc.relname") "))"
	                                                                  " ORDER BY 1, 2",
	    excl);
	int rc = sql ? dbw_schema__query(c, sql, &r, err) : oom(err);
	static const char *const keys[] = {"type", "start", "increment", "min",
	                                   "max",  "cache", "cycle",     "owned_by"};
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_SEQUENCE, V(r, i, 0), NULL, V(r, i, 1), V(r, i, 10));
		if (!o)
			rc = oom(err);
		for (size_t k = 0; rc == 0 && k < 8; k++)
			if (dbw_schema__attr(o, keys[k], V(r, i, 2 + k)) < 0)
				rc = oom(err);
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

/* Range types; a canonical function needs a shell type first and is left
 * out (the subtype's own order and subtype_diff are kept). */
static int introspect_ranges(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	/* multiranges came with PostgreSQL 14 */
	char *sql = dbw_sprintf(
	    "SELECT n.nspname, t.typname, format_type(rg.rngsubtype, NULL),"
	    " CASE WHEN rg.rngsubdiff <> 0 THEN rg.rngsubdiff::regproc::text END,"
	    " %s,"
	    " format('CREATE TYPE %%I.%%I AS RANGE (subtype = %%s', n.nspname, t.typname,"
	    "  format_type(rg.rngsubtype, NULL))"
	    " FROM pg_range rg JOIN pg_type t ON t.oid = rg.rngtypid"
	    " JOIN pg_namespace n ON n.oid = t.typnamespace"
	    " WHERE " PG_NS_OK("n") " AND " PG_NOT_EXT("pg_type", "t.oid") " ORDER BY 1, 2",
	    dbw_conn_server_version(c) >= 140000
	        ? "(SELECT format('%I.%I', mn.nspname, mt.typname) FROM pg_type mt JOIN "
	          "pg_namespace"
	          " mn ON mn.oid = mt.typnamespace WHERE mt.oid = rg.rngmultitypid)"
	        : "NULL::text");
	int rc = sql ? dbw_schema__query(c, sql, &r, err) : oom(err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_buf b = DBW_BUF_INIT;
		dbw_schema_obj *o;
		dbw_buf_puts(&b, V(r, i, 5));
		if (V(r, i, 3))
			dbw_buf_printf(&b, ", subtype_diff = %s", V(r, i, 3));
		if (V(r, i, 4))
			dbw_buf_printf(&b, ", multirange_type_name = %s", V(r, i, 4));
		dbw_buf_puts(&b, ");");
		o = dbw_schema__add(s, DBW_OBJ_RANGE, V(r, i, 0), NULL, V(r, i, 1), NULL);
		if (o)
			dbw_schema__set_sql(o, dbw_buf_detach(&b));
		else
			dbw_buf_free(&b);
		if (!o || !o->sql || dbw_schema__attr(o, "subtype", V(r, i, 2)) < 0 ||
		    dbw_schema__attr(o, "subtype_diff", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "multirange", V(r, i, 4)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

int dbw_pg__introspect_types(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	int rc;
	if ((rc = introspect_enums(s, c, err)) < 0 || (rc = introspect_domains(s, c, err)) < 0 ||
	    (rc = introspect_composites(s, c, err)) < 0 ||
	    (rc = introspect_ranges(s, c, err)) < 0 ||
	    (rc = introspect_sequences(s, c, excl, err)) < 0)
		return rc;
	return 0;
}
