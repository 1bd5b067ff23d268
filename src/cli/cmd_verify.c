/*
 * cmd_verify.c - `dbward verify`: the history against the migrations folder,
 * drift through a shadow database, and optionally a second environment, as
 * one report with one exit status (6 before 5 before 4), for scheduled CI.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_verify_def = {
    "verify", run, "check history, drift and (optionally) another environment",
    "usage: dbward verify [-e ENV] [--against ENV2] [--no-drift] [--fail-on-pending] [--json]\n"
    "\n"
    "One report for CI: the history table against the migrations folder (failed,\n"
    "modified, missing and pending migrations), drift (the live schema against\n"
    "what the applied migrations produce in a shadow database) and, with\n"
    "--against, the live schema against another environment's.\n"
    "\n"
    "  --against ENV2     also compare the schema with ENV2's\n"
    "  --no-drift         skip the shadow database\n"
    "  --fail-on-pending  pending migrations are a finding (exit 4)\n"
    "\n"
    "Exit status: the most severe finding: 6 history problem, 5 drift or\n"
    "difference, 4 pending (with --fail-on-pending), 0 all well; 1 or 2 on errors.\n"};

static json_t *diff_json(const dbw_schema_diff *d)
{
	char *text = NULL;
	json_t *j = NULL;
	if (d && dbw_schema_diff_json(d, &text, NULL) == 0)
		j = json_loads(text, 0, NULL);
	free(text);
	return j ? j : json_null();
}

static void print_json(dbw_cli *cli, const dbw_verify_report *r, const char *env,
                       const char *against)
{
	json_t *doc = json_object(), *hist = json_object(), *probs = json_array(), *drift;
	const dbw_status *st = r->status;
	json_object_set_new(doc, "ok", json_boolean(r->code == 0));
	json_object_set_new(doc, "exit_status", json_integer(dbw_exit_status(r->code)));
	json_object_set_new(doc, "environment", json_string(env));
	json_object_set_new(hist, "applied", json_integer((json_int_t)st->n_applied));
	json_object_set_new(hist, "pending", json_integer((json_int_t)st->n_pending));
	json_object_set_new(hist, "failed", json_integer((json_int_t)st->n_failed));
	json_object_set_new(hist, "modified", json_integer((json_int_t)st->n_modified));
	json_object_set_new(hist, "cosmetic", json_integer((json_int_t)st->n_cosmetic));
	json_object_set_new(hist, "missing", json_integer((json_int_t)st->n_missing));
	for (size_t i = 0; i < st->count; i++) {
		const dbw_status_item *it = &st->items[i];
		json_t *p;
		if (it->state == DBW_M_APPLIED)
			continue;
		p = json_object();
		json_object_set_new(p, "version", json_string(it->version));
		json_object_set_new(p, "name", it->name ? json_string(it->name) : json_null());
		json_object_set_new(p, "state", json_string(dbw_mstate_name(it->state)));
		json_array_append_new(probs, p);
	}
	json_object_set_new(hist, "migrations", probs);
	json_object_set_new(doc, "history", hist);
	drift = json_object();
	json_object_set_new(drift, "checked", json_boolean(r->drift != NULL));
	if (r->drift) {
		json_object_set_new(drift, "identical", json_boolean(r->drift->diff->count == 0));
		json_object_set_new(drift, "replayed",
		                    json_integer((json_int_t)r->drift->n_replayed));
		json_object_set_new(drift, "elapsed_ms", json_integer(r->drift->elapsed_ms));
		json_object_set_new(
		    drift, "differences",
		    json_incref(json_object_get(diff_json(r->drift->diff), "differences")));
	}
	json_object_set_new(drift, "error",
	                    r->drift_error.code ? cli_json_error(&r->drift_error) : json_null());
	json_object_set_new(doc, "drift", drift);
	if (against) {
		json_t *a = diff_json(r->against_diff);
		json_object_set_new(a, "environment", json_string(against));
		json_object_set_new(doc, "against", a);
	} else {
		json_object_set_new(doc, "against", json_null());
	}
	cli_json_print(doc);
}

static void print_text(dbw_cli *cli, const dbw_verify_report *r, const char *env,
                       const char *against)
{
	const dbw_status *st = r->status;
	char *text = NULL;
	printf("history: %zu applied, %zu pending, %zu failed, %zu modified, %zu missing\n",
	       st->n_applied, st->n_pending, st->n_failed, st->n_modified, st->n_missing);
	for (size_t i = 0; i < st->count; i++) {
		const dbw_status_item *it = &st->items[i];
		if (it->state != DBW_M_APPLIED)
			printf("  %-8s %s%s%s\n", dbw_mstate_name(it->state), it->version,
			       it->name ? " " : "", it->name ? it->name : "");
	}
	if (r->drift && r->drift->diff->count == 0) {
		printf("drift: none (%zu migrations replayed in a shadow database)\n",
		       r->drift->n_replayed);
	} else if (r->drift) {
		char *label = dbw_sprintf("%s (live)", env);
		printf("drift: %zu difference%s from what the applied migrations produce\n",
		       r->drift->diff->count, r->drift->diff->count == 1 ? "" : "s");
		if (dbw_schema_diff_text(r->drift->diff, "the migrations", label ? label : env,
		                         &text, NULL) == 0)
			fputs(text, stdout);
		free(text);
		free(label);
		text = NULL;
	} else if (r->drift_error.code) {
		printf("drift: not checked: %s\n",
		       r->drift_error.message ? r->drift_error.message : "");
		if (r->drift_error.where)
			printf("  where: %s\n", r->drift_error.where);
		if (r->drift_error.detail)
			printf("  detail: %s\n", r->drift_error.detail);
		if (r->drift_error.hint)
			printf("  hint: %s\n", r->drift_error.hint);
	} else {
		printf("drift: not checked (--no-drift)\n");
	}
	if (against && r->against_diff->count == 0) {
		printf("against %s: schemas are identical\n", against);
	} else if (against) {
		printf("against %s: %zu difference%s\n", against, r->against_diff->count,
		       r->against_diff->count == 1 ? "" : "s");
		if (dbw_schema_diff_text(r->against_diff, env, against, &text, NULL) == 0)
			fputs(text, stdout);
		free(text);
	}
	printf("%sresult: %s%s (exit %d)\n", cli_c(cli, "bold"),
	       r->code == 0 ? "ok" : dbw_error_name(r->code), cli_c(cli, "reset"),
	       dbw_exit_status(r->code));
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"against", required_argument, NULL, 'a'},
	                                         {"no-drift", no_argument, NULL, 'n'},
	                                         {"fail-on-pending", no_argument, NULL, 'p'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_verify_options opts = DBW_VERIFY_OPTIONS_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL, *other = NULL;
	dbw_conn *conn = NULL, *other_conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_verify_report *r = NULL;
	const char *against = NULL;
	char *setup = NULL;
	cli_progress bar;
	int ex = 0, c, rc;
	memset(&bar, 0, sizeof(bar));
	while ((c = cli_getopt(cli, &cmd_verify_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'a')
			against = optarg;
		else if (c == 'n')
			opts.skip_drift = 1;
		else if (c == 'p')
			opts.pending_is_error = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_verify_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_project(cli, &p, &err)) < 0 || (rc = cli_env(cli, &env, &err)) < 0 ||
	    (rc = cli_connect(cli, env, 1, &conn, &err)) < 0 ||
	    (rc = cli_migrations(cli, &set, &err)) < 0)
		goto done;
	if (against && ((rc = dbw_env_resolve(&other, p, against, &err)) < 0 ||
	                (rc = cli_connect_read_only(cli, other, &other_conn, &err)) < 0))
		goto done;
	opts.against = other_conn;
	opts.drift.live_url = env->migration_url ? env->migration_url : env->url;
	opts.drift.shadow_url = dbw_shadow_url_for(env, p);
	setup = dbw_shadow_setup_for(env, p);
	opts.drift.setup_path = setup;
	cli_shadow_guard();
	bar.cli = cli;
	opts.drift.on_event = cli_replay_progress;
	opts.drift.ctx = &bar;
	rc = dbw_verify_run(&r, conn, set, &opts, &err);
	cli_progress_finish(&bar);
	if (rc < 0)
		goto done;
	if (cli->json)
		print_json(cli, r, env->name, against ? other->name : NULL);
	else
		print_text(cli, r, env->name, against ? other->name : NULL);
	ex = dbw_exit_status(r->code);
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_verify_free(r);
	free(setup);
	dbw_migrations_free(set);
	dbw_conn_close(other_conn);
	dbw_conn_close(conn);
	dbw_env_free(other);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
