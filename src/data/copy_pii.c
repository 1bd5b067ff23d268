/*
 * copy_pii.c - the PII guard over a live database: every column whose name
 * or type looks personal (sanitize_pii.c) and that no rule covers.
 */
#include <stdlib.h>
#include <string.h>

#include "data/copy_internal.h"

void dbw_pii_report_free(dbw_pii_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].schema);
		free(r->items[i].table);
		free(r->items[i].column);
		free(r->items[i].type);
	}
	free(r->items);
	free(r);
}

int dbw_pii__report(const dbw_catalog *cat, const size_t *sel, size_t n, const dbw_rules *rules,
                    dbw_pii_report **out, dbw_error *err)
{
	dbw_pii_report *rep = calloc(1, sizeof(*rep));
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	if (!rep)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const dbw_ctable *t = &cat->tables[sel[i]];
		if (dbw_rules_skips(rules, t->schema, t->name))
			continue;
		rep->n_tables++;
		for (size_t k = 0; k < t->ncols; k++) {
			const char *why = dbw_pii_reason(t->cols[k].name, t->cols[k].type);
			dbw_pii_finding *f;
			rep->n_columns++;
			if (!why || dbw_rules_find(rules, t->schema, t->name, t->cols[k].name))
				continue;
			if (rep->count == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				dbw_pii_finding *items = realloc(rep->items, ncap * sizeof(*items));
				if (!items) {
					rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
					goto done;
				}
				rep->items = items;
				cap = ncap;
			}
			f = &rep->items[rep->count++];
			f->schema = dbw_strdup(t->schema);
			f->table = dbw_strdup(t->name);
			f->column = dbw_strdup(t->cols[k].name);
			f->type = dbw_strdup(t->cols[k].type);
			f->reason = why;
			if (!f->schema || !f->table || !f->column || !f->type) {
				rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
done:
	if (rc < 0) {
		dbw_pii_report_free(rep);
		return rc;
	}
	*out = rep;
	return 0;
}

int dbw_pii_check(dbw_conn *c, const dbw_rules *rules, const char *tables, dbw_pii_report **out,
                  dbw_error *err)
{
	dbw_catalog *cat = NULL;
	size_t *sel = NULL, n = 0;
	int rc;
	*out = NULL;
	if ((rc = dbw_catalog__load(c, &cat, err)) < 0)
		goto done;
	if ((rc = dbw_catalog__select(cat, tables, &sel, &n, err)) < 0)
		goto done;
	rc = dbw_pii__report(cat, sel, n, rules, out, err);
done:
	free(sel);
	dbw_catalog__free(cat);
	return rc;
}
