/*
 * pg_introspect_code.c - PostgreSQL objects defined by code: functions and
 * procedures (pg_get_functiondef), views and materialized views
 * (pg_get_viewdef, ranked by how deep they stack on other views), triggers
 * (pg_get_triggerdef), event triggers and row-level security policies.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/internal.h"
#include "schema/pg_sql.h"

#define V(r, i, j) dbw_result_value(r, i, j)

static int oom(dbw_error *err)
{
	return dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

/* pg_get_functiondef ends with a newline and no semicolon. */
static char *trim_def(const char *def)
{
	size_t n = strlen(def);
	while (n && (def[n - 1] == '\n' || def[n - 1] == ' '))
		n--;
	return dbw_strndup(def, n);
}

/*
 * Rank objects s->objs[first..] by their dependencies among themselves:
 * edges_sql yields (schema, name, depends-on schema, depends-on name); an
 * object's rank becomes at least 1 + the rank of what it depends on, so a
 * dump that creates them by rank creates dependencies first. The order is
 * computed from names, never from OIDs. Views: 0 when a view reads only
 * tables, else 1 + its deepest view.
 */
static int rank_by_deps(dbw_schema *s, size_t first, dbw_conn *c, const char *edges_sql,
                        dbw_error *err)
{
	dbw_result *r = NULL;
	size_t n = s->count - first, changed = 1;
	int rc = dbw_schema__query(c, edges_sql, &r, err);
	/* Bellman-Ford style relaxation: at most n rounds for n objects. */
	for (size_t round = 0; rc == 0 && changed && round <= n; round++) {
		changed = 0;
		for (size_t i = 0; i < dbw_result_rows(r); i++) {
			dbw_schema_obj *v = NULL, *w = NULL;
			for (size_t k = first; k < s->count; k++) {
				dbw_schema_obj *o = &s->objs[k];
				if (strcmp(o->schema, V(r, i, 0)) == 0 &&
				    strcmp(o->name, V(r, i, 1)) == 0)
					v = o;
				if (strcmp(o->schema, V(r, i, 2)) == 0 &&
				    strcmp(o->name, V(r, i, 3)) == 0)
					w = o;
			}
			if (v && w && v != w && v->rank < w->rank + 1 &&
			    w->rank < (int)(n + RANK_LATE)) {
				v->rank = w->rank + 1;
				changed = 1;
			}
		}
	}
	dbw_result_free(r);
	return rc;
}

static int introspect_functions(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	/* rank RANK_LATE: the function needs a table (its row type in the
	 * signature, or a SQL-standard body that refers to one), so a dump
	 * creates it after tables; SQL-standard bodies that call other functions
	 * rank above them (rank_by_deps). */
	size_t first = s->count;
	int rc = dbw_schema__query(
	    c,
	    "SELECT n.nspname, p.proname || '(' || oidvectortypes(p.proargtypes) || "
	    "')',"
	    " pg_get_functiondef(p.oid),"
	    " CASE WHEN EXISTS (SELECT 1 FROM pg_depend d LEFT JOIN pg_type t ON"
	    "  d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid"
	    "  LEFT JOIN pg_class tc ON tc.oid = t.typrelid"
	    "  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n'"
	    "  AND ((tc.oid IS NOT NULL AND tc.relkind <> 'c') OR d.refclassid = "
	    "'pg_class'::regclass))"
	    " THEN 1 ELSE 0 END,"
	    " CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END"
	    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	    " WHERE p.prokind IN ('f', 'p') AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_proc", "p.oid") " ORDER BY 1, 2",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		char *def = trim_def(V(r, i, 2));
		char *sql = def ? dbw_sprintf("%s;", def) : NULL;
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_FUNCTION, V(r, i, 0), NULL, V(r, i, 1), NULL);
		if (o) {
			dbw_schema__set_sql(o, sql);
			o->rank = atoi(V(r, i, 3)) ? RANK_LATE : 0;
		} else {
			free(sql);
		}
		if (!o || !o->sql || dbw_schema__attr(o, "kind", V(r, i, 4)) < 0 ||
		    dbw_schema__attr(o, "definition", def) < 0)
			rc = oom(err);
		free(def);
	}
	dbw_result_free(r);
	if (rc == 0)
		rc = rank_by_deps(
		    s, first, c,
		    "SELECT DISTINCT n.nspname, p.proname || '(' ||"
		    " oidvectortypes(p.proargtypes) || ')', rn.nspname, rp.proname || "
		    "'(' ||"
		    " oidvectortypes(rp.proargtypes) || ')'"
		    " FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid "
		    "= d.objid"
		    " JOIN pg_namespace n ON n.oid = p.pronamespace"
		    " JOIN pg_proc rp ON d.refclassid = 'pg_proc'::regclass AND rp.oid = d.refobjid"
		    " JOIN pg_namespace rn ON rn.oid = rp.pronamespace"
		    " WHERE d.deptype = 'n' AND p.oid <> rp.oid ORDER BY 1, 2, 3, 4",
		    err);
	return rc;
}

static int introspect_views(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	size_t first = s->count;
	int rc = dbw_schema__query(
	    c,
	    "SELECT n.nspname, v.relname, pg_get_viewdef(v.oid),"
	    " CASE WHEN v.relkind = 'm' THEN 'yes' ELSE 'no' END,"
	    " array_to_string(v.reloptions, ', '),"
	    " format('CREATE %sVIEW %I.%I%s AS', CASE WHEN v.relkind = 'm' THEN 'MATERIALIZED ' "
	    "END,"
	    "  n.nspname, v.relname, ' WITH (' || array_to_string(v.reloptions, ', ') || ')')"
	    " FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace"
	    " WHERE v.relkind IN ('v', 'm') AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class", "v.oid") " ORDER BY 1, 2",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		int mat = strcmp(V(r, i, 3), "yes") == 0;
		char *def = trim_def(V(r, i, 2));
		size_t dl = def ? strlen(def) : 0;
		char *sql;
		dbw_schema_obj *o;
		if (dl && def[dl - 1] == ';')
			def[--dl] = '\0';
		sql = def ? dbw_sprintf("%s\n%s%s;", V(r, i, 5), def, mat ? "\n  WITH NO DATA" : "")
		          : NULL;
		o = dbw_schema__add(s, DBW_OBJ_VIEW, V(r, i, 0), NULL, V(r, i, 1), NULL);
		if (o)
			dbw_schema__set_sql(o, sql);
		else
			free(sql);
		if (!o || !o->sql || dbw_schema__attr(o, "materialized", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "options", V(r, i, 4)) < 0 ||
		    dbw_schema__attr(o, "definition", def) < 0)
			rc = oom(err);
		free(def);
	}
	dbw_result_free(r);
	if (rc == 0)
		rc = rank_by_deps(
		    s, first, c,
		    "SELECT DISTINCT vn.nspname, v.relname, wn.nspname, w.relname"
		    " FROM pg_rewrite rw JOIN pg_class v ON v.oid = rw.ev_class"
		    " JOIN pg_namespace vn ON vn.oid = v.relnamespace"
		    " JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid"
		    "  AND d.refclassid = 'pg_class'::regclass"
		    " JOIN pg_class w ON w.oid = d.refobjid AND w.relkind IN ('v', 'm') AND w.oid "
		    "<> v.oid"
		    " JOIN pg_namespace wn ON wn.oid = w.relnamespace"
		    " WHERE v.relkind IN ('v', 'm') ORDER BY 1, 2, 3, 4",
		    err);
	return rc;
}

static int introspect_triggers(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	char *sql = dbw_sprintf(
	    "SELECT n.nspname, cl.relname, t.tgname, pg_get_triggerdef(t.oid),"
	    " CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN"
	    "  'replica' WHEN 'A' THEN 'always' END,"
	    " format('ALTER TABLE %%I.%%I %%s TRIGGER %%I;', n.nspname, cl.relname,"
	    "  CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'"
	    "  ELSE 'ENABLE ALWAYS' END, t.tgname)"
	    " FROM pg_trigger t JOIN pg_class cl ON cl.oid = t.tgrelid"
	    " JOIN pg_namespace n ON n.oid = cl.relnamespace"
	    " WHERE NOT t.tgisinternal%s AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "cl.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                 " ORDER BY 1, 2, 3",
	    /* a partition's clone of its parent's trigger (PostgreSQL 13+) */
	    dbw_conn_server_version(c) >= 130000 ? " AND t.tgparentid = 0" : "", excl);
	int rc = sql ? dbw_schema__query(c, sql, &r, err) : oom(err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		const char *state = V(r, i, 4);
		char *def = strcmp(state, "origin") == 0
		                ? dbw_sprintf("%s;", V(r, i, 3))
		                : dbw_sprintf("%s;\n%s", V(r, i, 3), V(r, i, 5));
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_TRIGGER, V(r, i, 0), V(r, i, 1), V(r, i, 2), NULL);
		if (o)
			dbw_schema__set_sql(o, def);
		else
			free(def);
		if (!o || !o->sql || dbw_schema__attr(o, "definition", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "enabled", state) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

static int introspect_event_triggers(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    "SELECT e.evtname, e.evtevent, e.evtfoid::regproc::text,"
	    " (SELECT string_agg(quote_literal(x), ', ' ORDER BY x) FROM unnest(e.evttags) x),"
	    " CASE e.evtenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN"
	    "  'replica' WHEN 'A' THEN 'always' END,"
	    " format('CREATE EVENT TRIGGER %I ON %I%s EXECUTE FUNCTION %s();%s', e.evtname, "
	    "e.evtevent,"
	    "  ' WHEN TAG IN (' || (SELECT string_agg(quote_literal(x), ', ' ORDER BY x) FROM"
	    "  unnest(e.evttags) x) || ')', e.evtfoid::regproc,"
	    "  CASE e.evtenabled WHEN 'D' THEN format(E'\\nALTER EVENT TRIGGER %I DISABLE;', "
	    "e.evtname)"
	    "  WHEN 'R' THEN format(E'\\nALTER EVENT TRIGGER %I ENABLE REPLICA;', e.evtname)"
	    "  WHEN 'A' THEN format(E'\\nALTER EVENT TRIGGER %I ENABLE ALWAYS;', e.evtname) ELSE "
	    "'' END)"
	    " FROM pg_event_trigger e WHERE " PG_NOT_EXT("pg_event_trigger", "e.oid") " ORDER BY 1",
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_EVENT_TRIGGER, NULL, NULL, V(r, i, 0), V(r, i, 5));
		if (!o || dbw_schema__attr(o, "event", V(r, i, 1)) < 0 ||
		    dbw_schema__attr(o, "function", V(r, i, 2)) < 0 ||
		    dbw_schema__attr(o, "tags", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "enabled", V(r, i, 4)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

static int introspect_policies(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	char *sql = dbw_sprintf(
	    "SELECT n.nspname, cl.relname, p.polname,"
	    " CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,"
	    " CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
	    "  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
	    " CASE WHEN p.polroles = '{0}' THEN 'PUBLIC' ELSE (SELECT "
	    "string_agg(quote_ident(rolname),"
	    "  ', ' ORDER BY rolname) FROM pg_roles WHERE oid = ANY (p.polroles)) END,"
	    " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),"
	    " format('%%I', p.polname), format('%%I.%%I', n.nspname, cl.relname)"
	    " FROM pg_policy p JOIN pg_class cl ON cl.oid = p.polrelid"
	    " JOIN pg_namespace n ON n.oid = cl.relnamespace"
	    " WHERE " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_class",
	        "cl.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ") ORDER BY 1, 2, 3",
	    excl);
	int rc = sql ? dbw_schema__query(c, sql, &r, err) : oom(err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		dbw_buf b = DBW_BUF_INIT;
		dbw_schema_obj *o;
		dbw_buf_printf(&b, "CREATE POLICY %s ON %s AS %s FOR %s TO %s", V(r, i, 8),
		               V(r, i, 9),
		               strcmp(V(r, i, 3), "permissive") == 0 ? "PERMISSIVE" : "RESTRICTIVE",
		               V(r, i, 4), V(r, i, 5) ? V(r, i, 5) : "PUBLIC");
		if (V(r, i, 6))
			dbw_buf_printf(&b, " USING (%s)", V(r, i, 6));
		if (V(r, i, 7))
			dbw_buf_printf(&b, " WITH CHECK (%s)", V(r, i, 7));
		dbw_buf_putc(&b, ';');
		o = dbw_schema__add(s, DBW_OBJ_POLICY, V(r, i, 0), V(r, i, 1), V(r, i, 2), NULL);
		if (o)
			dbw_schema__set_sql(o, dbw_buf_detach(&b));
		else
			dbw_buf_free(&b);
		if (!o || !o->sql || dbw_schema__attr(o, "mode", V(r, i, 3)) < 0 ||
		    dbw_schema__attr(o, "command", V(r, i, 4)) < 0 ||
		    dbw_schema__attr(o, "roles", V(r, i, 5)) < 0 ||
		    dbw_schema__attr(o, "using", V(r, i, 6)) < 0 ||
		    dbw_schema__attr(o, "with_check", V(r, i, 7)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

#define PUB_TAIL                                                                                   \
	" concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN"     \
	"  'update' END, CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN"    \
	"  'truncate' END),"                                                                       \
	" CASE WHEN p.pubviaroot THEN 'true' ELSE 'false' END, format('%I', p.pubname)"            \
	" FROM pg_publication p ORDER BY 1"

static int introspect_publications(dbw_schema *s, dbw_conn *c, dbw_error *err)
{
	dbw_result *r = NULL;
	int rc = dbw_schema__query(
	    c,
	    dbw_conn_server_version(c) >= 150000
	        ? "SELECT p.pubname, CASE WHEN p.puballtables THEN 'all tables' ELSE"
	          " (SELECT string_agg(x, ', ' ORDER BY x) FROM (SELECT format('TABLE %I.%I', "
	          "n.nspname,"
	          "  cl.relname) || COALESCE(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || "
	          "')',"
	          "  '') AS x"
	          "  FROM pg_publication_rel pr JOIN pg_class cl ON cl.oid = pr.prrelid"
	          "  JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE pr.prpubid = p.oid"
	          "  UNION ALL SELECT format('TABLES IN SCHEMA %I', n.nspname)"
	          "  FROM pg_publication_namespace pn"
	          "  JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid) t) "
	          "END," PUB_TAIL
	        /* before 15: no row filters, no TABLES IN SCHEMA */
	        : "SELECT p.pubname, CASE WHEN p.puballtables THEN 'all tables' ELSE"
	          " (SELECT string_agg(format('TABLE %I.%I', n.nspname, cl.relname), ', '"
	          "  ORDER BY 1) FROM pg_publication_rel pr JOIN pg_class cl ON cl.oid = pr.prrelid"
	          "  JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE pr.prpubid = p.oid) "
	          "END," PUB_TAIL,
	    &r, err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		const char *what = V(r, i, 1);
		char *sql =
		    dbw_sprintf("CREATE PUBLICATION %s%s%s WITH (publish = '%s', "
		                "publish_via_partition_root = %s);",
		                V(r, i, 4), what ? " FOR " : "",
		                what ? (strcmp(what, "all tables") == 0 ? "ALL TABLES" : what) : "",
		                V(r, i, 2), V(r, i, 3));
		dbw_schema_obj *o =
		    dbw_schema__add(s, DBW_OBJ_PUBLICATION, NULL, NULL, V(r, i, 0), NULL);
		if (o)
			dbw_schema__set_sql(o, sql);
		else
			free(sql);
		if (!o || !o->sql || dbw_schema__attr(o, "objects", what) < 0 ||
		    dbw_schema__attr(o, "publish", V(r, i, 2)) < 0 ||
		    dbw_schema__attr(o, "via_partition_root", V(r, i, 3)) < 0)
			rc = oom(err);
	}
	dbw_result_free(r);
	return rc;
}

/* Extended statistics (pg_get_statisticsobjdef) and rewrite rules other
 * than a view's own _RETURN rule (pg_get_ruledef). */
static int introspect_stats_rules(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	dbw_result *r = NULL;
	char *sql = dbw_sprintf(
	    "SELECT 's', n.nspname, cl.relname, st.stxname, "
	    "pg_get_statisticsobjdef(st.oid)"
	    " FROM pg_statistic_ext st JOIN pg_namespace n ON n.oid = "
	    "st.stxnamespace"
	    " JOIN pg_class cl ON cl.oid = st.stxrelid"
	    " WHERE " PG_NS_OK("n") " AND " PG_NOT_EXT(
	        "pg_statistic_ext",
	        "st.oid") " AND NOT (%s AND " PG_OWN_TABLE("cl.relname") ")"
	                                                                 " UNION ALL SELECT 'r', "
	                                                                 "n.nspname, cl.relname, "
	                                                                 "rw.rulename, "
	                                                                 "pg_get_ruledef(rw.oid)"
	                                                                 " FROM pg_rewrite rw JOIN "
	                                                                 "pg_class cl ON cl.oid = "
	                                                                 "rw.ev_class"
	                                                                 " JOIN pg_namespace n ON "
	                                                                 "n.oid = cl.relnamespace"
	                                                                 " WHERE rw.rulename <> "
	                                                                 "'_RETURN' AND " PG_NS_OK("n") " AND " PG_NOT_EXT(
	                                                                     "pg_class",
	                                                                     "cl.oid") " AND NOT "
	                                                                               "(%s "
	                                                                               "AND"
	                                                                               " " PG_OWN_TABLE(
	                                                                                   "cl."
	                                                                                   "relnam"
	                                                                                   "e") ")"
	                                                                                        " "
	                                                                                        "O"
	                                                                                        "R"
	                                                                                        "D"
	                                                                                        "E"
	                                                                                        "R"
	                                                                                        " "
	                                                                                        "B"
	                                                                                        "Y"
	                                                                                        " "
	                                                                                        "1"
	                                                                                        ","
	                                                                                        " "
	                                                                                        "2"
	                                                                                        ","
	                                                                                        " "
	                                                                                        "3"
	                                                                                        ","
	                                                                                        " "
	                                                                                        "4",
	    excl, excl);
	int rc = sql ? dbw_schema__query(c, sql, &r, err) : oom(err);
	for (size_t i = 0; rc == 0 && i < dbw_result_rows(r); i++) {
		int stat = V(r, i, 0)[0] == 's';
		char *def = trim_def(V(r, i, 4));
		size_t dl = def ? strlen(def) : 0;
		char *stmt =
		    def ? dbw_sprintf("%s%s", def, dl && def[dl - 1] == ';' ? "" : ";") : NULL;
		dbw_schema_obj *o = dbw_schema__add(s, stat ? DBW_OBJ_STATISTICS : DBW_OBJ_RULE,
		                                    V(r, i, 1), V(r, i, 2), V(r, i, 3), NULL);
		if (o)
			dbw_schema__set_sql(o, stmt);
		else
			free(stmt);
		if (!o || !o->sql || dbw_schema__attr(o, "definition", def) < 0)
			rc = oom(err);
		free(def);
	}
	dbw_result_free(r);
	free(sql);
	return rc;
}

int dbw_pg__introspect_code(dbw_schema *s, dbw_conn *c, const char *excl, dbw_error *err)
{
	int rc;
	if ((rc = introspect_functions(s, c, err)) < 0 || (rc = introspect_views(s, c, err)) < 0 ||
	    (rc = introspect_triggers(s, c, excl, err)) < 0 ||
	    (rc = introspect_event_triggers(s, c, err)) < 0 ||
	    (rc = introspect_policies(s, c, excl, err)) < 0 ||
	    (rc = introspect_publications(s, c, err)) < 0 ||
	    (rc = introspect_stats_rules(s, c, excl, err)) < 0)
		return rc;
	return 0;
}
