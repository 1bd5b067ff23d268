/*
 * gate.c - what deploy checks before it runs a migration: dbward.sum, and
 * on a protected environment the lint findings of the migrations about to
 * run, refused unless signed off (DESIGN.md "refuse ... data-loss
 * migrations without sign-off").
 */
#include <stdlib.h>
#include <string.h>

#include <dbward/sum.h>
#include "lint_internal.h"

int dbw_lint_deploy_check(const dbw_project *p, const dbw_env *env, const dbw_migration_set *set,
                          const unsigned char *pending, dbw_lint **lint_out, dbw_error *err)
{
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	const dbw_finding *first = NULL;
	size_t refused = 0;
	int rc;

	if (lint_out)
		*lint_out = NULL;
	if ((rc = dbw_lint_dialect(p, env, &o.dialect, err)) != 0)
		return rc;
	rc = dbw_sum_verify(set, o.dialect, NULL, err);
	if (rc == DBW_ENOTFOUND) {
		dbw_error_clear(err); /* no dbward.sum: nothing to verify */
		rc = 0;
	}
	if (rc)
		return rc;
	o.project = p;
	o.lock_timeout_configured = env && env->lock_timeout_ms > 0;
	if ((rc = dbw_lint_new(&l, &o, err)) != 0)
		return rc;
	if (!env || !env->is_protected)
		goto done;
	if ((rc = dbw_lint_set(l, set, pending, err)) != 0)
		goto done;
	for (size_t i = 0; i < l->count; i++) {
		const dbw_finding *f = &l->items[i];
		if (f->allowed || f->severity != DBW_SEV_ERROR)
			continue;
		if (!first)
			first = f;
		refused++;
	}
	if (first) {
		rc = dbw_error_set(err, DBW_EPOLICY,
		                   "cannot deploy to protected environment \"%s\": %s %s: %s",
		                   env->name, first->rule->id, first->rule->name, first->message);
		if (refused > 1)
			dbw_error_detail(err,
			                 "%zu error-level lint findings are not signed off; run "
			                 "\"dbward lint\" to see them all.",
			                 refused);
		else
			dbw_error_detail(err, "One error-level lint finding is not signed off.");
		dbw_error_hint(err,
		               "Fix the migration, or after review sign the finding off in it with "
		               "\"-- dbward:allow %s <reason>\" above the statement.",
		               first->rule->id);
		dbw_error_where(err, "%s:%d:%d", first->file, first->line, first->col);
	}
done:
	if (lint_out && (rc == 0 || rc == DBW_EPOLICY))
		*lint_out = l;
	else
		dbw_lint_free(l);
	return rc;
}
