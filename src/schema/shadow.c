/*
 * shadow.c - the shadow database: an empty throwaway database to replay
 * migrations in. PostgreSQL: created FROM template0 on the live server (or
 * a configured shadow_url, emptied before and after use); SQLite: memory.
 *
 * Every database this process creates is recorded in a small process-wide
 * registry until it is dropped, so that the command can remove it from its
 * SIGINT / SIGTERM handler (dbw_shadow_cleanup_all): the library installs no
 * handlers of its own. The registry is the only global state of the layer,
 * and exists for that reason alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/internal.h"

#define REGISTRY_SLOTS 8

struct dbw_shadow {
	dbw_db_kind kind;
	dbw_conn *conn;
	dbw_conn *live;  /* not owned: where CREATE / DROP DATABASE run */
	char *name;      /* database name ("" for memory / shadow_url) */
	char *admin_url; /* live URL, for the registry */
	int created;     /* 1: we created it, so we drop it */
	int slot;        /* registry slot, -1 when none */
};

static struct {
	char name[64];
	char *admin_url;
} registry[REGISTRY_SLOTS];

static unsigned shadow_counter;

static int registry_add(const char *name, const char *admin_url)
{
	for (int i = 0; i < REGISTRY_SLOTS; i++) {
		if (registry[i].name[0])
			continue;
		registry[i].admin_url = strdup(admin_url);
		if (!registry[i].admin_url)
			return -1;
		snprintf(registry[i].name, sizeof(registry[i].name), "%s", name);
		return i;
	}
	return -1;
}

static void registry_remove(int slot)
{
	if (slot < 0)
		return;
	registry[slot].name[0] = '\0';
	free(registry[slot].admin_url);
	registry[slot].admin_url = NULL;
}

/*
 * The live URL with the database replaced: a URI gets a new path; a
 * key=value conninfo gets dbname= appended (libpq keeps the last value of a
 * repeated keyword).
 */
static char *url_with_database(const char *url, const char *db)
{
	const char *scheme = strstr(url, "://");
	const char *path, *query;
	if (!scheme || (strncmp(url, "postgres://", 11) && strncmp(url, "postgresql://", 13)))
		return dbw_sprintf("%s dbname=%s", url, db);
	path = strchr(scheme + 3, '/');
	query = strchr(scheme + 3, '?');
	if (!path || (query && path > query))
		path = query ? query : url + strlen(url);
	if (!query)
		query = url + strlen(url);
	return dbw_sprintf("%.*s/%s%s", (int)(path - url), url, db, query);
}

/*
 * Drop every object of a configured shadow database: its user schemas,
 * event triggers and publications. public comes back the way template0 has
 * it (its standard comment, USAGE for PUBLIC), so that an emptied shadow
 * introspects like a fresh one.
 */
static int empty_database(dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	if (dbw_conn_kind(c) != DBW_DB_POSTGRES)
		return 0;
	rc = dbw_schema__query(
	    c,
	    "SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM pg_namespace"
	    " WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
	    " AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
	    " UNION ALL SELECT format('DROP EVENT TRIGGER %I;', evtname) FROM pg_event_trigger"
	    " UNION ALL SELECT format('DROP PUBLICATION %I;', pubname) FROM pg_publication"
	    " ORDER BY 1",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++)
		rc = dbw_conn_exec(c, dbw_result_value(r, i, 0), err);
	if (rc == 0)
		rc = dbw_conn_exec(
		    c,
		    "CREATE SCHEMA public; COMMENT ON SCHEMA public IS 'standard public schema'; "
		    "GRANT USAGE ON SCHEMA public TO PUBLIC",
		    err);
	dbw_result_free(r);
	return rc;
}

int dbw_shadow_create(dbw_shadow **out, dbw_conn *live, const char *live_url,
                      const char *shadow_url, dbw_error *err)
{
	dbw_shadow *sh = calloc(1, sizeof(*sh));
	dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
	char *url = NULL, *create = NULL, *qname = NULL;
	int rc = 0;
	*out = NULL;
	if (!sh)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	sh->slot = -1;
	sh->live = live;
	sh->kind = dbw_conn_kind(live);
	co.application_name = "dbward shadow";
	if (sh->kind == DBW_DB_SQLITE || (!shadow_url && !live_url)) {
		sh->name = strdup("");
		if (sh->kind != DBW_DB_SQLITE) {
			rc = dbw_error_set(err, DBW_EUSAGE,
			                   "no URL to reach the shadow database's server");
			goto done;
		}
		rc = dbw_conn_open(&sh->conn, "sqlite::memory:", &co, err);
		goto done;
	}
	if (shadow_url) {
		sh->name = strdup("");
		if ((rc = dbw_conn_open(&sh->conn, shadow_url, &co, err)) < 0)
			goto done;
		rc = empty_database(sh->conn, err);
		goto done;
	}
	sh->name = dbw_sprintf("dbward_shadow_%ld_%u", (long)getpid(), ++shadow_counter);
	qname = sh->name ? dbw_schema__ident(DBW_DB_POSTGRES, sh->name) : NULL;
	create = qname ? dbw_sprintf("CREATE DATABASE %s TEMPLATE template0", qname) : NULL;
	sh->admin_url = strdup(live_url);
	if (!create || !sh->admin_url) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = dbw_conn_exec(live, create, err)) < 0) {
		dbw_error_hint(err,
		               "The shadow database is created on the live server, which needs "
		               "the CREATEDB privilege; or set shadow_url in dbward.ini to a "
		               "database dbward may empty.");
		goto done;
	}
	sh->created = 1;
	sh->slot = registry_add(sh->name, live_url);
	url = url_with_database(live_url, sh->name);
	if (!url) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = dbw_conn_open(&sh->conn, url, &co, err);
done:
	free(url);
	free(create);
	free(qname);
	if (rc < 0 || !sh->name) {
		if (rc == 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		dbw_shadow_drop(sh, NULL);
		return rc;
	}
	*out = sh;
	return 0;
}

dbw_conn *dbw_shadow_conn(dbw_shadow *sh)
{
	return sh->conn;
}

const char *dbw_shadow_name(const dbw_shadow *sh)
{
	return sh->name ? sh->name : "";
}

static int drop_database(dbw_conn *admin, const char *name, dbw_error *err)
{
	char *q = dbw_schema__ident(DBW_DB_POSTGRES, name);
	char *sql = q ? dbw_sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", q) : NULL;
	int rc =
	    sql ? dbw_conn_exec(admin, sql, err) : dbw_error_set(err, DBW_ENOMEM, "out of memory");
	free(q);
	free(sql);
	return rc;
}

int dbw_shadow_drop(dbw_shadow *sh, dbw_error *err)
{
	int rc = 0;
	if (!sh)
		return 0;
	if (sh->conn && !sh->created && sh->kind == DBW_DB_POSTGRES) {
		dbw_error ignored = DBW_ERROR_INIT;
		/* A configured shadow_url is emptied, not dropped. */
		dbw_conn_rollback(sh->conn, NULL);
		rc = empty_database(sh->conn, err ? err : &ignored);
		dbw_error_clear(&ignored);
	}
	dbw_conn_close(sh->conn);
	sh->conn = NULL;
	if (sh->created) {
		rc = drop_database(sh->live, sh->name, err);
		if (rc == 0)
			registry_remove(sh->slot);
	}
	free(sh->name);
	free(sh->admin_url);
	free(sh);
	return rc;
}

int dbw_shadow_cleanup_all(void)
{
	int dropped = 0;
	for (int i = 0; i < REGISTRY_SLOTS; i++) {
		dbw_conn *c = NULL;
		dbw_connect_options co = DBW_CONNECT_OPTIONS_INIT;
		if (!registry[i].name[0])
			continue;
		co.application_name = "dbward shadow cleanup";
		if (dbw_conn_open(&c, registry[i].admin_url, &co, NULL) == 0 &&
		    drop_database(c, registry[i].name, NULL) == 0) {
			dropped++;
			registry_remove(i);
		}
		dbw_conn_close(c);
	}
	return dropped;
}

const char *dbw_shadow_url_for(const dbw_env *env, const dbw_project *p)
{
	const char *u = env ? dbw_env_setting(env, "shadow_url") : NULL;
	if (!u && p)
		u = dbw_project_setting(p, "project", "shadow_url");
	return u && *u ? u : NULL;
}

char *dbw_shadow_setup_for(const dbw_env *env, const dbw_project *p)
{
	const char *f = env ? dbw_env_setting(env, "shadow_setup") : NULL;
	if ((!f || !*f) && p)
		f = dbw_project_setting(p, "project", "shadow_setup");
	if (!f || !*f)
		return NULL;
	return p ? dbw_path_join(dbw_project_root(p), f) : dbw_strdup(f);
}
