/*
 * output.c - how dbward speaks: errors in PostgreSQL's message / detail /
 * hint shape, JSON documents for CI, colours only on a terminal, notes that
 * -q silences, and option parsing that answers --help the same everywhere.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *cli_c(const dbw_cli *cli, const char *which)
{
	if (!cli->color)
		return "";
	if (strcmp(which, "red") == 0)
		return "\033[31m";
	if (strcmp(which, "green") == 0)
		return "\033[32m";
	if (strcmp(which, "yellow") == 0)
		return "\033[33m";
	if (strcmp(which, "blue") == 0)
		return "\033[34m";
	if (strcmp(which, "bold") == 0)
		return "\033[1m";
	if (strcmp(which, "dim") == 0)
		return "\033[2m";
	if (strcmp(which, "reset") == 0)
		return "\033[0m";
	return "";
}

static void json_set_str(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, value ? json_string(value) : json_null());
}

json_t *cli_json_error(const dbw_error *err)
{
	json_t *o = json_object();
	json_set_str(o, "code", dbw_error_name(err->code));
	json_object_set_new(o, "exit_status", json_integer(dbw_exit_status(err->code)));
	json_set_str(o, "message", err->message ? err->message : "unknown error");
	json_set_str(o, "detail", err->detail);
	json_set_str(o, "hint", err->hint);
	json_set_str(o, "where", err->where);
	json_set_str(o, "sqlstate", err->sqlstate[0] ? err->sqlstate : NULL);
	return o;
}

void cli_json_print(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(doc);
	fflush(stdout);
}

int cli_fail(dbw_cli *cli, const dbw_error *err)
{
	return cli_fail_with(cli, err, NULL);
}

int cli_fail_with(dbw_cli *cli, const dbw_error *err, json_t *doc)
{
	int status = dbw_exit_status(err->code ? err->code : DBW_ERROR);
	const char *label = err->code == DBW_EPOLICY ? "refused" : "error";
	if (cli->json) {
		if (!doc)
			doc = json_object();
		json_object_set_new(doc, "ok", json_false());
		json_object_set_new(doc, "error", cli_json_error(err));
		json_object_set_new(doc, "exit_status", json_integer(status));
		cli_json_print(doc);
	} else if (doc) {
		json_decref(doc);
	}
	fprintf(stderr, "%sdbward: %s:%s %s\n", cli_c(cli, "red"), label, cli_c(cli, "reset"),
	        err->message ? err->message : "unknown error");
	if (err->where)
		fprintf(stderr, "where: %s\n", err->where);
	if (err->detail)
		fprintf(stderr, "detail: %s\n", err->detail);
	if (err->hint)
		fprintf(stderr, "%shint:%s %s\n", cli_c(cli, "yellow"), cli_c(cli, "reset"),
		        err->hint);
	return status;
}

int cli_usage_error(dbw_cli *cli, const char *fmt, ...)
{
	dbw_error err = DBW_ERROR_INIT;
	va_list ap;
	char *msg = NULL;
	int rc;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	dbw_error_set(&err, DBW_EUSAGE, "%s", msg ? msg : "bad arguments");
	dbw_error_hint(&err, "Run 'dbward %s --help' for usage.", cli->command ? cli->command : "");
	rc = cli_fail(cli, &err);
	dbw_error_clear(&err);
	free(msg);
	return rc;
}

void cli_note(dbw_cli *cli, const char *fmt, ...)
{
	va_list ap;
	if (cli->quiet || cli->json)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void cli_warn(dbw_cli *cli, const char *fmt, ...)
{
	va_list ap;
	if (cli->json)
		return;
	fprintf(stderr, "%sdbward: warning:%s ", cli_c(cli, "yellow"), cli_c(cli, "reset"));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int cli_getopt(dbw_cli *cli, const dbw_command *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, int *exit_out)
{
	/* Every command answers --help: add it to the command's own table. */
	struct option merged[64];
	size_t n = 0;
	char shorts[64];
	int c;

	merged[n++] = (struct option){"help", no_argument, NULL, 'h'};
	for (const struct option *o = longopts; o && o->name && n < 63; o++)
		merged[n++] = *o;
	merged[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(shorts, sizeof(shorts), ":h%s", shortopts ? shortopts : "");
	opterr = 0;
	c = getopt_long(argc, argv, shorts, merged, NULL);
	if (c == -1)
		return 0;
	if (c == 'h') {
		fputs(cmd->usage, stdout);
		*exit_out = 0;
		return -1;
	}
	if (c == '?' || c == ':') {
		const char *bad = argv[optind - 1];
		*exit_out = cli_usage_error(
		    cli, c == ':' ? "option \"%s\" needs a value" : "unknown option \"%s\"",
		    bad ? bad : "?");
		return -1;
	}
	return c;
}

int cli_check_args(dbw_cli *cli, const dbw_command *cmd, int argc, char **argv, int min, int max)
{
	int n = argc - optind;
	if (n > max)
		return cli_usage_error(cli, "unexpected argument \"%s\"", argv[optind + max]);
	if (n < min)
		return cli_usage_error(cli, "%s needs %d argument%s", cmd->name, min,
		                       min == 1 ? "" : "s");
	return 0;
}

void cli_progress_init(cli_progress *p, dbw_cli *cli, size_t total)
{
	memset(p, 0, sizeof(*p));
	p->cli = cli;
	p->total = total;
	p->started_ms = dbw_monotonic_ms();
	p->enabled = cli->stderr_tty && !cli->json && !cli->quiet && total > 0;
}

void cli_progress_update(cli_progress *p, size_t done, const char *label)
{
	const int width = 30;
	long long elapsed;
	int filled;
	if (!p->enabled)
		return;
	elapsed = dbw_monotonic_ms() - p->started_ms;
	if (!p->shown && elapsed < 300)
		return;
	p->shown = 1;
	filled = (int)(p->total ? (done * (size_t)width) / p->total : 0);
	fprintf(stderr, "\r\033[K[");
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '=' : (i == filled ? '>' : ' '), stderr);
	fprintf(stderr, "] %zu/%zu %.1fs %.40s", done, p->total, elapsed / 1000.0,
	        label ? label : "");
	fflush(stderr);
}

void cli_progress_finish(cli_progress *p)
{
	if (p->enabled && p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
