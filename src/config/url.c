/*
 * url.c - the database URL conventions of the config layer: which variable
 * prefix an environment's URL goes by (DEV_, TEST_, STAGING_: the common
 * team convention of DESIGN.md), and SQLite paths anchored at the project
 * root. Parsing URLs themselves belongs to the driver layer.
 */
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

const char *dbw_config__url_prefix(const char *env)
{
	if (!strcmp(env, "development"))
		return "DEV_";
	if (!strcmp(env, "test"))
		return "TEST_";
	if (!strcmp(env, "staging"))
		return "STAGING_";
	return NULL;
}

/*
 * sqlite:RELATIVE is relative to the project root, not to wherever dbward
 * runs: a subfolder must reach the same file. *url replaced; -1 on ENOMEM.
 */
int dbw_config__anchor_sqlite(const char *root, char **url)
{
	const char *path;
	char *abs;
	if (!*url || strncmp(*url, "sqlite:", 7) != 0)
		return 0;
	path = *url + 7;
	if (!*path || path[0] == '/' || path[0] == ':' || !strncmp(path, "file:", 5))
		return 0;
	abs = dbw_path_join(root, path);
	if (!abs)
		return -1;
	free(*url);
	*url = dbw_sprintf("sqlite:%s", abs);
	free(abs);
	return *url ? 0 : -1;
}
