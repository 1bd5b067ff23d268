/*
 * cmd_help.c - `dbward help [COMMAND]`.
 */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_help_def = {
    "help", run, "show help for dbward or one command",
    "usage: dbward help [COMMAND]\n\nShow the list of commands, or one command's options.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	const dbw_command *cmd;
	int c, ex = 0;
	while ((c = cli_getopt(cli, &cmd_help_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_help_def, argc, argv, 0, 1)) != 0)
		return ex;
	if (optind >= argc) {
		printf("usage: dbward [global options] <command> [options]\n\nCommands:\n");
		cli_print_commands(stdout);
		printf("\nRun 'dbward help <command>' for a command's options.\n");
		return 0;
	}
	cmd = cli_find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error(cli, "unknown command \"%s\"", argv[optind]);
	fputs(cmd->usage, stdout);
	return 0;
}
