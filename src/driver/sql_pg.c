/*
 * sql_pg.c - PostgreSQL SQL text without a server: splitting a script into
 * statements with libpg_query (PostgreSQL 15's own parser), the flags the
 * migrator needs per statement, and a fingerprint of the script's parse
 * trees so that edits to whitespace and comments are told apart from real
 * changes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <pg_query.h>

#include "driver/driver.h"
#include "util/util.h"

size_t dbw_sql__skip_blank(const char *text, size_t len, size_t i, int pg_nested)
{
	while (i < len) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
		} else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			/* PostgreSQL nests block comments; SQLite ends at the first */
			int depth = 1;
			i += 2;
			while (i < len && depth > 0) {
				if (pg_nested && text[i] == '/' && i + 1 < len &&
				    text[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (text[i] == '*' && i + 1 < len && text[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i < len ? i : len;
}

/* A boolean option of a DefElem list: present without a value means true
 * (PostgreSQL's defGetBoolean). Returns dflt when the option is absent. */
static int def_bool(json_t *options, const char *name, int dflt)
{
	size_t i;
	json_t *item;
	json_array_foreach(options, i, item)
	{
		json_t *def = json_object_get(item, "DefElem");
		json_t *arg, *v;
		const char *s;
		if (!def ||
		    strcmp(json_string_value(json_object_get(def, "defname")) ?: "", name) != 0)
			continue;
		arg = json_object_get(def, "arg");
		if (!arg)
			return 1;
		if ((v = json_object_get(arg, "Integer")))
			return json_integer_value(json_object_get(v, "ival")) != 0;
		if ((v = json_object_get(arg, "Boolean")))
			return json_is_true(json_object_get(v, "boolval"));
		v = json_object_get(arg, "String");
		s = v ? json_string_value(json_object_get(v, "sval")) : NULL;
		if (!s)
			return 1;
		return !(strcasecmp(s, "false") == 0 || strcasecmp(s, "off") == 0 ||
		         strcasecmp(s, "0") == 0 || strcasecmp(s, "no") == 0);
	}
	return dflt;
}

static int has_def(json_t *options, const char *name)
{
	size_t i;
	json_t *item;
	json_array_foreach(options, i, item)
	{
		json_t *def = json_object_get(item, "DefElem");
		const char *n = def ? json_string_value(json_object_get(def, "defname")) : NULL;
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static int str_is(json_t *node, const char *key, const char *value)
{
	const char *s = json_string_value(json_object_get(node, key));
	return s && strcmp(s, value) == 0;
}

/*
 * What PostgreSQL 15 refuses inside a transaction block (it calls
 * PreventInTransactionBlock for these). Each rule cites its page of
 * https://www.postgresql.org/docs/15/.
 */
static unsigned flags_of(const char *type, json_t *n)
{
	json_t *opts = json_object_get(n, "options");
	if (strcmp(type, "TransactionStmt") == 0)
		return DBW_STMT_TXN_CONTROL;
	/* sql-altertype.html: a value added by ADD VALUE cannot be used until
	 * the transaction that added it has committed; RENAME VALUE has oldVal */
	if (strcmp(type, "AlterEnumStmt") == 0)
		return json_object_get(n, "newVal") && !json_object_get(n, "oldVal")
		           ? DBW_STMT_ENUM_ADD
		           : 0;
	/* sql-createindex.html "Building Indexes Concurrently" */
	if (strcmp(type, "IndexStmt") == 0)
		return json_is_true(json_object_get(n, "concurrent")) ? DBW_STMT_NO_TXN : 0;
	/* sql-dropindex.html: CONCURRENTLY cannot run inside a transaction block */
	if (strcmp(type, "DropStmt") == 0)
		return json_is_true(json_object_get(n, "concurrent")) ? DBW_STMT_NO_TXN : 0;
	/* sql-reindex.html: REINDEX SCHEMA/DATABASE/SYSTEM and CONCURRENTLY */
	if (strcmp(type, "ReindexStmt") == 0) {
		if (str_is(n, "kind", "REINDEX_OBJECT_SYSTEM") ||
		    str_is(n, "kind", "REINDEX_OBJECT_DATABASE") ||
		    str_is(n, "kind", "REINDEX_OBJECT_SCHEMA"))
			return DBW_STMT_NO_TXN;
		return def_bool(json_object_get(n, "params"), "concurrently", 0) ? DBW_STMT_NO_TXN
		                                                                 : 0;
	}
	/* sql-createdatabase.html, sql-dropdatabase.html, sql-createtablespace.html,
	 * sql-droptablespace.html, sql-altersystem.html */
	if (strcmp(type, "CreatedbStmt") == 0 || strcmp(type, "DropdbStmt") == 0 ||
	    strcmp(type, "CreateTableSpaceStmt") == 0 || strcmp(type, "DropTableSpaceStmt") == 0 ||
	    strcmp(type, "AlterSystemStmt") == 0)
		return DBW_STMT_NO_TXN;
	/* sql-vacuum.html: VACUUM cannot run inside a transaction block (a
	 * plain ANALYZE can) */
	if (strcmp(type, "VacuumStmt") == 0)
		return json_is_true(json_object_get(n, "is_vacuumcmd")) ? DBW_STMT_NO_TXN : 0;
	/* sql-cluster.html: CLUSTER without a table name */
	if (strcmp(type, "ClusterStmt") == 0)
		return json_object_get(n, "relation") ? 0 : DBW_STMT_NO_TXN;
	/* sql-alterdatabase.html: SET TABLESPACE */
	if (strcmp(type, "AlterDatabaseStmt") == 0)
		return has_def(opts, "tablespace") ? DBW_STMT_NO_TXN : 0;
	/* sql-createsubscription.html: with create_slot (the default unless
	 * connect = false) it cannot run inside a transaction block */
	if (strcmp(type, "CreateSubscriptionStmt") == 0) {
		int connect = def_bool(opts, "connect", 1);
		return def_bool(opts, "create_slot", connect) ? DBW_STMT_NO_TXN : 0;
	}
	/* sql-dropsubscription.html: refused in a transaction block when the
	 * subscription has a replication slot, which only the server knows;
	 * outside a block it is always allowed, so run it there */
	if (strcmp(type, "DropSubscriptionStmt") == 0)
		return DBW_STMT_NO_TXN;
	/* sql-altersubscription.html: REFRESH PUBLICATION, and ADD/SET/DROP
	 * PUBLICATION with refresh (the default) */
	if (strcmp(type, "AlterSubscriptionStmt") == 0) {
		if (str_is(n, "kind", "ALTER_SUBSCRIPTION_REFRESH"))
			return DBW_STMT_NO_TXN;
		if (str_is(n, "kind", "ALTER_SUBSCRIPTION_SET_PUBLICATION") ||
		    str_is(n, "kind", "ALTER_SUBSCRIPTION_ADD_PUBLICATION") ||
		    str_is(n, "kind", "ALTER_SUBSCRIPTION_DROP_PUBLICATION"))
			return def_bool(opts, "refresh", 1) ? DBW_STMT_NO_TXN : 0;
		return 0;
	}
	/* sql-altertable.html: DETACH PARTITION ... CONCURRENTLY */
	if (strcmp(type, "AlterTableStmt") == 0) {
		size_t i;
		json_t *cmd;
		json_array_foreach(json_object_get(n, "cmds"), i, cmd)
		{
			json_t *c = json_object_get(cmd, "AlterTableCmd");
			json_t *pc = json_object_get(json_object_get(c, "def"), "PartitionCmd");
			if (str_is(c, "subtype", "AT_DetachPartition") &&
			    json_is_true(json_object_get(pc, "concurrent")))
				return DBW_STMT_NO_TXN;
		}
	}
	return 0;
}

/* Word number n (0-based) of a statement, upper-cased into out; "" when
 * there is none. Words are runs of letters and underscores; anything else
 * (a quote, a parenthesis) ends the scan. */
static void nth_word(const char *text, size_t len, int n, char *out, size_t size)
{
	size_t i = 0;
	out[0] = '\0';
	for (int w = 0; w <= n; w++) {
		size_t k = 0;
		i = dbw_sql__skip_blank(text, len, i, 1);
		if (i >= len || !((text[i] >= 'a' && text[i] <= 'z') ||
		                  (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '_'))
			return;
		while (i < len && ((text[i] >= 'a' && text[i] <= 'z') ||
		                   (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '_')) {
			if (w == n && k + 1 < size)
				out[k++] = (char)(text[i] & ~0x20);
			i++;
		}
		if (w == n)
			out[k] = '\0';
	}
}

/*
 * Flags of a statement the PostgreSQL 15 parser rejects (newer syntax), from
 * its leading words: enough for the common cases (CREATE [UNIQUE] INDEX
 * CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, VACUUM,
 * CREATE/DROP DATABASE, transaction control). The server decides the rest.
 */
static unsigned keyword_flags(const char *text, size_t len)
{
	char w[5][16];
	for (int k = 0; k < 5; k++)
		nth_word(text, len, k, w[k], sizeof(w[k]));
	if (!strcmp(w[0], "BEGIN") || !strcmp(w[0], "COMMIT") || !strcmp(w[0], "END") ||
	    !strcmp(w[0], "ROLLBACK") || !strcmp(w[0], "SAVEPOINT") || !strcmp(w[0], "RELEASE") ||
	    !strcmp(w[0], "START") || !strcmp(w[0], "ABORT"))
		return DBW_STMT_TXN_CONTROL;
	if (!strcmp(w[0], "VACUUM"))
		return DBW_STMT_NO_TXN;
	if ((!strcmp(w[0], "CREATE") || !strcmp(w[0], "DROP")) && !strcmp(w[1], "DATABASE"))
		return DBW_STMT_NO_TXN;
	if (!strcmp(w[0], "CREATE") && !strcmp(w[1], "INDEX") && !strcmp(w[2], "CONCURRENTLY"))
		return DBW_STMT_NO_TXN;
	if (!strcmp(w[0], "CREATE") && !strcmp(w[1], "UNIQUE") && !strcmp(w[2], "INDEX") &&
	    !strcmp(w[3], "CONCURRENTLY"))
		return DBW_STMT_NO_TXN;
	if (!strcmp(w[0], "DROP") && !strcmp(w[1], "INDEX") && !strcmp(w[2], "CONCURRENTLY"))
		return DBW_STMT_NO_TXN;
	if (!strcmp(w[0], "REINDEX") && (!strcmp(w[2], "CONCURRENTLY") || !strcmp(w[1], "SYSTEM") ||
	                                 !strcmp(w[1], "DATABASE") || !strcmp(w[1], "SCHEMA")))
		return DBW_STMT_NO_TXN;
	return 0;
}

/* Flags of one statement from its own parse tree; from its leading words
 * when it does not parse alone (the fallback path). */
static unsigned statement_flags(const char *text, size_t len)
{
	char *copy = dbw_strndup(text, len);
	PgQueryParseResult r;
	json_t *root, *stmts;
	unsigned flags = 0;
	size_t i;
	json_t *s;
	if (!copy)
		return 0;
	r = pg_query_parse(copy);
	free(copy);
	if (r.error || !r.parse_tree) {
		pg_query_free_parse_result(r);
		return keyword_flags(text, len);
	}
	root = json_loads(r.parse_tree, 0, NULL);
	pg_query_free_parse_result(r);
	stmts = json_object_get(root, "stmts");
	json_array_foreach(stmts, i, s)
	{
		json_t *node = json_object_get(s, "stmt");
		const char *type;
		json_t *v;
		json_object_foreach(node, type, v) flags |= flags_of(type, v);
	}
	json_decref(root);
	return flags;
}

static void set_parse_error(dbw_error *err, const char *text, size_t len, const PgQueryError *e)
{
	dbw_error_set(err, DBW_ESQL, "%s", e->message ? e->message : "syntax error");
	/* cursorpos is 1-based and counts characters (PostgreSQL's errposition) */
	if (e->cursorpos > 0)
		err->offset = (long)dbw_utf8__char_to_byte(text, len, (size_t)e->cursorpos - 1);
}

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* Length of a dollar-quote tag "$tag$" at text[i], or 0 (PostgreSQL's
 * lexer: the tag is an identifier without $, or empty). */
static size_t dollar_tag(const char *text, size_t len, size_t i)
{
	size_t j = i + 1;
	if (i > 0 && is_ident_char(text[i - 1]))
		return 0; /* part of an identifier such as a$b */
	if (j < len && text[j] >= '0' && text[j] <= '9')
		return 0; /* a parameter $1 */
	while (j < len && is_ident_char(text[j]))
		j++;
	return j < len && text[j] == '$' ? j + 1 - i : 0;
}

/*
 * The fallback when the parser rejects the text: split at semicolons
 * outside quotes, comments and parentheses, the way psql does, so that a
 * statement the PostgreSQL 15 parser does not know still reaches the
 * server. (libpg_query's own scanner split drops statements that start
 * with an unknown word, so it cannot be used here.) Appends [start, end)
 * pairs to ranges.
 */
static int scan_split(const char *text, size_t len, dbw_buf *ranges)
{
	size_t i = 0, start = 0;
	int depth = 0;
	while (i < len) {
		char c = text[i];
		size_t tag;
		if ((c == '-' && i + 1 < len && text[i + 1] == '-') ||
		    (c == '/' && i + 1 < len && text[i + 1] == '*')) {
			i = dbw_sql__skip_blank(text, len, i, 1);
			continue;
		}
		if (c == '\'' || c == '"') {
			int esc = c == '\'' && i > 0 &&
			          (text[i - 1] == 'E' || text[i - 1] == 'e') &&
			          (i < 2 || !is_ident_char(text[i - 2]));
			i++;
			while (i < len) {
				if (esc && text[i] == '\\') {
					i += 2;
					continue;
				}
				if (text[i] == c) {
					if (i + 1 < len && text[i + 1] == c) {
						i += 2;
						continue;
					}
					break;
				}
				i++;
			}
			i++;
			continue;
		}
		if (c == '$' && (tag = dollar_tag(text, len, i)) > 0) {
			const char *close = NULL;
			for (size_t j = i + tag; j + tag <= len; j++)
				if (memcmp(text + j, text + i, tag) == 0) {
					close = text + j;
					break;
				}
			i = close ? (size_t)(close - text) + tag : len;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == ';' && depth == 0) {
			size_t pair[2] = {start, i};
			dbw_buf_put(ranges, (const char *)pair, sizeof(pair));
			start = i + 1;
		}
		i++;
	}
	if (start < len) {
		size_t pair[2] = {start, len};
		dbw_buf_put(ranges, (const char *)pair, sizeof(pair));
	}
	return ranges->oom ? DBW_ENOMEM : 0;
}

int dbw_pg__split(const char *text, size_t len, dbw_stmt **stmts_out, size_t *n_out,
                  dbw_error *parse_error_out)
{
	char *copy = dbw_strndup(text ? text : "", len);
	PgQuerySplitResult r = {0};
	dbw_buf ranges = DBW_BUF_INIT; /* size_t [start, end) pairs */
	const size_t *pairs;
	dbw_stmt *v = NULL;
	size_t n = 0, npairs;
	int rc = 0;
	*stmts_out = NULL;
	*n_out = 0;
	if (!copy)
		return DBW_ENOMEM;
	len = strlen(copy); /* the parser stops at a NUL byte too */
	r = pg_query_split_with_parser(copy);
	if (r.error) {
		if (parse_error_out)
			set_parse_error(parse_error_out, copy, len, r.error);
		if ((rc = scan_split(copy, len, &ranges)) != 0)
			goto done;
	} else {
		for (int i = 0; i < r.n_stmts; i++) {
			size_t pair[2];
			pair[0] = (size_t)r.stmts[i]->stmt_location;
			pair[1] = pair[0] + (size_t)r.stmts[i]->stmt_len;
			if (pair[1] > len || r.stmts[i]->stmt_len == 0)
				pair[1] = len;
			dbw_buf_put(&ranges, (const char *)pair, sizeof(pair));
		}
		if (ranges.oom) {
			rc = DBW_ENOMEM;
			goto done;
		}
	}
	pairs = (const size_t *)ranges.data;
	npairs = ranges.len / (2 * sizeof(size_t));
	v = calloc(npairs + 1, sizeof(*v));
	if (!v) {
		rc = DBW_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < npairs; i++) {
		size_t start = pairs[2 * i], end = pairs[2 * i + 1];
		size_t first = dbw_sql__skip_blank(copy, end, start, 1);
		if (first >= end) {
			size_t ws = start;
			while (ws < end && strchr(" \t\r\n\f\v", copy[ws]))
				ws++;
			if (ws >= end)
				continue; /* nothing at all between two semicolons */
			/* comments only: kept in the fallback, where the parser
			 * could not say; the parser's split drops them */
			v[n].offset = ws;
			v[n].length = end - ws;
			v[n].flags = DBW_STMT_EMPTY;
		} else {
			v[n].offset = first;
			v[n].length = end - first;
			v[n].flags = statement_flags(copy + first, end - first);
		}
		n++;
	}
	if (npairs == 0) { /* comments only */
		size_t lead = 0;
		while (lead < len && strchr(" \t\r\n\f\v", copy[lead]))
			lead++;
		if (lead < len) {
			v[0].offset = lead;
			v[0].length = len - lead;
			v[0].flags = DBW_STMT_EMPTY;
			n = 1;
		}
	}
	*stmts_out = v;
	*n_out = n;
	v = NULL;
done:
	pg_query_free_split_result(r);
	dbw_buf_free(&ranges);
	free(v);
	free(copy);
	return rc;
}

static void strip_locations(json_t *node)
{
	if (json_is_object(node)) {
		const char *key;
		json_t *value;
		void *tmp;
		json_object_foreach_safe(node, tmp, key, value)
		{
			if (strcmp(key, "location") == 0 || strcmp(key, "stmt_location") == 0 ||
			    strcmp(key, "stmt_len") == 0)
				json_object_del(node, key);
			else
				strip_locations(value);
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *value;
		json_array_foreach(node, i, value) strip_locations(value);
	}
}

int dbw_pg__fingerprint(const char *text, size_t len, char out[65], dbw_error *err)
{
	char *copy = dbw_strndup(text ? text : "", len);
	PgQueryParseResult r = {0};
	json_t *root = NULL;
	char *dump = NULL;
	int rc = 0;
	out[0] = '\0';
	if (!copy)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	r = pg_query_parse(copy);
	if (r.error) {
		set_parse_error(err, copy, strlen(copy), r.error);
		rc = DBW_ESQL;
		goto done;
	}
	root = json_loads(r.parse_tree, 0, NULL);
	if (!root) {
		rc = dbw_error_set(err, DBW_ENOMEM, "could not read the parse tree");
		goto done;
	}
	strip_locations(root);
	dump = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
	if (!dump) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	dbw_sha256_hex(dump, strlen(dump), out);
done:
	free(dump);
	json_decref(root);
	pg_query_free_parse_result(r);
	free(copy);
	return rc;
}
