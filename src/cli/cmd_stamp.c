/*
 * cmd_stamp.c - `dbward stamp [ENV]`: record inside the database of ENV
 * that it belongs to ENV (DESIGN.md "Identity"). Re-stamping a database
 * stamped with a protected environment needs the typed name (the guard).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_stamp_def = {
    "stamp", run, "record in the database which environment it belongs to",
    "usage: dbward stamp [ENV] [--confirm DBNAME] [--json]\n"
    "\n"
    "Connect to ENV's database (default: the selected environment) and record in its\n"
    "one-row dbward_environment table that it belongs to ENV, who stamped it and when.\n"
    "Every later command compares the environment it was asked for with this stamp and\n"
    "refuses on a mismatch. Re-stamping a database stamped with a protected environment\n"
    "needs --confirm with the live database name.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_guard_options go = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result gr;
	dbw_env *env = NULL;
	dbw_conn *c = NULL;
	dbw_project *p = NULL;
	int ex = 0, rc, o;
	int64_t t0 = dbw_now_ms();

	while ((o = cli_getopt(cli, &cmd_stamp_def, argc, argv, "", NULL, &ex)) != 0)
		if (o < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_stamp_def, argc, argv, 0, 1)) != 0)
		return ex;
	if (optind < argc)
		cli->env_name = argv[optind];
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &c, &err)) < 0)
		goto done;
	go.stamp_target = env->name;
	go.started_ms = t0;
	if ((rc = cli_guard(cli, c, env, "stamp", &go, &gr, &err)) < 0)
		goto done;
	rc = dbw_stamp_write(c, env->name, NULL, &err);
	dbw_audit_finish(c, env, p, "stamp", cli->command_line, t0, rc, &err, NULL);
	if (rc < 0)
		goto done;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(c)));
		json_object_set_new(doc, "previous",
		                    gr.is_stamped ? json_string(gr.stamp_env) : json_null());
		cli_json_print(doc);
	} else if (!cli->quiet) {
		if (gr.is_stamped)
			printf("stamped database \"%s\" as %s (was %s)\n", dbw_conn_database(c),
			       env->name, gr.stamp_env);
		else
			printf("stamped database \"%s\" as %s\n", dbw_conn_database(c), env->name);
	}
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
