/*
 * data_output.c - seed run reports (text and JSON) and the yes/no prompt
 * used by the data commands.
 */
#include <stdio.h>
#include <string.h>

#include "data_output.h"

json_t *cli_seed_json(const dbw_seed_result *res)
{
	json_t *o, *arr;
	if (!res)
		return json_null();
	o = json_object();
	arr = json_array();
	for (size_t i = 0; i < res->count; i++) {
		const dbw_seed_step *st = &res->steps[i];
		json_t *s = json_object();
		json_object_set_new(s, "name", json_string(st->seed->name));
		json_object_set_new(s, "file", json_string(st->seed->rel_path));
		json_object_set_new(s, "checksum", json_string(st->seed->checksum));
		json_object_set_new(s, "state", json_string(dbw_seed_state_name(st->state)));
		json_object_set_new(s, "run", json_boolean(st->run));
		json_object_set_new(s, "applied", json_boolean(st->applied));
		json_object_set_new(s, "execution_ms",
		                    st->execution_ms >= 0 ? json_integer(st->execution_ms)
		                                          : json_null());
		json_array_append_new(arr, s);
	}
	json_object_set_new(o, "dry_run", json_boolean(res->dry_run));
	json_object_set_new(o, "ran", json_integer((json_int_t)res->n_run));
	json_object_set_new(o, "applied", json_integer((json_int_t)res->n_applied));
	json_object_set_new(o, "total_ms", json_integer(res->total_ms));
	json_object_set_new(o, "seeds", arr);
	return o;
}

void cli_seed_print(dbw_cli *cli, const dbw_seed_result *res)
{
	if (!res || cli->quiet || cli->json)
		return;
	for (size_t i = 0; i < res->count; i++) {
		const dbw_seed_step *st = &res->steps[i];
		if (res->dry_run && st->run)
			printf("  would run %s (%s)\n", st->seed->rel_path,
			       dbw_seed_state_name(st->state));
		else if (res->dry_run)
			printf("  unchanged %s\n", st->seed->rel_path);
		else if (st->applied)
			printf("  %sseeded%s %s %s(%ld ms)%s\n", cli_c(cli, "green"),
			       cli_c(cli, "reset"), st->seed->rel_path, cli_c(cli, "dim"),
			       st->execution_ms, cli_c(cli, "reset"));
		else if (cli->verbose && !st->run)
			printf("  unchanged %s\n", st->seed->rel_path);
	}
	if (res->count == 0)
		printf("No seeds.\n");
	else if (res->dry_run)
		printf("Would run %zu of %zu seed%s (dry run: nothing was changed).\n", res->n_run,
		       res->count, res->count == 1 ? "" : "s");
	else if (res->n_run == 0)
		printf("Seeds up to date (%zu unchanged).\n", res->count);
	else
		printf("Seeded %zu of %zu seed%s.\n", res->n_applied, res->count,
		       res->count == 1 ? "" : "s");
}

int cli_ask_yes(dbw_cli *cli, const char *question)
{
	char line[64];
	if (!cli->stdin_tty)
		return 0;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}
