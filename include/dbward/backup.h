/*
 * dbward/backup.h - verified backups and restores (issue 3, "Backups").
 *
 * PostgreSQL: `pg_dump -Fc` of the server's major version (Debian keeps one
 * per major in /usr/lib/postgresql/<major>/bin), verified by `pg_restore
 * --list`. SQLite: the online backup API, verified by PRAGMA
 * integrity_check. Each backup FILE gets a manifest FILE.json beside it
 * (environment, time, size, migration version, SHA-256, verified), written
 * only after verification succeeded. The connection is handed to pg_dump
 * through its environment (PGPASSWORD, ...), never on its command line.
 */
#ifndef DBWARD_BACKUP_H
#define DBWARD_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "config.h"
#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One backup as its manifest records it. Strings owned by the record. */
typedef struct dbw_backup {
	char *path;          /**< absolute path of the backup file */
	char *manifest_path; /**< path + ".json" */
	char *environment;
	char *database;   /**< the live database name at the time */
	char *engine;     /**< "postgresql" or "sqlite" */
	char *created_at; /**< ISO 8601 UTC */
	int64_t created_ms;
	long long size;          /**< bytes */
	char *migration_version; /**< newest applied migration at the time, or NULL */
	char sha256[65];         /**< hex SHA-256 of the file */
	int verified;            /**< 1: pg_restore --list / integrity_check passed */
	char *verify_method;     /**< "pg_restore --list" or "PRAGMA integrity_check" */
	int server_version;      /**< dbw_conn_server_version at the time */
} dbw_backup;

typedef struct dbw_backup_options {
	const char *dir;    /**< folder; NULL: env->backup_dir, else <root>/backups/<env> */
	const char *bindir; /**< folder holding pg_dump / pg_restore; NULL: [env] pg_bindir, else
	                       /usr/lib/postgresql/<major>/bin */
	long keep; /**< keep this many verified backups of env; 0: [env] keep_backups, else all */
} dbw_backup_options;

#define DBW_BACKUP_OPTIONS_INIT                                                                    \
	{                                                                                          \
		NULL, NULL, 0                                                                      \
	}

/**
 * Take a backup of the database behind c, verify it, record its manifest,
 * then apply retention (the oldest verified backups of env beyond `keep`
 * are removed, file and manifest). A backup that fails verification is
 * removed and nothing else is touched. *out (may be NULL) caller-owned.
 * @param p the project (default folder); may be NULL when opts->dir is set.
 * @return 0; DBW_EIO when the folder cannot be written, pg_dump is missing,
 *         of another major version than the server (hint: the Debian
 *         package postgresql-client-<major>) or fails (detail: its
 *         stderr), or verification fails; DBW_ESQL.
 */
int dbw_backup_take(dbw_conn *c, const dbw_env *env, const dbw_project *p,
                    const dbw_backup_options *opts, dbw_backup **out, dbw_error *err);

/** Free a backup record; NULL is accepted. */
void dbw_backup_free(dbw_backup *b);

/** The backups in a folder, newest first. */
typedef struct dbw_backup_list {
	dbw_backup **items;
	size_t count;
} dbw_backup_list;

/**
 * List the backups whose manifests lie in dir (environment NULL: all;
 * else only that environment's). A missing folder is an empty list.
 * @return 0; DBW_EIO. *out caller-owned.
 */
int dbw_backup_list_dir(const char *dir, const char *environment, dbw_backup_list **out,
                        dbw_error *err);
void dbw_backup_list_free(dbw_backup_list *l);

/**
 * The folder backups of env go to: opts_dir, else env->backup_dir, else
 * <root>/backups/<env name>. Caller frees; NULL on ENOMEM.
 */
char *dbw_backup_dir(const dbw_env *env, const dbw_project *p, const char *opts_dir);

/**
 * Read one manifest (path of the backup file or of its .json).
 * @return 0; DBW_ENOTFOUND when there is no manifest; DBW_EINPUT when it is
 *         malformed. *out caller-owned.
 */
int dbw_backup_load(const char *path, dbw_backup **out, dbw_error *err);

/**
 * Restore a verified backup into the database behind c (which the caller
 * has already passed through dbw_guard with operation "restore"). The
 * file's SHA-256 must still match its manifest, and its engine the
 * connection's. PostgreSQL: pg_restore --clean --if-exists --no-owner
 * --single-transaction --exit-on-error; SQLite: the online backup API
 * copies the file over the live database. Then the database is stamped
 * with env (the backup carried its source's stamp).
 * @return 0; DBW_ENOTFOUND; DBW_EINPUT for a checksum mismatch or an
 *         unverified backup; DBW_EUSAGE for an engine mismatch; DBW_EIO
 *         when pg_restore fails (detail: its stderr).
 */
int dbw_backup_restore(dbw_conn *c, const dbw_env *env, const char *path,
                       const dbw_backup_options *opts, dbw_error *err);

/**
 * What a deploy needs before it runs (issue 3: "deploy to a protected
 * environment first takes and verifies a backup and stops if that fails").
 * Non-protected env: nothing. Protected: dbw_backup_take with default
 * options, or, when skip is set, no backup and an audit record of the
 * reason. *out (may be NULL) receives the backup taken (caller frees), or
 * NULL.
 * @return 0; DBW_EPOLICY when the backup could not be taken or verified
 *         (detail: why; the deploy must not run) or skip comes without a
 *         reason; DBW_ENOMEM.
 */
int dbw_backup_before_deploy(dbw_conn *c, const dbw_env *env, const dbw_project *p, int skip,
                             const char *reason, const char *command_line, dbw_backup **out,
                             dbw_error *err);

#ifdef __cplusplus
}
#endif
#endif
