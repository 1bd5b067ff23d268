/*
 * dbward/migrate.h - migration folders, the history table, status and deploy.
 *
 * Folders (DESIGN.md "Migration folders"), auto-detected:
 *   dbward          <version>_<name>.sql with "-- migrate:up" / "-- migrate:down"
 *   prisma          <version>_<name>/migration.sql (+ migration_lock.toml)
 *   dbmate          <version>_<name>.sql with "-- migrate:up" / "-- migrate:down"
 *   golang-migrate  <version>_<name>.up.sql / .down.sql
 *   flyway          V<version>__<name>.sql (version parts split on '.' or '_')
 * dbward and dbmate files share one layout; a folder is "dbward" unless
 * format = dbmate says otherwise (the history table is the only difference).
 *
 * History: Prisma folders keep theirs in Prisma's own _prisma_migrations
 * table with Prisma's columns and checksum, so `prisma migrate status` and
 * `dbward status` agree; every other format uses dbward_migrations.
 */
#ifndef DBWARD_MIGRATE_H
#define DBWARD_MIGRATE_H

#include <stddef.h>
#include "error.h"
#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dbw_format {
	DBW_FORMAT_AUTO = 0,
	DBW_FORMAT_DBWARD,
	DBW_FORMAT_PRISMA,
	DBW_FORMAT_DBMATE,
	DBW_FORMAT_GOLANG_MIGRATE,
	DBW_FORMAT_FLYWAY
} dbw_format;

/** "dbward", "prisma", ... ; "auto" for DBW_FORMAT_AUTO. */
const char *dbw_format_name(dbw_format f);
/** Parse a format name; @return 0 or DBW_ECONFIG (hint lists the names). */
int dbw_format_parse(const char *name, dbw_format *out, dbw_error *err);

/** One migration as read from the folder. All strings owned by the set. */
typedef struct dbw_migration {
	char *version;   /**< as written in the file name ("20230404095503", "1_1", "0003") */
	char *name;      /**< the descriptive part ("initial_migration") */
	char *id;        /**< the history key: Prisma's folder name, else the version */
	char *path;      /**< absolute path of the file holding the up SQL */
	char *rel_path;  /**< the same, relative to the project root, for messages */
	char *down_path; /**< golang-migrate's .down.sql, or NULL */
	char *content;   /**< the whole up file (NUL-terminated), for line mapping */
	size_t content_len;
	size_t up_offset; /**< the up SQL is content[up_offset, up_offset + up_len) */
	size_t up_len;
	char *down_sql;     /**< down SQL (NUL-terminated) or NULL when there is none */
	size_t down_offset; /**< offset of down_sql within its file (content, or down_path's) */
	char checksum[65];  /**< hex SHA-256 of the up file's bytes (Prisma: of migration.sql,
	                       Prisma's rule) */
	int no_transaction; /**< "-- dbward:no-transaction" (or dbmate's "transaction:false") was
	                       written */
} dbw_migration;

typedef struct dbw_migration_set {
	dbw_format format;    /**< detected or configured */
	char *dir;            /**< absolute folder */
	dbw_migration *items; /**< sorted by dbw_version_cmp */
	size_t count;
} dbw_migration_set;

/**
 * Read a migrations folder. format DBW_FORMAT_AUTO detects it. root is the
 * project root, for rel_path (NULL: paths relative to dir).
 * @return 0; DBW_ENOTFOUND when dir does not exist (hint: dbward init / new);
 *         DBW_EINPUT for a folder that cannot be trusted, naming the file:
 *         two migrations with one version, an empty (0-byte) file, a file
 *         that is not UTF-8 or is binary, an unreadable file, a file name
 *         that fits no format; DBW_ECONFIG when the format is ambiguous.
 */
int dbw_migrations_load(dbw_migration_set **out, const char *dir, const char *root,
                        dbw_format format, dbw_error *err);

/** Free a set; NULL is accepted. */
void dbw_migrations_free(dbw_migration_set *s);

/** Find a migration by version or id; NULL when absent. */
const dbw_migration *dbw_migrations_find(const dbw_migration_set *s, const char *version);

/**
 * Order two versions: digit runs compare as numbers, '.' and '_' separate
 * parts (Flyway's 1_1 < 1_2 < 1_10), otherwise byte order. <0, 0, >0.
 */
int dbw_version_cmp(const char *a, const char *b);

/** Map a byte offset of m->content to a 1-based line and column. */
void dbw_migration_position(const dbw_migration *m, size_t offset, int *line_out, int *col_out);

/**
 * Does a checksum recorded in a history table match m's file? Exact for
 * dbward's history. For Prisma folders, Prisma's own comparison
 * (prisma-engines checksum.rs script_matches_checksum): the file as is, with
 * CRLF turned into LF, or with LF turned into CRLF, each also in the
 * unpadded hex of old Prisma versions (prisma-engines issue 1887), so a
 * checkout with other line endings is not reported modified.
 * @return 1 on a match, 0 otherwise (also for NULL recorded or no memory).
 */
int dbw_migration_checksum_matches(const dbw_migration *m, dbw_format format, const char *recorded);

/* ---- history ---- */

typedef enum dbw_mstate {
	DBW_M_PENDING = 0, /**< in the folder, not applied */
	DBW_M_APPLIED,     /**< applied and the file still matches its checksum */
	DBW_M_COSMETIC,    /**< applied; the file changed only in whitespace or comments */
	DBW_M_MODIFIED,    /**< applied; the file no longer matches */
	DBW_M_FAILED,      /**< the last attempt failed */
	DBW_M_MISSING      /**< recorded in the database, gone from the folder */
} dbw_mstate;

const char *dbw_mstate_name(dbw_mstate s);

/** A migration's place in the status report. Strings owned by the report. */
typedef struct dbw_status_item {
	dbw_mstate state;
	char *version;
	char *name;
	char *id;
	char *applied_at;  /**< ISO 8601 UTC, or NULL */
	long execution_ms; /**< -1 when unknown */
	char *error;       /**< the recorded failure (message, detail, hint, file:line), or NULL */
	int needs_resolve; /**< FAILED outside a transaction: the database may hold part of it */
	int out_of_order;  /**< PENDING but older than the newest applied */
	const dbw_migration *migration; /**< the file, NULL when MISSING */
} dbw_status_item;

typedef struct dbw_status {
	dbw_format format;
	char *history_table;    /**< "dbward_migrations" or "_prisma_migrations" */
	int history_exists;     /**< 0 before the first deploy */
	dbw_status_item *items; /**< folder order, then missing ones */
	size_t count;
	size_t n_applied, n_pending, n_failed, n_modified, n_cosmetic, n_missing;
} dbw_status;

/**
 * Compare the folder with the history of the database behind c.
 * Reads only: creates nothing. *out caller-owned (dbw_status_free).
 * @return 0 (the report says what is wrong); DBW_ESQL / DBW_ECONNECT.
 */
int dbw_status_build(dbw_status **out, dbw_conn *c, const dbw_migration_set *set, dbw_error *err);
void dbw_status_free(dbw_status *s);

/**
 * The exit code a status report deserves: DBW_EHISTORY for failed, modified
 * or missing migrations; else DBW_EPENDING when some are pending and
 * pending_is_error; else 0.
 */
int dbw_status_code(const dbw_status *s, int pending_is_error);

/* ---- deploy ---- */

typedef enum dbw_event_kind {
	DBW_EV_START, /**< a migration starts (index of total) */
	DBW_EV_DONE,  /**< it finished (execution_ms set) */
	DBW_EV_RETRY, /**< a lock timeout: retrying after a backoff */
	DBW_EV_NOTICE /**< a note worth showing (e.g. a transaction split at ADD VALUE) */
} dbw_event_kind;

typedef struct dbw_event {
	dbw_event_kind kind;
	size_t index, total;
	const dbw_migration *migration;
	long execution_ms;
	const char *text; /**< for NOTICE / RETRY */
} dbw_event;

typedef void (*dbw_event_fn)(const dbw_event *ev, void *ctx);

typedef struct dbw_deploy_options {
	const char *to;        /**< stop after this version (inclusive); NULL: all */
	int dry_run;           /**< plan and report; change nothing (no history table either) */
	int atomic;            /**< one transaction for all pending migrations */
	long lock_wait_ms;     /**< deploy lock wait; <0 forever (default 60000) */
	long lock_timeout_ms;  /**< lock_timeout for migration statements; 0: server default */
	int lock_retries;      /**< retries of a migration that hit lock_timeout (default 3) */
	long retry_backoff_ms; /**< first backoff, doubled each retry (default 500) */
	const char *actor;     /**< applied_by; NULL: user@host */
	dbw_event_fn on_event; /**< progress callback, or NULL */
	void *ctx;
} dbw_deploy_options;

#define DBW_DEPLOY_OPTIONS_INIT                                                                    \
	{                                                                                          \
		NULL, 0, 0, 60000, 0, 3, 500, NULL, NULL, NULL                                     \
	}

/** How one planned or applied migration runs. */
typedef enum dbw_txn_mode {
	DBW_TXN_SINGLE = 0, /**< one transaction with its history row */
	DBW_TXN_SPLIT,      /**< transactions split after ALTER TYPE ... ADD VALUE */
	DBW_TXN_NONE,       /**< no transaction (marker, or a statement that forbids one) */
	DBW_TXN_SCRIPT      /**< the script manages its own BEGIN/COMMIT */
} dbw_txn_mode;

const char *dbw_txn_mode_name(dbw_txn_mode m);

typedef struct dbw_deploy_step {
	const dbw_migration *migration;
	dbw_txn_mode mode;
	char *reason;    /**< why not SINGLE, or NULL */
	dbw_stmt *stmts; /**< offsets into migration->content */
	size_t n_stmts;
	int applied; /**< 1 when it ran and was recorded */
	long execution_ms;
} dbw_deploy_step;

typedef struct dbw_deploy_result {
	dbw_deploy_step *steps; /**< the plan, in order */
	size_t count;
	size_t n_applied;
	long total_ms;
	int dry_run;
} dbw_deploy_result;

/**
 * Apply pending migrations to the database behind c (DESIGN.md "deploy").
 * Each migration runs in its own transaction together with its history row,
 * unless its statements forbid one (then without, recorded as needing
 * `resolve` if it fails). *result_out (may be NULL) receives the plan and
 * what ran, also on failure; caller frees with dbw_deploy_result_free.
 * @return 0; DBW_EHISTORY when the history forbids deploying (a failed
 *         migration that needs resolve, a modified or missing one);
 *         DBW_ESQL when a migration failed (err->where is file:line:col);
 *         DBW_ELOCK when the deploy lock or a statement lock was not
 *         acquired in time; DBW_EUSAGE for --to naming an unknown version
 *         or --atomic with a migration that cannot run in a transaction.
 */
int dbw_deploy(dbw_conn *c, const dbw_migration_set *set, const dbw_deploy_options *opts,
               dbw_deploy_result **result_out, dbw_error *err);
void dbw_deploy_result_free(dbw_deploy_result *r);

/**
 * Settle a failed migration: applied = 1 records it applied (the operator
 * finished it by hand), 0 records it rolled back (the next deploy retries).
 * @return 0; DBW_ENOTFOUND when version has no failed record (hint names
 *         what the history holds for it); DBW_ESQL.
 */
int dbw_resolve(dbw_conn *c, const dbw_migration_set *set, const char *version, int applied,
                dbw_error *err);

/**
 * Write a new migration file for the folder's format with a UTC timestamp
 * version (YYYYmmddHHMMSS; Flyway: V<timestamp>__; golang-migrate: .up/.down
 * pair; Prisma: <ts>_<name>/migration.sql). *path_out caller-owned.
 * @return 0; DBW_EUSAGE for an empty or unsafe name; DBW_EIO.
 */
int dbw_migration_new(const char *dir, dbw_format format, const char *name, char **path_out,
                      dbw_error *err);

/* ---- rollback and baseline ---- */

typedef struct dbw_rollback_options {
	int steps;      /**< how many applied migrations to roll back, newest first (default 1) */
	const char *to; /**< roll back every applied migration newer than this version instead */
	int dry_run;    /**< plan and report; change nothing */
	long lock_wait_ms;     /**< deploy lock wait; <0 forever (default 60000) */
	const char *actor;     /**< NULL: user@host */
	dbw_event_fn on_event; /**< START / DONE per migration, or NULL */
	void *ctx;
} dbw_rollback_options;

#define DBW_ROLLBACK_OPTIONS_INIT                                                                  \
	{                                                                                          \
		1, NULL, 0, 60000, NULL, NULL, NULL                                                \
	}

/**
 * Run the down SQL of the newest applied migrations (dbward, dbmate and
 * golang-migrate folders; Prisma and Flyway folders have no down SQL), each
 * in a transaction together with the removal of its history row, newest
 * first. Everything is checked before anything runs: every chosen migration
 * must have a down section. Policy (refusing rollback in a protected
 * environment) is the caller's, through the policy layer.
 * *result_out (may be NULL) lists the steps as dbw_deploy does.
 * @return 0; DBW_EUSAGE for a format without down migrations, a migration
 *         with an empty down section, or --to naming an unknown version;
 *         DBW_EHISTORY when the history is not clean (failed, modified,
 *         missing); DBW_ESQL when a down migration failed (err->where is
 *         file:line:col); DBW_ELOCK.
 */
int dbw_rollback(dbw_conn *c, const dbw_migration_set *set, const dbw_rollback_options *opts,
                 dbw_deploy_result **result_out, dbw_error *err);

/**
 * Baseline: record every migration up to and including version as applied
 * without running it, for a database whose schema already matches them
 * (adopting an existing database; Prisma's documented baselining does the
 * same with `migrate resolve --applied`). Refused when the history already
 * records any migration.
 * @param count_out  migrations recorded (may be NULL)
 * @return 0; DBW_ENOTFOUND for an unknown version; DBW_EHISTORY when the
 *         history is not empty; DBW_ESQL; DBW_ELOCK.
 */
int dbw_baseline(dbw_conn *c, const dbw_migration_set *set, const char *version, size_t *count_out,
                 dbw_error *err);

#ifdef __cplusplus
}
#endif
#endif
