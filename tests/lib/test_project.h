/*
 * test_project.h - a throwaway project folder holding a dbward.ini, for unit
 * tests that need a real project on disk (header only: each test program is
 * its own executable).
 */
#ifndef DBW_TEST_PROJECT_H
#define DBW_TEST_PROJECT_H

#include <stdlib.h>
#include <string.h>
#include <dbward.h>
#include "util/util.h"

/* Write ini as the dbward.ini of root (made with mkdtemp by the caller,
 * since ini usually names paths under it) and open the project there.
 * 0, or -1 on any failure. */
static int test_project_open(const char *root, const char *ini, dbw_project **out)
{
	dbw_project_options po = DBW_PROJECT_OPTIONS_INIT;
	char *path;
	int rc;
	*out = NULL;
	if (!ini)
		return -1;
	path = dbw_sprintf("%s/dbward.ini", root);
	rc = path ? dbw_file_write(path, ini, strlen(ini), 0644, NULL) : -1;
	free(path);
	po.cwd = root;
	return rc < 0 ? -1 : dbw_project_open(out, &po, NULL);
}

/* Free the project and remove its folder. 0, or -1 when rm failed. */
static int test_project_close(const char *root, dbw_project *project)
{
	char *cmd = dbw_sprintf("rm -rf '%s'", root);
	int rc = cmd && system(cmd) == 0 ? 0 : -1;
	dbw_project_free(project);
	free(cmd);
	return rc;
}

#endif
