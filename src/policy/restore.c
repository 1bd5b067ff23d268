/*
 * restore.c - putting a verified backup back (issue 3 "Backups"): the file
 * must still match the SHA-256 its manifest recorded, then pg_restore (in
 * one transaction, stopping at the first error) or SQLite's backup API
 * writes it into the connected database. Policy (restore into a protected
 * environment only with the typed name) is dbw_guard's, before this runs.
 */
#include <stdlib.h>
#include <string.h>

#include <dbward/policy.h>
#include "driver/tools.h"
#include "policy/backup_internal.h"
#include "policy/policy_internal.h"

static int check_file(const dbw_backup *b, dbw_conn *c, dbw_error *err)
{
	char sha[65];
	int rc;
	if (!b->verified)
		return dbw_error_set(err, DBW_EINPUT, "backup \"%s\" was never verified", b->path);
	if (strcmp(b->engine, dbw_conn_kind(c) == DBW_DB_POSTGRES ? "postgresql" : "sqlite") != 0) {
		dbw_error_set(err, DBW_EUSAGE, "backup \"%s\" is a %s backup", b->path, b->engine);
		dbw_error_hint(err, "Restore it into a %s database.", b->engine);
		return DBW_EUSAGE;
	}
	if ((rc = dbw_file__sha256(b->path, sha, NULL, err)) < 0)
		return rc;
	if (strcmp(sha, b->sha256) != 0) {
		dbw_error_set(err, DBW_EINPUT, "backup \"%s\" does not match its checksum",
		              b->path);
		dbw_error_detail(err, "The manifest records SHA-256 %s; the file now hashes to %s.",
		                 b->sha256, sha);
		dbw_error_hint(err,
		               "The file changed after it was verified; restore another backup.");
		return DBW_EINPUT;
	}
	return 0;
}

static int restore_pg(dbw_conn *c, const dbw_env *env, const dbw_backup *b,
                      const dbw_backup_options *opts, dbw_error *err)
{
	dbw_strv envv = DBW_STRV_INIT;
	char *tool = NULL, *stderr_text = NULL;
	char *argv[12];
	int status, rc, n = 0;

	if ((rc = dbw_backup__pg_tool(env, opts->bindir, dbw_conn_server_version(c), "pg_restore",
	                              &tool, err)) < 0 ||
	    (rc = dbw_backup__pg_env(env, c, &envv, err)) < 0)
		goto done;
	argv[n++] = tool;
	argv[n++] = "--clean";
	argv[n++] = "--if-exists";
	argv[n++] = "--no-owner";
	argv[n++] = "--no-privileges";
	argv[n++] = "--single-transaction";
	argv[n++] = "--exit-on-error";
	argv[n++] = "--dbname";
	argv[n++] = (char *)dbw_conn_database(c);
	argv[n++] = b->path;
	argv[n] = NULL;
	if ((rc = dbw_proc__run(argv, &envv, NULL, &status, &stderr_text, err)) < 0)
		goto done;
	if (status != 0) {
		rc = dbw_error_set(err, DBW_EIO, "pg_restore into database \"%s\" failed",
		                   dbw_conn_database(c));
		dbw_error_detail(err, "pg_restore exited with status %d: %s", status,
		                 stderr_text && *stderr_text ? stderr_text : "(no message)");
		dbw_error_hint(err, "Nothing was changed: the restore runs in one transaction.");
	}
done:
	free(stderr_text);
	free(tool);
	dbw_strv_free(&envv);
	return rc;
}

int dbw_backup_restore(dbw_conn *c, const dbw_env *env, const char *path,
                       const dbw_backup_options *opts, dbw_error *err)
{
	static const dbw_backup_options defaults = DBW_BACKUP_OPTIONS_INIT;
	dbw_backup *b = NULL;
	char *live = NULL;
	int rc;

	if (!opts)
		opts = &defaults;
	if ((rc = dbw_backup_load(path, &b, err)) < 0)
		return rc;
	if ((rc = check_file(b, c, err)) < 0)
		goto done;
	if (dbw_conn_kind(c) == DBW_DB_POSTGRES) {
		rc = restore_pg(c, env, b, opts, err);
	} else if ((rc = dbw_backup__sqlite_file(c, &live, err)) == 0) {
		rc = dbw_sqlite__backup_file(b->path, live, err);
	}
	/* The backup brought its source's stamp (production's, for a copy into
	 * staging); the database still belongs to the environment it was
	 * restored into, or every later command there would be refused. */
	if (rc == 0)
		rc = dbw_stamp_write(c, env->name, NULL, err);
done:
	free(live);
	dbw_backup_free(b);
	return rc;
}
