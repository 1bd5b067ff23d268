#!/usr/bin/env bash
# Tracked seeds on PostgreSQL: only new or changed seeds run, each in one
# transaction with its dbward_seeds row; a seed failing in its second
# statement leaves nothing of itself, points at file:line, and the seeds
# before it stay recorded.
source "$DBW_TESTLIB"
need_pg

DB=$(pg_newdb seed)
URL=$(pg_url "$DB")
P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared" "$P/db/seeds/development" "$P/db/seeds/test"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE color (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE shape (id int PRIMARY KEY, name text NOT NULL);
SQL
cat >"$P/db/seeds/shared/001_colors.sql" <<'SQL'
INSERT INTO color (id, name) VALUES (1, 'red'), (2, 'green')
ON CONFLICT (id) DO UPDATE SET name = excluded.name;
SQL
cat >"$P/db/seeds/shared/002_shapes.sql" <<'SQL'
INSERT INTO shape (id, name) VALUES (1, 'circle') ON CONFLICT DO NOTHING;
INSERT INTO shape (id, name) VALUES (2, 'square' ON CONFLICT DO NOTHING;
SQL
cat >"$P/db/seeds/test/001_test_only.sql" <<'SQL'
INSERT INTO color (id, name) VALUES (99, 'test-only') ON CONFLICT DO NOTHING;
SQL
cat >"$P/db/seeds/development/001_dev.sql" <<'SQL'
INSERT INTO color (id, name) VALUES (50, 'dev') ON CONFLICT DO NOTHING;
SQL
cd "$P" || exit 1
dbw() { DATABASE_URL=$URL "$DBWARD" "$@"; }

run dbw deploy
expect_rc 0 "deploy"

# --- a seed with a syntax error in its second statement ---
run dbw seed
expect_rc 1 "seed with a broken second statement fails"
expect_in "$ERR" "where: db/seeds/shared/002_shapes.sql:2:" "error points at the file and line 2"
expect_in "$ERR" "dbward: error: seed \"shared/002_shapes.sql\" failed: syntax error" "the seed and the server's message are named"
expect_in "$ERR" "the seeds before it stay recorded" "the hint says what state the database is in"
expect_eq "$(psql_q "$DB" "select count(*) from shape")" "0" "nothing of the failed seed applied"
expect_eq "$(psql_q "$DB" "select count(*) from color")" "2" "the earlier seed's rows stay"
expect_eq "$(psql_q "$DB" "select name from dbward_seeds order by name")" "shared/001_colors.sql" \
	"only the earlier seed is recorded"

# --- fixed: only the new or changed seeds run ---
sed -i "s/'square' ON/'square') ON/" db/seeds/shared/002_shapes.sql
run dbw --json seed
expect_rc 0 "seed after the fix"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.seeds[] | select(.applied) | .name] | join(",")')" \
	"shared/002_shapes.sql,development/001_dev.sql" "unchanged shared/001 skipped, the others ran"
expect_eq "$(printf '%s' "$OUT" | jq -r '.seeds[0].state')" "unchanged" "state unchanged in JSON"
expect_eq "$(psql_q "$DB" "select count(*) from shape")" "2" "shapes seeded"
expect_eq "$(psql_q "$DB" "select count(*) from dbward_seeds where checksum ~ '^[0-9a-f]{64}\$' and execution_ms >= 0 and applied_at is not null")" \
	"3" "three seeds tracked with checksum, time and duration"

run dbw seed
expect_rc 0 "seed again"
expect_in "$OUT" "Seeds up to date (3 unchanged)." "nothing runs the second time"

# a changed seed runs again, alone
echo "-- touched" >>db/seeds/shared/001_colors.sql
run dbw --json seed
expect_eq "$(printf '%s' "$OUT" | jq -r '[.seeds[] | select(.applied) | .name] | join(",")')" \
	"shared/001_colors.sql" "only the changed seed re-ran"
expect_eq "$(printf '%s' "$OUT" | jq -r '.seeds[0].state')" "changed" "reported as changed"

run dbw seed --dry-run
expect_rc 0 "dry run"
expect_in "$OUT" "unchanged db/seeds/shared/001_colors.sql" "dry run lists unchanged seeds"
expect_in "$OUT" "Would run 0 of 3 seeds" "dry run summary"

run dbw --json seed --all
expect_eq "$(printf '%s' "$OUT" | jq -r '.applied')" "3" "--all re-runs every seed"
expect_eq "$(psql_q "$DB" "select count(*) from color")" "3" "upserts keep the data as it was"

# the environment's own folder (one database plays each environment in turn:
# re-stamp it, or the stamp check refuses the other environment's commands)
dbw --env test stamp test >/dev/null 2>&1
run dbw --env test seed
expect_rc 0 "test environment seeds"
expect_eq "$(psql_q "$DB" "select count(*) from color where id = 99")" "1" "test/ seeds ran for test"

# --- protected environment ---
dbw --env production stamp production >/dev/null 2>&1
expect_eq "$(psql_q "$DB" "select environment from dbward_environment")" "production" "re-stamped as production"
SUM=$(pg_data_checksum "$DB")
run dbw --env production seed --all
expect_rc 3 "seed refused in production"
expect_in "$ERR" "dbward: refused: seed is not allowed in production" "refusal message"
expect_in "$ERR" 'add "allow = seed" to [env.production]' "refusal hint"
expect_eq "$(pg_data_checksum "$DB")" "$SUM" "production data untouched"
run dbw --env production seed --dry-run
expect_rc 0 "a dry run only reads: allowed in production"
expect_in "$OUT" "Would run 0 of 2 seeds" "and lists (shared only: no production folder)"

# allowed by the config, and then only with the live database name
cat >dbward.ini <<'INI'
[env.production]
url = ${DATABASE_URL}
allow = seed
INI
run dbw --env production seed --all
expect_rc 3 "allowed seed still needs --confirm"
expect_in "$ERR" "dbward: refused: seed on production needs the database name typed to confirm" "confirm message"
run dbw --env production --confirm not_this_one seed --all
expect_rc 3 "a wrong --confirm"
expect_in "$ERR" "confirmation \"not_this_one\" does not match the database \"$DB\" of production" "mismatch detail"
expect_eq "$(pg_data_checksum "$DB")" "$SUM" "production data untouched"
run dbw --env production --confirm "$DB" --json seed
expect_rc 0 "seed in production with allow and --confirm"
expect_eq "$(printf '%s' "$OUT" | jq -r '.environment')" "production" "ran in production"
rm dbward.ini

# --- usage ---
run dbw seed --help
expect_rc 0 "--help"
expect_in "$OUT" "usage: dbward seed" "usage text"
run dbw seed --bogus
expect_rc 2 "bad option"
expect_in "$ERR" "unknown option \"--bogus\"" "bad option message"
run dbw seed extra
expect_rc 2 "extra argument"
expect_in "$ERR" "unexpected argument \"extra\"" "extra argument message"

done_testing
