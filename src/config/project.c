/*
 * project.c - finding and loading dbward.ini: the upward search from the
 * working directory (as git finds .git), parsing with libinih while keeping
 * each setting's line, and the [project] defaults of DESIGN.md
 * "Configuration" (migrations, seeds, format, env_vars, known environments).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>

#include "config/config_internal.h"

static const char *const builtin_envs[] = {"development", "test", "staging", "production"};

/* libinih parse state: the text, where the reader stands, what went wrong. */
typedef struct ini_state {
	dbw_project *p;
	const char *text, *pos;
	int line;
	int indented;      /* the current line starts with a blank (a continuation to inih) */
	int too_long_line; /* first line longer than inih's buffer, 0 if none */
	int bad_line;      /* first line the handler refused, 0 if none */
	const char *bad_what;
	int oom;
} ini_state;

/* An fgets() over memory that counts lines, so the handler knows where it is
 * (Debian builds libinih without INI_HANDLER_LINENO). */
static char *read_line(char *str, int num, void *stream)
{
	ini_state *st = stream;
	const char *nl;
	size_t len;

	if (!*st->pos)
		return NULL;
	st->line++;
	st->indented = *st->pos == ' ' || *st->pos == '\t';
	nl = strchr(st->pos, '\n');
	len = nl ? (size_t)(nl - st->pos + 1) : strlen(st->pos);
	if (len > (size_t)num - 1) {
		if (!st->too_long_line)
			st->too_long_line = st->line;
		memcpy(str, st->pos, (size_t)num - 2);
		str[num - 2] = '\n';
		str[num - 1] = '\0';
	} else {
		memcpy(str, st->pos, len);
		str[len] = '\0';
	}
	st->pos += len;
	return str;
}

static int valid_env_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static int on_setting(void *user, const char *section, const char *name, const char *value)
{
	ini_state *st = user;
	dbw_project *p = st->p;
	dbw_setting *s;

	if (!strncmp(section, "env.", 4) && !valid_env_name(section + 4)) {
		if (!st->bad_line) {
			st->bad_line = st->line;
			st->bad_what = "invalid environment name in section header";
		}
		return 0;
	}
	if (!*section) {
		if (!st->bad_line) {
			st->bad_line = st->line;
			st->bad_what = "setting outside of a section";
		}
		return 0;
	}
	if (st->indented && p->n_settings) {
		/* libinih hands an indented line over as a continuation of the key
		 * above it (INI_ALLOW_MULTILINE): join it, as Python's configparser does. */
		s = &p->settings[p->n_settings - 1];
		if (!strcmp(s->section, section) && !strcmp(s->key, name)) {
			char *joined = dbw_sprintf("%s\n%s", s->value, value);
			if (!joined) {
				st->oom = 1;
				return 0;
			}
			free(s->value);
			s->value = joined;
			return 1;
		}
	}
	if (p->n_settings == p->cap_settings) {
		size_t cap = p->cap_settings ? p->cap_settings * 2 : 16;
		dbw_setting *n = realloc(p->settings, cap * sizeof(*n));
		if (!n) {
			st->oom = 1;
			return 0;
		}
		p->settings = n;
		p->cap_settings = cap;
	}
	s = &p->settings[p->n_settings];
	s->section = strdup(section);
	s->key = strdup(name);
	s->value = strdup(value);
	s->line = st->line;
	if (!s->section || !s->key || !s->value) {
		free(s->section);
		free(s->key);
		free(s->value);
		st->oom = 1;
		return 0;
	}
	p->n_settings++;
	return 1;
}

static int parse_ini(dbw_project *p, dbw_error *err)
{
	ini_state st;
	char *text = NULL;
	int rc, bad;

	memset(&st, 0, sizeof(st));
	rc = dbw_file_read(p->config_path, &text, NULL, err);
	if (rc < 0)
		return rc;
	st.p = p;
	st.text = st.pos = text;
	bad = ini_parse_stream(read_line, &st, on_setting, &st);
	if (st.oom) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	} else if (st.too_long_line && (!bad || st.too_long_line <= bad)) {
		rc =
		    dbw_error_set(err, DBW_ECONFIG, "could not parse \"%s\" line %d: line too long",
		                  p->config_path, st.too_long_line);
		dbw_error_where(err, "%s:%d", p->config_path, st.too_long_line);
		dbw_error_hint(err,
		               "Keep lines of dbward.ini under %d characters; put long URLs in "
		               "a variable and write url = ${NAME}.",
		               INI_MAX_LINE - 1);
	} else if (bad) {
		const char *what = bad == st.bad_line && st.bad_what
		                       ? st.bad_what
		                       : "expected [section] or key = value";
		rc = dbw_error_set(err, DBW_ECONFIG, "could not parse \"%s\" line %d: %s",
		                   p->config_path, bad, what);
		dbw_error_where(err, "%s:%d", p->config_path, bad);
		dbw_error_hint(err, "dbward.ini holds [section] headers and key = value lines; "
		                    "comments start with ; or #.");
	}
	free(text);
	return rc;
}

/* The first folder from start upward holding dbward.ini; NULL if none. */
static char *find_config(const char *start)
{
	char *dir = strdup(start);
	while (dir) {
		char *cand = dbw_path_join(dir, "dbward.ini");
		char *slash;
		if (!cand)
			break;
		if (dbw_path_exists(cand) && !dbw_path_is_dir(cand)) {
			free(dir);
			return cand;
		}
		free(cand);
		if (!strcmp(dir, "/"))
			break;
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return dbw_strndup(path, (size_t)(slash - path));
}

const dbw_setting *dbw_project__find(const dbw_project *p, const char *section, const char *key)
{
	for (size_t i = p->n_settings; i-- > 0;)
		if (!strcmp(p->settings[i].section, section) && !strcmp(p->settings[i].key, key))
			return &p->settings[i];
	return NULL;
}

char *const *dbw_project__environ(const dbw_project *p)
{
	extern char **environ;
	return p->environ ? p->environ : environ;
}

static char *under_root(const dbw_project *p, const char *rel)
{
	return dbw_path_join(p->root, rel);
}

/* migrations = db/migrations, or the folder another tool already uses. */
static char *default_migrations(const dbw_project *p)
{
	char *db = under_root(p, "db/migrations"), *alt;
	if (!db || dbw_path_is_dir(db))
		return db;
	alt = under_root(p, "prisma/migrations");
	if (alt && dbw_path_is_dir(alt))
		goto take;
	free(alt);
	alt = under_root(p, "migrations");
	if (alt && dbw_path_is_dir(alt))
		goto take;
	free(alt);
	return db;
take:
	free(db);
	return alt;
}

static const char *const formats[] = {"auto",   "dbward",         "prisma",
                                      "dbmate", "golang-migrate", "flyway"};

int dbw_config__format_known(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(name, formats[i]))
			return 1;
	return 0;
}

static int apply_defaults(dbw_project *p, dbw_error *err)
{
	const dbw_setting *s;

	s = dbw_project__find(p, "project", "migrations");
	p->migrations_dir = s && *s->value ? under_root(p, s->value) : default_migrations(p);
	s = dbw_project__find(p, "project", "seeds");
	p->seeds_dir = under_root(p, s && *s->value ? s->value : "db/seeds");
	s = dbw_project__find(p, "project", "format");
	p->format = strdup(s && *s->value ? s->value : "auto");
	if (!p->migrations_dir || !p->seeds_dir || !p->format)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!dbw_config__format_known(p->format)) {
		dbw_error_set(err, DBW_ECONFIG, "unknown migration format \"%s\"", p->format);
		dbw_error_where(err, "%s:%d", p->config_path, s->line);
		dbw_error_hint(
		    err, "Use one of auto, dbward, prisma, dbmate, golang-migrate or flyway.");
		return DBW_ECONFIG;
	}
	s = dbw_project__find(p, "project", "env_vars");
	if (dbw_strv_split_list(&p->env_vars, s ? s->value : "DATABASE_ENV, NODE_ENV") < 0)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(builtin_envs) / sizeof(builtin_envs[0]); i++)
		if (dbw_strv_push(&p->env_names, builtin_envs[i]) < 0)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n_settings; i++) {
		const char *sec = p->settings[i].section;
		if (!strncmp(sec, "env.", 4) && !dbw_strv_contains(&p->env_names, sec + 4) &&
		    dbw_strv_push(&p->env_names, sec + 4) < 0)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	return 0;
}

int dbw_project_open(dbw_project **out, const dbw_project_options *opts, dbw_error *err)
{
	dbw_project *p;
	char *start = NULL;
	int rc = 0;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	p->environ = opts ? opts->environ : NULL;
	start = dbw_path_absolute(opts && opts->cwd ? opts->cwd : ".");
	if (!start) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (opts && opts->config_path) {
		p->config_path = opts->config_path[0] == '/'
		                     ? strdup(opts->config_path)
		                     : dbw_path_join(start, opts->config_path);
		if (!p->config_path) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (!dbw_path_exists(p->config_path) || dbw_path_is_dir(p->config_path)) {
			rc = dbw_error_set(err, DBW_ECONFIG, "config file \"%s\" does not exist",
			                   p->config_path);
			dbw_error_hint(err,
			               "Check the path given to -c/--config, or run 'dbward init' "
			               "to create a dbward.ini.");
			goto done;
		}
	} else {
		p->config_path = find_config(start);
	}
	p->root = p->config_path ? dir_of(p->config_path) : strdup(start);
	if (!p->root) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (p->config_path && (rc = parse_ini(p, err)) < 0)
		goto done;
	rc = apply_defaults(p, err);
done:
	free(start);
	if (rc < 0)
		dbw_project_free(p);
	else
		*out = p;
	return rc;
}

void dbw_project_free(dbw_project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_settings; i++) {
		free(p->settings[i].section);
		free(p->settings[i].key);
		free(p->settings[i].value);
	}
	free(p->settings);
	free(p->root);
	free(p->config_path);
	free(p->migrations_dir);
	free(p->seeds_dir);
	free(p->format);
	dbw_strv_free(&p->env_vars);
	dbw_strv_free(&p->env_names);
	free(p);
}

const char *dbw_project_root(const dbw_project *p)
{
	return p->root;
}

const char *dbw_project_config_path(const dbw_project *p)
{
	return p->config_path;
}

const char *dbw_project_migrations_dir(const dbw_project *p)
{
	return p->migrations_dir;
}

const char *dbw_project_seeds_dir(const dbw_project *p)
{
	return p->seeds_dir;
}

const char *dbw_project_format(const dbw_project *p)
{
	return p->format;
}

size_t dbw_project_env_count(const dbw_project *p)
{
	return p->env_names.count;
}

const char *dbw_project_env_name(const dbw_project *p, size_t i)
{
	return i < p->env_names.count ? p->env_names.items[i] : NULL;
}

const char *dbw_project_setting(const dbw_project *p, const char *section, const char *key)
{
	const dbw_setting *s = dbw_project__find(p, section, key);
	return s ? s->value : NULL;
}
