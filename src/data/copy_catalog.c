/*
 * copy_catalog.c - the tables a copy moves: their columns and types, the
 * foreign keys between them (for the load order) and the sequences their
 * columns own (for setval), read from pg_catalog or SQLite's pragmas.
 */
#include <stdlib.h>
#include <string.h>

#include "data/copy_internal.h"

int dbw_copy__internal_table(const char *table)
{
	return dbw_str_startswith(table, "dbward_") || strcmp(table, "_prisma_migrations") == 0;
}

void dbw_catalog__free(dbw_catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->count; i++) {
		dbw_ctable *t = &cat->tables[i];
		free(t->schema);
		free(t->name);
		free(t->oid);
		for (size_t k = 0; k < t->ncols; k++) {
			free(t->cols[k].name);
			free(t->cols[k].type);
		}
		free(t->cols);
		free(t->refs);
		free(t->refs_deferrable);
		dbw_strv_free(&t->seqs);
	}
	free(cat->tables);
	free(cat);
}

static int oom(dbw_error *err)
{
	return dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

static dbw_ctable *find_oid(dbw_catalog *cat, const char *oid)
{
	for (size_t i = 0; i < cat->count; i++)
		if (strcmp(cat->tables[i].oid, oid) == 0)
			return &cat->tables[i];
	return NULL;
}

static int add_col(dbw_ctable *t, const char *name, const char *type)
{
	dbw_ccol *cols = realloc(t->cols, (t->ncols + 1) * sizeof(*cols));
	if (!cols)
		return DBW_ENOMEM;
	t->cols = cols;
	cols[t->ncols].name = dbw_strdup(name);
	cols[t->ncols].type = dbw_strdup(type ? type : "");
	t->ncols++;
	return cols[t->ncols - 1].name && cols[t->ncols - 1].type ? 0 : DBW_ENOMEM;
}

static int add_ref(dbw_ctable *t, size_t target, int deferrable)
{
	size_t *refs = realloc(t->refs, (t->nrefs + 1) * sizeof(*refs));
	int *defs;
	if (!refs)
		return DBW_ENOMEM;
	t->refs = refs;
	defs = realloc(t->refs_deferrable, (t->nrefs + 1) * sizeof(*defs));
	if (!defs)
		return DBW_ENOMEM;
	t->refs_deferrable = defs;
	refs[t->nrefs] = target;
	defs[t->nrefs] = deferrable;
	t->nrefs++;
	return 0;
}

static const char pg_tables_sql[] =
    "select n.nspname, c.relname, c.oid::text, c.relkind = 'p', c.reltuples::bigint "
    "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
    "where c.relkind in ('r', 'p') and not c.relispartition "
    "and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%' "
    "order by 1, 2";

static const char pg_columns_sql[] =
    "select a.attrelid::text, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
    "from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid "
    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
    "where c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 "
    "and not a.attisdropped and a.attgenerated = '' "
    "and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%' "
    "order by a.attrelid, a.attnum";

static const char pg_fks_sql[] =
    "select conrelid::text, confrelid::text, condeferrable::text "
    "from pg_catalog.pg_constraint where contype = 'f' and conparentid = 0";

static const char pg_seqs_sql[] =
    "select d.refobjid::text, pg_catalog.format('%I.%I', sn.nspname, s.relname) "
    "from pg_catalog.pg_depend d "
    "join pg_catalog.pg_class s on s.oid = d.objid and s.relkind = 'S' "
    "join pg_catalog.pg_namespace sn on sn.oid = s.relnamespace "
    "where d.classid = 'pg_catalog.pg_class'::regclass "
    "and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype in ('a', 'i') "
    "order by 2";

static int load_pg(dbw_conn *c, dbw_catalog *cat, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	size_t i, n;

	if ((rc = dbw_conn_query(c, pg_tables_sql, 0, NULL, &r, err)) < 0)
		goto done;
	n = dbw_result_rows(r);
	cat->tables = calloc(n ? n : 1, sizeof(*cat->tables));
	if (!cat->tables) {
		rc = oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		dbw_ctable *t;
		if (dbw_copy__internal_table(dbw_result_value(r, i, 1)))
			continue;
		t = &cat->tables[cat->count++];
		t->schema = dbw_strdup(dbw_result_value(r, i, 0));
		t->name = dbw_strdup(dbw_result_value(r, i, 1));
		t->oid = dbw_strdup(dbw_result_value(r, i, 2));
		t->partitioned = strcmp(dbw_result_value(r, i, 3), "t") == 0;
		t->est_rows = atoll(dbw_result_value(r, i, 4));
		if (!t->schema || !t->name || !t->oid) {
			rc = oom(err);
			goto done;
		}
	}
	dbw_result_free(r);
	r = NULL;

	if ((rc = dbw_conn_query(c, pg_columns_sql, 0, NULL, &r, err)) < 0)
		goto done;
	for (i = 0; i < dbw_result_rows(r); i++) {
		dbw_ctable *t = find_oid(cat, dbw_result_value(r, i, 0));
		if (t && add_col(t, dbw_result_value(r, i, 1), dbw_result_value(r, i, 2)) < 0) {
			rc = oom(err);
			goto done;
		}
	}
	dbw_result_free(r);
	r = NULL;

	if ((rc = dbw_conn_query(c, pg_fks_sql, 0, NULL, &r, err)) < 0)
		goto done;
	for (i = 0; i < dbw_result_rows(r); i++) {
		dbw_ctable *from = find_oid(cat, dbw_result_value(r, i, 0));
		dbw_ctable *to = find_oid(cat, dbw_result_value(r, i, 1));
		if (from && to && from != to &&
		    add_ref(from, (size_t)(to - cat->tables),
		            strcmp(dbw_result_value(r, i, 2), "true") == 0) < 0) {
			rc = oom(err);
			goto done;
		}
	}
	dbw_result_free(r);
	r = NULL;

	if ((rc = dbw_conn_query(c, pg_seqs_sql, 0, NULL, &r, err)) < 0)
		goto done;
	for (i = 0; i < dbw_result_rows(r); i++) {
		dbw_ctable *t = find_oid(cat, dbw_result_value(r, i, 0));
		if (t && !dbw_strv_contains(&t->seqs, dbw_result_value(r, i, 1)) &&
		    dbw_strv_push(&t->seqs, dbw_result_value(r, i, 1)) < 0) {
			rc = oom(err);
			goto done;
		}
	}
done:
	dbw_result_free(r);
	return rc;
}

static int load_sqlite(dbw_conn *c, dbw_catalog *cat, dbw_error *err)
{
	dbw_result *r = NULL, *cols = NULL;
	int rc;
	size_t i, n;

	rc = dbw_conn_query(c,
	                    "select name from sqlite_master where type = 'table' "
	                    "and name not like 'sqlite\\_%' escape '\\' "
	                    "and coalesce(sql, '') not like 'CREATE VIRTUAL%' order by name",
	                    0, NULL, &r, err);
	if (rc < 0)
		goto done;
	n = dbw_result_rows(r);
	cat->tables = calloc(n ? n : 1, sizeof(*cat->tables));
	if (!cat->tables) {
		rc = oom(err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		const char *name = dbw_result_value(r, i, 0);
		dbw_ctable *t;
		if (dbw_copy__internal_table(name))
			continue;
		t = &cat->tables[cat->count++];
		t->schema = dbw_strdup("main");
		t->unqualified = 1;
		t->name = dbw_strdup(name);
		t->oid = dbw_strdup(name);
		t->est_rows = -1;
		if (!t->schema || !t->name || !t->oid) {
			rc = oom(err);
			goto done;
		}
		/* hidden: 0 plain, 1 virtual-table hidden, 2/3 generated (not copied). */
		rc = dbw_conn_query(c,
		                    "select name, lower(type), hidden from pragma_table_xinfo($1) "
		                    "where hidden = 0 order by cid",
		                    1, &name, &cols, err);
		if (rc < 0)
			goto done;
		for (size_t k = 0; k < dbw_result_rows(cols); k++)
			if (add_col(t, dbw_result_value(cols, k, 0), dbw_result_value(cols, k, 1)) <
			    0) {
				rc = oom(err);
				goto done;
			}
		dbw_result_free(cols);
		cols = NULL;
		/* No planner statistics to ask: count, for the progress bar's total. */
		{
			char *q = dbw_sql_quote_ident(DBW_DB_SQLITE, name);
			char *sql = q ? dbw_sprintf("select count(*) from %s", q) : NULL;
			free(q);
			if (!sql) {
				rc = oom(err);
				goto done;
			}
			rc = dbw_conn_query(c, sql, 0, NULL, &cols, err);
			free(sql);
			if (rc < 0)
				goto done;
			t->est_rows = atoll(dbw_result_value(cols, 0, 0));
			dbw_result_free(cols);
			cols = NULL;
		}
	}
	for (i = 0; i < cat->count; i++) {
		const char *name = cat->tables[i].name;
		rc = dbw_conn_query(c, "select \"table\" from pragma_foreign_key_list($1)", 1,
		                    &name, &cols, err);
		if (rc < 0)
			goto done;
		for (size_t k = 0; k < dbw_result_rows(cols); k++) {
			dbw_ctable *to = find_oid(cat, dbw_result_value(cols, k, 0));
			/* SQLite defers every foreign key with PRAGMA defer_foreign_keys. */
			if (to && to != &cat->tables[i] &&
			    add_ref(&cat->tables[i], (size_t)(to - cat->tables), 1) < 0) {
				rc = oom(err);
				goto done;
			}
		}
		dbw_result_free(cols);
		cols = NULL;
	}
done:
	dbw_result_free(cols);
	dbw_result_free(r);
	return rc;
}

int dbw_catalog__load(dbw_conn *c, dbw_catalog **out, dbw_error *err)
{
	dbw_catalog *cat = calloc(1, sizeof(*cat));
	int rc;
	*out = NULL;
	if (!cat)
		return oom(err);
	cat->kind = dbw_conn_kind(c);
	rc = cat->kind == DBW_DB_SQLITE ? load_sqlite(c, cat, err) : load_pg(c, cat, err);
	if (rc < 0) {
		dbw_catalog__free(cat);
		return rc;
	}
	*out = cat;
	return 0;
}

static int name_matches(const dbw_ctable *t, const char *want)
{
	const char *dot = strchr(want, '.');
	if (!dot)
		return strcmp(t->name, want) == 0;
	return strlen(t->schema) == (size_t)(dot - want) &&
	       strncmp(t->schema, want, (size_t)(dot - want)) == 0 && strcmp(t->name, dot + 1) == 0;
}

int dbw_catalog__select(const dbw_catalog *cat, const char *list, size_t **idx_out, size_t *n_out,
                        dbw_error *err)
{
	dbw_strv want = DBW_STRV_INIT;
	size_t *idx = calloc(cat->count ? cat->count : 1, sizeof(*idx));
	size_t n = 0;
	int rc = 0;
	*idx_out = NULL;
	*n_out = 0;
	if (!idx || (list && dbw_strv_split_list(&want, list) < 0)) {
		rc = oom(err);
		goto done;
	}
	for (size_t w = 0; w < want.count; w++) {
		int found = 0;
		for (size_t i = 0; i < cat->count; i++)
			found |= name_matches(&cat->tables[i], want.items[w]);
		if (!found) {
			rc = dbw_error_set(err, DBW_ENOTFOUND,
			                   "table \"%s\" does not exist in the source",
			                   want.items[w]);
			dbw_error_hint(err, "Name tables as they appear in the source, as table or "
			                    "schema.table, separated by commas.");
			goto done;
		}
	}
	for (size_t i = 0; i < cat->count; i++) {
		int take = !list;
		for (size_t w = 0; w < want.count && !take; w++)
			take = name_matches(&cat->tables[i], want.items[w]);
		if (take)
			idx[n++] = i;
	}
done:
	dbw_strv_free(&want);
	if (rc < 0) {
		free(idx);
		return rc;
	}
	*idx_out = idx;
	*n_out = n;
	return 0;
}

/* Depth-first topological sort over the selected tables. state: 0 new,
 * 1 on the stack, 2 done. `lenient` ignores deferrable edges (second pass). */
static int visit(const dbw_catalog *cat, const unsigned char *selected, unsigned char *state,
                 size_t t, int lenient, size_t *order, size_t *n, size_t *cycle_at)
{
	const dbw_ctable *tab = &cat->tables[t];
	if (state[t] == 2)
		return 0;
	if (state[t] == 1) {
		*cycle_at = t;
		return -1;
	}
	state[t] = 1;
	for (size_t k = 0; k < tab->nrefs; k++) {
		if (!selected[tab->refs[k]] || (lenient && tab->refs_deferrable[k]))
			continue;
		if (visit(cat, selected, state, tab->refs[k], lenient, order, n, cycle_at) < 0)
			return -1;
	}
	state[t] = 2;
	order[(*n)++] = t;
	return 0;
}

int dbw_catalog__order(const dbw_catalog *cat, size_t *sel, size_t n, dbw_error *err)
{
	unsigned char *selected = calloc(cat->count ? cat->count : 1, 1);
	unsigned char *state = calloc(cat->count ? cat->count : 1, 1);
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	size_t done_n = 0, cycle_at = 0;
	int rc = 0;
	if (!selected || !state || !order) {
		rc = oom(err);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		selected[sel[i]] = 1;
	for (int lenient = 0; lenient < 2; lenient++) {
		int cyc = 0;
		memset(state, 0, cat->count);
		done_n = 0;
		for (size_t i = 0; i < n && !cyc; i++)
			cyc = visit(cat, selected, state, sel[i], lenient, order, &done_n,
			            &cycle_at) < 0;
		if (!cyc)
			break;
		if (lenient) {
			rc =
			    dbw_error_set(err, DBW_EUSAGE,
			                  "cannot order tables for copy: foreign keys form a cycle "
			                  "through \"%s.%s\"",
			                  cat->tables[cycle_at].schema, cat->tables[cycle_at].name);
			dbw_error_detail(err,
			                 "A cycle can only be loaded when one of its foreign keys "
			                 "is DEFERRABLE.");
			dbw_error_hint(err, "Make one foreign key of the cycle DEFERRABLE in a "
			                    "migration, or leave one table out with --tables.");
			goto done;
		}
	}
	memcpy(sel, order, n * sizeof(*sel));
done:
	free(selected);
	free(state);
	free(order);
	return rc;
}

char *dbw_catalog__qname(dbw_db_kind kind, const dbw_ctable *t)
{
	char *s = NULL, *n = dbw_sql_quote_ident(kind, t->name), *out;
	if (kind == DBW_DB_SQLITE || t->unqualified)
		return n;
	s = dbw_sql_quote_ident(kind, t->schema);
	out = s && n ? dbw_sprintf("%s.%s", s, n) : NULL;
	free(s);
	free(n);
	return out;
}
