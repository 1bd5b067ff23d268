/*
 * dbward.h - libdbward, the library behind the dbward command.
 *
 * dbward keeps a project's databases apart across environments and applies
 * versioned SQL migrations safely. Everything the command does is reachable
 * from here: the command holds no logic of its own.
 *
 * Conventions: functions return 0 or a negative DBW_E* code (dbward/error.h)
 * and take a caller-owned dbw_error as their last argument; objects are made
 * with dbw_<noun>_new/open(&out, ...) and released with the matching _free /
 * _close, which accept NULL. The library never prints, exits or reads argv.
 */
#ifndef DBWARD_H
#define DBWARD_H

#define DBW_VERSION_STRING "0.1.0"

#include "dbward/error.h"
#include "dbward/config.h"
#include "dbward/db.h"
#include "dbward/migrate.h"
#include "dbward/lint.h"
#include "dbward/sum.h"
#include "dbward/copy.h"
#include "dbward/schema.h"
#include "dbward/policy.h"
#include "dbward/backup.h"
#include "dbward/data.h"

/** The library's version, e.g. "0.1.0". */
const char *dbw_version(void);

#endif
