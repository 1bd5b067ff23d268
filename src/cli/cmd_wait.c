/*
 * cmd_wait.c - `dbward wait [--timeout 60s]`: until the database answers,
 * for compose health checks and CI.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data_output.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_wait_def = {
    "wait", run, "wait until the database accepts connections",
    "usage: dbward wait [--timeout DURATION]\n"
    "\n"
    "Try to connect and run SELECT 1, retrying with backoff (100 ms doubling up to\n"
    "2 s) until it works or the timeout passes.\n"
    "\n"
    "Options:\n"
    "      --timeout DURATION   give up after this long (default 60s; 500ms, 2m, ...)\n"
    "\n"
    "Exit status: 0 the database answered; 1 it did not in time (the last error is\n"
    "shown); 2 usage or configuration.\n"};

static void on_retry(int attempt, const dbw_error *last, long next_wait_ms, void *ctx)
{
	dbw_cli *cli = ctx;
	if (cli->verbose)
		cli_note(cli, "dbward: attempt %d: %s (next in %ld ms)\n", attempt,
		         last->message ? last->message : "failed", next_wait_ms);
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"timeout", required_argument, NULL, 't'},
	                                         {NULL, 0, NULL, 0}};
	dbw_wait_options opts = DBW_WAIT_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	const char *timeout = NULL;
	long elapsed = 0;
	int attempts = 0, c, ex = 0, rc;

	while ((c = cli_getopt(cli, &cmd_wait_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 't')
			timeout = optarg;
	}
	if ((ex = cli_check_args(cli, &cmd_wait_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (timeout && (rc = dbw_duration_parse(timeout, &opts.timeout_ms, &err)) < 0) {
		err.code = DBW_EUSAGE;
		goto fail;
	}
	if ((rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	opts.on_retry = on_retry;
	opts.ctx = cli;
	rc = dbw_wait(env->url, &opts, &attempts, &elapsed, &err);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "attempts", json_integer(attempts));
		json_object_set_new(doc, "elapsed_ms", json_integer(elapsed));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("%s is ready (%d attempt%s, %.1f s).\n", env->name, attempts,
		       attempts == 1 ? "" : "s", elapsed / 1000.0);
	}
	ex = 0;
	goto done;
fail:
	if (cli->json && attempts) {
		json_t *doc = json_object();
		json_object_set_new(doc, "attempts", json_integer(attempts));
		json_object_set_new(doc, "elapsed_ms", json_integer(elapsed));
		ex = cli_fail_with(cli, &err, doc);
	} else {
		ex = cli_fail(cli, &err);
	}
done:
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
