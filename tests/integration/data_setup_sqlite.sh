#!/usr/bin/env bash
# `dbward setup` on SQLite: makes the folder and the file, deploys, seeds;
# the second run changes nothing.
source "$DBW_TESTLIB"

P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared" "$P/db/seeds/development"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE color (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
SQL
cat >"$P/db/seeds/shared/001_colors.sql" <<'SQL'
INSERT INTO color VALUES (1, 'red') ON CONFLICT (id) DO NOTHING;
SQL
cat >"$P/db/seeds/development/001_more.sql" <<'SQL'
INSERT INTO color VALUES (2, 'blue') ON CONFLICT (id) DO NOTHING;
SQL
cd "$P" || exit 1
DBF=$P/var/data/dev.sqlite3
dbw() { DATABASE_URL=sqlite:$DBF "$DBWARD" "$@"; }

run dbw --json setup
expect_rc 0 "setup"
expect_eq "$(printf '%s' "$OUT" | jq -c '[.created, .migrations_applied, .seed.applied, .changed]')" \
	"[true,1,2,true]" "created, deployed, seeded"
expect_eq "$(sqlite3 "$DBF" "select group_concat(name, ',') from (select name from color order by id)")" \
	"red,blue" "shared then development seeds"
SUM=$(sqlite_checksum "$DBF")
run dbw setup
expect_rc 0 "second setup"
expect_in "$OUT" "Nothing to do: development is set up" "no-op said"
expect_eq "$(sqlite_checksum "$DBF")" "$SUM" "file content unchanged"

done_testing
