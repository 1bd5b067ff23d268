#!/usr/bin/env bash
# Schema introspection speed (issue 5). A generated schema of 1,000 tables,
# 5,000 indexes, 500 foreign keys and 100 views: `dbward schema dump`
# against `pg_dump --schema-only` on the same database in the same run
# (hyperfine when present, else a timed loop), and the ratio. Then the drift
# check (`dbward diff ENV --migrations`: shadow database, replay,
# introspection of both, diff) on the largest PostgreSQL corpus, documenso
# (163 Prisma migrations). Results go to stdout as markdown.
# Usage: DBWARD=build/dbward scripts/with-postgres.sh bash bench/schema.sh
set -euo pipefail
: "${DBWARD:?}"
RUNS=${RUNS:-10}
CORPUS=${DBW_CORPUS:-$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus}
work=$(mktemp -d /tmp/dbw-bench-schema.XXXXXX)
trap 'rm -rf "$work"; dropdb --if-exists bench_schema >/dev/null 2>&1 || true;
	dropdb --if-exists bench_schema_doc >/dev/null 2>&1 || true' EXIT

url() {
	local host=${PGHOST:-localhost}
	case "$host" in /*) echo "postgresql://${PGUSER}:${PGPASSWORD:-}@/$1?host=$host&port=${PGPORT:-5432}" ;;
	*) echo "postgresql://${PGUSER}:${PGPASSWORD:-}@$host:${PGPORT:-5432}/$1" ;; esac
}

# 1,000 tables with 5 indexes each (pk + 4), every second table one foreign
# key to the table before it, and 100 views over pairs of tables.
gen="$work/gen.sql"
{
	echo "BEGIN;"
	for i in $(seq 1 1000); do
		echo "CREATE TABLE t_$i (id bigint PRIMARY KEY, parent_id bigint, name text NOT NULL DEFAULT '',"
		echo "  email text, created_at timestamptz NOT NULL DEFAULT now(), score integer CHECK (score >= 0));"
		echo "CREATE INDEX t_${i}_name ON t_$i (name);"
		echo "CREATE UNIQUE INDEX t_${i}_email ON t_$i (lower(email)) WHERE email IS NOT NULL;"
		echo "CREATE INDEX t_${i}_created ON t_$i USING brin (created_at);"
		echo "CREATE INDEX t_${i}_parent ON t_$i (parent_id) INCLUDE (score);"
		if [ $((i % 2)) -eq 0 ]; then
			echo "ALTER TABLE t_$i ADD CONSTRAINT t_${i}_parent_fkey FOREIGN KEY (parent_id) REFERENCES t_$((i - 1)) (id) ON DELETE CASCADE;"
		fi
	done
	for i in $(seq 1 100); do
		echo "CREATE VIEW v_$i AS SELECT a.id, a.name, b.email FROM t_$i a JOIN t_$((i + 1)) b ON b.parent_id = a.id WHERE a.score > $i;"
	done
	echo "COMMIT;"
} >"$gen"
createdb -T template0 bench_schema
psql -XAtq -v ON_ERROR_STOP=1 -d bench_schema -f "$gen"
counts=$(psql -XAtq -d bench_schema -c "SELECT
  (SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace) || ' tables, ' ||
  (SELECT count(*) FROM pg_class WHERE relkind = 'i' AND relnamespace = 'public'::regnamespace) || ' indexes, ' ||
  (SELECT count(*) FROM pg_constraint WHERE contype = 'f') || ' foreign keys, ' ||
  (SELECT count(*) FROM pg_class WHERE relkind = 'v' AND relnamespace = 'public'::regnamespace) || ' views'")
echo "### Introspection: $counts (runs: $RUNS)"
echo
u=$(url bench_schema)
lines=$(DATABASE_URL=$u "$DBWARD" schema dump | wc -l)
echo "dbward schema dump: $lines lines of SQL"
echo
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$work/intro.md" \
		-n "dbward schema dump" "env DATABASE_URL=$u $DBWARD schema dump" \
		-n "pg_dump --schema-only" "pg_dump --schema-only -d bench_schema -f /dev/null" >/dev/null
	cat "$work/intro.md"
	hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$work/intro.json" \
		"env DATABASE_URL=$u $DBWARD schema dump" "pg_dump --schema-only -d bench_schema -f /dev/null" >/dev/null
	ratio=$(jq -r '(.results[0].median / .results[1].median) * 1000 | round / 1000' "$work/intro.json")
else
	t() { local s e; s=$(date +%s%N); for _ in $(seq 1 "$RUNS"); do "$@" >/dev/null; done; e=$(date +%s%N); echo $(((e - s) / RUNS / 1000000)); }
	a=$(t env DATABASE_URL="$u" "$DBWARD" schema dump)
	b=$(t pg_dump --schema-only -d bench_schema)
	echo "| command | mean [ms] |"; echo "| --- | --- |"
	echo "| dbward schema dump | $a |"; echo "| pg_dump --schema-only | $b |"
	ratio=$(awk "BEGIN { printf \"%.3f\", $a / $b }")
fi
echo
echo "Ratio dbward / pg_dump (median): $ratio"
echo

# Drift check on documenso: deploy once, then time diff --migrations.
mkdir -p "$work/doc"
printf '[project]\nmigrations = %s\nformat = prisma\n' "$CORPUS/documenso__documenso/packages/prisma/migrations" >"$work/doc/dbward.ini"
createdb -T template0 bench_schema_doc
ud=$(url bench_schema_doc)
DATABASE_URL=$ud "$DBWARD" -q -c "$work/doc/dbward.ini" deploy >/dev/null
echo "### Drift check: documenso, 163 migrations replayed in a shadow database (runs: $RUNS)"
echo
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$work/drift.md" \
		-n "dbward diff development --migrations" \
		"env DATABASE_URL=$ud $DBWARD -q -c $work/doc/dbward.ini diff development --migrations" >/dev/null
	cat "$work/drift.md"
else
	s=$(date +%s%N)
	for _ in $(seq 1 "$RUNS"); do DATABASE_URL=$ud "$DBWARD" -q -c "$work/doc/dbward.ini" diff development --migrations >/dev/null; done
	e=$(date +%s%N)
	echo "dbward diff development --migrations: mean $(((e - s) / RUNS / 1000000)) ms"
fi
