/*
 * apply.c - running a migration's statements one by one, so that an error
 * points at the file, line and column where the database stopped.
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/deploy.h"
#include "util/util.h"

/* What an operator should try for errors whose SQLSTATE says enough. */
const char *dbw_apply__hint_for_sqlstate(const char *sqlstate)
{
	if (strcmp(sqlstate, "25006") == 0)
		return "The database is read-only (a standby, or default_transaction_read_only is "
		       "on): deploy to the primary.";
	if (strcmp(sqlstate, "42501") == 0)
		return "The role dbward connects as lacks a privilege this migration needs: grant "
		       "it, or deploy as the schema's owner.";
	if (strcmp(sqlstate, "55P03") == 0)
		return "Another session holds a lock this migration needs: find it in "
		       "pg_stat_activity, or raise lock_timeout for this environment.";
	if (strcmp(sqlstate, "55P04") == 0)
		return "Move the statements that use the new enum value into a later migration.";
	return NULL;
}

int dbw_apply__stmts(dbw_conn *c, const dbw_deploy_step *step, size_t from, size_t to,
                     dbw_error *err)
{
	const dbw_migration *m = step->migration;
	for (size_t i = from; i < to; i++) {
		const dbw_stmt *st = &step->stmts[i];
		char *sql = dbw_strndup(m->content + st->offset, st->length);
		int rc, line, col;
		size_t off;
		if (!sql)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		rc = dbw_conn_exec(c, sql, err);
		free(sql);
		if (rc == 0)
			continue;
		off = st->offset + (err && err->offset >= 0 && (size_t)err->offset <= st->length
		                        ? (size_t)err->offset
		                        : 0);
		dbw_migration_position(m, off, &line, &col);
		if (err) {
			dbw_error_where(err, "%s:%d:%d", m->rel_path, line, col);
			err->offset = (long)off;
		}
		return rc;
	}
	return 0;
}

void dbw_apply__explain_failure(dbw_error *err, const dbw_migration *m, int partial)
{
	char *msg, *hint;
	const char *state_hint = NULL;
	if (!err)
		return;
	msg = dbw_sprintf("migration \"%s\" failed: %s", m->id, err->message ? err->message : "");
	if (msg) {
		free(err->message);
		err->message = msg;
	}
	if (err->sqlstate[0])
		state_hint = dbw_apply__hint_for_sqlstate(err->sqlstate);
	hint = dbw_sprintf(
	    "%s%s%s", err->hint ? err->hint : (state_hint ? state_hint : ""),
	    err->hint || state_hint ? " " : "",
	    partial ? "It ran outside a transaction, so the database may hold part of it: "
	              "inspect it, then run 'dbward resolve --applied <version>' or "
	              "'dbward resolve --rolled-back <version>' before deploying again."
	            : "Nothing of it was applied (it ran in a transaction): fix the file and run "
	              "'dbward deploy' again.");
	if (hint) {
		free(err->hint);
		err->hint = hint;
	}
}

char *dbw_apply__failure_logs(const dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	dbw_buf_puts(&b, err->message ? err->message : "unknown error");
	if (err->sqlstate[0])
		dbw_buf_printf(&b, "\nSQLSTATE: %s", err->sqlstate);
	if (err->where)
		dbw_buf_printf(&b, "\nWHERE: %s", err->where);
	if (err->detail)
		dbw_buf_printf(&b, "\nDETAIL: %s", err->detail);
	if (err->hint)
		dbw_buf_printf(&b, "\nHINT: %s", err->hint);
	return dbw_buf_detach(&b);
}
