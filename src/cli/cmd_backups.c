/*
 * cmd_backups.c - `dbward backups`: list the environment's backups from
 * their manifests, newest first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_backups_def = {
    "backups", run, "list verified backups",
    "usage: dbward backups [--dir DIR] [--env NAME] [--json]\n"
    "\n"
    "List the environment's backups, newest first: time, size, migration version,\n"
    "SHA-256 (first 12 characters; all of it with --json), verified, file.\n"};

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_backup_list *l = NULL;
	dbw_env *env = NULL;
	dbw_project *p = NULL;
	const char *dir_opt = NULL;
	char *dir = NULL;
	int ex = 0, rc = 0, o;

	while ((o = cli_getopt(cli, &cmd_backups_def, argc, argv, "", longopts, &ex)) != 0) {
		if (o < 0)
			return ex;
		if (o == 'd')
			dir_opt = optarg;
	}
	if ((ex = cli_check_args(cli, &cmd_backups_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_project(cli, &p, &err)) < 0)
		goto done;
	dir = dbw_backup_dir(env, p, dir_opt);
	if (!dir) {
		rc = dbw_error_set(&err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = dbw_backup_list_dir(dir, env->name, &l, &err)) < 0)
		goto done;
	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array();
		json_object_set_new(doc, "ok", json_true());
		for (size_t i = 0; i < l->count; i++) {
			dbw_backup *b = l->items[i];
			json_t *o2 = json_object();
			json_object_set_new(o2, "path", json_string(b->path));
			json_object_set_new(o2, "environment", json_string(b->environment));
			json_object_set_new(o2, "database", json_string(b->database));
			json_object_set_new(o2, "engine", json_string(b->engine));
			json_object_set_new(o2, "created_at", json_string(b->created_at));
			json_object_set_new(o2, "size", json_integer(b->size));
			json_object_set_new(o2, "migration_version",
			                    b->migration_version ? json_string(b->migration_version)
			                                         : json_null());
			json_object_set_new(o2, "sha256", json_string(b->sha256));
			json_object_set_new(o2, "verified", json_boolean(b->verified));
			json_array_append_new(arr, o2);
		}
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "dir", json_string(dir));
		json_object_set_new(doc, "backups", arr);
		cli_json_print(doc);
	} else if (l->count == 0) {
		printf("no backups of %s in %s\n", env->name, dir);
	} else {
		printf("%-20s  %12s  %-16s  %-12s  %-8s  %s\n", "time", "size", "migration",
		       "sha256", "verified", "file");
		for (size_t i = 0; i < l->count; i++) {
			dbw_backup *b = l->items[i];
			printf("%-20s  %12lld  %-16s  %.12s  %-8s  %s\n", b->created_at, b->size,
			       b->migration_version ? b->migration_version : "-", b->sha256,
			       b->verified ? "yes" : "NO", dbw_path_basename(b->path));
		}
	}
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_backup_list_free(l);
	free(dir);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
