/*
 * copy_run.c - dbw_copy: one consistent read of the source, one transaction
 * on the target. Rows stream from COPY TO STDOUT (or SQLite's rows) through
 * the sanitize rules into COPY FROM STDIN (or SQLite's prepared inserts).
 *
 * Decisions (docs/copy.md):
 *  - Load order: tables are loaded in foreign-key order (referenced tables
 *    first) with SET CONSTRAINTS ALL DEFERRED for the deferrable ones. Not
 *    session_replication_role = replica nor DISABLE TRIGGER ALL: both need a
 *    superuser and would also skip the checks that prove the copy is sound.
 *  - Target tables are emptied with one TRUNCATE (no CASCADE: a table
 *    outside the copy that references a copied one makes the copy fail
 *    rather than silently emptying it). Skipped tables are emptied too.
 *  - Everything on the target, TRUNCATE to setval, is one transaction: a
 *    failure or a killed process leaves the target as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "data/copy_internal.h"

#define FLUSH_BYTES (256 * 1024)

typedef struct run {
	dbw_conn *src, *dst;
	const dbw_copy_options *opts;
	dbw_sanitizer *san;
	dbw_catalog *cat;
	dbw_copy_result *res;
	dbw_error *err;
	long long started_ms;
	long long rows_est;
	size_t n_tables, table_index;
	/* the table being copied */
	const dbw_ctable *t;
	dbw_copy_table *rt;
	const dbw_rule **rules; /* per column; NULL: keep */
	int any_rule;
	dbw_field *fields;
	dbw_field *vals; /* unescaped or sanitized values, for SQLite */
	char **owned;    /* per column: sanitized value to free */
	size_t *offs;    /* per column: offset of its value in scratch */
	dbw_buf out;     /* COPY text waiting to be sent */
	dbw_buf scratch; /* unescaped values, one after the other */
	dbw_buf tmp;
	dbw_insert *ins;
	long long next_report;
} run;

static void report(run *r, int table_done)
{
	dbw_copy_progress p;
	if (!r->opts->on_progress)
		return;
	memset(&p, 0, sizeof(p));
	p.table = r->rt->name;
	p.table_index = r->table_index;
	p.n_tables = r->n_tables;
	p.table_rows = r->rt->rows;
	p.table_rows_est = r->t->est_rows;
	p.rows = r->res->rows;
	p.rows_est = r->rows_est;
	p.bytes = r->res->bytes;
	p.elapsed_ms = dbw_monotonic_ms() - r->started_ms;
	p.table_done = table_done;
	r->opts->on_progress(&p, r->opts->ctx);
}

static void count_row(run *r, size_t bytes)
{
	r->rt->rows++;
	r->rt->bytes += (long long)bytes;
	r->res->rows++;
	r->res->bytes += (long long)bytes;
	if (r->rt->rows >= r->next_report) {
		r->next_report +=
		    r->opts->progress_every_rows > 0 ? r->opts->progress_every_rows : 50000;
		report(r, 0);
	}
}

/* Apply column i's rule to v; the result replaces v (owned[i] keeps it alive). */
static int sanitize_field(run *r, size_t i, dbw_field *v)
{
	const dbw_rule *rule = r->rules[i];
	char *out = NULL;
	size_t len = 0;
	int rc = dbw_sanitize_value(r->san, rule->kind, rule->arg, v->is_null ? NULL : v->p, v->len,
	                            &out, &len, r->err);
	if (rc < 0)
		return rc;
	if (!v->is_null || rule->kind == DBW_RULE_SET) {
		r->rt->rewritten[rule->kind]++;
		r->res->rewritten[rule->kind]++;
	}
	free(r->owned[i]);
	r->owned[i] = out;
	v->p = out ? out : "";
	v->len = len;
	v->is_null = out == NULL;
	v->is_blob = 0;
	return 0;
}

static int flush(run *r, int force)
{
	int rc = 0;
	if (r->out.oom)
		return dbw_error_set(r->err, DBW_ENOMEM, "out of memory");
	if (r->out.len && (force || r->out.len >= FLUSH_BYTES)) {
		rc = dbw_conn_copy_in_put(r->dst, r->out.data, r->out.len, r->err);
		r->out.len = 0;
	}
	return rc;
}

/* Values (unescaped) -> one COPY text row appended to r->out. */
static int emit_values(run *r, const dbw_field *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			dbw_buf_putc(&r->out, '\t');
		if (v[i].is_null) {
			dbw_buf_put(&r->out, "\\N", 2);
		} else if (v[i].is_blob) {
			/* A SQLite BLOB becomes bytea's hex form, \x..., its backslash escaped. */
			static const char hex[] = "0123456789abcdef";
			dbw_buf_put(&r->out, "\\\\x", 3);
			for (size_t k = 0; k < v[i].len; k++) {
				unsigned char b = (unsigned char)v[i].p[k];
				dbw_buf_putc(&r->out, hex[b >> 4]);
				dbw_buf_putc(&r->out, hex[b & 15]);
			}
		} else {
			dbw_copytext_escape(v[i].p, v[i].len, &r->out);
		}
	}
	dbw_buf_putc(&r->out, '\n');
	return flush(r, 0);
}

static int bad_row(run *r, size_t n)
{
	return dbw_error_set(r->err, DBW_ERROR,
	                     "unexpected row from the source for \"%s.%s\": %zu values for %zu "
	                     "columns",
	                     r->t->schema, r->t->name, n, r->t->ncols);
}

/* A COPY text row from PostgreSQL. */
static int on_line(const char *line, size_t len, void *ctx)
{
	run *r = ctx;
	size_t n = 0;
	int rc;
	if (dbw_conn_kind(r->dst) == DBW_DB_POSTGRES && !r->any_rule) {
		/* Nothing to rewrite: the row goes out as it came in. */
		dbw_buf_put(&r->out, line, len);
		count_row(r, len);
		return flush(r, 0);
	}
	if (dbw_copytext_split(line, len, r->fields, r->t->ncols, &n) < 0 || n != r->t->ncols)
		return bad_row(r, n);
	if (dbw_conn_kind(r->dst) == DBW_DB_POSTGRES) {
		for (size_t i = 0; i < n; i++) {
			dbw_field *f = &r->fields[i];
			if (i)
				dbw_buf_putc(&r->out, '\t');
			if (!r->rules[i]) {
				dbw_buf_put(&r->out, f->p, f->len);
				continue;
			}
			if (!f->is_null) {
				if ((rc = dbw_copytext_unescape(f->p, f->len, &r->tmp)) < 0)
					return dbw_error_set(r->err, rc, "out of memory");
				f->p = r->tmp.data;
				f->len = r->tmp.len;
			}
			if ((rc = sanitize_field(r, i, f)) < 0)
				return rc;
			if (f->is_null)
				dbw_buf_put(&r->out, "\\N", 2);
			else
				dbw_copytext_escape(f->p, f->len, &r->out);
		}
		dbw_buf_putc(&r->out, '\n');
		count_row(r, len);
		return flush(r, 0);
	}
	/* To SQLite: unescape every value into scratch, remembering offsets
	 * because scratch may move as it grows; point at it afterwards. */
	r->scratch.len = 0;
	for (size_t i = 0; i < n; i++) {
		r->vals[i] = r->fields[i];
		if (r->fields[i].is_null)
			continue;
		if ((rc = dbw_copytext_unescape(r->fields[i].p, r->fields[i].len, &r->tmp)) < 0)
			return dbw_error_set(r->err, rc, "out of memory");
		r->offs[i] = r->scratch.len;
		r->vals[i].len = r->tmp.len;
		dbw_buf_put(&r->scratch, r->tmp.data, r->tmp.len);
		dbw_buf_putc(&r->scratch, '\0');
	}
	if (r->scratch.oom)
		return dbw_error_set(r->err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!r->vals[i].is_null)
			r->vals[i].p = r->scratch.data + r->offs[i];
		if (r->rules[i] && (rc = sanitize_field(r, i, &r->vals[i])) < 0)
			return rc;
	}
	if ((rc = dbw_insert_row(r->ins, r->vals, n, r->err)) < 0)
		return rc;
	count_row(r, len);
	return 0;
}

/* A row from SQLite. */
static int on_row(const dbw_field *fields, size_t n, void *ctx)
{
	run *r = ctx;
	size_t bytes = 0;
	int rc;
	if (n != r->t->ncols)
		return bad_row(r, n);
	for (size_t i = 0; i < n; i++) {
		r->vals[i] = fields[i];
		bytes += fields[i].len + 1;
		if (r->rules[i] && (rc = sanitize_field(r, i, &r->vals[i])) < 0)
			return rc;
	}
	if (dbw_conn_kind(r->dst) == DBW_DB_POSTGRES)
		rc = emit_values(r, r->vals, n);
	else
		rc = dbw_insert_row(r->ins, r->vals, n, r->err);
	if (rc < 0)
		return rc;
	count_row(r, bytes);
	return 0;
}

static char *column_list(dbw_db_kind kind, const dbw_ctable *t)
{
	dbw_buf b = DBW_BUF_INIT;
	for (size_t i = 0; i < t->ncols; i++) {
		char *q = dbw_sql_quote_ident(kind, t->cols[i].name);
		if (!q) {
			dbw_buf_free(&b);
			return NULL;
		}
		dbw_buf_printf(&b, "%s%s", i ? ", " : "", q);
		free(q);
	}
	return dbw_buf_detach(&b);
}

static void free_table_state(run *r)
{
	if (r->owned)
		for (size_t i = 0; i < r->t->ncols; i++)
			free(r->owned[i]);
	free(r->owned);
	free(r->rules);
	free(r->fields);
	free(r->vals);
	free(r->offs);
	dbw_insert_free(r->ins);
	r->owned = NULL;
	r->rules = NULL;
	r->fields = NULL;
	r->vals = NULL;
	r->offs = NULL;
	r->ins = NULL;
}

static int copy_table(run *r)
{
	const dbw_ctable *t = r->t;
	dbw_db_kind sk = dbw_conn_kind(r->src), dk = dbw_conn_kind(r->dst);
	char *scols = column_list(sk, t), *dcols = column_list(dk, t);
	char *sq = dbw_catalog__qname(sk, t), *dq = dbw_catalog__qname(dk, t);
	char *read_sql = NULL, *write_sql = NULL;
	size_t nc = t->ncols ? t->ncols : 1;
	dbw_strv index_defs = DBW_STRV_INIT;
	int rc = 0, copying = 0;

	r->rules = calloc(nc, sizeof(*r->rules));
	r->fields = calloc(nc, sizeof(*r->fields));
	r->vals = calloc(nc, sizeof(*r->vals));
	r->owned = calloc(nc, sizeof(*r->owned));
	r->offs = calloc(nc, sizeof(*r->offs));
	if (!r->offs || !scols || !dcols || !sq || !dq || !r->rules || !r->fields || !r->vals ||
	    !r->owned) {
		rc = dbw_error_set(r->err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	r->any_rule = 0;
	for (size_t i = 0; i < t->ncols; i++) {
		const dbw_rule *rule =
		    dbw_rules_find(r->opts->rules, t->schema, t->name, t->cols[i].name);
		r->rules[i] = rule && rule->kind != DBW_RULE_KEEP ? rule : NULL;
		r->any_rule |= r->rules[i] != NULL;
	}
	r->next_report = r->opts->progress_every_rows > 0 ? r->opts->progress_every_rows : 50000;
	if (t->ncols == 0 || r->rt->skipped)
		goto done;

	if (sk == DBW_DB_POSTGRES)
		read_sql = t->partitioned
		               ? dbw_sprintf("COPY (SELECT %s FROM %s) TO STDOUT", scols, sq)
		               : dbw_sprintf("COPY %s (%s) TO STDOUT", sq, scols);
	else
		read_sql = dbw_sprintf("SELECT %s FROM %s", scols, sq);
	if (dk == DBW_DB_POSTGRES) {
		/* FREEZE: the table was truncated in this transaction, so its rows
		 * can be written frozen (PostgreSQL docs, COPY): no hint-bit writes
		 * and no anti-wraparound vacuum of the fresh copy later. Partitioned
		 * tables do not accept it. */
		write_sql = t->partitioned
		                ? dbw_sprintf("COPY %s (%s) FROM STDIN", dq, dcols)
		                : dbw_sprintf("COPY %s (%s) FROM STDIN (FREEZE)", dq, dcols);
	} else {
		dbw_buf b = DBW_BUF_INIT;
		dbw_buf_printf(&b, "INSERT INTO %s (%s) VALUES (", dq, dcols);
		for (size_t i = 0; i < t->ncols; i++)
			dbw_buf_printf(&b, "%s?%zu", i ? ", " : "", i + 1);
		dbw_buf_putc(&b, ')');
		write_sql = dbw_buf_detach(&b);
	}
	if (!read_sql || !write_sql) {
		rc = dbw_error_set(r->err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (dk == DBW_DB_POSTGRES) {
		if ((rc = dbw_copy__indexes_drop(r->dst, t, &index_defs, r->err)) < 0 ||
		    (rc = dbw_conn_copy_in_start(r->dst, write_sql, r->err)) < 0)
			goto done;
		copying = 1;
	} else if ((rc = dbw_conn_insert_prepare(r->dst, write_sql, &r->ins, r->err)) < 0) {
		goto done;
	}
	r->out.len = 0;
	if (sk == DBW_DB_POSTGRES)
		rc = dbw_conn_copy_out(r->src, read_sql, on_line, r, r->err);
	else
		rc = dbw_conn_rows_each(r->src, read_sql, on_row, r, r->err);
	if (rc == 0 && copying)
		rc = flush(r, 1);
	if (copying) {
		if (rc < 0) {
			dbw_conn_copy_in_end(r->dst, "dbward copy failed", NULL);
		} else {
			rc = dbw_conn_copy_in_end(r->dst, NULL, r->err);
		}
	}
	if (rc == 0)
		rc = dbw_copy__indexes_create(r->dst, &index_defs, r->err);
	if (rc < 0 && r->err) {
		/* Keep the server's context (it names the COPY line) after the table. */
		char *ctx = dbw_strdup(r->err->where);
		if (ctx)
			dbw_error_where(r->err, "copying table \"%s.%s\": %s", t->schema, t->name,
			                ctx);
		else
			dbw_error_where(r->err, "copying table \"%s.%s\"", t->schema, t->name);
		free(ctx);
	}
done:
	if (rc == 0)
		report(r, 1);
	free_table_state(r);
	dbw_strv_free(&index_defs);
	free(scols);
	free(dcols);
	free(sq);
	free(dq);
	free(read_sql);
	free(write_sql);
	return rc;
}

void dbw_copy_result_free(dbw_copy_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->tables[i].schema);
		free(r->tables[i].name);
	}
	free(r->tables);
	dbw_pii_report_free(r->pii);
	free(r);
}

static int refuse_pii(const dbw_pii_report *pii, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	size_t shown = pii->count < 10 ? pii->count : 10;
	for (size_t i = 0; i < shown; i++)
		dbw_buf_printf(&b, "%s%s.%s (%s)", i ? ", " : "", pii->items[i].table,
		               pii->items[i].column, pii->items[i].reason);
	if (pii->count > shown)
		dbw_buf_printf(&b, " and %zu more", pii->count - shown);
	dbw_error_set(err, DBW_EPOLICY, "cannot copy: %zu column%s look%s personal and %s no rule",
	              pii->count, pii->count == 1 ? "" : "s", pii->count == 1 ? "s" : "",
	              pii->count == 1 ? "has" : "have");
	dbw_error_detail(err, "Unreviewed: %s.", dbw_buf_cstr(&b));
	dbw_error_hint(err, "Give each a rule in the rules file (keep when it is not personal), "
	                    "see dbward copy --check-rules, or pass --allow-unreviewed.");
	dbw_buf_free(&b);
	return DBW_EPOLICY;
}

/* Sequence values on the source, read inside its snapshot: "name", "value", "t|f". */
static int read_sequences(run *r, const size_t *sel, size_t n, dbw_strv *seqs, dbw_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const dbw_ctable *t = &r->cat->tables[sel[i]];
		if (dbw_rules_skips(r->opts->rules, t->schema, t->name))
			continue;
		for (size_t k = 0; k < t->seqs.count; k++) {
			dbw_result *res = NULL;
			char *sql = dbw_sprintf("select last_value::text, is_called::text from %s",
			                        t->seqs.items[k]);
			int rc = sql ? dbw_conn_query(r->src, sql, 0, NULL, &res, err)
			             : dbw_error_set(err, DBW_ENOMEM, "out of memory");
			free(sql);
			if (rc < 0)
				return rc;
			if (dbw_result_rows(res) == 1 &&
			    (dbw_strv_push(seqs, t->seqs.items[k]) < 0 ||
			     dbw_strv_push(seqs, dbw_result_value(res, 0, 0)) < 0 ||
			     dbw_strv_push(seqs, dbw_result_value(res, 0, 1)) < 0)) {
				dbw_result_free(res);
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			}
			dbw_result_free(res);
		}
	}
	return 0;
}

/* SQLite's AUTOINCREMENT counters of the copied tables: "name", "seq", "". */
static int read_sqlite_sequences(run *r, const size_t *sel, size_t n, dbw_strv *seqs,
                                 dbw_error *err)
{
	int exists = 0, rc;
	if ((rc = dbw_conn_table_exists(r->src, "sqlite_sequence", &exists, err)) < 0 || !exists)
		return rc;
	for (size_t i = 0; i < n; i++) {
		dbw_result *res = NULL;
		const char *name = r->cat->tables[sel[i]].name;
		if (dbw_rules_skips(r->opts->rules, "main", name))
			continue;
		rc = dbw_conn_query(r->src,
		                    "select cast(seq as text) from sqlite_sequence where name = $1",
		                    1, &name, &res, err);
		if (rc < 0)
			return rc;
		if (dbw_result_rows(res) == 1 &&
		    (dbw_strv_push(seqs, name) < 0 ||
		     dbw_strv_push(seqs, dbw_result_value(res, 0, 0)) < 0 ||
		     dbw_strv_push(seqs, "") < 0)) {
			dbw_result_free(res);
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
		dbw_result_free(res);
	}
	return 0;
}

static int write_sequences(run *r, const dbw_strv *seqs, dbw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i + 3 <= seqs->count; i += 3) {
		dbw_result *res = NULL;
		const char *p[3] = {seqs->items[i], seqs->items[i + 1], seqs->items[i + 2]};
		if (dbw_conn_kind(r->dst) == DBW_DB_POSTGRES) {
			rc = dbw_conn_query(
			    r->dst,
			    "select pg_catalog.setval($1::regclass, $2::bigint, $3::boolean)", 3, p,
			    &res, err);
		} else {
			rc = dbw_conn_query(r->dst, "delete from sqlite_sequence where name = $1",
			                    1, p, &res, err);
			dbw_result_free(res);
			res = NULL;
			if (rc == 0)
				rc = dbw_conn_query(
				    r->dst,
				    "insert into sqlite_sequence (name, seq) values ($1, $2)", 2, p,
				    &res, err);
		}
		dbw_result_free(res);
		if (rc < 0)
			return rc;
		r->res->n_sequences++;
	}
	return 0;
}

/* Empty the copied tables on the target, inside its transaction. */
static int empty_targets(run *r, const size_t *sel, size_t n, dbw_error *err)
{
	dbw_db_kind dk = dbw_conn_kind(r->dst);
	dbw_buf b = DBW_BUF_INIT;
	int rc = 0;
	if (n == 0)
		return 0;
	if (dk == DBW_DB_POSTGRES) {
		/* Deferrable foreign keys (cycles) are checked at commit. */
		if ((rc = dbw_conn_exec(r->dst, "SET CONSTRAINTS ALL DEFERRED", err)) < 0)
			return rc;
		dbw_buf_puts(&b, "TRUNCATE TABLE ");
		for (size_t i = 0; i < n; i++) {
			char *q = dbw_catalog__qname(dk, &r->cat->tables[sel[i]]);
			dbw_buf_printf(&b, "%s%s", i ? ", " : "", q ? q : "");
			free(q);
		}
		rc = dbw_conn_exec(r->dst, dbw_buf_cstr(&b), err);
	} else {
		if ((rc = dbw_conn_exec(r->dst, "PRAGMA defer_foreign_keys = ON", err)) < 0)
			return rc;
		for (size_t i = n; i > 0 && rc == 0; i--) {
			char *q = dbw_catalog__qname(dk, &r->cat->tables[sel[i - 1]]);
			b.len = 0;
			dbw_buf_printf(&b, "DELETE FROM %s", q ? q : "");
			free(q);
			rc = dbw_conn_exec(r->dst, dbw_buf_cstr(&b), err);
		}
	}
	dbw_buf_free(&b);
	return rc;
}

int dbw_copy_check_target(const dbw_env *target, dbw_error *err)
{
	if (!target || !target->is_protected)
		return 0;
	dbw_error_set(err, DBW_EPOLICY, "cannot copy into protected environment \"%s\"",
	              target->name);
	dbw_error_detail(err, "A copy empties every copied table of the target first.");
	dbw_error_hint(err, "Copy into a non-protected environment such as staging, or set "
	                    "protected = false for it in dbward.ini if it holds nothing to keep.");
	return DBW_EPOLICY;
}

int dbw_copy(dbw_conn *src, dbw_conn *dst, const dbw_copy_options *opts,
             dbw_copy_result **result_out, dbw_error *err)
{
	run r;
	size_t *sel = NULL, n = 0;
	dbw_strv seqs = DBW_STRV_INIT;
	int rc = 0, src_open = 0, dst_open = 0;

	if (result_out)
		*result_out = NULL;
	memset(&r, 0, sizeof(r));
	r.src = src;
	r.dst = dst;
	r.opts = opts;
	r.err = err;
	r.started_ms = dbw_monotonic_ms();
	if (opts->target_protected) {
		/* Defence in depth: the command refused already (dbw_copy_check_target). */
		rc =
		    dbw_error_set(err, DBW_EPOLICY, "cannot copy into protected environment \"%s\"",
		                  opts->target_name ? opts->target_name : dbw_conn_database(dst));
		dbw_error_hint(err, "Copy into a non-protected environment such as staging.");
		goto done;
	}
	if (!opts->rules) {
		rc = dbw_error_set(err, DBW_EUSAGE, "no sanitize rules given");
		goto done;
	}
	if ((rc = dbw_sanitizer_new(&r.san, opts->key, err)) < 0)
		goto done;
	if (!(r.res = calloc(1, sizeof(*r.res)))) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}

	/* COPY text travels between two servers whose encodings may differ: both
	 * sides speak UTF-8 and each server converts (SQLite is UTF-8 already). */
	if ((dbw_conn_kind(src) == DBW_DB_POSTGRES &&
	     (rc = dbw_conn_exec(src, "SET client_encoding TO 'UTF8'", err)) < 0) ||
	    (dbw_conn_kind(dst) == DBW_DB_POSTGRES &&
	     (rc = dbw_conn_exec(dst, "SET client_encoding TO 'UTF8'", err)) < 0))
		goto done;
	/* One snapshot for every read of the source; it is never written. */
	rc = dbw_conn_exec(src,
	                   dbw_conn_kind(src) == DBW_DB_POSTGRES
	                       ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
	                       : "BEGIN",
	                   err);
	if (rc < 0)
		goto done;
	src_open = 1;
	if ((rc = dbw_catalog__load(src, &r.cat, err)) < 0 ||
	    (rc = dbw_catalog__select(r.cat, opts->tables, &sel, &n, err)) < 0 ||
	    (rc = dbw_pii__report(r.cat, sel, n, opts->rules, &r.res->pii, err)) < 0 ||
	    (rc = dbw_catalog__order(r.cat, sel, n, err)) < 0)
		goto done;
	if (r.res->pii->count && !opts->allow_unreviewed) {
		rc = refuse_pii(r.res->pii, err);
		goto done;
	}
	r.res->tables = calloc(n ? n : 1, sizeof(*r.res->tables));
	if (!r.res->tables) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const dbw_ctable *t = &r.cat->tables[sel[i]];
		dbw_copy_table *rt = &r.res->tables[r.res->count++];
		rt->schema = dbw_strdup(t->schema);
		rt->name = dbw_strdup(t->name);
		rt->skipped = dbw_rules_skips(opts->rules, t->schema, t->name);
		if (!rt->schema || !rt->name) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (t->est_rows > 0 && !rt->skipped)
			r.rows_est += t->est_rows;
	}
	if (dbw_conn_kind(src) == DBW_DB_POSTGRES && dbw_conn_kind(dst) == DBW_DB_POSTGRES)
		rc = read_sequences(&r, sel, n, &seqs, err);
	else if (dbw_conn_kind(src) == DBW_DB_SQLITE && dbw_conn_kind(dst) == DBW_DB_SQLITE)
		rc = read_sqlite_sequences(&r, sel, n, &seqs, err);
	if (rc < 0)
		goto done;

	/* The target: one transaction from the first TRUNCATE to the last setval. */
	if ((rc = dbw_conn_begin(dst, err)) < 0)
		goto done;
	dst_open = 1;
	if ((rc = empty_targets(&r, sel, n, err)) < 0)
		goto done;
	r.n_tables = n;
	for (size_t i = 0; i < n; i++) {
		r.table_index = i;
		r.t = &r.cat->tables[sel[i]];
		r.rt = &r.res->tables[i];
		if ((rc = copy_table(&r)) < 0)
			goto done;
	}
	if ((rc = write_sequences(&r, &seqs, err)) < 0)
		goto done;
	if ((rc = dbw_conn_commit(dst, err)) < 0)
		goto done;
	dst_open = 0;
	r.res->elapsed_ms = dbw_monotonic_ms() - r.started_ms;
done:
	if (dst_open)
		dbw_conn_rollback(dst, NULL);
	if (src_open)
		dbw_conn_rollback(src, NULL);
	if (result_out && rc == 0) {
		*result_out = r.res;
		r.res = NULL;
	}
	dbw_copy_result_free(r.res);
	dbw_strv_free(&seqs);
	free(sel);
	dbw_buf_free(&r.out);
	dbw_buf_free(&r.scratch);
	dbw_buf_free(&r.tmp);
	dbw_catalog__free(r.cat);
	dbw_sanitizer_free(r.san);
	return rc;
}
