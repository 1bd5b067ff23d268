/*
 * tools.h - what the driver layer offers other layers beyond dbw_conn, for
 * work done next to a database rather than through a session: handing a
 * PostgreSQL connection to pg_dump / pg_restore without a password on their
 * command line, and SQLite's online backup API (internal).
 */
#ifndef DBW_DRIVER_TOOLS_H
#define DBW_DRIVER_TOOLS_H

#include <dbward/db.h>
#include "util/util.h"

/*
 * The connection parameters of a PostgreSQL URL (URI or key=value), parsed
 * by libpq's own PQconninfoParse, as "PGHOST=..." environment assignments
 * (each keyword's libpq environment variable), appended to env_out.
 * PGPASSWORD is among them when the URL holds a password: the child gets it
 * through its environment, never its argv. 0; DBW_ECONFIG; DBW_ENOMEM.
 */
int dbw_pg__conninfo_env(const char *url, dbw_strv *env_out, dbw_error *err);

/* One keyword's value in a PostgreSQL URL ("host", "port", "dbname", ...);
 * *value_out NULL when the URL does not set it. 0; DBW_ECONFIG; DBW_ENOMEM. */
int dbw_pg__conninfo_value(const char *url, const char *keyword, char **value_out, dbw_error *err);

/* Copy the SQLite database file src_path into dst_path (created or
 * overwritten) with the online backup API, retrying while the source is
 * busy. 0; DBW_EIO. */
int dbw_sqlite__backup_file(const char *src_path, const char *dst_path, dbw_error *err);

/* PRAGMA integrity_check on the file at path (opened read-only): 0 when it
 * answers "ok"; DBW_EIO with the first complaint as detail otherwise. */
int dbw_sqlite__integrity_check(const char *path, dbw_error *err);

#endif
