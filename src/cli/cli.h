/*
 * cli.h - what every command file shares: the global options, the command
 * table entry, and output helpers (text for people, JSON for CI). Only this
 * folder prints or maps return codes to exit statuses.
 */
#ifndef DBW_CLI_H
#define DBW_CLI_H

#include <stdio.h>
#include <jansson.h>
#include <dbward.h>
#include "util/util.h"

typedef struct dbw_cli {
	const char *env_name;    /* -e/--env, or NULL */
	const char *config_path; /* -c/--config, or NULL */
	const char *confirm;     /* --confirm DBNAME, or NULL */
	int json;                /* --json */
	int quiet;               /* -q */
	int verbose;             /* -v */
	int color;               /* colours on stdout/stderr (TTY, no --no-color, no NO_COLOR) */
	int yes;                 /* --yes */
	int stdout_tty, stderr_tty, stdin_tty;
	const char *command;  /* the command's name */
	char *command_line;   /* argv joined, passwords redacted (for audit) */
	dbw_project *project; /* opened on demand by cli_project */
} dbw_cli;

typedef struct dbw_command {
	const char *name;
	int (*run)(dbw_cli *cli, int argc, char **argv);
	const char *summary; /* one line for `dbward help` */
	const char *usage;   /* the full --help text */
} dbw_command;

/* ---- lifecycle helpers ---- */
/* The project, opened once (for -c / search). 0 or a DBW_E code in err. */
int cli_project(dbw_cli *cli, dbw_project **out, dbw_error *err);
/* Resolve the selected environment. *out caller-owned. */
int cli_env(dbw_cli *cli, dbw_env **out, dbw_error *err);
/* Connect to env (migration_url when for_migrations). *out caller-owned. */
int cli_connect(dbw_cli *cli, const dbw_env *env, int for_migrations, dbw_conn **out,
                dbw_error *err);
/* Connect to env's url to read only: a SQLite file opens read-only and is never created. */
int cli_connect_read_only(dbw_cli *cli, const dbw_env *env, dbw_conn **out, dbw_error *err);
/* Load the project's migration folder. *out caller-owned. */
int cli_migrations(dbw_cli *cli, dbw_migration_set **out, dbw_error *err);

/* ---- output ---- */
/* Print err as "dbward: error: ...", "detail: ...", "hint: ..." on stderr (and a JSON error
 * document on stdout with --json); return the exit status for its code. */
int cli_fail(dbw_cli *cli, const dbw_error *err);
/* Like cli_fail, but with --json the error goes into doc (which it steals) next to the
 * facts already there, e.g. what a deploy applied before it failed. */
int cli_fail_with(dbw_cli *cli, const dbw_error *err, json_t *doc);
/* Shortcut: set err from a usage problem and fail (exit 2), pointing at --help. */
int cli_usage_error(dbw_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a JSON document to stdout (steals ref). */
void cli_json_print(json_t *doc);
/* An error object for JSON documents: {code, exit_status, message, detail, hint, where, sqlstate}.
 */
json_t *cli_json_error(const dbw_error *err);
/* Colour escapes, or "" when colour is off. */
const char *cli_c(const dbw_cli *cli,
                  const char *which); /* "red","green","yellow","bold","dim","reset" */
/* A note to the person on stderr (suppressed by -q and --json). */
void cli_note(dbw_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning on stderr (suppressed by --json only). */
void cli_warn(dbw_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse a command's own options with getopt_long; --help (-h) prints usage
 * and returns -1 with *exit_out = 0; a bad option prints the error and
 * returns -1 with *exit_out = 2. Otherwise returns the option character (or
 * 0 at the end, with optind past the options) like getopt_long.
 */
struct option;
int cli_getopt(dbw_cli *cli, const dbw_command *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, int *exit_out);
/* Refuse extra positional arguments beyond max; returns 0 or prints and returns 2. */
int cli_check_args(dbw_cli *cli, const dbw_command *cmd, int argc, char **argv, int min, int max);

/* ---- progress on a terminal ---- */
typedef struct cli_progress {
	dbw_cli *cli;
	size_t total;
	long long started_ms;
	int shown;   /* drawn at least once */
	int enabled; /* stderr is a TTY and not --json / -q */
} cli_progress;
void cli_progress_init(cli_progress *p, dbw_cli *cli, size_t total);
/* Redraw for `done` of total, with a label; drawn only once work has taken > 300 ms. */
void cli_progress_update(cli_progress *p, size_t done, const char *label);
void cli_progress_finish(cli_progress *p);

/* Drop this process's shadow databases on SIGINT / SIGTERM / SIGHUP (shadow_signals.c). */
void cli_shadow_guard(void);
/* A dbw_event_fn drawing the replay's progress; ctx is a cli_progress whose cli is set. */
void cli_replay_progress(const dbw_event *ev, void *ctx);

/* The command table (main.c). */
const dbw_command *cli_find_command(const char *name);
void cli_print_commands(FILE *out);

#endif
