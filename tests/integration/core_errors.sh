#!/usr/bin/env bash
# A new user's mistakes: each gets a clear message and hint, DESIGN.md's exit
# code, never a password in the output, and leaves the database unchanged.
source "$DBW_TESTLIB"

PW=s3cr3t-Pa55
no_password() { expect_not_in "$OUT$ERR" "$PW" "$1: password not printed"; }

mkdir -p "$T_DIR/empty" && cd "$T_DIR/empty"

# No config, no URL, no migrations folder: the embedded SQLite default is
# used, and the missing folder is explained.
run "$DBWARD" status
expect_rc 2 "no config and no migrations folder"
expect_in "$ERR" "dbward init" "no config: hint names dbward init"
[ ! -e db/development.sqlite3 ] && ok "no config: no database file was created for a failed status" || not_ok "status created a database file"

run "$DBWARD" --env stagin status
expect_rc 2 "unknown environment"
expect_in "$ERR" 'unknown environment "stagin"' "unknown environment: message"
expect_in "$ERR" "staging" "unknown environment: hint names staging"

# A project for the rest.
P="$T_DIR/proj"
mkdir -p "$P/db/migrations" && cd "$P"
printf 'CREATE TABLE a (id int);\n' >db/migrations/20240101000000_a.sql

DATABASE_URL="postgresql://app:$PW@127.0.0.1:1/app" run "$DBWARD" status
expect_rc 1 "unreachable server"
expect_in "$ERR" "could not connect" "unreachable: message"
expect_in "$ERR" "hint:" "unreachable: has a hint"
no_password "unreachable"

DATABASE_URL="postgresql://app:$PW@[::1/app" run "$DBWARD" status
expect_rc 2 "malformed URL"
no_password "malformed URL"
DATABASE_URL="mysql://app:$PW@localhost/app" run "$DBWARD" status
expect_rc 2 "unsupported URL scheme"
expect_in "$ERR" "postgres://" "unsupported scheme: hint shows accepted forms"
no_password "unsupported scheme"

# Folder problems are found before any database is touched.
export DATABASE_URL="sqlite:$T_DIR/folder.sqlite3"
folder_case() { # DESC FILE-CREATOR EXPECTED-TEXT
	rm -rf db/migrations && mkdir -p db/migrations
	printf 'CREATE TABLE a (id int);\n' >db/migrations/20240101000000_a.sql
	eval "$2"
	run "$DBWARD" deploy
	expect_rc 2 "$1"
	expect_in "$ERR" "$3" "$1: message"
	expect_in "$ERR" "hint:" "$1: hint"
	[ ! -e "$T_DIR/folder.sqlite3" ] || [ "$(sqlite3 "$T_DIR/folder.sqlite3" "select count(*) from sqlite_schema")" = 0 ] &&
		ok "$1: database untouched" || not_ok "$1: database was changed"
}
folder_case "duplicate versions" "printf 'CREATE TABLE b (id int);\n' >db/migrations/20240101000000_b.sql" "20240101000000"
folder_case "empty migration file" ": >db/migrations/20240102000000_empty.sql" "20240102000000_empty.sql"
folder_case "non-UTF-8 migration" "printf 'CREATE TABLE \xff\xfe (id int);\n' >db/migrations/20240102000000_latin.sql" "20240102000000_latin.sql"
folder_case "binary migration" "printf 'CREATE\x00TABLE\n' >db/migrations/20240102000000_bin.sql" "20240102000000_bin.sql"
# Root reads every file whatever its mode, so the unreadable file here is a
# dangling symbolic link: open() fails the same way for everyone.
folder_case "unreadable migration" "ln -s /nonexistent/x.sql db/migrations/20240102000000_gone.sql" "20240102000000_gone.sql"
rm -f "$T_DIR/folder.sqlite3"

# A syntax error in the 3rd statement: the error points at it, and the
# first two statements are gone with the rolled-back transaction.
rm -rf db/migrations && mkdir -p db/migrations
cat >db/migrations/20240101000000_three.sql <<'SQL'
-- three statements, the third one broken
CREATE TABLE one (id int);
CREATE TABLE two (id int);

CREATE TABLE three (id int,, name text);
SQL
export DATABASE_URL="sqlite:$T_DIR/syntax.sqlite3"
run "$DBWARD" deploy
expect_rc 1 "sqlite: syntax error in 3rd statement"
expect_in "$ERR" "where: db/migrations/20240101000000_three.sql:5:" "sqlite: error at line 5"
expect_in "$ERR" "Nothing of it was applied" "sqlite: says nothing was applied"
expect_eq "$(sqlite3 "$T_DIR/syntax.sqlite3" "select count(*) from sqlite_schema where name in ('one','two')")" "0" "sqlite: statements 1 and 2 rolled back"

if [ -n "${PGHOST:-}" ]; then
	db=$(pg_newdb syntax)
	export DATABASE_URL=$(pg_url "$db")
	before=$(pg_schema "$db")
	run "$DBWARD" deploy
	expect_rc 1 "postgres: syntax error in 3rd statement"
	expect_in "$ERR" 'syntax error at or near ","' "postgres: the server's message"
	expect_in "$ERR" "where: db/migrations/20240101000000_three.sql:5:28" "postgres: error at line 5 column 28 (the second comma)"
	expect_eq "$(pg_schema -T dbward_migrations "$db")" "$before" "postgres: database unchanged"
	run "$DBWARD" --json status
	expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations[0].state')" "failed" "postgres: status shows the failure"
	sed -i 's/int,,/int,/' db/migrations/20240101000000_three.sql
	run "$DBWARD" deploy
	expect_rc 0 "postgres: fixed file deploys on retry"

	# A wrong password.
	user_url=$(pg_url "$db" | sed "s#://[^:]*:[^@]*@#://$PGUSER:$PW@#")
	PGPASSWORD= DATABASE_URL=$user_url run "$DBWARD" status
	if grep -q "password authentication failed" <<<"$ERR"; then
		expect_rc 1 "wrong password"
		expect_in "$ERR" "hint:" "wrong password: hint"
		no_password "wrong password"
	else
		ok "wrong password: SKIP (this cluster trusts local connections)"
	fi

	# A read-only database.
	ro=$(pg_newdb readonly)
	psql_q postgres "ALTER DATABASE $ro SET default_transaction_read_only = on"
	export DATABASE_URL=$(pg_url "$ro")
	run "$DBWARD" deploy
	expect_rc 1 "read-only database"
	expect_in "$ERR" "read-only" "read-only: message"
	expect_in "$ERR" "hint:" "read-only: hint"
	expect_eq "$(psql_q "$ro" "select count(*) from pg_tables where schemaname = 'public'")" "0" "read-only: nothing created"

	# A history row whose file is gone.
	h=$(pg_newdb missing)
	export DATABASE_URL=$(pg_url "$h")
	run "$DBWARD" deploy
	psql_q "$h" "INSERT INTO dbward_migrations (version, name, checksum, status, started_at) VALUES ('20231231000000', 'ghost', 'x', 'applied', now())"
	sum=$(pg_data_checksum "$h")
	run "$DBWARD" deploy
	expect_rc 6 "history row without a file"
	expect_in "$ERR" '"20231231000000" is recorded in the database but missing from the folder' "missing: message"
	expect_eq "$(pg_data_checksum "$h")" "$sum" "missing: database unchanged"
fi
done_testing
