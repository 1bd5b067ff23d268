/*
 * common.c - the steps most commands take in the same order: open the
 * project, resolve the environment, connect, read the migrations folder.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_project(dbw_cli *cli, dbw_project **out, dbw_error *err)
{
	dbw_project_options opts = DBW_PROJECT_OPTIONS_INIT;
	int rc;
	if (!cli->project) {
		opts.config_path = cli->config_path;
		rc = dbw_project_open(&cli->project, &opts, err);
		if (rc < 0)
			return rc;
	}
	*out = cli->project;
	return 0;
}

int cli_env(dbw_cli *cli, dbw_env **out, dbw_error *err)
{
	dbw_project *p;
	int rc = cli_project(cli, &p, err);
	if (rc < 0)
		return rc;
	return dbw_env_resolve(out, p, cli->env_name, err);
}

int cli_connect(dbw_cli *cli, const dbw_env *env, int for_migrations, dbw_conn **out,
                dbw_error *err)
{
	dbw_connect_options opts = DBW_CONNECT_OPTIONS_INIT;
	const char *url = for_migrations && env->migration_url ? env->migration_url : env->url;
	opts.connect_timeout_ms = env->connect_timeout_ms;
	return dbw_conn_open(out, url, &opts, err);
}

int cli_migrations(dbw_cli *cli, dbw_migration_set **out, dbw_error *err)
{
	dbw_project *p;
	dbw_format format = DBW_FORMAT_AUTO;
	int rc = cli_project(cli, &p, err);
	if (rc < 0)
		return rc;
	rc = dbw_format_parse(dbw_project_format(p), &format, err);
	if (rc < 0)
		return rc;
	return dbw_migrations_load(out, dbw_project_migrations_dir(p), dbw_project_root(p), format,
	                           err);
}

int cli_connect_read_only(dbw_cli *cli, const dbw_env *env, dbw_conn **out, dbw_error *err)
{
	dbw_connect_options opts = DBW_CONNECT_OPTIONS_INIT;
	opts.connect_timeout_ms = env->connect_timeout_ms;
	opts.read_only = 1;
	opts.create = 0;
	return dbw_conn_open(out, env->url, &opts, err);
}
