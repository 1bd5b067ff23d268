/*
 * env.c - resolving an environment (DESIGN.md "Configuration"): its name
 * (--env, else the first set variable of env_vars, else development), the
 * dotenv cascade (.env, .env.local, .env.<env>, .env.<env>.local, the
 * process environment winning over every file), the [env.<env>] settings
 * with ${VAR} expanded, the database URL with its fallbacks, and the
 * provenance of all of it (what won, what it shadowed) for `env --explain`.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dbward/db.h>
#include "config/config_internal.h"

typedef struct src {
	dbw_source_kind kind;
	const char *file; /* owned by env_full.files */
	int line;
	char *value; /* raw */
} src;

typedef struct var {
	char *name;
	src *srcs; /* a PROCESS source, when any, is first; files in load order */
	size_t n, cap;
} var;

typedef struct env_full {
	dbw_env pub; /* first: a dbw_env * is an env_full * */
	const dbw_project *p;
	var *vars;
	size_t n_vars, cap_vars;
	dbw_strv files;    /* paths that sources point into */
	dbw_strv read;     /* variables the resolution read, in order */
	dbw_strv unset;    /* those of them set nowhere */
	dbw_strv set_keys; /* [env.<name>] keys, expanded values in set_vals */
	dbw_strv set_vals;
	dbw_trace *traces;
	size_t n_traces, cap_traces;
	char *name_origin;
	const char *cur_file; /* while a dotenv file is parsed */
	int oom;
} env_full;

/* ---- the variable table ---- */

static const char *process_value(const env_full *e, const char *name)
{
	size_t n = strlen(name);
	for (char *const *v = dbw_project__environ(e->p); v && *v; v++)
		if (!strncmp(*v, name, n) && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static int add_src(var *v, dbw_source_kind kind, const char *file, int line, const char *value)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		src *s = realloc(v->srcs, cap * sizeof(*s));
		if (!s)
			return -1;
		v->srcs = s;
		v->cap = cap;
	}
	v->srcs[v->n].kind = kind;
	v->srcs[v->n].file = file;
	v->srcs[v->n].line = line;
	v->srcs[v->n].value = strdup(value);
	if (!v->srcs[v->n].value)
		return -1;
	v->n++;
	return 0;
}

static var *find_var(const env_full *e, const char *name)
{
	for (size_t i = 0; i < e->n_vars; i++)
		if (!strcmp(e->vars[i].name, name))
			return &e->vars[i];
	return NULL;
}

/* The variable, created (with its process value, if any) on first use; NULL on ENOMEM. */
static var *get_var(env_full *e, const char *name)
{
	var *v = find_var(e, name);
	const char *pv;
	if (v)
		return v;
	if (e->n_vars == e->cap_vars) {
		size_t cap = e->cap_vars ? e->cap_vars * 2 : 16;
		var *n = realloc(e->vars, cap * sizeof(*n));
		if (!n)
			return NULL;
		e->vars = n;
		e->cap_vars = cap;
	}
	v = &e->vars[e->n_vars];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (!v->name)
		return NULL;
	e->n_vars++;
	pv = process_value(e, name);
	if (pv && add_src(v, DBW_SOURCE_PROCESS, NULL, 0, pv) < 0)
		return NULL;
	return v;
}

static const src *winner(const var *v)
{
	if (!v || !v->n)
		return NULL;
	return v->srcs[0].kind == DBW_SOURCE_PROCESS ? &v->srcs[0] : &v->srcs[v->n - 1];
}

/* The cascade's value of name (process first), without recording a read. */
static const char *cascade_value(const env_full *e, const char *name)
{
	const src *w = winner(find_var(e, name));
	return w ? w->value : process_value(e, name);
}

static void note_read(env_full *e, const char *name)
{
	if (!dbw_strv_contains(&e->read, name) && dbw_strv_push(&e->read, name) < 0)
		e->oom = 1;
}

/* Lookup for ${VAR} in dbward.ini: the cascade, remembered for --explain. */
static const char *lookup_traced(void *ctx, const char *name)
{
	env_full *e = ctx;
	note_read(e, name);
	return cascade_value(e, name);
}

/* Lookup inside dotenv files: the variables loaded so far, process winning. */
static const char *lookup_plain(void *ctx, const char *name)
{
	return cascade_value(ctx, name);
}

static int emit_dotenv(void *ctx, const char *key, const char *value, int line)
{
	env_full *e = ctx;
	var *v = get_var(e, key);
	if (!v || add_src(v, DBW_SOURCE_DOTENV, e->cur_file, line, value) < 0)
		return -1;
	return 0;
}

static const char *own_file(env_full *e, const char *path)
{
	for (size_t i = 0; i < e->files.count; i++)
		if (!strcmp(e->files.items[i], path))
			return e->files.items[i];
	if (dbw_strv_push(&e->files, path) < 0)
		return NULL;
	return e->files.items[e->files.count - 1];
}

/* Load root/<name> into the cascade; a missing file is no error. */
static int load_dotenv(env_full *e, const char *name, dbw_error *err)
{
	char *path = dbw_path_join(e->p->root, name), *text = NULL;
	int rc;
	if (!path)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!dbw_path_exists(path)) {
		free(path);
		return 0;
	}
	rc = dbw_file_read(path, &text, NULL, err);
	if (rc < 0)
		goto done;
	e->cur_file = own_file(e, path);
	if (!e->cur_file) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	rc = dbw_dotenv__parse(text, path, lookup_plain, emit_dotenv, e, err);
done:
	free(text);
	free(path);
	return rc;
}

/* ---- traces ---- */

static int looks_secret(const char *name)
{
	static const char *const words[] = {"PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "PWD"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

/* Does raw hold part of a password in url (there before redaction, gone after)? */
static int in_password(const char *raw, const char *url)
{
	char *red;
	int hit;
	if (!url || !raw || strlen(raw) < 2 || !strstr(url, raw))
		return 0;
	red = dbw_url_redact(url);
	hit = !red || !strstr(red, raw);
	free(red);
	return hit;
}

/* A value safe to show: URLs redacted, secrets and password parts masked. */
static char *shown(const env_full *e, const char *name, const char *raw)
{
	char *red = dbw_url_redact(raw);
	if (!red || strcmp(red, raw) != 0)
		return red; /* a URL whose password redaction removed */
	if (looks_secret(name) || in_password(raw, e->pub.url) ||
	    in_password(raw, e->pub.direct_url)) {
		free(red);
		return strdup("****");
	}
	return red;
}

static dbw_trace *new_trace(env_full *e, const char *name)
{
	dbw_trace *t;
	if (e->n_traces == e->cap_traces) {
		size_t cap = e->cap_traces ? e->cap_traces * 2 : 8;
		dbw_trace *n = realloc(e->traces, cap * sizeof(*n));
		if (!n)
			return NULL;
		e->traces = n;
		e->cap_traces = cap;
	}
	t = &e->traces[e->n_traces];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return NULL;
	e->n_traces++;
	return t;
}

static int set_source(dbw_source *s, dbw_source_kind kind, const char *file, int line, char *value)
{
	s->kind = kind;
	s->file = file;
	s->line = line;
	s->value = value;
	return value ? 0 : -1;
}

/* Trace a variable of the cascade: winner, then the rest most recent first. */
static int trace_var(env_full *e, const char *name)
{
	var *v = get_var(e, name);
	const src *w;
	dbw_trace *t;
	dbw_source *sh;
	size_t k = 0;

	if (!v)
		return -1;
	if (!(w = winner(v)))
		return dbw_strv_push(&e->unset, name) < 0 ? -1 : 0;
	if (!(t = new_trace(e, name)))
		return -1;
	if (set_source(&t->winner, w->kind, w->file, w->line, shown(e, name, w->value)) < 0)
		return -1;
	if (v->n < 2)
		return 0;
	sh = calloc(v->n - 1, sizeof(*sh));
	if (!sh)
		return -1;
	t->shadowed = sh;
	for (size_t i = v->n; i-- > 0;) {
		const src *s = &v->srcs[i];
		if (s == w)
			continue;
		if (set_source(&sh[k++], s->kind, s->file, s->line, shown(e, name, s->value)) < 0) {
			t->n_shadowed = k;
			return -1;
		}
	}
	t->n_shadowed = k;
	return 0;
}

static int trace_setting(env_full *e, const char *key)
{
	char *sec = dbw_sprintf("env.%s", e->pub.name),
	     *tname = dbw_sprintf("env.%s.%s", e->pub.name, key);
	const dbw_setting *s = sec ? dbw_project__find(e->p, sec, key) : NULL;
	dbw_trace *t;
	int rc = -1;
	if (!sec || !tname)
		goto done;
	rc = 0;
	if (!s)
		goto done;
	rc = -1;
	if (!(t = new_trace(e, tname)))
		goto done;
	rc = set_source(&t->winner, DBW_SOURCE_CONFIG, own_file(e, e->p->config_path), s->line,
	                shown(e, key, s->value));
done:
	free(sec);
	free(tname);
	return rc;
}

/* ---- the environment's name ---- */

static int unknown_env(env_full *e, const char *name, dbw_error *err)
{
	const dbw_project *p = e->p;
	dbw_buf known = DBW_BUF_INIT;
	const char *best = dbw_config__suggest(&p->env_names, name);

	for (size_t i = 0; i < p->env_names.count; i++)
		dbw_buf_printf(&known, "%s%s", i ? ", " : "", p->env_names.items[i]);
	dbw_error_set(err, DBW_ENOTFOUND, "unknown environment \"%s\"", name);
	if (strcmp(e->name_origin, "--env") != 0)
		dbw_error_detail(err, "The name came from %s.", e->name_origin);
	if (best)
		dbw_error_hint(err,
		               "Did you mean \"%s\"? Known environments: %s; add an [env.%s] "
		               "section to dbward.ini for a new one.",
		               best, dbw_buf_cstr(&known), name);
	else
		dbw_error_hint(err,
		               "Known environments: %s; add an [env.%s] section to dbward.ini "
		               "for a new one.",
		               dbw_buf_cstr(&known), name);
	dbw_buf_free(&known);
	return DBW_ENOTFOUND;
}

static char *describe(const src *s, const char *var_name)
{
	if (s->kind == DBW_SOURCE_PROCESS)
		return dbw_sprintf("%s from the process environment", var_name);
	return dbw_sprintf("%s from %s:%d", var_name, s->file, s->line);
}

/* Choose the name: --env, else the first set env_vars variable, else development. */
static int choose_name(env_full *e, const char *name, dbw_error *err)
{
	dbw_trace *t;
	const var *chosen = NULL;
	const src *w = NULL;
	size_t n_sh = 0, k = 0;

	/* Create every entry first: get_var may move the table under pointers. */
	for (size_t i = 0; i < e->p->env_vars.count; i++) {
		if (!get_var(e, e->p->env_vars.items[i]))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		note_read(e, e->p->env_vars.items[i]);
	}
	for (size_t i = 0; i < e->p->env_vars.count; i++) {
		const var *v = find_var(e, e->p->env_vars.items[i]);
		const src *vw = winner(v);
		if (!vw || !*vw->value)
			continue;
		n_sh += chosen ? 1 : v->n - 1;
		if (!chosen) {
			chosen = v;
			w = vw;
		}
	}
	if (name) {
		e->pub.name = strdup(name);
		e->name_origin = strdup("--env");
	} else if (w) {
		e->pub.name = strdup(w->value);
		e->name_origin = describe(w, chosen->name);
	} else {
		e->pub.name = strdup("development");
		e->name_origin = strdup("the default");
	}
	if (!e->pub.name || !e->name_origin || !(t = new_trace(e, "environment")))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (name)
		set_source(&t->winner, DBW_SOURCE_OPTION, NULL, 0, strdup(name));
	else if (w)
		set_source(&t->winner, w->kind, w->file, w->line, strdup(w->value));
	else
		set_source(&t->winner, DBW_SOURCE_DEFAULT, NULL, 0, strdup("development"));
	if (!t->winner.value)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	/* What lost: the other sources of the chosen variable, then later variables. */
	if (name && chosen)
		n_sh++;
	if (!n_sh)
		goto check;
	dbw_source *sh = calloc(n_sh, sizeof(*sh));
	if (!sh)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	t->shadowed = sh;
	if (name && chosen)
		set_source(&sh[k++], w->kind, w->file, w->line, strdup(w->value));
	for (size_t i = 0, seen = 0; i < e->p->env_vars.count && k < n_sh; i++) {
		const var *v = find_var(e, e->p->env_vars.items[i]);
		const src *vw = winner(v);
		if (!vw || !*vw->value)
			continue;
		if (seen++ == 0) {
			for (size_t j = v->n; j-- > 0 && k < n_sh;)
				if (&v->srcs[j] != vw)
					set_source(&sh[k++], v->srcs[j].kind, v->srcs[j].file,
					           v->srcs[j].line, strdup(v->srcs[j].value));
		} else {
			set_source(&sh[k++], vw->kind, vw->file, vw->line, strdup(vw->value));
		}
	}
	t->n_shadowed = k;
	for (size_t i = 0; i < k; i++)
		if (!sh[i].value)
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
check:
	if (!dbw_strv_contains(&e->p->env_names, e->pub.name))
		return unknown_env(e, e->pub.name, err);
	return 0;
}

/* ---- [env.<name>] settings ---- */

static const char *setting(const env_full *e, const char *key)
{
	for (size_t i = e->set_keys.count; i-- > 0;)
		if (!strcmp(e->set_keys.items[i], key))
			return e->set_vals.items[i];
	return NULL;
}

/*
 * Expand every key of [env.<name>] against the cascade. An undefined
 * variable in direct_url / migration_url leaves the key unset (they apply
 * "when set"); anywhere else it is an error naming the variable and the line.
 */
static int expand_settings(env_full *e, dbw_error *err)
{
	const dbw_project *p = e->p;
	char *sec = dbw_sprintf("env.%s", e->pub.name);
	int rc = 0;

	if (!sec)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n_settings; i++) {
		const dbw_setting *s = &p->settings[i];
		char *val = NULL, *missing = NULL;
		int lenient;
		if (strcmp(s->section, sec) != 0 || dbw_project__find(p, sec, s->key) != s)
			continue; /* another section, or a line a later one overrides */
		lenient = !strcmp(s->key, "direct_url") || !strcmp(s->key, "migration_url");
		rc = dbw_config__expand(s->value, lookup_traced, e, 1, &val, &missing, err);
		if (rc == DBW_ECONFIG && missing && lenient) {
			rc = 0;
			free(missing);
			continue;
		}
		if (rc == DBW_ECONFIG && missing) {
			dbw_error_where(err, "%s:%d", p->config_path, s->line);
			dbw_error_detail(err, "%s in [%s] of dbward.ini is \"%s\".", s->key, sec,
			                 s->value);
			dbw_error_hint(
			    err,
			    "Set %s in the environment or in .env.%s.local, .env.%s, "
			    ".env.local or .env beside dbward.ini, or change %s in [%s].",
			    missing, e->pub.name, e->pub.name, s->key, sec);
		} else if (rc == DBW_ECONFIG) {
			dbw_error_where(err, "%s:%d", p->config_path, s->line);
			dbw_error_hint(err, "Write ${NAME} or $NAME, optionally ${NAME:-default}.");
		}
		free(missing);
		if (rc < 0)
			goto done;
		if (dbw_strv_push(&e->set_keys, s->key) < 0 ||
		    dbw_strv_take(&e->set_vals, val) < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
		if (trace_setting(e, s->key) < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	free(sec);
	return rc;
}

/* ---- the URL ---- */

/* The cascade's non-empty value of name, its origin described in *origin_out. */
static const char *take_var(env_full *e, const char *name, char **origin_out)
{
	const var *v;
	const src *w;
	note_read(e, name);
	v = get_var(e, name);
	if (!v) {
		e->oom = 1;
		return NULL;
	}
	w = winner(v);
	if (!w || !*w->value)
		return NULL;
	*origin_out = describe(w, name);
	return w->value;
}

static int resolve_url(env_full *e, dbw_error *err)
{
	const char *name = e->pub.name, *prefix = dbw_config__url_prefix(name), *url;
	char *pname = prefix ? dbw_sprintf("%sDATABASE_URL", prefix) : NULL;
	char *origin = NULL;
	int rc = 0;

	if (prefix && !pname)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if ((url = setting(e, "url")) && *url) {
		char *sec = dbw_sprintf("env.%s", name);
		const dbw_setting *s = dbw_project__find(e->p, sec ? sec : "", "url");
		free(sec);
		origin = dbw_sprintf("url in [env.%s] of %s:%d", name, e->p->config_path,
		                     s ? s->line : 0);
	} else if (!(pname && (url = take_var(e, pname, &origin))) &&
	           !(url = take_var(e, "DATABASE_URL", &origin))) {
		if (strcmp(name, "development") != 0) {
			rc = dbw_error_set(err, DBW_ECONFIG,
			                   "no database URL for environment \"%s\"", name);
			if (pname) {
				dbw_error_detail(
				    err, "Neither url in [env.%s], %s nor DATABASE_URL is set.",
				    name, pname);
				dbw_error_hint(err,
				               "Set %s (or DATABASE_URL) in the environment or in "
				               ".env.%s, or set url in [env.%s] of dbward.ini.",
				               pname, name, name);
			} else {
				dbw_error_detail(
				    err, "Neither url in [env.%s] nor DATABASE_URL is set.", name);
				dbw_error_hint(err,
				               "Set DATABASE_URL in the environment or in .env.%s, "
				               "or set url in [env.%s] of dbward.ini.",
				               name, name);
			}
			goto done;
		}
		e->pub.url = dbw_sprintf("sqlite:%s/db/development.sqlite3",
		                         strcmp(e->p->root, "/") ? e->p->root : "");
		origin = strdup("the embedded SQLite default");
		url = NULL;
	}
	if (url)
		e->pub.url = strdup(url);
	e->pub.url_origin = origin;
	origin = NULL;
	if (e->oom || !e->pub.url || !e->pub.url_origin ||
	    dbw_config__anchor_sqlite(e->p->root, &e->pub.url) < 0) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (dbw_url_kind(e->pub.url) == DBW_DB_NONE) {
		char *red = dbw_url_redact(e->pub.url);
		const char *sep = strstr(e->pub.url, "://");
		if (sep && sep > e->pub.url)
			rc = dbw_error_set(err, DBW_ECONFIG,
			                   "unsupported database URL scheme \"%.*s\"",
			                   (int)(sep - e->pub.url), e->pub.url);
		else
			rc = dbw_error_set(err, DBW_ECONFIG, "malformed database URL \"%s\"",
			                   red ? red : "");
		free(red);
		dbw_error_detail(err, "The URL of environment \"%s\" is %s.", name,
		                 e->pub.url_origin);
		dbw_error_hint(err,
		               "Use postgres://user@host:port/dbname, a libpq conninfo such as "
		               "\"host=localhost dbname=app\", or sqlite:PATH.");
		goto done;
	}
	if ((url = setting(e, "direct_url")) && *url) {
		e->pub.direct_url = strdup(url);
		if (!e->pub.direct_url ||
		    dbw_config__anchor_sqlite(e->p->root, &e->pub.direct_url) < 0)
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	e->pub.migration_url = e->pub.direct_url ? e->pub.direct_url : e->pub.url;
done:
	free(pname);
	free(origin);
	return rc;
}

/* ---- the other settings ---- */

static void setting_where(env_full *e, const char *key, dbw_error *err)
{
	char *sec = dbw_sprintf("env.%s", e->pub.name);
	const dbw_setting *s = sec ? dbw_project__find(e->p, sec, key) : NULL;
	if (s)
		dbw_error_where(err, "%s:%d", e->p->config_path, s->line);
	free(sec);
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "1", "on"}, *const no[] = {"no", "false",
	                                                                            "0", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int apply_settings(env_full *e, dbw_error *err)
{
	const char *v;
	int rc;

	e->pub.is_protected = !strcmp(e->pub.name, "production");
	if ((v = setting(e, "protected")) && parse_bool(v, &e->pub.is_protected) < 0) {
		dbw_error_set(err, DBW_ECONFIG, "invalid value \"%s\" for protected", v);
		setting_where(e, "protected", err);
		dbw_error_hint(err,
		               "Write protected = yes or protected = no (also true/false, 1/0).");
		return DBW_ECONFIG;
	}
	if ((v = setting(e, "expect_database")) && *v && !(e->pub.expect_database = strdup(v)))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if ((v = setting(e, "backup_dir")) && *v &&
	    !(e->pub.backup_dir = dbw_path_join(e->p->root, v)))
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if ((v = setting(e, "lock_timeout")) &&
	    (rc = dbw_duration_parse(v, &e->pub.lock_timeout_ms, err)) < 0) {
		setting_where(e, "lock_timeout", err);
		return rc;
	}
	if ((v = setting(e, "connect_timeout")) &&
	    (rc = dbw_duration_parse(v, &e->pub.connect_timeout_ms, err)) < 0) {
		setting_where(e, "connect_timeout", err);
		return rc;
	}
	return 0;
}

/* ---- the public functions ---- */

int dbw_env_resolve(dbw_env **out, const dbw_project *p, const char *name, dbw_error *err)
{
	env_full *e;
	char *file = NULL;
	int rc;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	e->p = p;
	if ((rc = load_dotenv(e, ".env", err)) < 0 || (rc = load_dotenv(e, ".env.local", err)) < 0)
		goto done;
	if ((rc = choose_name(e, name, err)) < 0)
		goto done;
	file = dbw_sprintf(".env.%s", e->pub.name);
	if (!file) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = load_dotenv(e, file, err)) < 0)
		goto done;
	free(file);
	file = dbw_sprintf(".env.%s.local", e->pub.name);
	if (!file) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = load_dotenv(e, file, err)) < 0 || (rc = expand_settings(e, err)) < 0 ||
	    (rc = resolve_url(e, err)) < 0 || (rc = apply_settings(e, err)) < 0)
		goto done;
	/* Variables last, so that values holding part of the URL's password are masked. */
	for (size_t i = 0; i < e->read.count; i++)
		if (trace_var(e, e->read.items[i]) < 0) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
	if (e->oom)
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
done:
	free(file);
	if (rc < 0)
		dbw_env_free(&e->pub);
	else
		*out = &e->pub;
	return rc;
}

static void free_source(const dbw_source *s)
{
	free((char *)s->value);
}

void dbw_env_free(dbw_env *pub)
{
	env_full *e = (env_full *)pub;
	if (!e)
		return;
	for (size_t i = 0; i < e->n_vars; i++) {
		for (size_t j = 0; j < e->vars[i].n; j++)
			free(e->vars[i].srcs[j].value);
		free(e->vars[i].srcs);
		free(e->vars[i].name);
	}
	free(e->vars);
	for (size_t i = 0; i < e->n_traces; i++) {
		free((char *)e->traces[i].name);
		free_source(&e->traces[i].winner);
		for (size_t j = 0; j < e->traces[i].n_shadowed; j++)
			free_source(&e->traces[i].shadowed[j]);
		free((dbw_source *)e->traces[i].shadowed);
	}
	free(e->traces);
	dbw_strv_free(&e->files);
	dbw_strv_free(&e->read);
	dbw_strv_free(&e->unset);
	dbw_strv_free(&e->set_keys);
	dbw_strv_free(&e->set_vals);
	free(e->name_origin);
	free(pub->name);
	free(pub->url);
	free(pub->direct_url);
	free(pub->url_origin);
	free(pub->expect_database);
	free(pub->backup_dir);
	free(e);
}

const char *dbw_env_setting(const dbw_env *pub, const char *key)
{
	return setting((const env_full *)pub, key);
}

const char *dbw_env_var(const dbw_env *pub, const char *name)
{
	return cascade_value((const env_full *)pub, name);
}

const char *dbw_env_name_origin(const dbw_env *pub)
{
	return ((const env_full *)pub)->name_origin;
}

size_t dbw_env_trace_count(const dbw_env *pub)
{
	return ((const env_full *)pub)->n_traces;
}

const dbw_trace *dbw_env_trace(const dbw_env *pub, size_t i)
{
	const env_full *e = (const env_full *)pub;
	return i < e->n_traces ? &e->traces[i] : NULL;
}

size_t dbw_env_unset_count(const dbw_env *pub)
{
	return ((const env_full *)pub)->unset.count;
}

const char *dbw_env_unset_name(const dbw_env *pub, size_t i)
{
	const env_full *e = (const env_full *)pub;
	return i < e->unset.count ? e->unset.items[i] : NULL;
}
