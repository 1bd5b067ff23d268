/*
 * dbward/schema.h - the live schema as one normalized model: introspection
 * (PostgreSQL through pg_catalog, SQLite through sqlite_schema and pragmas),
 * a deterministic dump, differences between two schemas (in words, JSON and
 * DDL), the shadow database, drift, and `verify`.
 *
 * The model is a flat, sorted list of objects. Each object has a kind, a
 * name (schema, owning table, name), the DDL that creates it, and a list of
 * facts ("attributes": type, not_null, default, definition, ...) that diff
 * compares one by one. Sorting is by (kind, schema, table, name) and never
 * by OID or creation order, so the same database always gives the same model.
 *
 * Excluded everywhere: pg_catalog, information_schema, pg_toast, temporary
 * schemas, objects that belong to an extension (pg_depend deptype 'e'), and
 * dbward's own bookkeeping: every table named dbward_* and Prisma's
 * _prisma_migrations (history, seeds, stamp, audit), with their sequences,
 * indexes and constraints. On SQLite also sqlite_* internal tables.
 */
#ifndef DBWARD_SCHEMA_H
#define DBWARD_SCHEMA_H

#include <stddef.h>
#include "error.h"
#include "db.h"
#include "config.h"
#include "migrate.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of objects, in the order a dump creates them (dependencies first). */
typedef enum dbw_obj_kind {
	DBW_OBJ_SCHEMA = 0,
	DBW_OBJ_EXTENSION,
	DBW_OBJ_ENUM,
	DBW_OBJ_DOMAIN,
	DBW_OBJ_COMPOSITE,
	DBW_OBJ_RANGE,
	DBW_OBJ_SEQUENCE, /**< sequences; identity sequences are a column's attribute */
	DBW_OBJ_FUNCTION, /**< functions and procedures */
	DBW_OBJ_TABLE,    /**< tables, partitioned tables, partitions, inheritance children */
	DBW_OBJ_COLUMN,
	DBW_OBJ_CONSTRAINT, /**< primary key, unique, foreign key, check, exclusion */
	DBW_OBJ_INDEX,
	DBW_OBJ_STATISTICS, /**< extended statistics (CREATE STATISTICS) */
	DBW_OBJ_VIEW,       /**< views and materialized views (attribute "materialized") */
	DBW_OBJ_TRIGGER,
	DBW_OBJ_RULE, /**< rewrite rules other than a view's own */
	DBW_OBJ_EVENT_TRIGGER,
	DBW_OBJ_POLICY,
	DBW_OBJ_PUBLICATION,
	DBW_OBJ_GRANT, /**< privileges that differ from the default, per object (owner's own left
	                  out) */
	DBW_OBJ_COMMENT,
	DBW_OBJ__COUNT
} dbw_obj_kind;

/** "schema", "extension", "enum", ..., "comment". */
const char *dbw_obj_kind_name(dbw_obj_kind kind);

/** One fact about an object. value NULL means "not set" (no default, ...). */
typedef struct dbw_schema_attr {
	char *key;
	char *value;
} dbw_schema_attr;

/**
 * One object. Every string is owned by the model.
 * - schema: the namespace; NULL for schemas, extensions, event triggers and
 *   publications; "main" on SQLite.
 * - table: the owning table for columns, constraints, indexes, triggers and
 *   policies; NULL otherwise.
 * - name: functions "name(input argument types)" as pg_dump and DROP
 *   FUNCTION write them; comments "<kind> <target>" ("column app.users.email");
 *   SQLite's unnamed constraints by what they say ("foreign key (a) -> t(b)").
 * - sql: the DDL that creates it, ending with ';' (a column: its definition
 *   inside CREATE TABLE); NULL for what another object's DDL makes: a
 *   partition's copy of its parent's index or constraint (attribute
 *   "attached_to"), SQLite columns and constraints.
 * - rank: order inside the kind for dependencies (tables: partition depth;
 *   views: how deep they stack on views; functions: callees first, and
 *   1000 and up when a table must exist first; columns: their position).
 *   Not compared by diff.
 * - attrs: the facts diff compares, a fixed list per kind (docs/json.md).
 */
typedef struct dbw_schema_obj {
	dbw_obj_kind kind;
	char *schema;
	char *table;
	char *name;
	char *sql;
	int rank;
	dbw_schema_attr *attrs;
	size_t n_attrs;
} dbw_schema_obj;

/** A whole schema. Free with dbw_schema_free. */
typedef struct dbw_schema {
	dbw_db_kind engine;
	dbw_schema_obj *objs; /**< sorted by (kind, schema, table, name), byte order */
	size_t count;
} dbw_schema;

typedef struct dbw_schema_options {
	int include_dbward_tables; /**< 1: keep dbward_* and _prisma_migrations (default 0) */
} dbw_schema_options;

#define DBW_SCHEMA_OPTIONS_INIT                                                                    \
	{                                                                                          \
		0                                                                                  \
	}

/**
 * Read the schema of the database behind c into the model. Reads only.
 * opts may be NULL. *out is caller-owned (dbw_schema_free); NULL on failure.
 * @return 0; DBW_ESQL / DBW_ECONNECT when a catalog query fails; DBW_ENOMEM.
 */
int dbw_schema_introspect(dbw_schema **out, dbw_conn *c, const dbw_schema_options *opts,
                          dbw_error *err);

/** Free a model; NULL is accepted. */
void dbw_schema_free(dbw_schema *s);

/** The object with this key (table NULL for top-level objects), or NULL. */
const dbw_schema_obj *dbw_schema_find(const dbw_schema *s, dbw_obj_kind kind, const char *schema,
                                      const char *table, const char *name);

/** The value of attribute key of o, or NULL when unset or absent. */
const char *dbw_schema_obj_attr(const dbw_schema_obj *o, const char *key);

/**
 * The model as SQL that recreates it, deterministic: the same model gives
 * byte-identical text. Objects appear by kind in dependency order, then by
 * schema and name. *out caller-owned (free()).
 * @return 0; DBW_ENOMEM.
 */
int dbw_schema_dump_sql(const dbw_schema *s, char **out, dbw_error *err);

/**
 * The model as a JSON document (docs/json.md "schema dump"): {"engine",
 * "objects": [{"kind","schema","table","name","sql","attributes":{...}}]}.
 * *out caller-owned (free()). @return 0; DBW_ENOMEM.
 */
int dbw_schema_dump_json(const dbw_schema *s, char **out, dbw_error *err);

/* ---- differences ---- */

typedef enum dbw_change {
	DBW_CHANGE_ADDED = 0, /**< only in B */
	DBW_CHANGE_REMOVED,   /**< only in A */
	DBW_CHANGE_CHANGED    /**< in both, some attributes differ */
} dbw_change;

/** "added", "removed", "changed". */
const char *dbw_change_name(dbw_change c);

/** One attribute that differs: its value in A and in B (NULL: unset). */
typedef struct dbw_attr_change {
	const char *key;
	const char *a;
	const char *b;
} dbw_attr_change;

/** One object that differs. Pointers refer into the two models, which must outlive the diff. */
typedef struct dbw_diff_item {
	dbw_change change;
	const dbw_schema_obj *a; /**< NULL when added */
	const dbw_schema_obj *b; /**< NULL when removed */
	dbw_attr_change *attrs;  /**< CHANGED: the differing attributes */
	size_t n_attrs;
} dbw_diff_item;

typedef struct dbw_schema_diff {
	dbw_diff_item *items; /**< in model order (kind, schema, table, name) */
	size_t count;
	const dbw_schema *a, *b; /**< the two models compared (not owned) */
} dbw_schema_diff;

/**
 * Compare two models: what turns A into B. The parts of a table that is
 * added or removed (its columns; for a removed one also its constraints,
 * indexes, triggers and policies) are folded into the table's item. *out caller-owned
 * (dbw_schema_diff_free); a and b must outlive it.
 * @return 0 (count 0: identical); DBW_ENOMEM.
 */
int dbw_schema_diff_build(dbw_schema_diff **out, const dbw_schema *a, const dbw_schema *b,
                          dbw_error *err);
void dbw_schema_diff_free(dbw_schema_diff *d);

/**
 * The differences in words, one block per object, e.g.
 *   column public.users.email: differs
 *       default: 'a'::text in staging, 'b'::text in production
 * ("<object>: only in <label>" for added and removed ones; long or
 * multi-line values such as function bodies as a line diff, "-" lines from
 * A and "+" lines from B). label_a / label_b name the two sides ("staging",
 * "the migrations").
 * *out caller-owned. @return 0; DBW_ENOMEM.
 */
int dbw_schema_diff_text(const dbw_schema_diff *d, const char *label_a, const char *label_b,
                         char **out, dbw_error *err);

/** The differences as JSON (docs/json.md "diff"). *out caller-owned. @return 0; DBW_ENOMEM. */
int dbw_schema_diff_json(const dbw_schema_diff *d, char **out, dbw_error *err);

/**
 * DDL that turns A into B: drops first (dependents before what they depend
 * on), then creates and alters in dump order. Statements that lose data
 * (DROP TABLE, DROP COLUMN, a column type change, a dropped enum value that
 * PostgreSQL cannot drop) are preceded by "-- destructive: ..." comments.
 * engine selects the dialect. *out caller-owned. @return 0; DBW_ENOMEM.
 */
int dbw_schema_diff_sql(const dbw_schema_diff *d, dbw_db_kind engine, char **out, dbw_error *err);

/* ---- the shadow database ---- */

typedef struct dbw_shadow dbw_shadow;

/**
 * Make an empty throwaway database to replay migrations in.
 * PostgreSQL: with shadow_url NULL, CREATE DATABASE dbward_shadow_<pid>_<n>
 * TEMPLATE template0 on the server behind live (so nothing added to
 * template1 leaks in; needs CREATEDB), connected with live's URL and the
 * database swapped; with shadow_url set, that database is used and every
 * object in it is dropped first and afterwards. SQLite: sqlite::memory:.
 * A created database is recorded in a process-wide registry until it is
 * dropped, so that dbw_shadow_cleanup_all() can remove it from a signal
 * handler. *out caller-owned: dbw_shadow_drop always removes it.
 * @return 0; DBW_ESQL when the database cannot be created (hint: shadow_url);
 *         DBW_ECONNECT; DBW_ENOMEM.
 */
int dbw_shadow_create(dbw_shadow **out, dbw_conn *live, const char *live_url,
                      const char *shadow_url, dbw_error *err);

/** The connection to the shadow database (owned by the shadow). */
dbw_conn *dbw_shadow_conn(dbw_shadow *sh);

/** The shadow database's name ("" for SQLite memory). */
const char *dbw_shadow_name(const dbw_shadow *sh);

/**
 * Close and drop the shadow database (DROP DATABASE ... WITH (FORCE)), remove
 * it from the registry and free sh. NULL is accepted. Returns 0 or the code of
 * a failed drop (the registry keeps the name so a later cleanup retries).
 */
int dbw_shadow_drop(dbw_shadow *sh, dbw_error *err);

/**
 * Drop every shadow database this process created and has not dropped yet.
 * For the command's SIGINT / SIGTERM handler and atexit: the library never
 * installs handlers itself. It opens a fresh connection per database (not
 * async-signal-safe in the strict sense: call it from a handler that then
 * re-raises the signal, as dbward does). @return how many were dropped.
 */
int dbw_shadow_cleanup_all(void);

/**
 * The shadow_url configured for env: [env.NAME] shadow_url, else [project]
 * shadow_url, else NULL. The pointer lives as long as env / p.
 */
const char *dbw_shadow_url_for(const dbw_env *env, const dbw_project *p);

/**
 * The shadow setup file configured for env: [env.NAME] shadow_setup, else
 * [project] shadow_setup, as an absolute path (relative ones are taken from
 * the project root). Caller frees; NULL when none is configured.
 */
char *dbw_shadow_setup_for(const dbw_env *env, const dbw_project *p);

/* ---- drift ---- */

typedef struct dbw_drift_options {
	/** The URL c was opened with, to reach the same server; required on PostgreSQL. */
	const char *live_url;
	/** NULL: a temporary database on the live server. */
	const char *shadow_url;
	/** SQL file run in the shadow before the replay: objects the migrations expect
	 *  but do not create (e.g. golang-migrate's schema_migrations for Harbor), or NULL. */
	const char *setup_path;
	dbw_event_fn on_event; /**< replay progress, or NULL */
	void *ctx;
} dbw_drift_options;

#define DBW_DRIFT_OPTIONS_INIT                                                                     \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL                                                       \
	}

/** What a drift check found. Free with dbw_drift_free. */
typedef struct dbw_drift {
	dbw_schema *expected;  /**< the schema the applied migrations produce */
	dbw_schema *live;      /**< the live schema */
	dbw_schema_diff *diff; /**< expected -> live: what someone changed by hand */
	size_t n_replayed;     /**< migrations replayed in the shadow database */
	long elapsed_ms;
} dbw_drift;

/**
 * Drift: replay the migrations the history of c records as applied
 * (applied, cosmetic or modified; in folder order, pending ones left out)
 * with dbw_deploy in a shadow database (after opts->setup_path, when set),
 * introspect both and compare (DESIGN.md "drift"). The shadow is dropped
 * afterwards, also when a migration fails. *out caller-owned
 * (dbw_drift_free), also when drift is found.
 * @return 0 when the live schema is what the migrations produce;
 *         DBW_EDRIFT when it differs (*out holds the differences);
 *         DBW_ESQL when a migration or the setup file fails in the shadow
 *         (err->where file:line, err->detail says it was the replay);
 *         DBW_ESQL / DBW_ECONNECT when the shadow cannot be made (see
 *         dbw_shadow_create); DBW_EIO for an unreadable setup file; DBW_ENOMEM.
 */
int dbw_drift_check(dbw_drift **out, dbw_conn *c, const dbw_migration_set *set,
                    const dbw_drift_options *opts, dbw_error *err);
void dbw_drift_free(dbw_drift *d);

/**
 * The guard deploy runs before touching a protected environment (issue 5
 * item 6): runs dbw_drift_check and refuses on drift unless allow_drift is
 * set (the caller audits the reason). Unprotected environments pass without
 * a check. *drift_out (may be NULL) receives the findings for the report.
 * @return 0 (no drift, not protected, or allowed); DBW_EDRIFT with message
 *         "cannot deploy to protected environment \"production\": its schema
 *         has drifted", detail counting the differences and hint naming
 *         `dbward diff ENV --migrations` and --allow-drift --reason; errors of
 *         dbw_drift_check.
 */
int dbw_drift_guard(dbw_conn *c, const dbw_env *env, const dbw_migration_set *set,
                    const dbw_drift_options *opts, int allow_drift, dbw_drift **drift_out,
                    dbw_error *err);

/* ---- verify ---- */

typedef struct dbw_verify_options {
	dbw_drift_options drift;
	int skip_drift;       /**< 1: history only */
	dbw_conn *against;    /**< a second environment to compare with, or NULL */
	int pending_is_error; /**< pending migrations count as a problem (exit 4) */
} dbw_verify_options;

#define DBW_VERIFY_OPTIONS_INIT                                                                    \
	{                                                                                          \
		DBW_DRIFT_OPTIONS_INIT, 0, NULL, 0                                                 \
	}

typedef struct dbw_verify_report {
	dbw_status *status;    /**< history against the folder */
	dbw_drift *drift;      /**< NULL when skipped or not reached */
	dbw_error drift_error; /**< why the drift check could not run (code 0 when it ran) */
	dbw_schema *live;      /**< the live schema when the drift check did not read it, or NULL */
	dbw_schema *against;   /**< the other environment's schema, or NULL */
	dbw_schema_diff *against_diff; /**< live -> against */
	int code;                      /**< the most severe finding (dbw_error_worst): DBW_EHISTORY,
	                                *   DBW_EDRIFT, DBW_EPENDING, the code of a drift check that could
	                                *   not run (drift_error says why), or 0 */
} dbw_verify_report;

/**
 * `dbward verify`: the history against the folder (dbw_status_build), drift
 * (unless skipped; the applied migrations are replayed even when another one
 * failed, so both problems are reported),
 * and optionally a comparison with another environment, as one report whose
 * code is the most severe finding (dbw_error_worst: 6 before 5 before 4).
 * *out caller-owned (dbw_verify_free).
 * @return 0 when the checks ran (the findings are in (*out)->code); DBW_ESQL /
 *         DBW_ECONNECT / DBW_ENOMEM when they could not.
 */
int dbw_verify_run(dbw_verify_report **out, dbw_conn *c, const dbw_migration_set *set,
                   const dbw_verify_options *opts, dbw_error *err);
void dbw_verify_free(dbw_verify_report *r);

#ifdef __cplusplus
}
#endif
#endif
