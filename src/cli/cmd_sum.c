/*
 * cmd_sum.c - `dbward sum`: regenerate dbward.sum beside the migrations, or
 * with --check verify it (what lint and deploy do).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <dbward/lint.h>
#include <dbward/sum.h>

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_sum_def = {
    "sum", run, "write dbward.sum, the migrations' integrity file",
    "usage: dbward sum [--check] [--json]\n"
    "\n"
    "Record every migration's checksum and fingerprint, and a running total, in\n"
    "dbward.sum beside the migrations. Commit it with them: an edited, deleted or\n"
    "added migration, or two branches that both added one, then fails 'dbward lint'\n"
    "and 'dbward deploy' with the file named.\n"
    "\n"
    "Options:\n"
    "      --check   verify the file instead of writing it\n"
    "\n"
    "Exit status: 0; 6 the file does not match (--check); 1 runtime error; 2 usage.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"check", no_argument, NULL, 'k'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_migration_set *set = NULL;
	dbw_sum_report *r = NULL;
	char *path = NULL;
	int c, ex = 0, rc, check = 0;
	dbw_db_kind dialect;

	while ((c = cli_getopt(cli, &cmd_sum_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'k')
			check = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_sum_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	{
		dbw_env *env = NULL;
		if (cli_env(cli, &env, &err) < 0)
			dbw_error_clear(&err); /* the URL only helps choose the parser */
		rc = dbw_lint_dialect(p, env, &dialect, &err);
		dbw_env_free(env);
		if (rc < 0)
			goto fail;
	}
	if (check) {
		rc = dbw_sum_verify(set, dialect, &r, &err);
		if (rc == DBW_EHISTORY && !cli->json)
			for (size_t i = 1; i < r->count; i++)
				fprintf(stderr, "dbward: also: %s\n", r->items[i].message);
		if (rc < 0)
			goto fail;
		if (cli->json) {
			json_t *doc = json_object();
			json_object_set_new(doc, "ok", json_true());
			json_object_set_new(doc, "path", json_string(r->path));
			json_object_set_new(doc, "migrations",
			                    json_integer((json_int_t)set->count));
			cli_json_print(doc);
		} else if (!cli->quiet) {
			printf("%s matches %zu migration%s\n", r->path, set->count,
			       set->count == 1 ? "" : "s");
		}
		goto done;
	}
	if ((rc = dbw_sum_write(set, dialect, &path, &err)) < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "path", json_string(path));
		json_object_set_new(doc, "migrations", json_integer((json_int_t)set->count));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("wrote %s (%zu migration%s)\n", path, set->count,
		       set->count == 1 ? "" : "s");
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_sum_report_free(r);
	free(path);
	dbw_migrations_free(set);
	dbw_error_clear(&err);
	return ex;
}
