#!/usr/bin/env bash
# Deploy and status speed (issue: dbward core). 1,000 small migrations, one
# CREATE TABLE each, against:
#   floor   psql running the same SQL in the same transactions: each file as
#           BEGIN; <file>; INSERT INTO a history table; COMMIT;
#   atomic  psql -1 over the same SQL (floor for dbward deploy --atomic)
#   dbmate  the npm package dbmate (ships its Go binary), when it installs
# and the same on SQLite with the sqlite3 shell as the floor. All measured in
# one run with hyperfine; results go to stdout as markdown tables.
# Usage: DBWARD=build/dbward scripts/with-postgres.sh bash bench/deploy.sh
set -euo pipefail
: "${DBWARD:?}"
N=${N:-1000}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/dbw-bench-deploy.XXXXXX)
trap 'rm -rf "$work"; dropdb --if-exists bench_deploy >/dev/null 2>&1 || true' EXIT
cd "$work"
mkdir -p db/migrations
floor=$work/floor.sql
floor_sqlite=$work/floor_sqlite.sql
atomic=$work/atomic.sql
: >"$floor"; : >"$atomic"; : >"$floor_sqlite"
echo "CREATE TABLE hist (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());" >"$work/hist.sql"
for i in $(seq 1 "$N"); do
	v=$(printf '2024%010d' "$i")
	sql="CREATE TABLE t_$i (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
	printf -- '-- migrate:up\n%s\n\n-- migrate:down\nDROP TABLE t_%d;\n' "$sql" "$i" >"db/migrations/${v}_t_$i.sql"
	printf 'BEGIN;\n%s\nINSERT INTO hist (version) VALUES (%s);\nCOMMIT;\n' "$sql" "'$v'" >>"$floor"
	printf '%s\n' "$sql" >>"$atomic"
	printf 'BEGIN;\n%s\nINSERT INTO hist (version) VALUES (%s);\nCOMMIT;\n' \
		"${sql//timestamptz/text}" "'$v'" >>"$floor_sqlite"
done
sed -i 's/DEFAULT now()/DEFAULT CURRENT_TIMESTAMP/g; s/timestamptz/text/g' "$floor_sqlite"

dbmate=""
if command -v npm >/dev/null; then
	mkdir -p "$work/npm" && (cd "$work/npm" && npm install --no-audit --no-fund --silent dbmate >/dev/null 2>&1) &&
		[ -x "$work/npm/node_modules/.bin/dbmate" ] && dbmate="$work/npm/node_modules/.bin/dbmate"
fi

if [ -z "${ONLY_SQLITE:-}" ]; then
url="postgresql://${PGUSER}:${PGPASSWORD:-}@${PGHOST:-localhost}:${PGPORT:-5432}/bench_deploy"
fresh="dropdb --if-exists bench_deploy && createdb bench_deploy"
fresh_hist="$fresh && psql -XAtq -d bench_deploy -f $work/hist.sql"
cmds=(-n "psql (floor)" --prepare "$fresh_hist" "psql -XAtq -v ON_ERROR_STOP=1 -d bench_deploy -f $floor"
	-n "dbward deploy" --prepare "$fresh" "DATABASE_URL=$url $DBWARD -q deploy"
	-n "psql -1 (atomic floor)" --prepare "$fresh" "psql -XAtq -1 -v ON_ERROR_STOP=1 -d bench_deploy -f $atomic"
	-n "dbward deploy --atomic" --prepare "$fresh" "DATABASE_URL=$url $DBWARD -q deploy --atomic")
[ -n "$dbmate" ] && cmds+=(-n "dbmate up" --prepare "$fresh"
	"$dbmate --no-dump-schema --url '$url?sslmode=disable' --migrations-dir db/migrations up")
echo "### PostgreSQL: deploy $N migrations (runs: $RUNS)"
hyperfine --runs "$RUNS" --style basic --export-markdown "$work/pg.md" "${cmds[@]}" >/dev/null
cat "$work/pg.md"

# status against N applied migrations
eval "$fresh"
DATABASE_URL=$url "$DBWARD" -q deploy
echo
echo "### PostgreSQL: status against $N applied migrations"
hyperfine --warmup 3 --runs 30 --style basic --export-markdown "$work/st.md" \
	-n "dbward status" "DATABASE_URL=$url $DBWARD status" >/dev/null
cat "$work/st.md"

fi

# The same migrations in SQLite's dialect (no now(), no timestamptz).
sed -i 's/timestamptz/text/g; s/DEFAULT now()/DEFAULT CURRENT_TIMESTAMP/g' db/migrations/*.sql
db="$work/bench.sqlite3"
echo
echo "### SQLite: deploy $N migrations (runs: $RUNS)"
hyperfine --runs "$RUNS" --style basic --export-markdown "$work/sq.md" \
	-n "sqlite3 (floor)" --prepare "rm -f $db && sqlite3 $db 'CREATE TABLE hist (version text PRIMARY KEY, applied_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)'" "sqlite3 -bail $db < $floor_sqlite" \
	-n "dbward deploy" --prepare "rm -f $db" "DATABASE_URL=sqlite:$db $DBWARD -q deploy" \
	-n "sqlite3 one transaction (atomic floor)" --prepare "rm -f $db" "(echo 'BEGIN;'; sed 's/timestamptz/text/g; s/DEFAULT now()/DEFAULT CURRENT_TIMESTAMP/g' $atomic; echo 'COMMIT;') | sqlite3 -bail $db" \
	-n "dbward deploy --atomic" --prepare "rm -f $db" "DATABASE_URL=sqlite:$db $DBWARD -q deploy --atomic" >/dev/null
cat "$work/sq.md"
rm -f "$db"
DATABASE_URL=sqlite:$db "$DBWARD" -q deploy
echo
echo "### SQLite: status against $N applied migrations"
hyperfine --warmup 3 --runs 30 --style basic --export-markdown "$work/sqs.md" \
	-n "dbward status" "DATABASE_URL=sqlite:$db $DBWARD status" >/dev/null
cat "$work/sqs.md"
