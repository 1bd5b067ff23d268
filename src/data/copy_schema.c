/*
 * copy_schema.c - is the target at the source's migration version? The two
 * history tables are compared (applied migrations and their checksums);
 * a target that is only behind can be brought forward with dbw_deploy.
 */
#include <stdlib.h>
#include <string.h>

#include "data/copy_internal.h"

typedef struct history {
	dbw_strv ids, sums; /* parallel: applied migrations, in version order */
	int exists;
} history;

static void history_free(history *h)
{
	dbw_strv_free(&h->ids);
	dbw_strv_free(&h->sums);
}

static int read_history(dbw_conn *c, history *h, dbw_error *err)
{
	dbw_result *r = NULL;
	const char *sql = NULL;
	int exists = 0, rc;
	if ((rc = dbw_conn_table_exists(c, "dbward_migrations", &exists, err)) < 0)
		return rc;
	if (exists) {
		sql = "select version, checksum from dbward_migrations where status = 'applied'";
	} else {
		if ((rc = dbw_conn_table_exists(c, "_prisma_migrations", &exists, err)) < 0)
			return rc;
		if (exists)
			sql = "select migration_name, checksum from _prisma_migrations "
			      "where finished_at is not null and rolled_back_at is null";
	}
	h->exists = exists;
	if (!sql)
		return 0;
	if ((rc = dbw_conn_query(c, sql, 0, NULL, &r, err)) < 0)
		return rc;
	for (size_t i = 0; i < dbw_result_rows(r); i++) {
		const char *sum = dbw_result_value(r, i, 1);
		if (dbw_strv_push(&h->ids, dbw_result_value(r, i, 0)) < 0 ||
		    dbw_strv_push(&h->sums, sum ? sum : "") < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			break;
		}
	}
	dbw_result_free(r);
	return rc;
}

static long find(const history *h, const char *id)
{
	for (size_t i = 0; i < h->ids.count; i++)
		if (strcmp(h->ids.items[i], id) == 0)
			return (long)i;
	return -1;
}

static char *newest(const history *h)
{
	const char *best = NULL;
	for (size_t i = 0; i < h->ids.count; i++)
		if (!best || dbw_version_cmp(h->ids.items[i], best) > 0)
			best = h->ids.items[i];
	return best ? dbw_strdup(best) : NULL;
}

void dbw_schema_check_free(dbw_schema_check *c)
{
	if (!c)
		return;
	free(c->source_version);
	free(c->target_version);
	free(c->difference);
	free(c);
}

int dbw_copy_schema_check(dbw_conn *src, dbw_conn *dst, dbw_schema_check **out, dbw_error *err)
{
	history hs = {DBW_STRV_INIT, DBW_STRV_INIT, 0}, ht = {DBW_STRV_INIT, DBW_STRV_INIT, 0};
	dbw_schema_check *c = calloc(1, sizeof(*c));
	dbw_buf why = DBW_BUF_INIT;
	int rc;
	*out = NULL;
	if (!c)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if ((rc = read_history(src, &hs, err)) < 0 || (rc = read_history(dst, &ht, err)) < 0)
		goto done;
	c->source_version = newest(&hs);
	c->target_version = newest(&ht);
	for (size_t i = 0; i < ht.ids.count; i++) {
		long at = find(&hs, ht.ids.items[i]);
		if (at < 0)
			dbw_buf_printf(&why,
			               "%sthe target has %s, which the source has not applied",
			               why.len ? "; " : "", ht.ids.items[i]);
		else if (strcmp(hs.sums.items[at], ht.sums.items[i]) != 0)
			dbw_buf_printf(&why, "%s%s has different checksums", why.len ? "; " : "",
			               ht.ids.items[i]);
	}
	for (size_t i = 0; i < hs.ids.count; i++)
		if (find(&ht, hs.ids.items[i]) < 0)
			c->n_missing++;
	if (why.len) {
		c->state = DBW_SCHEMA_DIFFERS;
		dbw_buf_putc(&why, '.');
		why.data[0] = (char)(why.data[0] == 't' ? 'T' : why.data[0]);
		c->difference = dbw_buf_detach(&why);
	} else if (c->n_missing) {
		c->state = DBW_SCHEMA_BEHIND;
		c->difference =
		    dbw_sprintf("The target lacks %zu migration%s the source has applied "
		                "(source at %s, target at %s).",
		                c->n_missing, c->n_missing == 1 ? "" : "s", c->source_version,
		                c->target_version ? c->target_version : "none");
	}
done:
	dbw_buf_free(&why);
	history_free(&hs);
	history_free(&ht);
	if (rc < 0) {
		dbw_schema_check_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int refuse(const dbw_schema_check *c, dbw_error *err)
{
	if (c->state == DBW_SCHEMA_BEHIND) {
		dbw_error_set(err, DBW_EPENDING, "target is behind the source's migration version");
		dbw_error_detail(err, "%s", c->difference);
		dbw_error_hint(err,
		               "Run the copy with --deploy to deploy the missing migrations to "
		               "the target first.");
		return DBW_EPENDING;
	}
	dbw_error_set(err, DBW_EDRIFT, "target's migration history differs from the source's");
	dbw_error_detail(err, "%s", c->difference ? c->difference : "The histories differ.");
	dbw_error_hint(err, "Bring both environments to the same migrations (dbward status on "
	                    "each) before copying.");
	return DBW_EDRIFT;
}

int dbw_copy_schema_sync(dbw_conn *src, dbw_conn *dst, const dbw_migration_set *set,
                         dbw_schema_check **out, size_t *deployed_out, dbw_error *err)
{
	dbw_schema_check *c = NULL;
	dbw_deploy_result *dr = NULL;
	int rc;
	if (out)
		*out = NULL;
	if (deployed_out)
		*deployed_out = 0;
	if ((rc = dbw_copy_schema_check(src, dst, &c, err)) < 0)
		return rc;
	if (c->state == DBW_SCHEMA_BEHIND && set) {
		dbw_deploy_options opts = DBW_DEPLOY_OPTIONS_INIT;
		opts.to = c->source_version;
		rc = dbw_deploy(dst, set, &opts, &dr, err);
		if (deployed_out && dr)
			*deployed_out = dr->n_applied;
		dbw_deploy_result_free(dr);
		if (rc < 0)
			goto done;
		dbw_schema_check_free(c);
		c = NULL;
		if ((rc = dbw_copy_schema_check(src, dst, &c, err)) < 0)
			goto done;
	}
	if (c->state != DBW_SCHEMA_SAME)
		rc = refuse(c, err);
done:
	if (out && c) {
		*out = c;
		c = NULL;
	}
	dbw_schema_check_free(c);
	return rc;
}
