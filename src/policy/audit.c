/*
 * audit.c - the audit trail of protected environments (issue 3 "Audit"):
 * one JSON line per decision or outcome in <root>/.dbward/audit.log,
 * appended with O_APPEND so concurrent writers never interleave a line,
 * and the same record in the database's dbward_audit table when it can be
 * reached. Passwords are redacted here, whatever the caller passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include <dbward/policy.h>
#include "util/util.h"

static const char pg_table[] =
    "CREATE TABLE IF NOT EXISTS dbward_audit ("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " at timestamptz NOT NULL, environment text NOT NULL, operation text NOT NULL,"
    " actor text NOT NULL, outcome text NOT NULL, detail text, database text,"
    " command text, duration_ms bigint)";
static const char sqlite_table[] =
    "CREATE TABLE IF NOT EXISTS dbward_audit ("
    " id integer PRIMARY KEY AUTOINCREMENT,"
    " at text NOT NULL, environment text NOT NULL, operation text NOT NULL,"
    " actor text NOT NULL, outcome text NOT NULL, detail text, database text,"
    " command text, duration_ms integer)";

char *dbw_audit_path(const dbw_project *p)
{
	char *root = p ? dbw_strdup(dbw_project_root(p)) : dbw_path_absolute(".");
	char *path = root ? dbw_sprintf("%s/.dbward/audit.log", root) : NULL;
	free(root);
	return path;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static int append_local(const dbw_project *p, json_t *rec, dbw_error *err)
{
	char *path = dbw_audit_path(p), *dir = NULL, *line = NULL, *slash;
	int fd = -1, rc = 0;
	size_t len;

	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	dir = dbw_strdup(path);
	slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	*slash = '\0';
	if ((rc = dbw_mkdir_p(dir, 0700, err)) < 0)
		goto done;
	line = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (!line) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	len = strlen(line);
	line[len] = '\n'; /* json_dumps' NUL becomes the line end; written with its length */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, len + 1) != (ssize_t)(len + 1)) {
		rc = dbw_error_set(err, DBW_EIO, "could not append to audit log \"%s\": %s", path,
		                   strerror(errno));
		goto done;
	}
done:
	if (fd >= 0)
		close(fd);
	free(line);
	free(dir);
	free(path);
	return rc;
}

/* One record into dbward_audit, created on first use. On PostgreSQL the
 * writers queue on a transaction-scoped advisory lock so that two first
 * records cannot collide creating the table. */
static int insert_db(dbw_conn *c, const char *at, const dbw_audit_entry *e, const char *actor,
                     const char *cmd, const char *detail)
{
	char dur[32];
	const char *params[9];
	dbw_result *r = NULL;
	int pg = dbw_conn_kind(c) == DBW_DB_POSTGRES, rc;

	snprintf(dur, sizeof(dur), "%ld", e->duration_ms);
	params[0] = at;
	params[1] = e->environment ? e->environment : "";
	params[2] = e->operation ? e->operation : "";
	params[3] = actor;
	params[4] = e->outcome ? e->outcome : "";
	params[5] = detail;
	params[6] = e->database;
	params[7] = cmd;
	params[8] = e->duration_ms >= 0 ? dur : NULL;
	if ((rc = dbw_conn_begin(c, NULL)) < 0)
		return rc;
	if (pg) {
		rc = dbw_conn_query(c, "SELECT pg_advisory_xact_lock(hashtext('dbward_audit'))", 0,
		                    NULL, &r, NULL);
		dbw_result_free(r);
		r = NULL;
	}
	if (rc == 0)
		rc = dbw_conn_exec(c, pg ? pg_table : sqlite_table, NULL);
	if (rc == 0)
		rc = dbw_conn_query(c,
		                    "INSERT INTO dbward_audit (at, environment, operation, actor, "
		                    "outcome, detail, database, command, duration_ms) "
		                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		                    9, params, &r, NULL);
	dbw_result_free(r);
	if (rc == 0)
		rc = dbw_conn_commit(c, NULL);
	if (rc < 0)
		dbw_conn_rollback(c, NULL);
	return rc;
}

int dbw_audit_record(dbw_conn *c, const dbw_project *p, const dbw_audit_entry *e, dbw_error *err)
{
	char at[32];
	char *me = NULL, *cmd = NULL, *detail = NULL;
	const char *actor = e->actor;
	json_t *rec = NULL;
	int rc;

	if (!actor)
		actor = me = dbw_actor();
	cmd = e->command_line ? dbw_url_redact(e->command_line) : NULL;
	detail = e->detail ? dbw_url_redact(e->detail) : NULL;
	dbw_iso8601(e->at_ms ? e->at_ms : dbw_now_ms(), at, sizeof(at));
	rec = json_object();
	if (!actor || !rec || (e->command_line && !cmd) || (e->detail && !detail)) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	set_str(rec, "at", at);
	json_object_set_new(rec, "at_ms",
	                    json_integer((json_int_t)(e->at_ms ? e->at_ms : dbw_now_ms())));
	set_str(rec, "actor", actor);
	set_str(rec, "environment", e->environment);
	set_str(rec, "operation", e->operation);
	set_str(rec, "database", e->database);
	set_str(rec, "command", cmd);
	set_str(rec, "outcome", e->outcome);
	set_str(rec, "detail", detail);
	json_object_set_new(rec, "duration_ms",
	                    e->duration_ms >= 0 ? json_integer(e->duration_ms) : json_null());
	rc = append_local(p, rec, err);
	/* The database copy is best effort: the database may be read-only, or
	 * the very thing that is wrong. The local log is the one that must hold. */
	if (c)
		insert_db(c, at, e, actor, cmd, detail);
done:
	json_decref(rec);
	free(me);
	free(cmd);
	free(detail);
	return rc;
}

int dbw_audit_finish(dbw_conn *c, const dbw_env *env, const dbw_project *p, const char *operation,
                     const char *command_line, int64_t started_ms, int rc,
                     const dbw_error *result_err, dbw_error *err)
{
	dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
	if (!env->is_protected)
		return 0;
	e.environment = env->name;
	e.operation = operation;
	e.database = c ? dbw_conn_database(c) : NULL;
	e.command_line = command_line ? command_line : operation;
	e.outcome = rc == DBW_EPOLICY ? "refused" : rc < 0 ? "failed" : "succeeded";
	e.detail = rc < 0 && result_err ? result_err->message : NULL;
	e.at_ms = dbw_now_ms();
	e.duration_ms = started_ms ? (long)(e.at_ms - started_ms) : -1;
	return dbw_audit_record(c, p, &e, err);
}

void dbw_audit_log_free(dbw_audit_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		dbw_audit_entry *e = &l->items[i];
		free((char *)e->environment);
		free((char *)e->operation);
		free((char *)e->database);
		free((char *)e->actor);
		free((char *)e->command_line);
		free((char *)e->outcome);
		free((char *)e->detail);
	}
	free(l->items);
	free(l);
}

static char *get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? dbw_strdup(s) : NULL;
}

int dbw_audit_read(const dbw_project *p, int64_t since_ms, dbw_audit_log **out, size_t *skipped_out,
                   dbw_error *err)
{
	char *path = dbw_audit_path(p), *data = NULL, *line, *save = NULL;
	dbw_audit_log *l = NULL;
	size_t cap = 0, skipped = 0;
	int rc;

	*out = NULL;
	if (skipped_out)
		*skipped_out = 0;
	l = calloc(1, sizeof(*l));
	if (!path || !l) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = dbw_file_read(path, &data, NULL, err);
	if (rc == DBW_ENOTFOUND) {
		dbw_error_clear(err);
		rc = 0;
		goto ok;
	}
	if (rc < 0)
		goto done;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL);
		json_t *at = o ? json_object_get(o, "at_ms") : NULL;
		dbw_audit_entry *e;
		if (!o || !json_is_integer(at)) {
			skipped++;
			json_decref(o);
			continue;
		}
		if ((int64_t)json_integer_value(at) < since_ms) {
			json_decref(o);
			continue;
		}
		if (l->count == cap) {
			dbw_audit_entry *n = realloc(l->items, (cap ? cap * 2 : 16) * sizeof(*n));
			if (!n) {
				json_decref(o);
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				goto done;
			}
			l->items = n;
			cap = cap ? cap * 2 : 16;
		}
		e = &l->items[l->count++];
		*e = (dbw_audit_entry)DBW_AUDIT_ENTRY_INIT;
		e->at_ms = (int64_t)json_integer_value(at);
		e->environment = get_str(o, "environment");
		e->operation = get_str(o, "operation");
		e->database = get_str(o, "database");
		e->actor = get_str(o, "actor");
		e->command_line = get_str(o, "command");
		e->outcome = get_str(o, "outcome");
		e->detail = get_str(o, "detail");
		if (json_is_integer(json_object_get(o, "duration_ms")))
			e->duration_ms =
			    (long)json_integer_value(json_object_get(o, "duration_ms"));
		json_decref(o);
	}
ok:
	if (skipped_out)
		*skipped_out = skipped;
	*out = l;
	l = NULL;
done:
	dbw_audit_log_free(l);
	free(data);
	free(path);
	return rc;
}
