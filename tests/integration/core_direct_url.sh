#!/usr/bin/env bash
# When an environment has direct_url, migrations use it (e.g. to bypass a
# connection pooler that breaks session advisory locks); other work keeps url.
source "$DBW_TESTLIB"
need_pg

db=$(pg_newdb direct)
mkdir -p "$T_DIR/p/db/migrations" && cd "$T_DIR/p"
printf 'CREATE TABLE a (id int);\n' >db/migrations/20240101000000_a.sql
cat >dbward.ini <<EOF2
[env.staging]
url = postgresql://nobody:pw@127.0.0.1:1/pooler
direct_url = $(pg_url "$db")
EOF2
run "$DBWARD" --env staging deploy
expect_rc 0 "deploy goes through direct_url"
expect_eq "$(psql_q "$db" "select count(*) from dbward_migrations")" "1" "history written through direct_url"
run "$DBWARD" --env staging status --exit-code
expect_rc 0 "status reads the history through direct_url"
run "$DBWARD" --env staging env
expect_not_in "$OUT" "$PGPASSWORD" "env: no password"
done_testing
