/*
 * new.c - dbw_migration_new: a new, empty migration in the folder's format
 * with a UTC timestamp version that sorts after every existing one.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate/folder.h"

/* Lower case, [a-z0-9_] only, runs of anything else become one '_'. NULL: nothing left. */
static char *sanitise(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isalnum(c) && c < 0x80)
			s[o++] = (char)tolower(c);
		else if (o > 0 && s[o - 1] != '_')
			s[o++] = '_';
	}
	while (o > 0 && s[o - 1] == '_')
		o--;
	s[o] = '\0';
	return s;
}

/* The version: now (UTC, YYYYmmddHHMMSS), or one past the newest 14-digit version there. */
static int64_t next_version(const dbw_flisting *l)
{
	time_t now = time(NULL);
	struct tm tm;
	int64_t v;
	gmtime_r(&now, &tm);
	v = (int64_t)(tm.tm_year + 1900) * 10000000000LL + (int64_t)(tm.tm_mon + 1) * 100000000LL +
	    (int64_t)tm.tm_mday * 1000000LL + tm.tm_hour * 10000LL + tm.tm_min * 100LL + tm.tm_sec;
	for (size_t i = 0; i < l->count; i++) {
		const char *f = l->items[i].file;
		size_t d = 0;
		if (*f == 'V')
			f++;
		while (isdigit((unsigned char)f[d]))
			d++;
		if (d == 14) {
			int64_t x = strtoll(f, NULL, 10);
			if (x >= v)
				v = x + 1; /* two `new` in one second must not share a version */
		}
	}
	return v;
}

static int create_file(const char *path, const char *text, dbw_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t off = 0, len = strlen(text);
	if (fd < 0) {
		int e = errno;
		dbw_error_set(err, DBW_EIO, "could not create migration file \"%s\": %s", path,
		              strerror(e));
		if (e == EEXIST)
			dbw_error_hint(err, "dbward never overwrites a migration. Run the command "
			                    "again for a new timestamp.");
		return DBW_EIO;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			dbw_error_set(err, DBW_EIO, "could not write migration file \"%s\": %s",
			              path, strerror(errno));
			close(fd);
			unlink(path);
			return DBW_EIO;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		dbw_error_set(err, DBW_EIO, "could not write migration file \"%s\": %s", path,
		              strerror(errno));
		unlink(path);
		return DBW_EIO;
	}
	return 0;
}

int dbw_migration_new(const char *dir, dbw_format format, const char *name, char **path_out,
                      dbw_error *err)
{
	dbw_flisting l = {NULL, 0, 0};
	char *safe = NULL, *file = NULL, *path = NULL, *down = NULL, *sub = NULL;
	int64_t v;
	int rc = 0;

	*path_out = NULL;
	safe = sanitise(name ? name : "");
	if (!safe) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (!*safe) {
		rc = dbw_error_set(err, DBW_EUSAGE, "invalid migration name \"%s\"",
		                   name ? name : "");
		dbw_error_detail(err, "The name has no letters or digits.");
		dbw_error_hint(err, "Name the change in words, e.g. dbward new add_users_table.");
		goto done;
	}
	rc = dbw_mkdir_p(dir, 0755, err);
	if (rc < 0)
		goto done;
	rc = dbw_flisting__read(&l, dir, err);
	if (rc < 0)
		goto done;
	if (format == DBW_FORMAT_AUTO) {
		rc = dbw_flisting__detect(&l, dir, &format, err);
		if (rc < 0)
			goto done;
	}
	v = next_version(&l);
	switch (format) {
	case DBW_FORMAT_GOLANG_MIGRATE:
		file = dbw_sprintf("%" PRId64 "_%s.up.sql", v, safe);
		down = dbw_sprintf("%s/%" PRId64 "_%s.down.sql", dir, v, safe);
		break;
	case DBW_FORMAT_FLYWAY:
		file = dbw_sprintf("V%" PRId64 "__%s.sql", v, safe);
		break;
	case DBW_FORMAT_PRISMA:
		sub = dbw_sprintf("%s/%" PRId64 "_%s", dir, v, safe);
		file = dbw_sprintf("%" PRId64 "_%s/migration.sql", v, safe);
		break;
	default:
		file = dbw_sprintf("%" PRId64 "_%s.sql", v, safe);
		break;
	}
	path = file ? dbw_path_join(dir, file) : NULL;
	if (!path || (format == DBW_FORMAT_GOLANG_MIGRATE && !down) ||
	    (format == DBW_FORMAT_PRISMA && !sub)) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (sub && mkdir(sub, 0755) != 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not create directory \"%s\": %s", sub,
		                   strerror(errno));
		goto done;
	}
	switch (format) {
	case DBW_FORMAT_GOLANG_MIGRATE:
		rc = create_file(path, "-- Write the up migration's SQL here.\n", err);
		if (rc == 0 &&
		    (rc = create_file(down, "-- Write the down migration's SQL here.\n", err)) < 0)
			unlink(path);
		break;
	case DBW_FORMAT_FLYWAY:
		rc = create_file(path, "-- Write the migration's SQL here.\n", err);
		break;
	case DBW_FORMAT_PRISMA:
		/* the text `prisma migrate dev --create-only` writes for an empty migration */
		rc = create_file(path, "-- This is an empty migration.\n", err);
		if (rc < 0)
			rmdir(sub);
		break;
	default:
		rc = create_file(path, "-- migrate:up\n\n\n-- migrate:down\n\n", err);
		break;
	}
	if (rc == 0) {
		*path_out = path;
		path = NULL;
	}
done:
	dbw_flisting__free(&l);
	free(safe);
	free(file);
	free(path);
	free(down);
	free(sub);
	return rc;
}
