/*
 * deploy.c - applying pending migrations: the deploy lock, the history
 * table, one transaction per migration with its history row (or the modes
 * plan.c chose), bounded retries on lock timeouts, and --atomic.
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/deploy.h"
#include "util/util.h"

void dbw_deploy_result_free(dbw_deploy_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		dbw_plan__step_free(&r->steps[i]);
	free(r->steps);
	free(r);
}

static void emit(const dbw_deploy_options *o, dbw_event_kind kind, size_t index, size_t total,
                 const dbw_migration *m, long ms, const char *text)
{
	dbw_event ev;
	if (!o->on_event)
		return;
	ev.kind = kind;
	ev.index = index;
	ev.total = total;
	ev.migration = m;
	ev.execution_ms = ms;
	ev.text = text;
	o->on_event(&ev, o->ctx);
}

typedef struct deploy_ctx {
	dbw_conn *c;
	const dbw_migration_set *set;
	const dbw_deploy_options *o;
	int prisma;
	int sqlite;
	char *actor;
} deploy_ctx;

static char *fingerprint_of(deploy_ctx *d, const dbw_migration *m)
{
	char fp[65];
	dbw_error ignored = DBW_ERROR_INIT;
	int rc = dbw_sql_fingerprint(dbw_conn_kind(d->c), m->content, m->content_len, fp, &ignored);
	dbw_error_clear(&ignored);
	return rc == 0 ? strdup(fp) : NULL;
}

/* SQLite: foreign keys are not enforced while migrations run (see the
 * driver), so check them before committing, as SQLite's "making other kinds
 * of table schema changes" procedure (step 10) prescribes. */
static int sqlite_fk_check(deploy_ctx *d, const dbw_migration *m, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	if (!d->sqlite)
		return 0;
	rc = dbw_conn_query(d->c, "PRAGMA foreign_key_check", 0, NULL, &r, err);
	if (rc < 0)
		return rc;
	if (dbw_result_rows(r) > 0) {
		dbw_error_set(err, DBW_ESQL, "foreign key violation after the migration");
		dbw_error_detail(err,
		                 "Table \"%s\" row %s references missing rows of \"%s\" (%zu "
		                 "violation%s in all).",
		                 dbw_result_value(r, 0, 0) ? dbw_result_value(r, 0, 0) : "?",
		                 dbw_result_value(r, 0, 1) ? dbw_result_value(r, 0, 1) : "?",
		                 dbw_result_value(r, 0, 2) ? dbw_result_value(r, 0, 2) : "?",
		                 dbw_result_rows(r), dbw_result_rows(r) == 1 ? "" : "s");
		dbw_error_where(err, "%s", m->rel_path);
		rc = DBW_ESQL;
	}
	dbw_result_free(r);
	return rc;
}

/* Another process may have applied it since we read the history: on SQLite
 * there is no deploy lock, so look again inside the write transaction. */
static int applied_meanwhile(deploy_ctx *d, const dbw_migration *m, int *yes, dbw_error *err)
{
	if (!d->sqlite) {
		*yes = 0;
		return 0;
	}
	return dbw_history__is_applied(d->c, d->prisma, m->id, yes, err);
}

static void record_failure(deploy_ctx *d, const dbw_migration *m, dbw_hstate state, int64_t started,
                           const dbw_error *err)
{
	dbw_error ignored = DBW_ERROR_INIT;
	char *logs = dbw_apply__failure_logs(err);
	char *fp = fingerprint_of(d, m);
	dbw_history__record_failure(d->c, d->prisma, m, fp, state, started, logs, d->actor,
	                            &ignored);
	dbw_error_clear(&ignored);
	free(logs);
	free(fp);
}

/* One transaction: the statements and the history row commit together. */
static int run_single(deploy_ctx *d, dbw_deploy_step *st, int *skipped, dbw_error *err)
{
	const dbw_migration *m = st->migration;
	int64_t started = dbw_now_ms(), t0 = dbw_monotonic_ms();
	char *fp = NULL;
	int rc, already;

	*skipped = 0;
	rc = dbw_conn_begin(d->c, err);
	if (rc < 0)
		return rc;
	rc = applied_meanwhile(d, m, &already, err);
	if (rc < 0)
		goto fail;
	if (already) {
		*skipped = 1;
		return dbw_conn_commit(d->c, err);
	}
	rc = dbw_apply__stmts(d->c, st, 0, st->n_stmts, err);
	if (rc == 0)
		rc = sqlite_fk_check(d, m, err);
	if (rc < 0)
		goto fail;
	fp = fingerprint_of(d, m);
	st->execution_ms = (long)(dbw_monotonic_ms() - t0);
	rc = dbw_history__record_applied(d->c, d->prisma, m, fp, started, st->execution_ms,
	                                 d->actor, err);
	free(fp);
	if (rc < 0)
		goto fail;
	rc = dbw_conn_commit(d->c, err);
	if (rc < 0)
		goto fail;
	st->applied = 1;
	return 0;
fail:
	dbw_conn_rollback(d->c, NULL);
	return rc;
}

/* Commit after each run of ALTER TYPE ... ADD VALUE so later statements may
 * use the new values; the history row rides with the last segment. A
 * failure after the first commit leaves part of the migration applied. */
static int run_split(deploy_ctx *d, dbw_deploy_step *st, int *partial, dbw_error *err)
{
	const dbw_migration *m = st->migration;
	int64_t started = dbw_now_ms(), t0 = dbw_monotonic_ms();
	size_t from = 0;
	int rc;
	char *fp;

	*partial = 0;
	while (from < st->n_stmts) {
		size_t to = from;
		while (to < st->n_stmts) {
			to++;
			if ((st->stmts[to - 1].flags & DBW_STMT_ENUM_ADD) && to < st->n_stmts &&
			    !(st->stmts[to].flags & DBW_STMT_ENUM_ADD))
				break;
		}
		rc = dbw_conn_begin(d->c, err);
		if (rc == 0)
			rc = dbw_apply__stmts(d->c, st, from, to, err);
		if (rc == 0 && to == st->n_stmts) {
			fp = fingerprint_of(d, m);
			st->execution_ms = (long)(dbw_monotonic_ms() - t0);
			rc = dbw_history__record_applied(d->c, d->prisma, m, fp, started,
			                                 st->execution_ms, d->actor, err);
			free(fp);
		}
		if (rc == 0)
			rc = dbw_conn_commit(d->c, err);
		if (rc < 0) {
			dbw_conn_rollback(d->c, NULL);
			*partial = from > 0;
			return rc;
		}
		from = to;
	}
	st->applied = 1;
	return 0;
}

/* No transaction of ours: mark the attempt first, so that a crash midway is
 * seen as a failure that needs resolve, then run statement by statement. */
static int run_autocommit(deploy_ctx *d, dbw_deploy_step *st, dbw_error *err)
{
	const dbw_migration *m = st->migration;
	int64_t started = dbw_now_ms(), t0 = dbw_monotonic_ms();
	dbw_error marker = DBW_ERROR_INIT;
	char *fp = fingerprint_of(d, m);
	int rc;

	dbw_error_set(&marker, DBW_ERROR,
	              "migration \"%s\" started outside a transaction and "
	              "did not finish",
	              m->id);
	{
		char *logs = dbw_apply__failure_logs(&marker);
		rc = dbw_history__record_failure(d->c, d->prisma, m, fp, DBW_H_FAILED, started,
		                                 logs, d->actor, err);
		free(logs);
	}
	dbw_error_clear(&marker);
	if (rc < 0)
		goto done;
	rc = dbw_apply__stmts(d->c, st, 0, st->n_stmts, err);
	if (rc < 0)
		goto done;
	st->execution_ms = (long)(dbw_monotonic_ms() - t0);
	rc = dbw_history__record_applied(d->c, d->prisma, m, fp, started, st->execution_ms,
	                                 d->actor, err);
	if (rc == 0)
		st->applied = 1;
done:
	free(fp);
	return rc;
}

static int run_step(deploy_ctx *d, dbw_deploy_step *st, size_t index, size_t total, dbw_error *err)
{
	const dbw_deploy_options *o = d->o;
	long backoff = o->retry_backoff_ms > 0 ? o->retry_backoff_ms : 500;
	int attempt = 0, rc, partial = 0, skipped = 0;

	emit(o, DBW_EV_START, index, total, st->migration, 0, NULL);
	if (st->mode == DBW_TXN_SPLIT)
		emit(o, DBW_EV_NOTICE, index, total, st->migration, 0, st->reason);
	for (;;) {
		int64_t started = dbw_now_ms();
		switch (st->mode) {
		case DBW_TXN_SINGLE:
			rc = run_single(d, st, &skipped, err);
			break;
		case DBW_TXN_SPLIT:
			rc = run_split(d, st, &partial, err);
			break;
		default:
			rc = run_autocommit(d, st, err);
			partial = rc < 0;
			break;
		}
		if (rc == 0)
			break;
		/* A lock timeout inside a transaction left nothing behind: wait and
		 * try again, a bounded number of times. */
		if (rc == DBW_ELOCK && !partial && attempt < o->lock_retries) {
			char *text = dbw_sprintf("lock timeout, retry %d of %d in %ld ms",
			                         attempt + 1, o->lock_retries, backoff);
			emit(o, DBW_EV_RETRY, index, total, st->migration, 0, text);
			free(text);
			dbw_error_clear(err);
			dbw_sleep_ms(backoff);
			backoff *= 2;
			attempt++;
			continue;
		}
		dbw_apply__explain_failure(err, st->migration, partial);
		if (st->mode == DBW_TXN_SINGLE || (st->mode == DBW_TXN_SPLIT && !partial))
			record_failure(d, st->migration, DBW_H_ROLLED_BACK, started, err);
		else
			record_failure(d, st->migration, DBW_H_FAILED, started, err);
		return rc;
	}
	emit(o, DBW_EV_DONE, index + 1, total, st->migration, skipped ? -1 : st->execution_ms,
	     skipped ? "applied meanwhile by another deploy" : NULL);
	return 0;
}

static int run_atomic(deploy_ctx *d, dbw_deploy_result *res, dbw_error *err)
{
	int64_t *started;
	int rc;
	size_t i;
	for (i = 0; i < res->count; i++) {
		dbw_deploy_step *st = &res->steps[i];
		if (st->mode == DBW_TXN_NONE || st->mode == DBW_TXN_SCRIPT) {
			dbw_error_set(err, DBW_EUSAGE,
			              "cannot deploy atomically: migration \"%s\" "
			              "cannot run in a transaction",
			              st->migration->id);
			dbw_error_detail(err, "%s.", st->reason ? st->reason : "");
			dbw_error_hint(err,
			               "Deploy without --atomic, or apply the migrations before "
			               "it with --to.");
			return DBW_EUSAGE;
		}
	}
	started = calloc(res->count, sizeof(*started));
	if (!started)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rc = dbw_conn_begin(d->c, err);
	if (rc < 0) {
		free(started);
		return rc;
	}
	for (i = 0; i < res->count; i++) {
		dbw_deploy_step *st = &res->steps[i];
		int64_t t0 = dbw_monotonic_ms();
		started[i] = dbw_now_ms();
		emit(d->o, DBW_EV_START, i, res->count, st->migration, 0, NULL);
		rc = dbw_apply__stmts(d->c, st, 0, st->n_stmts, err);
		if (rc == 0)
			rc = sqlite_fk_check(d, st->migration, err);
		if (rc < 0)
			break;
		st->execution_ms = (long)(dbw_monotonic_ms() - t0);
		emit(d->o, DBW_EV_DONE, i + 1, res->count, st->migration, st->execution_ms, NULL);
	}
	/* History rows last: the same transaction, so the same all-or-nothing,
	 * but no schema change between them (on SQLite every CREATE TABLE would
	 * make the next history statement prepare again). */
	for (size_t k = 0; rc == 0 && k < res->count; k++) {
		char *fp = fingerprint_of(d, res->steps[k].migration);
		rc = dbw_history__record_applied(d->c, d->prisma, res->steps[k].migration, fp,
		                                 started[k], res->steps[k].execution_ms, d->actor,
		                                 err);
		free(fp);
	}
	free(started);
	if (rc == 0)
		rc = dbw_conn_commit(d->c, err);
	if (rc < 0) {
		dbw_conn_rollback(d->c, NULL);
		if (i < res->count) {
			dbw_apply__explain_failure(err, res->steps[i].migration, 0);
			free(err->hint);
			err->hint = dbw_sprintf("The deploy was atomic: none of the %zu migrations "
			                        "was applied. Fix the file and deploy again.",
			                        res->count);
			record_failure(d, res->steps[i].migration, DBW_H_ROLLED_BACK, dbw_now_ms(),
			               err);
		}
		return rc;
	}
	for (i = 0; i < res->count; i++)
		res->steps[i].applied = 1;
	return 0;
}

/* Refuse to deploy over a history that does not match the folder. */
int dbw_deploy__check_history(const dbw_status *s, dbw_error *err)
{
	for (size_t i = 0; i < s->count; i++) {
		const dbw_status_item *it = &s->items[i];
		if (it->state == DBW_M_FAILED && it->needs_resolve) {
			dbw_error_set(
			    err, DBW_EHISTORY,
			    "migration \"%s\" failed outside a transaction and may be partly "
			    "applied",
			    it->id);
			if (it->error)
				dbw_error_detail(err, "The recorded failure: %s", it->error);
			dbw_error_hint(
			    err,
			    "Inspect the database, then run 'dbward resolve --applied %s' "
			    "if you completed it by hand, or 'dbward resolve "
			    "--rolled-back %s' if you undid it.",
			    it->version, it->version);
			return DBW_EHISTORY;
		}
		if (it->state == DBW_M_MODIFIED) {
			dbw_error_set(err, DBW_EHISTORY,
			              "migration \"%s\" was edited after it was applied", it->id);
			dbw_error_where(err, "%s", it->migration->rel_path);
			dbw_error_detail(err,
			                 "The file's checksum no longer matches the one recorded "
			                 "in the history table, and not only in comments or "
			                 "whitespace.");
			dbw_error_hint(err,
			               "Restore the file as it was applied (git checkout) and put "
			               "the change in a new migration (dbward new).");
			return DBW_EHISTORY;
		}
		if (it->state == DBW_M_MISSING) {
			dbw_error_set(
			    err, DBW_EHISTORY,
			    "migration \"%s\" is recorded in the database but missing from "
			    "the folder",
			    it->id);
			dbw_error_hint(err,
			               "Restore the file (another branch may have it), or check "
			               "that this is the right database and migrations folder.");
			return DBW_EHISTORY;
		}
	}
	return 0;
}

static int plan(deploy_ctx *d, const dbw_status *s, dbw_deploy_result *res, dbw_error *err)
{
	size_t n = 0;
	const char *to = d->o->to;
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].state == DBW_M_PENDING ||
		    (s->items[i].state == DBW_M_FAILED && !s->items[i].needs_resolve))
			n++;
	res->steps = calloc(n ? n : 1, sizeof(*res->steps));
	if (!res->steps)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->count; i++) {
		const dbw_status_item *it = &s->items[i];
		int rc;
		if (!(it->state == DBW_M_PENDING ||
		      (it->state == DBW_M_FAILED && !it->needs_resolve)))
			continue;
		if (to && dbw_version_cmp(it->version, to) > 0)
			break;
		rc = dbw_plan__step(dbw_conn_kind(d->c), it->migration, &res->steps[res->count],
		                    err);
		if (rc < 0)
			return rc;
		res->count++;
	}
	return 0;
}

int dbw_deploy(dbw_conn *c, const dbw_migration_set *set, const dbw_deploy_options *opts,
               dbw_deploy_result **result_out, dbw_error *err)
{
	static const dbw_deploy_options defaults = DBW_DEPLOY_OPTIONS_INIT;
	deploy_ctx d;
	dbw_deploy_result *res = calloc(1, sizeof(*res));
	dbw_status *s = NULL;
	int rc = 0, locked = 0;
	int64_t t0 = dbw_monotonic_ms();

	if (result_out)
		*result_out = NULL;
	if (!res)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	memset(&d, 0, sizeof(d));
	d.c = c;
	d.set = set;
	d.o = opts ? opts : &defaults;
	d.prisma = dbw_history__is_prisma(set);
	d.sqlite = dbw_conn_kind(c) == DBW_DB_SQLITE;
	d.actor = d.o->actor ? strdup(d.o->actor) : dbw_actor();
	res->dry_run = d.o->dry_run;

	if (d.o->to && !dbw_migrations_find(set, d.o->to)) {
		rc = dbw_error_set(err, DBW_EUSAGE, "no migration with version \"%s\" in \"%s\"",
		                   d.o->to, set->dir);
		dbw_error_hint(err, "Run 'dbward status' to list the versions.");
		goto done;
	}
	if (!d.o->dry_run) {
		/* SQLite waits in BEGIN IMMEDIATE instead of a deploy lock. */
		rc = dbw_conn_set_lock_timeout(
		    c,
		    d.sqlite ? (d.o->lock_wait_ms < 0 ? 86400000L : d.o->lock_wait_ms)
		             : d.o->lock_timeout_ms,
		    err);
		if (rc < 0)
			goto done;
		rc = dbw_conn_lock(c, DBW_DEPLOY_LOCK_KEY, d.o->lock_wait_ms, err);
		if (rc < 0)
			goto done;
		locked = 1;
		rc = dbw_history__ensure(c, d.prisma, err);
		if (rc < 0)
			goto done;
	}
	rc = dbw_status_build(&s, c, set, err);
	if (rc < 0)
		goto done;
	rc = dbw_deploy__check_history(s, err);
	if (rc < 0)
		goto done;
	rc = plan(&d, s, res, err);
	if (rc < 0 || d.o->dry_run || res->count == 0)
		goto done;
	if (d.o->atomic) {
		rc = run_atomic(&d, res, err);
	} else {
		for (size_t i = 0; i < res->count && rc == 0; i++)
			rc = run_step(&d, &res->steps[i], i, res->count, err);
	}
	for (size_t i = 0; i < res->count; i++)
		res->n_applied += res->steps[i].applied;
done:
	if (locked) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_unlock(c, DBW_DEPLOY_LOCK_KEY, &ignored);
		dbw_error_clear(&ignored);
	}
	res->total_ms = (long)(dbw_monotonic_ms() - t0);
	dbw_status_free(s);
	free(d.actor);
	if (result_out)
		*result_out = res;
	else
		dbw_deploy_result_free(res);
	return rc;
}
