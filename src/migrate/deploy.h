/*
 * deploy.h - planning and applying single migrations (internal to migrate/).
 */
#ifndef DBW_MIGRATE_DEPLOY_H
#define DBW_MIGRATE_DEPLOY_H

#include <dbward/migrate.h>
#include "migrate/history.h"

/* The advisory lock key of deploy, rollback and baseline: "dbward" in
 * ASCII, recognisable in pg_locks and unlikely to collide with an
 * application's keys. */
#define DBW_DEPLOY_LOCK_KEY 0x646277617264LL

/* Refuse work over a history that does not match the folder: a failed
 * migration that needs resolve, a modified one, a missing one. */
int dbw_deploy__check_history(const dbw_status *s, dbw_error *err);

/* Split m's up SQL with the engine's parser and choose how it must run.
 * step->stmts offsets index m->content. */
int dbw_plan__step(dbw_db_kind kind, const dbw_migration *m, dbw_deploy_step *step, dbw_error *err);
void dbw_plan__step_free(dbw_deploy_step *step);

/* Run statements [from, to) of step, mapping any error to file:line:col. */
int dbw_apply__stmts(dbw_conn *c, const dbw_deploy_step *step, size_t from, size_t to,
                     dbw_error *err);

/* Reword a failed migration's error: names the migration, keeps the
 * database's detail and hint, adds what to do next. */
void dbw_apply__explain_failure(dbw_error *err, const dbw_migration *m, int partial);

/* A hint for SQLSTATEs that say enough by themselves, or NULL. */
const char *dbw_apply__hint_for_sqlstate(const char *sqlstate);

/* The failure as one text for the history table's logs. Caller frees. */
char *dbw_apply__failure_logs(const dbw_error *err);

#endif
