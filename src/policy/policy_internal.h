/*
 * policy_internal.h - helpers shared inside src/policy (internal).
 */
#ifndef DBW_POLICY_INTERNAL_H
#define DBW_POLICY_INTERNAL_H

#include <dbward/error.h>
#include "util/util.h"

/*
 * Run argv[0] (an absolute path) with the process environment plus
 * extra_env ("KEY=value", overriding), stdout to stdout_path (NULL:
 * /dev/null), stdin from /dev/null. *stderr_out (may be NULL) receives what
 * it wrote on stderr, trimmed (caller frees). *status_out its exit status
 * (-1 when killed by a signal). 0; DBW_EIO when it could not be started.
 */
int dbw_proc__run(char *const argv[], const dbw_strv *extra_env, const char *stdout_path,
                  int *status_out, char **stderr_out, dbw_error *err);

/* Hex SHA-256 of a file's bytes, streamed. 0; DBW_EIO. */
int dbw_file__sha256(const char *path, char out[65], long long *size_out, dbw_error *err);

#endif
