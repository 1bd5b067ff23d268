#!/usr/bin/env bash
# The headline accident: a development shell whose DATABASE_URL points at the
# production database. reset, truncate and seed for development reach a
# database stamped production and stop there (exit 3), leaving every row.
source "$DBW_TESTLIB"
need_pg

PROD=$(pg_newdb prod)
mkdir -p "$T_DIR/p/db/migrations" "$T_DIR/p/db/seeds/shared" && cd "$T_DIR/p"
printf 'CREATE TABLE orders (id int PRIMARY KEY, total int);\n' >db/migrations/20240101000000_orders.sql
printf 'INSERT INTO orders VALUES (1, 10) ON CONFLICT DO NOTHING;\n' >db/seeds/shared/001_orders.sql
export DATABASE_URL=$(pg_url "$PROD")
run "$DBWARD" --env production deploy --skip-backup --reason "test setup"
expect_rc 0 "production deployed (and stamped)"
psql_q "$PROD" "INSERT INTO orders VALUES (42, 4200)"
SUM=$(pg_data_checksum "$PROD")

for cmd in reset truncate seed; do
	run "$DBWARD" --env development --yes "$cmd"
	expect_rc 3 "development $cmd reaching the production database"
	expect_in "$ERR" "is stamped production, not development" "$cmd: names both environments"
	expect_in "$ERR" "hint:" "$cmd: hint"
	expect_eq "$(pg_data_checksum "$PROD")" "$SUM" "$cmd: every production row still there"
done
expect_eq "$(psql_q "$PROD" "select count(*) from dbward_audit where outcome = 'refused' and environment = 'development'")" "3" "the three refusals are audited in the database"
done_testing
