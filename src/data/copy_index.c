/*
 * copy_index.c - plain indexes of a large target table are dropped before
 * the load and built again after it, inside the copy's transaction, the way
 * pg_restore loads data before it builds indexes: one sort per index instead
 * of a B-tree insert per row (random for hashed values).
 *
 * Only indexes nothing else names are touched: not one backing a primary
 * key, unique or exclusion constraint or referenced by a foreign key
 * (pg_constraint.conindid), not the replica identity, not the CLUSTER
 * index, not one with a comment; on plain tables only (not partitioned
 * tables or partitions). pg_get_indexdef gives the statement that builds it
 * again; a failure there (a duplicate for a unique index) rolls the copy back.
 */
#include <stdlib.h>
#include <string.h>

#include "data/copy_internal.h"

/* Below this many source rows (reltuples) the rebuild does not pay. */
#define REBUILD_MIN_ROWS 50000

static const char indexes_sql[] =
    "select pg_catalog.format('%I.%I', n.nspname, ic.relname), "
    "pg_catalog.pg_get_indexdef(i.indexrelid) "
    "from pg_catalog.pg_index i "
    "join pg_catalog.pg_class ic on ic.oid = i.indexrelid "
    "join pg_catalog.pg_class c on c.oid = i.indrelid "
    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
    "where n.nspname = $1 and c.relname = $2 and c.relkind = 'r' and not c.relispartition "
    "and not i.indisreplident and not i.indisclustered and i.indisvalid "
    "and pg_catalog.obj_description(i.indexrelid, 'pg_class') is null "
    "and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid) "
    "order by ic.relname";

int dbw_copy__indexes_drop(dbw_conn *dst, const dbw_ctable *t, dbw_strv *defs, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *params[2] = {t->schema, t->name};
	int rc;
	if (dbw_conn_kind(dst) != DBW_DB_POSTGRES || t->partitioned ||
	    t->est_rows < REBUILD_MIN_ROWS)
		return 0;
	if ((rc = dbw_conn_query(dst, indexes_sql, 2, params, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r) && rc == 0; i++) {
		char *drop = dbw_sprintf("DROP INDEX %s", dbw_result_value(r, i, 0));
		if (!drop || dbw_strv_push(defs, dbw_result_value(r, i, 1)) < 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		else
			rc = dbw_conn_exec(dst, drop, err);
		free(drop);
	}
	dbw_result_free(r);
	return rc;
}

int dbw_copy__indexes_create(dbw_conn *dst, const dbw_strv *defs, dbw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < defs->count && rc == 0; i++)
		rc = dbw_conn_exec(dst, defs->items[i], err);
	return rc;
}
