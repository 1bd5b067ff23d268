#!/usr/bin/env bash
# The shadow database is always dropped: after a migration fails in it,
# after SIGINT and SIGTERM; a configured shadow_url is emptied before and
# after use instead; without the CREATEDB privilege the error says what to
# do. (The deploy guard is tested in tests/unit/schema/test_schema_guard.c.)
source "$DBW_TESTLIB"
need_pg

shadows() {
	psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbward\\_shadow\\_%'"
}

proj="$T_DIR/proj"
mkdir -p "$proj/db/migrations"
cat >"$proj/db/migrations/20240101000000_users.sql" <<'SQL'
-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
SQL
cat >"$proj/db/migrations/20240102000000_slow.sql" <<'SQL'
-- migrate:up
SELECT pg_sleep(4);
CREATE INDEX users_email ON users (email);
SQL
printf '[env.a]\nurl = ${A_URL}\n\n[env.s]\nurl = ${A_URL}\nshadow_url = ${S_URL}\n' >"$proj/dbward.ini"
a=$(pg_newdb a)
s=$(pg_newdb shadow)
export A_URL S_URL
A_URL=$(pg_url "$a")
S_URL=$(pg_url "$s")
D=("$DBWARD" -c "$proj/dbward.ini")

run "${D[@]}" -e a deploy
expect_rc 0 "deploy"
before=$(shadows)

# SIGINT and SIGTERM while the replay sleeps in the shadow database.
for sig in INT TERM; do
	"${D[@]}" diff a --migrations >"$T_DIR/sig.out" 2>&1 &
	pid=$!
	for _ in $(seq 1 40); do
		[ "$(shadows)" != "$before" ] && break
		sleep 0.1
	done
	expect_eq "$(shadows)" "$((before + 1))" "SIG$sig: a shadow database exists during the replay"
	sleep 0.5
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	expect_eq "$rc" "$((128 + $(kill -l "$sig")))" "SIG$sig: dbward dies of the signal"
	expect_eq "$(shadows)" "$before" "SIG$sig: the shadow database is gone"
done

# A configured shadow_url: emptied first (the junk goes), kept, left empty.
psql_q "$s" "CREATE TABLE junk (x int); CREATE SCHEMA extra; CREATE TABLE extra.more (y int)" >/dev/null
run "${D[@]}" diff s --migrations
expect_rc 0 "shadow_url: no drift"
expect_eq "$OUT" "the migrations and s (live): schemas are identical" "shadow_url: junk in the shadow does not count"
expect_eq "$(psql_q "$s" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")" "0" "shadow_url: left empty"
expect_eq "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$s'")" "1" "shadow_url: not dropped"
expect_eq "$(shadows)" "$before" "shadow_url: no temporary database made"

# A migration that fails in the shadow: it needs a table made by hand in a.
psql_q "$a" "CREATE TABLE handmade (id int)" >/dev/null
cat >"$proj/db/migrations/20240103000000_uses_handmade.sql" <<'SQL'
-- migrate:up
ALTER TABLE handmade ADD COLUMN note text;
SQL
run "${D[@]}" -e a deploy
expect_rc 0 "deploy a migration that relies on a hand-made table"
run "${D[@]}" diff a --migrations
expect_rc 1 "failed replay: exit 1"
expect_in "$ERR" 'dbward: error: migration "20240103000000" failed: relation "handmade" does not exist' "failed replay: names the migration"
expect_in "$ERR" "detail: The migration failed while it was replayed in the shadow database to compute the expected schema." "failed replay: says where it ran"
expect_eq "$(shadows)" "$before" "failed replay: the shadow database is gone"
run "${D[@]}" -e a verify
expect_rc 1 "verify: a replay that fails is a runtime error"
expect_in "$OUT" 'drift: not checked: migration "20240103000000" failed' "verify: reports why drift was not checked"
expect_eq "$(shadows)" "$before" "verify: the shadow database is gone"
rm "$proj/db/migrations/20240103000000_uses_handmade.sql"

# Without CREATEDB: a clear error and the way out.
psql_q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dbw_nocreatedb')
	THEN CREATE ROLE dbw_nocreatedb LOGIN PASSWORD 'pw-nocreatedb'; END IF; END \$\$" >/dev/null
psql_q "$a" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO dbw_nocreatedb" >/dev/null
A_URL=$(pg_url "$a" | sed -E "s#//[^:]*:[^@]*@#//dbw_nocreatedb:pw-nocreatedb@#")
run "${D[@]}" diff a --migrations
expect_rc 1 "no CREATEDB: exit 1"
expect_in "$ERR" "dbward: error: permission denied to create database" "no CREATEDB: the server's message"
expect_in "$ERR" "hint: The shadow database is created on the live server, which needs the CREATEDB privilege; or set shadow_url in dbward.ini to a database dbward may empty." "no CREATEDB: hint"
expect_not_in "$ERR" "pw-nocreatedb" "no CREATEDB: no password in the output"
A_URL=$(pg_url "$a")

unset A_URL S_URL
done_testing
