#!/usr/bin/env bash
# `dbward reset` on a real history: documenso's 163 Prisma migrations (enums,
# defaults, indexes, foreign keys, _prisma_migrations). After data and a few
# objects of another role, reset ends with exactly the schema a fresh deploy
# gives, and Prisma's history lists every migration once. Then the same for
# kestra's Flyway history (functions, triggers, enums, dbward_migrations).
source "$DBW_TESTLIB"
need_pg

MIG=$CORPUS/documenso__documenso/packages/prisma/migrations
[ -d "$MIG" ] || { echo "SKIP: corpus not found at $MIG"; exit 77; }
P=$T_DIR/proj
mkdir -p "$P"
printf '[project]\nmigrations = %s\n' "$MIG" >"$P/dbward.ini"
cd "$P" || exit 1
OTHER="other_$$_$RANDOM"
psql_q postgres "CREATE ROLE $OTHER" >/dev/null

FRESH=$(pg_newdb fresh)
DB=$(pg_newdb reset)
run env DATABASE_URL="$(pg_url "$FRESH")" "$DBWARD" -q deploy
expect_rc 0 "fresh deploy"
run env DATABASE_URL="$(pg_url "$DB")" "$DBWARD" -q deploy
expect_rc 0 "deploy"
psql_q "$DB" "INSERT INTO \"User\" (email) VALUES ('a@example.com');
	GRANT CREATE ON SCHEMA public TO $OTHER; GRANT SELECT ON \"User\" TO $OTHER;
	SET ROLE $OTHER; CREATE VIEW user_emails AS SELECT email FROM \"User\"; RESET ROLE;
	CREATE SCHEMA scratch; CREATE TABLE scratch.t (x int);" >/dev/null

run env DATABASE_URL="$(pg_url "$DB")" "$DBWARD" --json reset
expect_rc 0 "reset"
expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations_applied')" "$(ls -d "$MIG"/*/ | wc -l)" "every migration applied again"
if [ "$(pg_schema "$DB" | sha256sum)" = "$(pg_schema "$FRESH" | sha256sum)" ]; then
	ok "schema equals a fresh deploy's"
else
	not_ok "schema equals a fresh deploy's"
	diff <(pg_schema "$DB") <(pg_schema "$FRESH") | head -40
fi
expect_eq "$(psql_q "$DB" "select count(*) - count(distinct migration_name) from _prisma_migrations")" "0" \
	"each migration recorded once"
expect_eq "$(psql_q "$DB" "select count(*) from \"User\" where email = 'a@example.com'")" "0" "data gone"
expect_eq "$(psql_q "$DB" "select count(*) from \"User\"")" \
	"$(psql_q "$FRESH" "select count(*) from \"User\"")" "only the rows the migrations insert"

# kestra (Flyway)
KMIG=$CORPUS/kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres
mkdir -p "$T_DIR/kestra"
printf '[project]\nmigrations = %s\nformat = flyway\n' "$KMIG" >"$T_DIR/kestra/dbward.ini"
cd "$T_DIR/kestra" || exit 1
KFRESH=$(pg_newdb kfresh)
KDB=$(pg_newdb kreset)
run env DATABASE_URL="$(pg_url "$KFRESH")" "$DBWARD" -q deploy
expect_rc 0 "kestra: fresh deploy"
run env DATABASE_URL="$(pg_url "$KDB")" "$DBWARD" -q deploy
expect_rc 0 "kestra: deploy"
psql_q "$KDB" "CREATE TABLE leftover (x int); CREATE TYPE leftover_kind AS ENUM ('a');" >/dev/null
run env DATABASE_URL="$(pg_url "$KDB")" "$DBWARD" --json reset
expect_rc 0 "kestra: reset"
expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations_applied')" "$(ls "$KMIG"/V*__*.sql | wc -l)" "kestra: every migration applied again"
if [ "$(pg_schema "$KDB" | sha256sum)" = "$(pg_schema "$KFRESH" | sha256sum)" ]; then
	ok "kestra: schema equals a fresh deploy's"
else
	not_ok "kestra: schema equals a fresh deploy's"
	diff <(pg_schema "$KDB") <(pg_schema "$KFRESH") | head -40
fi

for d in "${T_DBS[@]}"; do psql_q "$d" "DROP OWNED BY $OTHER" >/dev/null 2>&1; done
psql_q postgres "DROP ROLE IF EXISTS $OTHER" >/dev/null 2>&1
done_testing
