/*
 * cmd_baseline.c - `dbward baseline V`: adopt an existing database.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_baseline_def = {
    "baseline", run, "mark an existing database as at a version, without running anything",
    "usage: dbward baseline VERSION\n"
    "\n"
    "Record every migration up to and including VERSION as applied, without running it:\n"
    "for a database whose schema already has them (created by hand, or by another tool).\n"
    "Refused when the history table already records any migration.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	size_t n = 0;
	int c, ex = 0, rc;

	while ((c = cli_getopt(cli, &cmd_baseline_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_baseline_def, argc, argv, 1, 1)) != 0)
		return ex;
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_migrations(cli, &set, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &conn, &err)) < 0 ||
	    (rc = cli_guard(cli, conn, env, "baseline", NULL, NULL, &err)) < 0 ||
	    (rc = dbw_baseline(conn, set, argv[optind], &n, &err)) < 0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "version", json_string(argv[optind]));
		json_object_set_new(doc, "recorded", json_integer((json_int_t)n));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("Baselined %s at %s: %zu migration%s recorded as applied, none run.\n",
		       env->name, argv[optind], n, n == 1 ? "" : "s");
	}
done:
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
