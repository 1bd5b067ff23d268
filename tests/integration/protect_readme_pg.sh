#!/usr/bin/env bash
# docs/protect.md's promise, literally: the four lines of dbward.ini it
# shows, plus `dbward stamp production`, protect production. A fresh
# project with only DATABASE_URL set and those lines.
source "$DBW_TESTLIB"
need_pg

PROD=$(pg_newdb prod) && OTHER=$(pg_newdb dev)
psql_q "$PROD" "create table accounts (id int primary key, balance int);
	insert into accounts select g, g * 10 from generate_series(1, 100) g" >/dev/null
P="$T_DIR/proj"
mkdir -p "$P/db/migrations" && cd "$P"
printf -- '-- migrate:up\nALTER TABLE accounts ADD COLUMN note text;\n' >db/migrations/20240101000000_note.sql
# The exact lines of docs/protect.md, with the backup folder made local.
sed -n '/^```ini$/,/^```$/p' "$DBW_SOURCE_DIR/docs/protect.md" | sed '1d;$d' |
	sed "s|/var/backups/myapp|$T_DIR/backups|" >dbward.ini
expect_eq "$(wc -l <dbward.ini)" "4" "docs/protect.md shows four lines"
export DATABASE_URL=$(pg_url "$PROD")

run "$DBWARD" stamp production
expect_rc 0 "dbward stamp production"
SUM=$(pg_data_checksum "$PROD")
run "$DBWARD" check reset --env production
expect_rc 3 "reset blocked"
expect_eq "$OUT" "BLOCKED: reset is not allowed in production (protected environment)" "reset: message"
run "$DBWARD" --env development deploy
expect_rc 3 "a development deploy that reaches production is refused"
expect_in "$ERR" "dbward: refused: database \"$PROD\" is stamped production, not development" "development refused by the stamp"
run "$DBWARD" doctor
expect_rc 3 "doctor: development falls back to production's DATABASE_URL"
expect_in "$OUT" "development: same database as test,staging,production" "doctor reports the shared database (every environment falls back to it)"
run "$DBWARD" --env production deploy
expect_rc 0 "production deploy"
expect_eq "$(ls "$T_DIR"/backups/*.dump | wc -l)" "1" "production deploy took a backup first"
expect_eq "$(jq -r .verified "$(ls "$T_DIR"/backups/*.json)")" "true" "the backup is verified"
DATABASE_URL=$(pg_url "$OTHER") run "$DBWARD" --env production status
expect_rc 3 "production's URL at a database not named *prod*"
expect_in "$ERR" "does not match expect_database \"*prod*\" of production" "expect_database: message"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.outcome == "refused")] | length')" "3" "refusals audited"
done_testing
