/*
 * cmd_restore.c - `dbward restore FILE`: restore a verified backup into the
 * selected environment (a protected one only with --confirm DBNAME: the
 * guard's "restore" rule).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_restore_def = {
    "restore", run, "restore a verified backup into an environment",
    "usage: dbward restore FILE [--env NAME] [--confirm DBNAME] [--json]\n"
    "\n"
    "Check that FILE still matches the SHA-256 its manifest recorded, then restore it\n"
    "into the environment's database (PostgreSQL: pg_restore --clean in one\n"
    "transaction; SQLite: the online backup API). A protected environment needs\n"
    "--confirm with the live database name.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_guard_options go = DBW_GUARD_OPTIONS_INIT;
	dbw_env *env = NULL;
	dbw_conn *c = NULL;
	dbw_project *p = NULL;
	int ex = 0, rc = 0, o;
	int64_t t0 = dbw_now_ms();

	while ((o = cli_getopt(cli, &cmd_restore_def, argc, argv, "", NULL, &ex)) != 0)
		if (o < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_restore_def, argc, argv, 1, 1)) != 0)
		return ex;
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &c, &err)) < 0)
		goto done;
	go.started_ms = t0;
	if ((rc = cli_guard(cli, c, env, "restore", &go, NULL, &err)) < 0)
		goto done;
	rc = dbw_backup_restore(c, env, argv[optind], NULL, &err);
	dbw_audit_finish(c, env, p, "restore", cli->command_line, t0, rc, &err, NULL);
	if (rc < 0)
		goto done;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(c)));
		json_object_set_new(doc, "restored", json_string(argv[optind]));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("restored %s into %s (database \"%s\")\n", argv[optind], env->name,
		       dbw_conn_database(c));
	}
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
