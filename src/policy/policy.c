/*
 * policy.c - what each environment allows (issue 3 "Policy"): the default
 * table per kind of environment, then the [env.NAME] allow / deny lists.
 * Pure decisions: no connection, no I/O.
 */
#include <string.h>

#include <dbward/policy.h>
#include "util/util.h"

static const char *const operations[] = {
    "deploy",     "status",    "reset", "truncate", "seed",    "rollback", "restore", "copy-into",
    "exec-write", "exec-read", "stamp", "backup",   "resolve", "baseline", "read",    NULL};

/* Refused by default on a protected environment; `allow =` can lift these. */
static const char *const protected_denied[] = {"reset",     "truncate",   "seed",
                                               "copy-into", "exec-write", NULL};
/* Allowed on a protected environment only with the live database name typed. */
static const char *const protected_named[] = {"rollback", "restore", "resolve", "baseline", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

const char *const *dbw_policy_operations(void)
{
	return operations;
}

const char *dbw_verdict_name(dbw_verdict v)
{
	switch (v) {
	case DBW_VERDICT_ALLOW:
		return "allow";
	case DBW_VERDICT_CONFIRM:
		return "confirm";
	case DBW_VERDICT_CONFIRM_NAME:
		return "confirm-name";
	case DBW_VERDICT_DENY:
		return "deny";
	}
	return "deny";
}

static int unknown_operation(dbw_error *err, const char *op)
{
	dbw_buf b = DBW_BUF_INIT;
	for (const char *const *o = operations; *o; o++)
		dbw_buf_printf(&b, "%s%s", o == operations ? "" : ", ", *o);
	dbw_error_set(err, DBW_EUSAGE, "unknown operation \"%s\"", op);
	dbw_error_hint(err, "The operations are: %s.", dbw_buf_cstr(&b));
	dbw_buf_free(&b);
	return DBW_EUSAGE;
}

/* Parse `allow =` / `deny =` of env and say whether op is in it; a name that
 * is no operation is a configuration error, so a typo cannot open a hole. */
static int list_has(const dbw_env *env, const char *key, const char *op, int *has_out,
                    dbw_error *err)
{
	dbw_strv v = DBW_STRV_INIT;
	const char *text = dbw_env_setting(env, key);
	int rc = 0;
	*has_out = 0;
	if (!text)
		return 0;
	if (dbw_strv_split_list(&v, text) < 0)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < v.count; i++) {
		if (!in_list(operations, v.items[i])) {
			rc = dbw_error_set(err, DBW_ECONFIG,
			                   "unknown operation \"%s\" in %s of [env.%s]", v.items[i],
			                   key, env->name);
			dbw_error_hint(err, "Use names that \"dbward check OPERATION\" knows, "
			                    "such as reset, seed or exec-write.");
			goto done;
		}
		if (strcmp(v.items[i], op) == 0)
			*has_out = 1;
	}
done:
	dbw_strv_free(&v);
	return rc;
}

int dbw_policy_decide(const dbw_env *env, const char *operation, dbw_decision *out, dbw_error *err)
{
	int allowed = 0, denied = 0, rc;
	out->verdict = DBW_VERDICT_DENY;
	out->reason = "unknown operation";
	if (!operation || !in_list(operations, operation))
		return unknown_operation(err, operation ? operation : "");
	if ((rc = list_has(env, "deny", operation, &denied, err)) < 0)
		return rc;
	if ((rc = list_has(env, "allow", operation, &allowed, err)) < 0)
		return rc;
	if (denied) {
		out->verdict = DBW_VERDICT_DENY;
		out->reason = "denied by deny = in dbward.ini";
		return 0;
	}
	if (env->is_protected) {
		if (in_list(protected_denied, operation)) {
			if (allowed) {
				out->verdict = DBW_VERDICT_CONFIRM_NAME;
				out->reason = "allow = in dbward.ini; protected environment";
			} else {
				out->verdict = DBW_VERDICT_DENY;
				out->reason = "protected environment";
			}
		} else if (in_list(protected_named, operation)) {
			out->verdict = DBW_VERDICT_CONFIRM_NAME;
			out->reason = "protected environment";
		} else {
			out->verdict = DBW_VERDICT_ALLOW;
			out->reason = "protected environment";
		}
		return 0;
	}
	/* The data lifecycle issue narrows one default: emptying every table is a
	 * test-suite tool, allowed in development and test; elsewhere it needs
	 * allow = truncate (the truncate command applies the same rule). */
	if (strcmp(operation, "truncate") == 0 && !allowed &&
	    strcmp(env->name, "development") != 0 && strcmp(env->name, "test") != 0) {
		out->verdict = DBW_VERDICT_DENY;
		out->reason = "truncate is allowed in development and test by default";
		return 0;
	}
	if (strcmp(env->name, "staging") == 0 && strcmp(operation, "reset") == 0 && !allowed) {
		out->verdict = DBW_VERDICT_CONFIRM;
		out->reason = "default for staging";
		return 0;
	}
	out->verdict = DBW_VERDICT_ALLOW;
	out->reason = allowed ? "allow = in dbward.ini" : "default";
	return 0;
}
