/*
 * dbward/lint.h - lint migrations for data loss, lock hazards and broken
 * backward compatibility, with the databases' own parsers.
 *
 * PostgreSQL text is parsed with libpg_query (the PostgreSQL 15 parser) and
 * every rule reads the parse tree; SQLite text is prepared statement by
 * statement on an in-memory shadow database that has the earlier migrations
 * applied, and rules read the actions SQLite's authorizer reports. No rule
 * is decided by a pattern on SQL text. A lint session (dbw_lint) keeps a
 * small model of the schema the linted files build (tables, column types,
 * enum values), so that a rule knows whether a table existed before the
 * current file and what type a column had.
 *
 * Rules have stable ids (DW101 ...) and a page in docs/lint/<id>.md. A
 * finding can be signed off in the migration with a comment on its own line
 *   -- dbward:allow DW101 the table was emptied and archived in 2024-03
 * which accepts one finding of that rule (the first at or after the comment,
 * else the first in the file); the reason is required, and an allow that
 * matches nothing is itself a warning (DW002).
 */
#ifndef DBWARD_LINT_H
#define DBWARD_LINT_H

#include <stddef.h>
#include "error.h"
#include "config.h"
#include "db.h"
#include "migrate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dbw_severity {
	DBW_SEV_OFF = 0, /**< the rule is switched off */
	DBW_SEV_INFO,
	DBW_SEV_WARNING,
	DBW_SEV_ERROR /**< makes `dbward lint` exit 7 unless signed off */
} dbw_severity;

/** "off", "info", "warning", "error". */
const char *dbw_severity_name(dbw_severity s);

/** Parse "off", "info", "warning" or "error"; @return 0 or DBW_ECONFIG. */
int dbw_severity_parse(const char *text, dbw_severity *out, dbw_error *err);

/** A rule: static data. */
typedef struct dbw_lint_rule {
	const char *id;        /**< "DW101" */
	const char *name;      /**< "drop-table" */
	dbw_severity severity; /**< default severity */
	const char *category;  /**< "data-loss", "locks", "compatibility", "seeds", "privacy", "lint" */
	const char *summary;   /**< one line */
	const char *hint;      /**< the safe alternative, a whole sentence */
} dbw_lint_rule;

/** All rules, in id order; *n_out receives the count. */
const dbw_lint_rule *dbw_lint_rules(size_t *n_out);

/** A rule by id ("DW101") or name ("drop-table"), case-insensitive; NULL when unknown. */
const dbw_lint_rule *dbw_lint_rule_find(const char *id_or_name);

/** One finding. Strings owned by the session. */
typedef struct dbw_finding {
	const dbw_lint_rule *rule;
	dbw_severity severity; /**< after [lint] overrides and small-table downgrades */
	char *file;            /**< as given (rel_path for migrations) */
	int line, col;         /**< 1-based position in the file */
	size_t offset;         /**< byte offset in the file */
	char *message;         /**< lower case, no final period */
	char *excerpt;         /**< the statement, one line, shortened */
	char *hint;            /**< the safe alternative (whole sentence), or NULL */
	char *table;           /**< the table the finding touches, or NULL */
	char *schema;          /**< its schema when the SQL names one, else NULL (search_path) */
	int allowed;           /**< signed off with -- dbward:allow */
	char *allow_reason;    /**< the sign-off's reason, or NULL */
	double rows;           /**< live estimate (pg_class.reltuples), -1 unknown */
	long long bytes;       /**< pg_total_relation_size, -1 unknown */
} dbw_finding;

typedef struct dbw_lint dbw_lint;

typedef struct dbw_lint_options {
	dbw_db_kind dialect;         /**< DBW_DB_POSTGRES (also for DBW_DB_NONE) or DBW_DB_SQLITE */
	const dbw_project *project;  /**< [lint] severity overrides and settings; NULL: defaults */
	int lock_timeout_configured; /**< the target environment sets lock_timeout (dbward.ini), so
	                                  DW209 is satisfied for every migration */
} dbw_lint_options;

#define DBW_LINT_OPTIONS_INIT                                                                      \
	{                                                                                          \
		DBW_DB_POSTGRES, NULL, 0                                                           \
	}

/**
 * Start a lint session. Reads [lint] of the project: `<rule id or name> =
 * off|info|warning|error` and `small_table_rows = N`; and, for DW601, the
 * sanitize rules file `dbward copy` uses (`rules =` of [copy], else
 * sanitize.ini at the project root; none: DW601 does not fire).
 * *out caller-owned (dbw_lint_free).
 * @return 0; DBW_ECONFIG for a [lint] value that is not a severity (where
 *         names the key) or a rules file that does not parse;
 *         DBW_ENOTFOUND / DBW_EIO for a named rules file that cannot be
 *         read; DBW_ENOMEM; DBW_ERROR when SQLite's shadow database cannot
 *         be opened.
 */
int dbw_lint_new(dbw_lint **out, const dbw_lint_options *opts, dbw_error *err);

/** Free a session and its findings; NULL is accepted. */
void dbw_lint_free(dbw_lint *l);

/** Flags for dbw_lint_text. */
enum {
	DBW_LINT_SEED = 1 << 0,   /**< the text is a seed file: DW401 applies */
	DBW_LINT_REPLAY = 1 << 1, /**< learn the schema only; record no finding */
	DBW_LINT_NO_TXN = 1 << 2  /**< the file runs outside a transaction (dbward:no-transaction):
	                               locks end with each statement (DW213) */
};

/**
 * Lint content[start, end) of a file (positions are reported against the
 * whole content, so a migration's up section keeps its file lines). file is
 * the name used in findings. A text the parser rejects gives one DW001
 * finding at the parser's position; with PostgreSQL the statements the
 * parser can still read one by one are linted too.
 * @return 0 (findings are recorded in the session); DBW_ENOMEM.
 */
int dbw_lint_text(dbw_lint *l, const char *file, const char *content, size_t len, size_t start,
                  size_t end, unsigned flags, dbw_error *err);

/** Lint a migration's up section (dbw_lint_text with its rel_path, file positions and
 * DBW_LINT_NO_TXN when it is marked no-transaction). */
int dbw_lint_migration(dbw_lint *l, const dbw_migration *m, unsigned flags, dbw_error *err);

/**
 * Lint a migration set in order: migrations with want[i] non-zero are
 * linted, the ones before them replayed into the schema model (and, for
 * SQLite, run on the shadow database) without findings. want has
 * set->count entries; NULL lints every migration.
 * @return 0; DBW_ENOMEM.
 */
int dbw_lint_set(dbw_lint *l, const dbw_migration_set *set, const unsigned char *want,
                 dbw_error *err);

/**
 * Lint every .sql file of a seeds folder as a seed (DW401 applies); file
 * names in findings are relative to root. A missing folder is not an error.
 * @return 0; DBW_EIO when a file cannot be read; DBW_ENOMEM.
 */
int dbw_lint_seeds(dbw_lint *l, const char *seeds_dir, const char *root, dbw_error *err);

/**
 * Verify the set's dbward.sum (dbw_sum_verify) and record each change as a
 * DW003 finding (error: dbw_lint_code then says DBW_EHISTORY).
 * @return 0 (changes are findings); DBW_ENOTFOUND when there is no
 *         dbward.sum (err's hint says to run dbward sum); DBW_EIO; DBW_ENOMEM.
 */
int dbw_lint_sum(dbw_lint *l, const dbw_migration_set *set, dbw_error *err);

/**
 * Record a finding that is not about SQL (dbward.sum, staged files): rule_id
 * must name a rule; line/col may be 0. Used by the command layers that
 * check files (see dbw_lint_staged).
 * @return 0; DBW_ENOMEM; DBW_EUSAGE for an unknown rule id.
 */
int dbw_lint_add(dbw_lint *l, const char *rule_id, const char *file, int line, int col,
                 const char *message, const char *hint, dbw_error *err);

/** Findings so far, in the order found: index i < dbw_lint_count. */
size_t dbw_lint_count(const dbw_lint *l);
const dbw_finding *dbw_lint_finding(const dbw_lint *l, size_t i);

/** Counts of findings not signed off by severity, and the number signed off. */
void dbw_lint_totals(const dbw_lint *l, size_t *errors, size_t *warnings, size_t *infos,
                     size_t *allowed);

/**
 * The outcome: DBW_EHISTORY when an error-level history finding (DW003
 * dbward.sum, DW501 committed migration changed) is not signed off, since a
 * history that cannot be trusted comes first; else DBW_ELINT when any
 * error-level finding is not signed off; else 0.
 */
int dbw_lint_code(const dbw_lint *l);

/**
 * Knows the target: read pg_class.reltuples and pg_total_relation_size()
 * for the tables the findings touch, add "(12.4 M rows, 3.1 GB)" to their
 * messages, and when [lint] small_table_rows = N is set, lower lock and
 * compatibility findings (DW2xx, DW3xx) on tables with fewer rows to info,
 * and every finding on a table whose heap is empty (pg_relation_size 0).
 * Read-only. A table the database does not have is left unknown.
 * @return 0; DBW_ESQL; DBW_EUSAGE when c is not PostgreSQL.
 */
int dbw_lint_add_sizes(dbw_lint *l, dbw_conn *c, dbw_error *err);

/**
 * Format a number of rows and bytes as "12.4 M rows, 3.1 GB" into out
 * (>= 48 bytes). rows < 0 or bytes < 0 are left out.
 */
void dbw_lint_size_text(double rows, long long bytes, char *out, size_t size);

/**
 * The dialect a migrations folder declares: Prisma's migration_lock.toml
 * provider ("sqlite": DBW_DB_SQLITE, "postgresql"/"postgres":
 * DBW_DB_POSTGRES), else DBW_DB_NONE (the folder does not say).
 */
dbw_db_kind dbw_lint_folder_dialect(const char *migrations_dir);

/**
 * The dialect to lint a project's migrations with: [lint] dialect
 * (postgres or sqlite) in dbward.ini; else what the folder declares
 * (dbw_lint_folder_dialect); else the engine of env's URL when env is given
 * and its URL was configured (the embedded SQLite default of development
 * does not count: a CI job without DATABASE_URL must not lint PostgreSQL
 * migrations as SQLite); else PostgreSQL, dbward's main target.
 * @return 0; DBW_ECONFIG when [lint] dialect names something else.
 */
int dbw_lint_dialect(const dbw_project *p, const dbw_env *env, dbw_db_kind *out, dbw_error *err);

/* ---- deploy ---- */

/**
 * The checks deploy makes before it runs anything (issue 4): dbward.sum is
 * verified when the folder has one, and on a protected environment
 * (env->is_protected) the migrations about to run (pending[i] non-zero,
 * set->count entries; NULL: all) are linted after the earlier ones are
 * replayed; an
 * error-level finding that is not signed off (-- dbward:allow) refuses the
 * deploy. The dialect is dbw_lint_dialect's choice; env's lock_timeout
 * satisfies DW209. *lint_out (may be NULL) receives the session with every
 * finding, caller-owned (dbw_lint_free), on 0 and DBW_EPOLICY; else NULL.
 * @return 0; DBW_EHISTORY when dbward.sum does not match (err from
 *         dbw_sum_verify names the migration); DBW_EPOLICY when the
 *         environment is protected and a finding refuses (err's where is
 *         file:line:column, detail names the rule and counts the others,
 *         hint says how to sign off); DBW_ECONFIG; DBW_ENOMEM.
 */
int dbw_lint_deploy_check(const dbw_project *p, const dbw_env *env, const dbw_migration_set *set,
                          const unsigned char *pending, dbw_lint **lint_out, dbw_error *err);

/* ---- pre-commit: staged files ---- */

typedef struct dbw_staged_options {
	const char *repo_root;      /**< the git work tree; NULL: the working directory */
	const char *migrations_dir; /**< absolute migrations folder */
	const char *seeds_dir;      /**< absolute seeds folder, or NULL */
	const char *dangerous; /**< [lint] dangerous: comma-separated commands; NULL: defaults */
} dbw_staged_options;

/**
 * The default dangerous command strings: "prisma migrate reset",
 * "prisma db push --accept-data-loss", "dbward reset --env production",
 * "dbward reset -e production".
 */
extern const char *const dbw_dangerous_defaults[];

/**
 * Check what `git diff --cached --name-status HEAD` stages (the pre-commit
 * view, read with `git show :path` so unstaged edits do not count):
 * staged migrations are linted (their staged content); an edit, rename or
 * deletion of a migration HEAD already has is a DW501 error; a staged
 * script (not .sql) containing a dangerous command string is DW502; a
 * staged .sql file outside the migrations and seeds folders whose parse
 * tree drops a table or truncates is DW502 too.
 * @return 0; DBW_EIO when git cannot be run or the folder is not a git work
 *         tree (detail says which); DBW_ENOMEM.
 */
int dbw_lint_staged(dbw_lint *l, const dbw_staged_options *opts, dbw_error *err);

/**
 * Install the git pre-commit hook of the repository holding dir: a script
 * that runs `<dbward_cmd> lint --staged` (git commit --no-verify bypasses
 * it, as git users expect). The hooks folder is git's own answer (`git
 * rev-parse --git-path hooks`: core.hooksPath and worktrees respected). An
 * existing pre-commit hook is never overwritten; one that dbward wrote is
 * left as it is and *already_out (may be NULL) is set to 1. *path_out (may
 * be NULL) gets the hook's path, caller-owned, also on DBW_EPOLICY.
 * @return 0; DBW_EPOLICY when another pre-commit hook exists (the hint says
 *         how to chain dbward into it); DBW_EIO when dir is not in a git work
 *         tree or the file cannot be written.
 */
int dbw_hook_install(const char *dir, const char *dbward_cmd, char **path_out, int *already_out,
                     dbw_error *err);

#ifdef __cplusplus
}
#endif
#endif
