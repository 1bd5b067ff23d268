#!/usr/bin/env bash
# `dbward truncate` on SQLite: circular foreign keys (deferred), RESTRICT
# children deleted first, AUTOINCREMENT restarted, history kept.
source "$DBW_TESTLIB"

P=$T_DIR/proj
DBF=$P/db/test.sqlite3
mkdir -p "$P/db/migrations" "$P/db/seeds/shared"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE team (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
  captain_id INTEGER REFERENCES player (id));
CREATE TABLE player (id INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id INTEGER NOT NULL REFERENCES team (id) ON DELETE RESTRICT, name TEXT NOT NULL);
CREATE TABLE color (id INTEGER PRIMARY KEY, name TEXT);
SQL
cat >"$P/db/seeds/shared/001_colors.sql" <<'SQL'
INSERT INTO color (id, name) VALUES (1, 'red') ON CONFLICT (id) DO NOTHING;
SQL
cd "$P" || exit 1
dbw() { TEST_DATABASE_URL=sqlite:$DBF "$DBWARD" --env test "$@"; }

run dbw deploy
expect_rc 0 "deploy"
run dbw seed
expect_rc 0 "seed"
sqlite3 "$DBF" "PRAGMA foreign_keys=ON;
  INSERT INTO team (name) VALUES ('a'), ('b');
  INSERT INTO player (team_id, name) VALUES (1, 'x'), (2, 'y');
  UPDATE team SET captain_id = id;"
HIST=$(sqlite3 "$DBF" "select count(*) from dbward_migrations")

run dbw --json truncate
expect_rc 0 "truncate"
expect_eq "$(printf '%s' "$OUT" | jq -r '.tables | sort | join(",")')" "color,player,team" "user tables listed"
expect_eq "$(sqlite3 "$DBF" "select (select count(*) from team) + (select count(*) from player) + (select count(*) from color)")" \
	"0" "all tables empty"
expect_eq "$(sqlite3 "$DBF" "select count(*) from dbward_migrations")" "$HIST" "history kept"
expect_eq "$(sqlite3 "$DBF" "select count(*) from dbward_seeds")" "1" "seed tracking kept"
expect_eq "$(sqlite3 "$DBF" "select count(*) from sqlite_sequence where name in ('team','player')")" "0" \
	"sqlite_sequence reset"
sqlite3 "$DBF" "INSERT INTO team (name) VALUES ('c')"
expect_eq "$(sqlite3 "$DBF" "select max(id) from team")" "1" "AUTOINCREMENT restarted"
expect_eq "$(sqlite3 "$DBF" "PRAGMA foreign_key_check")" "" "no dangling references"

run dbw truncate --seed
expect_rc 0 "truncate --seed"
expect_eq "$(sqlite3 "$DBF" "select name from color")" "red" "reseeded"

done_testing
