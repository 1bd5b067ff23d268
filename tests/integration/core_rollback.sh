#!/usr/bin/env bash
# rollback runs down sections newest first, each with its history row, and
# refuses before running anything when a chosen migration has no down SQL;
# baseline records migrations as applied without running them.
source "$DBW_TESTLIB"

check_engine() {
	local engine=$1 url=$2 q=$3
	rm -rf "$T_DIR/$engine" && mkdir -p "$T_DIR/$engine/db/migrations" && cd "$T_DIR/$engine"
	export DATABASE_URL=$url
	printf -- '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n' >db/migrations/20240101000000_a.sql
	printf -- '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n' >db/migrations/20240102000000_b.sql
	printf -- '-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\nDROP TABLE nonexistent_table;\n' >db/migrations/20240103000000_c.sql
	run "$DBWARD" deploy
	expect_rc 0 "$engine: deploy"

	run "$DBWARD" rollback --dry-run
	expect_rc 0 "$engine: rollback --dry-run"
	expect_in "$OUT" "DROP TABLE nonexistent_table;" "$engine: dry run shows the down SQL"
	run "$DBWARD" rollback
	expect_rc 1 "$engine: failing down migration"
	expect_in "$ERR" 'down migration "20240103000000" failed' "$engine: names the migration"
	expect_in "$ERR" "db/migrations/20240103000000_c.sql:5:" "$engine: points at the failing down statement"
	expect_eq "$($q "select count(*) from dbward_migrations")" "3" "$engine: history unchanged after the failed rollback"
	expect_eq "$($q "select count(*) from c")" "0" "$engine: table c still there (transaction rolled back)"

	sed -i '/nonexistent_table/d' db/migrations/20240103000000_c.sql
	run "$DBWARD" rollback 2
	expect_rc 6 "$engine: rollback refuses over a modified migration"
	# Fixing the down section edits an applied file, so it is "modified" now.
	# dbward has no repair command yet: record the new checksum by hand.
	$q "update dbward_migrations set checksum = '$(sha256sum db/migrations/20240103000000_c.sql | cut -d' ' -f1)' where version = '20240103000000'" >/dev/null
	run "$DBWARD" rollback 2
	expect_rc 0 "$engine: rollback 2"
	expect_in "$OUT" "Rolled back 2 migrations" "$engine: summary"
	expect_eq "$($q "select count(*) from dbward_migrations")" "1" "$engine: two history rows removed"
	run "$DBWARD" status --exit-code
	expect_rc 4 "$engine: the rolled-back migrations are pending again"
	run "$DBWARD" deploy
	expect_rc 0 "$engine: and deploy again"

	printf -- '-- migrate:up\nCREATE TABLE d (id int);\n' >db/migrations/20240104000000_d.sql
	run "$DBWARD" deploy
	run "$DBWARD" rollback
	expect_rc 2 "$engine: no down section"
	expect_in "$ERR" 'migration "20240104000000" has no down SQL: nothing was rolled back' "$engine: no down: message"

	# baseline on a fresh database whose schema already exists.
	unset DATABASE_URL
	cd "$T_DIR"
}

sq() { sqlite3 "$T_DIR/rb.sqlite3" "$1"; }
check_engine sqlite "sqlite:$T_DIR/rb.sqlite3" sq
if [ -n "${PGHOST:-}" ]; then
	db=$(pg_newdb rollback)
	pq() { psql_q "$db" "$1"; }
	check_engine postgres "$(pg_url "$db")" pq
fi

# baseline
mkdir -p "$T_DIR/bl/db/migrations" && cd "$T_DIR/bl"
printf 'CREATE TABLE a (id int);\n' >db/migrations/20240101000000_a.sql
printf 'CREATE TABLE b (id int);\n' >db/migrations/20240102000000_b.sql
printf 'CREATE TABLE c (id int);\n' >db/migrations/20240103000000_c.sql
sqlite3 "$T_DIR/bl.sqlite3" "CREATE TABLE a (id int); CREATE TABLE b (id int);"
export DATABASE_URL="sqlite:$T_DIR/bl.sqlite3"
run "$DBWARD" baseline 20240199000000
expect_rc 2 "baseline at an unknown version"
run "$DBWARD" baseline 20240102000000
expect_rc 0 "baseline"
expect_in "$OUT" "2 migrations recorded as applied, none run" "baseline: summary"
run "$DBWARD" --json deploy
expect_eq "$(printf '%s' "$OUT" | jq -c '[.applied[].version]')" '["20240103000000"]' "after baseline only the newer migration runs"
run "$DBWARD" baseline 20240102000000
expect_rc 6 "baseline twice is refused"
expect_in "$ERR" "cannot baseline: the history table already records 3 migrations" "baseline twice: message"
done_testing
