#!/usr/bin/env bash
# A deploy to a protected environment checks drift first: a hand-made change
# to production refuses the deploy (exit 5) and changes nothing; with
# --allow-drift --reason it goes on, and the reason is audited.
source "$DBW_TESTLIB"
need_pg

PROD=$(pg_newdb proddrift)
mkdir -p "$T_DIR/p/db/migrations" && cd "$T_DIR/p"
printf 'CREATE TABLE orders (id int PRIMARY KEY, total int);\n' >db/migrations/20240101000000_orders.sql
export DATABASE_URL=$(pg_url "$PROD")
mkdir -p backups
printf '[env.production]\nurl = ${DATABASE_URL}\nprotected = true\nbackup_dir = backups\n' >dbward.ini
run "$DBWARD" --env production deploy
expect_rc 0 "first production deploy (no drift: nothing applied yet)"

psql_q "$PROD" "ALTER TABLE orders ADD COLUMN note text"
printf 'CREATE TABLE invoices (id int PRIMARY KEY);\n' >db/migrations/20240102000000_invoices.sql
SUM=$(pg_data_checksum "$PROD")
run "$DBWARD" --env production deploy
expect_rc 5 "drifted production: deploy refused"
expect_in "$ERR" 'cannot deploy to protected environment "production": its schema has drifted' "drift: message"
expect_in "$ERR" "--allow-drift" "drift: hint names the override"
expect_eq "$(psql_q "$PROD" "select count(*) from pg_tables where tablename = 'invoices'")" "0" "drift: nothing applied"
expect_eq "$(pg_data_checksum "$PROD")" "$SUM" "drift: data unchanged"
expect_eq "$(psql_q "$PROD" "select count(*) from pg_database where datname like 'dbward\\_shadow\\_%'")" "0" "drift: no shadow database left behind"

run "$DBWARD" --env production deploy --allow-drift
expect_rc 2 "--allow-drift without --reason"
run "$DBWARD" --env production deploy --allow-drift --reason "hotfix column added by hand, ticket 42"
expect_rc 0 "--allow-drift --reason deploys"
expect_eq "$(psql_q "$PROD" "select count(*) from pg_tables where tablename = 'invoices'")" "1" "allowed: migration applied"
expect_eq "$(psql_q "$PROD" "select count(*) from dbward_audit where operation = 'allow-drift' and detail like 'hotfix column%'")" "1" "allowed: reason audited"
done_testing
