/*
 * diff_sql.c - the DDL that turns schema A into schema B. Two passes over
 * the differences: drops in reverse dependency order (policies and views
 * before the tables under them, partitions before their parent), then
 * creates and alters in the order a dump uses. What loses data is marked
 * with a "-- destructive:" comment line right above the statement.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

typedef struct step {
	const dbw_diff_item *it;
	const dbw_schema_obj *o;
	int phase, rank;
	size_t index;
} step;

typedef struct gen {
	const dbw_schema_diff *d;
	dbw_db_kind engine;
	dbw_buf *b;
} gen;

static char *qn(const char *schema, const char *name)
{
	return dbw_schema__qname(DBW_DB_POSTGRES, schema, name);
}

static char *qi(const char *name)
{
	return dbw_schema__ident(DBW_DB_POSTGRES, name);
}

static int attr_is(const dbw_schema_obj *o, const char *key, const char *value)
{
	return dbw_schema__strcmp(dbw_schema_obj_attr(o, key), value) == 0;
}

/* The dump phase of an object (see dump.c); drops run the phases backwards. */
enum { PHASE_COLUMN = 9 };

static int phase_of(const dbw_schema *model, const dbw_schema_obj *o)
{
	switch (o->kind) {
	case DBW_OBJ_SCHEMA:
		return 0;
	case DBW_OBJ_EXTENSION:
		return 1;
	case DBW_OBJ_ENUM:
		return 2;
	case DBW_OBJ_RANGE:
		return 3;
	case DBW_OBJ_DOMAIN:
		return 4;
	case DBW_OBJ_COMPOSITE:
		return 5;
	case DBW_OBJ_SEQUENCE:
		return 6;
	case DBW_OBJ_FUNCTION:
		return o->rank >= RANK_LATE ? 14 : 7;
	case DBW_OBJ_TABLE:
		return 8;
	case DBW_OBJ_COLUMN:
		return PHASE_COLUMN;
	case DBW_OBJ_CONSTRAINT:
		return o->rank >= 4 ? 13 : 11;
	case DBW_OBJ_INDEX:
		return dbw_schema_find(model, DBW_OBJ_VIEW, o->schema, NULL, o->table) ? 16 : 12;
	case DBW_OBJ_VIEW:
		return 15;
	case DBW_OBJ_STATISTICS:
		return 17;
	case DBW_OBJ_TRIGGER:
		return 18;
	case DBW_OBJ_RULE:
		return 19;
	case DBW_OBJ_EVENT_TRIGGER:
		return 20;
	case DBW_OBJ_POLICY:
		return 21;
	case DBW_OBJ_PUBLICATION:
		return 22;
	case DBW_OBJ_GRANT:
		return 23;
	case DBW_OBJ_COMMENT:
		return 24;
	default:
		return 25;
	}
}

static int cmp_create(const void *pa, const void *pb)
{
	const step *a = pa, *b = pb;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_drop(const void *pa, const void *pb)
{
	return cmp_create(pb, pa);
}

static void destructive(gen *g, const char *why)
{
	dbw_buf_printf(g->b, "-- destructive: %s\n", why);
}

static void stmt(gen *g, const char *sql)
{
	dbw_buf_printf(g->b, "%s\n\n", sql);
}

/* Does a change of this object need DROP + CREATE (rather than ALTER / OR REPLACE)? */
static int needs_recreate(gen *g, const dbw_diff_item *it)
{
	const dbw_schema_obj *o = it->b;
	if (it->change != DBW_CHANGE_CHANGED)
		return 0;
	switch (o->kind) {
	case DBW_OBJ_INDEX:
	case DBW_OBJ_CONSTRAINT:
	case DBW_OBJ_TRIGGER:
	case DBW_OBJ_POLICY:
	case DBW_OBJ_EVENT_TRIGGER:
	case DBW_OBJ_PUBLICATION:
	case DBW_OBJ_GRANT:
	case DBW_OBJ_COMPOSITE:
	case DBW_OBJ_RANGE:
	case DBW_OBJ_STATISTICS:
	case DBW_OBJ_RULE:
		return 1;
	case DBW_OBJ_VIEW:
		return g->engine == DBW_DB_SQLITE || attr_is(o, "materialized", "yes") ||
		       !attr_is(it->a, "materialized", "no");
	case DBW_OBJ_DOMAIN:
		for (size_t k = 0; k < it->n_attrs; k++)
			if (strcmp(it->attrs[k].key, "default") &&
			    strcmp(it->attrs[k].key, "not_null"))
				return 1;
		return 0;
	case DBW_OBJ_TABLE:
		for (size_t k = 0; k < it->n_attrs; k++)
			if (!strcmp(it->attrs[k].key, "partitioned_by") ||
			    !strcmp(it->attrs[k].key, "partition_of") ||
			    !strcmp(it->attrs[k].key, "partition_bound") ||
			    !strcmp(it->attrs[k].key, "inherits"))
				return 1;
		return 0;
	case DBW_OBJ_COLUMN:
		for (size_t k = 0; k < it->n_attrs; k++)
			if (!strcmp(it->attrs[k].key, "generated"))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/*
 * Undo a grant object: revoke everything from each grantee it names, then
 * give back the default PUBLIC privilege of functions (EXECUTE) and types
 * (USAGE), which its "REVOKE ALL ... FROM PUBLIC" took away.
 */
static char *grant_reset(const dbw_schema_obj *o)
{
	const char *target = strchr(o->name, ' ');
	const char *privs = dbw_schema_obj_attr(o, "privileges");
	char *type = target ? dbw_strndup(o->name, (size_t)(target - o->name)) : NULL;
	dbw_buf b = DBW_BUF_INIT;
	if (!type)
		return NULL;
	for (char *t = type; *t; t++)
		*t = (char)(*t >= 'a' && *t <= 'z' ? *t - 'a' + 'A' : *t);
	target++;
	for (const char *p = privs; p && *p;) {
		const char *colon = strstr(p, ": ");
		const char *next = strstr(p, "; ");
		if (!colon)
			break;
		dbw_buf_printf(&b, "%sREVOKE ALL ON %s %s FROM %.*s;", b.len ? "\n" : "", type,
		               target, (int)(colon - p), p);
		p = next ? next + 2 : NULL;
	}
	if (!strcmp(type, "FUNCTION") || !strcmp(type, "PROCEDURE"))
		dbw_buf_printf(&b, "%sGRANT EXECUTE ON %s %s TO PUBLIC;", b.len ? "\n" : "", type,
		               target);
	else if (!strcmp(type, "TYPE") || !strcmp(type, "DOMAIN"))
		dbw_buf_printf(&b, "%sGRANT USAGE ON %s %s TO PUBLIC;", b.len ? "\n" : "", type,
		               target);
	free(type);
	return b.len ? dbw_buf_detach(&b) : (dbw_buf_free(&b), NULL);
}

static void pg_drop(gen *g, const dbw_schema_obj *o)
{
	char *q = NULL, *t = NULL, *n = NULL, *sql = NULL;
	/* A partition's copy of its parent's index or constraint goes with it. */
	if (dbw_schema_obj_attr(o, "attached_to"))
		return;
	switch (o->kind) {
	case DBW_OBJ_SCHEMA:
		q = qi(o->name);
		destructive(g, "drops the schema");
		sql = dbw_sprintf("DROP SCHEMA %s;", q);
		break;
	case DBW_OBJ_EXTENSION:
		q = qi(o->name);
		sql = dbw_sprintf("DROP EXTENSION %s;", q);
		break;
	case DBW_OBJ_ENUM:
	case DBW_OBJ_COMPOSITE:
	case DBW_OBJ_RANGE:
		q = qn(o->schema, o->name);
		sql = dbw_sprintf("DROP TYPE %s;", q);
		break;
	case DBW_OBJ_STATISTICS:
		q = qn(o->schema, o->name);
		sql = dbw_sprintf("DROP STATISTICS %s;", q);
		break;
	case DBW_OBJ_RULE:
		t = qn(o->schema, o->table);
		q = qi(o->name);
		sql = dbw_sprintf("DROP RULE %s ON %s;", q, t);
		break;
	case DBW_OBJ_DOMAIN:
		q = qn(o->schema, o->name);
		sql = dbw_sprintf("DROP DOMAIN %s;", q);
		break;
	case DBW_OBJ_SEQUENCE:
		q = qn(o->schema, o->name);
		destructive(g, "drops the sequence and its current value");
		sql = dbw_sprintf("DROP SEQUENCE %s;", q);
		break;
	case DBW_OBJ_FUNCTION: {
		const char *paren = strchr(o->name, '(');
		n = dbw_strndup(o->name, paren ? (size_t)(paren - o->name) : strlen(o->name));
		q = n ? qn(o->schema, n) : NULL;
		sql = dbw_sprintf("DROP %s %s%s;",
		                  attr_is(o, "kind", "procedure") ? "PROCEDURE" : "FUNCTION",
		                  q ? q : "", paren ? paren : "()");
		break;
	}
	case DBW_OBJ_TABLE:
		q = qn(o->schema, o->name);
		destructive(g, "drops the table and its rows");
		sql = dbw_sprintf("DROP TABLE %s;", q);
		break;
	case DBW_OBJ_COLUMN:
		t = qn(o->schema, o->table);
		q = qi(o->name);
		destructive(g, "drops the column and its values");
		sql = dbw_sprintf("ALTER TABLE %s DROP COLUMN %s;", t, q);
		break;
	case DBW_OBJ_CONSTRAINT:
		t = qn(o->schema, o->table);
		q = qi(o->name);
		sql = dbw_sprintf("ALTER TABLE %s DROP CONSTRAINT %s;", t, q);
		break;
	case DBW_OBJ_INDEX:
		q = qn(o->schema, o->name);
		sql = dbw_sprintf("DROP INDEX %s;", q);
		break;
	case DBW_OBJ_VIEW:
		q = qn(o->schema, o->name);
		sql = dbw_sprintf("DROP %sVIEW %s;",
		                  attr_is(o, "materialized", "yes") ? "MATERIALIZED " : "", q);
		break;
	case DBW_OBJ_TRIGGER:
	case DBW_OBJ_POLICY:
		t = qn(o->schema, o->table);
		q = qi(o->name);
		sql = dbw_sprintf("DROP %s %s ON %s;",
		                  o->kind == DBW_OBJ_TRIGGER ? "TRIGGER" : "POLICY", q, t);
		break;
	case DBW_OBJ_EVENT_TRIGGER:
		q = qi(o->name);
		sql = dbw_sprintf("DROP EVENT TRIGGER %s;", q);
		break;
	case DBW_OBJ_PUBLICATION:
		q = qi(o->name);
		sql = dbw_sprintf("DROP PUBLICATION %s;", q);
		break;
	case DBW_OBJ_GRANT:
		sql = grant_reset(o);
		break;
	case DBW_OBJ_COMMENT: {
		/* "COMMENT ON <target> IS '<text>';" -> "... IS NULL;" */
		const char *is = o->sql ? strstr(o->sql, " IS '") : NULL;
		if (!is && o->sql)
			is = strstr(o->sql, " IS E'");
		if (is)
			sql = dbw_sprintf("%.*s IS NULL;", (int)(is - o->sql), o->sql);
		break;
	}
	default:
		break;
	}
	if (sql)
		stmt(g, sql);
	free(q);
	free(t);
	free(n);
	free(sql);
}

/* ALTER TYPE ... ADD VALUE for values B adds, when A's values keep their
 * order inside B's; otherwise the type is rebuilt and the columns moved over. */
static void pg_enum_change(gen *g, const dbw_diff_item *it)
{
	const char *va = dbw_schema_obj_attr(it->a, "values"),
	           *vb = dbw_schema_obj_attr(it->b, "values");
	char *ca = dbw_strdup(va ? va : ""), *cb = dbw_strdup(vb ? vb : "");
	dbw_strv la = DBW_STRV_INIT, lb = DBW_STRV_INIT;
	char *q = qn(it->b->schema, it->b->name);
	size_t i = 0, j = 0;
	/* Labels are quote_literal()ed and joined with ", "; a label holding ", "
	 * would split wrongly, so such types take the rebuild path below. */
	for (char *p = ca, *s; p && *p; p = s ? s + 2 : NULL) {
		s = strstr(p, ", '");
		if (s)
			*s = '\0';
		dbw_strv_push(&la, p);
	}
	for (char *p = cb, *s; p && *p; p = s ? s + 2 : NULL) {
		s = strstr(p, ", '");
		if (s)
			*s = '\0';
		dbw_strv_push(&lb, p);
	}
	for (j = 0; j < lb.count && i < la.count; j++)
		if (strcmp(la.items[i], lb.items[j]) == 0)
			i++;
	if (i == la.count) {
		for (j = 0, i = 0; j < lb.count; j++) {
			if (i < la.count && strcmp(la.items[i], lb.items[j]) == 0) {
				i++;
				continue;
			}
			if (i < la.count)
				dbw_buf_printf(g->b, "ALTER TYPE %s ADD VALUE %s BEFORE %s;\n\n", q,
				               lb.items[j], la.items[i]);
			else
				dbw_buf_printf(g->b, "ALTER TYPE %s ADD VALUE %s;\n\n", q,
				               lb.items[j]);
		}
	} else {
		char *old = dbw_sprintf("%s__dbward_old", it->b->name);
		char *qold = old ? qn(it->b->schema, old) : NULL;
		char *qo = old ? qi(old) : NULL;
		destructive(g, "enum values are removed or reordered: the type is rebuilt and rows "
		               "holding a removed value make the column conversion fail");
		dbw_buf_printf(g->b, "ALTER TYPE %s RENAME TO %s;\n\n%s\n\n", q, qo ? qo : "",
		               it->b->sql);
		for (size_t k = 0; k < g->d->b->count; k++) {
			const dbw_schema_obj *c = &g->d->b->objs[k];
			const char *type = dbw_schema_obj_attr(c, "type");
			char *t;
			if (c->kind != DBW_OBJ_COLUMN || !type)
				continue;
			if (strcmp(type, it->b->name) && strcmp(type, q) &&
			    !(strchr(q, '.') && strcmp(type, strchr(q, '.') + 1) == 0))
				continue;
			t = qn(c->schema, c->table);
			dbw_buf_printf(g->b,
			               "ALTER TABLE %s ALTER COLUMN \"%s\" TYPE %s USING "
			               "\"%s\"::text::%s;\n\n",
			               t ? t : "", c->name, q, c->name, q);
			free(t);
		}
		dbw_buf_printf(g->b, "DROP TYPE %s;\n\n", qold ? qold : "");
		free(old);
		free(qold);
		free(qo);
	}
	dbw_strv_free(&la);
	dbw_strv_free(&lb);
	free(ca);
	free(cb);
	free(q);
}

static void pg_column_change(gen *g, const dbw_diff_item *it)
{
	const dbw_schema_obj *a = it->a, *b = it->b;
	char *t = qn(b->schema, b->table), *c = qi(b->name);
	int type_done = 0;
	(void)a;
	for (size_t k = 0; k < it->n_attrs; k++) {
		const dbw_attr_change *ac = &it->attrs[k];
		if (!strcmp(ac->key, "type") || !strcmp(ac->key, "collation")) {
			/* one statement covers both type and collation */
			const char *coll = dbw_schema_obj_attr(b, "collation");
			if (type_done++)
				continue;
			destructive(g,
			            "changes the column's type or collation; values are converted");
			dbw_buf_printf(
			    g->b, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s USING %s::%s;\n\n", t,
			    c, dbw_schema_obj_attr(b, "type"), coll ? " COLLATE " : "",
			    coll ? coll : "", c, dbw_schema_obj_attr(b, "type"));
		} else if (!strcmp(ac->key, "not_null")) {
			dbw_buf_printf(g->b, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL;\n\n", t,
			               c, attr_is(b, "not_null", "yes") ? "SET" : "DROP");
		} else if (!strcmp(ac->key, "default")) {
			if (ac->b)
				dbw_buf_printf(g->b,
				               "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;\n\n",
				               t, c, ac->b);
			else
				dbw_buf_printf(
				    g->b, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;\n\n", t, c);
		} else if (!strcmp(ac->key, "identity")) {
			if (!ac->b)
				dbw_buf_printf(g->b,
				               "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY;\n\n",
				               t, c);
			else if (!ac->a)
				dbw_buf_printf(g->b,
				               "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS "
				               "IDENTITY;\n\n",
				               t, c,
				               strcmp(ac->b, "always") ? "BY DEFAULT" : "ALWAYS");
			else
				dbw_buf_printf(
				    g->b, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s;\n\n", t,
				    c, strcmp(ac->b, "always") ? "BY DEFAULT" : "ALWAYS");
		}
	}
	free(t);
	free(c);
}

static void pg_alter(gen *g, const dbw_diff_item *it)
{
	const dbw_schema_obj *o = it->b;
	char *q = NULL;
	switch (o->kind) {
	case DBW_OBJ_ENUM:
		pg_enum_change(g, it);
		break;
	case DBW_OBJ_COLUMN:
		pg_column_change(g, it);
		break;
	case DBW_OBJ_DOMAIN:
		q = qn(o->schema, o->name);
		for (size_t k = 0; k < it->n_attrs; k++) {
			const dbw_attr_change *ac = &it->attrs[k];
			if (!strcmp(ac->key, "default") && ac->b)
				dbw_buf_printf(g->b, "ALTER DOMAIN %s SET DEFAULT %s;\n\n", q,
				               ac->b);
			else if (!strcmp(ac->key, "default"))
				dbw_buf_printf(g->b, "ALTER DOMAIN %s DROP DEFAULT;\n\n", q);
			else if (!strcmp(ac->key, "not_null"))
				dbw_buf_printf(g->b, "ALTER DOMAIN %s %s NOT NULL;\n\n", q,
				               attr_is(o, "not_null", "yes") ? "SET" : "DROP");
		}
		break;
	case DBW_OBJ_SEQUENCE:
		q = qn(o->schema, o->name);
		dbw_buf_printf(
		    g->b,
		    "ALTER SEQUENCE %s AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE "
		    "%s CACHE %s %sCYCLE;\n\n",
		    q, dbw_schema_obj_attr(o, "type"), dbw_schema_obj_attr(o, "start"),
		    dbw_schema_obj_attr(o, "increment"), dbw_schema_obj_attr(o, "min"),
		    dbw_schema_obj_attr(o, "max"), dbw_schema_obj_attr(o, "cache"),
		    attr_is(o, "cycle", "yes") ? "" : "NO ");
		break;
	case DBW_OBJ_EXTENSION:
		q = qi(o->name);
		if (!attr_is(it->a, "schema", dbw_schema_obj_attr(o, "schema")))
			dbw_buf_printf(g->b, "ALTER EXTENSION %s SET SCHEMA \"%s\";\n\n", q,
			               dbw_schema_obj_attr(o, "schema"));
		if (!attr_is(it->a, "version", dbw_schema_obj_attr(o, "version")))
			dbw_buf_printf(g->b, "ALTER EXTENSION %s UPDATE TO '%s';\n\n", q,
			               dbw_schema_obj_attr(o, "version"));
		break;
	case DBW_OBJ_TABLE:
		q = qn(o->schema, o->name);
		if (!attr_is(it->a, "unlogged", dbw_schema_obj_attr(o, "unlogged")))
			dbw_buf_printf(g->b, "ALTER TABLE %s SET %s;\n\n", q,
			               attr_is(o, "unlogged", "yes") ? "UNLOGGED" : "LOGGED");
		break;
	case DBW_OBJ_VIEW:
		/* CREATE OR REPLACE keeps what depends on the view. */
		if (o->sql && !strncmp(o->sql, "CREATE VIEW", 11))
			dbw_buf_printf(g->b, "CREATE OR REPLACE VIEW%s\n\n", o->sql + 11);
		break;
	default: /* functions (CREATE OR REPLACE), comments: their sql says it all */
		if (o->sql)
			stmt(g, o->sql);
		break;
	}
	free(q);
}

/* Row-level security switches of a table (after everything else is created). */
static void pg_rls(gen *g, const dbw_schema_obj *a, const dbw_schema_obj *b)
{
	char *q = qn(b->schema, b->name);
	const char *ra = a ? dbw_schema_obj_attr(a, "row_security") : "disabled";
	const char *fa = a ? dbw_schema_obj_attr(a, "force_row_security") : "no";
	if (dbw_schema__strcmp(ra, dbw_schema_obj_attr(b, "row_security")))
		dbw_buf_printf(g->b, "ALTER TABLE %s %s ROW LEVEL SECURITY;\n\n", q,
		               attr_is(b, "row_security", "enabled") ? "ENABLE" : "DISABLE");
	if (dbw_schema__strcmp(fa, dbw_schema_obj_attr(b, "force_row_security")))
		dbw_buf_printf(g->b, "ALTER TABLE %s %s ROW LEVEL SECURITY;\n\n", q,
		               attr_is(b, "force_row_security", "yes") ? "FORCE" : "NO FORCE");
	free(q);
}

static void pg_create(gen *g, const dbw_diff_item *it, int recreate)
{
	const dbw_schema_obj *o = it->b;
	if (it->change == DBW_CHANGE_CHANGED && !recreate) {
		pg_alter(g, it);
		return;
	}
	if (o->kind == DBW_OBJ_COLUMN) {
		char *t = qn(o->schema, o->table);
		dbw_buf_printf(g->b, "ALTER TABLE %s ADD COLUMN %s;\n\n", t ? t : "", o->sql);
		free(t);
		return;
	}
	if (o->sql)
		stmt(g, o->sql);
}

/* Sequence ownership (phase 9) once the owning columns exist. */
static void pg_owned_by(gen *g, const dbw_diff_item *it)
{
	const dbw_schema_obj *o = it->b;
	const char *now = dbw_schema_obj_attr(o, "owned_by");
	const char *was = it->a ? dbw_schema_obj_attr(it->a, "owned_by") : NULL;
	char *q;
	if (!o || o->kind != DBW_OBJ_SEQUENCE || !dbw_schema__strcmp(now, was))
		return;
	q = qn(o->schema, o->name);
	dbw_buf_printf(g->b, "ALTER SEQUENCE %s OWNED BY %s;\n\n", q ? q : "", now ? now : "NONE");
	free(q);
}

int dbw_schema_diff_sql(const dbw_schema_diff *d, dbw_db_kind engine, char **out, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	gen g = {d, engine, &b};
	step *steps = calloc(d->count + 1, sizeof(*steps));
	*out = NULL;
	if (!steps)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	dbw_buf_puts(&b, "-- dbward diff: statements that turn A into B\n\n");
	if (engine == DBW_DB_SQLITE) {
		dbw_sqlite__diff_sql(d, &b);
		goto finish;
	}
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = &d->items[i];
		steps[i].it = it;
		steps[i].o = it->b ? it->b : it->a;
		steps[i].phase = phase_of(it->b ? d->b : d->a, steps[i].o);
		steps[i].rank = steps[i].o->rank;
		steps[i].index = i;
	}
	qsort(steps, d->count, sizeof(*steps), cmp_drop);
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = steps[i].it;
		if (it->change == DBW_CHANGE_REMOVED || needs_recreate(&g, it)) {
			if (it->change == DBW_CHANGE_CHANGED && it->a->kind == DBW_OBJ_TABLE)
				destructive(
				    &g, "the table's partitioning or inheritance changes: it is "
				        "recreated empty");
			pg_drop(&g, it->a);
		}
	}
	qsort(steps, d->count, sizeof(*steps), cmp_create);
	for (size_t i = 0; i < d->count; i++) {
		const dbw_diff_item *it = steps[i].it;
		if (it->change != DBW_CHANGE_REMOVED)
			pg_create(&g, it, needs_recreate(&g, it));
		/* Sequence ownership once every column exists (the last step of
		 * the column phase or earlier). */
		if (steps[i].phase <= PHASE_COLUMN &&
		    (i + 1 == d->count || steps[i + 1].phase > PHASE_COLUMN))
			for (size_t k = 0; k < d->count; k++)
				if (d->items[k].b && d->items[k].change != DBW_CHANGE_REMOVED)
					pg_owned_by(&g, &d->items[k]);
	}
	for (size_t k = 0; k < d->count; k++) {
		const dbw_diff_item *it = &d->items[k];
		if (it->b && it->b->kind == DBW_OBJ_TABLE && it->change != DBW_CHANGE_REMOVED)
			pg_rls(&g, needs_recreate(&g, it) ? NULL : it->a, it->b);
	}
finish:
	free(steps);
	if (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
		b.data[--b.len] = '\0';
	*out = dbw_buf_detach(&b);
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}
