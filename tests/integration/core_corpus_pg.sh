#!/usr/bin/env bash
# Every PostgreSQL history of the corpus that plain PostgreSQL 15 can run
# deploys with dbward to a fresh database; a second deploy applies nothing;
# status --exit-code exits 0; and the schema equals the one psql gives when
# it runs the same files in order (history tables excluded). Supabase's
# history needs extensions a plain server lacks: the test gives it the roles
# it expects, as a real user would, and asserts the clear error.
source "$DBW_TESTLIB"
need_pg

# corpus_case NAME FOLDER FORMAT EXPECTED_COUNT
corpus_case() {
	local name=$1 dir=$2 format=$3 count=$4 proj="$T_DIR/$1" a b f
	mkdir -p "$proj"
	printf '[project]\nmigrations = %s\nformat = %s\n' "$dir" "$format" >"$proj/dbward.ini"
	a=$(pg_newdb "${name}_a")
	b=$(pg_newdb "${name}_b")
	# Harbor's migrations alter golang-migrate's own history table, which a
	# real Harbor database has: give both databases the one golang-migrate makes.
	if [ "$name" = harbor ]; then
		psql_q "$a" "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)"
		psql_q "$b" "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)"
	fi
	export DATABASE_URL
	DATABASE_URL=$(pg_url "$a")

	run "$DBWARD" -c "$proj/dbward.ini" --json deploy
	expect_rc 0 "$name: first deploy"
	expect_eq "$(printf '%s' "$OUT" | jq '.applied | length')" "$count" "$name: $count migrations applied"
	run "$DBWARD" -c "$proj/dbward.ini" --json deploy
	expect_rc 0 "$name: second deploy"
	expect_eq "$(printf '%s' "$OUT" | jq '.applied | length')" "0" "$name: second deploy applies nothing"
	run "$DBWARD" -c "$proj/dbward.ini" status --exit-code
	expect_rc 0 "$name: status --exit-code"

	# The reference: psql runs the same up SQL, file by file, in the same order.
	while IFS= read -r f; do
		case "$format" in
		prisma) psql -X -q -v ON_ERROR_STOP=1 -d "$b" -f "$f" >/dev/null 2>&1 || { not_ok "$name: psql failed on $f"; return; } ;;
		*) psql -X -q -v ON_ERROR_STOP=1 -d "$b" -f "$f" >/dev/null 2>&1 || { not_ok "$name: psql failed on $f"; return; } ;;
		esac
	done < <(reference_files "$dir" "$format")
	local sa sb
	sa=$(pg_schema -T dbward_migrations -T _prisma_migrations -T dbward_prisma_fingerprints -T dbward_environment "$a")
	sb=$(pg_schema "$b")
	if [ "$sa" = "$sb" ]; then ok "$name: schema identical to psql's"; else
		not_ok "$name: schema differs from psql's"; diff <(echo "$sa") <(echo "$sb") | head -20; fi
	unset DATABASE_URL
}

reference_files() {
	case "$2" in
	prisma) ls -d "$1"/*/ | sort | while read -r d; do echo "${d}migration.sql"; done ;;
	golang-migrate) ls "$1"/*.up.sql | sort -V ;;
	flyway) ls "$1"/V*__*.sql | sort -V ;;
	esac
}

corpus_case documenso "$CORPUS/documenso__documenso/packages/prisma/migrations" prisma 163
corpus_case harbor "$CORPUS/goharbor__harbor/make/migrations/postgresql" golang-migrate 39
corpus_case kestra "$CORPUS/kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres" flyway 26

# Supabase: its init scripts expect Supabase's roles (which a user creates
# first) and extensions such as pgjwt that plain PostgreSQL 15 does not ship.
proj="$T_DIR/supabase"
mkdir -p "$proj"
printf '[project]\nmigrations = %s\nformat = dbmate\n' "$CORPUS/supabase__postgres/migrations/db/init-scripts" >"$proj/dbward.ini"
db=$(pg_newdb supabase)
psql_q "$db" "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin') THEN CREATE ROLE supabase_admin; END IF;
END \$\$" >/dev/null
before=$(pg_schema "$db")
DATABASE_URL=$(pg_url "$db") run "$DBWARD" -c "$proj/dbward.ini" deploy
expect_rc 1 "supabase: deploy stops at what plain PostgreSQL cannot run"
expect_in "$ERR" 'migration "00000000000000" failed' "supabase: names the migration"
expect_in "$ERR" 'extension "pgjwt" is not available' "supabase: says which extension is missing"
expect_in "$ERR" "init-scripts/00000000000000-initial-schema.sql:21:1" "supabase: points at file:line"
expect_in "$ERR" "Nothing of it was applied" "supabase: says nothing was applied"
after=$(pg_schema -T dbward_migrations "$db")
expect_eq "$after" "$before" "supabase: the failed migration left nothing behind"
expect_eq "$(psql_q "$db" "select status from dbward_migrations where version = '00000000000000'")" "rolled_back" "supabase: failure recorded as rolled back"

done_testing
