/*
 * cmd_rollback.c - `dbward rollback`: run down migrations, newest first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_rollback_def = {
    "rollback", run, "run down migrations of the newest applied ones",
    "usage: dbward rollback [N] [--to VERSION] [--dry-run]\n"
    "\n"
    "Roll back the newest N applied migrations (default 1) by running their down\n"
    "sections, newest first, each in a transaction with the removal of its history row.\n"
    "Every chosen migration must have a down section, or nothing runs. Prisma and Flyway\n"
    "folders have no down SQL. Refused in a protected environment without --confirm.\n"
    "\n"
    "Options:\n"
    "      --to VERSION   roll back every applied migration newer than VERSION\n"
    "      --dry-run      show the down SQL that would run; change nothing\n"};

static void on_event(const dbw_event *ev, void *ctx)
{
	dbw_cli *cli = ctx;
	if (ev->kind == DBW_EV_DONE && !cli->json && !cli->quiet)
		printf("  %srolled back%s %s %s(%ld ms)%s\n", cli_c(cli, "yellow"),
		       cli_c(cli, "reset"), ev->migration->id, cli_c(cli, "dim"), ev->execution_ms,
		       cli_c(cli, "reset"));
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"to", required_argument, NULL, 't'},
	                                         {"dry-run", no_argument, NULL, 'n'},
	                                         {NULL, 0, NULL, 0}};
	dbw_rollback_options opts = DBW_ROLLBACK_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_deploy_result *res = NULL;
	int c, ex = 0, rc;

	while ((c = cli_getopt(cli, &cmd_rollback_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 't')
			opts.to = optarg;
		else if (c == 'n')
			opts.dry_run = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_rollback_def, argc, argv, 0, 1)) != 0)
		return ex;
	if (optind < argc) {
		char *end;
		long n = strtol(argv[optind], &end, 10);
		if (*end || n < 1 || opts.to)
			return cli_usage_error(cli,
			                       "rollback takes a positive count or --to VERSION, "
			                       "not \"%s\"",
			                       argv[optind]);
		opts.steps = (int)n;
	}
	opts.on_event = on_event;
	opts.ctx = cli;
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_migrations(cli, &set, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &conn, &err)) < 0 ||
	    (rc = cli_guard(cli, conn, env, "rollback", NULL, NULL, &err)) < 0)
		goto fail;
	rc = dbw_rollback(conn, set, &opts, &res, &err);
	dbw_audit_finish(conn, env, cli->project, "rollback", cli->command_line, 0, rc, &err, NULL);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array();
		for (size_t i = 0; i < res->count; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(res->steps[i].migration->id));
			json_object_set_new(o, "rolled_back", json_boolean(res->steps[i].applied));
			json_object_set_new(o, "execution_ms",
			                    json_integer(res->steps[i].execution_ms));
			if (opts.dry_run)
				json_object_set_new(o, "down_sql",
				                    json_string(res->steps[i].migration->down_sql));
			json_array_append_new(arr, o);
		}
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "dry_run", json_boolean(opts.dry_run));
		json_object_set_new(doc, "migrations", arr);
		cli_json_print(doc);
	} else if (opts.dry_run) {
		printf("Would roll back %zu migration%s in %s (dry run: nothing was changed):\n",
		       res->count, res->count == 1 ? "" : "s", env->name);
		for (size_t i = 0; i < res->count; i++)
			printf("\n-- %s\n%s\n", res->steps[i].migration->id,
			       res->steps[i].migration->down_sql);
	} else if (!cli->quiet) {
		printf("Rolled back %zu migration%s in %s.\n", res->n_applied,
		       res->n_applied == 1 ? "" : "s", env->name);
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_deploy_result_free(res);
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
