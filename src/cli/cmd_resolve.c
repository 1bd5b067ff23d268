/*
 * cmd_resolve.c - `dbward resolve`: settle a migration that failed outside a
 * transaction, after the operator has looked at the database.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_resolve_def = {
    "resolve", run, "settle a failed migration (--applied V / --rolled-back V)",
    "usage: dbward resolve (--applied VERSION | --rolled-back VERSION)\n"
    "\n"
    "A migration that failed outside a transaction may have left part of its work in the\n"
    "database, so deploy refuses to go on until you settle it:\n"
    "      --applied VERSION      you completed it by hand: record it as applied\n"
    "      --rolled-back VERSION  you undid it: the next deploy runs it again\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"applied", required_argument, NULL, 'a'},
	                                         {"rolled-back", required_argument, NULL, 'r'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	const char *version = NULL;
	int c, ex = 0, rc, applied = -1;

	while ((c = cli_getopt(cli, &cmd_resolve_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (applied >= 0)
			return cli_usage_error(cli, "give one of --applied and --rolled-back");
		applied = c == 'a';
		version = optarg;
	}
	if ((ex = cli_check_args(cli, &cmd_resolve_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (!version)
		return cli_usage_error(cli,
		                       "resolve needs --applied VERSION or --rolled-back VERSION");
	if ((rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0 ||
	    (rc = cli_guard(cli, conn, env, "resolve", NULL, NULL, &err)) < 0)
		goto fail;
	if ((rc = dbw_resolve(conn, set, version, applied, &err)) < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "version", json_string(version));
		json_object_set_new(doc, "resolved_as",
		                    json_string(applied ? "applied" : "rolled_back"));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("Migration %s recorded as %s.%s\n", version,
		       applied ? "applied" : "rolled back",
		       applied ? "" : " The next deploy runs it again.");
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
