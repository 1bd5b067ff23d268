/*
 * cmd_seed.c - `dbward seed`: run the environment's new and changed seeds.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data_output.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_seed_def = {
    "seed", run, "run the environment's new or changed seeds",
    "usage: dbward seed [--all] [--dry-run]\n"
    "\n"
    "Run db/seeds/shared/*.sql, then db/seeds/<env>/*.sql, each in name order and in\n"
    "its own transaction together with its row in dbward_seeds. Only seeds that are\n"
    "new or whose file changed since they ran are run again.\n"
    "\n"
    "Options:\n"
    "      --all       run every seed, changed or not\n"
    "      --dry-run   list what would run; change nothing\n"
    "\n"
    "In a protected environment seeds run only when [env.NAME] allow lists \"seed\"\n"
    "and --confirm names the live database.\n"
    "\n"
    "Exit status: 0 done; 1 a seed failed (nothing of it applied; the ones before it\n"
    "stay recorded); 2 usage or configuration; 3 refused by policy.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"all", no_argument, NULL, 'a'},
	                                         {"dry-run", no_argument, NULL, 'n'},
	                                         {NULL, 0, NULL, 0}};
	dbw_seed_options opts = DBW_SEED_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_seed_set *set = NULL;
	dbw_seed_result *res = NULL;
	int c, ex = 0, rc;
	int guard_rc = 0; /* the guard audits its own refusals */

	while ((c = cli_getopt(cli, &cmd_seed_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'a')
			opts.all = 1;
		else if (c == 'n')
			opts.dry_run = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_seed_def, argc, argv, 0, 0)) != 0)
		return ex;
	opts.confirm = cli->confirm;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = dbw_seeds_load(&set, dbw_project_seeds_dir(p), dbw_project_root(p), env->name,
	                         &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0)
		goto fail;
	if ((guard_rc = rc = cli_guard_after_confirm(cli, conn, env,
	                                             opts.dry_run ? "status" : "seed", &err)) < 0)
		goto fail;
	rc = dbw_seed_run(conn, env, set, &opts, &res, &err);
	if (rc != DBW_EPOLICY) /* a refusal is audited below, in the local log */
		dbw_audit_finish(opts.dry_run ? NULL : conn, env, p, opts.dry_run ? "read" : "seed",
		                 cli->command_line, 0, rc, &err, NULL);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object(), *seeds = cli_seed_json(res);
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_update(doc, seeds);
		json_decref(seeds);
		cli_json_print(doc);
	} else {
		cli_seed_print(cli, res);
	}
	ex = 0;
	goto done;
fail:
	if (env && rc == DBW_EPOLICY &&
	    guard_rc == 0) /* every refusal on a protected environment is audited */
		dbw_audit_finish(NULL, env, p, opts.dry_run ? "read" : "seed", cli->command_line, 0,
		                 rc, &err, NULL);
	if (cli->json) {
		json_t *doc = json_object();
		if (res)
			json_object_set_new(doc, "seed", cli_seed_json(res));
		ex = cli_fail_with(cli, &err, doc);
	} else {
		if (res && res->n_applied)
			printf("Seeded %zu seed%s before the failure.\n", res->n_applied,
			       res->n_applied == 1 ? "" : "s");
		ex = cli_fail(cli, &err);
	}
done:
	dbw_seed_result_free(res);
	dbw_seeds_free(set);
	dbw_conn_close(conn);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
