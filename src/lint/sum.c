/*
 * sum.c - dbward.sum: render, write and verify the integrity file beside
 * the migrations (format and rules in include/dbward/sum.h).
 */
#include <stdlib.h>
#include <string.h>

#include <dbward/sum.h>
#include "util/util.h"

static const char header[] = "# dbward.sum - regenerate with `dbward sum`; do not edit\n";

const char *dbw_sum_kind_name(dbw_sum_kind k)
{
	switch (k) {
	case DBW_SUM_EDITED:
		return "edited";
	case DBW_SUM_COSMETIC:
		return "cosmetic";
	case DBW_SUM_DELETED:
		return "deleted";
	case DBW_SUM_ADDED:
		return "added";
	case DBW_SUM_OUT_OF_ORDER:
		return "out-of-order";
	case DBW_SUM_DAMAGED:
		return "damaged";
	}
	return "?";
}

static void fingerprint(const dbw_migration *m, dbw_db_kind dialect, char out[65])
{
	dbw_error e = DBW_ERROR_INIT;
	if (dbw_sql_fingerprint(dialect == DBW_DB_SQLITE ? DBW_DB_SQLITE : DBW_DB_POSTGRES,
	                        m->content, m->content_len, out, &e) != 0)
		strcpy(out, "-");
	dbw_error_clear(&e);
}

/* The running total: SHA-256 over the ordered "id checksum\n" lines. */
static int total_of(dbw_buf *lines, char out[65])
{
	if (lines->oom)
		return DBW_ENOMEM;
	dbw_sha256_hex(dbw_buf_cstr(lines), lines->len, out);
	return 0;
}

int dbw_sum_render(const dbw_migration_set *set, dbw_db_kind dialect, char **text_out,
                   dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT, pairs = DBW_BUF_INIT;
	char total[65];
	*text_out = NULL;
	dbw_buf_puts(&b, header);
	for (size_t i = 0; i < set->count; i++) {
		const dbw_migration *m = &set->items[i];
		char fp[65];
		fingerprint(m, dialect, fp);
		dbw_buf_printf(&b, "%s %s %s\n", m->id, m->checksum, fp);
		dbw_buf_printf(&pairs, "%s %s\n", m->id, m->checksum);
	}
	if (total_of(&pairs, total) || b.oom) {
		dbw_buf_free(&b);
		dbw_buf_free(&pairs);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	dbw_buf_printf(&b, "total %s\n", total);
	dbw_buf_free(&pairs);
	*text_out = dbw_buf_detach(&b);
	return *text_out ? 0 : dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

int dbw_sum_write(const dbw_migration_set *set, dbw_db_kind dialect, char **path_out,
                  dbw_error *err)
{
	char *text = NULL, *path = dbw_path_join(set->dir, DBW_SUM_FILE);
	int rc;
	if (path_out)
		*path_out = NULL;
	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if ((rc = dbw_sum_render(set, dialect, &text, err)) == 0)
		rc = dbw_file_write(path, text, strlen(text), 0644, err);
	free(text);
	if (rc == 0 && path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

void dbw_sum_report_free(dbw_sum_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].id);
		free(r->items[i].file);
		free(r->items[i].message);
	}
	free(r->items);
	free(r->path);
	free(r);
}

static int add_change(dbw_sum_report *r, dbw_sum_kind kind, const char *id, const char *file,
                      int line, char *message)
{
	dbw_sum_change *n = realloc(r->items, (r->count + 1) * sizeof(*n));
	if (!n || !message) {
		free(message);
		if (n)
			r->items = n;
		return DBW_ENOMEM;
	}
	r->items = n;
	n = &r->items[r->count++];
	n->kind = kind;
	n->id = id ? dbw_strdup(id) : NULL;
	n->file = file ? dbw_strdup(file) : NULL;
	n->line = line;
	n->message = message;
	return 0;
}

typedef struct recorded {
	char *id, *checksum, *fp;
	int line;
} recorded;

static const dbw_migration *find_id(const dbw_migration_set *set, const char *id)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->items[i].id, id) == 0)
			return &set->items[i];
	return NULL;
}

/* Parse the file into recorded lines; damage goes to the report. */
static int parse_sum(char *data, recorded **rec_out, size_t *n_out, dbw_sum_report *r)
{
	recorded *rec = NULL;
	size_t n = 0;
	int lineno = 0, rc = 0, conflict = 0;
	char *total = NULL, *line = data;
	dbw_buf pairs = DBW_BUF_INIT;
	char want[65];

	while (line && *line && !rc) {
		char *nl = strchr(line, '\n'), *f[4] = {NULL, NULL, NULL, NULL};
		int nf = 0;
		lineno++;
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "<<<<<<<", 7) || !strncmp(line, "=======", 7) ||
		    !strncmp(line, ">>>>>>>", 7)) {
			if (!conflict++)
				rc = add_change(
				    r, DBW_SUM_DAMAGED, NULL, r->path, lineno,
				    dbw_sprintf("%s has merge conflict markers: two branches "
				                "changed the migrations",
				                DBW_SUM_FILE));
		} else if (*line && *line != '#') {
			for (char *tok = strtok(line, " \t\r"); tok && nf < 4;
			     tok = strtok(NULL, " \t\r"))
				f[nf++] = tok;
			if (nf == 2 && strcmp(f[0], "total") == 0) {
				total = f[1];
			} else if (nf == 3 && strlen(f[1]) == 64) {
				recorded *m = realloc(rec, (n + 1) * sizeof(*m));
				if (!m) {
					rc = DBW_ENOMEM;
					break;
				}
				rec = m;
				rec[n].id = f[0];
				rec[n].checksum = f[1];
				rec[n].fp = f[2];
				rec[n].line = lineno;
				n++;
				dbw_buf_printf(&pairs, "%s %s\n", f[0], f[1]);
			} else {
				rc = add_change(r, DBW_SUM_DAMAGED, NULL, r->path, lineno,
				                dbw_sprintf("line %d of %s is not \"id checksum "
				                            "fingerprint\"",
				                            lineno, DBW_SUM_FILE));
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!rc && total_of(&pairs, want))
		rc = DBW_ENOMEM;
	if (!rc && !conflict && (!total || strcmp(total, want)))
		rc = add_change(
		    r, DBW_SUM_DAMAGED, NULL, r->path, 0,
		    dbw_sprintf(total ? "the total of %s does not match its lines: it was "
		                        "edited by hand or merged"
		                      : "%s has no total line",
		                DBW_SUM_FILE));
	dbw_buf_free(&pairs);
	*rec_out = rec;
	*n_out = n;
	return rc;
}

int dbw_sum_verify(const dbw_migration_set *set, dbw_db_kind dialect, dbw_sum_report **out,
                   dbw_error *err)
{
	dbw_sum_report *r = calloc(1, sizeof(*r));
	recorded *rec = NULL;
	size_t n = 0;
	char *data = NULL;
	size_t len;
	int rc = 0;

	if (out)
		*out = NULL;
	if (!r || !(r->path = dbw_path_join(set->dir, DBW_SUM_FILE))) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (!dbw_path_exists(r->path)) {
		rc = dbw_error_set(err, DBW_ENOTFOUND, "no %s in \"%s\"", DBW_SUM_FILE, set->dir);
		dbw_error_hint(err,
		               "Run \"dbward sum\" to record the migrations, and commit the file.");
		goto done;
	}
	if ((rc = dbw_file_read(r->path, &data, &len, err)) != 0)
		goto done;
	if ((rc = parse_sum(data, &rec, &n, r)) != 0)
		goto oom;
	/* recorded migrations: deleted, edited, cosmetic */
	for (size_t i = 0; i < n; i++) {
		const dbw_migration *m = find_id(set, rec[i].id);
		char fp[65];
		if (!m) {
			rc = add_change(r, DBW_SUM_DELETED, rec[i].id, NULL, rec[i].line,
			                dbw_sprintf("migration \"%s\" was deleted", rec[i].id));
		} else if (strcmp(m->checksum, rec[i].checksum)) {
			fingerprint(m, dialect, fp);
			int cosmetic = strcmp(fp, "-") && strcmp(fp, rec[i].fp) == 0;
			rc = add_change(r, cosmetic ? DBW_SUM_COSMETIC : DBW_SUM_EDITED, m->id,
			                m->rel_path ? m->rel_path : m->path, rec[i].line,
			                dbw_sprintf(cosmetic
			                                ? "migration \"%s\" was edited (cosmetic: "
			                                  "whitespace or comments only)"
			                                : "migration \"%s\" was edited",
			                            m->id));
		}
		if (rc)
			goto oom;
	}
	/* migrations not recorded: added (out of order when older than a recorded one) */
	for (size_t i = 0; i < set->count; i++) {
		const dbw_migration *m = &set->items[i];
		int known = 0, older = 0;
		for (size_t k = 0; k < n; k++) {
			if (strcmp(rec[k].id, m->id) == 0)
				known = 1;
			else if (find_id(set, rec[k].id) &&
			         dbw_version_cmp(find_id(set, rec[k].id)->version, m->version) > 0)
				older = 1;
		}
		if (known)
			continue;
		rc = add_change(
		    r, older ? DBW_SUM_OUT_OF_ORDER : DBW_SUM_ADDED, m->id,
		    m->rel_path ? m->rel_path : m->path, 0,
		    dbw_sprintf(older ? "migration \"%s\" was added before migrations "
		                        "already recorded"
		                      : "migration \"%s\" is not recorded in " DBW_SUM_FILE,
		                m->id));
		if (rc)
			goto oom;
	}
	if (r->count) {
		const dbw_sum_change *c = &r->items[0];
		rc = dbw_error_set(err, DBW_EHISTORY, "%s", c->message);
		if (r->count > 1)
			dbw_error_detail(err, "%s finds %zu changes; the first is shown.",
			                 DBW_SUM_FILE, r->count);
		switch (c->kind) {
		case DBW_SUM_COSMETIC:
			dbw_error_detail(err, "Only whitespace or comments changed: the parse tree "
			                      "is the same.");
			dbw_error_hint(err, "Restore the committed file, or run \"dbward sum\" to "
			                    "accept the cosmetic edit.");
			break;
		case DBW_SUM_EDITED:
		case DBW_SUM_DELETED:
			dbw_error_hint(err, "Restore the migration as committed and put the change "
			                    "in a new migration.");
			break;
		case DBW_SUM_ADDED:
			dbw_error_hint(err, "Run \"dbward sum\" and commit dbward.sum with the new "
			                    "migration.");
			break;
		case DBW_SUM_OUT_OF_ORDER:
		case DBW_SUM_DAMAGED:
			dbw_error_hint(err, "Two branches added migrations: give the newer one a "
			                    "later version if needed, check the order, then run "
			                    "\"dbward sum\".");
			break;
		}
		if (c->kind == DBW_SUM_DELETED || c->kind == DBW_SUM_DAMAGED) {
			if (c->line)
				dbw_error_where(err, "%s:%d", r->path, c->line);
			else
				dbw_error_where(err, "%s", r->path);
		} else if (c->file) {
			dbw_error_where(err, "%s", c->file);
		}
	}
	goto done;
oom:
	rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
done:
	free(rec);
	free(data);
	if (out && r && (rc == 0 || rc == DBW_EHISTORY))
		*out = r;
	else
		dbw_sum_report_free(r);
	return rc;
}
