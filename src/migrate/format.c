/*
 * format.c - migration folder formats: their names, the file-name pattern of
 * each (dbward/dbmate, golang-migrate, Flyway, Prisma) and auto-detection
 * of a folder's format from the names it holds.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate/folder.h"

static const char *const format_names[] = {"auto",   "dbward",         "prisma",
                                           "dbmate", "golang-migrate", "flyway"};

const char *dbw_format_name(dbw_format f)
{
	if ((int)f < 0 || (size_t)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[f];
}

int dbw_format_parse(const char *name, dbw_format *out, dbw_error *err)
{
	*out = DBW_FORMAT_AUTO;
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (dbw_format)i;
			return 0;
		}
	}
	dbw_error_set(err, DBW_ECONFIG, "unknown migration format \"%s\"", name);
	dbw_error_hint(err,
	               "Set format = to one of auto, dbward, prisma, dbmate, golang-migrate or "
	               "flyway in [project].");
	return DBW_ECONFIG;
}

void dbw_fname__clear(dbw_fname *n)
{
	free(n->version);
	free(n->name);
	memset(n, 0, sizeof(*n));
}

static size_t digits(const char *s)
{
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* Flyway's version: digit runs separated by single '.' or '_'. */
static size_t flyway_version(const char *s)
{
	size_t n = digits(s), k;
	if (n == 0)
		return 0;
	while ((s[n] == '.' || s[n] == '_') && (k = digits(s + n + 1)) > 0)
		n += 1 + k;
	return n;
}

static int set_parts(dbw_fname *out, const char *v, size_t vlen, const char *name, size_t nlen)
{
	out->version = dbw_strndup(v, vlen);
	out->name = dbw_strndup(name, nlen);
	if (!out->version || !out->name) {
		dbw_fname__clear(out);
		return DBW_ENOMEM;
	}
	return 1;
}

static int parse_dbward(const char *f, dbw_fname *out)
{
	size_t n = strlen(f), d = digits(f);
	if (d == 0 || n < d + 4 || strcmp(f + n - 4, ".sql") != 0)
		return 0;
	if (n == d + 4) /* "0001.sql" */
		return set_parts(out, f, d, "", 0);
	if (f[d] != '_' && f[d] != '-') /* dbmate also takes "0001-name.sql" (supabase) */
		return 0;
	return set_parts(out, f, d, f + d + 1, n - 4 - d - 1);
}

static int parse_golang(const char *f, dbw_fname *out)
{
	static const char *const suffix[] = {".up.sql", ".down.sql", "_up.sql", "_down.sql"};
	size_t n = strlen(f), d = digits(f);
	if (d == 0 || f[d] != '_')
		return 0;
	for (int i = 0; i < 4; i++) {
		size_t sl = strlen(suffix[i]);
		/* the name may be empty ("1_.up.sql"), as golang-migrate's pattern allows */
		if (n >= d + 1 + sl && strcmp(f + n - sl, suffix[i]) == 0) {
			int rc = set_parts(out, f, d, f + d + 1, n - sl - d - 1);
			if (rc > 0)
				out->is_down = (i % 2) == 1;
			return rc;
		}
	}
	return 0;
}

static int parse_flyway(const char *f, dbw_fname *out)
{
	size_t n = strlen(f), v;
	const char *sep;
	if (n < 4 || strcmp(f + n - 4, ".sql") != 0)
		return 0;
	if (f[0] == 'R' && f[1] == '_' && f[2] == '_') { /* repeatable: no version */
		int rc = set_parts(out, "", 0, f + 3, n - 7);
		if (rc > 0)
			out->unsupported = 1;
		return rc;
	}
	if (f[0] != 'V' && f[0] != 'U')
		return 0;
	v = flyway_version(f + 1);
	sep = f + 1 + v;
	if (v == 0 || sep[0] != '_' || sep[1] != '_' || sep + 2 > f + n - 4)
		return 0;
	{
		int rc = set_parts(out, f + 1, v, sep + 2, (size_t)(f + n - 4 - (sep + 2)));
		if (rc > 0)
			out->unsupported = f[0] == 'U';
		return rc;
	}
}

static int parse_prisma(const char *f, dbw_fname *out)
{
	size_t d = digits(f);
	if (d == 0 || f[d] != '_' || f[d + 1] == '\0')
		return 0;
	return set_parts(out, f, d, f + d + 1, strlen(f + d + 1));
}

int dbw_fname__parse(dbw_format format, const char *file, dbw_fname *out)
{
	memset(out, 0, sizeof(*out));
	switch (format) {
	case DBW_FORMAT_DBWARD:
	case DBW_FORMAT_DBMATE:
		return parse_dbward(file, out);
	case DBW_FORMAT_GOLANG_MIGRATE:
		return parse_golang(file, out);
	case DBW_FORMAT_FLYWAY:
		return parse_flyway(file, out);
	case DBW_FORMAT_PRISMA:
		return parse_prisma(file, out);
	default:
		return 0;
	}
}

dbw_fkind dbw_fname__classify(const char *file)
{
	dbw_fname n;
	dbw_fkind k = DBW_FK_NONE;
	if (parse_golang(file, &n) > 0) {
		/* ".up.sql" is golang-migrate's own spelling; "_up.sql" might be a dbward name */
		k = dbw_str_endswith(file, ".up.sql") || dbw_str_endswith(file, ".down.sql")
		        ? DBW_FK_GOLANG
		        : DBW_FK_GOLANG_WEAK;
	} else if (parse_flyway(file, &n) > 0) {
		k = DBW_FK_FLYWAY;
	} else if (parse_dbward(file, &n) > 0) {
		k = DBW_FK_DBWARD;
	} else {
		return DBW_FK_NONE;
	}
	dbw_fname__clear(&n);
	return k;
}

void dbw_flisting__free(dbw_flisting *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].file);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

int dbw_flisting__read(dbw_flisting *out, const char *dir, dbw_error *err)
{
	dbw_strv names = DBW_STRV_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	out->prisma_lock = 0;
	rc = dbw_dir_list(dir, &names, err);
	if (rc < 0)
		goto done;
	out->items = calloc(names.count ? names.count : 1, sizeof(*out->items));
	if (!out->items) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < names.count; i++) {
		const char *nm = names.items[i];
		char *full;
		struct stat st;
		dbw_fkind kind;
		int empty_dir = 0;

		if (nm[0] == '.') /* .gitkeep, editor files */
			continue;
		if (strcmp(nm, "migration_lock.toml") == 0)
			out->prisma_lock = 1;
		full = dbw_path_join(dir, nm);
		if (!full) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *sql = dbw_path_join(full, "migration.sql");
			int has = sql && dbw_path_exists(sql);
			free(sql);
			free(full);
			kind = has ? DBW_FK_PRISMA : DBW_FK_NONE;
			empty_dir = !has;
		} else {
			free(full);
			if (!dbw_str_endswith(nm, ".sql"))
				continue; /* README.md, migration_lock.toml, ... */
			kind = dbw_fname__classify(nm);
		}
		out->items[out->count].file = names.items[i];
		names.items[i] = NULL;
		out->items[out->count].kind = kind;
		out->items[out->count].empty_dir = empty_dir;
		out->count++;
	}
done:
	dbw_strv_free(&names);
	if (rc < 0)
		dbw_flisting__free(out);
	return rc;
}

static const char *kind_format(dbw_fkind k)
{
	switch (k) {
	case DBW_FK_DBWARD:
		return "dbward";
	case DBW_FK_GOLANG:
		return "golang-migrate";
	case DBW_FK_FLYWAY:
		return "flyway";
	case DBW_FK_PRISMA:
		return "prisma";
	default:
		return "unknown";
	}
}

int dbw_flisting__detect(const dbw_flisting *l, const char *rel_dir, dbw_format *out,
                         dbw_error *err)
{
	/* first example file of each unambiguous kind */
	const char *first[DBW_FK_PRISMA + 1] = {NULL};
	const char *a = NULL, *b = NULL;
	dbw_fkind ka = DBW_FK_NONE, kb = DBW_FK_NONE;

	*out = DBW_FORMAT_DBWARD;
	for (size_t i = 0; i < l->count; i++)
		if (!l->items[i].empty_dir && !first[l->items[i].kind])
			first[l->items[i].kind] = l->items[i].file;
	if (l->prisma_lock && !first[DBW_FK_PRISMA])
		first[DBW_FK_PRISMA] = "migration_lock.toml";
	for (int k = DBW_FK_DBWARD; k <= DBW_FK_PRISMA; k++) {
		if (k == DBW_FK_GOLANG_WEAK || !first[k])
			continue;
		if (!a) {
			a = first[k];
			ka = (dbw_fkind)k;
		} else if (!b) {
			b = first[k];
			kb = (dbw_fkind)k;
		}
	}
	/* "_up.sql" files fit golang-migrate and dbward, nothing else */
	if (first[DBW_FK_GOLANG_WEAK] && a && !b && ka != DBW_FK_DBWARD && ka != DBW_FK_GOLANG) {
		b = first[DBW_FK_GOLANG_WEAK];
		kb = DBW_FK_GOLANG;
	}
	if (b) {
		dbw_error_set(err, DBW_ECONFIG,
		              "cannot tell the format of migrations folder \"%s\"", rel_dir);
		dbw_error_detail(err, "\"%s\" is a %s migration but \"%s\" is a %s one.", a,
		                 kind_format(ka), b, kind_format(kb));
		dbw_error_hint(err,
		               "Set format = in [project] of dbward.ini (dbward, prisma, dbmate, "
		               "golang-migrate or flyway), or move the other files away.");
		return DBW_ECONFIG;
	}
	switch (ka) {
	case DBW_FK_PRISMA:
		*out = DBW_FORMAT_PRISMA;
		break;
	case DBW_FK_FLYWAY:
		*out = DBW_FORMAT_FLYWAY;
		break;
	case DBW_FK_GOLANG:
		*out = DBW_FORMAT_GOLANG_MIGRATE;
		break;
	case DBW_FK_DBWARD:
		*out = DBW_FORMAT_DBWARD;
		break;
	default:
		*out = first[DBW_FK_GOLANG_WEAK] ? DBW_FORMAT_GOLANG_MIGRATE : DBW_FORMAT_DBWARD;
		break;
	}
	if (!a && !first[DBW_FK_GOLANG_WEAK] && first[DBW_FK_NONE]) {
		dbw_error_set(err, DBW_EINPUT, "cannot tell the format of migrations folder \"%s\"",
		              rel_dir);
		dbw_error_detail(err, "No file fits a migration file pattern, e.g. \"%s\".",
		                 first[DBW_FK_NONE]);
		dbw_error_hint(err,
		               "Name migrations <version>_<name>.sql (dbward), or set format = in "
		               "[project] of dbward.ini.");
		dbw_error_where(err, "%s/%s", rel_dir, first[DBW_FK_NONE]);
		return DBW_EINPUT;
	}
	return 0;
}
