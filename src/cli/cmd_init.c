/*
 * cmd_init.c - `dbward init [--format F]`: scaffold a project in the working
 * directory through dbw_project_scaffold; says what it created and what it
 * kept. Running it again changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_init_def = {
    "init", run, "scaffold dbward.ini, migrations and seeds folders, .env.example",
    "usage: dbward init [--format FORMAT] [--json]\n"
    "\n"
    "Scaffold a project in the current folder: dbward.ini (a commented template),\n"
    "db/migrations/, db/seeds/shared/, .env.example and ignore rules in .gitignore\n"
    "(.env.local, .env.*.local, db/*.sqlite3, backups/). Existing files are kept\n"
    "as they are, so running it twice changes nothing.\n"
    "\n"
    "Options:\n"
    "  --format FORMAT   the migration format to write in dbward.ini: auto (default),\n"
    "                    dbward, prisma, dbmate, golang-migrate or flyway\n"};

static const char *action_name(dbw_scaffold_action a)
{
	return a == DBW_SCAFFOLD_CREATED   ? "created"
	       : a == DBW_SCAFFOLD_UPDATED ? "updated"
	                                   : "kept";
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_scaffold_result *r = NULL;
	const char *format = NULL;
	char *cwd = NULL;
	int ex = 0, c;

	while ((c = cli_getopt(cli, &cmd_init_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'f')
			format = optarg;
	}
	if ((ex = cli_check_args(cli, &cmd_init_def, argc, argv, 0, 0)) != 0)
		return ex;
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		dbw_error_set(&err, DBW_EIO, "could not read the working directory");
		ex = cli_fail(cli, &err);
		goto done;
	}
	if (dbw_project_scaffold(cwd, format, &r, &err) < 0) {
		if (err.code == DBW_EUSAGE)
			dbw_error_hint(&err,
			               "Use one of auto, dbward, prisma, dbmate, golang-migrate or "
			               "flyway; run 'dbward init --help' for usage.");
		ex = cli_fail(cli, &err);
		goto done;
	}
	if (cli->json) {
		json_t *doc = json_object(), *items = json_array();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "root", json_string(cwd));
		for (size_t i = 0; i < r->count; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "path", json_string(r->items[i].path));
			json_object_set_new(o, "action",
			                    json_string(action_name(r->items[i].action)));
			json_object_set_new(o, "lines_added", json_integer(r->items[i].added));
			json_array_append_new(items, o);
		}
		json_object_set_new(doc, "items", items);
		cli_json_print(doc);
		goto done;
	}
	for (size_t i = 0; i < r->count; i++) {
		const dbw_scaffold_item *it = &r->items[i];
		if (it->action == DBW_SCAFFOLD_KEPT)
			printf("kept     %s (exists)\n", it->path);
		else if (it->added)
			printf("%-8s %s (%d ignore rule%s)\n", action_name(it->action), it->path,
			       it->added, it->added == 1 ? "" : "s");
		else
			printf("%-8s %s\n", action_name(it->action), it->path);
	}
	cli_note(cli, "Next: set DATABASE_URL (or TEST_DATABASE_URL, ...) in .env.local, then run "
	              "'dbward env --explain'.\n");
done:
	free(cwd);
	dbw_scaffold_result_free(r);
	dbw_error_clear(&err);
	return ex;
}
