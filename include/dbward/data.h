/*
 * dbward/data.h - the data lifecycle of an environment: tracked seeds,
 * reset (drop everything, redeploy, seed), truncate (a clean slate for
 * tests), setup (create the database if missing, deploy, seed) and wait
 * (until the database answers).
 *
 * Seeds live in <seeds>/shared/<name>.sql and <seeds>/<env>/<name>.sql and run in that
 * order, each file in name order, each in its own transaction together with
 * its row in dbward_seeds(name, checksum, applied_at, execution_ms), so a
 * seed is either wholly applied and recorded or not at all.
 *
 * Destructive work is refused in protected environments (DESIGN.md
 * "protected environment"): reset always, truncate outside development and
 * test unless the environment's `allow` setting lists it, seeds in a
 * protected environment unless `allow` lists "seed" and --confirm names the
 * live database.
 */
#ifndef DBWARD_DATA_H
#define DBWARD_DATA_H

#include <stddef.h>
#include "error.h"
#include "db.h"
#include "config.h"
#include "migrate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- seeds ---- */

/** One seed file. Strings owned by the set. */
typedef struct dbw_seed {
	char *name;     /**< the tracking key: "shared/001_users.sql", "test/010_fixtures.sql" */
	char *path;     /**< absolute path */
	char *rel_path; /**< relative to the project root, for messages */
	char *content;  /**< the file (NUL-terminated) */
	size_t content_len;
	char checksum[65]; /**< hex SHA-256 of the file's bytes */
} dbw_seed;

typedef struct dbw_seed_set {
	char *dir;       /**< absolute seeds folder */
	char *env_name;  /**< the environment whose folder was read */
	dbw_seed *items; /**< shared/ first, then <env>/, each in name (byte) order */
	size_t count;
} dbw_seed_set;

/**
 * Read the seeds of environment env_name from dir (dbw_project_seeds_dir).
 * A missing folder (or subfolder) holds no seeds: that is not an error.
 * Only files ending in .sql are read. root is the project root, for rel_path
 * (NULL: relative to dir). *out is caller-owned (dbw_seeds_free).
 * @return 0; DBW_EINPUT for a seed that is not UTF-8 text (names the file);
 *         DBW_EIO when a file cannot be read; DBW_ENOMEM.
 */
int dbw_seeds_load(dbw_seed_set **out, const char *dir, const char *root, const char *env_name,
                   dbw_error *err);

/** Free a seed set; NULL is accepted. */
void dbw_seeds_free(dbw_seed_set *s);

typedef enum dbw_seed_state {
	DBW_SEED_NEW = 0,  /**< never recorded */
	DBW_SEED_CHANGED,  /**< recorded with another checksum */
	DBW_SEED_UNCHANGED /**< recorded with this checksum: skipped unless --all */
} dbw_seed_state;

/** "new", "changed", "unchanged". */
const char *dbw_seed_state_name(dbw_seed_state s);

typedef struct dbw_seed_options {
	int all;     /**< re-run every seed, changed or not */
	int dry_run; /**< report what would run; change nothing (no table either) */
	const char
	    *confirm; /**< --confirm: the live database name, needed in a protected environment */
} dbw_seed_options;

/* clang-format off */
#define DBW_SEED_OPTIONS_INIT {0, 0, NULL}
/* clang-format on */

typedef struct dbw_seed_step {
	const dbw_seed *seed;
	dbw_seed_state state;
	int run;           /**< 1 when selected to run (new, changed, or --all) */
	int applied;       /**< 1 when it ran and was recorded */
	long execution_ms; /**< time of the run, -1 when it did not run */
} dbw_seed_step;

typedef struct dbw_seed_result {
	dbw_seed_step *steps; /**< every seed of the set, in order */
	size_t count;
	size_t n_run;     /**< selected to run */
	size_t n_applied; /**< ran and recorded */
	long total_ms;
	int dry_run;
} dbw_seed_result;

/**
 * Run the seeds of set against c for environment env: the new and changed
 * ones (all with opts->all), each in its own transaction with its tracking
 * row upserted into dbward_seeds (created when missing). A failing seed is
 * rolled back whole and stops the run; the seeds before it stay recorded.
 * opts may be NULL (defaults). *result_out (may be NULL) receives what ran,
 * also on failure; caller frees with dbw_seed_result_free.
 * @return 0; DBW_ESQL when a seed failed (err->where is rel_path:line:col of
 *         the failing statement, mapped from the server's error position);
 *         DBW_EINPUT for a seed that writes its own BEGIN/COMMIT; DBW_EPOLICY
 *         in a protected environment unless its `allow` setting lists "seed"
 *         and opts->confirm equals the live database name (a dry run, which
 *         only reads, is allowed there).
 */
int dbw_seed_run(dbw_conn *c, const dbw_env *env, const dbw_seed_set *set,
                 const dbw_seed_options *opts, dbw_seed_result **result_out, dbw_error *err);
void dbw_seed_result_free(dbw_seed_result *r);

/* ---- the data guard ---- */

typedef enum dbw_data_op {
	DBW_DATA_SEED = 0,
	DBW_DATA_RESET,
	DBW_DATA_TRUNCATE,
	DBW_DATA_SETUP
} dbw_data_op;

/** "seed", "reset", "truncate", "setup". */
const char *dbw_data_op_name(dbw_data_op op);

/**
 * Whether op on env needs a person's yes before it runs: reset on staging
 * (by name, or `confirm_reset = true` in [env.NAME]). The command prompts
 * (or takes --yes) and then sets the `confirmed` option of the operation.
 * @return 1 or 0.
 */
int dbw_data_needs_confirmation(const dbw_env *env, dbw_data_op op);

/**
 * May op run on env, against the live database behind c (NULL: not yet
 * connected)? The rules of this file's header comment. This is where the
 * policy layer's guard takes over once it lands (see src/data/README.md).
 * @return 0; DBW_EPOLICY with the reason and a hint.
 */
int dbw_data_check(const dbw_env *env, dbw_conn *c, dbw_data_op op, const char *confirm,
                   dbw_error *err);

/* ---- reset ---- */

typedef struct dbw_reset_options {
	int extensions;        /**< also drop extensions (default: kept) */
	int no_seed;           /**< deploy, but do not seed */
	int confirmed;         /**< a person said yes (needed when dbw_data_needs_confirmation) */
	const char *actor;     /**< applied_by for deploy; NULL: user@host */
	dbw_event_fn on_event; /**< deploy progress, or NULL */
	void *ctx;
} dbw_reset_options;

/* clang-format off */
#define DBW_RESET_OPTIONS_INIT {0, 0, 0, NULL, NULL, NULL}
/* clang-format on */

typedef struct dbw_reset_result {
	size_t n_dropped;         /**< objects named in DROP statements (cascades not counted) */
	size_t n_schemas_dropped; /**< whole schemas dropped */
	long drop_ms;
	dbw_deploy_result *deploy; /**< NULL when deploy did not start */
	dbw_seed_result *seed;     /**< NULL when seeding did not start */
	long total_ms;
} dbw_reset_result;

/**
 * Drop every object of the database behind c (see dbw_reset_drop) and then
 * deploy every migration of set and run the seeds of seeds (NULL or
 * opts->no_seed: no seeding). *result_out (may be NULL) is caller-owned
 * (dbw_reset_result_free), also on failure.
 * @return 0; DBW_EPOLICY in a protected environment, or when confirmation
 *         is needed and opts->confirmed is 0; else what dbw_reset_drop,
 *         dbw_deploy or dbw_seed_run return.
 */
int dbw_reset(dbw_conn *c, const dbw_env *env, const dbw_migration_set *set,
              const dbw_seed_set *seeds, const dbw_reset_options *opts,
              dbw_reset_result **result_out, dbw_error *err);
void dbw_reset_result_free(dbw_reset_result *r);

/**
 * Drop every object in the database's schemas, in one transaction, keeping
 * the environment stamp (dbward_environment) and, unless `extensions`,
 * every extension and its objects. PostgreSQL: schemas other than public
 * that hold nothing to keep are dropped whole (a fresh database has only
 * public); public, schemas holding something kept and schemas another
 * role owns (DROP SCHEMA checks ownership) are emptied object
 * by object (relations, routines, types and domains, collations, text
 * search objects, operators, operator families, conversions), each
 * DROP ... CASCADE. SQLite: every table, view and
 * trigger from sqlite_schema, then sqlite_sequence is cleared and the file
 * VACUUMed. No guard: dbw_reset checks first. *dropped_out (may be NULL)
 * counts the objects named.
 * @return 0; DBW_ESQL (nothing dropped: the transaction rolls back; the
 *         hint says which role can do it when the server says "must be
 *         owner").
 */
int dbw_reset_drop(dbw_conn *c, int extensions, size_t *dropped_out, size_t *schemas_dropped_out,
                   dbw_error *err);

/* ---- truncate ---- */

typedef struct dbw_truncate_options {
	int seed;            /**< run the seeds afterwards (all of them, as the data is gone) */
	const char *confirm; /**< passed to the guard */
} dbw_truncate_options;

/* clang-format off */
#define DBW_TRUNCATE_OPTIONS_INIT {0, NULL}
/* clang-format on */

typedef struct dbw_truncate_result {
	char **tables; /**< every user table (all empty now), "schema.table" on PostgreSQL */
	size_t count;
	size_t
	    n_truncated; /**< those that held rows or a used identity (PostgreSQL); SQLite: all */
	long truncate_ms;
	dbw_seed_result *seed; /**< NULL without opts->seed */
} dbw_truncate_result;

/**
 * Empty every user table at once, keeping the history, seed, stamp and
 * audit tables (dbward_migrations, _prisma_migrations, dbward_seeds,
 * dbward_environment, dbward_audit) and extension tables. PostgreSQL: in
 * one transaction, every user table is locked, and one TRUNCATE ... RESTART
 * IDENTITY CASCADE empties those holding rows or a used identity or serial
 * sequence (the others are already what TRUNCATE would leave). SQLite: DELETE in one transaction
 * with PRAGMA defer_foreign_keys=ON (circular references are checked at commit, when they are
 * gone), then their sqlite_sequence rows are removed. With opts->seed, every seed of seeds then
 * runs (as --all: the rows they wrote are gone) and dbward_seeds is rewritten. *result_out (may be
 * NULL) is caller-owned (dbw_truncate_result_free).
 * Lock waits are bounded by env->lock_timeout_ms when set.
 * @return 0; DBW_EPOLICY outside development and test (unless `allow`
 *         lists truncate, never in a protected environment); DBW_ELOCK when
 *         a table stayed locked past lock_timeout; DBW_ESQL.
 */
int dbw_truncate(dbw_conn *c, const dbw_env *env, const dbw_seed_set *seeds,
                 const dbw_truncate_options *opts, dbw_truncate_result **result_out,
                 dbw_error *err);
void dbw_truncate_result_free(dbw_truncate_result *r);

/* ---- setup ---- */

typedef struct dbw_setup_options {
	long connect_timeout_ms; /**< per connection; 0: the driver's default */
	const char *actor;       /**< applied_by for deploy; NULL: user@host */
	dbw_event_fn on_event;   /**< deploy progress, or NULL */
	void *ctx;
} dbw_setup_options;

/* clang-format off */
#define DBW_SETUP_OPTIONS_INIT {0, NULL, NULL, NULL}
/* clang-format on */

typedef struct dbw_setup_result {
	int created;               /**< 1 when the database (or SQLite file) was created */
	char *database;            /**< the database name or file path */
	char *owner;               /**< PostgreSQL: the owner given at creation, else NULL */
	dbw_deploy_result *deploy; /**< what deploy did */
	dbw_seed_result *seed;     /**< what seeding did; NULL when seeds were skipped */
	int seeds_skipped;         /**< 1 in a protected environment: setup never seeds it */
	int changed;               /**< 1 when anything was created, applied or seeded */
} dbw_setup_result;

/**
 * Make env's database ready: create it when missing, deploy set, run the
 * new and changed seeds (never in a protected environment). PostgreSQL:
 * when the target cannot be reached and the maintenance database
 * ("postgres", else "template1") reached with the same URL shows it does
 * not exist, CREATE DATABASE ... OWNER <`owner` setting, else the
 * connecting role> ENCODING 'UTF8' TEMPLATE template0 (template0, because
 * the encoding may differ from template1's: PostgreSQL docs, CREATE
 * DATABASE). SQLite: the file's folder and the file. A second run changes
 * nothing (result->changed is 0). In a protected environment setup deploys
 * only to a database it just created or that has nothing pending: an
 * existing one gets its migrations from `dbward deploy`, which verifies a
 * backup first. *result_out (may be NULL) caller-owned.
 * @return 0; DBW_ECONNECT when neither the target nor the maintenance
 *         database can be reached; DBW_ESQL (e.g. no CREATEDB right: the hint
 *         says so); DBW_EPOLICY for pending migrations on an existing
 *         protected database; else what dbw_deploy / dbw_seed_run return.
 */
int dbw_setup(const dbw_env *env, const dbw_migration_set *set, const dbw_seed_set *seeds,
              const dbw_setup_options *opts, dbw_setup_result **result_out, dbw_error *err);
void dbw_setup_result_free(dbw_setup_result *r);

/* ---- wait ---- */

typedef struct dbw_wait_options {
	long timeout_ms;       /**< give up after this long (default 60000) */
	long first_backoff_ms; /**< first pause between attempts, doubled up to max (default 100) */
	long max_backoff_ms;   /**< default 2000 */
	/** Called after each failed attempt (attempt counts from 1), or NULL. */
	void (*on_retry)(int attempt, const dbw_error *last, long next_wait_ms, void *ctx);
	void *ctx;
} dbw_wait_options;

/* clang-format off */
#define DBW_WAIT_OPTIONS_INIT {60000, 100, 2000, NULL, NULL}
/* clang-format on */

/**
 * Retry with exponential backoff until the database at url accepts a
 * connection and answers SELECT 1 (a SQLite file must already exist).
 * Each attempt's connect timeout is the time left. attempts_out and
 * elapsed_ms_out may be NULL.
 * @return 0; DBW_ECONNECT after the timeout, with the last attempt's message
 *         and a detail counting the attempts; DBW_ECONFIG for a malformed URL
 *         (not retried).
 */
int dbw_wait(const char *url, const dbw_wait_options *opts, int *attempts_out, long *elapsed_ms_out,
             dbw_error *err);

#ifdef __cplusplus
}
#endif
#endif
