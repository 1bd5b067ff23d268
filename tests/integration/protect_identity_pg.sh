#!/usr/bin/env bash
# Knowing which database you are on (issue 3, "Done means"), on real
# PostgreSQL: a development command that reaches the database stamped
# production is refused; production's URL pointing at a *_dev database
# with expect_database = *prod* is refused; development and production on
# one database: doctor reports it and development commands are refused;
# restore into production is refused without the typed name, refused with a
# wrong one, and proceeds with the right one. Every refusal leaves the data
# as it was and is audited.
source "$DBW_TESTLIB"
need_pg

PW=${PGPASSWORD:-}
PROD=$(pg_newdb prod) && DEV=$(pg_newdb dev) && SAME=$(pg_newdb shared)
for db in "$PROD" "$DEV" "$SAME"; do
	psql_q "$db" "create table customers (id int primary key, email text);
		insert into customers select g, 'c' || g || '@example.com' from generate_series(1, 50) g" >/dev/null
done
# The rows that matter: every table but dbward's own (the audit table is
# meant to grow when something is refused).
user_sum() {
	local db=$1 t out=""
	for t in $(psql_q "$db" "select format('%I.%I', schemaname, tablename) from pg_tables
		where schemaname not in ('pg_catalog','information_schema') and tablename not like 'dbward\_%' order by 1"); do
		out+="$t:$(psql_q "$db" "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from $t x")\n"
	done
	printf "%b" "$out" | sha256sum | cut -d' ' -f1
}

P="$T_DIR/proj"
mkdir -p "$P/db/migrations" && cd "$P"
printf -- '-- migrate:up\nCREATE TABLE orders (id int);\n' >db/migrations/20240101000000_orders.sql
cat >dbward.ini <<INI
[env.development]
url = $(pg_url "$DEV")
[env.production]
url = $(pg_url "$PROD")
expect_database = *prod*
backup_dir = $T_DIR/backups
INI

# Stamp both.
run "$DBWARD" stamp production
expect_rc 0 "stamp production"
expect_eq "$OUT" "stamped database \"$PROD\" as production" "stamp: message"
expect_eq "$(psql_q "$PROD" "select environment || ' ' || dbward_version from dbward_environment")" "production 0.1.0" "stamp: row in dbward_environment"
run "$DBWARD" stamp development
expect_rc 0 "stamp development"

# 1. A development command whose URL reaches the production database.
BEFORE=$(user_sum "$PROD")
cat >wrong.ini <<INI
[env.development]
url = $(pg_url "$PROD")
INI
run "$DBWARD" -c wrong.ini --env development deploy
expect_rc 3 "development deploy on the production database"
expect_in "$ERR" "dbward: refused: database \"$PROD\" is stamped production, not development" "stamp mismatch: message"
expect_in "$ERR" "hint: Point development at its own database, or use --env production if you meant production." "stamp mismatch: hint names both"
expect_eq "$(user_sum "$PROD")" "$BEFORE" "stamp mismatch: data unchanged"
expect_eq "$(psql_q "$PROD" "select count(*) from pg_tables where tablename in ('orders', 'dbward_migrations')")" "0" "stamp mismatch: no migration ran"
run "$DBWARD" -c wrong.ini --env development status
expect_rc 3 "development status on the production database"
expect_not_in "$OUT$ERR" "$PW@" "no password in the output"
expect_eq "$(psql_q "$PROD" "select count(*) from dbward_audit where outcome = 'refused' and environment = 'development' and operation = 'deploy'")" "1" "stamp mismatch: refusal audited in dbward_audit"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.environment == "development" and .outcome == "refused")] | length')" "2" "stamp mismatch: both refusals in the local log"

# The destructive operations of other commands, asked of the live
# production database: refused, audited in the database and locally.
BEFORE=$(user_sum "$PROD")
for op in reset truncate seed; do
	run "$DBWARD" check "$op" --env production
	expect_rc 3 "production: $op refused"
	expect_eq "$OUT" "BLOCKED: $op is not allowed in production (protected environment)" "production: $op message"
done
run "$DBWARD" check reset --env production --confirm "$PROD" --yes
expect_rc 3 "production: reset refused even with the right name"
expect_eq "$(user_sum "$PROD")" "$BEFORE" "refused operations: data unchanged"
expect_eq "$(psql_q "$PROD" "select string_agg(operation, ',' order by id) from dbward_audit where outcome = 'refused' and environment = 'production' and command like '%check%'")" \
	"reset,truncate,seed,reset" "refused operations audited in dbward_audit"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq -r '[.entries[] | select(.environment == "production" and .outcome == "refused") | .operation] | join(",")')" \
	"reset,truncate,seed,reset" "refused operations in the local audit log"
# The real data commands on production: refused, data unchanged, audited.
mkdir -p db/seeds/shared
printf "INSERT INTO customers VALUES (999, 'seed@example.com');\n" >db/seeds/shared/001_customer.sql
for cmd in reset truncate seed; do
	run "$DBWARD" "$cmd" --env production
	expect_rc 3 "dbward $cmd --env production refused"
	expect_in "$ERR" "dbward: refused: $cmd is not allowed in production" "dbward $cmd: message"
done
run "$DBWARD" reset --env production --confirm "$PROD" --yes
expect_rc 3 "dbward reset --env production with the name and --yes: still refused"
expect_eq "$(user_sum "$PROD")" "$BEFORE" "refused data commands: data unchanged"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq -r '[.entries[] | select(.environment == "production" and .outcome == "refused" and (.command | test("dbward (reset|truncate|seed) "))) | .operation] | join(",")')" \
	"reset,truncate,seed,reset" "refused data commands audited"

run "$DBWARD" -c wrong.ini check reset --env development
expect_rc 3 "check reset from a development URL that reaches production"
expect_eq "$OUT" "BLOCKED: database \"$PROD\" is stamped production, not development" "check: the stamp decides, not the URL"
run "$DBWARD" check reset --env development
expect_rc 0 "check reset on the real development database"
expect_eq "$OUT" "allowed" "check reset on development: allowed"

# Re-stamping production needs the typed name.
run "$DBWARD" -c wrong.ini stamp development --yes
expect_rc 3 "re-stamp production without the name"
expect_in "$ERR" "stamp on development needs the database name typed to confirm" "re-stamp: message"
expect_in "$ERR" "--yes is not enough there" "re-stamp: --yes is not enough"
expect_eq "$(psql_q "$PROD" "select environment from dbward_environment")" "production" "re-stamp refused: stamp unchanged"

# 2. Production's URL points at a database named *_dev.
cat >misdirected.ini <<INI
[env.production]
url = $(pg_url "$DEV")
expect_database = *prod*
INI
BEFORE_DEV=$(user_sum "$DEV")
run "$DBWARD" -c misdirected.ini --env production deploy
expect_rc 3 "production URL at a dev database"
expect_in "$ERR" "dbward: refused: database \"$DEV\" does not match expect_database \"*prod*\" of production" "expect_database: message"
expect_in "$ERR" "hint: Point production's URL at a database whose name matches \"*prod*\"" "expect_database: hint"
expect_eq "$(user_sum "$DEV")" "$BEFORE_DEV" "expect_database: data unchanged"
expect_eq "$(psql_q "$DEV" "select count(*) from pg_tables where tablename = 'orders'")" "0" "expect_database: no migration ran"

# 3. Development and production resolve to one (unstamped) database.
cat >same.ini <<INI
[env.development]
url = $(pg_url "$SAME")
[env.production]
url = $(pg_url "$SAME")
INI
BEFORE_SAME=$(user_sum "$SAME")
run "$DBWARD" -c same.ini doctor
expect_rc 3 "doctor: two environments on one database"
expect_in "$OUT" "development: same database as production" "doctor reports development = production"
expect_in "$OUT" "production: same database as development" "doctor reports production = development"
run "$DBWARD" -c same.ini doctor --json
expect_eq "$(printf '%s' "$OUT" | jq -r '.environments[] | select(.environment == "development") | .same_as')" "production" "doctor --json: same_as"
run "$DBWARD" -c same.ini --env development deploy
expect_rc 3 "development command on production's database"
expect_in "$ERR" "dbward: refused: development resolves to the database of protected environment production" "same database: message"
expect_eq "$(user_sum "$SAME")" "$BEFORE_SAME" "same database: data unchanged"
expect_eq "$(psql_q "$SAME" "select string_agg(tablename, ',' order by tablename) from pg_tables where tablename like 'dbward%' or tablename = 'orders'")" "dbward_audit" "same database: nothing but the audit record created"
expect_eq "$(psql_q "$SAME" "select environment || ' ' || operation || ' ' || outcome from dbward_audit")" "development deploy refused" "same database: refusal audited in production's database"

# A role that may not read pg_control_system(): doctor falls back to
# host, port and database name, and still sees one database.
ROLE="dbw_plain_$$"
psql_q postgres "create role $ROLE login password 'plainpw'" >/dev/null
psql_q "$SAME" "grant select on all tables in schema public to $ROLE" >/dev/null
plain_url() { pg_url "$1" | sed "s|//[^@]*@|//$ROLE:plainpw@|"; }
printf '[env.development]\nurl = %s\n[env.production]\nurl = %s\n' "$(plain_url "$SAME")" "$(plain_url "$SAME")" >plain.ini
# PUBLIC may run it by default; take it away in this database (function
# privileges live in each database's catalog) and give it back after.
psql_q "$SAME" "revoke execute on function pg_control_system() from public" >/dev/null
expect_eq "$(PGUSER=$ROLE PGPASSWORD=plainpw psql -XAtq -d "$SAME" -c "select current_user || ',' || has_function_privilege('pg_control_system()', 'execute')")" "$ROLE,false" "the plain role cannot read the system identifier"
run "$DBWARD" -c plain.ini doctor --json
expect_eq "$(printf '%s' "$OUT" | jq -r '.environments[] | select(.environment == "development") | .same_as')" "production" "doctor --json (fallback identity): same_as"
run "$DBWARD" -c plain.ini doctor
expect_rc 3 "doctor (fallback identity): two environments on one database"
expect_in "$OUT" "development: same database as production" "doctor (fallback identity) reports it"
expect_not_in "$OUT$ERR" "plainpw" "doctor: no password in the output"
psql_q "$SAME" "revoke all on all tables in schema public from $ROLE" >/dev/null
psql_q postgres "drop role $ROLE" >/dev/null
psql_q "$SAME" "grant execute on function pg_control_system() to public" >/dev/null

# Doctor on the healthy project: both reachable, stamped as themselves.
run "$DBWARD" doctor --json
expect_rc 0 "doctor: healthy project"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.environments[] | select(.reachable) | .environment + "=" + .stamp] | join(",")')" \
	"development=development,production=production" "doctor: stamps"
expect_eq "$(printf '%s' "$OUT" | jq -r '.environments[] | select(.environment == "production") | .pending')" "1" "doctor: pending count"

# 4. Restore into production: typed name only.
run "$DBWARD" backup --env production
expect_rc 0 "backup production"
FILE=$(ls "$T_DIR"/backups/*.dump | head -1)
psql_q "$PROD" "insert into customers values (51, 'late@example.com')" >/dev/null
BEFORE=$(user_sum "$PROD")
run "$DBWARD" restore "$FILE" --env production
expect_rc 3 "restore into production without --confirm"
expect_in "$ERR" "restore on production needs the database name typed to confirm" "restore: message"
run "$DBWARD" restore "$FILE" --env production --yes
expect_rc 3 "restore into production with --yes only"
run "$DBWARD" restore "$FILE" --env production --confirm wrongname
expect_rc 3 "restore with --confirm wrongname"
expect_in "$ERR" "dbward: refused: confirmation \"wrongname\" does not match the database \"$PROD\" of production" "wrong name: message"
expect_eq "$(user_sum "$PROD")" "$BEFORE" "refused restores: data unchanged"
expect_eq "$(psql_q "$PROD" "select count(*) from dbward_audit where operation = 'restore' and outcome = 'refused'")" "3" "refused restores audited in dbward_audit"
run "$DBWARD" restore "$FILE" --env production --confirm "$PROD"
expect_rc 0 "restore with --confirm rightname"
expect_eq "$(psql_q "$PROD" "select count(*) from customers")" "50" "restore: the backup's rows are back"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.operation == "restore" and .outcome == "succeeded" and .environment == "production")] | length')" "1" "restore success audited locally"

done_testing
