/*
 * proc.c - running the PostgreSQL client tools (pg_dump, pg_restore) as
 * child processes with a chosen environment, and hashing the files they
 * write. posix_spawn, no shell: nothing in a URL or path is interpreted.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "policy/policy_internal.h"

extern char **environ;

/* The child's environment: ours, with every variable extra_env names replaced. */
static int build_env(const dbw_strv *extra, dbw_strv *out)
{
	for (char **e = environ; *e; e++) {
		size_t klen = strcspn(*e, "=");
		int overridden = 0;
		for (size_t i = 0; extra && i < extra->count; i++)
			if (strncmp(extra->items[i], *e, klen + 1) == 0)
				overridden = 1;
		if (!overridden && dbw_strv_push(out, *e) < 0)
			return DBW_ENOMEM;
	}
	for (size_t i = 0; extra && i < extra->count; i++)
		if (dbw_strv_push(out, extra->items[i]) < 0)
			return DBW_ENOMEM;
	if (dbw_strv_push(out, "") < 0) /* room for the NULL terminator */
		return DBW_ENOMEM;
	free(out->items[out->count - 1]);
	out->items[--out->count] = NULL;
	return 0;
}

int dbw_proc__run(char *const argv[], const dbw_strv *extra_env, const char *stdout_path,
                  int *status_out, char **stderr_out, dbw_error *err)
{
	dbw_strv envv = DBW_STRV_INIT;
	posix_spawn_file_actions_t fa;
	char errpath[] = "/tmp/dbward-stderr-XXXXXX";
	int errfd = -1, rc = 0, st = 0, fa_init = 0;
	pid_t pid;

	*status_out = -1;
	if (stderr_out)
		*stderr_out = NULL;
	if (build_env(extra_env, &envv) < 0) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	errfd = mkstemp(errpath);
	if (errfd < 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not create a temporary file: %s",
		                   strerror(errno));
		goto done;
	}
	unlink(errpath);
	posix_spawn_file_actions_init(&fa);
	fa_init = 1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, stdout_path ? stdout_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, envv.items);
	if (errno != 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not run \"%s\": %s", argv[0],
		                   strerror(errno));
		goto done;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status_out = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (stderr_out) {
		dbw_buf b = DBW_BUF_INIT;
		char chunk[4096];
		ssize_t n;
		lseek(errfd, 0, SEEK_SET);
		while ((n = read(errfd, chunk, sizeof(chunk))) > 0 && b.len < 16384)
			dbw_buf_put(&b, chunk, (size_t)n);
		*stderr_out = dbw_buf_detach(&b);
		if (*stderr_out)
			dbw_str_trim(*stderr_out);
	}
done:
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (errfd >= 0)
		close(errfd);
	dbw_strv_free(&envv);
	return rc;
}

int dbw_file__sha256(const char *path, char out[65], long long *size_out, dbw_error *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], chunk[65536];
	unsigned int mdlen = 0;
	long long total = 0;
	size_t n;
	int rc = 0;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!f || !ctx) {
		rc = dbw_error_set(err, DBW_EIO, "could not read \"%s\": %s", path,
		                   f ? "out of memory" : strerror(errno));
		goto done;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		EVP_DigestUpdate(ctx, chunk, n);
		total += (long long)n;
	}
	if (ferror(f)) {
		rc = dbw_error_set(err, DBW_EIO, "could not read \"%s\"", path);
		goto done;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	if (size_out)
		*size_out = total;
done:
	EVP_MD_CTX_free(ctx);
	if (f)
		fclose(f);
	return rc;
}
