/*
 * history.c - reading and writing the history table, in dbward's flavour
 * (dbward_migrations: one row per migration) and Prisma's
 * (_prisma_migrations: one row per attempt, as prisma-engines writes it).
 *
 * Prisma's reading of its table, which we follow so that `prisma migrate
 * status` and `dbward status` agree: a migration is applied when one of its
 * rows has finished_at set and rolled_back_at NULL; failed when a row has
 * neither; rolled back (not applied, may be retried) otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "migrate/history.h"
#include "migrate/deploy.h"
#include "util/util.h"

static const char dbward_ddl_pg[] =
    "CREATE TABLE IF NOT EXISTS dbward_migrations (\n"
    "  version      text PRIMARY KEY,\n"
    "  name         text NOT NULL,\n"
    "  checksum     text NOT NULL,\n"
    "  fingerprint  text,\n"
    "  status       text NOT NULL CHECK (status IN ('applied', 'failed', 'rolled_back')),\n"
    "  started_at   timestamptz NOT NULL,\n"
    "  finished_at  timestamptz,\n"
    "  execution_ms bigint,\n"
    "  applied_by   text,\n"
    "  tool_version text,\n"
    "  logs         text\n"
    ")";

static const char dbward_ddl_sqlite[] =
    "CREATE TABLE IF NOT EXISTS dbward_migrations (\n"
    "  version      TEXT PRIMARY KEY NOT NULL,\n"
    "  name         TEXT NOT NULL,\n"
    "  checksum     TEXT NOT NULL,\n"
    "  fingerprint  TEXT,\n"
    "  status       TEXT NOT NULL CHECK (status IN ('applied', 'failed', 'rolled_back')),\n"
    "  started_at   TEXT NOT NULL,\n"
    "  finished_at  TEXT,\n"
    "  execution_ms INTEGER,\n"
    "  applied_by   TEXT,\n"
    "  tool_version TEXT,\n"
    "  logs         TEXT\n"
    ")";

/* prisma-engines, schema-engine/connectors/sql-schema-connector (the
 * _prisma_migrations DDL per provider). */
static const char prisma_ddl_pg[] =
    "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n"
    "    \"id\"                    VARCHAR(36) PRIMARY KEY NOT NULL,\n"
    "    \"checksum\"              VARCHAR(64) NOT NULL,\n"
    "    \"finished_at\"           TIMESTAMPTZ,\n"
    "    \"migration_name\"        VARCHAR(255) NOT NULL,\n"
    "    \"logs\"                  TEXT,\n"
    "    \"rolled_back_at\"        TIMESTAMPTZ,\n"
    "    \"started_at\"            TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
    "    \"applied_steps_count\"   INTEGER NOT NULL DEFAULT 0\n"
    ")";

static const char prisma_ddl_sqlite[] =
    "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\n"
    "    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n"
    "    \"checksum\"              TEXT NOT NULL,\n"
    "    \"finished_at\"           DATETIME,\n"
    "    \"migration_name\"        TEXT NOT NULL,\n"
    "    \"logs\"                  TEXT,\n"
    "    \"rolled_back_at\"        DATETIME,\n"
    "    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n"
    "    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n"
    ")";

/* Prisma's table has no column for a fingerprint, so cosmetic-edit
 * detection for Prisma folders keeps its own small side table. */
static const char prisma_fp_ddl[] = "CREATE TABLE IF NOT EXISTS dbward_prisma_fingerprints (\n"
                                    "  migration_name text PRIMARY KEY NOT NULL,\n"
                                    "  fingerprint    text NOT NULL\n"
                                    ")";

int dbw_history__is_prisma(const dbw_migration_set *set)
{
	return set->format == DBW_FORMAT_PRISMA;
}

static void iso_now(int64_t ms, char out[40])
{
	char base[32];
	dbw_iso8601(ms, base, sizeof(base));
	/* 2026-11-21T04:44:00Z -> 2026-11-21T04:44:00.123Z: keep milliseconds */
	base[19] = '\0';
	snprintf(out, 40, "%s.%03dZ", base, (int)(ms % 1000));
}

/* How a timestamp is written: Prisma's SQLite connector stores DateTime as
 * Unix milliseconds (and reads both that and text), so its table gets those;
 * everything else gets ISO 8601 UTC text, which timestamptz accepts too. */
static void stamp(dbw_conn *c, int prisma, int64_t ms, char out[40])
{
	if (prisma && dbw_conn_kind(c) == DBW_DB_SQLITE)
		snprintf(out, 40, "%lld", (long long)ms);
	else
		iso_now(ms, out);
}

/* Display form of a stored Prisma/SQLite timestamp: milliseconds to ISO. */
static char *display_ts(const char *v)
{
	char out[40];
	if (!v || !*v || strspn(v, "0123456789") != strlen(v))
		return dbw_strdup(v);
	dbw_iso8601((int64_t)atoll(v), out, sizeof(out));
	return strdup(out);
}

int dbw_history__ensure(dbw_conn *c, int prisma, dbw_error *err)
{
	int sqlite = dbw_conn_kind(c) == DBW_DB_SQLITE;
	int exists = 0, rc;
	const char *table = prisma ? DBW_PRISMA_TABLE : DBW_HISTORY_TABLE;

	/* Check first: a role that may write rows but not create tables still
	 * deploys once the table exists. */
	rc = dbw_conn_table_exists(c, table, &exists, err);
	if (rc < 0)
		return rc;
	if (!exists) {
		const char *ddl = prisma ? (sqlite ? prisma_ddl_sqlite : prisma_ddl_pg)
		                         : (sqlite ? dbward_ddl_sqlite : dbward_ddl_pg);
		rc = dbw_conn_exec(c, ddl, err);
		if (rc < 0) {
			const char *h = err && err->sqlstate[0]
			                    ? dbw_apply__hint_for_sqlstate(err->sqlstate)
			                    : NULL;
			if (h)
				dbw_error_hint(err, "%s", h);
			else
				dbw_error_hint(err,
				               "dbward keeps its history in the table \"%s\"; "
				               "the role it connects as must be allowed to "
				               "create it once.",
				               table);
			return rc;
		}
	}
	if (prisma) {
		rc = dbw_conn_table_exists(c, DBW_PRISMA_FINGERPRINTS, &exists, err);
		if (rc == 0 && !exists)
			rc = dbw_conn_exec(c, prisma_fp_ddl, err);
	}
	return rc;
}

void dbw_history__free(dbw_history *h)
{
	for (size_t i = 0; i < h->count; i++) {
		free(h->rows[i].id);
		free(h->rows[i].checksum);
		free(h->rows[i].fingerprint);
		free(h->rows[i].applied_at);
		free(h->rows[i].logs);
	}
	free(h->rows);
	free(h->by_id);
	memset(h, 0, sizeof(*h));
}

static int cmp_row_ptr(const void *a, const void *b)
{
	return strcmp((*(dbw_hrow *const *)a)->id, (*(dbw_hrow *const *)b)->id);
}

static int cmp_key_row(const void *key, const void *b)
{
	return strcmp((const char *)key, (*(dbw_hrow *const *)b)->id);
}

/* status looks up every migration of the folder: an index keeps that
 * O(n log n) for histories of thousands of migrations. */
static int build_index(dbw_history *h)
{
	if (h->count == 0)
		return 0;
	h->by_id = malloc(h->count * sizeof(*h->by_id));
	if (!h->by_id)
		return DBW_ENOMEM;
	for (size_t i = 0; i < h->count; i++)
		h->by_id[i] = &h->rows[i];
	qsort(h->by_id, h->count, sizeof(*h->by_id), cmp_row_ptr);
	return 0;
}

const dbw_hrow *dbw_history__find(const dbw_history *h, const char *id)
{
	if (h->by_id) {
		dbw_hrow *const *hit =
		    bsearch(id, h->by_id, h->count, sizeof(*h->by_id), cmp_key_row);
		return hit ? *hit : NULL;
	}
	for (size_t i = 0; i < h->count; i++)
		if (strcmp(h->rows[i].id, id) == 0)
			return &h->rows[i];
	return NULL;
}

static dbw_hrow *find_mut(dbw_history *h, const char *id)
{
	return (dbw_hrow *)dbw_history__find(h, id);
}

static dbw_hrow *add_row(dbw_history *h, const char *id)
{
	dbw_hrow *rows = realloc(h->rows, (h->count + 1) * sizeof(*rows));
	if (!rows)
		return NULL;
	h->rows = rows;
	memset(&rows[h->count], 0, sizeof(*rows));
	rows[h->count].id = strdup(id);
	rows[h->count].execution_ms = -1;
	if (!rows[h->count].id)
		return NULL;
	return &rows[h->count++];
}

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? strdup(value) : NULL;
}

static int load_dbward(dbw_conn *c, dbw_history *h, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *sql =
	    dbw_conn_kind(c) == DBW_DB_SQLITE
	        ? "SELECT version, checksum, fingerprint, status, coalesce(finished_at, "
	          "started_at), execution_ms, logs FROM dbward_migrations ORDER BY started_at, "
	          "version"
	        : "SELECT version, checksum, fingerprint, status, to_char(coalesce(finished_at, "
	          "started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	          "execution_ms, logs FROM dbward_migrations ORDER BY started_at, version";
	int rc = dbw_conn_query(c, sql, 0, NULL, &r, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		dbw_hrow *row = add_row(h, dbw_result_value(r, i, 0));
		const char *status = dbw_result_value(r, i, 3);
		const char *ms = dbw_result_value(r, i, 5);
		if (!row) {
			dbw_result_free(r);
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
		replace(&row->checksum, dbw_result_value(r, i, 1));
		replace(&row->fingerprint, dbw_result_value(r, i, 2));
		replace(&row->applied_at, dbw_result_value(r, i, 4));
		replace(&row->logs, dbw_result_value(r, i, 6));
		row->execution_ms = ms ? atol(ms) : -1;
		row->state = strcmp(status, "applied") == 0  ? DBW_H_APPLIED
		             : strcmp(status, "failed") == 0 ? DBW_H_FAILED
		                                             : DBW_H_ROLLED_BACK;
	}
	dbw_result_free(r);
	return 0;
}

static int load_prisma(dbw_conn *c, dbw_history *h, dbw_error *err)
{
	dbw_result *r = NULL;
	int sqlite = dbw_conn_kind(c) == DBW_DB_SQLITE, fp_exists = 0;
	const char *sql =
	    sqlite ? "SELECT migration_name, checksum, finished_at, rolled_back_at, logs, "
	             "started_at FROM _prisma_migrations ORDER BY started_at, id"
	           : "SELECT migration_name, checksum, to_char(finished_at AT TIME ZONE 'UTC', "
	             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), rolled_back_at, logs, "
	             "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	             "(extract(epoch FROM finished_at - started_at) * 1000)::bigint "
	             "FROM _prisma_migrations ORDER BY started_at, id";
	int rc = dbw_conn_query(c, sql, 0, NULL, &r, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		const char *name = dbw_result_value(r, i, 0);
		const char *finished = dbw_result_value(r, i, 2);
		const char *rolled_back = dbw_result_value(r, i, 3);
		dbw_hrow *row = find_mut(h, name);
		dbw_hstate state = finished && !rolled_back    ? DBW_H_APPLIED
		                   : !finished && !rolled_back ? DBW_H_FAILED
		                                               : DBW_H_ROLLED_BACK;
		if (!row) {
			row = add_row(h, name);
			if (!row) {
				dbw_result_free(r);
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			}
			row->state = state;
		}
		/* Applied wins over everything; failed over rolled back. */
		if (state == DBW_H_APPLIED || row->state != DBW_H_APPLIED) {
			if (state == DBW_H_APPLIED || state == DBW_H_FAILED ||
			    row->state == DBW_H_ROLLED_BACK)
				row->state = state;
			replace(&row->checksum, dbw_result_value(r, i, 1));
			free(row->applied_at);
			row->applied_at =
			    display_ts(finished ? finished : dbw_result_value(r, i, 5));
			if (state != DBW_H_APPLIED)
				replace(&row->logs, dbw_result_value(r, i, 4));
			else
				replace(&row->logs, NULL);
			if (!sqlite && dbw_result_value(r, i, 6))
				row->execution_ms = atol(dbw_result_value(r, i, 6));
		}
	}
	dbw_result_free(r);

	rc = dbw_conn_table_exists(c, DBW_PRISMA_FINGERPRINTS, &fp_exists, err);
	if (rc < 0 || !fp_exists)
		return rc;
	rc = dbw_conn_query(c, "SELECT migration_name, fingerprint FROM dbward_prisma_fingerprints",
	                    0, NULL, &r, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		dbw_hrow *row = find_mut(h, dbw_result_value(r, i, 0));
		if (row)
			replace(&row->fingerprint, dbw_result_value(r, i, 1));
	}
	dbw_result_free(r);
	return 0;
}

int dbw_history__load(dbw_conn *c, int prisma, dbw_history *out, dbw_error *err)
{
	int rc;
	memset(out, 0, sizeof(*out));
	out->prisma = prisma;
	rc = dbw_conn_table_exists(c, prisma ? DBW_PRISMA_TABLE : DBW_HISTORY_TABLE, &out->exists,
	                           err);
	if (rc < 0 || !out->exists)
		return rc;
	rc = prisma ? load_prisma(c, out, err) : load_dbward(c, out, err);
	if (rc == 0 && build_index(out) < 0)
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (rc < 0)
		dbw_history__free(out);
	return rc;
}

int dbw_history__is_applied(dbw_conn *c, int prisma, const char *id, int *yes, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *params[1] = {id};
	int rc = dbw_conn_query(
	    c,
	    prisma ? "SELECT 1 FROM _prisma_migrations WHERE migration_name = $1 AND "
	             "finished_at IS NOT NULL AND rolled_back_at IS NULL"
	           : "SELECT 1 FROM dbward_migrations WHERE version = $1 AND status = "
	             "'applied'",
	    1, params, &r, err);
	*yes = rc == 0 && dbw_result_rows(r) > 0;
	dbw_result_free(r);
	return rc;
}

/* A version 4 UUID, as Prisma uses for _prisma_migrations.id. */
static void uuid_v4(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1) {
		int64_t t = dbw_monotonic_ms() ^ dbw_now_ms();
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)rand();
	}
	b[6] = (b[6] & 0x0F) | 0x40;
	b[8] = (b[8] & 0x3F) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

static int save_prisma_fingerprint(dbw_conn *c, const dbw_migration *m, const char *fingerprint,
                                   dbw_error *err)
{
	const char *params[2] = {m->id, fingerprint};
	dbw_result *r = NULL;
	int rc;
	if (!fingerprint)
		return 0;
	rc = dbw_conn_query(c,
	                    "INSERT INTO dbward_prisma_fingerprints (migration_name, fingerprint) "
	                    "VALUES ($1, $2) ON CONFLICT (migration_name) DO UPDATE SET "
	                    "fingerprint = excluded.fingerprint",
	                    2, params, &r, err);
	dbw_result_free(r);
	return rc;
}

int dbw_history__record_applied(dbw_conn *c, int prisma, const dbw_migration *m,
                                const char *fingerprint, int64_t started_ms, long execution_ms,
                                const char *actor, dbw_error *err)
{
	char started[40], finished[40], ms[32], uuid[37];
	dbw_result *r = NULL;
	int rc;

	stamp(c, prisma, started_ms, started);
	stamp(c, prisma, started_ms + execution_ms, finished);
	snprintf(ms, sizeof(ms), "%ld", execution_ms);
	if (!prisma) {
		const char *params[8] = {m->version, m->name,  m->checksum, fingerprint,
		                         started,    finished, ms,          actor};
		rc = dbw_conn_query(
		    c,
		    "INSERT INTO dbward_migrations (version, name, checksum, fingerprint, status, "
		    "started_at, finished_at, execution_ms, applied_by, tool_version, logs) "
		    "VALUES ($1, $2, $3, $4, 'applied', $5, $6, $7, $8, '" DBW_VERSION "', NULL) "
		    "ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = "
		    "excluded.checksum, fingerprint = excluded.fingerprint, status = 'applied', "
		    "started_at = excluded.started_at, finished_at = excluded.finished_at, "
		    "execution_ms = excluded.execution_ms, applied_by = excluded.applied_by, "
		    "tool_version = excluded.tool_version, logs = NULL",
		    8, params, &r, err);
		dbw_result_free(r);
		return rc;
	}
	/* Prisma: finish the attempt row a no-transaction migration opened, or
	 * add one; earlier rolled-back rows stay, as Prisma keeps them. */
	{
		const char *params[3] = {m->id, finished, m->checksum};
		rc = dbw_conn_query(
		    c,
		    "UPDATE _prisma_migrations SET finished_at = $2, checksum = $3, "
		    "applied_steps_count = 1, logs = NULL WHERE migration_name = $1 AND "
		    "finished_at IS NULL AND rolled_back_at IS NULL RETURNING id",
		    3, params, &r, err);
		if (rc < 0)
			return rc;
		if (dbw_result_rows(r) > 0) {
			dbw_result_free(r);
			return save_prisma_fingerprint(c, m, fingerprint, err);
		}
		dbw_result_free(r);
		r = NULL;
	}
	uuid_v4(uuid);
	{
		const char *params[5] = {uuid, m->checksum, finished, m->id, started};
		rc = dbw_conn_query(
		    c,
		    "INSERT INTO _prisma_migrations (id, checksum, finished_at, "
		    "migration_name, logs, rolled_back_at, started_at, "
		    "applied_steps_count) VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)",
		    5, params, &r, err);
		dbw_result_free(r);
	}
	if (rc < 0)
		return rc;
	return save_prisma_fingerprint(c, m, fingerprint, err);
}

int dbw_history__record_failure(dbw_conn *c, int prisma, const dbw_migration *m,
                                const char *fingerprint, dbw_hstate state, int64_t started_ms,
                                const char *logs, const char *actor, dbw_error *err)
{
	char started[40], now[40], uuid[37];
	dbw_result *r = NULL;
	int rc;
	const char *status = state == DBW_H_FAILED ? "failed" : "rolled_back";

	stamp(c, prisma, started_ms, started);
	stamp(c, prisma, dbw_now_ms(), now);
	if (!prisma) {
		const char *params[8] = {m->version, m->name, m->checksum, fingerprint,
		                         status,     started, actor,       logs};
		rc = dbw_conn_query(
		    c,
		    "INSERT INTO dbward_migrations (version, name, checksum, fingerprint, status, "
		    "started_at, finished_at, execution_ms, applied_by, tool_version, logs) "
		    "VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, '" DBW_VERSION "', $8) "
		    "ON CONFLICT (version) DO UPDATE SET checksum = excluded.checksum, "
		    "fingerprint = excluded.fingerprint, status = excluded.status, started_at = "
		    "excluded.started_at, finished_at = NULL, execution_ms = NULL, applied_by = "
		    "excluded.applied_by, logs = excluded.logs",
		    8, params, &r, err);
		dbw_result_free(r);
		return rc;
	}
	if (state == DBW_H_FAILED) {
		/* An open attempt row may exist already (no-transaction start marker). */
		const char *params[2] = {m->id, logs};
		rc = dbw_conn_query(
		    c,
		    "UPDATE _prisma_migrations SET logs = $2 WHERE migration_name = $1 "
		    "AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id",
		    2, params, &r, err);
		if (rc < 0)
			return rc;
		if (dbw_result_rows(r) > 0) {
			dbw_result_free(r);
			return 0;
		}
		dbw_result_free(r);
		r = NULL;
	}
	uuid_v4(uuid);
	{
		const char *params[6] = {
		    uuid, m->checksum, m->id, logs, state == DBW_H_FAILED ? NULL : now, started};
		rc = dbw_conn_query(c,
		                    "INSERT INTO _prisma_migrations (id, checksum, finished_at, "
		                    "migration_name, logs, rolled_back_at, started_at, "
		                    "applied_steps_count) VALUES ($1, $2, NULL, $3, $4, $5, $6, 0)",
		                    6, params, &r, err);
		dbw_result_free(r);
	}
	(void)fingerprint;
	(void)actor;
	return rc;
}

int dbw_history__settle(dbw_conn *c, int prisma, const dbw_migration *m, int applied,
                        const char *actor, dbw_error *err)
{
	char now[40];
	dbw_result *r = NULL;
	int rc;
	stamp(c, prisma, dbw_now_ms(), now);
	if (!prisma) {
		const char *params[4] = {m->version, applied ? "applied" : "rolled_back", now,
		                         actor};
		rc = dbw_conn_query(
		    c,
		    "UPDATE dbward_migrations SET status = $2, finished_at = $3, "
		    "applied_by = $4, logs = coalesce(logs, '') || '\nresolved as ' || $2 "
		    "|| ' by ' || $4 WHERE version = $1",
		    4, params, &r, err);
		dbw_result_free(r);
		return rc;
	}
	/* prisma migrate resolve: --rolled-back sets rolled_back_at on the failed
	 * row; --applied closes it and records an applied row. */
	{
		const char *params[2] = {m->id, now};
		rc = dbw_conn_query(
		    c,
		    "UPDATE _prisma_migrations SET rolled_back_at = $2 WHERE "
		    "migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS "
		    "NULL RETURNING id",
		    2, params, &r, err);
		dbw_result_free(r);
		if (rc < 0 || !applied)
			return rc;
	}
	return dbw_history__record_applied(c, 1, m, NULL, dbw_now_ms(), 0, actor, err);
}

int dbw_history__forget(dbw_conn *c, int prisma, const dbw_migration *m, dbw_error *err)
{
	const char *params[1] = {m->id};
	dbw_result *r = NULL;
	int rc = dbw_conn_query(c,
	                        prisma ? "DELETE FROM _prisma_migrations WHERE migration_name = $1"
	                               : "DELETE FROM dbward_migrations WHERE version = $1",
	                        1, params, &r, err);
	dbw_result_free(r);
	return rc;
}
