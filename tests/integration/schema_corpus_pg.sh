#!/usr/bin/env bash
# Schema introspection on the PostgreSQL corpora that plain PostgreSQL 15
# runs (documenso, harbor, kestra): dbward deploys each into two databases;
# `diff` says they are identical; `schema dump` is byte-identical twice; the
# dump loads into an empty database and dumps identically again (round
# trip); `diff --migrations` finds no drift; and every object pg_dump
# --schema-only lists is in dbward's model.
source "$DBW_TESTLIB"
need_pg
source "$DBW_SOURCE_DIR/tests/lib/schema_objects.sh"

corpus_case() {
	local name=$1 dir=$2 format=$3 proj="$T_DIR/$1" a b c
	mkdir -p "$proj"
	printf '[project]\nmigrations = %s\nformat = %s\n\n[env.a]\nurl = ${A_URL}\n\n[env.b]\nurl = ${B_URL}\n\n[env.c]\nurl = ${C_URL}\n' \
		"$dir" "$format" >"$proj/dbward.ini"
	a=$(pg_newdb "${name}_a")
	b=$(pg_newdb "${name}_b")
	c=$(pg_newdb "${name}_c")
	if [ "$name" = harbor ]; then
		# Harbor's migrations alter golang-migrate's own history table.
		psql_q "$a" "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)"
		psql_q "$b" "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)"
		# The shadow database needs it as well before the replay.
		echo "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);" >"$proj/shadow_setup.sql"
		sed -i 's/^\[project\]$/[project]\nshadow_setup = shadow_setup.sql/' "$proj/dbward.ini"
	fi
	export A_URL B_URL C_URL
	A_URL=$(pg_url "$a")
	B_URL=$(pg_url "$b")
	C_URL=$(pg_url "$c")
	run "$DBWARD" -c "$proj/dbward.ini" -e a deploy
	expect_rc 0 "$name: deploy to a"
	run "$DBWARD" -c "$proj/dbward.ini" -e b deploy
	expect_rc 0 "$name: deploy to b"

	run "$DBWARD" -c "$proj/dbward.ini" diff a b
	expect_rc 0 "$name: diff a b"
	expect_eq "$OUT" "a and b: schemas are identical" "$name: diff says identical"

	"$DBWARD" -c "$proj/dbward.ini" -e a schema dump >"$T_DIR/$name.1.sql"
	"$DBWARD" -c "$proj/dbward.ini" -e a schema dump >"$T_DIR/$name.2.sql"
	if cmp -s "$T_DIR/$name.1.sql" "$T_DIR/$name.2.sql" && [ -s "$T_DIR/$name.1.sql" ]; then
		ok "$name: schema dump twice is byte-identical"
	else
		not_ok "$name: schema dump differs between two runs"
	fi
	"$DBWARD" -c "$proj/dbward.ini" -e b schema dump >"$T_DIR/$name.b.sql"
	if cmp -s "$T_DIR/$name.1.sql" "$T_DIR/$name.b.sql"; then
		ok "$name: a and b dump byte-identically"
	else
		not_ok "$name: a and b dump differently"
	fi
	expect_not_in "$(cat "$T_DIR/$name.1.sql")" "_prisma_migrations" "$name: history table left out"
	expect_not_in "$(cat "$T_DIR/$name.1.sql")" "dbward_migrations" "$name: dbward table left out"

	# Round trip: the dump loads into an empty database and dumps the same.
	if psql -X -q -v ON_ERROR_STOP=1 -d "$c" -f "$T_DIR/$name.1.sql" >/dev/null 2>"$T_DIR/$name.load.err"; then
		ok "$name: the dump loads into an empty database"
	else
		not_ok "$name: the dump does not load: $(grep -v NOTICE "$T_DIR/$name.load.err" | head -3)"
	fi
	"$DBWARD" -c "$proj/dbward.ini" -e c schema dump >"$T_DIR/$name.c.sql"
	if cmp -s "$T_DIR/$name.1.sql" "$T_DIR/$name.c.sql"; then
		ok "$name: round trip dumps byte-identically"
	else
		not_ok "$name: round trip differs"
		diff "$T_DIR/$name.1.sql" "$T_DIR/$name.c.sql" | head -20
	fi
	run "$DBWARD" -c "$proj/dbward.ini" diff a c
	expect_rc 0 "$name: diff a c after the round trip"

	run "$DBWARD" -c "$proj/dbward.ini" diff a --migrations
	expect_rc 0 "$name: no drift after deploy"
	expect_eq "$OUT" "the migrations and a (live): schemas are identical" "$name: drift check says identical"

	# Agreement with pg_dump: every object it lists is in the model.
	"$DBWARD" -c "$proj/dbward.ini" -e a --json schema dump >"$T_DIR/$name.json"
	dbward_objects "$T_DIR/$name.json" >"$T_DIR/$name.dbw.txt"
	pg_dump_objects "$a" | grep -vE ' (_prisma_migrations|dbward_[a-z_]+)( |$)' >"$T_DIR/$name.pg.txt"
	missing=$(comm -23 "$T_DIR/$name.pg.txt" "$T_DIR/$name.dbw.txt")
	expect_eq "$missing" "" "$name: every one of pg_dump's $(wc -l <"$T_DIR/$name.pg.txt") objects is in the model"
	unset A_URL B_URL C_URL
}

corpus_case documenso "$CORPUS/documenso__documenso/packages/prisma/migrations" prisma
corpus_case harbor "$CORPUS/goharbor__harbor/make/migrations/postgresql" golang-migrate
corpus_case kestra "$CORPUS/kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres" flyway

run psql -XAtqc "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbward\\_shadow\\_%'" postgres
expect_eq "$OUT" "0" "no shadow database left behind"
done_testing
