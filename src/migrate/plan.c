/*
 * plan.c - how each migration must run. The engine's own parser (through
 * dbw_sql_split) finds the statements PostgreSQL refuses inside a
 * transaction block, scripts that manage their own transactions, and
 * ALTER TYPE ... ADD VALUE, whose new value "cannot be used until after the
 * transaction has been committed" (PostgreSQL docs, ALTER TYPE, Notes).
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/deploy.h"
#include "util/util.h"

const char *dbw_txn_mode_name(dbw_txn_mode m)
{
	switch (m) {
	case DBW_TXN_SINGLE:
		return "transaction";
	case DBW_TXN_SPLIT:
		return "split-transaction";
	case DBW_TXN_NONE:
		return "no-transaction";
	case DBW_TXN_SCRIPT:
		return "script-transactions";
	}
	return "unknown";
}

void dbw_plan__step_free(dbw_deploy_step *step)
{
	free(step->reason);
	free(step->stmts);
	step->reason = NULL;
	step->stmts = NULL;
	step->n_stmts = 0;
}

static char *excerpt(const dbw_migration *m, const dbw_stmt *st)
{
	size_t n = st->length < 60 ? st->length : 60;
	char *s = dbw_strndup(m->content + st->offset, n);
	for (char *p = s; p && *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	return s;
}

static char *reason_at(const dbw_migration *m, const dbw_stmt *st, const char *why)
{
	int line, col;
	char *ex = excerpt(m, st), *r;
	dbw_migration_position(m, st->offset, &line, &col);
	r = dbw_sprintf("%s:%d: \"%s%s\" %s", m->rel_path, line, ex ? ex : "",
	                st->length > 60 ? "..." : "", why);
	free(ex);
	return r;
}

int dbw_plan__step(dbw_db_kind kind, const dbw_migration *m, dbw_deploy_step *step, dbw_error *err)
{
	dbw_stmt *all = NULL;
	size_t n = 0, kept = 0;
	dbw_error parse_err = DBW_ERROR_INIT;
	int rc;

	memset(step, 0, sizeof(*step));
	step->migration = m;
	rc = dbw_sql_split(kind, m->content + m->up_offset, m->up_len, &all, &n, &parse_err);
	dbw_error_clear(&parse_err); /* the server has the last word on syntax */
	if (rc < 0)
		return dbw_error_set(err, rc, "could not split migration \"%s\" into statements",
		                     m->rel_path);
	for (size_t i = 0; i < n; i++) {
		if (all[i].flags & DBW_STMT_EMPTY)
			continue;
		all[i].offset += m->up_offset;
		all[kept++] = all[i];
	}
	step->stmts = all;
	step->n_stmts = kept;
	step->mode = DBW_TXN_SINGLE;

	if (m->no_transaction) {
		step->mode = DBW_TXN_NONE;
		step->reason = dbw_sprintf("%s: marked \"-- dbward:no-transaction\"", m->rel_path);
		return 0;
	}
	for (size_t i = 0; i < kept; i++) {
		if (all[i].flags & DBW_STMT_NO_TXN) {
			step->mode = DBW_TXN_NONE;
			step->reason =
			    reason_at(m, &all[i], "cannot run inside a transaction block");
			return 0;
		}
	}
	for (size_t i = 0; i < kept; i++) {
		if (all[i].flags & DBW_STMT_TXN_CONTROL) {
			step->mode = DBW_TXN_SCRIPT;
			step->reason = reason_at(m, &all[i], "controls transactions itself");
			return 0;
		}
	}
	for (size_t i = 0; i + 1 < kept; i++) {
		if ((all[i].flags & DBW_STMT_ENUM_ADD) && !(all[i + 1].flags & DBW_STMT_ENUM_ADD)) {
			step->mode = DBW_TXN_SPLIT;
			step->reason = reason_at(m, &all[i],
			                         "adds an enum value, usable only after commit: "
			                         "committed before the statements that follow");
			return 0;
		}
	}
	return 0;
}
