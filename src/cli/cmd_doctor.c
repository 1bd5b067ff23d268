/*
 * cmd_doctor.c - `dbward doctor`: every configured environment as one
 * table (DESIGN.md "Identity"): reachable, stamp, name check, which other
 * environment reaches the same database, history health, pending count,
 * last backup. Reads only: nothing is created or stamped.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_doctor_def = {
    "doctor", run, "check every environment: reachable, stamp, identity, history",
    "usage: dbward doctor [--json]\n"
    "\n"
    "For every environment the project knows: is its database reachable, what is it\n"
    "stamped, does its name match expect_database, does another environment reach the\n"
    "same database (PostgreSQL: system identifier and database name; SQLite: the same\n"
    "file), is its history healthy, how many migrations are pending, when was its\n"
    "last backup. Exit 3 when an identity problem is found (a wrong stamp or name, or\n"
    "two environments on one database where one is protected), else 6 for a history\n"
    "problem, else 0. Unconfigured or unreachable environments are reported only.\n"};

typedef struct row {
	char *name;
	int configured, reachable, is_protected, name_ok, stamp_ok, history_code;
	char *problem; /* why not configured / reachable */
	char *stamp;   /* stamped environment or NULL */
	char *key;     /* identity key */
	char *same_as; /* other environments on the same database */
	char *history; /* short text */
	long pending;
	char *last_backup;
} row;

static void probe(const dbw_project *p, const dbw_migration_set *set, const char *name, row *r)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
	dbw_env *env = NULL;
	dbw_conn *c = NULL;
	dbw_stamp *s = NULL;
	dbw_status *st = NULL;
	dbw_backup_list *bl = NULL;
	char *dir = NULL;

	r->name = dbw_strdup(name);
	r->pending = -1;
	r->name_ok = r->stamp_ok = 1;
	if (dbw_env_resolve(&env, p, name, &err) < 0) {
		r->problem = dbw_strdup(err.message);
		goto done;
	}
	r->configured = 1;
	r->is_protected = env->is_protected;
	dir = dbw_backup_dir(env, p, NULL);
	if (dir && dbw_backup_list_dir(dir, env->name, &bl, NULL) == 0 && bl->count)
		r->last_backup = dbw_strdup(bl->items[0]->created_at);
	co.create = 0; /* a doctor never creates a SQLite file */
	co.read_only = 1;
	co.connect_timeout_ms = env->connect_timeout_ms ? env->connect_timeout_ms : 3000;
	if (dbw_conn_open(&c, env->migration_url ? env->migration_url : env->url, &co, &err) < 0) {
		r->problem = dbw_strdup(err.message);
		dbw_identity_url_key(env->migration_url ? env->migration_url : env->url, &r->key,
		                     NULL);
		goto done;
	}
	r->reachable = 1;
	r->name_ok = dbw_identity_check_name(c, env, NULL) == 0;
	if (dbw_stamp_read(c, &s, NULL) == 0 && s) {
		r->stamp = dbw_strdup(s->environment);
		r->stamp_ok = strcmp(s->environment, env->name) == 0;
	}
	dbw_identity_live_key(c, &r->key, NULL);
	if (!set) {
		r->history = dbw_strdup("no migrations folder");
	} else if (dbw_status_build(&st, c, set, &err) < 0) {
		r->history = dbw_strdup(err.message);
		r->history_code = DBW_EHISTORY;
	} else {
		r->history_code = dbw_status_code(st, 0);
		r->pending = (long)st->n_pending;
		if (!st->history_exists)
			r->history = dbw_strdup("no history yet");
		else if (r->history_code == 0)
			r->history = dbw_sprintf("ok (%zu applied)", st->n_applied);
		else
			r->history = dbw_sprintf("%zu failed, %zu modified, %zu missing",
			                         st->n_failed, st->n_modified, st->n_missing);
	}
done:
	dbw_status_free(st);
	dbw_stamp_free(s);
	dbw_backup_list_free(bl);
	free(dir);
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&err);
}

static void free_row(row *r)
{
	free(r->name);
	free(r->problem);
	free(r->stamp);
	free(r->key);
	free(r->same_as);
	free(r->history);
	free(r->last_backup);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_migration_set *set = NULL;
	row *rows = NULL;
	size_t n = 0;
	int ex = 0, o, worst = 0;

	while ((o = cli_getopt(cli, &cmd_doctor_def, argc, argv, "", NULL, &ex)) != 0)
		if (o < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_doctor_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (cli_project(cli, &p, &err) < 0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	if (cli_migrations(cli, &set, &err) < 0)
		set = NULL; /* shown per environment as "no migrations folder" */
	dbw_error_clear(&err);
	n = dbw_project_env_count(p);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		dbw_error_set(&err, DBW_ENOMEM, "out of memory");
		ex = cli_fail(cli, &err);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		probe(p, set, dbw_project_env_name(p, i), &rows[i]);
	/* Same database: equal keys of two configured environments. */
	for (size_t i = 0; i < n; i++) {
		dbw_buf b = DBW_BUF_INIT;
		for (size_t j = 0; j < n; j++)
			if (i != j && rows[i].key && rows[j].key &&
			    strcmp(rows[i].key, rows[j].key) == 0) {
				dbw_buf_printf(&b, "%s%s", b.len ? "," : "", rows[j].name);
				if (rows[i].is_protected || rows[j].is_protected)
					worst = dbw_error_worst(worst, DBW_EPOLICY);
			}
		rows[i].same_as = dbw_buf_detach(&b);
	}
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].name_ok || !rows[i].stamp_ok)
			worst = dbw_error_worst(worst, DBW_EPOLICY);
		if (rows[i].history_code)
			worst = dbw_error_worst(worst, rows[i].history_code);
	}
	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			row *r = &rows[i];
			json_t *j = json_object();
			json_object_set_new(j, "environment", json_string(r->name));
			json_object_set_new(j, "configured", json_boolean(r->configured));
			json_object_set_new(j, "protected", json_boolean(r->is_protected));
			json_object_set_new(j, "reachable", json_boolean(r->reachable));
			json_object_set_new(j, "problem",
			                    r->problem ? json_string(r->problem) : json_null());
			json_object_set_new(j, "stamp",
			                    r->stamp ? json_string(r->stamp) : json_null());
			json_object_set_new(j, "stamp_ok", json_boolean(r->stamp_ok));
			json_object_set_new(j, "name_ok", json_boolean(r->name_ok));
			json_object_set_new(j, "same_as",
			                    json_string(r->same_as ? r->same_as : ""));
			json_object_set_new(j, "history",
			                    r->history ? json_string(r->history) : json_null());
			json_object_set_new(
			    j, "pending", r->pending >= 0 ? json_integer(r->pending) : json_null());
			json_object_set_new(j, "last_backup",
			                    r->last_backup ? json_string(r->last_backup)
			                                   : json_null());
			json_array_append_new(arr, j);
		}
		json_object_set_new(doc, "ok", json_boolean(worst == 0));
		json_object_set_new(doc, "environments", arr);
		cli_json_print(doc);
	} else {
		printf("%-12s %-9s %-12s %-6s %-12s %-22s %-7s %s\n", "environment", "reachable",
		       "stamp", "name", "same-as", "history", "pending", "last backup");
		for (size_t i = 0; i < n; i++) {
			row *r = &rows[i];
			char stamp[64], pend[16];
			snprintf(stamp, sizeof(stamp), "%s%s", r->stamp ? r->stamp : "unstamped",
			         r->stamp_ok ? "" : "(!)");
			snprintf(pend, sizeof(pend), "%ld", r->pending);
			printf("%-12s %-9s %-12s %-6s %-12s %-22s %-7s %s\n", r->name,
			       !r->configured ? "-"
			       : r->reachable ? "yes"
			                      : "NO",
			       r->reachable ? stamp : "-",
			       r->reachable ? (r->name_ok ? "ok" : "WRONG") : "-",
			       or_dash(r->same_as), or_dash(r->history),
			       r->pending >= 0 ? pend : "-", or_dash(r->last_backup));
		}
		for (size_t i = 0; i < n; i++) {
			row *r = &rows[i];
			if (r->configured && !r->reachable)
				printf("%s: not reachable: %s\n", r->name, r->problem);
			else if (!r->configured && cli->verbose)
				printf("%s: not configured: %s\n", r->name, r->problem);
			if (!r->stamp_ok)
				printf("%s: database is stamped %s\n", r->name, r->stamp);
			if (!r->name_ok)
				printf("%s: database name does not match expect_database\n",
				       r->name);
			if (r->same_as && *r->same_as)
				printf("%s: same database as %s\n", r->name, r->same_as);
		}
	}
	ex = dbw_exit_status(worst);
done:
	for (size_t i = 0; rows && i < n; i++)
		free_row(&rows[i]);
	free(rows);
	dbw_migrations_free(set);
	dbw_error_clear(&err);
	return ex;
}
