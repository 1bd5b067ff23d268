/*
 * config_internal.h - what the files of src/config share: the loaded
 * project (settings with file:line), the dotenv parser and ${VAR} expansion.
 * Internal to the config layer (and its unit tests).
 */
#ifndef DBW_CONFIG_INTERNAL_H
#define DBW_CONFIG_INTERNAL_H

#include <stddef.h>
#include <dbward/config.h>
#include "util/util.h"

/* One line of dbward.ini, kept as written (no expansion). */
typedef struct dbw_setting {
	char *section; /* "project", "env.production", ... */
	char *key;
	char *value;
	int line; /* 1-based line in the project's config file */
} dbw_setting;

struct dbw_project {
	char *root;           /* absolute */
	char *config_path;    /* absolute, or NULL */
	char *migrations_dir; /* absolute */
	char *seeds_dir;      /* absolute */
	char *format;
	dbw_strv env_vars;  /* names that choose the environment, in order */
	dbw_strv env_names; /* known environments */
	dbw_setting *settings;
	size_t n_settings, cap_settings;
	char *const *environ; /* caller's, or NULL for the real one */
};

/* 1 when name is a migration format dbward.ini may name ("auto", "dbward", ...). */
int dbw_config__format_known(const char *name);

/* The name in names closest to a mistyped name (distance <= 2, or name a
 * prefix of it), or NULL. Points into names. */
const char *dbw_config__suggest(const dbw_strv *names, const char *name);

/* "DEV_", "TEST_", "STAGING_" for development, test, staging; else NULL. */
const char *dbw_config__url_prefix(const char *env);

/* Rewrite sqlite:RELATIVE in *url as sqlite:<root>/RELATIVE, so that a
 * subfolder reaches the same file. 0, or -1 on ENOMEM (*url then NULL). */
int dbw_config__anchor_sqlite(const char *root, char **url);

/* The setting (last one wins) or NULL. */
const dbw_setting *dbw_project__find(const dbw_project *p, const char *section, const char *key);

/* The process environment the project was opened with. */
char *const *dbw_project__environ(const dbw_project *p);

/* Looks a variable up for ${VAR} expansion; NULL when undefined. */
typedef const char *(*dbw_lookup_fn)(void *ctx, const char *name);

/* Receives each variable of a dotenv file, in file order. Nonzero stops (DBW_ENOMEM). */
typedef int (*dbw_dotenv_emit_fn)(void *ctx, const char *key, const char *value, int line);

/*
 * Parse dotenv text (the dotenv / dotenv-expand / godotenv convention):
 * KEY=VALUE, optional `export `, # comments, '...' literal, "..." with
 * escapes and several lines, `...` literal, ${VAR} / $VAR / ${VAR:-default}
 * expanded in unquoted and double-quoted values through lookup (which sees
 * the variables emitted so far). file names the text in errors.
 * @return 0; DBW_ECONFIG for a malformed line (err->where = file:line); DBW_ENOMEM.
 */
int dbw_dotenv__parse(const char *text, const char *file, dbw_lookup_fn lookup,
                      dbw_dotenv_emit_fn emit, void *ctx, dbw_error *err);

/*
 * Expand ${VAR}, ${VAR:-default} and $VAR in text through lookup. An
 * undefined variable: with strict, DBW_ECONFIG and *missing_out names it
 * (caller frees); without, it expands to "". *out caller-owned.
 * @return 0; DBW_ECONFIG (undefined in strict mode, or an unterminated ${);
 *         DBW_ENOMEM.
 */
int dbw_config__expand(const char *text, dbw_lookup_fn lookup, void *ctx, int strict, char **out,
                       char **missing_out, dbw_error *err);

#endif
