/*
 * cmd_truncate.c - `dbward truncate`: empty every table for a clean test
 * slate (history, seed, stamp and audit tables kept); --seed reseeds.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data_output.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_truncate_def = {
    "truncate", run, "empty every table (identities restarted) for a clean test slate",
    "usage: dbward truncate [--seed]\n"
    "\n"
    "Empty every user table at once, restarting identity and serial columns. The\n"
    "migration history, dbward_seeds, the environment stamp and the audit table are\n"
    "kept. Allowed in development and test (elsewhere when [env.NAME] allow lists\n"
    "\"truncate\"; never in a protected environment).\n"
    "\n"
    "Options:\n"
    "      --seed   run every seed again afterwards\n"
    "\n"
    "Before each test file: dbward truncate --env test --seed (docs/testing.md).\n"
    "\n"
    "Exit status: 0 done; 1 runtime error; 2 usage or configuration; 3 refused.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"seed", no_argument, NULL, 's'},
	                                         {NULL, 0, NULL, 0}};
	dbw_truncate_options opts = DBW_TRUNCATE_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_seed_set *seeds = NULL;
	dbw_truncate_result *res = NULL;
	int c, ex = 0, rc;
	int guard_rc = 0; /* the guard audits its own refusals */

	while ((c = cli_getopt(cli, &cmd_truncate_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 's')
			opts.seed = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_truncate_def, argc, argv, 0, 0)) != 0)
		return ex;
	opts.confirm = cli->confirm;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = dbw_data_check(env, NULL, DBW_DATA_TRUNCATE, cli->confirm, &err)) < 0)
		goto fail;
	if (opts.seed && (rc = dbw_seeds_load(&seeds, dbw_project_seeds_dir(p), dbw_project_root(p),
	                                      env->name, &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0)
		goto fail;
	if ((guard_rc = rc = cli_guard_after_confirm(cli, conn, env, "truncate", &err)) < 0)
		goto fail;
	rc = dbw_truncate(conn, env, seeds, &opts, &res, &err);
	if (rc != DBW_EPOLICY) /* a refusal is audited below, in the local log */
		dbw_audit_finish(conn, env, p, "truncate", cli->command_line, 0, rc, &err, NULL);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object(), *tables = json_array();
		for (size_t i = 0; i < res->count; i++)
			json_array_append_new(tables, json_string(res->tables[i]));
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_set_new(doc, "tables", tables);
		json_object_set_new(doc, "truncated", json_integer((json_int_t)res->n_truncated));
		json_object_set_new(doc, "truncate_ms", json_integer(res->truncate_ms));
		json_object_set_new(doc, "seed", cli_seed_json(res->seed));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		if (cli->verbose)
			for (size_t i = 0; i < res->count; i++)
				printf("  emptied %s\n", res->tables[i]);
		printf("Emptied %zu table%s of %s in %ld ms.\n", res->count,
		       res->count == 1 ? "" : "s", env->name, res->truncate_ms);
		cli_seed_print(cli, res->seed);
	}
	ex = 0;
	goto done;
fail:
	if (env && rc == DBW_EPOLICY &&
	    guard_rc == 0) /* every refusal on a protected environment is audited */
		dbw_audit_finish(NULL, env, p, "truncate", cli->command_line, 0, rc, &err, NULL);
	ex = cli_fail(cli, &err);
done:
	dbw_truncate_result_free(res);
	dbw_seeds_free(seeds);
	dbw_conn_close(conn);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
