/*
 * main.c - the dbward command: global options and the command table. Each
 * command lives in its own cmd_<name>.c; this file only finds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

extern const dbw_command cmd_help_def;
extern const dbw_command cmd_version_def;
extern const dbw_command cmd_init_def;
extern const dbw_command cmd_env_def;
extern const dbw_command cmd_new_def;
extern const dbw_command cmd_deploy_def;
extern const dbw_command cmd_status_def;
extern const dbw_command cmd_resolve_def;
extern const dbw_command cmd_seed_def;
extern const dbw_command cmd_reset_def;
extern const dbw_command cmd_truncate_def;
extern const dbw_command cmd_setup_def;
extern const dbw_command cmd_wait_def;
extern const dbw_command cmd_rollback_def;
extern const dbw_command cmd_baseline_def;
extern const dbw_command cmd_lint_def;
extern const dbw_command cmd_sum_def;
extern const dbw_command cmd_hook_def;
extern const dbw_command cmd_copy_def;
extern const dbw_command cmd_schema_def;
extern const dbw_command cmd_diff_def;
extern const dbw_command cmd_verify_def;
extern const dbw_command cmd_stamp_def;
extern const dbw_command cmd_doctor_def;
extern const dbw_command cmd_check_def;
extern const dbw_command cmd_backup_def;
extern const dbw_command cmd_backups_def;
extern const dbw_command cmd_restore_def;
extern const dbw_command cmd_audit_def;

static const dbw_command *const commands[] = {
    &cmd_init_def,    &cmd_env_def,      &cmd_new_def,      &cmd_deploy_def,   &cmd_status_def,
    &cmd_resolve_def, &cmd_rollback_def, &cmd_baseline_def, &cmd_help_def,     &cmd_version_def,
    &cmd_lint_def,    &cmd_sum_def,      &cmd_hook_def,     &cmd_copy_def,     &cmd_stamp_def,
    &cmd_doctor_def,  &cmd_check_def,    &cmd_backup_def,   &cmd_backups_def,  &cmd_restore_def,
    &cmd_audit_def,   &cmd_seed_def,     &cmd_reset_def,    &cmd_truncate_def, &cmd_setup_def,
    &cmd_wait_def,    &cmd_schema_def,   &cmd_diff_def,     &cmd_verify_def,
};

const dbw_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void cli_print_commands(FILE *out)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

static const char global_usage[] =
    "usage: dbward [global options] <command> [options] [arguments]\n"
    "\n"
    "Global options (accepted before or after the command):\n"
    "  -e, --env NAME      the environment (default: DATABASE_ENV, NODE_ENV, development)\n"
    "  -c, --config PATH   dbward.ini to use (default: found upward from here)\n"
    "      --json          machine-readable output on stdout\n"
    "  -q, --quiet         only errors\n"
    "  -v, --verbose       more detail\n"
    "      --no-color      no colours (also NO_COLOR)\n"
    "      --yes           answer yes to prompts (never enough on a protected environment)\n"
    "      --confirm NAME  the live database name, to act destructively on a protected one\n"
    "\n"
    "Commands:\n";

static void print_global_usage(FILE *out)
{
	fputs(global_usage, out);
	cli_print_commands(out);
	fputs("\nRun 'dbward help <command>' for a command's options. Exit codes: "
	      "docs/exit-codes.md.\n",
	      out);
}

/* Global options may stand anywhere; pull them out so that each command's own
 * getopt sees only its options. Returns -1 and prints on a malformed one. */
static int take_globals(dbw_cli *cli, int *argc, char **argv)
{
	int out = 1, i;
	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-e") == 0 || strcmp(a, "--env") == 0)
			slot = &cli->env_name;
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			slot = &cli->config_path;
		else if (strcmp(a, "--confirm") == 0)
			slot = &cli->confirm;
		if (slot) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "dbward: error: option \"%s\" needs a value\n", a);
				return -1;
			}
			*slot = argv[++i];
			continue;
		}
		if (strncmp(a, "--env=", 6) == 0) {
			cli->env_name = a + 6;
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config_path = a + 9;
		} else if (strncmp(a, "--confirm=", 10) == 0) {
			cli->confirm = a + 10;
		} else if (strcmp(a, "--json") == 0) {
			cli->json = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			cli->quiet = 1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			cli->verbose = 1;
		} else if (strcmp(a, "--no-color") == 0) {
			cli->color = 0;
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			cli->yes = 1;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

static char *join_command_line(int argc, char **argv)
{
	dbw_buf b = DBW_BUF_INIT;
	for (int i = 0; i < argc; i++) {
		char *safe = dbw_url_redact(argv[i]);
		if (i)
			dbw_buf_putc(&b, ' ');
		dbw_buf_puts(&b, safe ? safe : "");
		free(safe);
	}
	return dbw_buf_detach(&b);
}

int main(int argc, char **argv)
{
	dbw_cli cli;
	const dbw_command *cmd;
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.stdout_tty = isatty(STDOUT_FILENO);
	cli.stderr_tty = isatty(STDERR_FILENO);
	cli.stdin_tty = isatty(STDIN_FILENO);
	cli.color = cli.stderr_tty && !getenv("NO_COLOR");
	if (getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0)
		cli.color = 0;
	cli.command_line = join_command_line(argc, argv);

	if (take_globals(&cli, &argc, argv) < 0) {
		free(cli.command_line);
		return 2;
	}
	if (argc < 2) {
		print_global_usage(stderr);
		free(cli.command_line);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_global_usage(stdout);
		free(cli.command_line);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("dbward %s\n", dbw_version());
		free(cli.command_line);
		return 0;
	}
	cmd = cli_find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "dbward: error: unknown command \"%s\"\n", argv[1]);
		fprintf(stderr, "hint: Run 'dbward help' to list the commands.\n");
		free(cli.command_line);
		return 2;
	}
	cli.command = cmd->name;
	rc = cmd->run(&cli, argc - 1, argv + 1);
	dbw_project_free(cli.project);
	free(cli.command_line);
	return rc;
}
