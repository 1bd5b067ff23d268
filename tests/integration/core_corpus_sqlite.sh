#!/usr/bin/env bash
# The SQLite history of the corpus (pingvin-share, Prisma) deploys to a fresh
# SQLite file; a second deploy applies nothing; status --exit-code exits 0;
# the schema equals the one the sqlite3 shell gives running the same files.
source "$DBW_TESTLIB"

dir="$CORPUS/stonith404__pingvin-share/backend/prisma/migrations"
proj="$T_DIR/pingvin"
mkdir -p "$proj"
printf '[project]\nmigrations = %s\n' "$dir" >"$proj/dbward.ini"
export DATABASE_URL="sqlite:$T_DIR/a.sqlite3"

run "$DBWARD" -c "$proj/dbward.ini" --json deploy
expect_rc 0 "pingvin: first deploy"
expect_eq "$(printf '%s' "$OUT" | jq -r '.format')" "prisma" "pingvin: detected as a Prisma folder"
expect_eq "$(printf '%s' "$OUT" | jq '.applied | length')" "24" "pingvin: 24 migrations applied"
run "$DBWARD" -c "$proj/dbward.ini" --json deploy
expect_rc 0 "pingvin: second deploy"
expect_eq "$(printf '%s' "$OUT" | jq '.applied | length')" "0" "pingvin: second deploy applies nothing"
run "$DBWARD" -c "$proj/dbward.ini" status --exit-code
expect_rc 0 "pingvin: status --exit-code"
expect_eq "$(sqlite3 "$T_DIR/a.sqlite3" "select count(*) from _prisma_migrations where finished_at is not null and rolled_back_at is null")" "24" \
	"pingvin: Prisma's table records 24 applied migrations"

for d in $(ls -d "$dir"/*/ | sort); do
	sqlite3 -bail "$T_DIR/b.sqlite3" <"${d}migration.sql" || not_ok "sqlite3 failed on $d"
done
sa=$(sqlite3 "$T_DIR/a.sqlite3" "select sql from sqlite_schema where name not in ('_prisma_migrations', 'dbward_prisma_fingerprints', 'dbward_environment') and name not like 'sqlite_autoindex_%' and sql is not null order by type, name")
sb=$(sqlite3 "$T_DIR/b.sqlite3" "select sql from sqlite_schema where sql is not null order by type, name")
if [ "$sa" = "$sb" ]; then ok "pingvin: schema identical to the sqlite3 shell's"; else
	not_ok "pingvin: schema differs"; diff <(echo "$sa") <(echo "$sb") | head; fi
expect_eq "$(sqlite3 "$T_DIR/a.sqlite3" 'PRAGMA foreign_key_check' | wc -l)" "0" "pingvin: no foreign key violations"

done_testing
