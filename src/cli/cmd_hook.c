/*
 * cmd_hook.c - `dbward hook install`: the git pre-commit hook that runs
 * `dbward lint --staged`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include <dbward/lint.h>

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_hook_def = {
    "hook", run, "install the git pre-commit hook (lint --staged)",
    "usage: dbward hook install [--json]\n"
    "\n"
    "Write the repository's pre-commit hook: it runs 'dbward lint --staged', which\n"
    "lints staged migrations, refuses staged edits or deletions of committed\n"
    "migrations, and refuses staged files with dangerous commands ([lint] dangerous\n"
    "in dbward.ini). An existing hook is never overwritten. 'git commit --no-verify'\n"
    "skips the hook.\n"
    "\n"
    "Exit status: 0 (also when dbward's hook is already there); 3 another pre-commit\n"
    "hook exists; 1 not a git work tree; 2 usage.\n"};

/* 'path' for sh: single quotes, each ' written as '\'' */
static char *sh_quote(const char *s)
{
	dbw_buf b = DBW_BUF_INIT;
	dbw_buf_putc(&b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			dbw_buf_puts(&b, "'\\''");
		else
			dbw_buf_putc(&b, *s);
	dbw_buf_putc(&b, '\'');
	return dbw_buf_detach(&b);
}

/* The command the hook runs: "dbward" when that is on PATH, else this binary's path. */
static char *hook_command(void)
{
	char self[4096];
	const char *path = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *copy = path ? strdup(path) : NULL, *save = NULL;
	for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char cand[4096], real[4096];
		snprintf(cand, sizeof(cand), "%s/dbward", dir);
		if (n > 0 && realpath(cand, real)) {
			self[n] = '\0';
			if (strcmp(real, self) == 0) {
				free(copy);
				return strdup("dbward");
			}
		}
	}
	free(copy);
	if (n <= 0)
		return strdup("dbward");
	self[n] = '\0';
	return sh_quote(self);
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	char *path = NULL, *cmd = NULL;
	int c, ex = 0, rc, already = 0;

	while ((c = cli_getopt(cli, &cmd_hook_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_hook_def, argc, argv, 1, 1)) != 0)
		return ex;
	if (strcmp(argv[optind], "install") != 0)
		return cli_usage_error(cli, "unknown hook action \"%s\" (install)", argv[optind]);
	if ((rc = cli_project(cli, &p, &err)) < 0)
		goto fail;
	if (!(cmd = hook_command())) {
		rc = dbw_error_set(&err, DBW_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = dbw_hook_install(dbw_project_root(p), cmd, &path, &already, &err)) < 0)
		goto fail;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "path", json_string(path));
		json_object_set_new(doc, "command", json_string(cmd));
		json_object_set_new(doc, "already_installed", json_boolean(already));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		if (already)
			printf("already installed: %s\n", path);
		else
			printf("installed %s (runs: %s lint --staged)\n", path, cmd);
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	free(path);
	free(cmd);
	dbw_error_clear(&err);
	return ex;
}
