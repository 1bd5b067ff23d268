/*
 * dbward/policy.h - knowing which database you are on, and what may be done
 * to it (DESIGN.md "Identity", issue 3).
 *
 * Four checks stand between a command and a database, always in this order
 * (dbw_guard runs them all with one call right after connecting):
 *   1. identity: the live database name matches `expect_database`, and a
 *      non-protected environment does not resolve to a protected one's
 *      database;
 *   2. stamp: the one-row `dbward_environment` table inside the database
 *      names the environment that was asked for;
 *   3. policy: the environment allows the operation (defaults, then
 *      `allow =` / `deny =` of [env.NAME]);
 *   4. confirmation: --yes for a plain confirmation, and on a protected
 *      environment only the live database name typed with --confirm.
 * Every decision on a protected environment is audited (dbward/audit below).
 */
#ifndef DBWARD_POLICY_H
#define DBWARD_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "config.h"
#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- stamp ---- */

/** The stamp of a database: which environment it belongs to. Strings owned by the record. */
typedef struct dbw_stamp {
	char *environment;    /**< e.g. "production" */
	char *stamped_at;     /**< ISO 8601 UTC */
	char *stamped_by;     /**< user@host */
	char *dbward_version; /**< the dbward that wrote it */
} dbw_stamp;

/**
 * Read the stamp of the database behind c. Reads only.
 * @param out receives the stamp (caller frees with dbw_stamp_free), or NULL
 *        when the database is unstamped (no dbward_environment table, or an
 *        empty one).
 * @return 0; DBW_ESQL / DBW_ECONNECT when the table cannot be read.
 */
int dbw_stamp_read(dbw_conn *c, dbw_stamp **out, dbw_error *err);

/**
 * Stamp the database behind c as belonging to environment (creating the
 * one-row dbward_environment table when missing, replacing any earlier
 * stamp in one transaction). Performs no policy check: callers go through
 * dbw_guard with operation "stamp" first, which asks for confirmation when
 * the existing stamp names a protected environment.
 * @param actor user@host to record; NULL: the running user.
 * @return 0; DBW_EUSAGE for an empty environment name; DBW_ESQL; DBW_ELOCK.
 */
int dbw_stamp_write(dbw_conn *c, const char *environment, const char *actor, dbw_error *err);

/**
 * Stamp the database behind c with environment only when it carries no
 * stamp yet (the first deploy; DESIGN.md "Identity"). Safe when several
 * deploys race: on PostgreSQL the writers queue on a transaction-scoped
 * advisory lock, SQLite's BEGIN IMMEDIATE queues them; one stamps, the
 * others find the stamp. Does not compare an existing stamp (dbw_guard did).
 * @param stamped_out (may be NULL) 1 when this call wrote the stamp.
 * @return 0; DBW_EUSAGE; DBW_ESQL; DBW_ELOCK.
 */
int dbw_stamp_ensure(dbw_conn *c, const char *environment, const char *actor, int *stamped_out,
                     dbw_error *err);

/** Free a stamp; NULL is accepted. */
void dbw_stamp_free(dbw_stamp *s);

/* ---- identity ---- */

/**
 * Check the live database name (dbw_conn_database: current_database(), or
 * the SQLite file's base name) against env->expect_database, an fnmatch(3)
 * glob. No expect_database: always passes.
 * @return 0; DBW_EPOLICY with a hint naming both the glob and the name.
 */
int dbw_identity_check_name(const dbw_conn *c, const dbw_env *env, dbw_error *err);

/**
 * A key that is equal for two URLs naming the same database, computed
 * without connecting: "pg:HOST:PORT/DBNAME" (libpq's defaults filled in:
 * PGHOST, PGPORT, the user name as database; localhost, 127.0.0.1 and ::1
 * are one host) or "sqlite:REALPATH" (the absolute path when the file does
 * not exist yet; "sqlite::memory:" is never equal to anything).
 * *out caller-owned.
 * @return 0; DBW_ECONFIG for a URL libpq or dbward cannot parse; DBW_ENOMEM.
 */
int dbw_identity_url_key(const char *url, char **out, dbw_error *err);

/**
 * A key for the database behind a live connection. PostgreSQL:
 * "pgsys:SYSTEM_IDENTIFIER/DBNAME" from pg_control_system() when the role
 * may read it (PostgreSQL docs 9.27 "System Information Functions"), else
 * "pg:HOST:PORT/DBNAME" from the connection's URL as dbw_identity_url_key.
 * SQLite: "sqlite:REALPATH" of the main database file. *out caller-owned.
 * @return 0; DBW_ESQL; DBW_ENOMEM.
 */
int dbw_identity_live_key(dbw_conn *c, char **out, dbw_error *err);

/**
 * Refuse when env is not protected but its URL (or migration URL) resolves
 * to the database of a protected environment of project p (the URL keys
 * above; environments whose URL cannot be resolved are skipped). Does not
 * connect to the other environments; `dbward doctor` compares live keys.
 * @param same_as_out when non-NULL receives the protected environment's
 *        name on refusal (caller frees), else NULL.
 * @return 0; DBW_EPOLICY naming both environments.
 */
int dbw_identity_check_same(const dbw_project *p, const dbw_env *env, char **same_as_out,
                            dbw_error *err);

/* ---- policy ---- */

/** What an environment says about an operation. */
typedef enum dbw_verdict {
	DBW_VERDICT_ALLOW = 0,    /**< go ahead */
	DBW_VERDICT_CONFIRM,      /**< ask first: --yes, --confirm NAME or a prompt answered yes */
	DBW_VERDICT_CONFIRM_NAME, /**< protected: only the live database name typed (--confirm NAME
	                             or a prompt) */
	DBW_VERDICT_DENY          /**< refused (exit 3) */
} dbw_verdict;

/** The decision and why, for `dbward check OPERATION`. */
typedef struct dbw_decision {
	dbw_verdict verdict;
	/** Why, e.g. "protected environment", "deny = in [env.production]",
	 *  "default for staging"; static storage. */
	const char *reason;
} dbw_decision;

/**
 * The operations policy knows, NULL-terminated: deploy, status, reset,
 * truncate, seed, rollback, restore, copy-into, exec-write, exec-read,
 * stamp, backup, resolve, baseline, read.
 */
const char *const *dbw_policy_operations(void);

/**
 * Decide whether env allows operation (issue 3 defaults):
 * development and test: everything; staging: everything, reset asks for
 * confirmation; a protected environment: reset, truncate, seed, copy-into
 * and exec-write refused; rollback, restore, resolve and baseline only
 * with the typed database name; the rest allowed (stamp too: re-stamping
 * a database stamped with a protected environment is dbw_guard's check). Then [env.NAME] `deny = a,
 * b` refuses and `allow = a, b` lifts a default refusal (on a protected environment a lifted
 * refusal still needs the typed name). deny wins over allow.
 * @return 0; DBW_EUSAGE for an operation not in dbw_policy_operations
 *         (also in allow/deny: DBW_ECONFIG naming the setting).
 */
int dbw_policy_decide(const dbw_env *env, const char *operation, dbw_decision *out, dbw_error *err);

/** "allow", "confirm", "confirm-name" or "deny". */
const char *dbw_verdict_name(dbw_verdict v);

/* ---- confirmation ---- */

/**
 * Whether a confirmation that verdict requires was given.
 * DBW_VERDICT_CONFIRM: yes, or confirm equal to the live database name.
 * DBW_VERDICT_CONFIRM_NAME: only confirm equal to dbw_conn_database(c)
 * (case-sensitive; --yes never suffices, issue 3 "typed confirmation").
 * A confirm that names another database is refused whatever the verdict
 * (the operator believes they are elsewhere).
 * @return 0 when satisfied (or nothing was needed); DBW_EPOLICY otherwise:
 *         "needs confirmation" when nothing was given (hint: --confirm),
 *         a mismatch message when confirm names another database.
 */
int dbw_confirm_check(const dbw_conn *c, const dbw_env *env, const char *operation,
                      dbw_verdict verdict, const char *confirm, int yes, dbw_error *err);

/* ---- the guard ---- */

typedef struct dbw_guard_options {
	const char *confirm; /**< --confirm NAME, or the name typed at a prompt; NULL: none */
	int yes;             /**< --yes (enough for plain confirmations only) */
	int stamp_unstamped; /**< 1: stamp an unstamped database with env->name once every check
	                        passed (first deploy) */
	const char *stamp_target; /**< operation "stamp": the environment about to be written */
	const char *actor;        /**< user@host for the audit; NULL: the running user */
	const char *command_line; /**< for the audit (passwords are redacted again here); NULL: the
	                             operation */
	int64_t started_ms;       /**< when the command started (dbw_now_ms clock); 0: now */
	int will_prompt; /**< 1: the caller asks for a missing confirmation and calls again,
	                      so a refusal only for want of one is not audited (the next call is) */
} dbw_guard_options;

#define DBW_GUARD_OPTIONS_INIT                                                                     \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL, 0, 0                                                 \
	}

/** What dbw_guard found, also when it refused. */
typedef struct dbw_guard_result {
	dbw_verdict verdict;    /**< the policy's verdict (ALLOW when refused before policy ran) */
	int needs_confirmation; /**< 1: refused only for want of a confirmation of kind `verdict`:
	                             a CLI on a terminal may prompt and call dbw_guard again */
	int stamped;            /**< 1: the guard stamped an unstamped database */
	int is_stamped;         /**< 1: the database carries a stamp */
	char stamp_env[64];     /**< the stamp's environment ("" when unstamped) */
} dbw_guard_result;

/**
 * The single entry point every command calls right after connecting:
 * identity (expect_database, same database as a protected environment),
 * stamp (the database's stamp must name env, except for operation
 * "stamp", where re-stamping a database stamped with a protected
 * environment needs the typed name), policy (dbw_policy_decide) and
 * confirmation (dbw_confirm_check), in that order. When env is protected
 * or the database is stamped with a protected environment, the decision
 * (allowed or refused) is audited (dbw_audit_record; a failure to audit is
 * not an error for the caller, but a refusal is still a refusal).
 * @param p the project (for the other environments and the local audit log); may be NULL.
 * @param out when non-NULL, filled also on failure.
 * @return 0; DBW_EPOLICY for any refusal (the message says which check);
 *         DBW_EUSAGE for an unknown operation; DBW_ESQL when the stamp
 *         cannot be read or written.
 */
int dbw_guard(dbw_conn *c, const dbw_env *env, const dbw_project *p, const char *operation,
              const dbw_guard_options *opts, dbw_guard_result *out, dbw_error *err);

/* ---- audit ---- */

/** One audit record. In dbw_audit_record the strings are borrowed; in a dbw_audit_log they are
 * owned. */
typedef struct dbw_audit_entry {
	int64_t at_ms; /**< when (ms since the epoch); 0: now */
	const char *environment;
	const char *operation;    /**< "deploy", "reset", ... */
	const char *database;     /**< the live database name, or NULL */
	const char *actor;        /**< user@host; NULL: the running user */
	const char *command_line; /**< redacted again before it is written */
	const char *outcome;      /**< "allowed", "refused", "succeeded", "failed" */
	const char *detail;       /**< the reason or error message, or NULL */
	long duration_ms;         /**< -1 when not measured */
} dbw_audit_entry;

#define DBW_AUDIT_ENTRY_INIT                                                                       \
	{                                                                                          \
		0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -1                                    \
	}

/**
 * Append e to the local log <root>/.dbward/audit.log (JSON lines, opened
 * O_APPEND, mode 0600; the folder is created) and, when c is non-NULL, to
 * the dbward_audit table of the database (created when missing; a failure
 * there is reported only when the local append failed too). Passwords in
 * command_line and detail are redacted with dbw_url_redact.
 * @param p the project for the log's place; NULL: the working directory.
 * @return 0; DBW_EIO when the local log cannot be written.
 */
int dbw_audit_record(dbw_conn *c, const dbw_project *p, const dbw_audit_entry *e, dbw_error *err);

/**
 * Record how an operation on env ended ("succeeded"; "refused" for
 * DBW_EPOLICY or "failed", with result_err's message), with its duration since started_ms, when env
 * is protected (issue 3: every operation on a protected environment); does nothing otherwise. c may
 * be NULL (local log only).
 * @param rc the operation's return code (0: succeeded).
 * @return 0; DBW_EIO when the local log cannot be written.
 */
int dbw_audit_finish(dbw_conn *c, const dbw_env *env, const dbw_project *p, const char *operation,
                     const char *command_line, int64_t started_ms, int rc,
                     const dbw_error *result_err, dbw_error *err);

/** The local audit log, oldest first. */
typedef struct dbw_audit_log {
	dbw_audit_entry *items;
	size_t count;
} dbw_audit_log;

/**
 * Read the local audit log of p, keeping records at or after since_ms
 * (0: all). A missing log is an empty one. Malformed lines are skipped
 * and counted in *skipped_out (may be NULL). *out caller-owned.
 * @return 0; DBW_EIO.
 */
int dbw_audit_read(const dbw_project *p, int64_t since_ms, dbw_audit_log **out, size_t *skipped_out,
                   dbw_error *err);
void dbw_audit_log_free(dbw_audit_log *l);

/** Absolute path of the local audit log of p (NULL: the working directory). Caller frees. */
char *dbw_audit_path(const dbw_project *p);

#ifdef __cplusplus
}
#endif
#endif
