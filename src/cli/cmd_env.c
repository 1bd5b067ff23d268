/*
 * cmd_env.c - `dbward env [--explain]`: the resolved environment, its URL
 * with the password redacted and where it came from; with --explain every
 * variable and setting used, the source that won and each one it shadowed.
 * Never connects to the database.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_env_def = {
    "env", run, "show the resolved environment and where its URL came from",
    "usage: dbward env [--explain] [--json]\n"
    "\n"
    "Show the environment dbward would use (from --env, DATABASE_ENV, NODE_ENV or\n"
    "the default), its database URL with the password redacted, where the URL came\n"
    "from, whether it is protected, the config file and the migrations folder.\n"
    "Does not connect to the database.\n"
    "\n"
    "Options:\n"
    "  --explain   also show, for every variable and setting used, the source that\n"
    "              won (file:line, or the process environment) and every source it\n"
    "              shadowed\n"};

static const char *kind_name(dbw_source_kind k)
{
	switch (k) {
	case DBW_SOURCE_PROCESS:
		return "process";
	case DBW_SOURCE_DOTENV:
		return "dotenv";
	case DBW_SOURCE_CONFIG:
		return "config";
	case DBW_SOURCE_OPTION:
		return "option";
	default:
		return "default";
	}
}

/* "the process environment", "/abs/.env.test:3", "--env", "the default". */
static void print_where(const dbw_source *s)
{
	switch (s->kind) {
	case DBW_SOURCE_PROCESS:
		fputs("the process environment", stdout);
		break;
	case DBW_SOURCE_DOTENV:
	case DBW_SOURCE_CONFIG:
		printf("%s:%d", s->file, s->line);
		break;
	case DBW_SOURCE_OPTION:
		fputs("--env", stdout);
		break;
	default:
		fputs("the default", stdout);
	}
}

static json_t *source_json(const dbw_source *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(kind_name(s->kind)));
	json_object_set_new(o, "file", s->file ? json_string(s->file) : json_null());
	json_object_set_new(o, "line", s->line ? json_integer(s->line) : json_null());
	json_object_set_new(o, "value", s->value ? json_string(s->value) : json_null());
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int print_json(dbw_project *p, const dbw_env *e, const char *url, const char *direct)
{
	json_t *doc = json_object(), *traces = json_array();
	json_object_set_new(doc, "ok", json_true());
	json_object_set_new(doc, "environment", json_string(e->name));
	json_object_set_new(doc, "environment_origin", json_string(dbw_env_name_origin(e)));
	json_object_set_new(doc, "url", json_string(url));
	json_object_set_new(doc, "url_origin", json_string(e->url_origin));
	json_object_set_new(doc, "direct_url", str_or_null(direct));
	json_object_set_new(doc, "protected", json_boolean(e->is_protected));
	json_object_set_new(doc, "expect_database", str_or_null(e->expect_database));
	json_object_set_new(doc, "backup_dir", str_or_null(e->backup_dir));
	json_object_set_new(doc, "lock_timeout_ms", json_integer(e->lock_timeout_ms));
	json_object_set_new(doc, "connect_timeout_ms", json_integer(e->connect_timeout_ms));
	json_object_set_new(doc, "root", json_string(dbw_project_root(p)));
	json_object_set_new(doc, "config", str_or_null(dbw_project_config_path(p)));
	json_object_set_new(doc, "migrations", json_string(dbw_project_migrations_dir(p)));
	json_object_set_new(doc, "seeds", json_string(dbw_project_seeds_dir(p)));
	json_object_set_new(doc, "format", json_string(dbw_project_format(p)));
	for (size_t i = 0; i < dbw_env_trace_count(e); i++) {
		const dbw_trace *t = dbw_env_trace(e, i);
		json_t *o = json_object(), *sh = json_array();
		json_object_set_new(o, "name", json_string(t->name));
		json_object_set_new(o, "winner", source_json(&t->winner));
		for (size_t j = 0; j < t->n_shadowed; j++)
			json_array_append_new(sh, source_json(&t->shadowed[j]));
		json_object_set_new(o, "shadowed", sh);
		json_array_append_new(traces, o);
	}
	json_object_set_new(doc, "traces", traces);
	json_t *unset = json_array();
	for (size_t i = 0; i < dbw_env_unset_count(e); i++)
		json_array_append_new(unset, json_string(dbw_env_unset_name(e, i)));
	json_object_set_new(doc, "unset", unset);
	cli_json_print(doc);
	return 0;
}

static void print_explain(dbw_cli *cli, const dbw_env *e)
{
	size_t overrides = 0;
	printf("\n%sHow it was resolved%s (later sources shadow earlier ones; the process "
	       "environment wins over every file):\n",
	       cli_c(cli, "bold"), cli_c(cli, "reset"));
	for (size_t i = 0; i < dbw_env_trace_count(e); i++) {
		const dbw_trace *t = dbw_env_trace(e, i);
		printf("  %s = %s  from ", t->name, t->winner.value ? t->winner.value : "");
		print_where(&t->winner);
		putchar('\n');
		for (size_t j = 0; j < t->n_shadowed; j++) {
			printf("      %sshadows%s ", cli_c(cli, "dim"), cli_c(cli, "reset"));
			print_where(&t->shadowed[j]);
			printf(" (%s)\n", t->shadowed[j].value ? t->shadowed[j].value : "");
		}
	}
	if (dbw_env_unset_count(e)) {
		printf("  not set anywhere:");
		for (size_t i = 0; i < dbw_env_unset_count(e); i++)
			printf("%s %s", i ? "," : "", dbw_env_unset_name(e, i));
		putchar('\n');
	}
	for (size_t i = 0; i < dbw_env_trace_count(e); i++) {
		const dbw_trace *t = dbw_env_trace(e, i);
		if (t->winner.kind != DBW_SOURCE_PROCESS || !t->n_shadowed ||
		    t->shadowed[0].kind != DBW_SOURCE_DOTENV)
			continue;
		if (!overrides++)
			putchar('\n');
		printf("%swarning:%s %s from the process environment overrides %s:%d; unset %s in "
		       "your shell to use the file.\n",
		       cli_c(cli, "yellow"), cli_c(cli, "reset"), t->name, t->shadowed[0].file,
		       t->shadowed[0].line, t->name);
	}
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"explain", no_argument, NULL, 'x'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p;
	dbw_env *e = NULL;
	char *url = NULL, *direct = NULL;
	int ex = 0, c, explain = 0;

	while ((c = cli_getopt(cli, &cmd_env_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == 'x')
			explain = 1;
	}
	if ((ex = cli_check_args(cli, &cmd_env_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (cli_project(cli, &p, &err) < 0 || cli_env(cli, &e, &err) < 0) {
		ex = cli_fail(cli, &err);
		goto done;
	}
	url = dbw_url_redact(e->url);
	direct = e->direct_url ? dbw_url_redact(e->direct_url) : NULL;
	if (!url || (e->direct_url && !direct)) {
		dbw_error_set(&err, DBW_ENOMEM, "out of memory");
		ex = cli_fail(cli, &err);
		goto done;
	}
	if (cli->json) {
		ex = print_json(p, e, url, direct);
		goto done;
	}
	printf("environment: %s  (%s)\n", e->name, dbw_env_name_origin(e));
	printf("url:         %s\n", url);
	printf("url from:    %s\n", e->url_origin);
	if (direct)
		printf("direct url:  %s  (used for migrations)\n", direct);
	printf("protected:   %s\n", e->is_protected ? "yes" : "no");
	printf("config:      %s\n",
	       dbw_project_config_path(p) ? dbw_project_config_path(p) : "none");
	printf("migrations:  %s\n", dbw_project_migrations_dir(p));
	if (explain)
		print_explain(cli, e);
done:
	free(url);
	free(direct);
	dbw_env_free(e);
	dbw_error_clear(&err);
	return ex;
}
