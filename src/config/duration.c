/*
 * duration.c - the durations of dbward.ini (lock_timeout, connect_timeout,
 * idle_timeout): "250ms", "5s", "2m", "1h", or a bare number of seconds.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

int dbw_duration_parse(const char *text, long *ms_out, dbw_error *err)
{
	const char *s = text;
	char *end;
	long n, mult;

	*ms_out = 0;
	if (!s)
		goto bad;
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno)
		goto bad;
	while (*end == ' ')
		end++;
	if (*end == '\0' || !strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mult = 60 * 1000;
	else if (!strcmp(end, "h"))
		mult = 3600 * 1000;
	else
		goto bad;
	if (n > LONG_MAX / mult)
		goto bad;
	*ms_out = n * mult;
	return 0;
bad:
	dbw_error_set(err, DBW_ECONFIG, "invalid duration \"%s\"", text ? text : "");
	dbw_error_hint(err,
	               "Write a whole number followed by ms, s, m or h, such as 250ms, 5s or 2m; "
	               "a bare number means seconds.");
	return DBW_ECONFIG;
}
