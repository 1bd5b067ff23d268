#!/usr/bin/env bash
# History against the folder, on PostgreSQL and SQLite: an applied migration
# edited for real is "modified" (exit 6) and blocks deploy; edited only in
# comments or whitespace it is "cosmetic" (exit 0); deleted it is "missing"
# (exit 6); --exit-code reports pending ones with 4.
source "$DBW_TESTLIB"

new_project() {
	local p="$T_DIR/$1"
	mkdir -p "$p/db/migrations"
	cat >"$p/db/migrations/20240101000000_users.sql" <<'SQL'
-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);
-- migrate:down
DROP TABLE users;
SQL
	cat >"$p/db/migrations/20240102000000_posts.sql" <<'SQL'
CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), title text);
SQL
	echo "$p"
}

check_engine() {
	local engine=$1 url=$2 p
	p=$(new_project "$engine")
	cd "$p" || return
	export DATABASE_URL=$url

	run "$DBWARD" status --exit-code
	expect_rc 4 "$engine: two pending migrations, --exit-code"
	run "$DBWARD" status
	expect_rc 0 "$engine: pending without --exit-code is not an error"
	expect_in "$OUT" "0 applied, 2 pending" "$engine: summary line"
	run "$DBWARD" deploy
	expect_rc 0 "$engine: deploy"

	printf '\n-- reviewed by alice\n' >>db/migrations/20240101000000_users.sql
	sed -i 's/(id integer PRIMARY KEY, email/(id integer PRIMARY KEY,   email/' db/migrations/20240101000000_users.sql
	run "$DBWARD" --json status --exit-code
	expect_rc 0 "$engine: comment and whitespace edit is cosmetic"
	expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations[0].state')" "cosmetic" "$engine: state cosmetic"

	sed -i 's/email text NOT NULL/email text/' db/migrations/20240101000000_users.sql
	run "$DBWARD" --json status
	expect_rc 6 "$engine: real edit is a history problem"
	expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations[0].state')" "modified" "$engine: state modified"
	run "$DBWARD" deploy
	expect_rc 6 "$engine: deploy refuses over a modified migration"
	expect_in "$ERR" 'migration "20240101000000" was edited after it was applied' "$engine: deploy names the edited migration"
	expect_in "$ERR" "hint: Restore the file as it was applied" "$engine: deploy hints at the fix"
	git_restore() { sed -i 's/email text/email text NOT NULL/' db/migrations/20240101000000_users.sql; }
	git_restore

	mv db/migrations/20240102000000_posts.sql "$T_DIR/posts.$engine.sql"
	run "$DBWARD" --json status
	expect_rc 6 "$engine: deleted migration is missing"
	expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations[] | select(.id == "20240102000000") | .state')" "missing" "$engine: state missing"
	run "$DBWARD" deploy
	expect_rc 6 "$engine: deploy refuses with a missing migration"
	expect_in "$ERR" 'recorded in the database but missing from the folder' "$engine: missing explained"
	mv "$T_DIR/posts.$engine.sql" db/migrations/20240102000000_posts.sql
	run "$DBWARD" status --exit-code
	expect_rc 0 "$engine: back in sync"
	unset DATABASE_URL
	cd "$T_DIR" || return
}

check_engine sqlite "sqlite:$T_DIR/history.sqlite3"
if [ -n "${PGHOST:-}" ]; then
	db=$(pg_newdb history)
	check_engine postgres "$(pg_url "$db")"
fi
done_testing
