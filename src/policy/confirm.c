/*
 * confirm.c - typed confirmation (issue 3 "Typed confirmation"): on a
 * protected environment only the live database name, typed, lets a
 * destructive operation through; --yes never does. Prompting is the
 * command line's job: this file only judges what was given.
 */
#include <string.h>

#include <dbward/policy.h>
#include "util/util.h"

int dbw_confirm_check(const dbw_conn *c, const dbw_env *env, const char *operation,
                      dbw_verdict verdict, const char *confirm, int yes, dbw_error *err)
{
	const char *live = dbw_conn_database(c);

	/* A --confirm naming another database means the operator believes they
	 * are somewhere else: refuse even where no confirmation was needed. */
	if (verdict == DBW_VERDICT_ALLOW && !(confirm && *confirm))
		return 0;
	if (verdict == DBW_VERDICT_DENY)
		return dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", operation,
		                     env->name);
	if (confirm && *confirm) {
		if (strcmp(confirm, live) == 0)
			return 0;
		dbw_error_set(err, DBW_EPOLICY,
		              "confirmation \"%s\" does not match the database \"%s\" of %s",
		              confirm, live, env->name);
		dbw_error_detail(err, "The %s environment reached database \"%s\".", env->name,
		                 live);
		dbw_error_hint(err,
		               "Check that you meant %s, then pass --confirm with the exact "
		               "database name.",
		               env->name);
		return DBW_EPOLICY;
	}
	if (verdict == DBW_VERDICT_CONFIRM && yes)
		return 0;
	if (verdict == DBW_VERDICT_CONFIRM_NAME) {
		dbw_error_set(err, DBW_EPOLICY, "%s on %s needs the database name typed to confirm",
		              operation, env->name);
		dbw_error_detail(err, "%s is a protected environment%s.", env->name,
		                 yes ? "; --yes is not enough there" : "");
		dbw_error_hint(err,
		               "Pass --confirm %s, or run it on a terminal and type the name "
		               "when asked.",
		               live);
		return DBW_EPOLICY;
	}
	dbw_error_set(err, DBW_EPOLICY, "%s on %s needs confirmation", operation, env->name);
	dbw_error_hint(err, "Pass --yes or --confirm %s, or answer the prompt on a terminal.",
	               live);
	return DBW_EPOLICY;
}
