/*
 * rollback.c - running down migrations, newest first, each in a transaction
 * with the removal of its history row; and baselining an existing database.
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/deploy.h"
#include "util/util.h"

/* The down SQL seen as a migration of its own, so that statements and error
 * positions index the right text: the dbward/dbmate file itself (the down
 * section is part of it), or golang-migrate's separate .down.sql. */
typedef struct down_view {
	dbw_migration m;
	char *rel;
} down_view;

static int down_view_init(down_view *v, const dbw_migration *m, const dbw_migration_set *set)
{
	memset(v, 0, sizeof(*v));
	v->m = *m;
	if (m->down_path) {
		const char *root_hint = set->dir;
		v->rel = dbw_path_relative(m->down_path, root_hint);
		v->m.content = m->down_sql;
		v->m.content_len = strlen(m->down_sql);
		v->m.up_offset = 0;
		v->m.up_len = v->m.content_len;
		v->m.rel_path = v->rel ? v->rel : m->down_path;
	} else {
		v->m.up_offset = m->down_offset;
		v->m.up_len = strlen(m->down_sql);
	}
	return 0;
}

static int has_sql(dbw_db_kind kind, const dbw_migration *view)
{
	dbw_stmt *st = NULL;
	size_t n = 0, real = 0;
	if (dbw_sql_split(kind, view->content + view->up_offset, view->up_len, &st, &n, NULL) < 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		real += !(st[i].flags & DBW_STMT_EMPTY);
	free(st);
	return real > 0;
}

static void emit(const dbw_rollback_options *o, dbw_event_kind kind, size_t i, size_t total,
                 const dbw_migration *m, long ms)
{
	dbw_event ev;
	if (!o->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.index = i;
	ev.total = total;
	ev.migration = m;
	ev.execution_ms = ms;
	o->on_event(&ev, o->ctx);
}

static int run_down(dbw_conn *c, int prisma, dbw_deploy_step *st, const dbw_migration *orig,
                    dbw_error *err)
{
	int64_t t0 = dbw_monotonic_ms();
	int rc;
	if (st->mode == DBW_TXN_SINGLE || st->mode == DBW_TXN_SPLIT) {
		rc = dbw_conn_begin(c, err);
		if (rc == 0)
			rc = dbw_apply__stmts(c, st, 0, st->n_stmts, err);
		if (rc == 0)
			rc = dbw_history__forget(c, prisma, orig, err);
		if (rc == 0)
			rc = dbw_conn_commit(c, err);
		if (rc < 0)
			dbw_conn_rollback(c, NULL);
	} else {
		rc = dbw_apply__stmts(c, st, 0, st->n_stmts, err);
		if (rc == 0)
			rc = dbw_history__forget(c, prisma, orig, err);
	}
	st->execution_ms = (long)(dbw_monotonic_ms() - t0);
	if (rc < 0) {
		char *msg = dbw_sprintf("down migration \"%s\" failed: %s", orig->id,
		                        err && err->message ? err->message : "");
		if (err && msg) {
			free(err->message);
			err->message = msg;
		} else {
			free(msg);
		}
		if (err && !err->hint)
			dbw_error_hint(err, "%s",
			               st->mode == DBW_TXN_SINGLE
			                   ? "Nothing of it was undone (it ran in a "
			                     "transaction): fix the down section and run "
			                     "the rollback again."
			                   : "It ran outside a transaction: inspect the "
			                     "database before trying again.");
		return rc;
	}
	st->applied = 1;
	return 0;
}

int dbw_rollback(dbw_conn *c, const dbw_migration_set *set, const dbw_rollback_options *opts,
                 dbw_deploy_result **result_out, dbw_error *err)
{
	static const dbw_rollback_options defaults = DBW_ROLLBACK_OPTIONS_INIT;
	const dbw_rollback_options *o = opts ? opts : &defaults;
	dbw_deploy_result *res = calloc(1, sizeof(*res));
	down_view *views = NULL;
	dbw_status *s = NULL;
	int prisma = set->format == DBW_FORMAT_PRISMA, rc = 0, locked = 0;
	dbw_db_kind kind = dbw_conn_kind(c);
	int64_t t0 = dbw_monotonic_ms();
	size_t want;

	if (result_out)
		*result_out = NULL;
	if (!res)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	res->dry_run = o->dry_run;
	if (prisma || set->format == DBW_FORMAT_FLYWAY) {
		rc = dbw_error_set(err, DBW_EUSAGE,
		                   "%s migrations have no down SQL to roll back with",
		                   prisma ? "Prisma" : "Flyway");
		dbw_error_hint(err, "Write a new migration that undoes the change and deploy it.");
		goto done;
	}
	if (o->to && !dbw_migrations_find(set, o->to)) {
		rc = dbw_error_set(err, DBW_EUSAGE, "no migration with version \"%s\" in \"%s\"",
		                   o->to, set->dir);
		goto done;
	}
	if (!o->dry_run) {
		rc = dbw_conn_lock(c, DBW_DEPLOY_LOCK_KEY, o->lock_wait_ms, err);
		if (rc < 0)
			goto done;
		locked = 1;
	}
	rc = dbw_status_build(&s, c, set, err);
	if (rc == 0)
		rc = dbw_deploy__check_history(s, err);
	if (rc < 0)
		goto done;

	/* Newest applied first. */
	want = o->to ? (size_t)-1 : (size_t)(o->steps > 0 ? o->steps : 1);
	res->steps = calloc(s->count ? s->count : 1, sizeof(*res->steps));
	views = calloc(s->count ? s->count : 1, sizeof(*views));
	if (!res->steps || !views) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t k = s->count; k-- > 0 && res->count < want;) {
		const dbw_status_item *it = &s->items[k];
		const dbw_migration *m = it->migration;
		down_view *v = &views[res->count];
		dbw_deploy_step *st = &res->steps[res->count];
		if (it->state != DBW_M_APPLIED && it->state != DBW_M_COSMETIC)
			continue;
		if (o->to && dbw_version_cmp(m->version, o->to) <= 0)
			break;
		if (m->down_sql)
			down_view_init(v, m, set);
		if (!m->down_sql || !has_sql(kind, &v->m)) {
			rc = dbw_error_set(
			    err, DBW_EUSAGE,
			    "migration \"%s\" has no down SQL: nothing was rolled back", m->id);
			dbw_error_where(err, "%s", m->rel_path);
			dbw_error_hint(err, "Write its down section (-- migrate:down), or undo the "
			                    "change in a new migration.");
			free(v->rel);
			goto done;
		}
		rc = dbw_plan__step(kind, &v->m, st, err);
		if (rc < 0) {
			free(v->rel);
			goto done;
		}
		res->count++;
	}
	if (o->dry_run)
		goto done;
	for (size_t i = 0; i < res->count && rc == 0; i++) {
		dbw_deploy_step *st = &res->steps[i];
		const dbw_migration *orig = dbw_migrations_find(set, st->migration->id);
		emit(o, DBW_EV_START, i, res->count, orig, 0);
		rc = run_down(c, prisma, st, orig, err);
		if (rc == 0) {
			res->n_applied++;
			emit(o, DBW_EV_DONE, i + 1, res->count, orig, st->execution_ms);
		}
	}
done:
	if (locked) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_unlock(c, DBW_DEPLOY_LOCK_KEY, &ignored);
		dbw_error_clear(&ignored);
	}
	/* Steps point into the views, which die here: give them the real
	 * migrations back, without statement offsets into a view's text
	 * (callers show m->down_sql instead). */
	for (size_t i = 0; res && i < res->count; i++) {
		res->steps[i].migration = dbw_migrations_find(set, res->steps[i].migration->id);
		free(res->steps[i].stmts);
		res->steps[i].stmts = NULL;
		res->steps[i].n_stmts = 0;
		free(views[i].rel);
	}
	free(views);
	dbw_status_free(s);
	if (res)
		res->total_ms = (long)(dbw_monotonic_ms() - t0);
	if (result_out)
		*result_out = res;
	else
		dbw_deploy_result_free(res);
	return rc;
}

int dbw_baseline(dbw_conn *c, const dbw_migration_set *set, const char *version, size_t *count_out,
                 dbw_error *err)
{
	dbw_status *s = NULL;
	int prisma = set->format == DBW_FORMAT_PRISMA, rc;
	size_t n = 0;
	char *actor = NULL;

	if (count_out)
		*count_out = 0;
	if (!dbw_migrations_find(set, version)) {
		dbw_error_set(err, DBW_ENOTFOUND, "no migration with version \"%s\" in \"%s\"",
		              version, set->dir);
		dbw_error_hint(err, "Run 'dbward status' to list the versions.");
		return DBW_ENOTFOUND;
	}
	rc = dbw_conn_lock(c, DBW_DEPLOY_LOCK_KEY, 60000, err);
	if (rc < 0)
		return rc;
	rc = dbw_history__ensure(c, prisma, err);
	if (rc == 0)
		rc = dbw_status_build(&s, c, set, err);
	if (rc < 0)
		goto done;
	if (s->n_applied || s->n_failed || s->n_missing) {
		rc = dbw_error_set(
		    err, DBW_EHISTORY,
		    "cannot baseline: the history table already records %zu migration%s",
		    s->n_applied + s->n_failed + s->n_missing,
		    s->n_applied + s->n_failed + s->n_missing == 1 ? "" : "s");
		dbw_error_hint(err, "Baseline is for a database that dbward has never deployed to; "
		                    "'dbward status' shows what it records.");
		goto done;
	}
	actor = dbw_actor();
	rc = dbw_conn_begin(c, err);
	for (size_t i = 0; rc == 0 && i < set->count; i++) {
		const dbw_migration *m = &set->items[i];
		char fp[65];
		dbw_error ignored = DBW_ERROR_INIT;
		int have_fp;
		if (dbw_version_cmp(m->version, version) > 0)
			break;
		have_fp = dbw_sql_fingerprint(dbw_conn_kind(c), m->content, m->content_len, fp,
		                              &ignored) == 0;
		dbw_error_clear(&ignored);
		rc = dbw_history__record_applied(c, prisma, m, have_fp ? fp : NULL, dbw_now_ms(), 0,
		                                 actor, err);
		n += rc == 0;
	}
	if (rc == 0)
		rc = dbw_conn_commit(c, err);
	else
		dbw_conn_rollback(c, NULL);
	if (rc == 0 && count_out)
		*count_out = n;
done : {
	dbw_error ignored = DBW_ERROR_INIT;
	dbw_conn_unlock(c, DBW_DEPLOY_LOCK_KEY, &ignored);
	dbw_error_clear(&ignored);
}
	free(actor);
	dbw_status_free(s);
	return rc;
}
