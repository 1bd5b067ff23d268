/*
 * prompt.c - the guard as commands call it, and the confirmation prompt on
 * a terminal (see prompt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"

static char *read_answer(void)
{
	char line[512];
	if (!fgets(line, sizeof(line), stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	return dbw_strdup(line);
}

int cli_guard(dbw_cli *cli, dbw_conn *c, const dbw_env *env, const char *operation,
              const dbw_guard_options *opts, dbw_guard_result *res, dbw_error *err)
{
	dbw_guard_options o = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result r;
	dbw_project *p = NULL;
	char *answer = NULL;
	int rc;

	if (opts)
		o = *opts;
	o.confirm = cli->confirm;
	o.yes = cli->yes || o.yes;
	o.command_line = cli->command_line;
	if (cli_project(cli, &p, err) < 0)
		return err->code;
	o.will_prompt = cli->stdin_tty && cli->stderr_tty && !cli->json;
	rc = dbw_guard(c, env, p, operation, &o, &r, err);
	if (rc < 0 && r.needs_confirmation && o.will_prompt) {
		if (r.verdict == DBW_VERDICT_CONFIRM_NAME)
			fprintf(stderr,
			        "%s on %s (protected): this is database \"%s\".\n"
			        "Type the database name to confirm: ",
			        operation, env->name, dbw_conn_database(c));
		else
			fprintf(stderr, "%s on %s (database \"%s\"). Proceed? [y/N] ", operation,
			        env->name, dbw_conn_database(c));
		fflush(stderr);
		answer = read_answer();
		if (answer && *answer && r.verdict == DBW_VERDICT_CONFIRM_NAME)
			o.confirm = answer;
		else if (answer && (strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0))
			o.yes = 1;
		/* Once more with the answer; no answer is a refusal, and audited. */
		o.will_prompt = 0;
		dbw_error_clear(err);
		rc = dbw_guard(c, env, p, operation, &o, &r, err);
	}
	if (res)
		*res = r;
	free(answer);
	return rc;
}

int cli_guard_after_confirm(dbw_cli *cli, dbw_conn *c, const dbw_env *env, const char *operation,
                            dbw_error *err)
{
	dbw_guard_options g = DBW_GUARD_OPTIONS_INIT;
	g.yes = 1;
	return cli_guard(cli, c, env, operation, &g, NULL, err);
}
