/*
 * cmd_deploy.c - `dbward deploy`: apply pending migrations (the main job).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_deploy_def = {
    "deploy", run, "apply pending migrations",
    "usage: dbward deploy [--dry-run] [--to VERSION] [--atomic] [--lock-timeout DURATION]\n"
    "\n"
    "Apply the pending migrations of the project's folder to the environment's database,\n"
    "each in its own transaction together with its history row (unless a statement\n"
    "cannot run in one). One deploy at a time per database: others wait for the lock.\n"
    "\n"
    "Options:\n"
    "      --dry-run              print what would run, statement by statement; change nothing\n"
    "      --to VERSION           stop after VERSION (inclusive)\n"
    "      --atomic               all pending migrations in one transaction: all or nothing\n"
    "      --lock-timeout DUR     how long to wait for another deploy (default 60s); exit 8\n"
    "      --skip-backup          protected environment: deploy without the verified backup\n"
    "      --allow-drift          protected environment: deploy although the live schema\n"
    "                             differs from what the applied migrations produce\n"
    "      --reason TEXT          why (required with --skip-backup / --allow-drift; audited)\n"
    "\n"
    "A protected environment is first checked for drift (its applied migrations replayed\n"
    "in a shadow database; exit 5 on a difference), then gets a verified backup (dbward\n"
    "backup); the deploy stops when either fails. An unstamped database is stamped with\n"
    "the environment after its first successful deploy.\n"
    "\n"
    "Exit status: 0 applied (or nothing to do); 1 a migration failed; 2 usage or\n"
    "configuration; 3 refused by policy; 5 drift (protected environment); 6 history\n"
    "problem; 8 lock not acquired.\n"};

typedef struct progress_ctx {
	dbw_cli *cli;
	cli_progress bar;
	json_t *applied;
} progress_ctx;

static void on_event(const dbw_event *ev, void *ctx)
{
	progress_ctx *p = ctx;
	dbw_cli *cli = p->cli;
	switch (ev->kind) {
	case DBW_EV_START:
		if (ev->index == 0)
			cli_progress_init(&p->bar, cli, ev->total);
		cli_progress_update(&p->bar, ev->index, ev->migration->id);
		break;
	case DBW_EV_DONE:
		if (ev->execution_ms >= 0) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(ev->migration->id));
			json_object_set_new(o, "version", json_string(ev->migration->version));
			json_object_set_new(o, "name", json_string(ev->migration->name));
			json_object_set_new(o, "execution_ms", json_integer(ev->execution_ms));
			json_array_append_new(p->applied, o);
		}
		cli_progress_update(&p->bar, ev->index, ev->migration->id);
		if (!cli->json && !cli->quiet && (cli->verbose || !p->bar.enabled)) {
			cli_progress_finish(&p->bar);
			if (ev->execution_ms >= 0)
				printf("  %sapplied%s %s %s(%ld ms)%s\n", cli_c(cli, "green"),
				       cli_c(cli, "reset"), ev->migration->id, cli_c(cli, "dim"),
				       ev->execution_ms, cli_c(cli, "reset"));
			else
				printf("  skipped %s (%s)\n", ev->migration->id, ev->text);
		}
		break;
	case DBW_EV_RETRY:
	case DBW_EV_NOTICE:
		cli_progress_finish(&p->bar);
		if (cli->verbose || ev->kind == DBW_EV_RETRY)
			cli_note(cli, "dbward: %s: %s\n", ev->migration->id, ev->text);
		break;
	}
}

static void print_plan(dbw_cli *cli, const dbw_deploy_result *res, const dbw_env *env)
{
	if (res->count == 0) {
		printf("Nothing to deploy: %s is up to date.\n", env->name);
		return;
	}
	printf("Would apply %zu migration%s to %s (dry run: nothing was changed):\n", res->count,
	       res->count == 1 ? "" : "s", env->name);
	for (size_t i = 0; i < res->count; i++) {
		const dbw_deploy_step *st = &res->steps[i];
		const dbw_migration *m = st->migration;
		printf("\n%s-- %zu. %s (%s), %s%s\n", cli_c(cli, "bold"), i + 1, m->id, m->rel_path,
		       dbw_txn_mode_name(st->mode), cli_c(cli, "reset"));
		if (st->reason)
			printf("--    %s\n", st->reason);
		for (size_t k = 0; k < st->n_stmts; k++)
			printf("%.*s;\n", (int)st->stmts[k].length,
			       m->content + st->stmts[k].offset);
	}
}

static json_t *plan_json(const dbw_deploy_result *res)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < res->count; i++) {
		const dbw_deploy_step *st = &res->steps[i];
		const dbw_migration *m = st->migration;
		json_t *o = json_object(), *stmts = json_array();
		json_object_set_new(o, "id", json_string(m->id));
		json_object_set_new(o, "version", json_string(m->version));
		json_object_set_new(o, "name", json_string(m->name));
		json_object_set_new(o, "file", json_string(m->rel_path));
		json_object_set_new(o, "mode", json_string(dbw_txn_mode_name(st->mode)));
		json_object_set_new(o, "reason",
		                    st->reason ? json_string(st->reason) : json_null());
		for (size_t k = 0; k < st->n_stmts; k++) {
			int line, col;
			json_t *s = json_object();
			dbw_migration_position(m, st->stmts[k].offset, &line, &col);
			json_object_set_new(s, "line", json_integer(line));
			json_object_set_new(
			    s, "sql",
			    json_stringn(m->content + st->stmts[k].offset, st->stmts[k].length));
			json_array_append_new(stmts, s);
		}
		json_object_set_new(o, "statements", stmts);
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Issue 4: dbward.sum must match the folder, and on a protected environment
 * the migrations about to run must have no error-level lint finding that is
 * not signed off (-- dbward:allow). Only pending ones are linted. */
static int lint_check(dbw_conn *conn, const dbw_env *env, const dbw_project *project,
                      const dbw_migration_set *set, dbw_error *err)
{
	dbw_status *st = NULL;
	unsigned char *pending = NULL;
	int rc;
	if (env->is_protected) {
		if ((rc = dbw_status_build(&st, conn, set, err)) < 0)
			return rc;
		pending = calloc(set->count ? set->count : 1, 1);
		if (!pending) {
			dbw_status_free(st);
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < st->count; i++) {
			const dbw_status_item *it = &st->items[i];
			if (it->migration && (it->state == DBW_M_PENDING ||
			                      (it->state == DBW_M_FAILED && !it->needs_resolve)))
				pending[it->migration - set->items] = 1;
		}
	}
	rc = dbw_lint_deploy_check(project, env, set, pending, NULL, err);
	free(pending);
	dbw_status_free(st);
	return rc;
}

/* Issue 5, item 6: before touching a protected environment, replay its
 * applied migrations in a shadow database and refuse on drift, unless
 * --allow-drift --reason (audited). Unprotected environments pass. */
static int drift_check(dbw_cli *cli, dbw_conn *conn, const dbw_env *env, dbw_project *project,
                       const dbw_migration_set *set, int allow_drift, const char *reason,
                       dbw_error *err)
{
	dbw_drift_options dopt = DBW_DRIFT_OPTIONS_INIT;
	char *setup;
	int rc, has_history = 0;
	if (!env->is_protected)
		return 0;
	/* A database dbward has never deployed to has no applied migrations to
	 * compare with: what it holds is adopted (see dbward baseline), not drift. */
	if ((rc = dbw_conn_table_exists(conn,
	                                set->format == DBW_FORMAT_PRISMA ? "_prisma_migrations"
	                                                                 : "dbward_migrations",
	                                &has_history, err)) < 0)
		return rc;
	if (!has_history)
		return 0;
	if (allow_drift && (!reason || !*reason))
		return dbw_error_set(err, DBW_EUSAGE, "--allow-drift needs --reason \"...\"");
	dopt.live_url = env->migration_url ? env->migration_url : env->url;
	dopt.shadow_url = dbw_shadow_url_for(env, project);
	setup = dbw_shadow_setup_for(env, project);
	dopt.setup_path = setup;
	cli_shadow_guard();
	cli_note(cli, "dbward: checking %s for drift (shadow replay)\n", env->name);
	rc = dbw_drift_guard(conn, env, set, &dopt, allow_drift, NULL, err);
	free(setup);
	if (rc == 0 && allow_drift) {
		dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
		dbw_error ignored = DBW_ERROR_INIT;
		e.environment = env->name;
		e.operation = "allow-drift";
		e.database = dbw_conn_database(conn);
		e.command_line = cli->command_line;
		e.outcome = "allowed";
		e.detail = reason;
		dbw_audit_record(conn, project, &e, &ignored);
		dbw_error_clear(&ignored);
	}
	return rc;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dry-run", no_argument, NULL, 'n'},     {"to", required_argument, NULL, 't'},
	    {"atomic", no_argument, NULL, 'a'},      {"lock-timeout", required_argument, NULL, 'l'},
	    {"skip-backup", no_argument, NULL, 'S'}, {"reason", required_argument, NULL, 'R'},
	    {"allow-drift", no_argument, NULL, 'D'}, {NULL, 0, NULL, 0}};
	dbw_deploy_options opts = DBW_DEPLOY_OPTIONS_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_deploy_result *res = NULL;
	progress_ctx pc;
	const char *lock_wait = NULL;
	dbw_guard_options guard = DBW_GUARD_OPTIONS_INIT;
	dbw_guard_result guarded;
	dbw_backup *backup = NULL;
	const char *skip_reason = NULL;
	int skip_backup = 0, allow_drift = 0;
	dbw_project *project = NULL;
	int64_t t0 = dbw_now_ms();
	int c, ex = 0, rc;

	memset(&pc, 0, sizeof(pc));
	pc.cli = cli;
	while ((c = cli_getopt(cli, &cmd_deploy_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'n')
			opts.dry_run = 1;
		else if (c == 't')
			opts.to = optarg;
		else if (c == 'a')
			opts.atomic = 1;
		else if (c == 'l')
			lock_wait = optarg;
		else if (c == 'S')
			skip_backup = 1;
		else if (c == 'R')
			skip_reason = optarg;
		else if (c == 'D')
			allow_drift = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_deploy_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (lock_wait && (rc = dbw_duration_parse(lock_wait, &opts.lock_wait_ms, &err)) < 0)
		goto fail;

	pc.applied = json_array();
	opts.on_event = on_event;
	opts.ctx = &pc;

	if ((rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	opts.lock_timeout_ms = env->lock_timeout_ms;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0)
		goto fail;
	guard.started_ms = t0;
	if ((rc = cli_project(cli, &project, &err)) < 0 ||
	    (rc = cli_guard(cli, conn, env, "deploy", &guard, &guarded, &err)) < 0 ||
	    (rc = lint_check(conn, env, project, set, &err)) < 0 ||
	    (!opts.dry_run && (rc = drift_check(cli, conn, env, project, set, allow_drift,
	                                        skip_reason, &err)) < 0) ||
	    (!opts.dry_run &&
	     (rc = dbw_backup_before_deploy(conn, env, project, skip_backup, skip_reason,
	                                    cli->command_line, &backup, &err)) < 0))
		goto fail;
	if (backup)
		cli_note(cli, "dbward: verified backup of %s: %s\n", env->name, backup->path);
	cli_note(cli, "dbward: deploying %s to %s (%s)\n", dbw_format_name(set->format), env->name,
	         dbw_conn_url_redacted(conn));

	rc = dbw_deploy(conn, set, &opts, &res, &err);
	if (!opts.dry_run)
		dbw_audit_finish(conn, env, project, "deploy", cli->command_line, t0, rc, &err,
		                 NULL);
	/* The first successful deploy stamps the database (a failed one leaves it as it was). */
	if (rc == 0 && !opts.dry_run && !guarded.is_stamped &&
	    dbw_stamp_ensure(conn, env->name, NULL, NULL, NULL) < 0)
		cli_warn(cli, "could not stamp database \"%s\" as %s; run \"dbward stamp %s\"\n",
		         dbw_conn_database(conn), env->name, env->name);
	cli_progress_finish(&pc.bar);
	if (rc < 0)
		goto fail;

	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_set_new(doc, "format", json_string(dbw_format_name(set->format)));
		json_object_set_new(doc, "dry_run", json_boolean(opts.dry_run));
		if (opts.dry_run)
			json_object_set_new(doc, "planned", plan_json(res));
		json_object_set_new(doc, "applied", pc.applied);
		pc.applied = NULL;
		json_object_set_new(doc, "total_ms", json_integer(res->total_ms));
		cli_json_print(doc);
	} else if (opts.dry_run) {
		print_plan(cli, res, env);
	} else if (!cli->quiet) {
		if (res->n_applied == 0)
			printf("Nothing to deploy: %s is up to date (%zu migration%s).\n",
			       env->name, set->count, set->count == 1 ? "" : "s");
		else
			printf("%sApplied %zu migration%s to %s in %.2f s.%s\n",
			       cli_c(cli, "green"), res->n_applied, res->n_applied == 1 ? "" : "s",
			       env->name, res->total_ms / 1000.0, cli_c(cli, "reset"));
	}
	ex = 0;
	goto done;
fail:
	if (cli->json) {
		json_t *doc = json_object();
		if (pc.applied) {
			json_object_set_new(doc, "applied", pc.applied);
			pc.applied = NULL;
		}
		ex = cli_fail_with(cli, &err, doc);
	} else {
		if (res && res->n_applied)
			printf("Applied %zu migration%s before the failure.\n", res->n_applied,
			       res->n_applied == 1 ? "" : "s");
		ex = cli_fail(cli, &err);
	}
done:
	json_decref(pc.applied);
	dbw_backup_free(backup);
	dbw_deploy_result_free(res);
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
