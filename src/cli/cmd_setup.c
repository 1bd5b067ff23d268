/*
 * cmd_setup.c - `dbward setup`: create the database if missing, deploy,
 * seed (never a protected environment). A second run changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data_output.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_setup_def = {
    "setup", run, "create the database if missing, deploy, seed",
    "usage: dbward setup\n"
    "\n"
    "Make the environment's database ready: create it when it does not exist\n"
    "(PostgreSQL: through the maintenance database, owned by the connecting role or\n"
    "[env.NAME] owner, encoding UTF8; SQLite: the file and its folder), deploy the\n"
    "pending migrations, run the new and changed seeds (never in a protected\n"
    "environment). Running it again changes nothing.\n"
    "\n"
    "Exit status: 0 ready; 1 runtime error; 2 usage or configuration; 6 history\n"
    "problem; 8 lock not acquired.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_setup_options opts = DBW_SETUP_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL;
	dbw_migration_set *set = NULL;
	dbw_seed_set *seeds = NULL;
	dbw_setup_result *res = NULL;
	int c, ex = 0, rc;

	while ((c = cli_getopt(cli, &cmd_setup_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_setup_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	if ((rc = dbw_seeds_load(&seeds, dbw_project_seeds_dir(p), dbw_project_root(p), env->name,
	                         &err)) < 0)
		goto fail;
	opts.connect_timeout_ms = env->connect_timeout_ms;
	rc = dbw_setup(env, set, seeds, &opts, &res, &err);
	if (rc < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(res->database));
		json_object_set_new(doc, "created", json_boolean(res->created));
		json_object_set_new(doc, "owner",
		                    res->owner ? json_string(res->owner) : json_null());
		json_object_set_new(
		    doc, "migrations_applied",
		    json_integer((json_int_t)(res->deploy ? res->deploy->n_applied : 0)));
		json_object_set_new(doc, "seeds_skipped", json_boolean(res->seeds_skipped));
		json_object_set_new(doc, "seed", cli_seed_json(res->seed));
		json_object_set_new(doc, "changed", json_boolean(res->changed));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		size_t applied = res->deploy ? res->deploy->n_applied : 0;
		if (res->created)
			printf("Created database \"%s\"%s%s%s.\n", res->database,
			       res->owner ? " owned by \"" : "", res->owner ? res->owner : "",
			       res->owner ? "\"" : "");
		if (applied)
			printf("Applied %zu migration%s.\n", applied, applied == 1 ? "" : "s");
		if (res->seed && res->seed->n_applied)
			cli_seed_print(cli, res->seed);
		if (res->seeds_skipped)
			printf("Seeds skipped: %s is protected.\n", env->name);
		if (!res->changed)
			printf("Nothing to do: %s is set up (database exists, %zu migration%s "
			       "applied, seeds up to date).\n",
			       env->name, set->count, set->count == 1 ? "" : "s");
		else
			printf("%s%s is set up.%s\n", cli_c(cli, "green"), env->name,
			       cli_c(cli, "reset"));
	}
	ex = 0;
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_setup_result_free(res);
	dbw_seeds_free(seeds);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
