/*
 * rules.c - the rule table: stable ids, names, default severities, one-line
 * summaries and the safe alternative of every rule. docs/lint/<id>.md holds
 * the long form of each; ids never change meaning once released.
 */
#include <string.h>
#include <strings.h>

#include "lint_internal.h"

static const dbw_lint_rule rules[] = {
    {"DW001", "parse-error", DBW_SEV_ERROR, "lint", "the database's parser rejects the statement",
     "Fix the syntax: the statement would fail at deploy. If the migrations are written for "
     "the other engine, set [lint] dialect = postgres or sqlite in dbward.ini."},
    {"DW002", "unmatched-allow", DBW_SEV_WARNING, "lint",
     "a dbward:allow sign-off matches no finding or has no reason",
     "Remove the sign-off, or write it as \"-- dbward:allow <rule-id> <reason>\" above the "
     "statement it accepts."},
    {"DW003", "history-changed", DBW_SEV_ERROR, "history",
     "dbward.sum does not match the migrations folder",
     "Restore the committed migration and put the change in a new migration; run \"dbward "
     "sum\" only for a change that was meant."},
    {"DW004", "identifier-too-long", DBW_SEV_WARNING, "lint",
     "a name longer than 63 bytes is cut by PostgreSQL, so two long names can collide",
     "Use a name of at most 63 bytes (Prisma: map: \"...\" on the index or relation)."},
    {"DW101", "drop-table", DBW_SEV_ERROR, "data-loss", "DROP TABLE deletes the table and its data",
     "Stop using the table in code first, keep a backup or rename it (e.g. to "
     "\"_deprecated_<name>\"), and drop it in a later release."},
    {"DW102", "drop-column", DBW_SEV_ERROR, "data-loss", "DROP COLUMN deletes the column's data",
     "Stop reading and writing the column in code first (ignore it in the ORM), deploy, then "
     "drop it in a later migration."},
    {"DW103", "drop-schema-database", DBW_SEV_ERROR, "data-loss",
     "DROP SCHEMA / DROP DATABASE deletes everything in it",
     "Drop the objects one by one in reviewed migrations, or do this by hand with a backup."},
    {"DW104", "truncate", DBW_SEV_ERROR, "data-loss", "TRUNCATE deletes every row",
     "Delete the rows that must go with a WHERE clause, in batches, or archive them first."},
    {"DW105", "delete-without-where", DBW_SEV_ERROR, "data-loss",
     "DELETE without WHERE deletes every row",
     "Add a WHERE clause naming the rows to delete (batch large deletes)."},
    {"DW106", "update-without-where", DBW_SEV_WARNING, "data-loss",
     "UPDATE without WHERE overwrites every row",
     "Add a WHERE clause; for a backfill of a new column, WHERE col IS NULL, in batches."},
    {"DW107", "lossy-type-change", DBW_SEV_ERROR, "data-loss",
     "a column type change that can lose or refuse values",
     "Add a new column of the new type, backfill it, switch the code, then drop the old one."},
    {"DW108", "drop-type", DBW_SEV_ERROR, "data-loss",
     "DROP TYPE of a type that columns may still use",
     "Move every column off the type first (ALTER COLUMN ... TYPE ... USING), then drop it; "
     "an enum redefinition (rename, create, alter using, drop) is recognised."},
    {"DW109", "enum-value-removed", DBW_SEV_ERROR, "data-loss",
     "an enum redefinition drops values that rows may hold",
     "Update the rows holding the removed values first (UPDATE ... SET col = 'new' WHERE col "
     "= 'old'), in this migration before the type change."},
    {"DW201", "index-not-concurrently", DBW_SEV_ERROR, "locks",
     "CREATE INDEX without CONCURRENTLY blocks writes to an existing table for the whole build",
     "Use CREATE INDEX CONCURRENTLY in a migration of its own marked "
     "\"-- dbward:no-transaction\"."},
    {"DW202", "concurrently-in-transaction", DBW_SEV_ERROR, "locks",
     "CONCURRENTLY cannot run inside a transaction block",
     "Remove BEGIN/COMMIT around it and put it in a migration of its own marked "
     "\"-- dbward:no-transaction\"."},
    {"DW203", "constraint-not-valid", DBW_SEV_ERROR, "locks",
     "a foreign key or check constraint added without NOT VALID scans the table under lock",
     "Add it with NOT VALID, then VALIDATE CONSTRAINT in a later migration (that takes a "
     "weaker lock)."},
    {"DW204", "unique-without-index", DBW_SEV_ERROR, "locks",
     "a UNIQUE or PRIMARY KEY constraint builds its index while blocking writes",
     "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX."},
    {"DW205", "set-not-null", DBW_SEV_ERROR, "locks",
     "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
     "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then SET NOT NULL "
     "(PostgreSQL 12+ uses the validated check and skips the scan)."},
    {"DW206", "volatile-default", DBW_SEV_ERROR, "locks",
     "ADD COLUMN with a volatile default rewrites the table under lock",
     "Add the column without a default (or with a constant one), backfill in batches, then set "
     "the default."},
    {"DW207", "type-change-rewrite", DBW_SEV_ERROR, "locks",
     "a column type change that rewrites the table under an ACCESS EXCLUSIVE lock",
     "Add a new column, backfill it in batches, switch the code, then drop the old column."},
    {"DW208", "blocking-maintenance", DBW_SEV_ERROR, "locks",
     "VACUUM FULL, CLUSTER or REINDEX without CONCURRENTLY locks the table out",
     "Use REINDEX ... CONCURRENTLY, or pg_repack for VACUUM FULL and CLUSTER, outside "
     "migrations."},
    {"DW209", "no-lock-timeout", DBW_SEV_WARNING, "locks",
     "a statement takes an ACCESS EXCLUSIVE lock with no lock_timeout set",
     "Start the migration with SET lock_timeout = '5s' (or set lock_timeout for the "
     "environment in dbward.ini) so a long query cannot queue every other query behind it."},
    {"DW210", "drop-index-not-concurrently", DBW_SEV_WARNING, "locks",
     "DROP INDEX without CONCURRENTLY blocks reads and writes of the table",
     "Use DROP INDEX CONCURRENTLY in a migration marked \"-- dbward:no-transaction\"."},
    {"DW211", "transaction-nesting", DBW_SEV_ERROR, "locks",
     "BEGIN inside an open transaction, or a BEGIN never committed: the migration's locks are "
     "held longer than it seems, or until the session ends",
     "Write one BEGIN ... COMMIT pair, or none (dbward runs each migration in a transaction)."},
    {"DW212", "detach-partition-not-concurrently", DBW_SEV_ERROR, "locks",
     "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the parent table",
     "Use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a migration "
     "marked \"-- dbward:no-transaction\"."},
    {"DW213", "backfill-under-lock", DBW_SEV_WARNING, "locks",
     "a data change (UPDATE, DELETE, INSERT ... SELECT) on a table the migration has just locked "
     "with ALTER TABLE holds that lock for the whole data change",
     "Change the schema in one migration and backfill in the next one (in batches), so the "
     "ACCESS EXCLUSIVE lock is released at once."},
    {"DW301", "not-null-without-default", DBW_SEV_ERROR, "compatibility",
     "a NOT NULL column without a default fails on a non-empty table and breaks running "
     "writers",
     "Add the column nullable (or with a default), backfill, then add NOT NULL in a later "
     "migration."},
    {"DW302", "rename-column", DBW_SEV_WARNING, "compatibility",
     "renaming a column breaks code that still uses the old name",
     "Add the new column, write to both, backfill, switch reads, then drop the old one."},
    {"DW303", "rename-table", DBW_SEV_WARNING, "compatibility",
     "renaming a table breaks code that still uses the old name",
     "Create a view with the old name during the switch, or copy-and-switch in steps."},
    {"DW401", "seed-insert-without-on-conflict", DBW_SEV_WARNING, "seeds",
     "a seed INSERT without ON CONFLICT duplicates rows or fails when the seed runs again",
     "Write INSERT ... ON CONFLICT DO NOTHING (or DO UPDATE) so the seed can be re-run."},
    {"DW501", "committed-migration-changed", DBW_SEV_ERROR, "history",
     "a staged change edits, renames or deletes a migration that is already committed",
     "Restore it (git restore --staged --worktree <file>) and put the change in a new "
     "migration."},
    {"DW502", "dangerous-command", DBW_SEV_ERROR, "commit",
     "a staged file contains a command that destroys data",
     "Remove the command, or commit with --no-verify if it is truly meant."},
    {"DW601", "personal-column-without-sanitize-rule", DBW_SEV_WARNING, "privacy",
     "a new column looks personal (its name or type) and the project's sanitize rules have no "
     "rule for it, so \"dbward copy\" refuses it or copies it unsanitized",
     "Add a rule for the column to the sanitize rules file (e.g. \"email = hash_email\" in "
     "the table's section), or \"* = skip\" for the whole table."},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

const dbw_lint_rule *dbw_lint_rules(size_t *n_out)
{
	if (n_out)
		*n_out = N_RULES;
	return rules;
}

int dbw_lint__rule_index(const char *id)
{
	for (size_t i = 0; i < N_RULES; i++)
		if (strcasecmp(rules[i].id, id) == 0 || strcasecmp(rules[i].name, id) == 0)
			return (int)i;
	return -1;
}

const dbw_lint_rule *dbw_lint_rule_find(const char *id_or_name)
{
	int i = id_or_name ? dbw_lint__rule_index(id_or_name) : -1;
	return i < 0 ? NULL : &rules[i];
}

const char *dbw_severity_name(dbw_severity s)
{
	switch (s) {
	case DBW_SEV_OFF:
		return "off";
	case DBW_SEV_INFO:
		return "info";
	case DBW_SEV_WARNING:
		return "warning";
	case DBW_SEV_ERROR:
		return "error";
	}
	return "?";
}

int dbw_severity_parse(const char *text, dbw_severity *out, dbw_error *err)
{
	static const dbw_severity all[] = {DBW_SEV_OFF, DBW_SEV_INFO, DBW_SEV_WARNING,
	                                   DBW_SEV_ERROR};
	for (size_t i = 0; i < 4; i++)
		if (text && strcasecmp(text, dbw_severity_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	dbw_error_set(err, DBW_ECONFIG, "invalid severity \"%s\"", text ? text : "");
	dbw_error_hint(err, "Use off, info, warning or error.");
	return DBW_ECONFIG;
}
