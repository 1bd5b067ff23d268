/*
 * cmd_audit.c - `dbward audit [--since WHEN]`: the local audit log of
 * protected environments, oldest first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_audit_def = {
    "audit", run, "show the audit log of protected environments",
    "usage: dbward audit [--since WHEN] [--json]\n"
    "\n"
    "Show every recorded operation on a protected environment, allowed or refused:\n"
    "time, actor (user@host), environment, operation, outcome, duration, command\n"
    "line (passwords redacted). Read from .dbward/audit.log at the project root.\n"
    "\n"
    "  --since WHEN   a duration back from now (30m, 2h, 7d) or a UTC date\n"
    "                 (2026-11-21 or 2026-11-21T04:00:00Z)\n"};

/* "7d" / "2h" / a duration dbw_duration_parse knows, or an ISO date. */
static int parse_since(const char *s, int64_t *ms_out, dbw_error *err)
{
	struct tm tm;
	long ms;
	char *end;
	memset(&tm, 0, sizeof(tm));
	if (strlen(s) >= 2 && s[strlen(s) - 1] == 'd') {
		long days = strtol(s, &end, 10);
		if (*end == 'd' && end[1] == '\0' && days >= 0) {
			*ms_out = dbw_now_ms() - (int64_t)days * 86400000;
			return 0;
		}
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end && !*end) {
		*ms_out = (int64_t)timegm(&tm) * 1000;
		return 0;
	}
	if (dbw_duration_parse(s, &ms, NULL) == 0) {
		*ms_out = dbw_now_ms() - ms;
		return 0;
	}
	dbw_error_set(err, DBW_EUSAGE, "cannot read --since \"%s\"", s);
	dbw_error_hint(err, "Use a duration such as 30m, 2h or 7d, or a date such as 2026-11-21.");
	return DBW_EUSAGE;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"since", required_argument, NULL, 's'},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_audit_log *l = NULL;
	dbw_project *p = NULL;
	int64_t since = 0;
	size_t skipped = 0;
	int ex = 0, rc = 0, o;

	while ((o = cli_getopt(cli, &cmd_audit_def, argc, argv, "", longopts, &ex)) != 0) {
		if (o < 0)
			return ex;
		if (o == 's' && (rc = parse_since(optarg, &since, &err)) < 0)
			goto done;
	}
	if ((ex = cli_check_args(cli, &cmd_audit_def, argc, argv, 0, 0)) != 0)
		return ex;
	if ((rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = dbw_audit_read(p, since, &l, &skipped, &err)) < 0)
		goto done;
	if (skipped)
		cli_warn(cli, "%zu malformed line%s in the audit log skipped\n", skipped,
		         skipped == 1 ? "" : "s");
	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array();
		json_object_set_new(doc, "ok", json_true());
		for (size_t i = 0; i < l->count; i++) {
			dbw_audit_entry *e = &l->items[i];
			char at[32];
			json_t *r = json_object();
			dbw_iso8601(e->at_ms, at, sizeof(at));
			json_object_set_new(r, "at", json_string(at));
			json_object_set_new(r, "actor", json_string(e->actor ? e->actor : ""));
			json_object_set_new(r, "environment",
			                    json_string(e->environment ? e->environment : ""));
			json_object_set_new(r, "operation",
			                    json_string(e->operation ? e->operation : ""));
			json_object_set_new(r, "database",
			                    e->database ? json_string(e->database) : json_null());
			json_object_set_new(r, "outcome",
			                    json_string(e->outcome ? e->outcome : ""));
			json_object_set_new(r, "detail",
			                    e->detail ? json_string(e->detail) : json_null());
			json_object_set_new(r, "command",
			                    e->command_line ? json_string(e->command_line)
			                                    : json_null());
			json_object_set_new(r, "duration_ms",
			                    e->duration_ms >= 0 ? json_integer(e->duration_ms)
			                                        : json_null());
			json_array_append_new(arr, r);
		}
		json_object_set_new(doc, "entries", arr);
		cli_json_print(doc);
	} else if (l->count == 0) {
		printf("no audit records\n");
	} else {
		for (size_t i = 0; i < l->count; i++) {
			dbw_audit_entry *e = &l->items[i];
			char at[32];
			dbw_iso8601(e->at_ms, at, sizeof(at));
			printf("%s  %-24s %-12s %-10s %-9s", at, e->actor ? e->actor : "",
			       e->environment ? e->environment : "",
			       e->operation ? e->operation : "", e->outcome ? e->outcome : "");
			if (e->duration_ms >= 0)
				printf(" %6ldms", e->duration_ms);
			printf("  %s", e->command_line ? e->command_line : "");
			if (e->detail)
				printf("  (%s)", e->detail);
			putchar('\n');
		}
	}
done:
	if (rc < 0)
		ex = cli_fail(cli, &err);
	dbw_audit_log_free(l);
	dbw_error_clear(&err);
	return ex;
}
