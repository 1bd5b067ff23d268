/*
 * cmd_help.c - `dbward help [COMMAND]`.
 */
#include <stdio.h>
#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_help_def = {
    "help", run, "show help for dbward or one command",
    "usage: dbward help [COMMAND]\n\nShow the list of commands, or one command's options.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	const dbw_command *cmd;
	if (argc < 2) {
		printf("usage: dbward [global options] <command> [options]\n\nCommands:\n");
		cli_print_commands(stdout);
		printf("\nRun 'dbward help <command>' for a command's options.\n");
		return 0;
	}
	if (argc > 2)
		return cli_usage_error(cli, "unexpected argument \"%s\"", argv[2]);
	cmd = cli_find_command(argv[1]);
	if (!cmd)
		return cli_usage_error(cli, "unknown command \"%s\"", argv[1]);
	fputs(cmd->usage, stdout);
	return 0;
}
