/*
 * prompt.h - running dbw_guard from a command, with the terminal prompt a
 * person answers when a confirmation is needed (the library only says that
 * one is needed; asking is the command line's job).
 */
#ifndef DBW_CLI_PROMPT_H
#define DBW_CLI_PROMPT_H

#include "cli.h"

/*
 * dbw_guard(c, env, project, operation) with --confirm, --yes and the
 * redacted command line from cli (opts may preset the rest, or be NULL;
 * opts->yes set means the command asks its own plain yes/no).
 * When only a confirmation is missing and stdin and stderr are terminals
 * (and not --json), ask for it (y/N, or the database name typed) and run
 * the guard again with the answer. res may be NULL.
 */
int cli_guard(dbw_cli *cli, dbw_conn *c, const dbw_env *env, const char *operation,
              const dbw_guard_options *opts, dbw_guard_result *res, dbw_error *err);

/*
 * The guard for commands that asked their own plain confirmation already
 * (reset, truncate, seed): identity and stamp, so that a command whose URL
 * reaches another environment's database (say, the one stamped production)
 * stops there, then policy and any typed confirmation.
 */
int cli_guard_after_confirm(dbw_cli *cli, dbw_conn *c, const dbw_env *env, const char *operation,
                            dbw_error *err);

#endif
