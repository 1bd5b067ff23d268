/*
 * backup.c - verified backups (issue 3 "Backups"): take one with the
 * engine's own tool (pg_dump -Fc of the server's major version, SQLite's
 * online backup API), verify it (pg_restore --list, PRAGMA
 * integrity_check), record its SHA-256 in a manifest beside it, and only
 * then let retention remove the oldest. Manifests and listing live here;
 * restoring lives in restore.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include <dbward/backup.h>
#include "driver/tools.h"
#include "policy/backup_internal.h"
#include "policy/policy_internal.h"

void dbw_backup_free(dbw_backup *b)
{
	if (!b)
		return;
	free(b->path);
	free(b->manifest_path);
	free(b->environment);
	free(b->database);
	free(b->engine);
	free(b->created_at);
	free(b->migration_version);
	free(b->verify_method);
	free(b);
}

void dbw_backup_list_free(dbw_backup_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		dbw_backup_free(l->items[i]);
	free(l->items);
	free(l);
}

char *dbw_backup_dir(const dbw_env *env, const dbw_project *p, const char *opts_dir)
{
	if (opts_dir)
		return dbw_path_absolute(opts_dir);
	if (env->backup_dir)
		return dbw_strdup(env->backup_dir);
	return dbw_sprintf("%s/backups/%s", p ? dbw_project_root(p) : ".", env->name);
}

int dbw_backup__pg_tool(const dbw_env *env, const char *opt_bindir, int server_version,
                        const char *tool, char **path_out, dbw_error *err)
{
	int major = server_version / 10000, status = -1, rc, found_major = 0;
	const char *bindir = opt_bindir ? opt_bindir : dbw_env_setting(env, "pg_bindir");
	char *path, *out_text = NULL, *ver_file = NULL, *argv[3];
	char tmpl[] = "/tmp/dbward-version-XXXXXX";
	int fd;

	*path_out = NULL;
	path = bindir ? dbw_sprintf("%s/%s", bindir, tool)
	              : dbw_sprintf("/usr/lib/postgresql/%d/bin/%s", major, tool);
	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (access(path, X_OK) != 0) {
		rc = dbw_error_set(err, DBW_EIO, "%s for PostgreSQL %d not found", tool, major);
		dbw_error_detail(err,
		                 "Looked for \"%s\"; a backup must be taken with the server's "
		                 "major version.",
		                 path);
		dbw_error_hint(err,
		               "Install the Debian package postgresql-client-%d "
		               "(apt-get install postgresql-client-%d), or set pg_bindir in "
		               "[env.%s].",
		               major, major, env->name);
		goto done;
	}
	/* Ask the tool itself: a pg_bindir may hold another major than its name says. */
	fd = mkstemp(tmpl);
	if (fd < 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not create a temporary file: %s",
		                   strerror(errno));
		goto done;
	}
	close(fd);
	ver_file = tmpl;
	argv[0] = path;
	argv[1] = "--version";
	argv[2] = NULL;
	if ((rc = dbw_proc__run(argv, NULL, ver_file, &status, NULL, err)) < 0)
		goto done;
	if ((rc = dbw_file_read(ver_file, &out_text, NULL, err)) < 0)
		goto done;
	{
		const char *v = strstr(out_text, "(PostgreSQL) ");
		found_major = v ? atoi(v + strlen("(PostgreSQL) ")) : 0;
	}
	if (status != 0 || found_major != major) {
		rc = dbw_error_set(err, DBW_EIO, "%s at \"%s\" is not for PostgreSQL %d", tool,
		                   path, major);
		dbw_error_detail(err, "It reports \"%s\"; the server is PostgreSQL %d.",
		                 dbw_str_trim(out_text), major);
		dbw_error_hint(err,
		               "Install the Debian package postgresql-client-%d, or point "
		               "pg_bindir in [env.%s] at its bin folder.",
		               major, env->name);
		goto done;
	}
	*path_out = path;
	path = NULL;
done:
	if (ver_file)
		unlink(ver_file);
	free(out_text);
	free(path);
	return rc;
}

int dbw_backup__pg_env(const dbw_env *env, const dbw_conn *c, dbw_strv *out, dbw_error *err)
{
	const char *url = env->migration_url ? env->migration_url : env->url;
	char *db;
	int rc = dbw_pg__conninfo_env(url, out, err);
	if (rc < 0)
		return rc;
	/* Whatever the URL said, the tool must reach the database we checked. */
	db = dbw_sprintf("PGDATABASE=%s", dbw_conn_database(c));
	if (!db || dbw_strv_take(out, db) < 0)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}

int dbw_backup__sqlite_file(dbw_conn *c, char **path_out, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	*path_out = NULL;
	rc = dbw_conn_query(c, "PRAGMA database_list", 0, NULL, &r, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r); i++)
		if (strcmp(dbw_result_value(r, i, 1), "main") == 0 && dbw_result_value(r, i, 2) &&
		    *dbw_result_value(r, i, 2))
			*path_out = dbw_strdup(dbw_result_value(r, i, 2));
	dbw_result_free(r);
	if (!*path_out)
		return dbw_error_set(err, DBW_EUSAGE, "an in-memory SQLite database has no backup");
	return 0;
}

/* Versions are digit runs (timestamps, 0001): a longer run is newer. */
static int version_newer(const char *a, const char *b)
{
	size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
	if (la != lb && la && lb)
		return la > lb;
	return strcmp(a, b) > 0;
}

/* The newest applied migration, read from whichever history table exists;
 * NULL when there is none. Best effort: a backup does not fail for it. */
static char *migration_version(dbw_conn *c)
{
	static const char *const queries[][2] = {
	    {"dbward_migrations",
	     "SELECT version FROM dbward_migrations WHERE finished_at IS NOT NULL"},
	    {"_prisma_migrations",
	     "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL "
	     "AND rolled_back_at IS NULL"},
	};
	char *best = NULL;
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]) && !best; q++) {
		dbw_result *r = NULL;
		int exists = 0;
		if (dbw_conn_table_exists(c, queries[q][0], &exists, NULL) < 0 || !exists)
			continue;
		if (dbw_conn_query(c, queries[q][1], 0, NULL, &r, NULL) < 0)
			continue;
		for (size_t i = 0; i < dbw_result_rows(r); i++) {
			const char *v = dbw_result_value(r, i, 0);
			if (v && (!best || version_newer(v, best))) {
				free(best);
				best = dbw_strdup(v);
			}
		}
		dbw_result_free(r);
	}
	return best;
}

/* Prove the folder takes files before a long dump starts. */
static int check_dir(const char *dir, dbw_error *err)
{
	char *probe;
	FILE *f;
	int rc = dbw_mkdir_p(dir, 0700, err);
	if (rc < 0) {
		dbw_error_hint(err, "Make backup_dir writable, or point it at a folder that is.");
		return DBW_EIO;
	}
	probe = dbw_sprintf("%s/.dbward-write-test", dir);
	if (!probe)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	f = fopen(probe, "w");
	if (!f) {
		rc = dbw_error_set(err, DBW_EIO, "could not write to backup folder \"%s\": %s", dir,
		                   strerror(errno));
		dbw_error_hint(err, "Make backup_dir writable, or point it at a folder that is.");
	} else {
		fclose(f);
		unlink(probe);
	}
	free(probe);
	return rc;
}

static int write_manifest(const dbw_backup *b, dbw_error *err)
{
	json_t *o = json_object();
	char *text;
	int rc;
	json_object_set_new(o, "file", json_string(dbw_path_basename(b->path)));
	json_object_set_new(o, "environment", json_string(b->environment));
	json_object_set_new(o, "database", json_string(b->database));
	json_object_set_new(o, "engine", json_string(b->engine));
	json_object_set_new(o, "created_at", json_string(b->created_at));
	json_object_set_new(o, "created_ms", json_integer((json_int_t)b->created_ms));
	json_object_set_new(o, "size", json_integer((json_int_t)b->size));
	json_object_set_new(o, "migration_version",
	                    b->migration_version ? json_string(b->migration_version) : json_null());
	json_object_set_new(o, "sha256", json_string(b->sha256));
	json_object_set_new(o, "verified", json_boolean(b->verified));
	json_object_set_new(o, "verify_method", json_string(b->verify_method));
	json_object_set_new(o, "server_version", json_integer(b->server_version));
	json_object_set_new(o, "dbward_version", json_string(DBW_VERSION));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rc = dbw_file_write(b->manifest_path, text, strlen(text), 0600, err);
	free(text);
	return rc;
}

static int take_pg(dbw_conn *c, const dbw_env *env, const dbw_backup_options *opts, const char *tmp,
                   dbw_error *err)
{
	dbw_strv envv = DBW_STRV_INIT;
	char *dump = NULL, *restore = NULL, *stderr_text = NULL;
	char *argv[6];
	int status, rc;

	if ((rc = dbw_backup__pg_tool(env, opts->bindir, dbw_conn_server_version(c), "pg_dump",
	                              &dump, err)) < 0 ||
	    (rc = dbw_backup__pg_tool(env, opts->bindir, dbw_conn_server_version(c), "pg_restore",
	                              &restore, err)) < 0 ||
	    (rc = dbw_backup__pg_env(env, c, &envv, err)) < 0)
		goto done;
	argv[0] = dump;
	argv[1] = "--format=custom";
	argv[2] = "--file";
	argv[3] = (char *)tmp;
	argv[4] = NULL;
	if ((rc = dbw_proc__run(argv, &envv, NULL, &status, &stderr_text, err)) < 0)
		goto done;
	if (status != 0) {
		rc = dbw_error_set(err, DBW_EIO, "pg_dump of database \"%s\" failed",
		                   dbw_conn_database(c));
		dbw_error_detail(err, "pg_dump exited with status %d: %s", status,
		                 stderr_text && *stderr_text ? stderr_text : "(no message)");
		goto done;
	}
	free(stderr_text);
	stderr_text = NULL;
	argv[0] = restore;
	argv[1] = "--list";
	argv[2] = (char *)tmp;
	argv[3] = NULL;
	if ((rc = dbw_proc__run(argv, &envv, NULL, &status, &stderr_text, err)) < 0)
		goto done;
	if (status != 0) {
		rc = dbw_error_set(err, DBW_EIO, "backup of database \"%s\" failed verification",
		                   dbw_conn_database(c));
		dbw_error_detail(err, "pg_restore --list exited with status %d: %s", status,
		                 stderr_text && *stderr_text ? stderr_text : "(no message)");
	}
done:
	free(stderr_text);
	free(dump);
	free(restore);
	dbw_strv_free(&envv);
	return rc;
}

static int take_sqlite(dbw_conn *c, const char *tmp, dbw_error *err)
{
	char *src = NULL;
	int rc = dbw_backup__sqlite_file(c, &src, err);
	if (rc == 0)
		rc = dbw_sqlite__backup_file(src, tmp, err);
	if (rc == 0)
		rc = dbw_sqlite__integrity_check(tmp, err);
	free(src);
	return rc;
}

int dbw_backup_take(dbw_conn *c, const dbw_env *env, const dbw_project *p,
                    const dbw_backup_options *opts, dbw_backup **out, dbw_error *err)
{
	static const dbw_backup_options defaults = DBW_BACKUP_OPTIONS_INIT;
	dbw_backup *b = NULL;
	char *dir = NULL, *tmp = NULL, stamp[32];
	int pg = dbw_conn_kind(c) == DBW_DB_POSTGRES, rc;
	int64_t now = dbw_now_ms();
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	if (out)
		*out = NULL;
	if (!opts)
		opts = &defaults;
	dir = dbw_backup_dir(env, p, opts->dir);
	b = calloc(1, sizeof(*b));
	if (!dir || !b) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = check_dir(dir, err)) < 0)
		goto done;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	{
		/* app_prod.sqlite3 -> production-...-app_prod.sqlite3, not ...sqlite3.sqlite3 */
		const char *db = dbw_conn_database(c), *dot = strrchr(db, '.');
		int n = pg || !dot || dot == db ? (int)strlen(db) : (int)(dot - db);
		b->path = dbw_sprintf("%s/%s-%s%03dZ-%.*s.%s", dir, env->name, stamp,
		                      (int)(now % 1000), n, db, pg ? "dump" : "sqlite3");
	}
	tmp = b->path ? dbw_sprintf("%s.partial", b->path) : NULL;
	b->manifest_path = b->path ? dbw_sprintf("%s.json", b->path) : NULL;
	b->environment = dbw_strdup(env->name);
	b->database = dbw_strdup(dbw_conn_database(c));
	b->engine = dbw_strdup(pg ? "postgresql" : "sqlite");
	b->created_at = malloc(32);
	b->verify_method = dbw_strdup(pg ? "pg_restore --list" : "PRAGMA integrity_check");
	if (!tmp || !b->manifest_path || !b->environment || !b->database || !b->engine ||
	    !b->created_at || !b->verify_method) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	dbw_iso8601(now, b->created_at, 32);
	b->created_ms = now;
	b->server_version = dbw_conn_server_version(c);
	b->migration_version = migration_version(c);

	rc = pg ? take_pg(c, env, opts, tmp, err) : take_sqlite(c, tmp, err);
	if (rc < 0)
		goto done;
	b->verified = 1;
	chmod(tmp, 0600);
	if ((rc = dbw_file__sha256(tmp, b->sha256, &b->size, err)) < 0)
		goto done;
	if (rename(tmp, b->path) != 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not rename \"%s\": %s", tmp,
		                   strerror(errno));
		goto done;
	}
	if ((rc = write_manifest(b, err)) < 0) {
		unlink(b->path);
		goto done;
	}
	{
		long keep = opts->keep;
		const char *k = dbw_env_setting(env, "keep_backups");
		if (!keep && k)
			keep = strtol(k, NULL, 10);
		if (keep > 0)
			dbw_backup__prune(dir, env->name, keep, b->path);
	}
	if (out) {
		*out = b;
		b = NULL;
	}
done:
	if (tmp)
		unlink(tmp); /* a failed or unverified dump is never left to be mistaken for a
		                backup */
	dbw_backup_free(b);
	free(tmp);
	free(dir);
	return rc;
}
