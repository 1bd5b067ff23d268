/*
 * cmd_backup.c - `dbward backup`: take a verified backup of the selected
 * environment's database (dbw_backup_take) into its backup_dir.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_backup_def = {
    "backup", run, "take and verify a backup",
    "usage: dbward backup [--dir DIR] [--keep N] [--env NAME] [--json]\n"
    "\n"
    "Take a backup of the environment's database and verify it: PostgreSQL with\n"
    "pg_dump -Fc of the server's major version, checked with pg_restore --list;\n"
    "SQLite with the online backup API, checked with PRAGMA integrity_check. A\n"
    "manifest FILE.json beside it records environment, time, size, migration\n"
    "version, SHA-256 and verification. Then the oldest verified backups beyond\n"
    "keep_backups (or --keep) are removed.\n"
    "\n"
    "  --dir DIR   folder (default: backup_dir of [env.NAME], else backups/<env>)\n"
    "  --keep N    keep this many verified backups of the environment\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'},
	                                         {"keep", required_argument, NULL, 'k'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_backup_options bo = DBW_BACKUP_OPTIONS_INIT;
	dbw_guard_options go = DBW_GUARD_OPTIONS_INIT;
	dbw_backup *b = NULL;
	dbw_env *env = NULL;
	dbw_conn *c = NULL;
	dbw_project *p = NULL;
	int ex = 0, rc = 0, o;
	int64_t t0 = dbw_now_ms();
	char *end;

	while ((o = cli_getopt(cli, &cmd_backup_def, argc, argv, "", longopts, &ex)) != 0) {
		if (o < 0)
			return ex;
		if (o == 'd') {
			bo.dir = optarg;
		} else if (o == 'k') {
			bo.keep = strtol(optarg, &end, 10);
			if (*end || bo.keep < 1)
				return cli_usage_error(
				    cli, "--keep needs a positive number, not \"%s\"", optarg);
		}
	}
	if ((ex = cli_check_args(cli, &cmd_backup_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &c, &err)) < 0)
		goto done;
	go.started_ms = t0;
	if ((rc = cli_guard(cli, c, env, "backup", &go, NULL, &err)) < 0)
		goto done;
	rc = dbw_backup_take(c, env, p, &bo, &b, &err);
	dbw_audit_finish(c, env, p, "backup", cli->command_line, t0, rc, &err, NULL);
	if (rc < 0)
		goto done;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(b->environment));
		json_object_set_new(doc, "database", json_string(b->database));
		json_object_set_new(doc, "path", json_string(b->path));
		json_object_set_new(doc, "size", json_integer(b->size));
		json_object_set_new(doc, "sha256", json_string(b->sha256));
		json_object_set_new(doc, "verified", json_boolean(b->verified));
		json_object_set_new(doc, "migration_version",
		                    b->migration_version ? json_string(b->migration_version)
		                                         : json_null());
		cli_json_print(doc);
	} else if (!cli->quiet) {
		printf("backup of %s (database \"%s\") verified by %s\n", b->environment,
		       b->database, b->verify_method);
		printf("  file     %s\n  size     %lld bytes\n  sha256   %s\n", b->path, b->size,
		       b->sha256);
	}
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_backup_free(b);
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
