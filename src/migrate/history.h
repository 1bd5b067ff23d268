/*
 * history.h - the history table behind status and deploy (internal).
 *
 * Two flavours: dbward_migrations (every format but Prisma) and Prisma's
 * _prisma_migrations, written exactly as Prisma writes it so that both tools
 * agree about one database. Both reduce to the same rows here.
 */
#ifndef DBW_MIGRATE_HISTORY_H
#define DBW_MIGRATE_HISTORY_H

#include <dbward/migrate.h>

#define DBW_HISTORY_TABLE       "dbward_migrations"
#define DBW_PRISMA_TABLE        "_prisma_migrations"
#define DBW_PRISMA_FINGERPRINTS "dbward_prisma_fingerprints"

typedef enum dbw_hstate {
	DBW_H_APPLIED = 0,
	DBW_H_FAILED,     /* failed outside a transaction: may be partial, needs resolve */
	DBW_H_ROLLED_BACK /* failed inside a transaction (nothing remains) or resolved --rolled-back
	                   */
} dbw_hstate;

/* One migration's history, reduced over all its rows (Prisma keeps one row
 * per attempt). */
typedef struct dbw_hrow {
	char *id;
	char *checksum;
	char *fingerprint; /* NULL when unknown */
	dbw_hstate state;
	char *applied_at;  /* finished_at, or started_at for failures */
	long execution_ms; /* -1 unknown */
	char *logs;        /* failure record, or NULL */
} dbw_hrow;

typedef struct dbw_history {
	int prisma;
	int exists;
	dbw_hrow *rows; /* in the order first recorded */
	size_t count;
	dbw_hrow **by_id; /* rows sorted by id, for lookups in O(log n); NULL while loading */
} dbw_history;

int dbw_history__is_prisma(const dbw_migration_set *set);
int dbw_history__ensure(dbw_conn *c, int prisma, dbw_error *err);
int dbw_history__load(dbw_conn *c, int prisma, dbw_history *out, dbw_error *err);
void dbw_history__free(dbw_history *h);
const dbw_hrow *dbw_history__find(const dbw_history *h, const char *id);

/* Whether one migration is recorded applied, reading only its rows. */
int dbw_history__is_applied(dbw_conn *c, int prisma, const char *id, int *yes, dbw_error *err);

/* Record m applied (replacing any failure record). Runs in the caller's transaction. */
int dbw_history__record_applied(dbw_conn *c, int prisma, const dbw_migration *m,
                                const char *fingerprint, int64_t started_ms, long execution_ms,
                                const char *actor, dbw_error *err);
/* Record a failure: state FAILED (needs resolve) or ROLLED_BACK (retryable), with logs. */
int dbw_history__record_failure(dbw_conn *c, int prisma, const dbw_migration *m,
                                const char *fingerprint, dbw_hstate state, int64_t started_ms,
                                const char *logs, const char *actor, dbw_error *err);
/* Remove m's history (a rollback). Runs in the caller's transaction. */
int dbw_history__forget(dbw_conn *c, int prisma, const dbw_migration *m, dbw_error *err);

/* For resolve: set the state of a failed record. */
int dbw_history__settle(dbw_conn *c, int prisma, const dbw_migration *m, int applied,
                        const char *actor, dbw_error *err);

#endif
