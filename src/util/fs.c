/*
 * fs.c - files and paths: whole-file reads, atomic writes, folder listings.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

int dbw_file_read(const char *path, char **data_out, size_t *len_out, dbw_error *err)
{
	FILE *f;
	dbw_buf b = DBW_BUF_INIT;
	char chunk[65536];
	size_t n;
	struct stat st;

	*data_out = NULL;
	if (len_out)
		*len_out = 0;
	f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		return dbw_error_set(err, e == ENOENT ? DBW_ENOTFOUND : DBW_EIO,
		                     "could not open file \"%s\": %s", path, strerror(e));
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return dbw_error_set(err, DBW_EIO, "could not read file \"%s\": it is a directory",
		                     path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		dbw_buf_put(&b, chunk, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		dbw_buf_free(&b);
		return dbw_error_set(err, DBW_EIO, "could not read file \"%s\": %s", path,
		                     strerror(e));
	}
	fclose(f);
	if (len_out)
		*len_out = b.len;
	*data_out = dbw_buf_detach(&b);
	if (!*data_out)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory reading \"%s\"", path);
	return 0;
}

int dbw_file_write(const char *path, const char *data, size_t len, int mode, dbw_error *err)
{
	char *tmp = dbw_sprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = 0;
	size_t off = 0;

	if (!tmp)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not create file \"%s\": %s", path,
		                   strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = dbw_error_set(err, DBW_EIO, "could not write file \"%s\": %s", path,
			                   strerror(errno));
			close(fd);
			unlink(tmp);
			goto done;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not write file \"%s\": %s", path,
		                   strerror(errno));
		unlink(tmp);
		goto done;
	}
	if (rename(tmp, path) != 0) {
		rc = dbw_error_set(err, DBW_EIO, "could not rename \"%s\" to \"%s\": %s", tmp, path,
		                   strerror(errno));
		unlink(tmp);
	}
done:
	free(tmp);
	return rc;
}

int dbw_path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int dbw_path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *dbw_path_join(const char *a, const char *b)
{
	size_t n;
	if (b[0] == '/' || !a || !*a)
		return strdup(b);
	n = strlen(a);
	if (n && a[n - 1] == '/')
		return dbw_sprintf("%s%s", a, b);
	return dbw_sprintf("%s/%s", a, b);
}

char *dbw_path_absolute(const char *path)
{
	char cwd[PATH_MAX];
	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (strcmp(path, ".") == 0)
		return strdup(cwd);
	if (dbw_str_startswith(path, "./"))
		path += 2;
	return dbw_path_join(cwd, path);
}

char *dbw_path_relative(const char *path, const char *base)
{
	size_t n;
	if (!base)
		return strdup(path);
	n = strlen(base);
	while (n > 1 && base[n - 1] == '/')
		n--;
	if (strncmp(path, base, n) == 0 && path[n] == '/')
		return strdup(path + n + 1);
	return strdup(path);
}

const char *dbw_path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int dbw_mkdir_p(const char *path, int mode, dbw_error *err)
{
	char *p = strdup(path);
	int rc = 0;
	if (!p)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
			rc = dbw_error_set(err, DBW_EIO, "could not create directory \"%s\": %s", p,
			                   strerror(errno));
			goto done;
		}
		*s = '/';
	}
	if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
		rc = dbw_error_set(err, DBW_EIO, "could not create directory \"%s\": %s", p,
		                   strerror(errno));
done:
	free(p);
	return rc;
}

int dbw_dir_list(const char *path, dbw_strv *names_out, dbw_error *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	if (!d) {
		int e = errno;
		return dbw_error_set(err, e == ENOENT ? DBW_ENOTFOUND : DBW_EIO,
		                     "could not open directory \"%s\": %s", path, strerror(e));
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dbw_strv_push(names_out, de->d_name) < 0) {
			closedir(d);
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
		}
	}
	closedir(d);
	dbw_strv_sort(names_out);
	return 0;
}
