/*
 * scaffold.c - `dbward init`: a new project's dbward.ini template, folders,
 * .env.example and ignore rules. Idempotent: an existing file is never
 * overwritten, and .gitignore only gains the rules it lacks.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static const char ini_template[] =
    "; dbward.ini - which database each environment uses, and how it is protected.\n"
    ";\n"
    "; Without a url below, an environment uses <PREFIX>_DATABASE_URL (DEV_, TEST_,\n"
    "; STAGING_), else DATABASE_URL, from the process environment or the dotenv\n"
    "; cascade (.env, .env.local, .env.<env>, .env.<env>.local; the process wins).\n"
    "; Development falls back to SQLite at db/development.sqlite3.\n"
    "; `dbward env --explain` shows which source won and what it shadowed.\n"
    "\n"
    "[project]\n"
    "migrations = %s\n"
    "seeds = db/seeds\n"
    "format = %s\n"
    "env_vars = DATABASE_ENV, NODE_ENV   ; the first one set names the environment\n"
    "\n"
    "[env.development]\n"
    "; url = ${DEV_DATABASE_URL}\n"
    "\n"
    "[env.test]\n"
    "; url = ${TEST_DATABASE_URL}\n"
    "\n"
    "[env.staging]\n"
    "; url = ${STAGING_DATABASE_URL}\n"
    "; direct_url = ${STAGING_DIRECT_URL}   ; migrations use it (bypasses poolers)\n"
    "\n"
    "[env.production]\n"
    "; url = ${DATABASE_URL}\n"
    "; direct_url = ${DIRECT_URL}\n"
    "protected = true                      ; destructive commands are refused\n"
    "; expect_database = *prod*            ; the live database name must match\n"
    "; backup_dir = backups/production\n"
    "; lock_timeout = 5s\n"
    "; connect_timeout = 5s\n";

static const char env_example[] =
    "# Variables dbward reads. Copy what you need to .env.local (never committed)\n"
    "# or to .env.<environment>.local, and fill in real values there.\n"
    "# The process environment wins over every file.\n"
    "\n"
    "# DATABASE_ENV=development\n"
    "# DEV_DATABASE_URL=postgres://USER@localhost:5432/app_development\n"
    "# TEST_DATABASE_URL=postgres://USER@localhost:5432/app_test\n"
    "# STAGING_DATABASE_URL=\n"
    "# DATABASE_URL=\n"
    "# DIRECT_URL=\n";

static const char *const ignore_rules[] = {".env.local", ".env.*.local", "db/*.sqlite3",
                                           "backups/"};

static int add_item(dbw_scaffold_result *r, const char *path, dbw_scaffold_action action, int added)
{
	dbw_scaffold_item *n = realloc(r->items, (r->count + 1) * sizeof(*n));
	if (!n)
		return DBW_ENOMEM;
	r->items = n;
	n[r->count].path = strdup(path);
	n[r->count].action = action;
	n[r->count].added = added;
	if (!n[r->count].path)
		return DBW_ENOMEM;
	r->count++;
	return 0;
}

static int make_file(dbw_scaffold_result *r, const char *dir, const char *rel, const char *text,
                     dbw_error *err)
{
	char *path = dbw_path_join(dir, rel);
	int rc = 0;
	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (dbw_path_exists(path)) {
		rc = add_item(r, rel, DBW_SCAFFOLD_KEPT, 0);
	} else {
		rc = dbw_file_write(path, text, strlen(text), 0644, err);
		if (rc == 0)
			rc = add_item(r, rel, DBW_SCAFFOLD_CREATED, 0);
	}
	free(path);
	if (rc == DBW_ENOMEM)
		dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return rc;
}

static int make_dir(dbw_scaffold_result *r, const char *dir, const char *rel, dbw_error *err)
{
	char *path = dbw_path_join(dir, rel), *shown = dbw_sprintf("%s/", rel);
	int rc = 0;
	if (!path || !shown) {
		free(path);
		free(shown);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	if (dbw_path_is_dir(path)) {
		rc = add_item(r, shown, DBW_SCAFFOLD_KEPT, 0);
	} else {
		rc = dbw_mkdir_p(path, 0755, err);
		if (rc == 0)
			rc = add_item(r, shown, DBW_SCAFFOLD_CREATED, 0);
	}
	free(path);
	free(shown);
	if (rc == DBW_ENOMEM)
		dbw_error_set(err, DBW_ENOMEM, "out of memory");
	return rc;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len == n && !strncmp(s, line, n))
			return 1;
		s = nl ? nl + 1 : NULL;
	}
	return 0;
}

static int ignore_file(dbw_scaffold_result *r, const char *dir, dbw_error *err)
{
	char *path = dbw_path_join(dir, ".gitignore"), *old = NULL;
	dbw_buf b = DBW_BUF_INIT;
	int rc = 0, added = 0, existed;

	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	existed = dbw_path_exists(path);
	if (existed && (rc = dbw_file_read(path, &old, NULL, err)) < 0)
		goto done;
	dbw_buf_puts(&b, old ? old : "");
	for (size_t i = 0; i < sizeof(ignore_rules) / sizeof(ignore_rules[0]); i++) {
		if (old && has_line(old, ignore_rules[i]))
			continue;
		if (!added) {
			if (b.len && b.data[b.len - 1] != '\n')
				dbw_buf_putc(&b, '\n');
			dbw_buf_puts(&b, b.len ? "\n# dbward: local secrets, databases, backups\n"
			                       : "# dbward: local secrets, databases, backups\n");
		}
		dbw_buf_printf(&b, "%s\n", ignore_rules[i]);
		added++;
	}
	if (b.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (added && (rc = dbw_file_write(path, b.data, b.len, 0644, err)) < 0)
		goto done;
	rc = add_item(r, ".gitignore",
	              !added    ? DBW_SCAFFOLD_KEPT
	              : existed ? DBW_SCAFFOLD_UPDATED
	                        : DBW_SCAFFOLD_CREATED,
	              added);
	if (rc == DBW_ENOMEM)
		dbw_error_set(err, DBW_ENOMEM, "out of memory");
done:
	dbw_buf_free(&b);
	free(old);
	free(path);
	return rc;
}

int dbw_project_scaffold(const char *dir, const char *format, dbw_scaffold_result **out,
                         dbw_error *err)
{
	dbw_scaffold_result *r;
	const char *migrations;
	char *ini = NULL;
	int rc;

	*out = NULL;
	if (!format)
		format = "auto";
	if (!dbw_config__format_known(format)) {
		dbw_error_set(err, DBW_EUSAGE, "unknown migration format \"%s\"", format);
		dbw_error_hint(
		    err, "Use one of auto, dbward, prisma, dbmate, golang-migrate or flyway.");
		return DBW_EUSAGE;
	}
	migrations = strcmp(format, "prisma") ? "db/migrations" : "prisma/migrations";
	r = calloc(1, sizeof(*r));
	ini = dbw_sprintf(ini_template, migrations, format);
	if (!r || !ini) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = make_file(r, dir, "dbward.ini", ini, err)) < 0 ||
	    (rc = make_dir(r, dir, migrations, err)) < 0 ||
	    (rc = make_dir(r, dir, "db/seeds/shared", err)) < 0 ||
	    (rc = make_file(r, dir, ".env.example", env_example, err)) < 0 ||
	    (rc = ignore_file(r, dir, err)) < 0)
		goto done;
done:
	free(ini);
	if (rc < 0)
		dbw_scaffold_result_free(r);
	else
		*out = r;
	return rc;
}

void dbw_scaffold_result_free(dbw_scaffold_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		free(r->items[i].path);
	free(r->items);
	free(r);
}
