/*
 * sizes.c - lint knows the target: the live size of each table a finding
 * touches (pg_class.reltuples, the planner's row estimate, and
 * pg_total_relation_size, heap + indexes + TOAST), read-only, added to the
 * findings' messages; and the small_table_rows downgrade (lock and
 * compatibility findings on small tables, every finding on an empty one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_internal.h"

void dbw_lint_size_text(double rows, long long bytes, char *out, size_t size)
{
	static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
	char r[32] = "", b[32] = "";
	if (rows >= 0) {
		if (rows >= 1e9)
			snprintf(r, sizeof(r), "%.1f G rows", rows / 1e9);
		else if (rows >= 1e6)
			snprintf(r, sizeof(r), "%.1f M rows", rows / 1e6);
		else if (rows >= 1e4)
			snprintf(r, sizeof(r), "%.1f k rows", rows / 1e3);
		else
			snprintf(r, sizeof(r), "%.0f row%s", rows, rows == 1 ? "" : "s");
	}
	if (bytes >= 0) {
		double v = (double)bytes;
		int u = 0;
		while (v >= 1024 && u < 4)
			v /= 1024, u++;
		if (u == 0)
			snprintf(b, sizeof(b), "%lld bytes", bytes);
		else
			snprintf(b, sizeof(b), "%.1f %s", v, units[u]);
	}
	snprintf(out, size, "%s%s%s", r, *r && *b ? ", " : "", b);
}

/* Lock (DW2xx) and compatibility (DW3xx) findings can be lowered on small tables. */
static int downgradable(const dbw_finding *f)
{
	return f->rule->id[2] == '2' || f->rule->id[2] == '3';
}

int dbw_lint_add_sizes(dbw_lint *l, dbw_conn *c, dbw_error *err)
{
	/* to_regclass: NULL instead of an error for a table the database does not have */
	static const char q[] =
	    "SELECT c.reltuples::float8, pg_total_relation_size(c.oid), pg_relation_size(c.oid) "
	    "FROM pg_class c WHERE c.oid = to_regclass($1)";
	int rc = 0;

	if (dbw_conn_kind(c) != DBW_DB_POSTGRES)
		return dbw_error_set(err, DBW_EUSAGE, "table sizes need a PostgreSQL database");
	for (size_t i = 0; i < l->count && !rc; i++) {
		dbw_finding *f = &l->items[i];
		dbw_result *res = NULL;
		char *ident, txt[64], *msg;
		const char *params[1];
		if (!f->table || f->rows >= 0)
			continue;
		if (f->schema) {
			char *qs = dbw_sql_quote_ident(DBW_DB_POSTGRES, f->schema);
			char *qt = dbw_sql_quote_ident(DBW_DB_POSTGRES, f->table);
			ident = qs && qt ? dbw_sprintf("%s.%s", qs, qt) : NULL;
			free(qs);
			free(qt);
		} else {
			ident = dbw_sql_quote_ident(DBW_DB_POSTGRES, f->table);
		}
		if (!ident)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		params[0] = ident;
		rc = dbw_conn_query(c, q, 1, params, &res, err);
		free(ident);
		if (rc)
			break;
		if (dbw_result_rows(res) == 1 && dbw_result_value(res, 0, 0)) {
			double rows = atof(dbw_result_value(res, 0, 0));
			long long bytes = atoll(dbw_result_value(res, 0, 1));
			/* reltuples is -1 until the first VACUUM/ANALYZE (PostgreSQL 14+): then
			 * only an empty heap file (pg_relation_size, always current) tells 0 rows
			 */
			int heap_empty = atoll(dbw_result_value(res, 0, 2)) == 0;
			if (rows < 0 && heap_empty)
				rows = 0;
			/* every finding on this table gets the same numbers */
			for (size_t k = i; k < l->count; k++) {
				dbw_finding *g = &l->items[k];
				if (!g->table || strcmp(g->table, f->table) || g->rows >= 0 ||
				    (!g->schema) != (!f->schema) ||
				    (g->schema && strcmp(g->schema, f->schema)))
					continue;
				g->rows = rows;
				g->bytes = bytes;
				dbw_lint_size_text(rows, bytes, txt, sizeof(txt));
				msg = dbw_sprintf("%s (%s)", g->message, txt);
				if (!msg) {
					dbw_result_free(res);
					return dbw_error_set(err, DBW_ENOMEM, "out of memory");
				}
				free(g->message);
				g->message = msg;
				/* lock and compatibility findings on a small table; any finding on
				 * an empty one (its heap file is empty: nothing to lose or wait
				 * for, and unlike reltuples never stale) */
				if (l->small_table_rows >= 0 && g->severity > DBW_SEV_INFO &&
				    ((rows >= 0 && rows < (double)l->small_table_rows &&
				      downgradable(g)) ||
				     heap_empty))
					g->severity = DBW_SEV_INFO;
			}
		}
		dbw_result_free(res);
	}
	return rc;
}
