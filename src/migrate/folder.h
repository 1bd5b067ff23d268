/*
 * folder.h - helpers shared by the migration-folder files of src/migrate
 * (format.c, folder.c, read_sections.c, new.c). Internal.
 */
#ifndef DBW_MIGRATE_FOLDER_H
#define DBW_MIGRATE_FOLDER_H

#include <dbward/migrate.h>
#include "util/util.h"

/* What a folder entry's name says about it. */
typedef enum dbw_fkind {
	DBW_FK_NONE = 0,    /* fits no migration pattern */
	DBW_FK_DBWARD,      /* <digits>[_-]<name>.sql (dbward and dbmate) */
	DBW_FK_GOLANG,      /* <digits>_<name>.up.sql / .down.sql */
	DBW_FK_GOLANG_WEAK, /* <digits>_<name>_up.sql / _down.sql: golang-migrate or a dbward name
	                     */
	DBW_FK_FLYWAY,      /* V<version>__<name>.sql, R__<name>.sql, U<version>__<name>.sql */
	DBW_FK_PRISMA       /* a <version>_<name>/ folder holding migration.sql */
} dbw_fkind;

/* A file name parsed under one format. Strings heap-owned by the caller. */
typedef struct dbw_fname {
	char *version;
	char *name;
	int is_down;     /* golang-migrate's down file */
	int unsupported; /* Flyway repeatable (R__) or undo (U) migration */
} dbw_fname;

void dbw_fname__clear(dbw_fname *n);

/* Classify a plain file name (not a folder). */
dbw_fkind dbw_fname__classify(const char *file);

/*
 * Parse a file name under format (DBWARD/DBMATE, GOLANG_MIGRATE, FLYWAY) or a
 * Prisma folder name (PRISMA). @return 1 when it fits, 0 when not, DBW_ENOMEM.
 */
int dbw_fname__parse(dbw_format format, const char *file, dbw_fname *out);

/* One entry of a migrations folder, classified. */
typedef struct dbw_fentry {
	char *file;     /* the entry's name in the folder */
	dbw_fkind kind; /* DBW_FK_NONE for a .sql file that fits nothing */
	int empty_dir;  /* a sub-folder without migration.sql (kind NONE): refused in Prisma
	                   folders, ignored in the others */
} dbw_fentry;

typedef struct dbw_flisting {
	dbw_fentry *items; /* the .sql files and the Prisma folders, name order */
	size_t count;
	int prisma_lock; /* migration_lock.toml is there: Prisma's, even with no migration yet */
} dbw_flisting;

void dbw_flisting__free(dbw_flisting *l);

/* List and classify dir's entries (hidden and non-.sql files are skipped). */
int dbw_flisting__read(dbw_flisting *out, const char *dir, dbw_error *err);

/*
 * The folder's format from its entries: DBW_ECONFIG for a mixture (naming
 * two example files), DBW_EINPUT when a .sql file fits no format at all.
 * An empty folder is dbward's.
 */
int dbw_flisting__detect(const dbw_flisting *l, const char *rel_dir, dbw_format *out,
                         dbw_error *err);

/*
 * Split a dbward/dbmate file into its -- migrate:up / -- migrate:down
 * sections (DESIGN.md "Migration folders"; dbmate's rules, see
 * read_sections.c). Fills up_offset/up_len, down_sql/down_offset and
 * no_transaction of m from m->content. DBW_EINPUT (where = file:line).
 */
int dbw_migration__read_sections(dbw_migration *m, dbw_error *err);

/* A "-- dbward:no-transaction" line anywhere in m->content (the formats without sections). */
int dbw_migration__scan_marker(const dbw_migration *m);

#endif
