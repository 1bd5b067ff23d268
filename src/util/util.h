/*
 * util.h - small helpers shared by every layer: growable buffers, string
 * lists, files, hashing, time and identity of the running user. Internal.
 */
#ifndef DBW_UTIL_H
#define DBW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <dbward/error.h>

#ifndef DBW_VERSION
#define DBW_VERSION "0.1.0"
#endif

/* ---- growable byte buffer, always NUL-terminated ---- */
typedef struct dbw_buf {
	char *data;
	size_t len, cap;
	int oom; /* set once an allocation failed; later appends are ignored */
} dbw_buf;

#define DBW_BUF_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

int dbw_buf_grow(dbw_buf *b, size_t extra);
int dbw_buf_put(dbw_buf *b, const char *data, size_t len);
int dbw_buf_puts(dbw_buf *b, const char *s);
int dbw_buf_putc(dbw_buf *b, char c);
int dbw_buf_printf(dbw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the string (caller frees); the buffer is reset. "" when empty, NULL on OOM. */
char *dbw_buf_detach(dbw_buf *b);
void dbw_buf_free(dbw_buf *b);
/* Return "" for an empty buffer so callers can always print data. */
const char *dbw_buf_cstr(const dbw_buf *b);

/* ---- string list ---- */
typedef struct dbw_strv {
	char **items;
	size_t count, cap;
} dbw_strv;

#define DBW_STRV_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

int dbw_strv_push(dbw_strv *v, const char *s); /* copies s */
int dbw_strv_take(dbw_strv *v, char *s);       /* takes ownership of s */
void dbw_strv_sort(dbw_strv *v);               /* strcmp order */
int dbw_strv_contains(const dbw_strv *v, const char *s);
void dbw_strv_free(dbw_strv *v);
/* Split "a, b ,c" on commas, trimming blanks; empty items dropped. */
int dbw_strv_split_list(dbw_strv *v, const char *text);

/* ---- strings ---- */
char *dbw_strdup(const char *s); /* NULL-safe */
char *dbw_strndup(const char *s, size_t n);
char *dbw_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dbw_str_startswith(const char *s, const char *prefix);
int dbw_str_endswith(const char *s, const char *suffix);
char *dbw_str_trim(char *s);                               /* in place */
int dbw_glob_match(const char *pattern, const char *text); /* fnmatch, 1 on match */

/* ---- files and paths ---- */
/* Read a whole file; *data_out NUL-terminated, caller frees. DBW_EIO / DBW_ENOTFOUND. */
int dbw_file_read(const char *path, char **data_out, size_t *len_out, dbw_error *err);
/* Write atomically (temp file + rename). mode e.g. 0644. */
int dbw_file_write(const char *path, const char *data, size_t len, int mode, dbw_error *err);
int dbw_path_exists(const char *path);
int dbw_path_is_dir(const char *path);
char *dbw_path_join(const char *a, const char *b); /* b absolute: copy of b */
char *dbw_path_absolute(const char *path);         /* relative to cwd; no symlink resolution */
char *dbw_path_relative(const char *path,
                        const char *base); /* path under base: the rest; else copy */
const char *dbw_path_basename(const char *path);
int dbw_mkdir_p(const char *path, int mode, dbw_error *err);
/* Sorted names in a folder (no . and ..). */
int dbw_dir_list(const char *path, dbw_strv *names_out, dbw_error *err);

/* ---- hashing (OpenSSL EVP) ---- */
void dbw_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- time and identity ---- */
int64_t dbw_now_ms(void); /* wall clock, ms since the epoch */
int64_t dbw_monotonic_ms(void);
void dbw_sleep_ms(long ms);
/* "2026-11-21T04:44:00Z" from ms since the epoch; out >= 32 bytes. */
void dbw_iso8601(int64_t ms, char *out, size_t size);
/* "user@host" of the running process; caller frees. */
char *dbw_actor(void);

/* ---- text checks ---- */
int dbw_utf8_valid(const char *s, size_t len, size_t *bad_offset_out);
int dbw_looks_binary(const char *s, size_t len); /* a NUL byte in it */

/* Line and column (1-based) of a byte offset in text. */
void dbw_text_position(const char *text, size_t len, size_t offset, int *line, int *col);

#endif
