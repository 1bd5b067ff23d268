/*
 * backup_internal.h - what backup.c, backup_list.c and restore.c share (internal).
 */
#ifndef DBW_BACKUP_INTERNAL_H
#define DBW_BACKUP_INTERNAL_H

#include <dbward/backup.h>
#include "util/util.h"

/* The PostgreSQL tool (pg_dump, pg_restore) of the server's major version:
 * bindir, else [env] pg_bindir, else /usr/lib/postgresql/<major>/bin; its
 * --version must name that major. *path_out caller-owned. 0; DBW_EIO. */
int dbw_backup__pg_tool(const dbw_env *env, const char *bindir, int server_version,
                        const char *tool, char **path_out, dbw_error *err);

/* Environment for the PostgreSQL tools: env's (migration) URL as PG*
 * variables, PGDATABASE the live database of c. */
int dbw_backup__pg_env(const dbw_env *env, const dbw_conn *c, dbw_strv *out, dbw_error *err);

/* The main file of a SQLite connection. */
int dbw_backup__sqlite_file(dbw_conn *c, char **path_out, dbw_error *err);

/* Remove the oldest verified backups of environment in dir beyond keep,
 * never `newest` (the one just taken). Best effort. */
void dbw_backup__prune(const char *dir, const char *environment, long keep, const char *newest);

#endif
