/*
 * pg_sql.h - SQL fragments the PostgreSQL catalog queries share: which
 * namespaces and objects the model leaves out (internal).
 */
#ifndef DBW_SCHEMA_PG_SQL_H
#define DBW_SCHEMA_PG_SQL_H

/* A user namespace: not the system ones nor a session's temporary ones. */
#define PG_NS_OK(n)                                                                                \
	"(" n ".nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND " n            \
	".nspname NOT LIKE 'pg\\_temp\\_%%' AND " n ".nspname NOT LIKE 'pg\\_toast\\_temp\\_%%')"

/* Not created by an extension's script (pg_depend deptype 'e'). */
#define PG_NOT_EXT(catalog, oid)                                                                   \
	"NOT EXISTS (SELECT 1 FROM pg_depend de WHERE de.classid = '" catalog                      \
	"'::regclass AND de.objid = " oid " AND de.deptype = 'e')"

/* A bookkeeping table of dbward or Prisma (history, seeds, stamp, audit). */
#define PG_OWN_TABLE(relname)                                                                      \
	"(" relname " LIKE 'dbward\\_%%' OR " relname " = '_prisma_migrations')"

#endif
