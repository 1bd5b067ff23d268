/*
 * dump.c - the model as SQL, deterministic: a fixed order of phases that
 * respects dependencies (types before the tables that use them, unique keys
 * before the foreign keys that reference them, views by depth), and inside
 * each phase the model's order (schema, table, name). Nothing in the text
 * depends on OIDs, creation order, the database's name or the time.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"

typedef struct phase_ctx {
	const dbw_schema *s;
	dbw_buf *b;
} phase_ctx;

static void put(dbw_buf *b, const char *sql)
{
	if (sql) {
		dbw_buf_puts(b, sql);
		dbw_buf_puts(b, "\n\n");
	}
}

static int is_view_name(const dbw_schema *s, const char *schema, const char *name)
{
	return dbw_schema_find(s, DBW_OBJ_VIEW, schema, NULL, name) != NULL;
}

/* Emit every object of kind whose rank is in [lo, hi] (rank -1: any). */
static void emit_kind(phase_ctx *c, dbw_obj_kind kind, int lo, int hi)
{
	for (size_t i = 0; i < c->s->count; i++) {
		const dbw_schema_obj *o = &c->s->objs[i];
		if (o->kind == kind && (lo < 0 || (o->rank >= lo && o->rank <= hi)))
			put(c->b, o->sql);
	}
}

/* Objects of kind with rank in [lo, hi] (hi -1: no limit), by rank first and
 * model order among equal ranks. Ranks are sparse, so walk the distinct ones. */
static void emit_ranked_in(phase_ctx *c, dbw_obj_kind kind, int lo, int hi)
{
	int r = lo;
	for (;;) {
		int next = -1;
		emit_kind(c, kind, r, r);
		for (size_t i = 0; i < c->s->count; i++) {
			const dbw_schema_obj *o = &c->s->objs[i];
			if (o->kind == kind && o->rank > r && (hi < 0 || o->rank <= hi) &&
			    (next < 0 || o->rank < next))
				next = o->rank;
		}
		if (next < 0)
			break;
		r = next;
	}
}

static void emit_ranked(phase_ctx *c, dbw_obj_kind kind)
{
	emit_ranked_in(c, kind, 0, -1);
}

static void emit_indexes(phase_ctx *c, int on_views)
{
	for (size_t i = 0; i < c->s->count; i++) {
		const dbw_schema_obj *o = &c->s->objs[i];
		if (o->kind == DBW_OBJ_INDEX && is_view_name(c->s, o->schema, o->table) == on_views)
			put(c->b, o->sql);
	}
}

static void emit_pg(phase_ctx *c)
{
	const dbw_schema *s = c->s;
	/* SQL function bodies may name tables created further down. */
	/* Names in view and default expressions were deparsed with this path. */
	dbw_buf_puts(c->b, "SET check_function_bodies = false;\n\nSET search_path = public;\n\n");
	emit_kind(c, DBW_OBJ_SCHEMA, -1, -1);
	emit_kind(c, DBW_OBJ_EXTENSION, -1, -1);
	emit_kind(c, DBW_OBJ_ENUM, -1, -1);
	emit_kind(c, DBW_OBJ_DOMAIN, -1, -1);
	emit_kind(c, DBW_OBJ_RANGE, -1, -1);
	emit_kind(c, DBW_OBJ_COMPOSITE, -1, -1);
	emit_kind(c, DBW_OBJ_SEQUENCE, -1, -1);
	emit_ranked_in(c, DBW_OBJ_FUNCTION, 0, RANK_LATE - 1);
	emit_ranked(c, DBW_OBJ_TABLE);
	for (size_t i = 0; i < s->count; i++) {
		const dbw_schema_obj *o = &s->objs[i];
		const char *owner = dbw_schema_obj_attr(o, "owned_by");
		if (o->kind == DBW_OBJ_SEQUENCE && owner) {
			char *q = dbw_schema__qname(DBW_DB_POSTGRES, o->schema, o->name);
			dbw_buf_printf(c->b, "ALTER SEQUENCE %s OWNED BY %s;\n\n", q ? q : "",
			               owner);
			free(q);
		}
	}
	emit_kind(c, DBW_OBJ_CONSTRAINT, 0, 3);
	emit_indexes(c, 0);
	emit_kind(c, DBW_OBJ_CONSTRAINT, 4, 4);
	emit_ranked_in(c, DBW_OBJ_FUNCTION, RANK_LATE, -1);
	emit_ranked(c, DBW_OBJ_VIEW);
	emit_indexes(c, 1);
	emit_kind(c, DBW_OBJ_STATISTICS, -1, -1);
	emit_kind(c, DBW_OBJ_TRIGGER, -1, -1);
	emit_kind(c, DBW_OBJ_RULE, -1, -1);
	emit_kind(c, DBW_OBJ_EVENT_TRIGGER, -1, -1);
	for (size_t i = 0; i < s->count; i++) {
		const dbw_schema_obj *o = &s->objs[i];
		const char *rls = dbw_schema_obj_attr(o, "row_security");
		const char *force = dbw_schema_obj_attr(o, "force_row_security");
		if (o->kind != DBW_OBJ_TABLE)
			continue;
		if (rls && strcmp(rls, "enabled") == 0) {
			char *q = dbw_schema__qname(DBW_DB_POSTGRES, o->schema, o->name);
			dbw_buf_printf(c->b, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\n\n",
			               q ? q : "");
			free(q);
		}
		if (force && strcmp(force, "yes") == 0) {
			char *q = dbw_schema__qname(DBW_DB_POSTGRES, o->schema, o->name);
			dbw_buf_printf(c->b, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;\n\n",
			               q ? q : "");
			free(q);
		}
	}
	emit_kind(c, DBW_OBJ_POLICY, -1, -1);
	emit_kind(c, DBW_OBJ_PUBLICATION, -1, -1);
	emit_kind(c, DBW_OBJ_GRANT, -1, -1);
	emit_kind(c, DBW_OBJ_COMMENT, -1, -1);
}

static void emit_sqlite(phase_ctx *c)
{
	emit_ranked(c, DBW_OBJ_TABLE);
	emit_kind(c, DBW_OBJ_INDEX, -1, -1);
	emit_ranked(c, DBW_OBJ_VIEW);
	emit_kind(c, DBW_OBJ_TRIGGER, -1, -1);
}

int dbw_schema_dump_sql(const dbw_schema *s, char **out, dbw_error *err)
{
	dbw_buf b = DBW_BUF_INIT;
	phase_ctx c = {s, &b};
	*out = NULL;
	dbw_buf_puts(&b, "-- dbward schema dump\n\n");
	if (s->engine == DBW_DB_SQLITE)
		emit_sqlite(&c);
	else
		emit_pg(&c);
	/* One newline at the end, not two. */
	if (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
		b.data[--b.len] = '\0';
	*out = dbw_buf_detach(&b);
	if (!*out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return 0;
}
