/*
 * script.c - running a SQL script (a seed) statement by statement inside the
 * caller's transaction, so that an error can be placed at file:line: the
 * driver reports an offset into the statement it was given, and this file
 * adds the statement's offset in the file.
 */
#include <stdlib.h>
#include <string.h>

#include "data/data_int.h"
#include "util/util.h"

const char *const dbw_data__kept_tables[] = {"dbward_migrations", "_prisma_migrations",
                                             "dbward_seeds",      "dbward_environment",
                                             "dbward_audit",      NULL};

int dbw_data__is_kept(const char *name)
{
	for (size_t i = 0; dbw_data__kept_tables[i]; i++)
		if (strcmp(dbw_data__kept_tables[i], name) == 0)
			return 1;
	return 0;
}

static void set_where(dbw_error *err, const char *rel_path, const char *text, size_t len,
                      size_t offset)
{
	int line = 1, col = 1;
	dbw_text_position(text, len, offset, &line, &col);
	dbw_error_where(err, "%s:%d:%d", rel_path, line, col);
}

int dbw_data__exec_script(dbw_conn *c, const char *rel_path, const char *text, size_t len,
                          dbw_error *err)
{
	dbw_stmt *stmts = NULL;
	size_t n = 0;
	dbw_error parse_err = DBW_ERROR_INIT;
	char *sql = NULL;
	int rc;

	rc = dbw_sql_split(dbw_conn_kind(c), text, len, &stmts, &n, &parse_err);
	if (rc < 0) {
		dbw_error_set(err, rc, "could not split \"%s\" into statements", rel_path);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const dbw_stmt *s = &stmts[i];
		if (s->flags & DBW_STMT_EMPTY)
			continue;
		if (s->flags & (DBW_STMT_TXN_CONTROL | DBW_STMT_NO_TXN)) {
			rc = dbw_error_set(err, DBW_EINPUT,
			                   "seed \"%s\" has a statement that cannot run "
			                   "inside its transaction",
			                   rel_path);
			dbw_error_detail(
			    err,
			    "Each seed runs in one transaction with its tracking "
			    "row; %s.",
			    (s->flags & DBW_STMT_TXN_CONTROL)
			        ? "BEGIN, COMMIT and ROLLBACK would end it early"
			        : "this statement refuses to run inside a transaction");
			dbw_error_hint(err, "Remove the statement, or move it into a migration.");
			set_where(err, rel_path, text, len, s->offset);
			goto done;
		}
		free(sql);
		sql = dbw_strndup(text + s->offset, s->length);
		if (!sql) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		rc = dbw_conn_exec(c, sql, err);
		if (rc < 0) {
			size_t at = s->offset;
			if (err && err->offset >= 0 && (size_t)err->offset <= s->length)
				at += (size_t)err->offset;
			if (err)
				err->offset = (long)at;
			set_where(err, rel_path, text, len, at);
			goto done;
		}
	}
	rc = 0;
done:
	free(sql);
	free(stmts);
	dbw_error_clear(&parse_err);
	return rc;
}

int dbw_data__query_value(dbw_conn *c, const char *sql, size_t nparams, const char *const *params,
                          char **out, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc;
	*out = NULL;
	rc = dbw_conn_query(c, sql, nparams, params, &r, err);
	if (rc < 0)
		return rc;
	if (dbw_result_rows(r) > 0 && dbw_result_cols(r) > 0 && dbw_result_value(r, 0, 0)) {
		*out = dbw_strdup(dbw_result_value(r, 0, 0));
		if (!*out)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_result_free(r);
	return rc;
}
