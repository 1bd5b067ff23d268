/*
 * lint_cases.h - helpers shared by the lint unit tests: lint a text and
 * list the rule ids found (internal to the tests).
 */
#ifndef DBW_TEST_LINT_CASES_H
#define DBW_TEST_LINT_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dbward.h>
#include <dbward/lint.h>

/* Lint sql (dialect, flags) in a fresh session; return the space-joined rule ids (static). */
static inline const char *lint_ids(dbw_db_kind dialect, const char *sql, unsigned flags)
{
	static char out[4096];
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *l = NULL;
	dbw_error err = DBW_ERROR_INIT;
	o.dialect = dialect;
	out[0] = '\0';
	/* "-- @next-file" splits an earlier migration (replayed: schema only) from the one linted
	 */
	const char *next = strstr(sql, "-- @next-file\n");
	size_t start = next ? (size_t)(next - sql) + 14 : 0;
	if (dbw_lint_new(&l, &o, &err) != 0 ||
	    (next && dbw_lint_text(l, "0.sql", sql, start, 0, start, DBW_LINT_REPLAY, &err) != 0) ||
	    dbw_lint_text(l, "m.sql", sql + start, strlen(sql + start), 0, strlen(sql + start),
	                  flags, &err) != 0) {
		snprintf(out, sizeof(out), "ERROR %s", err.message ? err.message : "?");
	} else {
		for (size_t i = 0; i < dbw_lint_count(l); i++) {
			const dbw_finding *f = dbw_lint_finding(l, i);
			if (f->allowed)
				continue;
			strncat(out, f->rule->id, sizeof(out) - strlen(out) - 2);
			strcat(out, " ");
		}
	}
	dbw_lint_free(l);
	dbw_error_clear(&err);
	return out;
}

typedef struct lint_case {
	const char *rule;
	int fires;
	unsigned flags;
	const char *sql;
} lint_case;

/* Run every case of rule; assert fire / no fire; count each kind (>= 3 each). */
static inline void run_cases(dbw_db_kind dialect, const lint_case *cases, size_t n,
                             const char *rule)
{
	int fire = 0, quiet = 0;
	for (size_t i = 0; i < n; i++) {
		const char *ids;
		if (strcmp(cases[i].rule, rule))
			continue;
		ids = lint_ids(dialect, cases[i].sql, cases[i].flags);
		if ((strstr(ids, rule) != NULL) != cases[i].fires ||
		    strncmp(ids, "ERROR", 5) == 0) {
			print_error("rule %s case %zu should %sfire; found [%s]\nSQL: %s\n", rule,
			            i, cases[i].fires ? "" : "not ", ids, cases[i].sql);
			fail();
		}
		if (cases[i].fires)
			fire++;
		else
			quiet++;
	}
	if (fire < 3 || quiet < 3) {
		print_error("rule %s has %d firing and %d quiet cases (3 each needed)\n", rule,
		            fire, quiet);
		fail();
	}
}

#endif
