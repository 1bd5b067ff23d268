/*
 * dbward/sum.h - dbward.sum, the integrity file beside the migrations.
 *
 * One line per migration, in folder order: its id, the SHA-256 of its file
 * (the checksum the history table records) and the fingerprint of its SQL
 * (dbw_sql_fingerprint: equal fingerprints mean only whitespace or comments
 * changed), then a "total" line: the SHA-256 of the ordered "id checksum"
 * lines. An edited, deleted or added migration, or two branches that each
 * added one (merged by git into conflict markers or into lines whose total
 * no longer adds up), fails verification with the file named, before
 * anything reaches a database. Atlas' atlas.sum is the model; dbward's also
 * says whether an edit is cosmetic.
 *
 *   # dbward.sum - regenerate with `dbward sum`; do not edit
 *   20240101120000 3a7bd3e2...  9f86d081...
 *   total 2c26b46b...
 */
#ifndef DBWARD_SUM_H
#define DBWARD_SUM_H

#include "error.h"
#include "db.h"
#include "migrate.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DBW_SUM_FILE "dbward.sum"

typedef enum dbw_sum_kind {
	DBW_SUM_EDITED = 1, /**< the file's bytes and its parse tree changed */
	DBW_SUM_COSMETIC,   /**< the bytes changed, the parse tree did not (whitespace, comments) */
	DBW_SUM_DELETED,    /**< recorded, gone from the folder */
	DBW_SUM_ADDED,      /**< in the folder, not recorded (run `dbward sum`) */
	DBW_SUM_OUT_OF_ORDER, /**< added, and sorts before migrations already recorded */
	DBW_SUM_DAMAGED       /**< the file itself: conflict markers, a bad line, a wrong total */
} dbw_sum_kind;

/** "edited", "cosmetic", "deleted", "added", "out-of-order", "damaged". */
const char *dbw_sum_kind_name(dbw_sum_kind k);

typedef struct dbw_sum_change {
	dbw_sum_kind kind;
	char *id;      /**< the migration's id, or NULL for DAMAGED */
	char *file;    /**< the migration's rel_path (NULL when deleted), or the sum file */
	int line;      /**< line of dbward.sum concerned, 0 when none */
	char *message; /**< lower case, no final period */
} dbw_sum_change;

typedef struct dbw_sum_report {
	char *path; /**< absolute path of dbward.sum */
	dbw_sum_change *items;
	size_t count;
} dbw_sum_report;

/**
 * The text of dbward.sum for a set (what `dbward sum` writes). dialect
 * chooses the parser for fingerprints; a migration the parser rejects gets
 * "-" (no cosmetic check for it). *text_out caller-owned.
 * @return 0; DBW_ENOMEM.
 */
int dbw_sum_render(const dbw_migration_set *set, dbw_db_kind dialect, char **text_out,
                   dbw_error *err);

/**
 * Write <set->dir>/dbward.sum (atomically). *path_out (may be NULL) gets
 * its absolute path, caller-owned.
 * @return 0; DBW_EIO; DBW_ENOMEM.
 */
int dbw_sum_write(const dbw_migration_set *set, dbw_db_kind dialect, char **path_out,
                  dbw_error *err);

/**
 * Verify <set->dir>/dbward.sum against the folder. *out (may be NULL)
 * receives every change found, also on DBW_EHISTORY; caller frees with
 * dbw_sum_report_free.
 * @return 0 when it matches; DBW_EHISTORY when it does not (err's message
 *         names the first migration changed, its detail says whether the
 *         change is cosmetic, its where is the migration's file);
 *         DBW_ENOTFOUND when there is no dbward.sum (hint: dbward sum);
 *         DBW_EIO; DBW_ENOMEM.
 */
int dbw_sum_verify(const dbw_migration_set *set, dbw_db_kind dialect, dbw_sum_report **out,
                   dbw_error *err);

/** Free a report; NULL is accepted. */
void dbw_sum_report_free(dbw_sum_report *r);

#ifdef __cplusplus
}
#endif
#endif
