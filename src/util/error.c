/*
 * error.c - the dbw_error record and the mapping from codes to exit statuses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbward/error.h>
#include "util/util.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

int dbw_error_set(dbw_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return code;
	dbw_error_clear(err);
	err->code = code;
	va_start(ap, fmt);
	err->message = vformat(fmt, ap);
	va_end(ap);
	return code;
}

static void set_field(char **field, const char *fmt, va_list ap)
{
	free(*field);
	*field = vformat(fmt, ap);
}

void dbw_error_detail(dbw_error *err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	set_field(&err->detail, fmt, ap);
	va_end(ap);
}

void dbw_error_hint(dbw_error *err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	set_field(&err->hint, fmt, ap);
	va_end(ap);
}

void dbw_error_where(dbw_error *err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	set_field(&err->where, fmt, ap);
	va_end(ap);
}

void dbw_error_clear(dbw_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->detail);
	free(err->hint);
	free(err->where);
	memset(err, 0, sizeof(*err));
	err->offset = -1;
}

void dbw_error_move(dbw_error *dst, dbw_error *src)
{
	dbw_error_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	src->offset = -1;
}

const char *dbw_error_name(int code)
{
	switch (code) {
	case DBW_OK:
		return "ok";
	case DBW_ERROR:
		return "error";
	case DBW_ENOMEM:
		return "nomem";
	case DBW_EIO:
		return "io";
	case DBW_ECONNECT:
		return "connect";
	case DBW_ESQL:
		return "sql";
	case DBW_EUSAGE:
		return "usage";
	case DBW_ECONFIG:
		return "config";
	case DBW_EINPUT:
		return "input";
	case DBW_ENOTFOUND:
		return "not_found";
	case DBW_EPOLICY:
		return "policy";
	case DBW_EPENDING:
		return "pending";
	case DBW_EDRIFT:
		return "drift";
	case DBW_EHISTORY:
		return "history";
	case DBW_ELINT:
		return "lint";
	case DBW_ELOCK:
		return "lock";
	}
	return "error";
}

int dbw_exit_status(int code)
{
	switch (code) {
	case DBW_OK:
		return 0;
	case DBW_EUSAGE:
	case DBW_ECONFIG:
	case DBW_EINPUT:
	case DBW_ENOTFOUND:
		return 2;
	case DBW_EPOLICY:
		return 3;
	case DBW_EPENDING:
		return 4;
	case DBW_EDRIFT:
		return 5;
	case DBW_EHISTORY:
		return 6;
	case DBW_ELINT:
		return 7;
	case DBW_ELOCK:
		return 8;
	default:
		return 1;
	}
}

/* DESIGN.md: history (6) before drift (5) before pending (4); among the rest
 * a refusal or a runtime failure matters more than any report. */
static int severity(int code)
{
	switch (code) {
	case DBW_OK:
		return 0;
	case DBW_EPENDING:
		return 1;
	case DBW_EDRIFT:
		return 2;
	case DBW_EHISTORY:
		return 3;
	case DBW_ELINT:
		return 4;
	case DBW_EPOLICY:
		return 6;
	case DBW_ELOCK:
		return 5;
	default:
		return 7;
	}
}

int dbw_error_worst(int a, int b)
{
	return severity(b) > severity(a) ? b : a;
}
