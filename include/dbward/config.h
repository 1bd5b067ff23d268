/*
 * dbward/config.h - the project (dbward.ini) and environment resolution.
 *
 * A project is found by walking up from the working directory to the first
 * folder holding dbward.ini, the way git finds .git; without one the working
 * directory is the root and DESIGN.md's defaults apply. An environment is
 * resolved from --env, else the first set variable of [project] env_vars
 * (default DATABASE_ENV, NODE_ENV), else "development". Variables come from
 * the dotenv cascade .env, .env.local, .env.<env>, .env.<env>.local (later
 * wins) and the process environment, which wins over every file (the dotenv
 * convention). Every value remembers where it came from and what it shadowed,
 * for `dbward env --explain`.
 */
#ifndef DBWARD_CONFIG_H
#define DBWARD_CONFIG_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbw_project dbw_project;

typedef struct dbw_project_options {
	const char *cwd;         /**< where to start the search; NULL: the working directory */
	const char *config_path; /**< explicit dbward.ini (-c); NULL: search upward */
	char *const *environ;    /**< the "process environment"; NULL: the real one */
} dbw_project_options;

#define DBW_PROJECT_OPTIONS_INIT                                                                   \
	{                                                                                          \
		NULL, NULL, NULL                                                                   \
	}

/**
 * Find and load the project. *out is owned by the caller (dbw_project_free).
 * @return 0; DBW_ECONFIG when dbward.ini cannot be parsed (err->where names
 *         file:line) or -c names a missing file; DBW_ENOMEM.
 */
int dbw_project_open(dbw_project **out, const dbw_project_options *opts, dbw_error *err);

/** Free a project; NULL is accepted. */
void dbw_project_free(dbw_project *p);

/** Absolute folder of dbward.ini, or the starting folder when there is none. */
const char *dbw_project_root(const dbw_project *p);

/** Absolute path of the dbward.ini in use, or NULL when there is none. */
const char *dbw_project_config_path(const dbw_project *p);

/** Absolute migrations folder ([project] migrations; default db/migrations, or a detected
 * prisma/migrations). */
const char *dbw_project_migrations_dir(const dbw_project *p);

/** Absolute seeds folder ([project] seeds; default db/seeds). */
const char *dbw_project_seeds_dir(const dbw_project *p);

/** [project] format: "auto" (default), "dbward", "prisma", "dbmate", "golang-migrate" or "flyway".
 */
const char *dbw_project_format(const dbw_project *p);

/**
 * The environments the project knows: every [env.NAME] section, and always
 * development, test, staging and production. Index i < dbw_project_env_count.
 */
size_t dbw_project_env_count(const dbw_project *p);
const char *dbw_project_env_name(const dbw_project *p, size_t i);

/**
 * A raw setting of dbward.ini (before ${VAR} expansion), or NULL.
 * section is e.g. "project", "env.production", "lint"; the pointer lives as long as p.
 */
const char *dbw_project_setting(const dbw_project *p, const char *section, const char *key);

/** Where a value came from. */
typedef enum dbw_source_kind {
	DBW_SOURCE_DEFAULT = 0, /**< built-in default */
	DBW_SOURCE_PROCESS,     /**< the process environment */
	DBW_SOURCE_DOTENV,      /**< a dotenv file (file, line) */
	DBW_SOURCE_CONFIG,      /**< dbward.ini (file, line) */
	DBW_SOURCE_OPTION       /**< a command-line option such as --env */
} dbw_source_kind;

typedef struct dbw_source {
	dbw_source_kind kind;
	const char *file;  /**< absolute path for DOTENV / CONFIG, else NULL */
	int line;          /**< 1-based line in file, else 0 */
	const char *value; /**< the value found there; URLs with the password redacted */
} dbw_source;

/** One variable or setting used to resolve an environment, with what won and what it shadowed. */
typedef struct dbw_trace {
	const char *name;           /**< "DATABASE_URL", "environment", "env.production.url", ... */
	dbw_source winner;          /**< the source that supplied the value */
	const dbw_source *shadowed; /**< sources that also set it but lost, most to least recent */
	size_t n_shadowed;
} dbw_trace;

/** A resolved environment. Strings are owned by the record; free with dbw_env_free. */
typedef struct dbw_env {
	char *name;          /**< e.g. "production" */
	char *url;           /**< the database URL (may hold a password: never print it raw) */
	char *direct_url;    /**< direct_url when configured, else NULL */
	char *migration_url; /**< what migrations use: direct_url when set, else url (not separately
	                        owned if equal) */
	char *url_origin;    /**< how url was chosen, e.g. "TEST_DATABASE_URL from .env.test:3" */
	int is_protected;    /**< destructive work refused (production by default; `protected =`) */
	char *expect_database; /**< glob the live database name must match, or NULL */
	char *backup_dir;      /**< absolute backup folder, or NULL */
	long lock_timeout_ms;  /**< `lock_timeout` applied to migration sessions; 0: the server's */
	long connect_timeout_ms; /**< `connect_timeout`; 0: libpq's default */
} dbw_env;

/**
 * Resolve environment `name` (NULL: --env is absent, choose as described at
 * the top). *out is owned by the caller (dbw_env_free).
 * @return 0; DBW_ENOTFOUND for a name the project does not know (hint lists
 *         the known ones); DBW_ECONFIG when no URL can be found for a
 *         non-development environment, a ${VAR} is undefined, the URL is
 *         malformed (dbw_url_kind knows no engine for it), a dotenv file or
 *         a duration or boolean setting is malformed (err->where = file:line);
 *         DBW_EIO when a dotenv file exists but cannot be read; DBW_ENOMEM.
 */
int dbw_env_resolve(dbw_env **out, const dbw_project *p, const char *name, dbw_error *err);

/** Free a resolved environment; NULL is accepted. */
void dbw_env_free(dbw_env *e);

/** A setting of [env.NAME] after ${VAR} expansion (e.g. "allow", "keep_backups"), or NULL. */
const char *dbw_env_setting(const dbw_env *e, const char *key);

/** A variable's value after the dotenv cascade for this environment (process wins), or NULL. */
const char *dbw_env_var(const dbw_env *e, const char *name);

/**
 * How the environment's name was chosen: "--env", "DATABASE_ENV from the
 * process environment", "NODE_ENV from /abs/.env:2" or "the default".
 * The pointer lives as long as e.
 */
const char *dbw_env_name_origin(const dbw_env *e);

/**
 * Variables the resolution looked for but found nowhere (e.g. NODE_ENV,
 * TEST_DATABASE_URL when DATABASE_URL was used instead), in the order they
 * were read: index i < dbw_env_unset_count. For `env --explain`.
 */
size_t dbw_env_unset_count(const dbw_env *e);
const char *dbw_env_unset_name(const dbw_env *e, size_t i);

/** The traces behind the resolution, for `env --explain`: index i < dbw_env_trace_count. */
size_t dbw_env_trace_count(const dbw_env *e);
const dbw_trace *dbw_env_trace(const dbw_env *e, size_t i);

/**
 * Parse a duration such as "5s", "250ms", "2m", "1h" or a bare number of
 * seconds into milliseconds.
 * @return 0; DBW_ECONFIG for anything else.
 */
int dbw_duration_parse(const char *text, long *ms_out, dbw_error *err);

/** What dbw_project_scaffold did to one path. */
typedef enum dbw_scaffold_action {
	DBW_SCAFFOLD_CREATED = 0, /**< did not exist; written */
	DBW_SCAFFOLD_KEPT,        /**< existed; left exactly as it was */
	DBW_SCAFFOLD_UPDATED      /**< existed; lines appended (.gitignore rules) */
} dbw_scaffold_action;

typedef struct dbw_scaffold_item {
	char *path; /**< relative to the project folder, e.g. "db/migrations/" */
	dbw_scaffold_action action;
	int added; /**< lines appended, for DBW_SCAFFOLD_UPDATED / CREATED .gitignore */
} dbw_scaffold_item;

typedef struct dbw_scaffold_result {
	dbw_scaffold_item *items;
	size_t count;
} dbw_scaffold_result;

/**
 * Scaffold a project in folder dir (DESIGN.md `init`): dbward.ini (a
 * commented template: the four environments, protected production,
 * direct_url, expect_database), the migrations folder (db/migrations, or
 * prisma/migrations for format "prisma"), db/seeds/shared/, .env.example
 * (variable names, no secrets) and ignore rules appended to .gitignore
 * (.env.local, .env.<env>.local, SQLite files in db/, backups/) without duplicating a
 * line. Never overwrites an existing file: running it twice changes nothing.
 * format: NULL or one of dbw_project_format's values. *out caller-owned
 * (dbw_scaffold_result_free); on failure *out is NULL.
 * @return 0; DBW_EUSAGE for an unknown format; DBW_EIO when a file or
 *         folder cannot be written; DBW_ENOMEM.
 */
int dbw_project_scaffold(const char *dir, const char *format, dbw_scaffold_result **out,
                         dbw_error *err);

/** Free a scaffold result; NULL is accepted. */
void dbw_scaffold_result_free(dbw_scaffold_result *r);

#ifdef __cplusplus
}
#endif
#endif
