/*
 * resolve.c - settling a failed migration by hand, as `prisma migrate
 * resolve` does: --applied when the operator completed it, --rolled-back
 * when they undid it (the next deploy then runs it again).
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/history.h"
#include "util/util.h"

int dbw_resolve(dbw_conn *c, const dbw_migration_set *set, const char *version, int applied,
                dbw_error *err)
{
	const dbw_migration *m = dbw_migrations_find(set, version);
	int prisma = dbw_history__is_prisma(set), rc;
	dbw_history h;
	const dbw_hrow *row;
	char *actor;

	if (!m) {
		dbw_error_set(err, DBW_ENOTFOUND, "no migration \"%s\" in the folder", version);
		dbw_error_hint(err, "Run 'dbward status' to list the versions.");
		return DBW_ENOTFOUND;
	}
	rc = dbw_history__load(c, prisma, &h, err);
	if (rc < 0)
		return rc;
	row = dbw_history__find(&h, m->id);
	if (!row || row->state != DBW_H_FAILED) {
		const char *what = !row                          ? "has never been attempted"
		                   : row->state == DBW_H_APPLIED ? "is applied"
		                                                 : "was rolled back already";
		dbw_error_set(err, DBW_ENOTFOUND, "migration \"%s\" is not in a failed state",
		              m->id);
		dbw_error_detail(err, "The history table says it %s.", what);
		dbw_error_hint(err, "resolve settles migrations that failed outside a transaction; "
		                    "'dbward status' shows which ones need it.");
		dbw_history__free(&h);
		return DBW_ENOTFOUND;
	}
	dbw_history__free(&h);
	actor = dbw_actor();
	rc = dbw_conn_begin(c, err);
	if (rc == 0)
		rc = dbw_history__settle(c, prisma, m, applied, actor, err);
	if (rc == 0)
		rc = dbw_conn_commit(c, err);
	else
		dbw_conn_rollback(c, NULL);
	free(actor);
	return rc;
}
