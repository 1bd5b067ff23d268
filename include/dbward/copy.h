/*
 * dbward/copy.h - copy one environment's data into another with personal
 * data sanitized on the way (DESIGN.md "copy", docs/copy.md).
 *
 * Three parts:
 *  - rules: a sanitize.ini naming, per table and column, what happens to a
 *    value (keep, redact, null, mask, hash_email, hash, fake_name,
 *    fake_phone, fake_address, set) and which tables are skipped;
 *  - the sanitizer: the rules plus the secret key (DBWARD_SANITIZE_KEY) that
 *    makes every keyed transformer deterministic: the same input gives the
 *    same output in every table and every run with the same key, so joins
 *    and foreign keys on sanitized columns still match;
 *  - the PII guard: columns whose name or type looks personal and that no
 *    rule covers, which make a copy refuse unless the caller allows it.
 */
#ifndef DBWARD_COPY_H
#define DBWARD_COPY_H

#include <stddef.h>
#include "error.h"
#include "db.h"
#include "config.h"
#include "migrate.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The environment variable holding the sanitize key (never a file in the repository). */
#define DBW_SANITIZE_KEY_VAR "DBWARD_SANITIZE_KEY"
/** Shortest key accepted, in bytes: shorter keys make keyed hashes guessable. */
#define DBW_SANITIZE_KEY_MIN 16

/** What a rule does to one value. */
typedef enum dbw_rule_kind {
	DBW_RULE_KEEP = 0,     /**< copy unchanged */
	DBW_RULE_REDACT,       /**< a constant: the argument, default "[redacted]" */
	DBW_RULE_NULL,         /**< SQL NULL */
	DBW_RULE_MASK,         /**< same length and punctuation: digits -> X, letters -> x;
	                            argument N keeps the last N characters */
	DBW_RULE_HASH_EMAIL,   /**< local part -> keyed HMAC-SHA-256 (20 hex), domain kept */
	DBW_RULE_HASH,         /**< keyed HMAC-SHA-256 of the whole value (32 hex) */
	DBW_RULE_FAKE_NAME,    /**< "First Last" picked by the keyed hash */
	DBW_RULE_FAKE_PHONE,   /**< "+1 555 NNN NNNN" picked by the keyed hash */
	DBW_RULE_FAKE_ADDRESS, /**< "N Street Suffix, City" picked by the keyed hash */
	DBW_RULE_SET,          /**< a fixed value: the argument (required) */
	DBW_RULE__COUNT
} dbw_rule_kind;

/** The rule's name as written in sanitize.ini ("keep", "hash_email", ...). */
const char *dbw_rule_kind_name(dbw_rule_kind k);

/** One column rule. Strings owned by the rule set. */
typedef struct dbw_rule {
	char *table; /**< as written in the section: "users" or "public.users" */
	char *column;
	dbw_rule_kind kind;
	char *arg; /**< text after "kind:", or NULL */
	int line;  /**< 1-based line in the file */
} dbw_rule;

typedef struct dbw_rules dbw_rules;

/**
 * Parse rules from text (INI, parsed with inih). Format (docs/copy.md):
 *   [users]               ; a table, optionally schema-qualified
 *   email = hash_email
 *   note  = redact:(removed)
 *   * = skip              ; only form of "*": the whole table is not copied
 * `name` names the text's origin for messages (e.g. the file path).
 * *out caller-owned (dbw_rules_free).
 * @return 0; DBW_ECONFIG for an unknown rule, a rule missing its argument
 *         (set), a bad mask count, a column named twice (err->where is
 *         name:line); DBW_ENOMEM.
 */
int dbw_rules_parse(dbw_rules **out, const char *text, const char *name, dbw_error *err);

/** Read and parse a rules file. @return as dbw_rules_parse; DBW_ENOTFOUND / DBW_EIO for the file.
 */
int dbw_rules_load(dbw_rules **out, const char *path, dbw_error *err);

/** An empty rule set (no file given). */
int dbw_rules_new(dbw_rules **out, dbw_error *err);

void dbw_rules_free(dbw_rules *r);

size_t dbw_rules_count(const dbw_rules *r);
const dbw_rule *dbw_rules_at(const dbw_rules *r, size_t i);

/**
 * The rule for schema.table.column, or NULL when none. A section written
 * with a schema matches only that schema; one without matches any schema
 * (the schema-qualified one wins).
 */
const dbw_rule *dbw_rules_find(const dbw_rules *r, const char *schema, const char *table,
                               const char *column);

/** 1 when the table is marked `* = skip`. */
int dbw_rules_skips(const dbw_rules *r, const char *schema, const char *table);

/* ---- the sanitizer ---- */

typedef struct dbw_sanitizer dbw_sanitizer;

/**
 * A sanitizer with the secret key. key NULL reads DBW_SANITIZE_KEY_VAR from
 * the process environment. The key bytes are copied (and wiped on free).
 * @return 0; DBW_ECONFIG when the key is missing or shorter than
 *         DBW_SANITIZE_KEY_MIN (the hint says how to make one); DBW_ENOMEM.
 */
int dbw_sanitizer_new(dbw_sanitizer **out, const char *key, dbw_error *err);
/** Free a sanitizer (its key wiped); NULL is accepted. A sanitizer serves one thread at a time. */
void dbw_sanitizer_free(dbw_sanitizer *s);

/**
 * Apply one rule to one value. in is the value's text (in_len bytes, need
 * not be NUL-terminated), or NULL for SQL NULL (which stays NULL for every
 * rule but set: a missing value reveals nothing). *out receives a malloc'd NUL-terminated result
 * (caller frees) or NULL for SQL NULL; *out_len its length.
 * Deterministic: the output depends only on the kind, the argument, the
 * key and the input bytes (never on the table or column), so equal inputs
 * stay equal everywhere. hash and hash_email outputs are distinct for
 * distinct inputs in practice (128 and 80 bits of HMAC, see docs/copy.md).
 * @return 0; DBW_ENOMEM.
 */
int dbw_sanitize_value(const dbw_sanitizer *s, dbw_rule_kind kind, const char *arg, const char *in,
                       size_t in_len, char **out, size_t *out_len, dbw_error *err);

/* ---- the PII guard ---- */

/**
 * Why a column looks personal: the matched word of its name (e.g. "email")
 * or type ("inet"), as a static string; NULL when it does not. Names are
 * split into words on '_' and lower/upper case changes (firstName ->
 * first, name), and a word must match whole, so "zip_code" is not "ip".
 */
const char *dbw_pii_reason(const char *column, const char *type);

/** One column of the source that looks personal and that no rule covers. */
typedef struct dbw_pii_finding {
	char *schema, *table, *column, *type;
	const char *reason; /**< static, from dbw_pii_reason */
} dbw_pii_finding;

typedef struct dbw_pii_report {
	dbw_pii_finding *items; /**< schema, table, column order */
	size_t count;
	size_t n_tables, n_columns; /**< what was examined (skipped tables excluded) */
} dbw_pii_report;

/**
 * Examine the tables of the database behind c (PostgreSQL: every user
 * schema; SQLite: main) and list the personal-looking columns without a
 * rule. tables (comma list, or NULL for all) limits the check to the tables
 * a copy would move. Reads only. *out caller-owned.
 * @return 0 (the report may be empty); DBW_ESQL; DBW_ENOMEM.
 */
int dbw_pii_check(dbw_conn *c, const dbw_rules *rules, const char *tables, dbw_pii_report **out,
                  dbw_error *err);
void dbw_pii_report_free(dbw_pii_report *r);

/* ---- the copy ---- */

/** Progress of a copy, for a progress bar. */
typedef struct dbw_copy_progress {
	const char *table; /**< "schema.table" being copied */
	size_t table_index, n_tables;
	long long table_rows;     /**< rows of this table so far */
	long long table_rows_est; /**< the planner's estimate for it (reltuples), -1 unknown */
	long long rows, rows_est; /**< overall so far / estimated */
	long long bytes;          /**< COPY text bytes read from the source so far */
	long long elapsed_ms;
	int table_done; /**< 1 on the last call for a table */
} dbw_copy_progress;

typedef void (*dbw_copy_progress_fn)(const dbw_copy_progress *p, void *ctx);

typedef struct dbw_copy_options {
	const dbw_rules *rules;  /**< required (an empty set is fine) */
	const char *key;         /**< sanitize key; NULL: DBWARD_SANITIZE_KEY */
	const char *tables;      /**< "t1,t2" or NULL for every table */
	int allow_unreviewed;    /**< copy despite PII findings */
	int target_protected;    /**< the target environment is protected: refuse */
	const char *target_name; /**< for messages ("production") */
	dbw_copy_progress_fn on_progress;
	void *ctx;
	long progress_every_rows; /**< 0: 50000 */
} dbw_copy_options;

#define DBW_COPY_OPTIONS_INIT                                                                      \
	{                                                                                          \
		NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 0                                        \
	}

typedef struct dbw_copy_table {
	char *schema, *name;
	long long rows;
	long long bytes;
	int skipped;                          /**< `* = skip` */
	long long rewritten[DBW_RULE__COUNT]; /**< values each rule changed (keep: 0) */
} dbw_copy_table;

typedef struct dbw_copy_result {
	dbw_copy_table *tables; /**< in copy order */
	size_t count;
	long long rows, bytes;
	long long rewritten[DBW_RULE__COUNT];
	size_t n_sequences; /**< sequences set to the source's values */
	long long elapsed_ms;
	dbw_pii_report *pii; /**< the findings (copied anyway with allow_unreviewed) */
} dbw_copy_result;

/**
 * Copy every table (or opts->tables) from src to dst (DESIGN.md "copy").
 * src is read in one REPEATABLE READ, READ ONLY snapshot and never written;
 * dst changes inside one transaction: TRUNCATE of the copied tables, the
 * rows (COPY FROM STDIN on PostgreSQL, prepared inserts on SQLite) in
 * foreign-key order, then the sequences; any failure rolls it all back.
 * The schema check (history tables) is the caller's: dbw_copy_schema_sync.
 * *result_out (may be NULL) caller-owned; NULL on failure.
 * @return 0; DBW_EPOLICY when opts->target_protected or when personal
 *         columns lack rules and allow_unreviewed is 0; DBW_ECONFIG without
 *         a usable key; DBW_ENOTFOUND for a --tables name the source lacks;
 *         DBW_EUSAGE for an engine pair not supported (SQLite to PostgreSQL)
 *         or a foreign-key cycle without deferrable constraints; DBW_ESQL.
 */
int dbw_copy(dbw_conn *src, dbw_conn *dst, const dbw_copy_options *opts,
             dbw_copy_result **result_out, dbw_error *err);
void dbw_copy_result_free(dbw_copy_result *r);

/** How the target's migration history compares with the source's. */
typedef enum dbw_schema_state {
	DBW_SCHEMA_SAME = 0, /**< same applied migrations (or neither has a history) */
	DBW_SCHEMA_BEHIND,   /**< the target lacks some of the source's, and nothing else differs */
	DBW_SCHEMA_DIFFERS   /**< the target has migrations the source lacks, or checksums differ */
} dbw_schema_state;

typedef struct dbw_schema_check {
	dbw_schema_state state;
	char *source_version; /**< newest applied on the source, or NULL */
	char *target_version; /**< newest applied on the target, or NULL */
	char *difference;     /**< a sentence naming what differs, or NULL when SAME */
	size_t n_missing;     /**< source migrations the target lacks */
} dbw_schema_check;

/**
 * Compare the history tables (dbward_migrations, else _prisma_migrations)
 * of src and dst: the migrations each has applied and their checksums.
 * Reads only. *out caller-owned (dbw_schema_check_free).
 * @return 0; DBW_ESQL.
 */
int dbw_copy_schema_check(dbw_conn *src, dbw_conn *dst, dbw_schema_check **out, dbw_error *err);
void dbw_schema_check_free(dbw_schema_check *c);

/**
 * Make sure dst is at src's migration version before a copy. When dst is
 * behind and set is non-NULL (--deploy), the missing migrations are deployed
 * to dst with dbw_deploy (up to src's newest version) and the check runs
 * again. *out (may be NULL) receives the last check; *deployed_out (may be
 * NULL) how many migrations were applied.
 * @return 0 when both are at one version; DBW_EPENDING when dst is behind
 *         and set is NULL (hint: --deploy); DBW_EDRIFT when the histories
 *         differ otherwise (detail names the difference); dbw_deploy's codes.
 */
int dbw_copy_schema_sync(dbw_conn *src, dbw_conn *dst, const dbw_migration_set *set,
                         dbw_schema_check **out, size_t *deployed_out, dbw_error *err);

/**
 * Refuse a protected target environment before anything connects
 * (DESIGN.md: "B must not be protected"). After connecting, callers run
 * dbw_guard for "copy-into" on the target (identity, stamp, deny =) and
 * for "read" on the source.
 * @return 0; DBW_EPOLICY for a protected target.
 */
int dbw_copy_check_target(const dbw_env *target, dbw_error *err);

#ifdef __cplusplus
}
#endif
#endif
