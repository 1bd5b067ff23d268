#!/usr/bin/env bash
# Tracked seeds on SQLite: a seed failing in its second statement is rolled
# back whole with its file:line; earlier seeds stay recorded; SQLite's
# ON CONFLICT upserts make --all safe.
source "$DBW_TESTLIB"

P=$T_DIR/proj
DBF=$P/db/dev.sqlite3
mkdir -p "$P/db/migrations" "$P/db/seeds/shared"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE color (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE shape (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
SQL
cat >"$P/db/seeds/shared/001_colors.sql" <<'SQL'
INSERT INTO color (id, name) VALUES (1, 'red'), (2, 'green')
  ON CONFLICT (id) DO UPDATE SET name = excluded.name;
SQL
cat >"$P/db/seeds/shared/002_shapes.sql" <<'SQL'
INSERT INTO shape (id, name) VALUES (1, 'circle');
INSERT INTO shape (id, name) VALUES (2, 'square';
SQL
cd "$P" || exit 1
dbw() { DATABASE_URL=sqlite:$DBF "$DBWARD" "$@"; }

run dbw deploy
expect_rc 0 "deploy"
run dbw seed
expect_rc 1 "seed with a broken second statement fails"
expect_in "$ERR" "where: db/seeds/shared/002_shapes.sql:2:" "error points at file:line"
expect_eq "$(sqlite3 "$DBF" "select count(*) from shape")" "0" "nothing of the failed seed applied"
expect_eq "$(sqlite3 "$DBF" "select name from dbward_seeds")" "shared/001_colors.sql" \
	"the earlier seed stays recorded"

sed -i "s/'square';/'square');/" db/seeds/shared/002_shapes.sql
run dbw seed
expect_rc 0 "seed after the fix"
expect_in "$OUT" "seeded db/seeds/shared/002_shapes.sql" "the fixed seed ran"
expect_not_in "$OUT" "seeded db/seeds/shared/001_colors.sql" "the unchanged seed did not"
# 002 is not idempotent (a plain INSERT): --all fails on it and rolls it back
run dbw seed --all
expect_rc 1 "a non-idempotent seed fails on re-run"
expect_in "$ERR" "dbward: error: seed \"shared/002_shapes.sql\" failed: UNIQUE constraint failed: shape.id" \
	"the seed and the constraint are named"
expect_eq "$(sqlite3 "$DBF" "select count(*) from shape")" "2" "its rows are as before"
# written as an upsert, it can run again
sed -i 's/^INSERT INTO/INSERT OR IGNORE INTO/' db/seeds/shared/002_shapes.sql
run dbw --json seed --all
expect_rc 0 "idempotent seeds re-run"
expect_eq "$(printf '%s' "$OUT" | jq -r '.applied')" "2" "--all re-runs both"
expect_eq "$(sqlite3 "$DBF" "select count(*) from color")" "2" "upsert kept two colours"
expect_eq "$(sqlite3 "$DBF" "select count(*) from dbward_seeds")" "2" "both recorded"

done_testing
