/*
 * data_int.h - helpers shared inside the data layer (internal).
 */
#ifndef DBW_DATA_INT_H
#define DBW_DATA_INT_H

#include <dbward/data.h>

/* Advisory lock key that serialises seed runs on one PostgreSQL database ("dbwseeds"). */
#define DBW_SEED_LOCK_KEY 0x6462777365656473LL

/* Tables that truncate and the seed bookkeeping never empty. NULL-terminated. */
extern const char *const dbw_data__kept_tables[];

/* 1 when name is one of dbw_data__kept_tables. */
int dbw_data__is_kept(const char *name);

/*
 * Run a script statement by statement on c (the caller holds the
 * transaction). On failure err->where is rel_path:line:col of the failing
 * statement, mapped from the server's error offset when it gives one.
 * DBW_EINPUT for statements that cannot run inside the caller's transaction.
 */
int dbw_data__exec_script(dbw_conn *c, const char *rel_path, const char *text, size_t len,
                          dbw_error *err);

/* Single-value query helper: *out is a copy of row 0 col 0 (NULL for no row / NULL). */
int dbw_data__query_value(dbw_conn *c, const char *sql, size_t nparams, const char *const *params,
                          char **out, dbw_error *err);

/*
 * The database a PostgreSQL URL (URI or key=value) names, with libpq's
 * defaults when it names none (PGDATABASE, else the URL's user, PGUSER, the
 * login name). Caller frees; NULL on ENOMEM.
 */
char *dbw_data__pg_target_name(const char *url);

/* The same URL naming database maint instead (setup's maintenance
 * connection). Caller frees; NULL on ENOMEM. */
char *dbw_data__pg_with_database(const char *url, const char *maint);

#endif
