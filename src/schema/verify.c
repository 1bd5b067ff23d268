/*
 * verify.c - `dbward verify` as a library call: the history against the
 * folder, drift through a shadow database, optionally a second
 * environment, folded into one report with one code (the most severe).
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

void dbw_verify_free(dbw_verify_report *r)
{
	if (!r)
		return;
	dbw_status_free(r->status);
	dbw_drift_free(r->drift);
	dbw_error_clear(&r->drift_error);
	dbw_schema_diff_free(r->against_diff);
	dbw_schema_free(r->against);
	dbw_schema_free(r->live);
	free(r);
}

int dbw_verify_run(dbw_verify_report **out, dbw_conn *c, const dbw_migration_set *set,
                   const dbw_verify_options *opts, dbw_error *err)
{
	static const dbw_verify_options defaults = DBW_VERIFY_OPTIONS_INIT;
	dbw_verify_report *r = calloc(1, sizeof(*r));
	int rc;
	*out = NULL;
	if (!r)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!opts)
		opts = &defaults;
	r->drift_error = (dbw_error)DBW_ERROR_INIT;
	if ((rc = dbw_status_build(&r->status, c, set, err)) < 0)
		goto done;
	r->code = dbw_status_code(r->status, opts->pending_is_error);
	if (!opts->skip_drift) {
		int drc = dbw_drift_check(&r->drift, c, set, &opts->drift, &r->drift_error);
		if (drc == DBW_EDRIFT)
			dbw_error_clear(&r->drift_error);
		r->code = dbw_error_worst(r->code, drc);
	}
	if (opts->against) {
		const dbw_schema *live = r->drift ? r->drift->live : NULL;
		if (!live) {
			if ((rc = dbw_schema_introspect(&r->live, c, NULL, err)) < 0)
				goto done;
			live = r->live;
		}
		if ((rc = dbw_schema_introspect(&r->against, opts->against, NULL, err)) < 0 ||
		    (rc = dbw_schema_diff_build(&r->against_diff, live, r->against, err)) < 0)
			goto done;
		if (r->against_diff->count)
			r->code = dbw_error_worst(r->code, DBW_EDRIFT);
	}
done:
	if (rc < 0) {
		dbw_verify_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
