/*
 * cmd_schema.c - `dbward schema dump`: the live schema of an environment,
 * normalized and deterministic, as SQL or (--json) as the model.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_schema_def = {
    "schema", run, "print the live schema (schema dump)",
    "usage: dbward schema dump [-e ENV] [--json]\n"
    "\n"
    "Print the live schema of the environment, normalized and deterministic: the\n"
    "same database gives byte-identical output whatever the order its objects\n"
    "were created in. SQL by default (it loads into an empty database); --json\n"
    "prints the model (docs/json.md). dbward's and Prisma's history, seed, stamp\n"
    "and audit tables are left out, as are objects that extensions own.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_schema *s = NULL;
	char *text = NULL;
	int ex = 0, c, rc;
	while ((c = cli_getopt(cli, &cmd_schema_def, argc, argv, "", longopts, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_schema_def, argc, argv, 1, 1)) != 0)
		return ex;
	if (strcmp(argv[optind], "dump") != 0)
		return cli_usage_error(cli, "unknown schema subcommand \"%s\"", argv[optind]);
	if ((rc = cli_env(cli, &env, &err)) < 0 ||
	    (rc = cli_connect_read_only(cli, env, &conn, &err)) < 0 ||
	    (rc = dbw_schema_introspect(&s, conn, NULL, &err)) < 0)
		goto done;
	if (cli->json) {
		json_t *doc = json_object(), *model;
		if ((rc = dbw_schema_dump_json(s, &text, &err)) < 0) {
			json_decref(doc);
			goto done;
		}
		model = json_loads(text, 0, NULL);
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_update(doc, model);
		json_decref(model);
		cli_json_print(doc);
	} else if ((rc = dbw_schema_dump_sql(s, &text, &err)) == 0) {
		fputs(text, stdout);
	}
done:
	ex = rc < 0 ? cli_fail(cli, &err) : 0;
	free(text);
	dbw_schema_free(s);
	dbw_conn_close(conn);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
