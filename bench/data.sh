#!/usr/bin/env bash
# Data lifecycle speed (issue 6):
#  1. truncate of a 200-table schema with data (target: under 100 ms on
#     PostgreSQL). Reported two ways: the TRUNCATE itself as dbward measures
#     it (truncate_ms of --json: listing the tables + the one statement),
#     median of RUNS runs with the tables refilled before each; and the whole
#     command (process, config, connect, truncate) with hyperfine.
#  2. reset + deploy + seed of the documenso corpus (163 Prisma migrations).
# Usage: DBWARD=build/dbward scripts/with-postgres.sh bash bench/data.sh
set -euo pipefail
: "${DBWARD:?}"
DBWARD=$(realpath "$DBWARD")
N=${N:-200}
ROWS=${ROWS:-100}
RUNS=${RUNS:-21}
CORPUS=${DBW_CORPUS:-$(dirname "$0")/../../shared/corpus}
CORPUS=$(realpath "$CORPUS")
work=$(mktemp -d /tmp/dbw-bench-data.XXXXXX)
trap 'rm -rf "$work"; dropdb --if-exists bench_trunc >/dev/null 2>&1 || true; dropdb --if-exists bench_reset >/dev/null 2>&1 || true' EXIT
url() { echo "postgresql://${PGUSER}:${PGPASSWORD:-}@${PGHOST:-localhost}:${PGPORT:-5432}/$1"; }

# ---- 1. truncate, 200 tables ----
mkdir -p "$work/trunc/db/migrations"
{
	echo "-- migrate:up"
	for i in $(seq 1 "$N"); do
		ref=""
		[ "$i" -gt 1 ] && ref=", parent_id bigint REFERENCES t_$((i - 1)) (id)"
		echo "CREATE TABLE t_$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL$ref);"
		echo "CREATE INDEX ON t_$i (name);"
	done
} >"$work/trunc/db/migrations/20240101000000_tables.sql"
{
	for i in $(seq 1 "$N"); do
		echo "INSERT INTO t_$i (name) SELECT 'row ' || g FROM generate_series(1, $ROWS) g;"
	done
} >"$work/fill.sql"
# the 10 leaf tables (t_191..t_200: nothing references them, so CASCADE adds nothing)
tail -10 "$work/fill.sql" >"$work/fill10.sql"
dropdb --if-exists bench_trunc >/dev/null 2>&1 || true
createdb bench_trunc
cd "$work/trunc"
TURL=$(url bench_trunc)
TEST_DATABASE_URL=$TURL "$DBWARD" -q --env test deploy
median_truncate_ms() { # FILL_FILE -> "median best worst" of truncate_ms over RUNS runs
	local ms=() r sorted
	for r in $(seq 1 "$RUNS"); do
		psql -XAtq -v ON_ERROR_STOP=1 -d bench_trunc -f "$1"
		ms+=("$(TEST_DATABASE_URL=$TURL "$DBWARD" --json --env test truncate | jq -r .truncate_ms)")
	done
	sorted=$(printf '%s\n' "${ms[@]}" | sort -n)
	echo "$(echo "$sorted" | sed -n "$(((RUNS + 1) / 2))p") $(echo "$sorted" | head -1) $(echo "$sorted" | tail -1)"
}
tables=$(psql -XAtq -d bench_trunc -c "select string_agg(format('%I.%I', schemaname, tablename), ', ') from pg_tables where tablename like 't\\_%'")
echo "$tables" | sed 's/^/TRUNCATE /; s/$/ RESTART IDENTITY CASCADE;/' >"$work/floor.sql"
echo "### truncate: $N tables, $RUNS runs (truncate_ms from --json: median / best / worst)"
read -r med best worst < <(median_truncate_ms "$work/fill.sql")
echo "all $N tables hold $ROWS rows: median $med ms, best $best ms, worst $worst ms"
read -r med best worst < <(median_truncate_ms "$work/fill10.sql")
echo "10 of $N tables hold $ROWS rows: median $med ms, best $best ms, worst $worst ms"
echo
hyperfine --runs "$RUNS" --style basic --export-markdown "$work/trunc.md" \
	--prepare "psql -XAtq -v ON_ERROR_STOP=1 -d bench_trunc -f $work/fill.sql" \
	-n "psql: the TRUNCATE alone (floor), all filled" "psql -XAtq -d bench_trunc -f $work/floor.sql" \
	--prepare "psql -XAtq -v ON_ERROR_STOP=1 -d bench_trunc -f $work/fill.sql" \
	-n "dbward truncate, all filled" "TEST_DATABASE_URL=$TURL $DBWARD -q --env test truncate" \
	--prepare "psql -XAtq -v ON_ERROR_STOP=1 -d bench_trunc -f $work/fill10.sql" \
	-n "dbward truncate, 10 filled" "TEST_DATABASE_URL=$TURL $DBWARD -q --env test truncate" >/dev/null
cat "$work/trunc.md"

# ---- 2. reset + deploy + seed, documenso ----
mkdir -p "$work/reset/db/seeds/shared"
cat >"$work/reset/dbward.ini" <<INI
[project]
migrations = $CORPUS/documenso__documenso/packages/prisma/migrations
INI
cat >"$work/reset/db/seeds/shared/001_admin.sql" <<'SQL'
INSERT INTO "User" (email, name) VALUES ('admin@example.com', 'Admin') ON CONFLICT DO NOTHING;
SQL
dropdb --if-exists bench_reset >/dev/null 2>&1 || true
cd "$work/reset"
RURL=$(url bench_reset)
DATABASE_URL=$RURL "$DBWARD" -q setup
echo
echo "### reset + deploy + seed: documenso ($(ls -d "$CORPUS"/documenso__documenso/packages/prisma/migrations/*/ | wc -l) migrations)"
DATABASE_URL=$RURL "$DBWARD" --json reset | jq -c '{dropped, schemas_dropped, drop_ms, migrations_applied, seeds: .seed.applied, total_ms}'
hyperfine --runs 5 --style basic --export-markdown "$work/reset.md" \
	-n "dbward reset (documenso)" "DATABASE_URL=$RURL $DBWARD -q reset" >/dev/null
cat "$work/reset.md"
