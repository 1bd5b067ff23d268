/*
 * version.c - the library's version string.
 */
#include <dbward.h>
#include "util/util.h"

const char *dbw_version(void)
{
	return DBW_VERSION;
}
