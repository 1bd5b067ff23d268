/*
 * cmd_reset.c - `dbward reset`: drop every object, redeploy, seed. Never in a
 * protected environment; asks first on staging.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data_output.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_reset_def = {
    "reset", run, "drop every object, redeploy all migrations, seed",
    "usage: dbward reset [--extensions] [--no-seed]\n"
    "\n"
    "Drop every object of the environment's database (tables, views, materialized\n"
    "views, types, domains, sequences, functions, triggers, policies, and schemas a\n"
    "migration made), then deploy every migration and run the seeds. The environment\n"
    "stamp is kept. Refused in a protected environment; on staging it asks first\n"
    "(--yes answers).\n"
    "\n"
    "Options:\n"
    "      --extensions   drop extensions too (kept by default)\n"
    "      --no-seed      deploy, but do not seed\n"
    "\n"
    "Exit status: 0 done; 1 a drop, migration or seed failed; 2 usage or\n"
    "configuration; 3 refused by policy (protected, or not confirmed).\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"extensions", no_argument, NULL, 'x'},
	                                         {"no-seed", no_argument, NULL, 'S'},
	                                         {NULL, 0, NULL, 0}};
	dbw_reset_options opts = DBW_RESET_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_seed_set *seeds = NULL;
	dbw_reset_result *res = NULL;
	int c, ex = 0, rc;
	int guard_rc = 0; /* the guard audits its own refusals */

	while ((c = cli_getopt(cli, &cmd_reset_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'x')
			opts.extensions = 1;
		else if (c == 'S')
			opts.no_seed = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_reset_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	/* Refuse before connecting or asking anything. */
	if ((rc = dbw_data_check(env, NULL, DBW_DATA_RESET, cli->confirm, &err)) < 0)
		goto fail;
	if ((rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	if ((rc = dbw_seeds_load(&seeds, dbw_project_seeds_dir(p), dbw_project_root(p), env->name,
	                         &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0)
		goto fail;
	if ((guard_rc = rc = cli_guard_after_confirm(cli, conn, env, "reset", &err)) < 0)
		goto fail;
	if (dbw_data_needs_confirmation(env, DBW_DATA_RESET)) {
		if (cli->yes) {
			opts.confirmed = 1;
		} else {
			char question[256];
			snprintf(question, sizeof(question),
			         "Drop every object of database \"%s\" (%s)?",
			         dbw_conn_database(conn), env->name);
			opts.confirmed = cli_ask_yes(cli, question);
		}
	}
	cli_note(cli, "dbward: resetting %s (%s)\n", env->name, dbw_conn_url_redacted(conn));
	rc = dbw_reset(conn, env, set, seeds, &opts, &res, &err);
	if (rc != DBW_EPOLICY) /* a refusal is audited below, in the local log */
		dbw_audit_finish(conn, env, p, "reset", cli->command_line, 0, rc, &err, NULL);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_set_new(doc, "dropped", json_integer((json_int_t)res->n_dropped));
		json_object_set_new(doc, "schemas_dropped",
		                    json_integer((json_int_t)res->n_schemas_dropped));
		json_object_set_new(doc, "drop_ms", json_integer(res->drop_ms));
		json_object_set_new(
		    doc, "migrations_applied",
		    json_integer((json_int_t)(res->deploy ? res->deploy->n_applied : 0)));
		json_object_set_new(doc, "seed", cli_seed_json(res->seed));
		json_object_set_new(doc, "total_ms", json_integer(res->total_ms));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("Dropped %zu object%s and %zu schema%s in %ld ms.\n", res->n_dropped,
		       res->n_dropped == 1 ? "" : "s", res->n_schemas_dropped,
		       res->n_schemas_dropped == 1 ? "" : "s", res->drop_ms);
		printf("Applied %zu migration%s.\n", res->deploy ? res->deploy->n_applied : 0,
		       res->deploy && res->deploy->n_applied == 1 ? "" : "s");
		cli_seed_print(cli, res->seed);
		printf("%sReset %s in %.2f s.%s\n", cli_c(cli, "green"), env->name,
		       res->total_ms / 1000.0, cli_c(cli, "reset"));
	}
	ex = 0;
	goto done;
fail:
	if (env && rc == DBW_EPOLICY &&
	    guard_rc == 0) /* every refusal on a protected environment is audited */
		dbw_audit_finish(NULL, env, p, "reset", cli->command_line, 0, rc, &err, NULL);
	if (cli->json && res) {
		/* What happened before the failure: the drop is committed once deploy starts. */
		json_t *doc = json_object();
		json_object_set_new(doc, "dropped", json_integer((json_int_t)res->n_dropped));
		json_object_set_new(
		    doc, "migrations_applied",
		    json_integer((json_int_t)(res->deploy ? res->deploy->n_applied : 0)));
		json_object_set_new(doc, "seed", cli_seed_json(res->seed));
		ex = cli_fail_with(cli, &err, doc);
	} else {
		if (res && res->deploy)
			printf("Dropped every object, then applied %zu migration%s before the "
			       "failure.\n",
			       res->deploy->n_applied, res->deploy->n_applied == 1 ? "" : "s");
		ex = cli_fail(cli, &err);
	}
done:
	dbw_reset_result_free(res);
	dbw_seeds_free(seeds);
	dbw_migrations_free(set);
	dbw_conn_close(conn);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
