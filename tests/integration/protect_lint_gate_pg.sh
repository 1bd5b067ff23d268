#!/usr/bin/env bash
# deploy runs lint's gate: an edited migration breaks dbward.sum (exit 6,
# every environment); on a protected environment a pending migration with an
# error-level finding is refused until it is signed off (-- dbward:allow).
source "$DBW_TESTLIB"
need_pg

PROD=$(pg_newdb prodlint)
mkdir -p "$T_DIR/p/db/migrations" "$T_DIR/p/backups" && cd "$T_DIR/p"
export DATABASE_URL=$(pg_url "$PROD")
printf '[env.production]\nurl = ${DATABASE_URL}\nbackup_dir = backups\n' >dbward.ini
printf 'CREATE TABLE users (id int PRIMARY KEY, email text, legacy text);\n' >db/migrations/20240101000000_users.sql
run "$DBWARD" --env production deploy
expect_rc 0 "first deploy"
psql_q "$PROD" "INSERT INTO users VALUES (1, 'a@example.com', 'x')"

printf 'ALTER TABLE users DROP COLUMN legacy;\n' >db/migrations/20240102000000_drop_legacy.sql
SUM=$(pg_data_checksum "$PROD")
run "$DBWARD" --env production deploy
expect_rc 3 "protected deploy with an unsigned error-level finding"
expect_in "$ERR" "db/migrations/20240102000000_drop_legacy.sql:1:" "gate: points at file:line"
expect_in "$ERR" "dbward:allow" "gate: hint says how to sign off"
expect_eq "$(pg_data_checksum "$PROD")" "$SUM" "gate: data unchanged"

rule=$("$DBWARD" --json lint db/migrations/20240102000000_drop_legacy.sql | jq -r '.findings[0].rule')
printf -- '-- dbward:allow %s legacy column unused since v2, approved by ops\nALTER TABLE users DROP COLUMN legacy;\n' "$rule" >db/migrations/20240102000000_drop_legacy.sql
run "$DBWARD" --env production deploy
expect_rc 0 "signed-off migration deploys"
expect_eq "$(psql_q "$PROD" "select count(*) from information_schema.columns where table_name = 'users' and column_name = 'legacy'")" "0" "column dropped"

# dbward.sum catches an edited applied migration before any database is touched.
run "$DBWARD" sum
expect_rc 0 "dbward sum"
sed -i 's/email text/email varchar(10)/' db/migrations/20240101000000_users.sql
DEV=$(pg_newdb devlint)
DATABASE_URL=$(pg_url "$DEV") run "$DBWARD" deploy
expect_rc 6 "edited migration vs dbward.sum: deploy refused"
expect_in "$ERR" "20240101000000" "sum: names the migration"
expect_eq "$(psql_q "$DEV" "select count(*) from pg_tables where schemaname = 'public'")" "0" "sum: development database untouched"
done_testing
