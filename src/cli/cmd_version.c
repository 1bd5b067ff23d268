/*
 * cmd_version.c - `dbward version`.
 */
#include <stdio.h>
#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_version_def = {"version", run, "print the version",
                                     "usage: dbward version [--json]\n\nPrint dbward's version.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	int ex = 0, c;
	while ((c = cli_getopt(cli, &cmd_version_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_version_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "version", json_string(dbw_version()));
		cli_json_print(doc);
	} else {
		printf("dbward %s\n", dbw_version());
	}
	return 0;
}
