/*
 * truncate.c - `truncate`: empty every user table at once for a clean test
 * slate, keeping history, seed, stamp and audit tables.
 *
 * PostgreSQL: one TRUNCATE over every table that needs it (see pg_truncate),
 * so that foreign keys between them (circular ones too) need no order,
 * RESTART IDENTITY so that serial and identity columns start again, CASCADE
 * so that a table outside the list that references ours cannot block it
 * (PostgreSQL docs, TRUNCATE).
 * Partitions go with their parent; extension tables are left alone.
 *
 * SQLite has no TRUNCATE: DELETE FROM each table inside one transaction with
 * PRAGMA defer_foreign_keys=ON, so that foreign keys are checked at commit,
 * when every table is empty. ON DELETE RESTRICT acts at once even when
 * deferred (SQLite docs, "Foreign Key Actions"), so children are deleted
 * before their parents where the references allow an order. sqlite_sequence
 * rows of the emptied tables are removed so that AUTOINCREMENT restarts.
 */
#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"
#include "util/util.h"

/*
 * User tables; whether an identity or serial sequence of theirs has been
 * used (pg_sequences.last_value is NULL until the first nextval); whether
 * they may hold rows: a table whose main fork has no page holds none (a
 * TRUNCATE leaves it so), one with pages may (DELETE leaves the pages), and
 * a partitioned table has no storage of its own.
 */
static const char pg_tables_sql[] =
    "SELECT format('%I.%I', n.nspname, c.relname), c.relname,\n"
    "  EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'\n"
    "          JOIN pg_namespace sn ON sn.oid = s.relnamespace\n"
    "          JOIN pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = "
    "s.relname\n"
    "          WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass\n"
    "            AND d.refobjid = c.oid AND d.deptype IN ('a', 'i') AND ps.last_value IS NOT "
    "NULL),\n"
    "  c.relkind = \'p\' OR pg_relation_size(c.oid) > 0\n"
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition\n"
    "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')\n"
    "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"
    "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass\n"
    "                  AND d.objid = c.oid AND d.deptype = 'e')\n"
    "ORDER BY 1";

/* The same tables, names only: what to lock before looking at them. */
static const char pg_table_names_sql[] =
    "SELECT format('%I.%I', n.nspname, c.relname), c.relname\n"
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition\n"
    "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')\n"
    "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'\n"
    "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass\n"
    "                  AND d.objid = c.oid AND d.deptype = 'e')\n"
    "ORDER BY 1";

/* Tables and the tables they reference (self-references left out). */
static const char sqlite_tables_sql[] =
    "SELECT t.name, f.\"table\" FROM pragma_table_list t\n"
    "LEFT JOIN pragma_foreign_key_list(t.name) f ON f.\"table\" <> t.name\n"
    "WHERE t.schema = 'main' AND t.type IN ('table', 'virtual')\n"
    "  AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'\n"
    "ORDER BY t.name";

void dbw_truncate_result_free(dbw_truncate_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		free(r->tables[i]);
	free(r->tables);
	dbw_seed_result_free(r->seed);
	free(r);
}

static int push_table(dbw_truncate_result *res, const char *name)
{
	char **grown = realloc(res->tables, (res->count + 1) * sizeof(*grown));
	if (!grown)
		return DBW_ENOMEM;
	res->tables = grown;
	if (!(res->tables[res->count] = dbw_strdup(name)))
		return DBW_ENOMEM;
	res->count++;
	return 0;
}

/*
 * TRUNCATE makes new files for every table, index and TOAST table it
 * empties, which is most of its cost; a test suite usually dirties a few
 * tables of many. So, inside one transaction: lock every user table (so
 * nothing is written between the check and the TRUNCATE), find the ones
 * that hold a row (looking only into those with pages) or whose identity
 * has moved, and TRUNCATE those in one statement. The rest are already what
 * TRUNCATE would leave.
 */
static int pg_truncate(dbw_conn *c, dbw_truncate_result *res, dbw_error *err)
{
	dbw_result *names = NULL, *r = NULL, *dirty = NULL;
	dbw_buf lock = DBW_BUF_INIT, probe = DBW_BUF_INIT, sql = DBW_BUF_INIT;
	char *mark = NULL;
	size_t n = 0, n_probe = 0;
	int began = 0, rc;

	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		return rc;
	began = 1;
	/* Lock first, so that nothing is written between the look below and the TRUNCATE. */
	rc = dbw_conn_query(c, pg_table_names_sql, 0, NULL, &names, err);
	if (rc < 0)
		goto done;
	dbw_buf_puts(&lock, "LOCK TABLE ");
	for (size_t i = 0; i < dbw_result_rows(names); i++) {
		if (dbw_data__is_kept(dbw_result_value(names, i, 1)))
			continue;
		dbw_buf_printf(&lock, "%s%s", n++ ? ", " : "", dbw_result_value(names, i, 0));
	}
	dbw_buf_puts(&lock, " IN ACCESS EXCLUSIVE MODE");
	if (lock.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (n == 0)
		goto commit;
	rc = dbw_conn_exec(c, lock.data, err);
	if (rc < 0)
		goto done;
	rc = dbw_conn_query(c, pg_tables_sql, 0, NULL, &r, err);
	if (rc < 0)
		goto done;
	mark = calloc(dbw_result_rows(r) + 1, 1);
	if (!mark) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	dbw_buf_puts(&probe, "SELECT i FROM (");
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		const char *qname = dbw_result_value(r, i, 0);
		if (dbw_data__is_kept(dbw_result_value(r, i, 1)))
			continue;
		if (push_table(res, qname) < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (strcmp(dbw_result_value(r, i, 2), "t") == 0)
			mark[i] = 1; /* its identity moved: truncate whatever it holds */
		else if (strcmp(dbw_result_value(r, i, 3), "t") == 0)
			dbw_buf_printf(&probe, "%sSELECT %zu AS i WHERE EXISTS (SELECT 1 FROM %s)",
			               n_probe++ ? " UNION ALL " : "", i, qname);
	}
	dbw_buf_puts(&probe, ") x");
	if (probe.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (n_probe) {
		rc = dbw_conn_query(c, probe.data, 0, NULL, &dirty, err);
		if (rc < 0)
			goto done;
		for (size_t k = 0; k < dbw_result_rows(dirty); k++)
			mark[strtoul(dbw_result_value(dirty, k, 0), NULL, 10)] = 1;
	}
	dbw_buf_puts(&sql, "TRUNCATE TABLE ");
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		if (!mark[i] || dbw_data__is_kept(dbw_result_value(r, i, 1)))
			continue;
		dbw_buf_printf(&sql, "%s%s", res->n_truncated ? ", " : "",
		               dbw_result_value(r, i, 0));
		res->n_truncated++;
	}
	dbw_buf_puts(&sql, " RESTART IDENTITY CASCADE");
	if (sql.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (res->n_truncated) {
		rc = dbw_conn_exec(c, sql.data, err);
		if (rc < 0)
			goto done;
	}
commit:
	rc = dbw_conn_commit(c, err);
	began = 0;
done:
	if (began) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_rollback(c, &ignored);
		dbw_error_clear(&ignored);
	}
	free(mark);
	dbw_buf_free(&lock);
	dbw_buf_free(&probe);
	dbw_buf_free(&sql);
	dbw_result_free(dirty);
	dbw_result_free(r);
	dbw_result_free(names);
	return rc;
}

/*
 * Order SQLite tables so that a table comes after every table referencing
 * it (children first); tables caught in a cycle follow in name order, which
 * deferred foreign keys allow unless RESTRICT is declared on the cycle.
 */
static int sqlite_order(dbw_result *r, dbw_strv *order)
{
	dbw_strv names = DBW_STRV_INIT;
	char *done = NULL;
	size_t left;
	int rc = 0;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		const char *t = dbw_result_value(r, i, 0);
		if (!dbw_data__is_kept(t) && !dbw_strv_contains(&names, t) &&
		    dbw_strv_push(&names, t) < 0) {
			rc = DBW_ENOMEM;
			goto out;
		}
	}
	done = calloc(names.count + 1, 1);
	if (!done) {
		rc = DBW_ENOMEM;
		goto out;
	}
	left = names.count;
	while (left) {
		int progressed = 0;
		for (size_t i = 0; i < names.count; i++) {
			int blocked = 0;
			if (done[i])
				continue;
			/* Blocked while a table not yet emptied references names[i]. */
			for (size_t row = 0; row < dbw_result_rows(r) && !blocked; row++) {
				const char *child = dbw_result_value(r, row, 0);
				const char *parent = dbw_result_value(r, row, 1);
				if (!parent || strcmp(parent, names.items[i]) != 0)
					continue;
				for (size_t j = 0; j < names.count; j++)
					if (!done[j] && j != i &&
					    strcmp(names.items[j], child) == 0)
						blocked = 1;
			}
			if (blocked)
				continue;
			done[i] = 1;
			left--;
			progressed = 1;
			if (dbw_strv_push(order, names.items[i]) < 0) {
				rc = DBW_ENOMEM;
				goto out;
			}
		}
		if (!progressed) {
			/* A cycle: take the first remaining table and go on. */
			for (size_t i = 0; i < names.count; i++)
				if (!done[i]) {
					done[i] = 1;
					left--;
					if (dbw_strv_push(order, names.items[i]) < 0) {
						rc = DBW_ENOMEM;
						goto out;
					}
					break;
				}
		}
	}
out:
	free(done);
	dbw_strv_free(&names);
	return rc;
}

static int sqlite_truncate(dbw_conn *c, dbw_truncate_result *res, dbw_error *err)
{
	dbw_result *r = NULL;
	dbw_strv order = DBW_STRV_INIT;
	dbw_buf seq = DBW_BUF_INIT;
	int began = 0, has_seq = 0, rc;

	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		return rc;
	began = 1;
	rc = dbw_conn_exec(c, "PRAGMA defer_foreign_keys = ON", err);
	if (rc < 0)
		goto done;
	rc = dbw_conn_query(c, sqlite_tables_sql, 0, NULL, &r, err);
	if (rc < 0)
		goto done;
	if (sqlite_order(r, &order) < 0) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	dbw_buf_puts(&seq, "DELETE FROM sqlite_sequence WHERE name IN (");
	for (size_t i = 0; i < order.count; i++) {
		char *q = dbw_sql_quote_ident(DBW_DB_SQLITE, order.items[i]);
		char *lit = dbw_sql_quote_literal(DBW_DB_SQLITE, order.items[i]);
		char *sql = q ? dbw_sprintf("DELETE FROM %s", q) : NULL;
		if (!sql || !lit || push_table(res, order.items[i]) < 0) {
			free(q);
			free(lit);
			free(sql);
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		rc = dbw_conn_exec(c, sql, err);
		res->n_truncated++;
		dbw_buf_printf(&seq, "%s%s", i ? ", " : "", lit);
		free(q);
		free(lit);
		free(sql);
		if (rc < 0)
			goto done;
	}
	dbw_buf_puts(&seq, ")");
	if (seq.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = dbw_conn_table_exists(c, "sqlite_sequence", &has_seq, err);
	if (rc < 0)
		goto done;
	if (has_seq && order.count) {
		rc = dbw_conn_exec(c, seq.data, err);
		if (rc < 0)
			goto done;
	}
	rc = dbw_conn_commit(c, err);
	began = 0;
done:
	if (began) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_rollback(c, &ignored);
		dbw_error_clear(&ignored);
	}
	dbw_buf_free(&seq);
	dbw_strv_free(&order);
	dbw_result_free(r);
	return rc;
}

int dbw_truncate(dbw_conn *c, const dbw_env *env, const dbw_seed_set *seeds,
                 const dbw_truncate_options *opts, dbw_truncate_result **result_out, dbw_error *err)
{
	static const dbw_truncate_options defaults = DBW_TRUNCATE_OPTIONS_INIT;
	dbw_truncate_result *res;
	int64_t t0;
	int rc;

	if (result_out)
		*result_out = NULL;
	if (!opts)
		opts = &defaults;
	res = calloc(1, sizeof(*res));
	if (!res)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	/* The policy layer's guard replaces dbw_data_check once it lands. */
	rc = dbw_data_check(env, c, DBW_DATA_TRUNCATE, opts->confirm, err);
	if (rc < 0)
		goto done;
	/* A test left holding a lock must not hang the run: lock_timeout bounds the wait. */
	if (env->lock_timeout_ms > 0 &&
	    (rc = dbw_conn_set_lock_timeout(c, env->lock_timeout_ms, err)) < 0)
		goto done;
	t0 = dbw_monotonic_ms();
	if (dbw_conn_kind(c) == DBW_DB_POSTGRES)
		rc = pg_truncate(c, res, err);
	else
		rc = sqlite_truncate(c, res, err);
	res->truncate_ms = (long)(dbw_monotonic_ms() - t0);
	if (rc == DBW_ELOCK && err && !err->hint)
		dbw_error_hint(err,
		               "Another session holds a lock on one of the tables (an open "
		               "transaction left by a test?): end it, or raise lock_timeout of "
		               "[env.%s].",
		               env->name);
	if (rc < 0 || !opts->seed || !seeds)
		goto done;
	{
		dbw_seed_options sopts = DBW_SEED_OPTIONS_INIT;
		sopts.all = 1; /* what the seeds wrote is gone, changed or not */
		sopts.confirm = opts->confirm;
		rc = dbw_seed_run(c, env, seeds, &sopts, &res->seed, err);
	}
done:
	if (result_out)
		*result_out = res;
	else
		dbw_truncate_result_free(res);
	return rc;
}
