/*
 * sqlite_backup.c - SQLite's online backup API and integrity check on
 * database files, for verified backups and restores (src/policy/backup.c).
 * Works on file paths with connections of its own, so it never disturbs the
 * state of a dbw_conn the caller holds open on the same file.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "driver/tools.h"

static int fail(sqlite3 *db, dbw_error *err, const char *what, const char *path)
{
	dbw_error_set(err, DBW_EIO, "could not %s \"%s\"", what, path);
	if (db)
		dbw_error_detail(err, "SQLite said: %s.", sqlite3_errmsg(db));
	return DBW_EIO;
}

int dbw_sqlite__backup_file(const char *src_path, const char *dst_path, dbw_error *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *bk = NULL;
	int rc = 0, src_rc;

	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = fail(src, err, "open SQLite database", src_path);
		goto done;
	}
	sqlite3_busy_timeout(src, 5000);
	if (sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = fail(dst, err, "create SQLite database", dst_path);
		goto done;
	}
	sqlite3_busy_timeout(dst, 5000);
	bk = sqlite3_backup_init(dst, "main", src, "main");
	if (!bk) {
		rc = fail(dst, err, "start a backup into", dst_path);
		goto done;
	}
	/* Copy in steps so that a writer elsewhere is not starved; BUSY and
	 * LOCKED mean "try again" (sqlite.org/backup.html). */
	for (;;) {
		src_rc = sqlite3_backup_step(bk, 256);
		if (src_rc == SQLITE_DONE)
			break;
		if (src_rc == SQLITE_OK)
			continue;
		if (src_rc == SQLITE_BUSY || src_rc == SQLITE_LOCKED) {
			sqlite3_sleep(50);
			continue;
		}
		break;
	}
	if (sqlite3_backup_finish(bk) != SQLITE_OK || src_rc != SQLITE_DONE) {
		bk = NULL;
		rc = fail(dst, err, "copy SQLite database into", dst_path);
		goto done;
	}
	bk = NULL;
done:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

int dbw_sqlite__integrity_check(const char *path, dbw_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	const char *answer;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = fail(db, err, "open SQLite database", path);
		goto done;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(db, err, "check the integrity of", path);
		goto done;
	}
	answer = (const char *)sqlite3_column_text(st, 0);
	if (!answer || strcmp(answer, "ok") != 0) {
		rc = dbw_error_set(err, DBW_EIO, "backup \"%s\" failed its integrity check", path);
		dbw_error_detail(err, "PRAGMA integrity_check said: %s.",
		                 answer ? answer : "nothing");
	}
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
