/*
 * staged.c - what a pre-commit hook checks (`dbward lint --staged`): the
 * files git has staged, read from the index (`git show :path`) so that
 * unstaged edits do not count. Staged migrations are linted against the
 * committed ones before them; an edit, rename or deletion of a committed
 * migration is refused (DW501); dangerous commands are refused (DW502):
 * in scripts by their command strings, in .sql files outside the
 * migrations folder by their parse tree (DROP TABLE, TRUNCATE).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lint_internal.h"

const char *const dbw_dangerous_defaults[] = {
    "prisma migrate reset",          "prisma db push --accept-data-loss",
    "dbward reset --env production", "dbward reset -e production",
    "dbward --env production reset", NULL};

/* Run git with argv in dir; stdout into *out (NUL-terminated). */
static int run_git(const char *dir, const char *const *argv, char **out, size_t *len,
                   dbw_error *err)
{
	int fd[2], status = 0;
	pid_t pid;
	dbw_buf b = DBW_BUF_INIT;
	char chunk[8192];
	ssize_t n;

	*out = NULL;
	if (pipe(fd) != 0)
		return dbw_error_set(err, DBW_EIO, "could not run git: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return dbw_error_set(err, DBW_EIO, "could not run git: %s", strerror(errno));
	}
	if (pid == 0) {
		const char *args[16];
		int k = 0;
		args[k++] = "git";
		args[k++] = "-C";
		args[k++] = dir;
		for (int i = 0; argv[i] && k < 15; i++)
			args[k++] = argv[i];
		args[k] = NULL;
		int devnull = open("/dev/null", O_WRONLY);
		dup2(fd[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO); /* the library never prints */
		close(fd[0]);
		close(fd[1]);
		execvp("git", (char *const *)args);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			dbw_buf_put(&b, chunk, (size_t)n);
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		dbw_buf_free(&b);
		dbw_error_set(err, DBW_EIO, "git %s failed in \"%s\"", argv[0], dir);
		dbw_error_detail(err, WIFEXITED(status) && WEXITSTATUS(status) == 127
		                          ? "git is not installed or not on PATH."
		                          : "The folder may not be inside a git work tree.");
		return DBW_EIO;
	}
	if (b.oom) {
		dbw_buf_free(&b);
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	*len = b.len;
	*out = dbw_buf_detach(&b);
	return *out ? 0 : dbw_error_set(err, DBW_ENOMEM, "out of memory");
}

/* path (relative to the repository) lies under folder (relative, no trailing slash). */
static int under(const char *path, const char *folder)
{
	size_t n = strlen(folder);
	return folder[0] && strncmp(path, folder, n) == 0 && path[n] == '/';
}

static int is_script(const char *path, const char *data, size_t len)
{
	static const char *const ext[] = {".sh",   ".bash", ".zsh",  ".ps1",  ".bat", ".cmd",
	                                  ".js",   ".mjs",  ".cjs",  ".ts",   ".py",  ".rb",
	                                  ".json", ".yml",  ".yaml", ".toml", ".mk",  NULL};
	static const char *const names[] = {"Makefile", "Dockerfile", "Procfile",
	                                    "justfile", "Taskfile",   NULL};
	const char *base = dbw_path_basename(path);
	if (strcmp(base, "dbward.ini") == 0)
		return 0; /* it holds the list itself */
	for (size_t i = 0; ext[i]; i++)
		if (dbw_str_endswith(path, ext[i]))
			return 1;
	for (size_t i = 0; names[i]; i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return len > 2 && data[0] == '#' && data[1] == '!';
}

/* Whitespace-insensitive search of cmd in line; the column (1-based) or 0. */
static int find_command(const char *line, size_t n, const char *cmd)
{
	for (size_t i = 0; i < n; i++) {
		size_t a = i;
		const char *c = cmd;
		while (*c && a < n) {
			if (*c == ' ') {
				if (line[a] != ' ' && line[a] != '\t')
					break;
				while (a < n && (line[a] == ' ' || line[a] == '\t'))
					a++;
				c++;
			} else if (line[a] == *c) {
				a++, c++;
			} else {
				break;
			}
		}
		if (!*c)
			return (int)i + 1;
	}
	return 0;
}

static int check_script(dbw_lint *l, const char *path, const char *data, size_t len,
                        const dbw_strv *cmds, dbw_error *err)
{
	size_t pos = 0;
	int lineno = 0, rc = 0;
	while (pos < len && !rc) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		lineno++;
		for (size_t i = 0; i < cmds->count && !rc; i++) {
			int col = find_command(line, n, cmds->items[i]);
			if (col) {
				char *msg = dbw_sprintf("staged file runs \"%s\"", cmds->items[i]);
				rc = msg ? dbw_lint_add(l, "DW502", path, lineno, col, msg, NULL,
				                        err)
				         : dbw_error_set(err, DBW_ENOMEM, "out of memory");
				free(msg);
			}
		}
		pos += n + 1;
	}
	return rc;
}

/* A .sql file outside the migrations folder: DROP TABLE / TRUNCATE by its parse tree. */
static int check_sql(dbw_lint *l, const char *path, const char *data, size_t len, dbw_error *err)
{
	dbw_lint_options o = DBW_LINT_OPTIONS_INIT;
	dbw_lint *scratch = NULL;
	int rc;
	o.dialect = l->dialect;
	if ((rc = dbw_lint_new(&scratch, &o, err)) != 0)
		return rc;
	rc = dbw_lint_text(scratch, path, data, len, 0, len, 0, err);
	for (size_t i = 0; !rc && i < scratch->count; i++) {
		const dbw_finding *f = &scratch->items[i];
		const char *what = strcmp(f->rule->id, "DW101") == 0   ? "DROP TABLE"
		                   : strcmp(f->rule->id, "DW104") == 0 ? "TRUNCATE"
		                   : strcmp(f->rule->id, "DW103") == 0 ? "DROP SCHEMA / DATABASE"
		                                                       : NULL;
		char *msg;
		if (!what)
			continue;
		msg = dbw_sprintf("staged SQL file outside the migrations folder runs %s: %s", what,
		                  f->message);
		rc = msg ? dbw_lint_add(l, "DW502", path, f->line, f->col, msg,
		                        "Put schema changes in a migration (dbward new), or commit "
		                        "with --no-verify if this script is truly meant.",
		                        err)
		         : dbw_error_set(err, DBW_ENOMEM, "out of memory");
		free(msg);
	}
	dbw_lint_free(scratch);
	return rc;
}

static char *rel_to(const char *abs, const char *top)
{
	char a[PATH_MAX], t[PATH_MAX];
	if (!abs)
		return dbw_strdup("");
	if (!realpath(abs, a))
		snprintf(a, sizeof(a), "%s", abs);
	if (!realpath(top, t))
		snprintf(t, sizeof(t), "%s", top);
	return dbw_path_relative(a, t);
}

int dbw_lint_staged(dbw_lint *l, const dbw_staged_options *opts, dbw_error *err)
{
	static const char empty_tree[] = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
	const char *dir = opts->repo_root ? opts->repo_root : ".";
	char *top = NULL, *list = NULL, *mig_rel = NULL, *seed_rel = NULL;
	size_t len = 0, pos = 0;
	dbw_strv cmds = DBW_STRV_INIT, added = DBW_STRV_INIT;
	dbw_migration_set *set = NULL;
	int rc, has_head;

	{
		const char *a[] = {"rev-parse", "--show-toplevel", NULL};
		if ((rc = run_git(dir, a, &top, &len, err)) != 0)
			goto done;
		top[strcspn(top, "\n")] = '\0';
	}
	{
		const char *a[] = {"rev-parse", "--verify", "-q", "HEAD", NULL};
		char *o = NULL;
		dbw_error ignore = DBW_ERROR_INIT;
		has_head = run_git(top, a, &o, &len, &ignore) == 0;
		free(o);
		dbw_error_clear(&ignore);
	}
	{
		const char *a[] = {"diff", "--cached",     "--name-status",
		                   "-z",   "--no-renames", has_head ? "HEAD" : empty_tree,
		                   NULL};
		if ((rc = run_git(top, a, &list, &len, err)) != 0)
			goto done;
	}
	mig_rel = rel_to(opts->migrations_dir, top);
	seed_rel = rel_to(opts->seeds_dir, top);
	if (!mig_rel || !seed_rel ||
	    dbw_strv_split_list(&cmds, opts->dangerous ? opts->dangerous : "") != 0) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; !opts->dangerous && dbw_dangerous_defaults[i]; i++)
		if (dbw_strv_push(&cmds, dbw_dangerous_defaults[i])) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			goto done;
		}
	while (pos < len) {
		const char *status = list + pos, *path;
		char *blob = NULL;
		size_t blen = 0;
		pos += strlen(status) + 1;
		if (pos >= len)
			break;
		path = list + pos;
		pos += strlen(path) + 1;
		if (under(path, mig_rel)) {
			if (!dbw_str_endswith(path, ".sql"))
				continue;
			if (status[0] == 'A') {
				if (dbw_strv_push(&added, path)) {
					rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
					goto done;
				}
				continue;
			}
			char *msg = dbw_sprintf(
			    status[0] == 'D' ? "staged deletion of committed migration \"%s\""
			                     : "staged edit of committed migration \"%s\"",
			    path);
			rc = msg ? dbw_lint_add(l, "DW501", path, 0, 0, msg, NULL, err)
			         : dbw_error_set(err, DBW_ENOMEM, "out of memory");
			free(msg);
			if (rc)
				goto done;
			continue;
		}
		if (status[0] == 'D')
			continue;
		{
			char *spec = dbw_sprintf(":%s", path);
			const char *a[] = {"show", spec, NULL};
			rc = spec ? run_git(top, a, &blob, &blen, err)
			          : dbw_error_set(err, DBW_ENOMEM, "out of memory");
			free(spec);
			if (rc)
				goto done;
		}
		if (dbw_looks_binary(blob, blen)) {
			/* nothing to read */
		} else if (seed_rel[0] && under(path, seed_rel) && dbw_str_endswith(path, ".sql")) {
			rc = dbw_lint_text(l, path, blob, blen, 0, blen, DBW_LINT_SEED, err);
		} else if (dbw_str_endswith(path, ".sql")) {
			rc = check_sql(l, path, blob, blen, err);
		} else if (is_script(path, blob, blen)) {
			rc = check_script(l, path, blob, blen, &cmds, err);
		}
		free(blob);
		if (rc)
			goto done;
	}
	if (!added.count)
		goto done;
	/* staged migrations: lint each (its staged text) after the committed ones before it */
	if ((rc = dbw_migrations_load(&set, opts->migrations_dir, top, DBW_FORMAT_AUTO, err)) != 0)
		goto done;
	for (size_t i = 0; i < set->count && !rc; i++) {
		const dbw_migration *m = &set->items[i];
		char *rel = rel_to(m->path, top), *blob = NULL;
		size_t blen = 0;
		if (!rel) {
			rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
			break;
		}
		if (!dbw_strv_contains(&added, rel)) {
			rc = dbw_lint_migration(l, m, DBW_LINT_REPLAY, err);
		} else {
			char *spec = dbw_sprintf(":%s", rel);
			const char *a[] = {"show", spec, NULL};
			rc = spec ? run_git(top, a, &blob, &blen, err)
			          : dbw_error_set(err, DBW_ENOMEM, "out of memory");
			free(spec);
			if (!rc && blen == m->content_len && memcmp(blob, m->content, blen) == 0)
				rc = dbw_lint_migration(l, m, 0, err);
			else if (!rc)
				rc = dbw_lint_text(l, m->rel_path ? m->rel_path : rel, blob, blen,
				                   0, blen, 0, err);
			free(blob);
		}
		free(rel);
	}
done:
	dbw_migrations_free(set);
	dbw_strv_free(&cmds);
	dbw_strv_free(&added);
	free(top);
	free(list);
	free(mig_rel);
	free(seed_rel);
	return rc;
}

int dbw_hook_install(const char *dir, const char *dbward_cmd, char **path_out, int *already_out,
                     dbw_error *err)
{
	const char *a[] = {"rev-parse", "--path-format=absolute", "--git-path", "hooks", NULL};
	const char *t[] = {"rev-parse", "--show-toplevel", NULL};
	char *hooks = NULL, *path = NULL, *script = NULL, *top = NULL, *sub = NULL, *cd = NULL;
	size_t len;
	int rc;

	if (path_out)
		*path_out = NULL;
	if (already_out)
		*already_out = 0;
	if ((rc = run_git(dir, a, &hooks, &len, err)) != 0 ||
	    (rc = run_git(dir, t, &top, &len, err)) != 0)
		goto done;
	hooks[strcspn(hooks, "\n")] = '\0';
	top[strcspn(top, "\n")] = '\0';
	/* git runs hooks at the top of the work tree; a project in a sub-folder (a
	 * monorepo) is entered first, by a path relative to the top so the repository
	 * can move */
	sub = rel_to(dir, top);
	cd = sub && *sub && sub[0] != '/'
	         ? dbw_sprintf("cd \"$(git rev-parse --show-toplevel)/%s\" || exit 1\n", sub)
	         : dbw_strdup("");
	path = dbw_path_join(hooks, "pre-commit");
	script =
	    cd ? dbw_sprintf("#!/bin/sh\n"
	                     "# Installed by `dbward hook install`: lint staged migrations, refuse "
	                     "edits to\n"
	                     "# committed migrations and dangerous commands. Bypass once with "
	                     "`git commit --no-verify`.\n"
	                     "%sexec %s lint --staged\n",
	                     cd, dbward_cmd)
	       : NULL;
	if (!path || !script) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	if (dbw_path_exists(path)) {
		char *old = NULL;
		size_t olen;
		int ours = dbw_file_read(path, &old, &olen, NULL) == 0 &&
		           strstr(old, "Installed by `dbward hook install`") != NULL;
		free(old);
		if (ours) { /* installing twice is not an error */
			if (already_out)
				*already_out = 1;
			rc = 0;
			goto done;
		}
		rc = dbw_error_set(err, DBW_EPOLICY,
		                   "cannot install the pre-commit hook: \"%s\" exists", path);
		dbw_error_detail(err, "dbward never overwrites a hook it did not write.");
		dbw_error_hint(
		    err,
		    "Chain dbward into it: add the line \"%s lint --staged || exit 1\" to "
		    "%s.",
		    dbward_cmd, path);
		goto done;
	}
	if ((rc = dbw_mkdir_p(hooks, 0755, err)) == 0)
		rc = dbw_file_write(path, script, strlen(script), 0755, err);
done:
	if (path_out && (rc == 0 || rc == DBW_EPOLICY)) {
		*path_out = path;
		path = NULL;
	}
	free(path);
	free(hooks);
	free(script);
	free(top);
	free(sub);
	free(cd);
	return rc;
}
