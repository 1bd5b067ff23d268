/*
 * data_output.h - how the data commands (seed, reset, truncate, setup) show
 * seed runs and ask for a yes: shared by their cmd_*.c files.
 */
#ifndef DBW_CLI_DATA_OUTPUT_H
#define DBW_CLI_DATA_OUTPUT_H

#include <dbward/data.h>
#include "cli.h"

/* {"ran": n, "applied": n, "dry_run": b, "total_ms": n, "seeds": [...]} (NULL res: null). */
json_t *cli_seed_json(const dbw_seed_result *res);
/* One line per seed that ran (or would run), then a summary line, on stdout. */
void cli_seed_print(dbw_cli *cli, const dbw_seed_result *res);
/*
 * Ask "question [y/N]" on the terminal. 1 yes, 0 no. Without a terminal on
 * stdin nobody can answer: 0.
 */
int cli_ask_yes(dbw_cli *cli, const char *question);

#endif
