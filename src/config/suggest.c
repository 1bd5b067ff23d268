/*
 * suggest.c - "did you mean": the closest known name to a mistyped one
 * (environment names today), by edit distance or as a prefix.
 */
#include <string.h>
#include <strings.h>

#include "config/config_internal.h"

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

const char *dbw_config__suggest(const dbw_strv *names, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3, n = strlen(name);

	for (size_t i = 0; i < names->count; i++) {
		const char *k = names->items[i];
		size_t d = edit_distance(name, k);
		if (n >= 3 && !strncasecmp(name, k, n) && d > 1)
			d = 1; /* "prod" for "production" */
		if (d < best_d) {
			best_d = d;
			best = k;
		}
	}
	return best;
}
