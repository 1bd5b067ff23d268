#!/usr/bin/env bash
# Data lifecycle speed (issue 6):
#  1. truncate of a 200-table schema with data (target: under 100 ms on
#     PostgreSQL), tables refilled before each run: every table holding rows
#     (the worst case), and 10 of 200 (a test file's usual footprint), next
#     to psql running the bare TRUNCATE (the floor). Reported as dbward's own
#     truncate_ms (--json: list, lock, look, TRUNCATE, commit) and as the
#     whole command's wall time (process, config, connect included).
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
tables=$(psql -XAtq -d bench_trunc -c "select string_agg(format('%I.%I', schemaname, tablename), ', ') from pg_tables where tablename like 't\\_%'")
echo "$tables" | sed 's/^/TRUNCATE /; s/$/ RESTART IDENTITY CASCADE;/' >"$work/floor.sql"
fill() { psql -XAtq -v ON_ERROR_STOP=1 -d bench_trunc -f "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The machine may be busy: interleave the three cases run by run so that load
# hits them alike, and report medians.
floor=() all_in=() all_wall=() ten_in=() ten_wall=()
for r in $(seq 1 "$RUNS"); do
	fill "$work/fill.sql"
	t0=$(now_ms); psql -XAtq -d bench_trunc -f "$work/floor.sql" >/dev/null; floor+=($(($(now_ms) - t0)))
	fill "$work/fill.sql"
	t0=$(now_ms); out=$(TEST_DATABASE_URL=$TURL "$DBWARD" --json --env test truncate); all_wall+=($(($(now_ms) - t0)))
	all_in+=("$(jq -r .truncate_ms <<<"$out")")
	fill "$work/fill10.sql"
	t0=$(now_ms); out=$(TEST_DATABASE_URL=$TURL "$DBWARD" --json --env test truncate); ten_wall+=($(($(now_ms) - t0)))
	ten_in+=("$(jq -r .truncate_ms <<<"$out")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%d ms (best %d, worst %d)", v[int((NR+1)/2)], v[1], v[NR]}'; }
echo "### truncate: $N tables, median of $RUNS interleaved runs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| case | truncate_ms (dbward's own timing) | whole command, wall |"
echo "| --- | --- | --- |"
echo "| psql running the one TRUNCATE of all $N tables (floor) | - | $(stats "${floor[@]}") |"
echo "| dbward truncate, all $N tables hold $ROWS rows | $(stats "${all_in[@]}") | $(stats "${all_wall[@]}") |"
echo "| dbward truncate, 10 of $N tables hold $ROWS rows | $(stats "${ten_in[@]}") | $(stats "${ten_wall[@]}") |"

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
