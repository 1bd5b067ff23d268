/*
 * dbward/error.h - return codes and the caller-owned error record.
 *
 * Every fallible libdbward function returns 0 or a negative DBW_E* code and,
 * when given a non-NULL dbw_error, fills it with a message, detail and hint in
 * the style of PostgreSQL's error reports (message lower case with no final
 * period; detail and hint whole sentences). The record never holds a password.
 */
#ifndef DBWARD_ERROR_H
#define DBWARD_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return codes. Each maps to one exit status of the dbward command (see dbw_exit_status). */
enum {
	DBW_OK = 0,
	DBW_ERROR = -1,    /**< runtime failure not covered below (exit 1) */
	DBW_ENOMEM = -2,   /**< out of memory (exit 1) */
	DBW_EIO = -3,      /**< file or process I/O failed (exit 1) */
	DBW_ECONNECT = -4, /**< could not connect to the database (exit 1) */
	DBW_ESQL = -5,     /**< the database rejected a statement (exit 1) */
	DBW_EUSAGE = -6,   /**< bad arguments (exit 2) */
	DBW_ECONFIG = -7,  /**< bad or missing configuration, e.g. a malformed URL (exit 2) */
	DBW_EINPUT =
	    -8, /**< bad input file: duplicate version, empty or binary migration (exit 2) */
	DBW_ENOTFOUND =
	    -9, /**< a named thing (environment, migration, file) does not exist (exit 2) */
	DBW_EPOLICY =
	    -10, /**< refused by policy: protected environment, identity, confirmation (exit 3) */
	DBW_EPENDING = -11, /**< pending migrations, reported with --exit-code (exit 4) */
	DBW_EDRIFT = -12,   /**< drift or schema difference (exit 5) */
	DBW_EHISTORY =
	    -13,         /**< failed, modified or missing migration; broken dbward.sum (exit 6) */
	DBW_ELINT = -14, /**< error-level lint findings (exit 7) */
	DBW_ELOCK = -15  /**< lock not acquired in time (exit 8) */
};

/**
 * An error record, owned by the caller. Initialise with DBW_ERROR_INIT and
 * release the strings with dbw_error_clear(). Functions that fail set it where
 * the failure happens; callers pass it up unchanged.
 */
typedef struct dbw_error {
	int code;         /**< the DBW_E* code, 0 when no error is recorded */
	char sqlstate[6]; /**< SQLSTATE from the database, "" when none */
	char *message;    /**< primary message: lower case, no final period */
	char *detail;     /**< the facts, a whole sentence, or NULL */
	char *hint;       /**< what to do about it, a whole sentence, or NULL */
	char *where;      /**< location, e.g. "db/migrations/1_x.sql:12:5", or NULL */
	long offset;      /**< byte offset (0-based) of the error in the SQL text sent, or -1 */
} dbw_error;

#define DBW_ERROR_INIT                                                                             \
	{                                                                                          \
		0, {0, 0, 0, 0, 0, 0}, NULL, NULL, NULL, NULL, -1                                  \
	}

/**
 * Record an error. err may be NULL (then only the code is returned). Replaces
 * any message recorded before and clears detail, hint, where and sqlstate.
 * @return code, so that `return dbw_error_set(err, DBW_EIO, ...);` reads well.
 */
int dbw_error_set(dbw_error *err, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Set the detail sentence of err (NULL err: no-op). */
void dbw_error_detail(dbw_error *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Set the hint sentence of err (NULL err: no-op). */
void dbw_error_hint(dbw_error *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Set the location of err, e.g. "file.sql:3:7" (NULL err: no-op). */
void dbw_error_where(dbw_error *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Free the strings of err and reset it to DBW_ERROR_INIT. err may be NULL. */
void dbw_error_clear(dbw_error *err);

/** Move src into dst (dst cleared first; src reset). Both non-NULL. */
void dbw_error_move(dbw_error *dst, dbw_error *src);

/** A short stable name for a code: "ok", "io", "connect", "policy", ... */
const char *dbw_error_name(int code);

/**
 * The exit status of the dbward command for a code (DESIGN.md "Exit codes"):
 * 0 ok; 1 runtime; 2 usage or configuration; 3 policy; 4 pending; 5 drift;
 * 6 history; 7 lint; 8 lock.
 */
int dbw_exit_status(int code);

/**
 * Of two codes, the one whose exit status is more severe for a check that
 * found several problems (DESIGN.md: 6 before 5 before 4; otherwise the
 * higher status). Used to fold the outcome of multi-problem reports.
 */
int dbw_error_worst(int a, int b);

#ifdef __cplusplus
}
#endif
#endif
