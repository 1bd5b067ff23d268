/*
 * stamp.c - the environment stamp inside each database (DESIGN.md
 * "Identity"): a one-row dbward_environment table saying which environment
 * the database belongs to, who stamped it and when. The same portable DDL
 * serves PostgreSQL and SQLite; the CHECK keeps it to one row.
 */
#include <stdlib.h>
#include <string.h>

#include <dbward/policy.h>
#include "util/util.h"

static const char create_sql[] = "CREATE TABLE IF NOT EXISTS dbward_environment ("
                                 " id integer PRIMARY KEY CHECK (id = 1),"
                                 " environment text NOT NULL,"
                                 " stamped_at text NOT NULL,"
                                 " stamped_by text NOT NULL,"
                                 " dbward_version text NOT NULL)";

void dbw_stamp_free(dbw_stamp *s)
{
	if (!s)
		return;
	free(s->environment);
	free(s->stamped_at);
	free(s->stamped_by);
	free(s->dbward_version);
	free(s);
}

int dbw_stamp_read(dbw_conn *c, dbw_stamp **out, dbw_error *err)
{
	dbw_result *r = NULL;
	dbw_stamp *s = NULL;
	int exists = 0, rc;

	*out = NULL;
	rc = dbw_conn_table_exists(c, "dbward_environment", &exists, err);
	if (rc < 0 || !exists)
		return rc;
	rc = dbw_conn_query(c,
	                    "SELECT environment, stamped_at, stamped_by, dbward_version "
	                    "FROM dbward_environment WHERE id = 1",
	                    0, NULL, &r, err);
	if (rc < 0)
		return rc;
	if (dbw_result_rows(r) == 0)
		goto done;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	s->environment = dbw_strdup(dbw_result_value(r, 0, 0));
	s->stamped_at = dbw_strdup(dbw_result_value(r, 0, 1));
	s->stamped_by = dbw_strdup(dbw_result_value(r, 0, 2));
	s->dbward_version = dbw_strdup(dbw_result_value(r, 0, 3));
	if (!s->environment || !s->stamped_at || !s->stamped_by || !s->dbward_version) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	*out = s;
	s = NULL;
done:
	dbw_stamp_free(s);
	dbw_result_free(r);
	return rc;
}

/* Concurrent first deploys may all try to create the table: on PostgreSQL
 * two CREATE TABLE IF NOT EXISTS can still collide in the catalog, so the
 * writers queue on a transaction-scoped advisory lock (released at commit
 * or rollback, never left behind). SQLite's BEGIN IMMEDIATE already queues. */
static int lock_writers(dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	if (dbw_conn_kind(c) != DBW_DB_POSTGRES)
		return 0;
	rc = dbw_conn_query(c, "SELECT pg_advisory_xact_lock(hashtext('dbward_environment'))", 0,
	                    NULL, &r, err);
	dbw_result_free(r);
	return rc;
}

/* Write the stamp; only_if_unstamped keeps an existing one. */
static int write_stamp(dbw_conn *c, const char *environment, const char *actor,
                       int only_if_unstamped, int *stamped_out, dbw_error *err)
{
	char at[32];
	char *me = NULL;
	const char *params[4];
	dbw_result *r = NULL, *have = NULL;
	int rc;

	if (stamped_out)
		*stamped_out = 0;
	if (!environment || !*environment)
		return dbw_error_set(err, DBW_EUSAGE, "no environment name to stamp");
	if (!actor) {
		me = dbw_actor();
		if (!me)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		actor = me;
	}
	dbw_iso8601(dbw_now_ms(), at, sizeof(at));
	params[0] = environment;
	params[1] = at;
	params[2] = actor;
	params[3] = DBW_VERSION;

	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		goto done;
	rc = lock_writers(c, err);
	if (rc == 0)
		rc = dbw_conn_exec(c, create_sql, err);
	if (rc == 0 && only_if_unstamped) {
		rc = dbw_conn_query(c, "SELECT 1 FROM dbward_environment", 0, NULL, &have, err);
		if (rc == 0 && dbw_result_rows(have) > 0)
			goto commit;
	}
	if (rc == 0)
		rc = dbw_conn_exec(c, "DELETE FROM dbward_environment", err);
	if (rc == 0)
		rc = dbw_conn_query(c,
		                    "INSERT INTO dbward_environment (id, environment, stamped_at, "
		                    "stamped_by, dbward_version) VALUES (1, $1, $2, $3, $4)",
		                    4, params, &r, err);
	if (rc == 0 && stamped_out)
		*stamped_out = 1;
commit:
	if (rc == 0)
		rc = dbw_conn_commit(c, err);
	if (rc < 0) {
		dbw_conn_rollback(c, NULL);
		if (stamped_out)
			*stamped_out = 0;
	}
done:
	dbw_result_free(have);
	dbw_result_free(r);
	free(me);
	return rc;
}

int dbw_stamp_write(dbw_conn *c, const char *environment, const char *actor, dbw_error *err)
{
	return write_stamp(c, environment, actor, 0, NULL, err);
}

int dbw_stamp_ensure(dbw_conn *c, const char *environment, const char *actor, int *stamped_out,
                     dbw_error *err)
{
	return write_stamp(c, environment, actor, 1, stamped_out, err);
}
