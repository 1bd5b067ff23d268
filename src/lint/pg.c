/*
 * pg.c - the PostgreSQL rules, read from libpg_query's parse tree (the
 * PostgreSQL 15 parser, as JSON through jansson). Owns: parsing a file
 * (whole, then statement by statement when the whole is rejected so that a
 * parse error does not hide the rest), the per-file state that makes a
 * pattern safe (tables created in this file, the copy-rename-drop table
 * redefinition, the enum redefinition, a validated IS NOT NULL check,
 * SET lock_timeout, an open BEGIN), and one handler per statement kind.
 * Lock levels come from https://www.postgresql.org/docs/15/explicit-locking.html
 * and the ALTER TABLE reference.
 */
#include <strings.h>
#include <pg_query.h>

#include "pg_internal.h"

/* DW213: data changed in a table this migration's transaction holds ACCESS EXCLUSIVE on. */
static int backfill_under_lock(pgf *p, const char *t, const char *what, dbw_error *err)
{
	if (!t || !dbw_strv_contains(&p->locked, t) || dbw_strv_contains(&p->backfilled, t))
		return 0;
	if (dbw_strv_push(&p->backfilled, t))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return report(
	    p, "DW213", t, err,
	    "%s of \"%s\" runs while this migration holds an ACCESS EXCLUSIVE lock on it: "
	    "reads and writes wait for the whole data change",
	    what, t);
}

static int on_insert(pgf *p, json_t *s, dbw_error *err)
{
	const char *t = relname(json_object_get(s, "relation"));
	int rc;
	if (!t)
		return 0;
	if (json_object_get(s, "selectStmt") &&
	    (rc = backfill_under_lock(p, t, "INSERT", err)) != 0)
		return rc;
	if ((p->f->flags & DBW_LINT_SEED) && !json_object_get(s, "onConflictClause"))
		return report(p, "DW401", t, err,
		              "seed INSERT into \"%s\" has no ON CONFLICT: re-running the seed "
		              "duplicates or fails%s",
		              t, "");
	return 0;
}

/* Pre-pass: INSERT INTO dst SELECT ... FROM src and table renames, for copy-rename-drop. */
static int prepass(pgf *p, json_t *stmts)
{
	json_t *st, *in, *sel, *fl, *f, *fin;
	size_t i, j;
	json_array_foreach(stmts, i, st)
	{
		const char *k = node(json_object_get(st, "stmt"), &in);
		if (strcmp(k, "InsertStmt") == 0) {
			const char *dst = relname(json_object_get(in, "relation"));
			if (!dst ||
			    strcmp(node(json_object_get(in, "selectStmt"), &sel), "SelectStmt"))
				continue;
			fl = json_object_get(sel, "fromClause");
			json_array_foreach(fl, j, f)
			{
				const char *src;
				if (strcmp(node(f, &fin), "RangeVar") || !(src = relname(fin)))
					continue;
				if (pair_push(&p->copies, src, dst))
					return DBW_ENOMEM;
			}
		} else if (strcmp(k, "RenameStmt") == 0 &&
		           strcmp(jstr(in, "renameType") ? jstr(in, "renameType") : "",
		                  "OBJECT_TABLE") == 0) {
			const char *t = relname(json_object_get(in, "relation"));
			if (t && jstr(in, "newname") &&
			    pair_push(&p->renames, t, jstr(in, "newname")))
				return DBW_ENOMEM;
		}
	}
	return 0;
}

static int has_defelem(json_t *list, const char *name)
{
	json_t *d, *in;
	size_t i;
	json_array_foreach(list, i, d)
	{
		if (strcmp(node(d, &in), "DefElem") == 0 && jstr(in, "defname") &&
		    strcasecmp(jstr(in, "defname"), name) == 0)
			return 1;
	}
	return 0;
}

/*
 * DW004. PostgreSQL keeps identifiers to NAMEDATALEN - 1 = 63 bytes: its
 * scanner truncates a longer one with only a NOTICE, so the parse tree holds
 * the cut name. A defined name of exactly 63 bytes is therefore looked up in
 * the statement's own text: when the text spells it longer there, it was
 * truncated (two such names that share 63 bytes collide, and the ORM that
 * wrote the long name no longer finds it).
 */
static int is_ident_byte(unsigned char c)
{
	return c >= 0x80 || c == '_' || c == '$' || (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int check_name(pgf *p, const char *name, dbw_error *err)
{
	const char *text = p->f->content + p->so, *end = text + p->sl;
	size_t n = name ? strlen(name) : 0;
	if (n != 63)
		return 0;
	for (const char *t = text; t + n < end; t++) {
		size_t full = n;
		if (strncasecmp(t, name, n) != 0 ||
		    (t > text && is_ident_byte((unsigned char)t[-1]) && t[-1] != '"'))
			continue;
		if (t > text && t[-1] == '"') {
			while (t + full < end && t[full] != '"')
				full++;
		} else {
			while (t + full < end && is_ident_byte((unsigned char)t[full]))
				full++;
		}
		if (full > n)
			return dbw_lint__report(
			    p->f, "DW004", (size_t)(t - p->f->content), p->so, p->sl, NULL, NULL,
			    err,
			    "name \"%.*s\" is %zu bytes: PostgreSQL truncates it to "
			    "63 (\"%s\")",
			    (int)full, t, full, name);
	}
	return 0;
}

static int check_names(pgf *p, json_t *n, dbw_error *err)
{
	static const char *const defining[] = {"idxname", "conname", "colname", "newname", NULL};
	const char *k;
	json_t *v;
	size_t i;
	int rc;
	if (json_is_array(n)) {
		json_array_foreach(n, i, v)
		{
			if ((rc = check_names(p, v, err)) != 0)
				return rc;
		}
		return 0;
	}
	if (!json_is_object(n))
		return 0;
	json_object_foreach(n, k, v)
	{
		for (i = 0; defining[i]; i++)
			if (strcmp(k, defining[i]) == 0 &&
			    (rc = check_name(p, json_string_value(v), err)) != 0)
				return rc;
		if ((rc = check_names(p, v, err)) != 0)
			return rc;
	}
	return 0;
}

static int check_defined_names(pgf *p, const char *k, json_t *s, dbw_error *err)
{
	int rc = 0;
	if (strcmp(k, "CreateStmt") == 0)
		rc = check_name(p, relname(json_object_get(s, "relation")), err);
	else if (strcmp(k, "CreateEnumStmt") == 0)
		rc = check_name(p, last_name(json_object_get(s, "typeName")), err);
	if (rc || (strcmp(k, "CreateStmt") && strcmp(k, "AlterTableStmt") &&
	           strcmp(k, "IndexStmt") && strcmp(k, "RenameStmt")))
		return rc;
	return check_names(p, s, err);
}

static int on_stmt(pgf *p, json_t *stmt, dbw_error *err)
{
	json_t *s;
	const char *k = node(stmt, &s);
	const char *t;
	int rc = 0;

	if ((rc = check_defined_names(p, k, s, err)) != 0)
		return rc;

	if (strcmp(k, "CreateStmt") == 0)
		return dbw_lint__pg_create(p, s, err);
	if (strcmp(k, "CreateTableAsStmt") == 0) {
		json_t *into = json_object_get(s, "into");
		t = relname(json_object_get(into, "rel"));
		if (t && (dbw_strv_push(&p->created, t) ||
		          dbw_lint__model_add_table(&p->f->l->model, t)))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "AlterTableStmt") == 0)
		return dbw_lint__pg_alter(p, s, err);
	if (strcmp(k, "IndexStmt") == 0) {
		const char *idx = jstr(s, "idxname");
		t = relname(json_object_get(s, "relation"));
		if (idx && (dbw_strv_push(&p->indexes, idx) ||
		            (t && dbw_lint__model_add_index(&p->f->l->model, idx, t))))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		if (jbool(s, "concurrent")) {
			if (p->in_txn)
				rc = report(
				    p, "DW202", t, err,
				    "CREATE INDEX CONCURRENTLY on \"%s\" inside a transaction "
				    "block fails%s",
				    t, "");
		} else if (t && !is_new(p, t)) {
			rc = report(
			    p, "DW201", t, err,
			    "CREATE INDEX on existing table \"%s\" without CONCURRENTLY blocks "
			    "writes for the whole build%s",
			    t, "");
		}
		return rc;
	}
	if (strcmp(k, "DropStmt") == 0) {
		if (jbool(s, "concurrent") && p->in_txn)
			rc = report(p, "DW202", NULL, err,
			            "DROP INDEX CONCURRENTLY inside a transaction block fails%s%s",
			            NULL, NULL);
		return rc ? rc : dbw_lint__pg_drop(p, s, err);
	}
	if (strcmp(k, "DropdbStmt") == 0)
		return report(p, "DW103", NULL, err, "database \"%s\" is dropped%s",
		              jstr(s, "dbname"), "");
	if (strcmp(k, "RenameStmt") == 0)
		return dbw_lint__pg_rename(p, s, err);
	if (strcmp(k, "TruncateStmt") == 0) {
		json_t *r, *in;
		size_t i;
		json_array_foreach(json_object_get(s, "relations"), i, r)
		{
			if (strcmp(node(r, &in), "RangeVar") || !(t = relname(in)) || is_new(p, t))
				continue;
			if ((rc = access_exclusive(p, t, "TRUNCATE", err)) != 0 ||
			    (rc = report(p, "DW104", t, err, "table \"%s\" is truncated%s", t, "")))
				return rc;
		}
		return 0;
	}
	if (strcmp(k, "DeleteStmt") == 0 || strcmp(k, "UpdateStmt") == 0) {
		int del = k[0] == 'D';
		t = relname(json_object_get(s, "relation"));
		if ((rc = backfill_under_lock(p, t, del ? "DELETE" : "UPDATE", err)) != 0)
			return rc;
		if (!t || is_new(p, t) || json_object_get(s, "whereClause"))
			return 0;
		return report(p, del ? "DW105" : "DW106", t, err,
		              del ? "DELETE without WHERE removes every row of \"%s\"%s"
		                  : "UPDATE without WHERE rewrites every row of \"%s\"%s",
		              t, "");
	}
	if (strcmp(k, "InsertStmt") == 0)
		return on_insert(p, s, err);
	if (strcmp(k, "CreateEnumStmt") == 0)
		return dbw_lint__pg_create_enum(p, s, err);
	if (strcmp(k, "CompositeTypeStmt") == 0) {
		t = relname(json_object_get(s, "typevar"));
		if (t && dbw_strv_push(&p->types, t))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "AlterEnumStmt") == 0) {
		const char *name = last_name(json_object_get(s, "typeName"));
		const char *nv = jstr(s, "newVal");
		dbw_lint_enum *e = name ? dbw_lint__model_enum(&p->f->l->model, name) : NULL;
		if (e && nv && !jstr(s, "oldVal") && dbw_strv_push(&e->values, nv))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "AlterDomainStmt") == 0) {
		/* ADD CONSTRAINT on a domain checks every column of that domain, under lock */
		json_t *in;
		const char *dom = last_name(json_object_get(s, "typeName"));
		if (strcmp(jstr(s, "subtype") ? jstr(s, "subtype") : "", "C") == 0 &&
		    strcmp(node(json_object_get(s, "def"), &in), "Constraint") == 0 &&
		    !jbool(in, "skip_validation") && dom && !dbw_strv_contains(&p->types, dom))
			return report(p, "DW203", NULL, err,
			              "constraint added to domain \"%s\" without NOT VALID: every "
			              "column of the domain is checked under lock%s",
			              dom, "");
		return 0;
	}
	if (strcmp(k, "CreateDomainStmt") == 0) {
		const char *dom = last_name(json_object_get(s, "domainname"));
		if (dom && dbw_strv_push(&p->types, dom))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(k, "VacuumStmt") == 0) {
		if (jbool(s, "is_vacuumcmd") && has_defelem(json_object_get(s, "options"), "full"))
			return report(
			    p, "DW208", NULL, err,
			    "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock%s%s",
			    NULL, NULL);
		return 0;
	}
	if (strcmp(k, "ClusterStmt") == 0)
		return report(p, "DW208", relname(json_object_get(s, "relation")), err,
		              "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock%s%s", NULL,
		              NULL);
	if (strcmp(k, "ReindexStmt") == 0) {
		if (!has_defelem(json_object_get(s, "params"), "concurrently"))
			return report(
			    p, "DW208", relname(json_object_get(s, "relation")), err,
			    "REINDEX without CONCURRENTLY blocks writes (and reads that use "
			    "the index)%s%s",
			    NULL, NULL);
		if (p->in_txn)
			return report(p, "DW202", NULL, err,
			              "REINDEX CONCURRENTLY inside a transaction block fails%s%s",
			              NULL, NULL);
		return 0;
	}
	if (strcmp(k, "VariableSetStmt") == 0) {
		const char *name = jstr(s, "name"), *kind = jstr(s, "kind");
		json_t *arg = json_array_get(json_object_get(s, "args"), 0), *in, *v;
		int zero = 0;
		if (!name || strcasecmp(name, "lock_timeout"))
			return 0;
		/* SET lock_timeout = 0 (pg_dump writes it) switches the timeout off */
		if (strcmp(node(arg, &in), "A_Const") == 0) {
			if ((v = json_object_get(in, "ival")))
				zero = json_integer_value(json_object_get(v, "ival")) == 0;
			else if ((v = json_object_get(in, "sval")))
				zero = strcmp(jstr(v, "sval") ? jstr(v, "sval") : "", "0") == 0;
		}
		p->lock_timeout = kind && strcmp(kind, "VAR_SET_VALUE") == 0 && !zero;
		return 0;
	}
	if (strcmp(k, "TransactionStmt") == 0) {
		const char *kind = jstr(s, "kind");
		if (!kind)
			return 0;
		if (strcmp(kind, "TRANS_STMT_BEGIN") == 0 ||
		    strcmp(kind, "TRANS_STMT_START") == 0) {
			if (p->in_txn)
				rc =
				    report(p, "DW211", NULL, err,
				           "BEGIN inside an open transaction block is ignored: its "
				           "COMMIT ends the outer one%s%s",
				           NULL, NULL);
			p->in_txn = 1;
			p->begin_off = p->so;
			p->begin_len = p->sl;
			return rc;
		} else if (strcmp(kind, "TRANS_STMT_COMMIT") == 0 ||
		           strcmp(kind, "TRANS_STMT_ROLLBACK") == 0) {
			p->in_txn = 0;
			dbw_strv_free(&p->locked); /* the locks end with the transaction */
		}
		return 0;
	}
	return 0;
}

/* Skip blanks and comments from a statement's location to its first token. */
static size_t first_token(const char *s, size_t i, size_t end)
{
	while (i < end) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
			i++;
		} else if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
			while (i < end && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i < end && depth) {
				if (s[i] == '*' && i + 1 < end && s[i + 1] == '/')
					depth--, i += 2;
				else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*')
					depth++, i += 2;
				else
					i++;
			}
		} else {
			break;
		}
	}
	return i;
}

/* PostgreSQL reports error positions in characters (1-based); map to a byte offset. */
static size_t char_to_byte(const char *s, size_t len, int cursorpos)
{
	size_t i = 0;
	int chars = 0;
	if (cursorpos <= 0)
		return 0;
	while (i < len && chars < cursorpos - 1) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

static int lint_tree(pgf *p, const char *sql, size_t sql_len, json_t *stmts, size_t extra_base,
                     dbw_error *err)
{
	json_t *st;
	size_t i;
	int rc;
	json_array_foreach(stmts, i, st)
	{
		size_t loc = (size_t)json_integer_value(json_object_get(st, "stmt_location"));
		size_t len = (size_t)json_integer_value(json_object_get(st, "stmt_len"));
		size_t end = len ? loc + len : sql_len;
		size_t tok;
		if (end > sql_len)
			end = sql_len;
		tok = first_token(sql, loc, end);
		p->so = p->base + extra_base + tok;
		p->sl = end > tok ? end - tok : 0;
		{
			json_t *in, *rv;
			node(json_object_get(st, "stmt"), &in);
			rv = json_object_get(in, "relation");
			p->rel = relname(rv);
			p->schema = jstr(rv, "schemaname");
		}
		if ((rc = on_stmt(p, json_object_get(st, "stmt"), err)) != 0)
			return rc;
	}
	return 0;
}

static int parse_error(pgf *p, const char *sql, size_t len, size_t extra_base, PgQueryError *e,
                       dbw_error *err)
{
	size_t at = char_to_byte(sql, len, e->cursorpos);
	size_t so = first_token(sql, 0, len);
	p->so = p->base + extra_base + so;
	p->sl = len > so ? len - so : 0;
	if (at < so)
		at = so;
	return dbw_lint__report(p->f, "DW001", p->base + extra_base + at, p->so, p->sl, NULL, NULL,
	                        err, "%s", e->message);
}

/* The whole text was rejected: lint what the parser accepts statement by statement. */
static int lint_by_statement(pgf *p, const char *sql, size_t len, dbw_error *err)
{
	PgQuerySplitResult sr = pg_query_split_with_scanner(sql);
	int rc = 0;
	if (sr.error) {
		rc = parse_error(p, sql, len, 0, sr.error, err);
		pg_query_free_split_result(sr);
		return rc;
	}
	/* pass 0 learns the copy-rename-drop facts (they look ahead), pass 1 lints */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		size_t covered = 0;
		for (int i = 0; i <= sr.n_stmts && !rc; i++) {
			size_t loc, sl, so;
			char *one;
			PgQueryParseResult r;
			json_t *doc;
			if (i < sr.n_stmts) {
				loc = (size_t)sr.stmts[i]->stmt_location;
				sl = (size_t)sr.stmts[i]->stmt_len;
				covered = sl ? loc + sl : len;
			} else {
				/* the scanner leaves out an unterminated tail (an unclosed "(") */
				loc = covered;
				if (first_token(sql, loc, len) >= len)
					break;
				sl = len - loc;
			}
			if (!(one = dbw_strndup(sql + loc, sl ? sl : len - loc)))
				return dbw_error_set(err, DBW_ENOMEM, "out of memory");
			r = pg_query_parse(one);
			doc = r.error ? NULL : json_loads(r.parse_tree, 0, NULL);
			so = first_token(one, 0, strlen(one));
			if (pass == 0) {
				if (doc && prepass(p, json_object_get(doc, "stmts")))
					rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			} else if (r.error) {
				rc = parse_error(p, one, strlen(one), loc, r.error, err);
			} else if (!doc) { /* jansson reads at most 2048 levels of nesting */
				rc = dbw_lint__report(
				    p->f, "DW001", p->base + loc + so, p->base + loc + so,
				    strlen(one) - so, NULL,
				    "Split the expression (e.g. a long chain of operators) into "
				    "smaller ones.",
				    err, "the statement nests too deeply to be linted");
			} else {
				rc = lint_tree(p, one, strlen(one), json_object_get(doc, "stmts"),
				               loc, err);
			}
			json_decref(doc);
			pg_query_free_parse_result(r);
			free(one);
		}
	}
	pg_query_free_split_result(sr);
	return rc;
}

int dbw_lint__pg(dbw_lint_file *f, dbw_error *err)
{
	pgf p;
	size_t len = f->end - f->start;
	char *sql = dbw_strndup(f->content + f->start, len);
	PgQueryParseResult r;
	int rc = 0;

	if (!sql)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	len = strlen(sql); /* the caller refuses NUL bytes; never read past one */
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.base = f->start;
	r = pg_query_parse(sql);
	if (r.error) {
		rc = lint_by_statement(&p, sql, len, err);
	} else {
		json_t *doc = json_loads(r.parse_tree, 0, NULL);
		json_t *stmts = json_object_get(doc, "stmts");
		if (!doc) /* too deep for jansson as a whole: statement by statement */
			rc = lint_by_statement(&p, sql, len, err);
		else if (prepass(&p, stmts))
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		else
			rc = lint_tree(&p, sql, len, stmts, 0, err);
		if (!rc && p.in_txn) {
			p.so = p.begin_off;
			p.sl = p.begin_len;
			rc = report(&p, "DW211", NULL, err,
			            "BEGIN without COMMIT: the transaction stays open with its "
			            "locks%s%s",
			            NULL, NULL);
		}
		json_decref(doc);
	}
	pg_query_free_parse_result(r);
	free(sql);
	dbw_strv_free(&p.created);
	dbw_strv_free(&p.indexes);
	dbw_strv_free(&p.types);
	dbw_strv_free(&p.renamed_types);
	dbw_strv_free(&p.copies);
	dbw_strv_free(&p.renames);
	dbw_strv_free(&p.pending_checks);
	dbw_strv_free(&p.notnull_ok);
	dbw_strv_free(&p.locked);
	dbw_strv_free(&p.backfilled);
	return rc;
}
