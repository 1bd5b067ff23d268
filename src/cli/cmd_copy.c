/*
 * cmd_copy.c - `dbward copy`: copy one environment's data into another with
 * the sanitize rules applied (docs/copy.md). All the work is the library's
 * (dbw_copy_check_target, dbw_pii_check, dbw_copy_schema_sync, dbw_copy);
 * this file parses options, shows progress and prints the summary.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "prompt.h"

static int run(dbw_cli *cli, int argc, char **argv);

const dbw_command cmd_copy_def = {
    "copy", run, "copy data between environments, personal data sanitized",
    "usage: dbward copy --from ENV --to ENV [--rules FILE] [--tables T1,T2] [--deploy]\n"
    "                   [--allow-unreviewed] [--json]\n"
    "       dbward copy --from ENV --check-rules [--rules FILE] [--tables T1,T2]\n"
    "\n"
    "Copy every table of environment --from into --to, rewriting personal data by the\n"
    "rules file (sanitize.ini at the project root, or [copy] rules in dbward.ini).\n"
    "The source is read in one snapshot and never written; the target changes in one\n"
    "transaction (tables emptied, rows loaded, sequences set) or not at all.\n"
    "\n"
    "Options:\n"
    "  --from ENV           the environment to read (e.g. production)\n"
    "  --to ENV             the environment to overwrite; must not be protected\n"
    "  --rules FILE         the sanitize rules (default: sanitize.ini)\n"
    "  --tables LIST        only these tables (comma-separated, table or schema.table)\n"
    "  --deploy             deploy the migrations the target lacks first\n"
    "  --check-rules        list personal-looking columns without a rule, and stop\n"
    "  --allow-unreviewed   copy even when such columns exist (they are copied as is)\n"
    "\n"
    "The key for keyed rules comes from DBWARD_SANITIZE_KEY. Exit status: 0 copied;\n"
    "2 usage or configuration (no key); 3 refused (protected target, unreviewed\n"
    "columns); 4 target behind (use --deploy); 5 histories differ.\n"};

typedef struct progress_ctx {
	cli_progress bar;
	dbw_cli *cli;
	size_t last_table;
} progress_ctx;

static void human_bytes(long long n, char *out, size_t size)
{
	if (n >= 1024LL * 1024 * 1024)
		snprintf(out, size, "%.1f GB", n / (1024.0 * 1024 * 1024));
	else if (n >= 1024LL * 1024)
		snprintf(out, size, "%.1f MB", n / (1024.0 * 1024));
	else
		snprintf(out, size, "%lld kB", n / 1024);
}

/* 950, 12k, 3.4M: short enough for the bar's label. */
static void compact(double n, char *out, size_t size)
{
	if (n >= 1e6)
		snprintf(out, size, "%.1fM", n / 1e6);
	else if (n >= 1e4)
		snprintf(out, size, "%.0fk", n / 1e3);
	else
		snprintf(out, size, "%.0f", n);
}

static void on_progress(const dbw_copy_progress *p, void *ctx)
{
	progress_ctx *pc = ctx;
	char label[160], bytes[32], eta[32] = "", rows[16], rate_s[16];
	double secs = p->elapsed_ms / 1000.0;
	double rate = secs > 0 ? p->rows / secs : 0;
	long long total = p->rows_est > p->rows ? p->rows_est : p->rows;
	if (p->rows_est > p->rows && rate > 0)
		snprintf(eta, sizeof(eta), " ETA %.0fs", (p->rows_est - p->rows) / rate);
	human_bytes(p->bytes, bytes, sizeof(bytes));
	compact((double)p->table_rows, rows, sizeof(rows));
	compact(rate, rate_s, sizeof(rate_s));
	snprintf(label, sizeof(label), "%s %s %s %s/s%s", p->table, rows, bytes, rate_s, eta);
	pc->bar.total = total > 0 ? (size_t)total : 1;
	cli_progress_update(&pc->bar, (size_t)p->rows, label);
	if (p->table_done && pc->cli->verbose && !pc->cli->json && !pc->cli->quiet) {
		cli_progress_finish(&pc->bar);
		cli_note(pc->cli, "  %s (%zu/%zu): %lld rows\n", p->table, p->table_index + 1,
		         p->n_tables, p->table_rows);
	}
}

static json_t *rewritten_json(const long long *counts)
{
	json_t *o = json_object();
	for (int k = 1; k < DBW_RULE__COUNT; k++)
		if (counts[k])
			json_object_set_new(o, dbw_rule_kind_name((dbw_rule_kind)k),
			                    json_integer(counts[k]));
	return o;
}

static json_t *pii_json(const dbw_pii_report *rep)
{
	json_t *a = json_array();
	for (size_t i = 0; rep && i < rep->count; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "schema", json_string(rep->items[i].schema));
		json_object_set_new(o, "table", json_string(rep->items[i].table));
		json_object_set_new(o, "column", json_string(rep->items[i].column));
		json_object_set_new(o, "type", json_string(rep->items[i].type));
		json_object_set_new(o, "reason", json_string(rep->items[i].reason));
		json_array_append_new(a, o);
	}
	return a;
}

static void print_pii(dbw_cli *cli, const dbw_pii_report *rep, FILE *out)
{
	for (size_t i = 0; i < rep->count; i++)
		fprintf(out, "  %s.%s.%s  %s  (looks like: %s)\n", rep->items[i].schema,
		        rep->items[i].table, rep->items[i].column, rep->items[i].type,
		        rep->items[i].reason);
	(void)cli;
}

static int check_rules(dbw_cli *cli, dbw_conn *src, const dbw_rules *rules, const char *tables,
                       dbw_error *err)
{
	dbw_pii_report *rep = NULL;
	int rc = dbw_pii_check(src, rules, tables, &rep, err);
	if (rc < 0)
		return cli_fail(cli, err);
	if (cli->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "ok", json_boolean(rep->count == 0));
		json_object_set_new(doc, "tables", json_integer((json_int_t)rep->n_tables));
		json_object_set_new(doc, "columns", json_integer((json_int_t)rep->n_columns));
		json_object_set_new(doc, "unreviewed", pii_json(rep));
		cli_json_print(doc);
	} else if (rep->count == 0) {
		printf(
		    "every personal-looking column has a rule (%zu tables, %zu columns checked)\n",
		    rep->n_tables, rep->n_columns);
	} else {
		printf("%zu column%s look%s personal and %s no rule:\n", rep->count,
		       rep->count == 1 ? "" : "s", rep->count == 1 ? "s" : "",
		       rep->count == 1 ? "has" : "have");
		print_pii(cli, rep, stdout);
	}
	rc = rep->count ? dbw_exit_status(DBW_EPOLICY) : 0;
	dbw_pii_report_free(rep);
	return rc;
}

static void print_summary(dbw_cli *cli, const dbw_env *from, const dbw_env *to,
                          const dbw_copy_result *res, size_t deployed)
{
	char bytes[32];
	if (cli->json) {
		json_t *doc = json_object(), *tables = json_array();
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "from", json_string(from->name));
		json_object_set_new(doc, "to", json_string(to->name));
		json_object_set_new(doc, "deployed", json_integer((json_int_t)deployed));
		for (size_t i = 0; i < res->count; i++) {
			const dbw_copy_table *t = &res->tables[i];
			json_t *o = json_object();
			json_object_set_new(o, "schema", json_string(t->schema));
			json_object_set_new(o, "name", json_string(t->name));
			json_object_set_new(o, "rows", json_integer(t->rows));
			json_object_set_new(o, "bytes", json_integer(t->bytes));
			json_object_set_new(o, "skipped", json_boolean(t->skipped));
			json_object_set_new(o, "rewritten", rewritten_json(t->rewritten));
			json_array_append_new(tables, o);
		}
		json_object_set_new(doc, "tables", tables);
		json_object_set_new(doc, "rows", json_integer(res->rows));
		json_object_set_new(doc, "bytes", json_integer(res->bytes));
		json_object_set_new(doc, "sequences", json_integer((json_int_t)res->n_sequences));
		json_object_set_new(doc, "elapsed_ms", json_integer(res->elapsed_ms));
		json_object_set_new(doc, "rewritten", rewritten_json(res->rewritten));
		json_object_set_new(doc, "unreviewed", pii_json(res->pii));
		cli_json_print(doc);
		return;
	}
	if (cli->quiet)
		return;
	human_bytes(res->bytes, bytes, sizeof(bytes));
	for (size_t i = 0; i < res->count; i++) {
		const dbw_copy_table *t = &res->tables[i];
		printf("  %-32s %10lld rows%s", t->name, t->rows, t->skipped ? "  (skipped)" : "");
		for (int k = 1; k < DBW_RULE__COUNT; k++)
			if (t->rewritten[k])
				printf("  %s %lld", dbw_rule_kind_name((dbw_rule_kind)k),
				       t->rewritten[k]);
		printf("\n");
	}
	printf("copied %lld rows (%s) in %zu tables from %s to %s in %.1fs; %zu sequence%s set\n",
	       res->rows, bytes, res->count, from->name, to->name, res->elapsed_ms / 1000.0,
	       res->n_sequences, res->n_sequences == 1 ? "" : "s");
}

/* --allow-unreviewed is an override: it goes to the audit log (local, and
 * the target's dbward_audit table), naming every column copied as is. */
static void audit_unreviewed(dbw_cli *cli, const dbw_project *p, dbw_conn *dst, const dbw_env *from,
                             const dbw_env *to, const dbw_pii_report *rep)
{
	dbw_audit_entry e = DBW_AUDIT_ENTRY_INIT;
	dbw_error err = DBW_ERROR_INIT;
	dbw_buf detail = DBW_BUF_INIT;
	dbw_buf_printf(&detail,
	               "copied from %s to %s with --allow-unreviewed; unreviewed:", from->name,
	               to->name);
	for (size_t i = 0; i < rep->count; i++)
		dbw_buf_printf(&detail, "%s %s.%s.%s (%s)", i ? "," : "", rep->items[i].schema,
		               rep->items[i].table, rep->items[i].column, rep->items[i].reason);
	e.environment = from->name;
	e.operation = "copy";
	e.database = dbw_conn_database(dst);
	e.command_line = cli->command_line;
	e.outcome = "allowed";
	e.detail = dbw_buf_cstr(&detail);
	if (dbw_audit_record(dst, p, &e, &err) < 0)
		cli_warn(cli, "could not write the audit record: %s\n", err.message);
	dbw_error_clear(&err);
	dbw_buf_free(&detail);
}

static int load_rules(dbw_cli *cli, const char *path, dbw_rules **out, dbw_error *err)
{
	dbw_project *p = NULL;
	const char *setting;
	char *file = NULL;
	int rc;
	if (path)
		return dbw_rules_load(out, path, err);
	if ((rc = cli_project(cli, &p, err)) < 0)
		return rc;
	setting = dbw_project_setting(p, "copy", "rules");
	file = dbw_path_join(dbw_project_root(p), setting ? setting : "sanitize.ini");
	if (!file)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (!setting && !dbw_path_exists(file))
		rc = dbw_rules_new(out, err); /* no rules: the PII guard decides */
	else
		rc = dbw_rules_load(out, file, err);
	free(file);
	return rc;
}

static int run(dbw_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"from", required_argument, NULL, 'f'},       {"to", required_argument, NULL, 't'},
	    {"rules", required_argument, NULL, 'r'},      {"tables", required_argument, NULL, 'T'},
	    {"deploy", no_argument, NULL, 'D'},           {"check-rules", no_argument, NULL, 'C'},
	    {"allow-unreviewed", no_argument, NULL, 'A'}, {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *rules_path = NULL, *tables = NULL;
	int deploy = 0, check_only = 0, allow = 0, ex = 0, c;
	dbw_error err = DBW_ERROR_INIT;
	dbw_project *p = NULL;
	dbw_env *src_env = NULL, *dst_env = NULL;
	dbw_conn *src = NULL, *dst = NULL;
	dbw_rules *rules = NULL;
	dbw_sanitizer *key_check = NULL;
	dbw_migration_set *set = NULL;
	dbw_copy_result *res = NULL;
	dbw_copy_options opts = DBW_COPY_OPTIONS_INIT;
	dbw_connect_options ro = DBW_CONNECT_OPTIONS_INIT;
	size_t deployed = 0;
	progress_ctx pc;
	int rc;

	while ((c = cli_getopt(cli, &cmd_copy_def, argc, argv, "", longopts, &ex)) != 0) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'r':
			rules_path = optarg;
			break;
		case 'T':
			tables = optarg;
			break;
		case 'D':
			deploy = 1;
			break;
		case 'C':
			check_only = 1;
			break;
		case 'A':
			allow = 1;
			break;
		default:
			return ex;
		}
	}
	if ((ex = cli_check_args(cli, &cmd_copy_def, argc, argv, 0, 0)) != 0)
		return ex;
	if (!from)
		return cli_usage_error(cli, "copy needs --from ENV");
	if (!to && !check_only)
		return cli_usage_error(cli, "copy needs --to ENV");
	if (to && strcmp(from, to) == 0)
		return cli_usage_error(cli, "--from and --to name the same environment \"%s\"",
		                       from);

	if ((rc = cli_project(cli, &p, &err)) < 0 ||
	    (rc = dbw_env_resolve(&src_env, p, from, &err)) < 0)
		goto fail;
	if (!check_only) {
		if ((rc = dbw_env_resolve(&dst_env, p, to, &err)) < 0)
			goto fail;
		/* Before anything connects; the guard runs after connecting too. */
		if ((rc = dbw_copy_check_target(dst_env, &err)) < 0)
			goto fail;
	}
	if ((rc = load_rules(cli, rules_path, &rules, &err)) < 0)
		goto fail;
	ro.read_only = 1;
	ro.create = 0;
	ro.connect_timeout_ms = src_env->connect_timeout_ms;
	if ((rc = dbw_conn_open(&src, src_env->url, &ro, &err)) < 0)
		goto fail;
	/* The source: identity and stamp checked, the read audited (policy). */
	if ((rc = cli_guard(cli, src, src_env, "read", NULL, NULL, &err)) < 0)
		goto fail;
	if (check_only) {
		ex = check_rules(cli, src, rules, tables, &err);
		goto done;
	}
	/* The key before any change to the target (a --deploy included). */
	if ((rc = dbw_sanitizer_new(&key_check, NULL, &err)) < 0)
		goto fail;
	if ((rc = cli_connect(cli, dst_env, 1, &dst, &err)) < 0)
		goto fail;
	/* The target: identity, stamp and the policy for copy-into (a protected
	 * one was refused above already; [env.NAME] deny = copy-into here). */
	if ((rc = cli_guard(cli, dst, dst_env, "copy-into", NULL, NULL, &err)) < 0)
		goto fail;
	/* The target's TRUNCATE waits for its users' locks at most lock_timeout. */
	if (dst_env->lock_timeout_ms > 0 &&
	    (rc = dbw_conn_set_lock_timeout(dst, dst_env->lock_timeout_ms, &err)) < 0)
		goto fail;
	if (deploy && (rc = cli_migrations(cli, &set, &err)) < 0)
		goto fail;
	if ((rc = dbw_copy_schema_sync(src, dst, set, NULL, &deployed, &err)) < 0)
		goto fail;
	if (deployed)
		cli_note(cli, "deployed %zu migration%s to %s\n", deployed,
		         deployed == 1 ? "" : "s", dst_env->name);

	opts.rules = rules;
	opts.tables = tables;
	opts.allow_unreviewed = allow;
	opts.target_protected = dst_env->is_protected;
	opts.target_name = dst_env->name;
	memset(&pc, 0, sizeof(pc));
	pc.cli = cli;
	cli_progress_init(&pc.bar, cli, 1);
	opts.on_progress = on_progress;
	opts.ctx = &pc;
	rc = dbw_copy(src, dst, &opts, &res, &err);
	cli_progress_finish(&pc.bar);
	if (rc < 0)
		goto fail;
	if (res->pii && res->pii->count) {
		cli_warn(cli,
		         "copied %zu unreviewed personal-looking column%s as is "
		         "(--allow-unreviewed):\n",
		         res->pii->count, res->pii->count == 1 ? "" : "s");
		if (!cli->json)
			print_pii(cli, res->pii, stderr);
		audit_unreviewed(cli, p, dst, src_env, dst_env, res->pii);
	}
	print_summary(cli, src_env, dst_env, res, deployed);
	ex = 0;
	goto done;
fail:
	ex = cli_fail(cli, &err);
done:
	dbw_copy_result_free(res);
	dbw_migrations_free(set);
	dbw_sanitizer_free(key_check);
	dbw_rules_free(rules);
	dbw_conn_close(src);
	dbw_conn_close(dst);
	dbw_env_free(src_env);
	dbw_env_free(dst_env);
	dbw_error_clear(&err);
	return ex;
}
