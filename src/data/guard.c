/*
 * guard.c - which data operations an environment allows, until the policy
 * layer (src/policy) lands: then dbw_data_check calls its guard instead and
 * these rules move there. Kept in one place so that the swap is one edit.
 *
 * Rules (DESIGN.md "protected environment", issue 6): reset is never run in
 * a protected environment; truncate runs in development and test, elsewhere
 * only when [env.NAME] allow lists "truncate", never when protected; seeds in
 * a protected environment need allow = seed and --confirm naming the live
 * database; reset on staging needs a person's yes.
 */
#include <string.h>

#include <dbward/data.h>
#include "util/util.h"

const char *dbw_data_op_name(dbw_data_op op)
{
	switch (op) {
	case DBW_DATA_SEED:
		return "seed";
	case DBW_DATA_RESET:
		return "reset";
	case DBW_DATA_TRUNCATE:
		return "truncate";
	case DBW_DATA_SETUP:
		return "setup";
	}
	return "?";
}

/* 1 when the environment's `allow` setting lists op. */
static int env_allows(const dbw_env *env, dbw_data_op op)
{
	const char *allow = dbw_env_setting(env, "allow");
	dbw_strv list = DBW_STRV_INIT;
	int found;
	if (!allow)
		return 0;
	if (dbw_strv_split_list(&list, allow) < 0)
		return 0;
	found = dbw_strv_contains(&list, dbw_data_op_name(op));
	dbw_strv_free(&list);
	return found;
}

static int is_true(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 ||
	             strcmp(v, "1") == 0);
}

int dbw_data_needs_confirmation(const dbw_env *env, dbw_data_op op)
{
	if (op != DBW_DATA_RESET)
		return 0;
	return strcmp(env->name, "staging") == 0 || is_true(dbw_env_setting(env, "confirm_reset"));
}

int dbw_data_check(const dbw_env *env, dbw_conn *c, dbw_data_op op, const char *confirm,
                   dbw_error *err)
{
	const char *name = dbw_data_op_name(op);
	switch (op) {
	case DBW_DATA_RESET:
		if (env->is_protected) {
			dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", name, env->name);
			dbw_error_detail(
			    err, "Environment \"%s\" is protected: its data must not be lost.",
			    env->name);
			dbw_error_hint(err, "Reset a development or test database instead.");
			return DBW_EPOLICY;
		}
		return 0;
	case DBW_DATA_TRUNCATE:
		if (env->is_protected) {
			dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", name, env->name);
			dbw_error_detail(
			    err, "Environment \"%s\" is protected: its data must not be lost.",
			    env->name);
			dbw_error_hint(err, "Truncate a development or test database instead.");
			return DBW_EPOLICY;
		}
		if (strcmp(env->name, "development") == 0 || strcmp(env->name, "test") == 0 ||
		    env_allows(env, op))
			return 0;
		dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", name, env->name);
		dbw_error_detail(err, "Truncate is allowed in development and test by default.");
		dbw_error_hint(err,
		               "Add \"allow = truncate\" to [env.%s] in dbward.ini to allow it.",
		               env->name);
		return DBW_EPOLICY;
	case DBW_DATA_SEED:
		if (!env->is_protected)
			return 0;
		if (!env_allows(env, op)) {
			dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", name, env->name);
			dbw_error_detail(err, "Environment \"%s\" is protected.", env->name);
			dbw_error_hint(
			    err,
			    "Add \"allow = seed\" to [env.%s] in dbward.ini and pass --confirm "
			    "with the database name to seed it.",
			    env->name);
			return DBW_EPOLICY;
		}
		if (!confirm || !c || strcmp(confirm, dbw_conn_database(c)) != 0) {
			dbw_error_set(err, DBW_EPOLICY, "%s in %s needs --confirm", name,
			              env->name);
			if (confirm && c)
				dbw_error_detail(
				    err,
				    "--confirm \"%s\" does not match the live database \"%s\".",
				    confirm, dbw_conn_database(c));
			else
				dbw_error_detail(err, "Environment \"%s\" is protected.",
				                 env->name);
			dbw_error_hint(err, "Pass --confirm with the live database name.");
			return DBW_EPOLICY;
		}
		return 0;
	case DBW_DATA_SETUP:
		return 0;
	}
	return 0;
}
