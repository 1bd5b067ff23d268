/*
 * cmd_lint.c - `dbward lint`: lint migrations (all, named files, pending
 * ones or staged ones) and verify dbward.sum; print findings for people,
 * for GitHub workflow annotations, or as JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <dbward/lint.h>
#include <dbward/sum.h>

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_lint_def = {
    "lint", run, "lint migrations for data loss and lock hazards",
    "usage: dbward lint [FILES...] [--pending | --staged] [--format text|github]\n"
    "                   [--dialect postgres|sqlite] [--rules] [--json]\n"
    "\n"
    "Lint migrations with the database's own parser (libpg_query for PostgreSQL,\n"
    "SQLite's parser on a shadow database) and verify dbward.sum. Without FILES,\n"
    "every migration of the project is linted; named files that are migrations are\n"
    "linted after replaying the migrations before them.\n"
    "\n"
    "Options:\n"
    "      --pending         only migrations not applied in the environment (-e)\n"
    "      --staged          what git has staged (the pre-commit hook): staged\n"
    "                        migrations, edits of committed ones, dangerous commands\n"
    "      --format FORMAT   text (default) or github (workflow annotations)\n"
    "      --dialect NAME    postgres or sqlite (default: [lint] dialect, else the\n"
    "                        folder's: Prisma's migration_lock.toml, else postgres)\n"
    "      --rules           list the rules and exit\n"
    "\n"
    "With -e/--env and a reachable PostgreSQL database, findings name the live size\n"
    "of the tables they touch. Sign off a finding in the migration with\n"
    "  -- dbward:allow <rule-id> <reason>\n"
    "Severities: [lint] DW101 = warning|error|info|off in dbward.ini; see docs/lint/.\n"
    "\n"
    "Exit status: 0 clean (warnings allowed); 7 error-level findings; 6 dbward.sum\n"
    "broken or a committed migration changed; 1 runtime error; 2 usage.\n"};

static void gh_escape(FILE *out, const char *s, int property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static const char *sev_color(dbw_severity s)
{
	return s == DBW_SEV_ERROR ? "red" : s == DBW_SEV_WARNING ? "yellow" : "dim";
}

static void print_finding(dbw_cli *cli, const dbw_finding *f, int github)
{
	if (f->allowed && !cli->verbose)
		return;
	if (github) {
		const char *kind = f->severity == DBW_SEV_ERROR     ? "error"
		                   : f->severity == DBW_SEV_WARNING ? "warning"
		                                                    : "notice";
		if (f->allowed)
			kind = "notice";
		printf("::%s file=", kind);
		gh_escape(stdout, f->file, 1);
		if (f->line)
			printf(",line=%d,col=%d", f->line, f->col ? f->col : 1);
		printf(",title=%s %s::", f->rule->id, f->rule->name);
		gh_escape(stdout, f->message, 0);
		if (f->hint) {
			fputs("%0A", stdout);
			gh_escape(stdout, f->hint, 0);
		}
		printf("\n");
		return;
	}
	if (f->line)
		printf("%s:%d:%d: ", f->file, f->line, f->col);
	else
		printf("%s: ", f->file);
	printf("%s%s%s %s: %s", cli_c(cli, sev_color(f->severity)),
	       f->allowed ? "allowed" : dbw_severity_name(f->severity), cli_c(cli, "reset"),
	       f->rule->id, f->message);
	if (f->allowed)
		printf(" (signed off: %s)", f->allow_reason);
	printf("\n");
	if (f->excerpt && *f->excerpt)
		printf("    %s%s%s\n", cli_c(cli, "dim"), f->excerpt, cli_c(cli, "reset"));
	if (f->hint && !f->allowed)
		printf("    hint: %s\n", f->hint);
}

static json_t *finding_json(const dbw_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(f->rule->id));
	json_object_set_new(o, "name", json_string(f->rule->name));
	json_object_set_new(o, "severity", json_string(dbw_severity_name(f->severity)));
	json_object_set_new(o, "file", json_string(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "column", json_integer(f->col));
	json_object_set_new(o, "message", json_string(f->message));
	json_object_set_new(o, "excerpt", json_string(f->excerpt ? f->excerpt : ""));
	json_object_set_new(o, "hint", f->hint ? json_string(f->hint) : json_null());
	json_object_set_new(o, "table", f->table ? json_string(f->table) : json_null());
	json_object_set_new(o, "schema", f->schema ? json_string(f->schema) : json_null());
	json_object_set_new(o, "rows", f->rows >= 0 ? json_real(f->rows) : json_null());
	json_object_set_new(o, "bytes", f->bytes >= 0 ? json_integer(f->bytes) : json_null());
	json_object_set_new(o, "allowed", json_boolean(f->allowed));
	json_object_set_new(o, "allow_reason",
	                    f->allow_reason ? json_string(f->allow_reason) : json_null());
	return o;
}

static int print_rules(dbw_cli *cli)
{
	size_t n;
	const dbw_lint_rule *r = dbw_lint_rules(&n);
	json_t *arr = cli->json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		if (arr) {
			json_t *o = json_object();
			json_object_set_new(o, "rule", json_string(r[i].id));
			json_object_set_new(o, "name", json_string(r[i].name));
			json_object_set_new(o, "severity",
			                    json_string(dbw_severity_name(r[i].severity)));
			json_object_set_new(o, "category", json_string(r[i].category));
			json_object_set_new(o, "summary", json_string(r[i].summary));
			json_object_set_new(o, "hint", json_string(r[i].hint));
			json_array_append_new(arr, o);
		} else {
			printf("%s  %-32s %-8s %s\n", r[i].id, r[i].name,
			       dbw_severity_name(r[i].severity), r[i].summary);
		}
	}
	if (arr) {
		json_t *doc = json_object();
		json_object_set_new(doc, "rules", arr);
		cli_json_print(doc);
	}
	return 0;
}

/* dbward.sum: its changes become DW003 findings; without one, a note. */
static int check_sum(dbw_cli *cli, dbw_lint *l, const dbw_migration_set *set, dbw_error *err)
{
	int rc = dbw_lint_sum(l, set, err);
	if (rc == DBW_ENOTFOUND) {
		cli_note(cli,
		         "note: no dbward.sum beside the migrations; run 'dbward sum' to guard "
		         "their integrity\n");
		dbw_error_clear(err);
		rc = 0;
	}
	return rc;
}

static int same_file(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	int same = ra && rb && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	enum { O_PENDING = 1, O_STAGED, O_FORMAT, O_DIALECT, O_RULES };
	static const struct option longopts[] = {{"pending", no_argument, NULL, O_PENDING},
	                                         {"staged", no_argument, NULL, O_STAGED},
	                                         {"format", required_argument, NULL, O_FORMAT},
	                                         {"dialect", required_argument, NULL, O_DIALECT},
	                                         {"rules", no_argument, NULL, O_RULES},
	                                         {NULL, 0, NULL, 0}};
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *env = NULL;
	dbw_conn *conn = NULL;
	dbw_migration_set *set = NULL;
	dbw_status *st = NULL;
	dbw_lint *l = NULL;
	dbw_lint_options lo = DBW_LINT_OPTIONS_INIT;
	const char *format = "text", *dialect = NULL;
	unsigned char *want = NULL;
	int c, ex = 0, rc, pending = 0, staged = 0, github = 0;
	size_t errors, warnings, infos, allowed;

	while ((c = cli_getopt(cli, &cmd_lint_def, argc, argv, "", longopts, &ex)) != 0) {
		if (c < 0)
			return ex;
		if (c == O_PENDING)
			pending = 1;
		else if (c == O_STAGED)
			staged = 1;
		else if (c == O_FORMAT)
			format = optarg;
		else if (c == O_DIALECT)
			dialect = optarg;
		else if (c == O_RULES)
			return print_rules(cli);
	}
	if (strcmp(format, "text") && strcmp(format, "github"))
		return cli_usage_error(cli, "unknown format \"%s\" (text or github)", format);
	github = strcmp(format, "github") == 0;
	if (pending + staged > 1 || ((pending || staged) && optind < argc))
		return cli_usage_error(cli, "FILES, --pending and --staged exclude each other");
	if ((rc = cli_project(cli, &p, &err)) < 0)
		goto fail;
	if (dialect && strcmp(dialect, "postgres") && strcmp(dialect, "postgresql") &&
	    strcmp(dialect, "sqlite"))
		return cli_usage_error(cli, "unknown dialect \"%s\" (postgres or sqlite)", dialect);
	lo.project = p;
	if (cli->env_name || pending) {
		if ((rc = cli_env(cli, &env, &err)) < 0) {
			if (pending)
				goto fail;
			/* sizes are a bonus: without the environment, lint works the same */
			cli_warn(cli, "warning: no table sizes: %s\n",
			         err.message ? err.message : "?");
			dbw_error_clear(&err);
		} else {
			lo.lock_timeout_configured = env->lock_timeout_ms > 0;
		}
	}
	if (dialect) {
		lo.dialect = strcmp(dialect, "sqlite") == 0 ? DBW_DB_SQLITE : DBW_DB_POSTGRES;
	} else {
		/* the environment's engine decides when nothing else does; -e not given: the
		 * default environment, resolved only for this */
		dbw_env *denv = NULL;
		if (!env && cli_env(cli, &denv, &err) < 0)
			dbw_error_clear(&err);
		rc = dbw_lint_dialect(p, env ? env : denv, &lo.dialect, &err);
		dbw_env_free(denv);
		if (rc < 0)
			goto fail;
	}
	if ((rc = dbw_lint_new(&l, &lo, &err)) < 0)
		goto fail;

	if (staged) {
		dbw_staged_options so = {dbw_project_root(p), dbw_project_migrations_dir(p),
		                         dbw_project_seeds_dir(p),
		                         dbw_project_setting(p, "lint", "dangerous")};
		if ((rc = dbw_lint_staged(l, &so, &err)) < 0)
			goto fail;
		if (dbw_path_is_dir(dbw_project_migrations_dir(p))) {
			if ((rc = cli_migrations(cli, &set, &err)) < 0 ||
			    (rc = check_sum(cli, l, set, &err)) < 0)
				goto fail;
		}
	} else {
		int files_outside = 0;
		if ((rc = cli_migrations(cli, &set, &err)) < 0) {
			if (rc != DBW_ENOTFOUND || optind >= argc)
				goto fail;
			dbw_error_clear(&err); /* named files without a migrations folder */
		}
		want = calloc(set ? set->count + 1 : 1, 1);
		if (!want) {
			rc = dbw_error_set(&err, DBW_ENOMEM, "out of memory");
			goto fail;
		}
		if (pending) {
			if ((rc = cli_connect(cli, env, 1, &conn, &err)) < 0 ||
			    (rc = dbw_status_build(&st, conn, set, &err)) < 0)
				goto fail;
			for (size_t i = 0; i < st->count; i++)
				for (size_t k = 0;
				     st->items[i].state == DBW_M_PENDING && k < set->count; k++)
					if (st->items[i].migration == &set->items[k])
						want[k] = 1;
		} else if (optind >= argc) {
			memset(want, 1, set->count);
		}
		for (int i = optind; i < argc; i++) {
			size_t k;
			for (k = 0; set && k < set->count; k++)
				if (same_file(argv[i], set->items[k].path)) {
					want[k] = 1;
					break;
				}
			if (set && k < set->count)
				continue;
			char *data = NULL, *abs = dbw_path_absolute(argv[i]);
			const char *seeds = dbw_project_seeds_dir(p);
			size_t len;
			unsigned flags = 0;
			if (abs && seeds && dbw_str_startswith(abs, seeds))
				flags |= DBW_LINT_SEED;
			files_outside = 1;
			rc = dbw_file_read(argv[i], &data, &len, &err);
			if (!rc)
				rc = dbw_lint_text(l, argv[i], data, len, 0, len, flags, &err);
			free(data);
			free(abs);
			if (rc < 0)
				goto fail;
		}
		if (set && (rc = dbw_lint_set(l, set, want, &err)) < 0)
			goto fail;
		if (optind >= argc && !pending &&
		    (rc = dbw_lint_seeds(l, dbw_project_seeds_dir(p), dbw_project_root(p), &err)) <
		        0)
			goto fail;
		if (set && !files_outside && (rc = check_sum(cli, l, set, &err)) < 0)
			goto fail;
	}
	/* knows the target: live table sizes when an environment is named and reachable */
	if (env && dbw_lint_count(l) && dbw_url_kind(env->url) == DBW_DB_POSTGRES) {
		dbw_error e = DBW_ERROR_INIT;
		if (!conn && cli_connect(cli, env, 0, &conn, &e) < 0)
			cli_warn(cli, "warning: could not reach %s for table sizes: %s\n",
			         env->name, e.message ? e.message : "?");
		else if (dbw_lint_add_sizes(l, conn, &e) < 0)
			cli_warn(cli, "warning: could not read table sizes: %s\n",
			         e.message ? e.message : "?");
		dbw_error_clear(&e);
	}

	dbw_lint_totals(l, &errors, &warnings, &infos, &allowed);
	rc = dbw_lint_code(l);
	ex = dbw_exit_status(rc);
	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array(), *tot = json_object();
		for (size_t i = 0; i < dbw_lint_count(l); i++)
			json_array_append_new(arr, finding_json(dbw_lint_finding(l, i)));
		json_object_set_new(tot, "errors", json_integer((json_int_t)errors));
		json_object_set_new(tot, "warnings", json_integer((json_int_t)warnings));
		json_object_set_new(tot, "infos", json_integer((json_int_t)infos));
		json_object_set_new(tot, "allowed", json_integer((json_int_t)allowed));
		json_object_set_new(doc, "ok", json_boolean(ex == 0));
		json_object_set_new(
		    doc, "dialect",
		    json_string(lo.dialect == DBW_DB_SQLITE ? "sqlite" : "postgres"));
		json_object_set_new(doc, "findings", arr);
		json_object_set_new(doc, "totals", tot);
		json_object_set_new(doc, "exit_status", json_integer(ex));
		cli_json_print(doc);
	} else {
		for (size_t i = 0; i < dbw_lint_count(l); i++)
			print_finding(cli, dbw_lint_finding(l, i), github);
		if (!cli->quiet)
			fprintf(stderr, "%zu error%s, %zu warning%s, %zu info, %zu signed off\n",
			        errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
			        infos, allowed);
	}
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	free(want);
	dbw_lint_free(l);
	dbw_status_free(st);
	dbw_conn_close(conn);
	dbw_migrations_free(set);
	dbw_env_free(env);
	dbw_error_clear(&err);
	return ex;
}
