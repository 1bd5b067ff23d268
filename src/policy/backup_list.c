/*
 * backup_list.c - reading backup manifests: one, all in a folder (newest
 * first), and retention over them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "policy/backup_internal.h"

static char *get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? dbw_strdup(s) : NULL;
}

int dbw_backup_load(const char *path, dbw_backup **out, dbw_error *err)
{
	char *mpath, *data = NULL, *slash;
	dbw_backup *b = NULL;
	json_t *o = NULL;
	const char *file, *sha;
	int rc;

	*out = NULL;
	mpath = dbw_str_endswith(path, ".json") ? dbw_path_absolute(path)
	                                        : dbw_sprintf("%s.json", path);
	if (!mpath)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (mpath[0] != '/') {
		char *abs = dbw_path_absolute(mpath);
		free(mpath);
		if (!(mpath = abs))
			return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	}
	rc = dbw_file_read(mpath, &data, NULL, err);
	if (rc == DBW_ENOTFOUND) {
		dbw_error_set(err, DBW_ENOTFOUND, "backup \"%s\" has no manifest", path);
		dbw_error_hint(err, "dbward restores only backups it took and verified; run "
		                    "\"dbward backups\" to list them.");
		goto done;
	}
	if (rc < 0)
		goto done;
	o = json_loads(data, 0, NULL);
	file = json_string_value(json_object_get(o, "file"));
	sha = json_string_value(json_object_get(o, "sha256"));
	if (!o || !file || strchr(file, '/') || !sha || strlen(sha) != 64) {
		rc = dbw_error_set(err, DBW_EINPUT, "backup manifest \"%s\" is malformed", mpath);
		goto done;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	slash = strrchr(mpath, '/');
	*slash = '\0';
	b->path = dbw_sprintf("%s/%s", mpath, file);
	*slash = '/';
	b->manifest_path = dbw_strdup(mpath);
	b->environment = get_str(o, "environment");
	b->database = get_str(o, "database");
	b->engine = get_str(o, "engine");
	b->created_at = get_str(o, "created_at");
	b->created_ms = (int64_t)json_integer_value(json_object_get(o, "created_ms"));
	b->size = (long long)json_integer_value(json_object_get(o, "size"));
	b->migration_version = get_str(o, "migration_version");
	memcpy(b->sha256, sha, 65);
	b->verified = json_is_true(json_object_get(o, "verified"));
	b->verify_method = get_str(o, "verify_method");
	b->server_version = (int)json_integer_value(json_object_get(o, "server_version"));
	if (!b->path || !b->manifest_path || !b->environment || !b->engine || !b->created_at) {
		rc = dbw_error_set(err, DBW_EINPUT, "backup manifest \"%s\" is malformed", mpath);
		goto done;
	}
	*out = b;
	b = NULL;
done:
	dbw_backup_free(b);
	json_decref(o);
	free(data);
	free(mpath);
	return rc;
}

static int newest_first(const void *a, const void *b)
{
	const dbw_backup *x = *(dbw_backup *const *)a, *y = *(dbw_backup *const *)b;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? 1 : -1;
	return strcmp(y->path, x->path);
}

int dbw_backup_list_dir(const char *dir, const char *environment, dbw_backup_list **out,
                        dbw_error *err)
{
	dbw_strv names = DBW_STRV_INIT;
	dbw_backup_list *l = calloc(1, sizeof(*l));
	int rc = 0;

	*out = NULL;
	if (!l)
		return dbw_error_set(err, DBW_ENOMEM, "out of memory");
	if (dbw_path_is_dir(dir) && (rc = dbw_dir_list(dir, &names, err)) < 0)
		goto done;
	l->items = calloc(names.count ? names.count : 1, sizeof(*l->items));
	if (!l->items) {
		rc = dbw_error_set(err, DBW_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < names.count; i++) {
		char *path;
		dbw_backup *b = NULL;
		if (!dbw_str_endswith(names.items[i], ".json"))
			continue;
		path = dbw_path_join(dir, names.items[i]);
		/* A foreign or broken .json in the folder is not a backup: skip it. */
		if (path && dbw_backup_load(path, &b, NULL) == 0 &&
		    (!environment || strcmp(b->environment, environment) == 0))
			l->items[l->count++] = b;
		else
			dbw_backup_free(b);
		free(path);
	}
	qsort(l->items, l->count, sizeof(*l->items), newest_first);
	*out = l;
	l = NULL;
done:
	dbw_backup_list_free(l);
	dbw_strv_free(&names);
	return rc;
}

void dbw_backup__prune(const char *dir, const char *environment, long keep, const char *newest)
{
	dbw_backup_list *l = NULL;
	long kept = 0;
	if (dbw_backup_list_dir(dir, environment, &l, NULL) < 0)
		return;
	for (size_t i = 0; i < l->count; i++) {
		dbw_backup *b = l->items[i];
		if (!b->verified)
			continue;
		if (kept < keep || strcmp(b->path, newest) == 0) {
			kept++;
			continue;
		}
		unlink(b->path);
		unlink(b->manifest_path);
	}
	dbw_backup_list_free(l);
}
