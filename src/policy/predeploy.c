/*
 * predeploy.c - the backup rule of deploy (issue 3): a protected
 * environment gets a verified backup before any migration runs, and a
 * deploy that skips it says why, in the audit log.
 */
#include <stdlib.h>
#include <string.h>

#include <dbward/backup.h>
#include <dbward/policy.h>
#include "util/util.h"

int dbw_backup_before_deploy(dbw_conn *c, const dbw_env *env, const dbw_project *p, int skip,
                             const char *reason, const char *command_line, dbw_backup **out,
                             dbw_error *err)
{
	dbw_error inner = DBW_ERROR_INIT;
	dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
	int rc;

	if (out)
		*out = NULL;
	if (!env->is_protected)
		return 0;
	if (skip) {
		if (!reason || !*reason) {
			dbw_error_set(err, DBW_EPOLICY, "--skip-backup on %s needs --reason",
			              env->name);
			dbw_error_hint(err, "Say why, e.g. --reason \"backup taken by the "
			                    "provider at 04:00\"; the reason is audited.");
			return DBW_EPOLICY;
		}
		e.environment = env->name;
		e.operation = "skip-backup";
		e.database = dbw_conn_database(c);
		e.command_line = command_line;
		e.outcome = "allowed";
		e.detail = reason;
		return dbw_audit_record(c, p, &e, err);
	}
	rc = dbw_backup_take(c, env, p, NULL, out, &inner);
	if (rc == 0)
		return 0;
	dbw_error_set(err, DBW_EPOLICY, "cannot deploy to %s without a verified backup", env->name);
	dbw_error_detail(err, "The backup failed: %s.%s%s", inner.message ? inner.message : "",
	                 inner.detail ? " " : "", inner.detail ? inner.detail : "");
	if (inner.hint)
		dbw_error_hint(err, "%s", inner.hint);
	else
		dbw_error_hint(err, "Fix the backup, or pass --skip-backup --reason \"...\" "
		                    "(audited).");
	dbw_error_clear(&inner);
	e.environment = env->name;
	e.operation = "deploy";
	e.database = dbw_conn_database(c);
	e.command_line = command_line;
	e.outcome = "refused";
	e.detail = err ? err->message : "no verified backup";
	dbw_audit_record(c, p, &e, NULL);
	return DBW_EPOLICY;
}
