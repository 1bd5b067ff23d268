/*
 * status.c - the folder against the history: which migrations are applied,
 * pending, failed, modified (or only cosmetically edited) and missing.
 */
#include <stdlib.h>
#include <string.h>

#include "migrate/history.h"
#include "util/util.h"

const char *dbw_mstate_name(dbw_mstate s)
{
	switch (s) {
	case DBW_M_PENDING:
		return "pending";
	case DBW_M_APPLIED:
		return "applied";
	case DBW_M_COSMETIC:
		return "cosmetic";
	case DBW_M_MODIFIED:
		return "modified";
	case DBW_M_FAILED:
		return "failed";
	case DBW_M_MISSING:
		return "missing";
	}
	return "unknown";
}

void dbw_status_free(dbw_status *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		free(s->items[i].version);
		free(s->items[i].name);
		free(s->items[i].id);
		free(s->items[i].applied_at);
		free(s->items[i].error);
	}
	free(s->items);
	free(s->history_table);
	free(s);
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_key_str(const void *key, const void *b)
{
	return strcmp((const char *)key, *(const char *const *)b);
}

static dbw_status_item *push(dbw_status *s)
{
	dbw_status_item *items = realloc(s->items, (s->count + 1) * sizeof(*items));
	if (!items)
		return NULL;
	s->items = items;
	memset(&items[s->count], 0, sizeof(*items));
	items[s->count].execution_ms = -1;
	return &items[s->count++];
}

/* Edited after it was applied: cosmetic when the parse trees still match. */
static dbw_mstate classify_edit(dbw_conn *c, const dbw_migration *m, const dbw_hrow *row)
{
	char fp[65];
	dbw_error ignored = DBW_ERROR_INIT;
	dbw_mstate st = DBW_M_MODIFIED;
	if (row->fingerprint &&
	    dbw_sql_fingerprint(dbw_conn_kind(c), m->content, m->content_len, fp, &ignored) == 0 &&
	    strcmp(fp, row->fingerprint) == 0)
		st = DBW_M_COSMETIC;
	dbw_error_clear(&ignored);
	return st;
}

int dbw_status_build(dbw_status **out, dbw_conn *c, const dbw_migration_set *set, dbw_error *err)
{
	dbw_status *s = calloc(1, sizeof(*s));
	dbw_history h;
	const char *newest_applied = NULL;
	const char **ids = NULL;
	int prisma = dbw_history__is_prisma(set), rc;

	*out = NULL;
	if (!s)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	rc = dbw_history__load(c, prisma, &h, err);
	if (rc < 0) {
		free(s);
		return rc;
	}
	s->format = set->format;
	s->history_table = strdup(prisma ? DBW_PRISMA_TABLE : DBW_HISTORY_TABLE);
	s->history_exists = h.exists;

	for (size_t i = 0; i < set->count; i++) {
		const dbw_migration *m = &set->items[i];
		const dbw_hrow *row = dbw_history__find(&h, m->id);
		dbw_status_item *it = push(s);
		if (!it)
			goto oom;
		it->migration = m;
		it->version = strdup(m->version);
		it->name = strdup(m->name);
		it->id = strdup(m->id);
		if (!row || (row->state == DBW_H_ROLLED_BACK && !row->logs)) {
			it->state = DBW_M_PENDING;
		} else if (row->state == DBW_H_APPLIED) {
			it->state = dbw_migration_checksum_matches(m, set->format, row->checksum)
			                ? DBW_M_APPLIED
			                : classify_edit(c, m, row);
			it->applied_at = dbw_strdup(row->applied_at);
			it->execution_ms = row->execution_ms;
			if (!newest_applied || dbw_version_cmp(m->version, newest_applied) > 0)
				newest_applied = m->version;
		} else {
			it->state = DBW_M_FAILED;
			it->needs_resolve = row->state == DBW_H_FAILED;
			it->applied_at = dbw_strdup(row->applied_at);
			it->error = dbw_strdup(row->logs);
		}
	}
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].state == DBW_M_PENDING && newest_applied &&
		    dbw_version_cmp(s->items[i].version, newest_applied) < 0)
			s->items[i].out_of_order = 1;

	/* The folder's ids, sorted, to find history rows whose file is gone. */
	ids = malloc((set->count ? set->count : 1) * sizeof(*ids));
	if (!ids)
		goto oom;
	for (size_t i = 0; i < set->count; i++)
		ids[i] = set->items[i].id;
	qsort(ids, set->count, sizeof(*ids), cmp_str_ptr);
	for (size_t i = 0; i < h.count; i++) {
		const dbw_hrow *row = &h.rows[i];
		dbw_status_item *it;
		if (row->state == DBW_H_ROLLED_BACK ||
		    bsearch(row->id, ids, set->count, sizeof(*ids), cmp_key_str) ||
		    dbw_migrations_find(set, row->id))
			continue;
		it = push(s);
		if (!it)
			goto oom;
		it->state = DBW_M_MISSING;
		it->id = strdup(row->id);
		it->version = strdup(row->id);
		it->name = strdup("");
		it->applied_at = dbw_strdup(row->applied_at);
		it->needs_resolve = row->state == DBW_H_FAILED;
		it->error = dbw_strdup(row->logs);
	}
	for (size_t i = 0; i < s->count; i++) {
		switch (s->items[i].state) {
		case DBW_M_PENDING:
			s->n_pending++;
			break;
		case DBW_M_APPLIED:
			s->n_applied++;
			break;
		case DBW_M_COSMETIC:
			s->n_cosmetic++;
			s->n_applied++;
			break;
		case DBW_M_MODIFIED:
			s->n_modified++;
			s->n_applied++;
			break;
		case DBW_M_FAILED:
			s->n_failed++;
			break;
		case DBW_M_MISSING:
			s->n_missing++;
			break;
		}
	}
	dbw_history__free(&h);
	free(ids);
	*out = s;
	return 0;
oom:
	free(ids);
	dbw_history__free(&h);
	dbw_status_free(s);
	return dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

int dbw_status_code(const dbw_status *s, int pending_is_error)
{
	if (s->n_failed || s->n_modified || s->n_missing)
		return DBW_EHISTORY;
	if (pending_is_error && s->n_pending)
		return DBW_EPENDING;
	return 0;
}
