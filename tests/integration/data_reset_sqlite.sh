#!/usr/bin/env bash
# `dbward reset` on SQLite: every table, view, trigger and index dropped
# (foreign keys or not), the file vacuumed, migrations and seeds applied
# again: the schema equals a fresh deploy's; the environment stamp is kept.
source "$DBW_TESTLIB"

P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE team (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
CREATE TABLE player (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES team (id), name TEXT);
CREATE INDEX player_team ON player (team_id);
CREATE VIEW roster AS SELECT t.name AS team, p.name AS player FROM team t JOIN player p ON p.team_id = t.id;
CREATE TABLE log (at TEXT, what TEXT);
CREATE TRIGGER player_log AFTER INSERT ON player BEGIN INSERT INTO log VALUES (datetime('now'), NEW.name); END;
SQL
cat >"$P/db/seeds/shared/001_teams.sql" <<'SQL'
INSERT INTO team (id, name) VALUES (1, 'red') ON CONFLICT (id) DO NOTHING;
SQL
cd "$P" || exit 1
FRESH=$T_DIR/fresh.sqlite3
DBF=$T_DIR/dev.sqlite3
schema() { sqlite3 "$1" "select type, name, tbl_name, sql from sqlite_schema where name not in ('dbward_environment') order by type, name"; }

run env DATABASE_URL="sqlite:$FRESH" "$DBWARD" setup
expect_rc 0 "fresh database"
run env DATABASE_URL="sqlite:$DBF" "$DBWARD" setup
expect_rc 0 "database set up"
DATABASE_URL="sqlite:$DBF" "$DBWARD" -q stamp development
sqlite3 "$DBF" "PRAGMA foreign_keys=ON;
  INSERT INTO team (name) VALUES ('blue');
  INSERT INTO player (team_id, name) VALUES (2, 'x');
  CREATE TABLE stray (a INTEGER PRIMARY KEY, b INTEGER REFERENCES team (id));
  INSERT INTO stray VALUES (1, 2);
  CREATE VIEW stray_view AS SELECT * FROM stray;
  CREATE INDEX stray_b ON stray (b);"

run env DATABASE_URL="sqlite:$DBF" "$DBWARD" --json reset
expect_rc 0 "reset"
expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations_applied')" "1" "migrations applied again"
expect_eq "$(printf '%s' "$OUT" | jq -r '.seed.applied')" "1" "seeded again"
expect_eq "$(schema "$DBF")" "$(schema "$FRESH")" "schema equals a fresh deploy's"
expect_eq "$(sqlite3 "$DBF" "select group_concat(name) from team")" "red" "only seed data"
expect_eq "$(sqlite3 "$DBF" "select count(*) from player") $(sqlite3 "$DBF" "select count(*) from log")" "0 0" "other data gone"
expect_eq "$(sqlite3 "$DBF" "select environment from dbward_environment")" "development" "the stamp is kept"
expect_eq "$(sqlite3 "$DBF" "PRAGMA freelist_count")" "0" "file vacuumed"

run env DATABASE_URL="sqlite:$DBF" "$DBWARD" --json reset --no-seed
expect_rc 0 "reset --no-seed"
expect_eq "$(sqlite3 "$DBF" "select count(*) from team")" "0" "not seeded"
expect_eq "$(printf '%s' "$OUT" | jq -r '.seed')" "null" "no seed report"

# a migration that fails after the drop: said plainly, with what ran
cat >db/migrations/20240105000000_broken.sql <<'SQL'
-- migrate:up
CREATE TABLE broken (;
SQL
run env DATABASE_URL="sqlite:$DBF" "$DBWARD" --json reset
expect_rc 1 "reset with a broken migration"
expect_eq "$(printf '%s' "$OUT" | jq -c '[.ok, .migrations_applied, .dropped > 0]')" \
	'[false,1,true]' "JSON says what ran before the failure"
expect_in "$(printf '%s' "$OUT" | jq -r '.error.where')" "db/migrations/20240105000000_broken.sql:2:" "and where it failed"
run env DATABASE_URL="sqlite:$DBF" "$DBWARD" reset
expect_in "$OUT" "Dropped every object, then applied 1 migration before the failure." "text says it too"
rm db/migrations/20240105000000_broken.sql

# staging asks on a terminal; --yes answers; no answer, no reset
STG=$T_DIR/staging.sqlite3
run env STAGING_DATABASE_URL="sqlite:$STG" "$DBWARD" --env staging setup
sqlite3 "$STG" "INSERT INTO player (team_id, name) VALUES (1, 'keep')"
run env STAGING_DATABASE_URL="sqlite:$STG" "$DBWARD" --env staging reset </dev/null
expect_rc 3 "staging reset without a terminal or --yes"
expect_in "$ERR" "hint: Answer the prompt, or pass --yes." "hint"
if command -v script >/dev/null; then
	OUT=$(printf 'n\n' | STAGING_DATABASE_URL="sqlite:$STG" script -qec "$DBWARD --env staging reset" /dev/null); RC=$?
	expect_in "$OUT" "Drop every object of database \"staging.sqlite3\" (staging)? [y/N]" "the prompt"
	expect_in "$OUT" "dbward: refused: reset of staging needs confirmation" "answered no"
	expect_eq "$(sqlite3 "$STG" "select count(*) from player")" "1" "nothing dropped"
	OUT=$(printf 'y\n' | STAGING_DATABASE_URL="sqlite:$STG" script -qec "$DBWARD --env staging reset" /dev/null); RC=$?
	expect_in "$OUT" "Reset staging in" "answered yes"
	expect_eq "$(sqlite3 "$STG" "select count(*) from player")" "0" "reset done"
fi
sqlite3 "$STG" "INSERT INTO player (team_id, name) VALUES (1, 'again')"
run env STAGING_DATABASE_URL="sqlite:$STG" "$DBWARD" --env staging --yes reset
expect_rc 0 "--yes answers on staging"
expect_eq "$(sqlite3 "$STG" "select count(*) from player")" "0" "reset done"

done_testing
