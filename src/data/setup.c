/*
 * setup.c - `setup`: create the database when it is missing, deploy, seed
 * (never a protected environment's). Idempotent: a second run finds the
 * database, no pending migration and no new seed, and changes nothing.
 *
 * PostgreSQL cannot create a database from inside it, so setup reaches the
 * maintenance database ("postgres", else "template1", as createdb does)
 * with the same URL and credentials, and creates the target only when
 * pg_database shows it missing: any other reason the target could not be
 * reached (a wrong password, a server down) is reported as it is.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/data_int.h"
#include "util/util.h"

void dbw_setup_result_free(dbw_setup_result *r)
{
	if (!r)
		return;
	free(r->database);
	free(r->owner);
	dbw_deploy_result_free(r->deploy);
	dbw_seed_result_free(r->seed);
	free(r);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static char *percent_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1 && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The value of key in a libpq key=value string ('quoted' values with \ escapes), or NULL. */
static char *conninfo_get(const char *ci, const char *key)
{
	const char *p = ci;
	char *found = NULL;
	while (*p) {
		const char *k, *eq;
		dbw_buf v = DBW_BUF_INIT;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		k = p;
		while (*p && *p != '=' && *p != ' ')
			p++;
		eq = p;
		while (*p == ' ')
			p++;
		if (*p != '=')
			break;
		p++;
		while (*p == ' ')
			p++;
		if (*p == '\'') {
			p++;
			while (*p && *p != '\'') {
				if (*p == '\\' && p[1])
					p++;
				dbw_buf_putc(&v, *p++);
			}
			if (*p)
				p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
				if (*p == '\\' && p[1])
					p++;
				dbw_buf_putc(&v, *p++);
			}
		}
		if ((size_t)(eq - k) == strlen(key) && strncmp(k, key, (size_t)(eq - k)) == 0) {
			free(found); /* libpq: the last occurrence wins */
			found = dbw_buf_detach(&v);
		} else {
			dbw_buf_free(&v);
		}
	}
	return found;
}

static int is_uri(const char *url)
{
	return dbw_str_startswith(url, "postgres://") || dbw_str_startswith(url, "postgresql://");
}

char *dbw_data__pg_target_name(const char *url)
{
	char *name = NULL, *user = NULL;
	if (is_uri(url)) {
		const char *rest = strstr(url, "://") + 3;
		const char *slash = strpbrk(rest, "/?");
		const char *at = strchr(rest, '@');
		if (at && (!slash || at < slash)) {
			const char *colon = memchr(rest, ':', (size_t)(at - rest));
			user = percent_decode(rest, (size_t)((colon ? colon : at) - rest));
		}
		if (slash && *slash == '/') {
			size_t n = strcspn(slash + 1, "?");
			name = percent_decode(slash + 1, n);
		}
	} else {
		name = conninfo_get(url, "dbname");
		user = conninfo_get(url, "user");
	}
	if (name && !*name) {
		free(name);
		name = NULL;
	}
	if (!name && getenv("PGDATABASE") && *getenv("PGDATABASE"))
		name = dbw_strdup(getenv("PGDATABASE"));
	if (!name && user && *user)
		name = dbw_strdup(user);
	if (!name && getenv("PGUSER") && *getenv("PGUSER"))
		name = dbw_strdup(getenv("PGUSER"));
	if (!name) {
		struct passwd *pw = getpwuid(geteuid());
		name = dbw_strdup(pw ? pw->pw_name : "postgres");
	}
	free(user);
	return name;
}

char *dbw_data__pg_with_database(const char *url, const char *maint)
{
	if (is_uri(url)) {
		const char *rest = strstr(url, "://") + 3;
		const char *slash = strpbrk(rest, "/?");
		const char *query;
		if (!slash)
			return dbw_sprintf("%s/%s", url, maint);
		query = strchr(slash, '?');
		return dbw_sprintf("%.*s/%s%s", (int)(slash - url), url, maint, query ? query : "");
	}
	/* libpq uses the last of repeated keywords. */
	return dbw_sprintf("%s dbname=%s", url, maint);
}

/* Connect to the maintenance database; *out NULL when none can be reached. */
static void open_maintenance(const char *url, const dbw_setup_options *opts, dbw_conn **out)
{
	static const char *const names[] = {"postgres", "template1"};
	*out = NULL;
	for (size_t i = 0; i < 2 && !*out; i++) {
		dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
		dbw_error ignored = DBW_ERROR_INIT;
		char *m = dbw_data__pg_with_database(url, names[i]);
		co.connect_timeout_ms = opts->connect_timeout_ms;
		if (m)
			dbw_conn_open(out, m, &co, &ignored);
		dbw_error_clear(&ignored);
		free(m);
	}
}

/*
 * After the target could not be reached (connect_err): create it when the
 * maintenance database shows it missing. *created_out 1 when created.
 */
static int pg_create(const dbw_env *env, const char *url, const dbw_setup_options *opts,
                     dbw_setup_result *res, dbw_error *connect_err, dbw_error *err)
{
	dbw_conn *m = NULL;
	char *exists = NULL, *qname = NULL, *qowner = NULL, *sql = NULL;
	const char *params[1];
	int rc;

	open_maintenance(url, opts, &m);
	if (!m) {
		dbw_error_move(err, connect_err);
		return err ? err->code : DBW_ECONNECT;
	}
	params[0] = res->database;
	rc = dbw_data__query_value(m, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params,
	                           &exists, err);
	if (rc < 0)
		goto done;
	if (exists) {
		/* It is there: the target failed for another reason; say that one. */
		dbw_error_move(err, connect_err);
		rc = err ? err->code : DBW_ECONNECT;
		goto done;
	}
	if (dbw_env_setting(env, "owner"))
		res->owner = dbw_strdup(dbw_env_setting(env, "owner"));
	else
		rc = dbw_data__query_value(m, "SELECT current_user", 0, NULL, &res->owner, err);
	if (rc < 0)
		goto done;
	qname = dbw_sql_quote_ident(DBW_DB_POSTGRES, res->database);
	qowner = res->owner ? dbw_sql_quote_ident(DBW_DB_POSTGRES, res->owner) : NULL;
	sql = qname && qowner ? dbw_sprintf("CREATE DATABASE %s OWNER %s ENCODING 'UTF8' "
	                                    "TEMPLATE template0",
	                                    qname, qowner)
	                      : NULL;
	if (!sql) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = dbw_conn_exec(m, sql, err);
	if (rc < 0 && err && strcmp(err->sqlstate, "42P04") == 0) {
		/* Another setup created it meanwhile: that is the state we want. */
		dbw_error_clear(err);
		rc = 0;
		goto done;
	}
	if (rc < 0) {
		if (err && strcmp(err->sqlstate, "42501") == 0)
			dbw_error_hint(err,
			               "Create the database as a role with CREATEDB (createdb -O "
			               "%s %s), then run setup again.",
			               res->owner, res->database);
		goto done;
	}
	res->created = 1;
done:
	free(sql);
	free(qname);
	free(qowner);
	free(exists);
	dbw_conn_close(m);
	return rc;
}

/* The file behind a SQLite URL; NULL for an in-memory database. Caller frees. */
static char *sqlite_path(const char *url, int *memory)
{
	const char *p = url;
	*memory = 0;
	if (dbw_str_startswith(p, "sqlite:"))
		p += 7;
	if (dbw_str_startswith(p, "//"))
		p += 2;
	if (strcmp(p, ":memory:") == 0 || *p == '\0') {
		*memory = 1;
		return NULL;
	}
	return dbw_strndup(p, strcspn(p, "?"));
}

static int open_target(const dbw_env *env, const dbw_setup_options *opts, dbw_setup_result *res,
                       dbw_conn **out, dbw_error *err)
{
	const char *url = env->migration_url ? env->migration_url : env->url;
	dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
	dbw_error first = DBW_ERROR_INIT;
	int rc;

	co.connect_timeout_ms = opts->connect_timeout_ms;
	if (dbw_url_kind(url) == DBW_DB_SQLITE) {
		int memory = 0;
		res->database = sqlite_path(url, &memory);
		if (!memory && !res->database)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		if (!memory && !dbw_path_exists(res->database)) {
			char *dir = dbw_strdup(res->database), *slash;
			if (!dir)
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			slash = strrchr(dir, '/');
			if (slash && slash != dir) {
				*slash = '\0';
				rc = dbw_mkdir_p(dir, 0755, err);
				if (rc < 0) {
					free(dir);
					return rc;
				}
			}
			free(dir);
			res->created = 1;
		}
		if (!res->database)
			res->database = dbw_strdup(":memory:");
		co.create = 1;
		return dbw_conn_open(out, url, &co, err);
	}
	res->database = dbw_data__pg_target_name(url);
	if (!res->database)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	co.create = 0;
	rc = dbw_conn_open(out, url, &co, &first);
	if (rc == 0)
		return 0;
	if (rc != DBW_ECONNECT) {
		dbw_error_move(err, &first);
		return rc;
	}
	rc = pg_create(env, url, opts, res, &first, err);
	dbw_error_clear(&first);
	if (rc < 0)
		return rc;
	return dbw_conn_open(out, url, &co, err);
}

/*
 * An existing protected database gets its migrations from `dbward deploy`,
 * which verifies a backup first (the policy layer); setup only deploys to
 * one it just created (nothing to lose) or finds up to date.
 */
static int refuse_existing_protected(dbw_conn *c, const dbw_env *env, const dbw_migration_set *set,
                                     dbw_error *err)
{
	dbw_deploy_options plan = DBW_DEPLOY_OPTIONS_INIT;
	dbw_deploy_result *r = NULL;
	size_t pending;
	int rc;
	plan.dry_run = 1;
	rc = dbw_deploy(c, set, &plan, &r, err);
	if (rc < 0) {
		dbw_deploy_result_free(r);
		return rc;
	}
	pending = r ? r->count : 0;
	dbw_deploy_result_free(r);
	if (pending == 0)
		return 0;
	dbw_error_set(err, DBW_EPOLICY, "setup will not deploy to the existing database of %s",
	              env->name);
	dbw_error_detail(err, "Environment \"%s\" is protected and %zu migration%s pending.",
	                 env->name, pending, pending == 1 ? " is" : "s are");
	dbw_error_hint(err, "Run 'dbward --env %s deploy': it verifies a backup first.", env->name);
	return DBW_EPOLICY;
}

int dbw_setup(const dbw_env *env, const dbw_migration_set *set, const dbw_seed_set *seeds,
              const dbw_setup_options *opts, dbw_setup_result **result_out, dbw_error *err)
{
	static const dbw_setup_options defaults = DBW_SETUP_OPTIONS_INIT;
	dbw_deploy_options dopts = DBW_DEPLOY_OPTIONS_INIT;
	dbw_setup_result *res;
	dbw_conn *c = NULL;
	int rc;

	if (result_out)
		*result_out = NULL;
	if (!opts)
		opts = &defaults;
	res = calloc(1, sizeof(*res));
	if (!res)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rc = open_target(env, opts, res, &c, err);
	if (rc < 0)
		goto done;
	dopts.actor = opts->actor;
	dopts.on_event = opts->on_event;
	dopts.ctx = opts->ctx;
	dopts.lock_timeout_ms = env->lock_timeout_ms;
	if (env->is_protected && !res->created) {
		rc = refuse_existing_protected(c, env, set, err);
		if (rc < 0)
			goto done;
	}
	rc = dbw_deploy(c, set, &dopts, &res->deploy, err);
	if (rc < 0)
		goto done;
	if (env->is_protected) {
		res->seeds_skipped = 1; /* setup never seeds a protected environment */
	} else if (seeds) {
		rc = dbw_seed_run(c, env, seeds, NULL, &res->seed, err);
		if (rc < 0)
			goto done;
	}
done:
	res->changed = res->created || (res->deploy && res->deploy->n_applied > 0) ||
	               (res->seed && res->seed->n_applied > 0);
	dbw_conn_close(c);
	if (result_out)
		*result_out = res;
	else
		dbw_setup_result_free(res);
	return rc;
}
