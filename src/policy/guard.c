/*
 * guard.c - the one call every command makes right after connecting
 * (dbw_guard): identity, stamp, policy and confirmation, in that order, and
 * the audit record of the decision on a protected environment. Keeping the
 * order in one place is the point: no command can forget a check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward/policy.h>
#include "util/util.h"

/* Whether the environment named in a stamp is protected: its resolved
 * setting when the project knows it, else the default (production). */
static int stamp_is_protected(const dbw_project *p, const char *name)
{
	dbw_env *e = NULL;
	int prot;
	if (p && dbw_env_resolve(&e, p, name, NULL) == 0) {
		prot = e->is_protected;
		dbw_env_free(e);
		return prot;
	}
	return strcmp(name, "production") == 0;
}

static int refuse_stamp(const dbw_conn *c, const dbw_env *env, const dbw_stamp *s, dbw_error *err)
{
	dbw_error_set(err, DBW_EPOLICY, "database \"%s\" is stamped %s, not %s",
	              dbw_conn_database(c), s->environment, env->name);
	dbw_error_detail(err, "The URL of %s (%s) reached a database stamped %s by %s at %s.",
	                 env->name, env->url_origin ? env->url_origin : "as configured",
	                 s->environment, s->stamped_by, s->stamped_at);
	dbw_error_hint(err,
	               "Point %s at its own database, or use --env %s if you meant %s. "
	               "To move the database to %s, run \"dbward stamp %s\".",
	               env->name, s->environment, s->environment, env->name, env->name);
	return DBW_EPOLICY;
}

/* Read-only operations are audited in the local log only: they must not
 * create dbward_audit in a database they only look at (or a replica). */
static int reads_only(const char *op)
{
	return op && (strcmp(op, "status") == 0 || strcmp(op, "read") == 0 ||
	              strcmp(op, "exec-read") == 0);
}

static int more_demanding(dbw_verdict a, dbw_verdict b)
{
	return a > b ? a : b;
}

int dbw_guard(dbw_conn *c, const dbw_env *env, const dbw_project *p, const char *operation,
              const dbw_guard_options *opts, dbw_guard_result *out, dbw_error *err)
{
	static const dbw_guard_options defaults = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result res;
	dbw_decision d = {DBW_VERDICT_ALLOW, "default"};
	dbw_stamp *stamp = NULL;
	dbw_verdict stamp_verdict = DBW_VERDICT_ALLOW;
	int rc, stamp_prot = 0, given, identity_failed = 0;
	int64_t started;

	memset(&res, 0, sizeof(res));
	if (!opts)
		opts = &defaults;
	started = opts->started_ms ? opts->started_ms : dbw_now_ms();
	given = opts->confirm && *opts->confirm;

	/* 1. identity */
	if ((rc = dbw_identity_check_name(c, env, err)) < 0) {
		identity_failed = 1;
		goto decided;
	}
	/* The database reached is a protected environment's: audit it there. */
	if ((rc = dbw_identity_check_same(p, env, NULL, err)) < 0) {
		stamp_prot = 1;
		goto decided;
	}

	/* 2. stamp */
	if ((rc = dbw_stamp_read(c, &stamp, err)) < 0)
		goto done;
	if (stamp) {
		res.is_stamped = 1;
		snprintf(res.stamp_env, sizeof(res.stamp_env), "%s", stamp->environment);
		stamp_prot = stamp_is_protected(p, stamp->environment);
	}
	if (operation && strcmp(operation, "stamp") == 0) {
		const char *target = opts->stamp_target ? opts->stamp_target : env->name;
		if (stamp && strcmp(stamp->environment, target) != 0 && stamp_prot)
			stamp_verdict = DBW_VERDICT_CONFIRM_NAME;
	} else if (stamp && strcmp(stamp->environment, env->name) != 0) {
		rc = refuse_stamp(c, env, stamp, err);
		goto decided;
	}

	/* 3. policy */
	if ((rc = dbw_policy_decide(env, operation, &d, err)) < 0)
		goto done;
	res.verdict = more_demanding(d.verdict, stamp_verdict);
	if (res.verdict == DBW_VERDICT_DENY) {
		rc = dbw_error_set(err, DBW_EPOLICY, "%s is not allowed in %s", operation,
		                   env->name);
		dbw_error_detail(err, "Refused by policy (%s).", d.reason);
		if (env->is_protected)
			dbw_error_hint(err,
			               "Run it against a non-protected environment, or add "
			               "\"allow = %s\" to [env.%s] if it must be possible here.",
			               operation, env->name);
		goto decided;
	}

	/* 4. confirmation */
	if ((rc = dbw_confirm_check(c, env, operation, res.verdict, opts->confirm, opts->yes,
	                            err)) < 0) {
		res.needs_confirmation = !given;
		goto decided;
	}

	if (opts->stamp_unstamped && !stamp) {
		if ((rc = dbw_stamp_ensure(c, env->name, opts->actor, &res.stamped, err)) < 0)
			goto done;
		res.is_stamped = 1;
		snprintf(res.stamp_env, sizeof(res.stamp_env), "%s", env->name);
	}

decided:
	if ((env->is_protected || stamp_prot) && !(res.needs_confirmation && opts->will_prompt)) {
		dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
		e.at_ms = started;
		e.environment = env->name;
		e.operation = operation;
		e.database = dbw_conn_database(c);
		e.actor = opts->actor;
		e.command_line = opts->command_line ? opts->command_line : operation;
		e.outcome = rc < 0 ? "refused" : "allowed";
		e.detail = rc < 0 && err ? err->message : res.stamped ? "stamped" : NULL;
		e.duration_ms = (long)(dbw_now_ms() - started);
		/* A database that failed the identity check is not the one the
		 * record belongs to: keep that refusal in the local log only. */
		dbw_audit_record(identity_failed || reads_only(operation) ? NULL : c, p, &e, NULL);
	}
done:
	if (out)
		*out = res;
	dbw_stamp_free(stamp);
	return rc;
}
