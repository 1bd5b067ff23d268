/*
 * cmd_status.c - `dbward status`: applied, pending, failed, modified and
 * missing migrations of the environment's database.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_status_def = {
    "status", run, "show applied, pending, failed, modified and missing migrations",
    "usage: dbward status [--exit-code]\n"
    "\n"
    "Compare the migrations folder with the database's history table. Reads only.\n"
    "An applied file edited only in comments or whitespace is shown as cosmetic.\n"
    "\n"
    "Options:\n"
    "      --exit-code   exit 4 when migrations are pending\n"
    "\n"
    "Exit status: 0 in sync; 4 pending (with --exit-code); 6 failed, modified or missing\n"
    "migrations; 1 runtime error; 2 usage or configuration.\n"};

static const char *state_color(dbw_mstate s)
{
	switch (s) {
	case DBW_M_APPLIED:
		return "green";
	case DBW_M_COSMETIC:
		return "dim";
	case DBW_M_PENDING:
		return "yellow";
	default:
		return "red";
	}
}

static json_t *item_json(const dbw_status_item *it)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "version", json_string(it->version));
	json_object_set_new(o, "name", json_string(it->name));
	json_object_set_new(o, "state", json_string(dbw_mstate_name(it->state)));
	json_object_set_new(o, "file",
	                    it->migration ? json_string(it->migration->rel_path) : json_null());
	json_object_set_new(o, "applied_at",
	                    it->applied_at ? json_string(it->applied_at) : json_null());
	json_object_set_new(o, "execution_ms",
	                    it->execution_ms >= 0 ? json_integer(it->execution_ms) : json_null());
	json_object_set_new(o, "needs_resolve", json_boolean(it->needs_resolve));
	json_object_set_new(o, "out_of_order", json_boolean(it->out_of_order));
	json_object_set_new(o, "error", it->error ? json_string(it->error) : json_null());
	return o;
}

static void print_text(dbw_cli *cli, const dbw_status *s, const dbw_env *env, dbw_conn *conn)
{
	printf("%sEnvironment:%s %s (%s)\n", cli_c(cli, "bold"), cli_c(cli, "reset"), env->name,
	       dbw_conn_url_redacted(conn));
	printf("%sHistory:%s     %s%s, format %s\n", cli_c(cli, "bold"), cli_c(cli, "reset"),
	       s->history_table, s->history_exists ? "" : " (not created yet)",
	       dbw_format_name(s->format));
	printf("\n");
	for (size_t i = 0; i < s->count; i++) {
		const dbw_status_item *it = &s->items[i];
		printf("  %s%-9s%s %s", cli_c(cli, state_color(it->state)),
		       dbw_mstate_name(it->state), cli_c(cli, "reset"), it->id);
		/* The id is the version for most formats: show the name beside it. */
		if (strcmp(it->id, it->version) == 0 && it->name && *it->name)
			printf(" %s", it->name);
		if (it->applied_at)
			printf("  %s%s%s", cli_c(cli, "dim"), it->applied_at, cli_c(cli, "reset"));
		if (it->out_of_order)
			printf("  (older than the newest applied migration)");
		if (it->state == DBW_M_FAILED)
			printf("  %s", it->needs_resolve ? "(needs 'dbward resolve')"
			                                 : "(rolled back; deploy retries it)");
		printf("\n");
		if (it->state == DBW_M_FAILED && it->error && (cli->verbose || it->needs_resolve)) {
			char first[512];
			snprintf(first, sizeof(first), "%s", it->error);
			char *nl = strchr(first, '\n');
			if (nl)
				*nl = '\0';
			printf("            %s\n", first);
		}
		if (it->state == DBW_M_MODIFIED && it->migration)
			printf("            %s changed after it was applied\n",
			       it->migration->rel_path);
	}
	printf("\n%zu applied, %zu pending", s->n_applied, s->n_pending);
	if (s->n_failed)
		printf(", %zu failed", s->n_failed);
	if (s->n_modified)
		printf(", %zu modified", s->n_modified);
	if (s->n_cosmetic)
		printf(", %zu cosmetic", s->n_cosmetic);
	if (s->n_missing)
		printf(", %zu missing", s->n_missing);
	printf(".\n");
	if (s->n_modified)
		printf("%shint:%s restore modified files as they were applied and put changes in a "
		       "new "
		       "migration.\n",
		       cli_c(cli, "yellow"), cli_c(cli, "reset"));
	if (s->n_missing)
		printf("%shint:%s missing migrations are recorded in the database but not in the "
		       "folder: restore them or check the database.\n",
		       cli_c(cli, "yellow"), cli_c(cli, "reset"));
	if (s->n_pending && !s->n_modified && !s->n_missing)
		printf("Run 'dbward deploy' to apply the pending migration%s.\n",
		       s->n_pending == 1 ? "" : "s");
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"exit-code", no_argument, NULL, 'x'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_status *s = NULL;
	int c, ex = 0, rc, exit_code = 0;

	while ((c = cli_getopt(cli, &cmd_status_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'x')
			exit_code = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_status_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_env(cli, &env, &err)) < 0)
		goto fail;
	if ((rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0)
		goto fail;
	if ((rc = cli_guard(cli, conn, env, "status", NULL, NULL, &err)) < 0)
		goto fail;
	if ((rc = dbw_status_build(&s, conn, set, &err)) < 0)
		goto fail;

	rc = dbw_status_code(s, exit_code);
	ex = dbw_exit_status(rc);
	if (cli->json) {
		json_t *doc = json_object(), *items = json_array();
		json_t *sum = json_object();
		for (size_t i = 0; i < s->count; i++)
			json_array_append_new(items, item_json(&s->items[i]));
		json_object_set_new(sum, "applied", json_integer((json_int_t)s->n_applied));
		json_object_set_new(sum, "pending", json_integer((json_int_t)s->n_pending));
		json_object_set_new(sum, "failed", json_integer((json_int_t)s->n_failed));
		json_object_set_new(sum, "modified", json_integer((json_int_t)s->n_modified));
		json_object_set_new(sum, "cosmetic", json_integer((json_int_t)s->n_cosmetic));
		json_object_set_new(sum, "missing", json_integer((json_int_t)s->n_missing));
		json_object_set_new(doc, "ok", json_boolean(ex == 0));
		json_object_set_new(doc, "environment", json_string(env->name));
		json_object_set_new(doc, "database", json_string(dbw_conn_database(conn)));
		json_object_set_new(doc, "format", json_string(dbw_format_name(s->format)));
		json_object_set_new(doc, "history_table", json_string(s->history_table));
		json_object_set_new(doc, "history_exists", json_boolean(s->history_exists));
		json_object_set_new(doc, "summary", sum);
		json_object_set_new(doc, "migrations", items);
		json_object_set_new(doc, "exit_status", json_integer(ex));
		cli_json_print(doc);
	} else if (!cli->quiet) {
		print_text(cli, s, env, conn);
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_status_free(s);
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
