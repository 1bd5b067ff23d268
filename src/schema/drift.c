/*
 * drift.c - drift: the live schema against what its applied migrations
 * produce. The applied migrations (by the history, in folder order) are
 * replayed with dbw_deploy in a shadow database, both schemas are
 * introspected and compared. Also the guard that deploy runs before a
 * protected environment.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

void dbw_drift_free(dbw_drift *d)
{
	if (!d)
		return;
	dbw_schema_diff_free(d->diff);
	dbw_schema_free(d->expected);
	dbw_schema_free(d->live);
	free(d);
}

static int is_applied(dbw_mstate s)
{
	return s == DBW_M_APPLIED || s == DBW_M_COSMETIC || s == DBW_M_MODIFIED;
}

/* Replay the applied migrations of status into the shadow connection. */
static int replay(dbw_conn *shadow, const dbw_migration_set *set, const dbw_status *st,
                  const dbw_drift_options *opts, size_t *n_out, dbw_error *err)
{
	dbw_migration_set sub;
	dbw_deploy_options dopts = DBW_DEPLOY_OPTIONS_INIT;
	dbw_deploy_result *res = NULL;
	int rc;
	memset(&sub, 0, sizeof(sub));
	sub.format = set->format;
	sub.dir = set->dir;
	sub.items = calloc(st->count + 1, sizeof(*sub.items));
	if (!sub.items)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	/* A shallow copy of the applied ones: the strings stay owned by set. */
	for (size_t i = 0; i < st->count; i++)
		if (is_applied(st->items[i].state) && st->items[i].migration)
			sub.items[sub.count++] = *st->items[i].migration;
	*n_out = sub.count;
	if (sub.count == 0) {
		free(sub.items);
		return 0;
	}
	dopts.actor = "dbward shadow";
	dopts.on_event = opts->on_event;
	dopts.ctx = opts->ctx;
	rc = dbw_deploy(shadow, &sub, &dopts, &res, err);
	dbw_deploy_result_free(res);
	free(sub.items);
	return rc;
}

/* The shadow setup file: what the migrations expect to exist already. */
static int run_setup(dbw_conn *shadow, const char *path, dbw_error *err)
{
	char *sql = NULL;
	size_t len = 0;
	int rc = dbw_file_read(path, &sql, &len, err);
	if (rc == 0 && (rc = dbw_conn_exec(shadow, sql, err)) < 0) {
		dbw_error_where(err, "%s", path);
		dbw_error_detail(err, "The shadow setup file failed in the shadow database.");
	}
	free(sql);
	return rc;
}

int dbw_drift_check(dbw_drift **out, dbw_conn *c, const dbw_migration_set *set,
                    const dbw_drift_options *opts, dbw_error *err)
{
	static const dbw_drift_options defaults = DBW_DRIFT_OPTIONS_INIT;
	dbw_drift *d = calloc(1, sizeof(*d));
	dbw_status *st = NULL;
	dbw_shadow *sh = NULL;
	long long t0 = dbw_monotonic_ms();
	int rc;
	*out = NULL;
	if (!d)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!opts)
		opts = &defaults;
	if ((rc = dbw_status_build(&st, c, set, err)) < 0)
		goto done;
	if ((rc = dbw_shadow_create(&sh, c, opts->live_url, opts->shadow_url, err)) < 0)
		goto done;
	if (opts->setup_path && (rc = run_setup(dbw_shadow_conn(sh), opts->setup_path, err)) < 0)
		goto done;
	if ((rc = replay(dbw_shadow_conn(sh), set, st, opts, &d->n_replayed, err)) < 0) {
		dbw_error_detail(err, "The migration failed while it was replayed in the shadow "
		                      "database to compute the expected schema.");
		goto done;
	}
	if ((rc = dbw_schema_introspect(&d->expected, dbw_shadow_conn(sh), NULL, err)) < 0 ||
	    (rc = dbw_schema_introspect(&d->live, c, NULL, err)) < 0 ||
	    (rc = dbw_schema_diff_build(&d->diff, d->expected, d->live, err)) < 0)
		goto done;
done:
	if (sh) {
		/* Always dropped; a failure to drop is reported unless something
		 * failed before (that error matters more). */
		dbw_error drop_err = DBW_ERROR_INIT;
		int drc = dbw_shadow_drop(sh, &drop_err);
		if (drc < 0 && rc == 0) {
			dbw_error_move(err, &drop_err);
			rc = drc;
		}
		dbw_error_clear(&drop_err);
	}
	dbw_status_free(st);
	if (rc < 0) {
		dbw_drift_free(d);
		return rc;
	}
	d->elapsed_ms = (long)(dbw_monotonic_ms() - t0);
	*out = d;
	return d->diff->count ? DBW_EDRIFT : 0;
}

int dbw_drift_guard(dbw_conn *c, const dbw_env *env, const dbw_migration_set *set,
                    const dbw_drift_options *opts, int allow_drift, dbw_drift **drift_out,
                    dbw_error *err)
{
	dbw_drift *d = NULL;
	int rc;
	if (drift_out)
		*drift_out = NULL;
	if (!env->is_protected)
		return 0;
	rc = dbw_drift_check(&d, c, set, opts, err);
	if (rc == DBW_EDRIFT && !allow_drift) {
		dbw_error_set(
		    err, DBW_EDRIFT,
		    "cannot deploy to protected environment \"%s\": its schema has drifted",
		    env->name);
		dbw_error_detail(
		    err, "%zu object%s differ%s from what the %zu applied migration%s produce%s.",
		    d->diff->count, d->diff->count == 1 ? "" : "s", d->diff->count == 1 ? "s" : "",
		    d->n_replayed, d->n_replayed == 1 ? "" : "s", d->n_replayed == 1 ? "s" : "");
		dbw_error_hint(err,
		               "Run 'dbward diff %s --migrations' to see the differences; deploy "
		               "anyway with --allow-drift --reason \"...\".",
		               env->name);
	} else if (rc == DBW_EDRIFT) {
		rc = 0;
	}
	if (drift_out && d)
		*drift_out = d;
	else
		dbw_drift_free(d);
	return rc;
}
