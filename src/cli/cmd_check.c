/*
 * cmd_check.c - `dbward check [OPERATION]`: with OPERATION, whether the
 * environment allows it (policy only: no connection needed, so CI can ask
 * before it tries); without, the pre-migration checks against the live
 * database: reachable, identity, stamp, history clean, what is pending.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_check_def = {
    "check", run, "is an operation allowed here; or the pre-migration checks",
    "usage: dbward check [OPERATION] [--env NAME] [--json]\n"
    "\n"
    "With OPERATION (deploy, reset, truncate, seed, rollback, restore, copy-into,\n"
    "exec-write, stamp, backup, ...): print \"allowed\" (exit 0), \"allowed with\n"
    "confirmation\" (exit 0; the command will ask) or \"BLOCKED: ...\" (exit 3). When the\n"
    "database is reachable the answer runs every check the command would (identity,\n"
    "stamp, policy, a --confirm given); otherwise it comes from policy alone.\n"
    "\n"
    "Without OPERATION: connect and run the pre-migration checks: the database is\n"
    "reachable, its name matches expect_database, it is not another (protected)\n"
    "environment's database, its stamp names this environment, the history is\n"
    "clean; then list what is pending. Exit 0, or the most severe problem's status.\n"};

static int check_operation(dbw_cli *cli, const char *op)
{
	dbw_error err = DBW_ERROR_INIT, gerr = DBW_ERROR_INIT;
	dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
	dbw_guard_options go = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result gr;
	dbw_env *env = NULL;
	dbw_project *p = NULL;
	dbw_conn *c = NULL;
	dbw_decision d;
	const char *blocked = NULL; /* a refusal before or beside policy: identity, stamp, name */
	int rc, ex, deny;

	if ((rc = cli_env(cli, &env, &err)) < 0 || (rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = dbw_policy_decide(env, op, &d, &err)) < 0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	/* The answer depends on the database too (its stamp, its name): ask the
	 * guard when the database can be reached, without creating a file. */
	co.create = 0;
	co.connect_timeout_ms = env->connect_timeout_ms ? env->connect_timeout_ms : 3000;
	if (dbw_conn_open(&c, env->migration_url ? env->migration_url : env->url, &co, &gerr) ==
	    0) {
		go.confirm = cli->confirm;
		go.yes = cli->yes;
		go.command_line = cli->command_line;
		if (dbw_guard(c, env, p, op, &go, &gr, &gerr) < 0 && !gr.needs_confirmation &&
		    gr.verdict != DBW_VERDICT_DENY)
			blocked = gerr.message ? gerr.message : "refused";
	} else {
		cli_note(cli,
		         "dbward: %s is not reachable; the answer comes from its settings alone\n",
		         env->name);
		dbw_error_clear(&gerr);
		if (dbw_identity_check_same(p, env, NULL, &gerr) < 0)
			blocked = gerr.message;
		if (env->is_protected) {
			dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
			char detail[256];
			snprintf(detail, sizeof(detail), "%s: %s (%s)", op,
			         dbw_verdict_name(d.verdict), d.reason);
			e.environment = env->name;
			e.operation = "check";
			e.command_line = cli->command_line;
			e.outcome = d.verdict == DBW_VERDICT_DENY ? "refused" : "allowed";
			e.detail = detail;
			dbw_audit_record(NULL, p, &e, NULL);
		}
	}
	deny = blocked || d.verdict == DBW_VERDICT_DENY;
	ex = deny ? 3 : 0;
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_boolean(!deny));
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "operation", json_string(op));
		json_object_set_new(
		    doc, "verdict",
		    json_string(dbw_verdict_name(blocked ? DBW_VERDICT_DENY : d.verdict)));
		json_object_set_new(doc, "allowed", json_boolean(!deny));
		json_object_set_new(doc, "reason", json_string(blocked ? blocked : d.reason));
		json_object_set_new(doc, "protected", json_boolean(env->is_protected));
		json_object_set_new(doc, "database",
		                    c ? json_string(dbw_conn_database(c)) : json_null());
		cli_json_print(doc);
	} else if (blocked) {
		printf("BLOCKED: %s\n", blocked);
		if (gerr.hint)
			fprintf(stderr, "hint: %s\n", gerr.hint);
	} else if (d.verdict == DBW_VERDICT_DENY) {
		printf("BLOCKED: %s is not allowed in %s (%s)\n", op, env->name, d.reason);
	} else if (d.verdict == DBW_VERDICT_CONFIRM_NAME) {
		printf("allowed with confirmation: type the database name (--confirm NAME)\n");
	} else if (d.verdict == DBW_VERDICT_CONFIRM) {
		printf("allowed with confirmation (--yes or a prompt)\n");
	} else {
		printf("allowed\n");
	}
done:
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&gerr);
	dbw_error_clear(&err);
	return ex;
}

/* One line of the pre-migration report. */
static void line(dbw_cli *cli, json_t *checks, const char *name, int ok, const char *text)
{
	json_t *o = json_object();
	json_object_set_new(o, "check", json_string(name));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "text", json_string(text));
	json_array_append_new(checks, o);
	if (!cli->json)
		printf("%s%-9s%s %-10s %s\n", cli_c(cli, ok ? "green" : "red"),
		       ok ? "ok" : "FAILED", cli_c(cli, "reset"), name, text);
}

static int premigration(dbw_cli *cli)
{
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *c = NULL;
	dbw_migration_set *set = NULL;
	dbw_status *st = NULL;
	dbw_guard_result gr;
	json_t *checks = json_array();
	char text[512];
	int rc, worst = 0, ex;

	if ((rc = cli_env(cli, &env, &err)) < 0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	rc = cli_connect(cli, env, 1, &c, &err);
	snprintf(text, sizeof(text), "%s", rc < 0 ? err.message : dbw_conn_url_redacted(c));
	line(cli, checks, "reachable", rc == 0, text);
	if (rc < 0) {
		worst = rc;
		goto report;
	}
	rc = cli_guard(cli, c, env, "status", NULL, &gr, &err);
	if (rc < 0) {
		line(cli, checks, "identity", 0, err.message);
		worst = rc;
		goto report;
	}
	snprintf(text, sizeof(text), "database \"%s\"%s", dbw_conn_database(c),
	         env->expect_database ? " matches expect_database" : "");
	line(cli, checks, "identity", 1, text);
	if (gr.is_stamped)
		snprintf(text, sizeof(text), "stamped %s", gr.stamp_env);
	else
		snprintf(text, sizeof(text), "unstamped (the first deploy stamps it)");
	line(cli, checks, "stamp", 1, text);
	dbw_error_clear(&err);
	if ((rc = cli_migrations(cli, &set, &err)) < 0 ||
	    (rc = dbw_status_build(&st, c, set, &err)) < 0) {
		line(cli, checks, "history", 0, err.message);
		worst = rc;
		goto report;
	}
	rc = dbw_status_code(st, 0);
	snprintf(text, sizeof(text), "%zu applied, %zu failed, %zu modified, %zu missing",
	         st->n_applied, st->n_failed, st->n_modified, st->n_missing);
	line(cli, checks, "history", rc == 0, text);
	worst = dbw_error_worst(worst, rc);
	snprintf(text, sizeof(text), "%zu pending", st->n_pending);
	line(cli, checks, "pending", 1, text);
	if (!cli->json)
		for (size_t i = 0; i < st->count; i++)
			if (st->items[i].state == DBW_M_PENDING)
				printf("          pending    %s %s\n", st->items[i].version,
				       st->items[i].name);
report:
	ex = dbw_exit_status(worst);
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "ok", json_boolean(worst == 0));
		json_object_set_new(doc, "checks", checks);
		checks = NULL;
		if (worst < 0 && err.message)
			json_object_set_new(doc, "error", cli_json_error(&err));
		cli_json_print(doc);
	} else if (worst < 0 && err.message) {
		ex = cli_fail(cli, &err);
	}
done:
	json_decref(checks);
	dbw_status_free(st);
	dbw_migrations_free(set);
	dbw_conn_close(c);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	int ex = 0, c;
	while ((c = cli_getopt(cli, &cmd_check_def, argc, argv, "", NULL, &ex)) != 0)
		if (c < 0)
			return ex;
	if ((ex = cli_check_args(cli, &cmd_check_def, argc, argv, 0, 1)) != 0)
		return ex;
	if (optind < argc)
		return check_operation(cli, argv[optind]);
	return premigration(cli);
}
