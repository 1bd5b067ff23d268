/*
 * cmd_diff.c - `dbward diff ENV_A ENV_B` (two live schemas) and `dbward diff
 * ENV --migrations` (the live schema against what its applied migrations
 * produce, replayed in a shadow database). Words, --json or --sql; exit 5
 * when they differ.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_diff_def = {
    "diff", run, "compare two environments' schemas, or one with its migrations",
    "usage: dbward diff ENV_A ENV_B [--sql] [--json]\n"
    "       dbward diff ENV --migrations [--sql] [--json]\n"
    "\n"
    "Compare the live schemas of two environments, object by object, and say\n"
    "what differs. With --migrations, compare ENV's live schema with what the\n"
    "migrations its history records as applied produce, replayed in a shadow\n"
    "database (a temporary database on the same server created from template0,\n"
    "or shadow_url from dbward.ini; always dropped afterwards): that is drift.\n"
    "\n"
    "  --migrations  compare ENV with its applied migrations\n"
    "  --sql         print the DDL that turns the first schema into the second;\n"
    "                statements that lose data are marked \"-- destructive:\"\n"
    "\n"
    "Exit status: 0 identical, 5 different, 1 or 2 on errors.\n"};

typedef struct side {
	dbw_env *env;
	dbw_conn *conn;
	dbw_schema *schema;
} side;

static int open_side(dbw_cli *cli, const char *name, side *s, dbw_error *err)
{
	dbw_project *p;
	int rc = cli_project(cli, &p, err);
	if (rc < 0 || (rc = dbw_env_resolve(&s->env, p, name, err)) < 0 ||
	    (rc = cli_connect_read_only(cli, s->env, &s->conn, err)) < 0)
		return rc;
	return dbw_schema_introspect(&s->schema, s->conn, NULL, err);
}

static void close_side(side *s)
{
	dbw_schema_free(s->schema);
	dbw_conn_close(s->conn);
	dbw_env_free(s->env);
}

static int report(dbw_cli *cli, const dbw_schema_diff *d, dbw_db_kind engine, int sql,
                  const char *la, const char *lb, dbw_error *err)
{
	char *text = NULL;
	int rc;
	if (cli->json) {
		json_t *doc = json_object(), *lib;
		if ((rc = dbw_schema_diff_json(d, &text, err)) < 0) {
			json_decref(doc);
			return rc;
		}
		lib = json_loads(text, 0, NULL);
		free(text);
		text = NULL;
		json_object_set_new(doc, "ok", json_boolean(d->count == 0));
		json_object_set_new(doc, "a", json_string(la));
		json_object_set_new(doc, "b", json_string(lb));
		json_object_update(doc, lib);
		json_decref(lib);
		if (sql) {
			if ((rc = dbw_schema_diff_sql(d, engine, &text, err)) < 0) {
				json_decref(doc);
				return rc;
			}
			json_object_set_new(doc, "sql", json_string(text));
		}
		cli_json_print(doc);
	} else if (sql) {
		if ((rc = dbw_schema_diff_sql(d, engine, &text, err)) < 0)
			return rc;
		puts(text);
	} else if (d->count == 0) {
		printf("%s and %s: schemas are identical\n", la, lb);
	} else {
		if ((rc = dbw_schema_diff_text(d, la, lb, &text, err)) < 0)
			return rc;
		fputs(text, stdout);
		printf("\n%s%zu difference%s between %s and %s%s\n", cli_c(cli, "bold"), d->count,
		       d->count == 1 ? "" : "s", la, lb, cli_c(cli, "reset"));
	}
	free(text);
	return 0;
}

static int run_migrations(dbw_cli *cli, const char *name, int sql, dbw_error *err)
{
	dbw_project *p;
	dbw_migration_set *set = NULL;
	dbw_drift_options opts = DBW_DRIFT_OPTIONS_INIT;
	dbw_drift *drift = NULL;
	side live = {NULL, NULL, NULL};
	char *setup = NULL;
	cli_progress bar;
	int rc;
	if ((rc = cli_project(cli, &p, err)) < 0 ||
	    (rc = dbw_env_resolve(&live.env, p, name, err)) < 0 ||
	    (rc = cli_connect(cli, live.env, 1, &live.conn, err)) < 0 ||
	    (rc = cli_migrations(cli, &set, err)) < 0)
		goto done;
	opts.live_url = live.env->migration_url ? live.env->migration_url : live.env->url;
	opts.shadow_url = dbw_shadow_url_for(live.env, p);
	setup = dbw_shadow_setup_for(live.env, p);
	opts.setup_path = setup;
	cli_shadow_guard();
	memset(&bar, 0, sizeof(bar));
	bar.cli = cli;
	opts.on_event = cli_replay_progress;
	opts.ctx = &bar;
	rc = dbw_drift_check(&drift, live.conn, set, &opts, err);
	cli_progress_finish(&bar);
	if (rc == 0 || rc == DBW_EDRIFT) {
		char *label = dbw_sprintf("%s (live)", live.env->name);
		cli_note(cli, "replayed %zu migration%s in a shadow database (%.1f s)\n",
		         drift->n_replayed, drift->n_replayed == 1 ? "" : "s",
		         drift->elapsed_ms / 1000.0);
		int rrc = report(cli, drift->diff, dbw_conn_kind(live.conn), sql, "the migrations",
		                 label ? label : name, err);
		free(label);
		if (rrc < 0)
			rc = rrc;
	}
done:
	dbw_drift_free(drift);
	dbw_migrations_free(set);
	close_side(&live);
	free(setup);
	return rc;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"sql", no_argument, NULL, 's'},
	                                         {"migrations", no_argument, NULL, 'm'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	side a = {NULL, NULL, NULL}, b = {NULL, NULL, NULL};
	dbw_schema_diff *d = NULL;
	int ex = 0, c, rc = 0, sql = 0, migrations = 0;
	while ((c = cli_getopt(cli, &cmd_diff_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 's')
			sql = 1;
		else if (c == 'm')
			migrations = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_diff_def, argc, argv, migrations ? 1 : 2,
	                         migrations ? 1 : 2)) != 0)
		return ex;
	if (migrations) {
		rc = run_migrations(cli, argv[optind], sql, &err);
		goto done;
	}
	if ((rc = open_side(cli, argv[optind], &a, &err)) < 0 ||
	    (rc = open_side(cli, argv[optind + 1], &b, &err)) < 0)
		goto done;
	if (a.schema->engine != b.schema->engine) {
		rc = dbw_error_set(&err, DBW_EUSAGE, "cannot compare a %s schema with a %s one",
		                   a.schema->engine == DBW_DB_SQLITE ? "SQLite" : "PostgreSQL",
		                   b.schema->engine == DBW_DB_SQLITE ? "SQLite" : "PostgreSQL");
		dbw_error_detail(&err,
		                 "Environment \"%s\" and environment \"%s\" use different engines.",
		                 a.env->name, b.env->name);
		goto done;
	}
	if ((rc = dbw_schema_diff_build(&d, a.schema, b.schema, &err)) < 0 ||
	    (rc = report(cli, d, a.schema->engine, sql, a.env->name, b.env->name, &err)) < 0)
		goto done;
	rc = d->count ? DBW_EDRIFT : 0;
done:
	if (rc == DBW_EDRIFT)
		ex = dbw_exit_status(DBW_EDRIFT);
	else
		ex = rc < 0 ? cli_fail(cli, &err) : 0;
	dbw_schema_diff_free(d);
	close_side(&a);
	close_side(&b);
	dbw_error_clear(&err);
	return ex;
}
