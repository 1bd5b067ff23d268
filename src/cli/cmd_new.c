/*
 * cmd_new.c - `dbward new NAME`: write a new timestamped migration in the
 * project's migrations folder, in the folder's format.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_new_def = {
    "new", run, "write a new timestamped migration",
    "usage: dbward new [--json] NAME\n\n"
    "Write a new migration named NAME (letters, digits and '_'; other characters\n"
    "become '_') with a UTC timestamp version, in the project's migrations folder\n"
    "and its format: dbward/dbmate <ts>_<name>.sql with -- migrate:up/down sections,\n"
    "golang-migrate .up.sql/.down.sql, Flyway V<ts>__<name>.sql, Prisma\n"
    "<ts>_<name>/migration.sql. Creates the folder when missing; never overwrites.\n"
    "Prints the new file's path ({\"path\": ...} with --json).\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_format format = DBW_FORMAT_AUTO;
	char *path = NULL, *shown = NULL, cwd[PATH_MAX];
	int ex = 0, c;

	while ((c = cli_getopt(cli, &cmd_new_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_new_def, argc, argv, 1, 1)) != 0)
		return ex;
	if (cli_project(cli, &p, &err) < 0 ||
	    dbw_format_parse(dbw_project_format(p), &format, &err) < 0 ||
	    dbw_migration_new(dbw_project_migrations_dir(p), format, argv[optind], &path, &err) <
	        0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	shown = getcwd(cwd, sizeof(cwd)) ? dbw_path_relative(path, cwd) : NULL;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "path", json_string(shown ? shown : path));
		cli_json_print(doc);
	} else {
		printf("%s\n", shown ? shown : path);
	}
done:
	free(path);
	free(shown);
	dbw_error_clear(&err);
	return ex;
}
