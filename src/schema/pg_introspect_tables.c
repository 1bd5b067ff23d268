/*
 * pg_introspect_tables.c - PostgreSQL tables (plain, partitioned,
 * partitions, inheritance children), their columns, constraints and
 * indexes. What a partition or child inherits (columns, constraints, the
 * per-partition copies of a partitioned index) is left out: the parent
 * implies it, and recreating the parent recreates it.
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

static int run(dbw_conn *c, const char *fmt_sql, const char *excl, dbw_result **out, dbw_error *err)
{
	char *sql = dbw_sprintf(fmt_sql, excl);
	int rc = sql ? dbw_schema__query(c, sql, out, err) : oom(err);
	free(sql);
	return rc;
}

/* Tables: the head of CREATE TABLE is composed by dump.c from these facts. */
static int introspect_tables(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	static const char *const keys[] = {"partitioned_by",    "partition_of", "partition_bound",
	                                   "inherits",          "unlogged",     "row_security",
	                                   "force_row_security"};
	dbw_result *r = NULL;
	int rc = run(
	    c,
	    "WITH RECURSIVE anc(relid, depth) AS ("
	    "  SELECT inhrelid, 1 FROM pg_inherits JOIN pg_class k ON k.oid = inhrelid"
	    "   WHERE k.relkind IN ('r', 'p')"
	    "  UNION ALL SELECT i.inhrelid, a.depth + 1 FROM pg_inherits i JOIN anc a ON a.relid = "
	    "i.inhparent)"
	    " SELECT n.nspname, cl.relname, COALESCE((SELECT max(depth) FROM anc WHERE relid = "
	    "cl.oid), 0),"
	    " CASE WHEN cl.relkind = 'p' THEN pg_get_partkeydef(cl.oid) END,"
	    " CASE WHEN cl.relispartition THEN (SELECT format('%%I.%%I', pn.nspname, pc.relname)"
	    "  FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent"
	    "  JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = cl.oid) END,"
	    " CASE WHEN cl.relispartition THEN pg_get_expr(cl.relpartbound, cl.oid) END,"
	    " CASE WHEN NOT cl.relispartition THEN (SELECT string_agg(format('%%I.%%I', pn.nspname,"
	    "  pc.relname), ', ' ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class pc"
	    "  ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
	    "  WHERE i.inhrelid = cl.oid) END,"
	    " CASE WHEN cl.relpersistence = 'u' THEN 'yes' ELSE 'no' END,"
	    " CASE WHEN cl.relrowsecurity THEN 'enabled' ELSE 'disabled' END,"
	    " CASE WHEN cl.relforcerowsecurity THEN 'yes' ELSE 'no' END,"
	    " format('CREATE %%sTABLE %%I.%%I', CASE WHEN cl.relpersistence = 'u' THEN 'UNLOGGED '"
	    "  ELSE '' END, n.nspname, cl.relname)"
	    " FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace"
	    " WHERE cl.relkind IN ('r', 'p') AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "cl.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                 " ORDER BY 1, 2",
	    excl, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_TABLE, V(r, i, 0), NULL, V(r, i, 1), V(r, i, 10));
		if (!o) {
			rc = oom(err);
			break;
		}
		o->rank = atoi(V(r, i, 2));
		for (size_t k = 0; rc == 0 && k < 7; k++)
			if (dbw_schema__attr(o, keys[k], V(r, i, 3 + k)) < 0)
				rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

/* Columns declared by the table itself (attislocal); partitions declare none. */
static int introspect_columns(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = run(
	    c,
	    "SELECT n.nspname, cl.relname, a.attname, a.attnum::text,"
	    " format_type(a.atttypid, a.atttypmod),"
	    " CASE WHEN a.attnotnull THEN 'yes' ELSE 'no' END,"
	    " CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,"
	    " CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,"
	    " CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END,"
	    " CASE WHEN a.attcollation <> t.typcollation THEN (SELECT format('%%I.%%I', cn.nspname,"
	    "  co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace"
	    "  WHERE co.oid = a.attcollation) END,"
	    " quote_ident(a.attname),"
	    " CASE WHEN a.attidentity <> '' THEN pg_get_serial_sequence(format('%%I.%%I', "
	    "n.nspname,"
	    "  cl.relname), a.attname) END"
	    " FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid"
	    " JOIN pg_namespace n ON n.oid = cl.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
	    " LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	    " WHERE cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
	    " AND a.attislocal AND NOT cl.relispartition"
	    " AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "cl.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                 " ORDER BY 1, 2, 3",
	    excl, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_buf b = DBW_BUF_INIT;
		dbw_schema_obj *o;
		dbw_buf_printf(&b, "%s %s", V(r, i, 10), V(r, i, 4));
		if (V(r, i, 9))
			dbw_buf_printf(&b, " COLLATE %s", V(r, i, 9));
		if (V(r, i, 8))
			dbw_buf_printf(&b, " GENERATED ALWAYS AS (%s) STORED", V(r, i, 8));
		if (V(r, i, 6))
			dbw_buf_printf(&b, " DEFAULT %s", V(r, i, 6));
		if (V(r, i, 7))
			dbw_buf_printf(&b, " GENERATED %s AS IDENTITY (SEQUENCE NAME %s)",
			               strcmp(V(r, i, 7), "always") == 0 ? "ALWAYS" : "BY DEFAULT",
			               V(r, i, 11));
		if (strcmp(V(r, i, 5), "yes") == 0)
			dbw_buf_puts(&b, " NOT NULL");
		o = dbw_schema__add(s, DBW_OBJ_COLUMN, V(r, i, 0), V(r, i, 1), V(r, i, 2), NULL);
		if (o) {
			dbw_schema__set_sql(o, dbw_buf_detach(&b));
			o->rank = atoi(V(r, i, 3));
		} else {
			dbw_buf_free(&b);
		}
		if (!o || !o->sql || dbw_schema__attr(o, "type", V(r, i, 4)) < 0 ||
		    dbw_schema__attr(o, "not_null", V(r, i, 5)) < 0 ||
		    dbw_schema__attr(o, "default", V(r, i, 6)) < 0 ||
		    dbw_schema__attr(o, "identity", V(r, i, 7)) < 0 ||
		    dbw_schema__attr(o, "identity_sequence", V(r, i, 11)) < 0 ||
		    dbw_schema__attr(o, "generated", V(r, i, 8)) < 0 ||
		    dbw_schema__attr(o, "collation", V(r, i, 9)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

/* Constraints declared on the table itself; rank orders them for a dump:
 * primary keys and unique ones before the foreign keys that need them. */
static int introspect_constraints(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = run(
	    c,
	    "SELECT n.nspname, cl.relname, k.conname,"
	    " CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN"
	    "  'foreign key' WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' END,"
	    " pg_get_constraintdef(k.oid),"
	    " format('ALTER TABLE %%s%%I.%%I ADD CONSTRAINT %%I ',"
	    "  CASE WHEN cl.relkind = 'p' THEN '' ELSE 'ONLY ' END, n.nspname, cl.relname, "
	    "k.conname),"
	    " CASE k.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 "
	    "ELSE 4 END,"
	    " (SELECT format('%%I', pk.conname) FROM pg_constraint pk WHERE pk.oid = k.conparentid"
	    "  AND NOT k.conislocal)"
	    " FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid"
	    " JOIN pg_namespace n ON n.oid = cl.relnamespace"
	    " WHERE k.contype IN ('p', 'u', 'f', 'c', 'x')"
	    " AND (k.conislocal OR (cl.relispartition AND k.conparentid <> 0 AND k.contype IN "
	    "('p', 'u', 'x')))"
	    " AND cl.relkind IN ('r', 'p') AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "cl.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                 " ORDER BY 1, 2, 3",
	    excl, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		/* A partition's copy of its parent's constraint: recreating the
		 * parent's makes it, so it has no DDL of its own. */
		const char *parent = V(r, i, 7);
		char *sql = parent ? NULL : dbw_sprintf("%s%s;", V(r, i, 5), V(r, i, 4));
		dbw_schema_obj *o;
		o = dbw_schema__add(s, DBW_OBJ_CONSTRAINT, V(r, i, 0), V(r, i, 1), V(r, i, 2),
		                    NULL);
		if (o) {
			dbw_schema__set_sql(o, sql);
			o->rank = atoi(V(r, i, 6));
		} else {
			free(sql);
		}
		if (!o || (!o->sql && !parent) || dbw_schema__attr(o, "type", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "definition", V(r, i, 4)) < 0 ||
		    (parent && dbw_schema__attr(o, "attached_to", parent) < 0))
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

/* Indexes that no constraint owns, on tables and materialized views. */
static int introspect_indexes(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = run(
	    c,
	    "SELECT n.nspname, tc.relname, ic.relname, pg_get_indexdef(ix.indexrelid),"
	    " (SELECT format('%%I.%%I', pn.nspname, pi.relname) FROM pg_inherits i JOIN pg_class pi"
	    "  ON pi.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pi.relnamespace"
	    "  WHERE i.inhrelid = ix.indexrelid)"
	    " FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid"
	    " JOIN pg_class tc ON tc.oid = ix.indrelid JOIN pg_namespace n ON n.oid = "
	    "ic.relnamespace"
	    " WHERE tc.relkind IN ('r', 'p', 'm') AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "tc.oid") " AND " PG_NOT_EXT("pg_class",
	                                     "ic.oid") " AND NOT EXISTS (SELECT 1 FROM "
	                                               "pg_constraint k WHERE k.conindid = "
	                                               "ix.indexrelid"
	                                               "  AND k.contype IN ('p', 'u', 'x'))"

	                                               " AND NOT (%s AND " PG_OWN_TABLE(
	                                                   "tc.relname") ")"
	                                                                 " ORDER BY 1, 2, 3",
	    excl, &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		/* A partition's copy of its parent's index: made with the parent's. */
		const char *parent = V(r, i, 4);
		char *sql = parent ? NULL : dbw_sprintf("%s;", V(r, i, 3));
		char *only = sql ? strstr(sql, " ON ONLY ") : NULL;
		dbw_schema_obj *o;
		/* pg_get_indexdef writes ON ONLY for a partitioned table's index
		 * (pg_dump then attaches each partition's); without ONLY, CREATE
		 * INDEX makes the partitions' indexes itself. */
		if (only)
			memmove(only + 3, only + 8, strlen(only + 8) + 1);
		o = dbw_schema__add(s, DBW_OBJ_INDEX, V(r, i, 0), V(r, i, 1), V(r, i, 2), NULL);
		if (o)
			dbw_schema__set_sql(o, sql);
		else
			free(sql);
		if (!o || (!o->sql && !parent) ||
		    dbw_schema__attr(o, "definition", V(r, i, 3)) < 0 ||
		    (parent && dbw_schema__attr(o, "attached_to", parent) < 0))
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int cmp_col(const void *pa, const void *pb)
{
	const dbw_schema_obj *a = *(dbw_schema_obj *const *)pa, *b = *(dbw_schema_obj *const *)pb;
	int r = strcmp(a->schema, b->schema);
	if (r == 0)
		r = strcmp(a->table, b->table);
	return r ? r : (a->rank > b->rank) - (a->rank < b->rank);
}

static int cmp_tab(const void *pa, const void *pb)
{
	const dbw_schema_obj *a = *(dbw_schema_obj *const *)pa, *b = *(dbw_schema_obj *const *)pb;
	int r = strcmp(a->schema, b->schema);
	return r ? r : strcmp(a->name, b->name);
}

/* Turn each table's head ("CREATE TABLE s.t", set by introspect_tables) into
 * the whole statement with its columns in their order (attnum). */
static int compose_tables(dbw_schema *s, size_t first, dbw_error *err)
{
	size_t nt = 0, nc = 0, j = 0;
	dbw_schema_obj **tabs = calloc(s->count - first + 1, sizeof(*tabs));
	dbw_schema_obj **cols = calloc(s->count - first + 1, sizeof(*cols));
	int rc = 0;
	if (!tabs || !cols) {
		rc = oom(err);
		goto done;
	}
	for (size_t i = first; i < s->count; i++) {
		if (s->objs[i].kind == DBW_OBJ_TABLE)
			tabs[nt++] = &s->objs[i];
		else if (s->objs[i].kind == DBW_OBJ_COLUMN)
			cols[nc++] = &s->objs[i];
	}
	qsort(tabs, nt, sizeof(*tabs), cmp_tab);
	qsort(cols, nc, sizeof(*cols), cmp_col);
	for (size_t i = 0; i < nt; i++) {
		dbw_schema_obj *t = tabs[i];
		const char *pof = dbw_schema_obj_attr(t, "partition_of");
		const char *inh = dbw_schema_obj_attr(t, "inherits");
		const char *pby = dbw_schema_obj_attr(t, "partitioned_by");
		dbw_buf b = DBW_BUF_INIT;
		int n = 0;
		dbw_buf_puts(&b, t->sql);
		if (pof)
			dbw_buf_printf(&b, " PARTITION OF %s", pof);
		while (j < nc && (strcmp(cols[j]->schema, t->schema) < 0 ||
		                  (strcmp(cols[j]->schema, t->schema) == 0 &&
		                   strcmp(cols[j]->table, t->name) < 0)))
			j++;
		if (!pof)
			dbw_buf_puts(&b, " (");
		for (; j < nc && strcmp(cols[j]->schema, t->schema) == 0 &&
		       strcmp(cols[j]->table, t->name) == 0;
		     j++)
			dbw_buf_printf(&b, "%s\n    %s", n++ ? "," : "", cols[j]->sql);
		if (!pof)
			dbw_buf_puts(&b, n ? "\n)" : ")");
		if (pof)
			dbw_buf_printf(&b, "\n    %s", dbw_schema_obj_attr(t, "partition_bound"));
		if (inh)
			dbw_buf_printf(&b, "\nINHERITS (%s)", inh);
		if (pby)
			dbw_buf_printf(&b, "\nPARTITION BY %s", pby);
		dbw_buf_putc(&b, ';');
		dbw_schema__set_sql(t, dbw_buf_detach(&b));
		if (!t->sql) {
			rc = oom(err);
			goto done;
		}
	}
done:
	free(tabs);
	free(cols);
	return rc;
}

int dbw_pg__introspect_tables(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	size_t first = s->count;
	int rc;
	if ((rc = introspect_tables(s, c, excl, err)) < 0 ||
	    (rc = introspect_columns(s, c, excl, err)) < 0 ||
	    (rc = compose_tables(s, first, err)) < 0 ||
	    (rc = introspect_constraints(s, c, excl, err)) < 0 ||
	    (rc = introspect_indexes(s, c, excl, err)) < 0)
		return rc;
	return 0;
}
