/*
 * pg_params.c - PostgreSQL connection parameters for programs run beside
 * dbward (pg_dump, pg_restore): libpq parses the URL, each parameter goes
 * out as the environment variable libpq itself documents for it, so a
 * password never reaches a command line (ps shows argv to every user).
 */
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "driver/tools.h"

static int parse(const char *url, PQconninfoOption **opts_out, dbw_error *err)
{
	char *msg = NULL;
	*opts_out = PQconninfoParse(url, &msg);
	if (!*opts_out) {
		char *safe = dbw_url_redact(url);
		dbw_error_set(err, DBW_ECONFIG, "could not parse PostgreSQL URL \"%s\"",
		              safe ? safe : "");
		if (msg)
			dbw_error_detail(err, "%s", dbw_str_trim(msg));
		free(safe);
		PQfreemem(msg);
		return DBW_ECONFIG;
	}
	return 0;
}

int dbw_pg__conninfo_env(const char *url, dbw_strv *env_out, dbw_error *err)
{
	PQconninfoOption *opts = NULL, *o;
	int rc = parse(url, &opts, err);
	if (rc < 0)
		return rc;
	for (o = opts; o->keyword; o++) {
		char *kv;
		if (!o->val || !o->envvar)
			continue;
		kv = dbw_sprintf("%s=%s", o->envvar, o->val);
		if (!kv || dbw_strv_take(env_out, kv) < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	PQconninfoFree(opts);
	return rc;
}

int dbw_pg__conninfo_value(const char *url, const char *keyword, char **value_out, dbw_error *err)
{
	PQconninfoOption *opts = NULL, *o;
	int rc;
	*value_out = NULL;
	rc = parse(url, &opts, err);
	if (rc < 0)
		return rc;
	for (o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, keyword) != 0 || !o->val)
			continue;
		*value_out = dbw_strdup(o->val);
		if (!*value_out)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		break;
	}
	PQconninfoFree(opts);
	return rc;
}
