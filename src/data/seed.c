/*
 * seed.c - tracked seeds: reading db/seeds/shared and db/seeds/<env>, the
 * dbward_seeds table, and running the new or changed seeds, each in one
 * transaction together with its tracking row (DESIGN.md "seed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"
#include "util/util.h"

static const char create_pg[] = "CREATE TABLE IF NOT EXISTS dbward_seeds (\n"
                                "  name text PRIMARY KEY,\n"
                                "  checksum text NOT NULL,\n"
                                "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                                "  execution_ms bigint NOT NULL DEFAULT 0\n"
                                ")";
static const char create_sqlite[] = "CREATE TABLE IF NOT EXISTS dbward_seeds (\n"
                                    "  name TEXT PRIMARY KEY,\n"
                                    "  checksum TEXT NOT NULL,\n"
                                    "  applied_at TEXT NOT NULL,\n"
                                    "  execution_ms INTEGER NOT NULL DEFAULT 0\n"
                                    ")";
/* ON CONFLICT ... DO UPDATE is spelled the same in PostgreSQL and SQLite (3.24+). */
static const char upsert[] =
    "INSERT INTO dbward_seeds (name, checksum, applied_at, execution_ms) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, "
    "applied_at = excluded.applied_at, execution_ms = excluded.execution_ms";

const char *dbw_seed_state_name(dbw_seed_state s)
{
	switch (s) {
	case DBW_SEED_NEW:
		return "new";
	case DBW_SEED_CHANGED:
		return "changed";
	case DBW_SEED_UNCHANGED:
		return "unchanged";
	}
	return "?";
}

void dbw_seeds_free(dbw_seed_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		free(s->items[i].name);
		free(s->items[i].path);
		free(s->items[i].rel_path);
		free(s->items[i].content);
	}
	free(s->items);
	free(s->dir);
	free(s->env_name);
	free(s);
}

/* Append the .sql files of dir/sub to s. A missing folder holds no seeds. */
static int load_folder(dbw_seed_set *s, const char *root, const char *sub, dbw_error *err)
{
	dbw_strv names = DBW_STRV_INIT;
	char *folder = dbw_path_join(s->dir, sub);
	int rc = 0;
	if (!folder)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!dbw_path_is_dir(folder))
		goto done;
	rc = dbw_dir_list(folder, &names, err);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < names.count; i++) {
		dbw_seed *sd, *grown;
		size_t bad = 0;
		if (!dbw_str_endswith(names.items[i], ".sql"))
			continue;
		grown = realloc(s->items, (s->count + 1) * sizeof(*s->items));
		if (!grown) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		s->items = grown;
		sd = &s->items[s->count];
		memset(sd, 0, sizeof(*sd));
		sd->name = dbw_sprintf("%s/%s", sub, names.items[i]);
		sd->path = dbw_path_join(folder, names.items[i]);
		s->count++; /* counted now so that dbw_seeds_free releases a half-built item */
		if (!sd->name || !sd->path) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		sd->rel_path = root ? dbw_path_relative(sd->path, root) : dbw_strdup(sd->name);
		if (!sd->rel_path) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		rc = dbw_file_read(sd->path, &sd->content, &sd->content_len, err);
		if (rc < 0)
			goto done;
		if (dbw_looks_binary(sd->content, sd->content_len) ||
		    !dbw_utf8_valid(sd->content, sd->content_len, &bad)) {
			rc = dbw_error_set(err, DBW_EINPUT, "seed \"%s\" is not UTF-8 text",
			                   sd->rel_path);
			dbw_error_hint(err, "Seeds are SQL files in UTF-8.");
			goto done;
		}
		dbw_sha256_hex(sd->content, sd->content_len, sd->checksum);
	}
done:
	dbw_strv_free(&names);
	free(folder);
	return rc;
}

int dbw_seeds_load(dbw_seed_set **out, const char *dir, const char *root, const char *env_name,
                   dbw_error *err)
{
	dbw_seed_set *s = NULL;
	int rc;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	s->dir = dbw_path_absolute(dir);
	s->env_name = dbw_strdup(env_name);
	if (!s->dir || !s->env_name) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = load_folder(s, root, "shared", err);
	/* "shared" is never an environment's own folder: it would run twice. */
	if (rc == 0 && strcmp(env_name, "shared") != 0)
		rc = load_folder(s, root, env_name, err);
done:
	if (rc < 0)
		dbw_seeds_free(s);
	else
		*out = s;
	return rc;
}

void dbw_seed_result_free(dbw_seed_result *r)
{
	if (!r)
		return;
	free(r->steps);
	free(r);
}

/* Fill step states from dbward_seeds; *exists_out says whether the table exists. */
static int read_recorded(dbw_conn *c, dbw_seed_result *res, int *exists_out, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_conn_table_exists(c, "dbward_seeds", exists_out, err);
	if (rc < 0 || !*exists_out)
		return rc;
	rc = dbw_conn_query(c, "SELECT name, checksum FROM dbward_seeds", 0, NULL, &r, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < res->count; i++) {
		dbw_seed_step *st = &res->steps[i];
		for (size_t row = 0; row < dbw_result_rows(r); row++) {
			const char *name = dbw_result_value(r, row, 0);
			const char *sum = dbw_result_value(r, row, 1);
			if (name && strcmp(name, st->seed->name) == 0) {
				st->state = sum && strcmp(sum, st->seed->checksum) == 0
				                ? DBW_SEED_UNCHANGED
				                : DBW_SEED_CHANGED;
				break;
			}
		}
	}
	dbw_result_free(r);
	return 0;
}

/* Name the seed in the message and say what state the database is in, as deploy does. */
static void explain_failure(const dbw_seed *sd, dbw_error *err)
{
	char *msg, *hint;
	if (!err || err->code == DBW_EINPUT)
		return;
	msg = dbw_sprintf("seed \"%s\" failed: %s", sd->name, err->message ? err->message : "");
	if (msg) {
		free(err->message);
		err->message = msg;
	}
	hint = dbw_sprintf("%s%sNothing of it was applied (it ran in a transaction); the seeds "
	                   "before it stay recorded: fix the file and run 'dbward seed' again.",
	                   err->hint ? err->hint : "", err->hint ? " " : "");
	if (hint) {
		free(err->hint);
		err->hint = hint;
	}
}

static int apply_one(dbw_conn *c, dbw_seed_step *st, dbw_error *err)
{
	const dbw_seed *sd = st->seed;
	char at[32], ms[32];
	const char *params[4];
	dbw_result *r = NULL;
	int64_t t0 = dbw_monotonic_ms();
	int rc;

	rc = dbw_conn_begin(c, err);
	if (rc < 0)
		return rc;
	rc = dbw_data__exec_script(c, sd->rel_path, sd->content, sd->content_len, err);
	if (rc < 0)
		goto fail;
	st->execution_ms = (long)(dbw_monotonic_ms() - t0);
	dbw_iso8601(dbw_now_ms(), at, sizeof(at));
	snprintf(ms, sizeof(ms), "%ld", st->execution_ms);
	params[0] = sd->name;
	params[1] = sd->checksum;
	params[2] = at;
	params[3] = ms;
	rc = dbw_conn_query(c, upsert, 4, params, &r, err);
	dbw_result_free(r);
	if (rc < 0)
		goto fail;
	rc = dbw_conn_commit(c, err);
	if (rc < 0)
		goto fail;
	st->applied = 1;
	return 0;
fail : {
	dbw_error ignored = DBW_ERROR_INIT;
	dbw_conn_rollback(c, &ignored);
	dbw_error_clear(&ignored);
	st->execution_ms = -1;
	explain_failure(sd, err);
	return rc;
}
}

int dbw_seed_run(dbw_conn *c, const dbw_env *env, const dbw_seed_set *set,
                 const dbw_seed_options *opts, dbw_seed_result **result_out, dbw_error *err)
{
	static const dbw_seed_options defaults = DBW_SEED_OPTIONS_INIT;
	dbw_seed_result *res = NULL;
	int exists = 0, locked = 0, rc;
	int64_t t0 = dbw_monotonic_ms();

	if (result_out)
		*result_out = NULL;
	if (!opts)
		opts = &defaults;
	res = calloc(1, sizeof(*res));
	if (!res || (set->count && !(res->steps = calloc(set->count, sizeof(*res->steps))))) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	res->count = set->count;
	res->dry_run = opts->dry_run;
	for (size_t i = 0; i < set->count; i++) {
		res->steps[i].seed = &set->items[i];
		res->steps[i].state = DBW_SEED_NEW;
		res->steps[i].execution_ms = -1;
	}
	/* The policy layer's guard replaces dbw_data_check once it lands. A dry
	 * run only reads, so it may look at a protected environment. */
	if (!opts->dry_run && (rc = dbw_data_check(env, c, DBW_DATA_SEED, opts->confirm, err)) < 0)
		goto done;
	if (!opts->dry_run && set->count) {
		rc = dbw_conn_lock(c, DBW_SEED_LOCK_KEY, 60000, err);
		if (rc < 0)
			goto done;
		locked = 1;
	}
	rc = read_recorded(c, res, &exists, err);
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < res->count; i++) {
		dbw_seed_step *st = &res->steps[i];
		st->run = opts->all || st->state != DBW_SEED_UNCHANGED;
		res->n_run += (size_t)st->run;
	}
	if (opts->dry_run || res->n_run == 0)
		goto done;
	if (!exists) {
		rc = dbw_conn_exec(
		    c, dbw_conn_kind(c) == DBW_DB_POSTGRES ? create_pg : create_sqlite, err);
		if (rc < 0)
			goto done;
	}
	for (size_t i = 0; i < res->count; i++) {
		if (!res->steps[i].run)
			continue;
		rc = apply_one(c, &res->steps[i], err);
		if (rc < 0)
			goto done;
		res->n_applied++;
	}
done:
	if (locked) {
		dbw_error ignored = DBW_ERROR_INIT;
		dbw_conn_unlock(c, DBW_SEED_LOCK_KEY, &ignored);
		dbw_error_clear(&ignored);
	}
	if (res)
		res->total_ms = (long)(dbw_monotonic_ms() - t0);
	if (result_out)
		*result_out = res;
	else
		dbw_seed_result_free(res);
	return rc;
}
