#!/usr/bin/env bash
# The same protections on SQLite files: the stamp, a development URL that
# reaches production's file (also through another path to it), the
# expect_database glob on the file name, a verified backup before deploy
# (online backup API + integrity_check) that restores the same content,
# and the typed name on restore. Data is compared before and after every
# refusal with user_sum: sqlite3 .dump of every table except dbward's own
# (dbward_audit is meant to grow when something is refused) and SQLite's
# sqlite_sequence (which that table's AUTOINCREMENT moves).
source "$DBW_TESTLIB"

P="$T_DIR/proj"
mkdir -p "$P/db/migrations" "$T_DIR/data" && cd "$P"
PROD="$T_DIR/data/app_prod.sqlite3"
DEV="$T_DIR/data/app_dev.sqlite3"
for f in "$PROD" "$DEV"; do
	sqlite3 "$f" "create table customers (id integer primary key, email text);
		with recursive g(i) as (select 1 union all select i + 1 from g where i < 200)
		insert into customers select i, 'c' || i || '@example.com' from g"
done
printf -- '-- migrate:up\nCREATE TABLE orders (id integer);\n\n-- migrate:down\nDROP TABLE orders;\n' >db/migrations/20240101000000_orders.sql
# customers predates the migrations: the drift check's shadow needs it too.
printf 'create table customers (id integer primary key, email text);\n' >shadow_setup.sql
cat >dbward.ini <<INI
[project]
shadow_setup = shadow_setup.sql
[env.development]
url = sqlite:$DEV
[env.production]
url = sqlite:$PROD
expect_database = *prod*
backup_dir = $T_DIR/backups
keep_backups = 3
INI
user_sum() {
	local t
	for t in $(sqlite3 "$1" "select name from sqlite_schema where type = 'table' and name not like 'dbward%' and name <> 'sqlite_sequence' order by name"); do
		sqlite3 "$1" ".dump $t"
	done | sha256sum | cut -d' ' -f1
}
tables_of() { sqlite3 "$1" "select group_concat(name, ',') from (select name from sqlite_schema where type = 'table' and name not like 'dbward%' and name <> 'sqlite_sequence' order by name)"; }

# Deploy to production: backup first (verified), migration, stamp.
SUM0=$(user_sum "$PROD")
run "$DBWARD" deploy --env production
expect_rc 0 "deploy to production"
FILE=$(ls "$T_DIR"/backups/*.sqlite3)
expect_eq "$(jq -r '.engine + " " + (.verified|tostring) + " " + .verify_method' "$FILE.json")" "sqlite true PRAGMA integrity_check" "sqlite backup verified"
expect_eq "$(sqlite3 "$FILE" "pragma integrity_check")" "ok" "backup file is a sound database"
expect_eq "$(user_sum "$FILE")" "$SUM0" "backup holds the source as it was (sqlite3 .dump)"
expect_eq "$(sqlite3 "$PROD" "select environment from dbward_environment")" "production" "first deploy stamped production"
expect_eq "$(tables_of "$PROD")" "customers,orders" "deploy applied the migration"
run "$DBWARD" stamp development
expect_rc 0 "stamp development"

# rollback and baseline on production: the typed name only.
SUM=$(user_sum "$PROD")
run "$DBWARD" rollback --env production --yes
expect_rc 3 "rollback on production with --yes only"
expect_in "$ERR" "rollback on production needs the database name typed to confirm" "rollback: message"
expect_eq "$(user_sum "$PROD")" "$SUM" "refused rollback: data unchanged"
run "$DBWARD" baseline 20240101000000 --env production
expect_rc 3 "baseline on production without the name"
run "$DBWARD" resolve --applied 20240101000000 --env production
expect_rc 3 "resolve on production without the name"
expect_in "$ERR" "resolve on production needs the database name typed to confirm" "resolve: message"
run "$DBWARD" rollback --env production --confirm app_prod.sqlite3
expect_rc 0 "rollback on production with the name"
expect_eq "$(tables_of "$PROD")" "customers" "rollback ran the down section"
run "$DBWARD" deploy --env production --skip-backup --reason "re-apply after the rollback test"
expect_rc 0 "deploy again"
run "$DBWARD" rollback --env development
expect_rc 0 "rollback on development needs no confirmation"
run "$DBWARD" deploy --env development
expect_rc 0 "development deployed again"

# The pre-migration checks.
printf -- '-- migrate:up\nCREATE TABLE invoices (id integer);\n' >db/migrations/20240102000000_invoices.sql
run "$DBWARD" check --env production
expect_rc 0 "pre-migration checks pass"
expect_in "$OUT" "ok        identity   database \"app_prod.sqlite3\" matches expect_database" "check: identity line"
expect_in "$OUT" "ok        stamp      stamped production" "check: stamp line"
expect_in "$OUT" "ok        history    1 applied, 0 failed, 0 modified, 0 missing" "check: history line"
expect_in "$OUT" "ok        pending    1 pending" "check: pending count"
expect_in "$OUT" "pending    20240102000000 invoices" "check: lists what is pending"
run "$DBWARD" check --env production --json
expect_eq "$(printf '%s' "$OUT" | jq -r '[.checks[].check] | join(",")')" "reachable,identity,stamp,history,pending" "check --json: the checks"
run "$DBWARD" backups --env production
expect_rc 0 "backups (text)"
expect_in "$OUT" "$(basename "$(ls "$T_DIR"/backups/*.sqlite3 | head -1)")" "backups lists the file"
expect_in "$OUT" "yes" "backups shows it verified"
rm db/migrations/20240102000000_invoices.sql

# A development URL that reaches production's file, spelled differently.
ln -s "$T_DIR/data" "$T_DIR/alias"
printf '[env.development]\nurl = sqlite:%s/alias/app_prod.sqlite3\n' "$T_DIR" >wrong.ini
SUM=$(user_sum "$PROD")
run "$DBWARD" -c wrong.ini --env development status
expect_rc 3 "development status on production's file"
expect_in "$ERR" "dbward: refused: database \"app_prod.sqlite3\" is stamped production, not development" "sqlite stamp mismatch: message"
expect_eq "$(user_sum "$PROD")" "$SUM" "sqlite stamp mismatch: data unchanged"
run "$DBWARD" -c wrong.ini --env development check
expect_rc 3 "pre-migration checks on production's file from development"
expect_in "$OUT" "FAILED    identity   database \"app_prod.sqlite3\" is stamped production, not development" "check: identity line names the stamp"

# Same file through a symlinked folder, unstamped: caught by the real path.
cp "$DEV" "$T_DIR/data/shared.sqlite3"
cat >same.ini <<INI
[env.development]
url = sqlite:$T_DIR/alias/shared.sqlite3
[env.production]
url = sqlite:$T_DIR/data/shared.sqlite3
INI
SUM=$(user_sum "$T_DIR/data/shared.sqlite3")
run "$DBWARD" -c same.ini --env development deploy
expect_rc 3 "development on production's file (another path)"
expect_in "$ERR" "development resolves to the database of protected environment production" "sqlite same file: message"
expect_eq "$(user_sum "$T_DIR/data/shared.sqlite3")" "$SUM" "sqlite same file: data unchanged"
run "$DBWARD" -c same.ini doctor
expect_rc 3 "doctor: same file"
expect_in "$OUT" "development: same database as production" "doctor reports the shared file"

# expect_database is a glob on the file name.
printf '[env.production]\nurl = sqlite:%s\nexpect_database = *prod*\n' "$DEV" >misdirected.ini
SUM=$(user_sum "$DEV")
run "$DBWARD" -c misdirected.ini --env production deploy
expect_rc 3 "production URL at app_dev.sqlite3"
expect_in "$ERR" "database \"app_dev.sqlite3\" does not match expect_database \"*prod*\" of production" "sqlite expect_database: message"
expect_eq "$(user_sum "$DEV")" "$SUM" "sqlite expect_database: data unchanged"

# Restore into production: the typed name only.
sqlite3 "$PROD" "delete from customers where id > 100"
SUM=$(user_sum "$PROD")
run "$DBWARD" restore "$FILE" --env production --confirm app_prod
expect_rc 3 "restore: --confirm with a near miss"
expect_in "$ERR" "confirmation \"app_prod\" does not match the database \"app_prod.sqlite3\" of production" "near miss: message"
expect_eq "$(user_sum "$PROD")" "$SUM" "near miss: data unchanged"
printf -- '-- migrate:up\nCREATE TABLE late (id integer);\n' >db/migrations/20240103000000_late.sql
run "$DBWARD" deploy --env production --confirm app_dev.sqlite3
expect_rc 3 "deploy with --confirm naming another database"
expect_in "$ERR" "confirmation \"app_dev.sqlite3\" does not match the database \"app_prod.sqlite3\" of production" "wrong --confirm stops even a deploy"
expect_eq "$(tables_of "$PROD")" "customers,orders" "wrong --confirm: nothing deployed"
rm db/migrations/20240103000000_late.sql
run "$DBWARD" restore "$FILE" --env production --confirm app_prod.sqlite3
expect_rc 0 "restore: --confirm with the file name"
expect_eq "$(user_sum "$PROD")" "$SUM0" "restored production equals the backup"

# On a terminal the command asks for the name (script(1) gives it a tty).
if command -v script >/dev/null; then
	sqlite3 "$PROD" "delete from customers where id > 150"
	SUM=$(user_sum "$PROD")
	run script -qec "$DBWARD restore $FILE --env production" /dev/null < <(sleep 1; echo app_prod)
	expect_rc 3 "prompt: a wrong name typed"
	expect_in "$OUT" "Type the database name to confirm:" "prompt: asks for the name"
	expect_in "$OUT" "confirmation \"app_prod\" does not match" "prompt: wrong name refused"
	expect_eq "$(user_sum "$PROD")" "$SUM" "prompt: wrong name changed nothing"
	run script -qec "$DBWARD restore $FILE --env production" /dev/null < <(sleep 1; echo app_prod.sqlite3)
	expect_rc 0 "prompt: the right name typed"
	expect_eq "$(user_sum "$PROD")" "$SUM0" "prompt: restored"
fi

# Restore into development needs no confirmation.
run "$DBWARD" restore "$FILE" --env development
expect_rc 0 "restore into development: no confirmation needed"
expect_eq "$(user_sum "$DEV")" "$SUM0" "development now holds the backup"
# A backup of the stamped production, restored into development, belongs to
# development afterwards (the copy-production-into-staging workflow).
run "$DBWARD" backup --env production
expect_rc 0 "backup of the stamped production"
STAMPED=$(printf '%s' "$OUT" | sed -n 's/^  file *//p')
expect_eq "$(sqlite3 "$STAMPED" "select environment from dbward_environment")" "production" "the backup carries production's stamp"
run "$DBWARD" restore "$STAMPED" --env development
expect_rc 0 "restore production's backup into development"
expect_eq "$(sqlite3 "$DEV" "select environment from dbward_environment")" "development" "restored database stamped development"
run "$DBWARD" status --env development
expect_rc 0 "development commands work on the restored copy"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.environment == "production" and .operation == "restore")] | map(.outcome) | join(",")')" \
	'"refused,allowed,succeeded,refused,allowed,succeeded"' "restore decisions audited in order (--confirm, then the prompt)"

done_testing
