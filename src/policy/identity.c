/*
 * identity.c - is this the database we think it is (DESIGN.md "Identity")?
 * The expect_database glob on the live name, and keys that say when two
 * URLs or two connections reach the same database, so that a development
 * URL pointing at production's database is caught before anything runs.
 */
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbward/policy.h>
#include "driver/tools.h"
#include "util/util.h"

int dbw_identity_check_name(const dbw_conn *c, const dbw_env *env, dbw_error *err)
{
	const char *live = dbw_conn_database(c);
	if (!env->expect_database || !*env->expect_database)
		return 0;
	if (dbw_glob_match(env->expect_database, live))
		return 0;
	dbw_error_set(err, DBW_EPOLICY,
	              "database \"%s\" does not match expect_database \"%s\" of %s", live,
	              env->expect_database, env->name);
	dbw_error_detail(err, "The URL of %s reached database \"%s\".", env->name, live);
	dbw_error_hint(err,
	               "Point %s's URL at a database whose name matches \"%s\", or correct "
	               "expect_database in [env.%s].",
	               env->name, env->expect_database, env->name);
	return DBW_EPOLICY;
}

/* One spelling for the local host, however it is reached: a Unix socket
 * folder and localhost with the same port are one server. */
static const char *norm_host(const char *h)
{
	if (!h || !*h || h[0] == '/' || h[0] == '@' || strcmp(h, "localhost") == 0 ||
	    strcmp(h, "127.0.0.1") == 0 || strcmp(h, "::1") == 0)
		return "localhost";
	return h;
}

static const char *default_user(void)
{
	const char *u = getenv("PGUSER");
	struct passwd *pw;
	if (u && *u)
		return u;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_name : "postgres";
}

static int pg_key(const char *url, const char *live_db, char **out, dbw_error *err)
{
	char *host = NULL, *port = NULL, *db = NULL, *user = NULL;
	const char *h, *pt, *d;
	int rc;
	*out = NULL;
	if ((rc = dbw_pg__conninfo_value(url, "host", &host, err)) < 0 ||
	    (rc = dbw_pg__conninfo_value(url, "port", &port, err)) < 0 ||
	    (rc = dbw_pg__conninfo_value(url, "dbname", &db, err)) < 0 ||
	    (rc = dbw_pg__conninfo_value(url, "user", &user, err)) < 0)
		goto done;
	h = host ? host : getenv("PGHOST");
	pt = port ? port : getenv("PGPORT");
	d = live_db ? live_db : db ? db : getenv("PGDATABASE");
	if (!d || !*d)
		d = user ? user : default_user();
	*out = dbw_sprintf("pg:%s:%s/%s", norm_host(h), pt && *pt ? pt : "5432", d);
	if (!*out)
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
done:
	free(host);
	free(port);
	free(db);
	free(user);
	return rc;
}

/* The file a SQLite URL names (the spellings of dbward/db.h), or NULL for
 * an in-memory database. Caller frees. */
static char *sqlite_path(const char *url)
{
	const char *p = url;
	size_t n;
	if (dbw_str_startswith(p, "sqlite://"))
		p += strlen("sqlite://");
	else if (dbw_str_startswith(p, "sqlite:"))
		p += strlen("sqlite:");
	if (strcmp(p, ":memory:") == 0 || !*p)
		return NULL;
	n = strcspn(p, "?");
	return dbw_strndup(p, n);
}

static char *real_or_absolute(const char *path)
{
	char buf[PATH_MAX];
	char *abs, *slash, *out = NULL;
	if (realpath(path, buf))
		return dbw_strdup(buf);
	/* A file not created yet: resolve its folder, so that dir/../dir/x.db
	 * and dir/x.db still meet. */
	abs = dbw_path_absolute(path);
	slash = abs ? strrchr(abs, '/') : NULL;
	if (slash && slash != abs) {
		*slash = '\0';
		if (realpath(abs, buf))
			out = dbw_sprintf("%s/%s", buf, slash + 1);
		*slash = '/';
	}
	if (out) {
		free(abs);
		return out;
	}
	return abs;
}

int dbw_identity_url_key(const char *url, char **out, dbw_error *err)
{
	char *path, *full;
	*out = NULL;
	switch (dbw_url_kind(url)) {
	case DBW_DB_POSTGRES:
		return pg_key(url, NULL, out, err);
	case DBW_DB_SQLITE:
		path = sqlite_path(url);
		if (!path) {
			/* Every :memory: database is its own: a unique key. */
			*out = dbw_sprintf("sqlite::memory:%p", (void *)out);
			return *out ? 0 : dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
		full = real_or_absolute(path);
		free(path);
		*out = full ? dbw_sprintf("sqlite:%s", full) : NULL;
		free(full);
		return *out ? 0 : dbw_error_set(err, DBW_ENOMEM, "out of memory");
	default:
		return dbw_error_set(err, DBW_ECONFIG, "unsupported database URL");
	}
}

int dbw_identity_live_key(dbw_conn *c, char **out, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *file = NULL;
	char *full = NULL;
	int rc = 0;

	*out = NULL;
	if (dbw_conn_kind(c) == DBW_DB_SQLITE) {
		rc = dbw_conn_query(c, "PRAGMA database_list", 0, NULL, &r, err);
		if (rc < 0)
			goto done;
		for (size_t i = 0; i < dbw_result_rows(r); i++)
			if (strcmp(dbw_result_value(r, i, 1), "main") == 0)
				file = dbw_result_value(r, i, 2);
		if (!file || !*file)
			*out = dbw_sprintf("sqlite::memory:%p", (void *)c);
		else if ((full = real_or_absolute(file)) != NULL)
			*out = dbw_sprintf("sqlite:%s", full);
		if (!*out)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	/* pg_control_system() may be revoked from PUBLIC: ask first, in a
	 * statement of its own (a plan that merely names a function it may not
	 * run fails, whatever branch would be taken). */
	rc = dbw_conn_query(c, "SELECT has_function_privilege('pg_control_system()', 'execute')", 0,
	                    NULL, &r, err);
	if (rc < 0)
		goto done;
	if (dbw_result_rows(r) == 1 && dbw_result_value(r, 0, 0) &&
	    strcmp(dbw_result_value(r, 0, 0), "t") == 0) {
		dbw_result_free(r);
		r = NULL;
		rc = dbw_conn_query(c, "SELECT system_identifier::text FROM pg_control_system()", 0,
		                    NULL, &r, err);
		if (rc < 0)
			goto done;
		if (dbw_result_rows(r) == 1 && dbw_result_value(r, 0, 0)) {
			*out = dbw_sprintf("pgsys:%s/%s", dbw_result_value(r, 0, 0),
			                   dbw_conn_database(c));
			if (!*out)
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
	}
	rc = pg_key(dbw_conn_url_redacted(c), dbw_conn_database(c), out, err);
done:
	free(full);
	dbw_result_free(r);
	return rc;
}

/* Keys of env's URL and migration URL (either may be NULL). */
static void env_keys(const dbw_env *e, char **k1, char **k2)
{
	*k1 = *k2 = NULL;
	if (e->url && dbw_identity_url_key(e->url, k1, NULL) < 0)
		*k1 = NULL;
	if (e->migration_url && e->migration_url != e->url &&
	    dbw_identity_url_key(e->migration_url, k2, NULL) < 0)
		*k2 = NULL;
}

static int key_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The variable a raw `url = ${NAME}` (or `$NAME`) setting names; NULL for
 * anything else. Caller frees. */
static char *setting_var(const char *raw)
{
	size_t n;
	if (!raw)
		return NULL;
	if (dbw_str_startswith(raw, "${")) {
		n = strcspn(raw + 2, "}");
		return raw[2 + n] == '}' && raw[3 + n] == '\0' ? dbw_strndup(raw + 2, n) : NULL;
	}
	if (raw[0] == '$' && raw[1] && raw[1 + strcspn(raw + 1, " \t/:${}")] == '\0')
		return dbw_strdup(raw + 1);
	return NULL;
}

/*
 * Whether protected environment `e` claims, against `mine`, that its URL
 * is its own database: `url` in its [env.NAME] (unless that is just
 * ${VAR} for the very variable `mine` fell back to), its own variable
 * (PREFIX_DATABASE_URL), or DATABASE_URL from its own dotenv file
 * (.env.NAME, .env.NAME.local). A DATABASE_URL every environment falls
 * back to (the process environment, .env) says nothing about production:
 * without this rule a developer with DATABASE_URL set to their own
 * database would find development "on production" (the stamp still stops
 * a development command that reaches the real production database).
 */
static int claims_url(const dbw_project *p, const dbw_env *e, const dbw_env *mine)
{
	char *sec = dbw_sprintf("env.%s", e->name), *own = NULL, *own_local = NULL, *var = NULL;
	char *shared = NULL;
	const char *o = e->url_origin ? e->url_origin : "";
	const char *raw;
	int claim;
	if (!sec)
		return 0;
	raw = dbw_project_setting(p, sec, "url");
	var = setting_var(raw);
	shared = var ? dbw_sprintf("%s from ", var) : NULL;
	if (raw && !(shared && mine->url_origin && dbw_str_startswith(mine->url_origin, shared))) {
		claim = 1;
	} else if (raw) {
		claim = 0; /* both come from the one variable */
	} else {
		own = dbw_sprintf("/.env.%s:", e->name);
		own_local = dbw_sprintf("/.env.%s.local:", e->name);
		claim = dbw_project_setting(p, sec, "direct_url") ||
		        !dbw_str_startswith(o, "DATABASE_URL ") || (own && strstr(o, own)) ||
		        (own_local && strstr(o, own_local));
	}
	free(sec);
	free(own);
	free(own_local);
	free(var);
	free(shared);
	return claim;
}

int dbw_identity_check_same(const dbw_project *p, const dbw_env *env, char **same_as_out,
                            dbw_error *err)
{
	char *mine1 = NULL, *mine2 = NULL;
	int rc = 0;

	if (same_as_out)
		*same_as_out = NULL;
	if (!p || env->is_protected)
		return 0;
	env_keys(env, &mine1, &mine2);
	for (size_t i = 0; i < dbw_project_env_count(p) && rc == 0; i++) {
		const char *name = dbw_project_env_name(p, i);
		dbw_env *other = NULL;
		char *o1 = NULL, *o2 = NULL;
		if (strcmp(name, env->name) == 0 || dbw_env_resolve(&other, p, name, NULL) < 0)
			continue;
		if (!other->is_protected || !claims_url(p, other, env)) {
			dbw_env_free(other);
			continue;
		}
		env_keys(other, &o1, &o2);
		if (key_eq(mine1, o1) || key_eq(mine1, o2) || key_eq(mine2, o1) ||
		    key_eq(mine2, o2)) {
			rc =
			    dbw_error_set(err, DBW_EPOLICY,
			                  "%s resolves to the database of protected environment %s",
			                  env->name, other->name);
			dbw_error_detail(err, "Both URLs reach the same server and database (%s).",
			                 key_eq(mine1, o1) || key_eq(mine1, o2) ? mine1 : mine2);
			dbw_error_hint(
			    err, "Give %s a database of its own (its URL comes from %s).",
			    env->name, env->url_origin ? env->url_origin : "its settings");
			if (same_as_out)
				*same_as_out = dbw_strdup(other->name);
		}
		free(o1);
		free(o2);
		dbw_env_free(other);
	}
	free(mine1);
	free(mine2);
	return rc;
}
