#!/usr/bin/env bash
# lint.sh - lint throughput (MB/s) over the whole corpus (../shared/corpus):
# every PostgreSQL .sql file (documenso, supabase, harbor, kestra's postgres
# folder, openstreetmap's structure.sql) in one `dbward lint` run, the same
# files through squawk (npm package squawk-cli, installed into a temporary
# folder, when npm can fetch it), and pingvin-share's SQLite migrations
# through dbward's SQLite linter. Timed with hyperfine (exit codes ignored:
# findings exit 7). Prints a markdown table.
# Usage: DBWARD=build-release/dbward bash bench/lint.sh
set -euo pipefail
: "${DBWARD:?set DBWARD to a dbward binary (a Release build)}"
DBWARD=$(cd "$(dirname "$DBWARD")" && pwd)/$(basename "$DBWARD")
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${DBW_CORPUS:-$root/../shared/corpus}" && pwd)
RUNS=${RUNS:-10}
work=$(mktemp -d /tmp/dbw-bench-lint.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" # no dbward.ini here: the named files are linted as given

find "$corpus" -name '*.sql' -not -path '*pingvin*' -not -path '*mysql*' -not -path '*/h2/*' \
	-not -path '*jdbc-h2*' | sort >pg.list
find "$corpus/stonith404__pingvin-share" -name 'migration.sql' | sort >sqlite.list
bytes() { xargs cat <"$1" | wc -c; }
pg_bytes=$(bytes pg.list)
sq_bytes=$(bytes sqlite.list)
pg_files=$(xargs -a pg.list printf '%q ')
sq_files=$(xargs -a sqlite.list printf '%q ')

cmds=(-n dbward-postgres "$DBWARD lint --dialect postgres $pg_files"
	-n dbward-sqlite "$DBWARD lint --dialect sqlite $sq_files")
squawk=""
if command -v npm >/dev/null && (cd "$work" && npm install --silent --no-audit --no-fund squawk-cli >/dev/null 2>&1) &&
	"$work/node_modules/.bin/squawk" --version >/dev/null 2>&1; then
	squawk="$work/node_modules/.bin/squawk"
	cmds+=(-n squawk-postgres "$squawk $pg_files")
	# the native binary the npm wrapper starts through node, timed alone too
	native=$(find "$work/node_modules/@squawk-cli" -path '*/bin/squawk' -type f | head -1)
	[ -n "$native" ] && cmds+=(-n squawk-native-postgres "$native $pg_files")
fi
hyperfine -N -i --warmup 2 --runs "$RUNS" --export-json "$work/h.json" "${cmds[@]}" >&2

echo "| tool | files | MB | mean (s) | MB/s |"
echo "| --- | --- | --- | --- | --- |"
python3 - "$work/h.json" "$pg_bytes" "$sq_bytes" "$(wc -l <pg.list)" "$(wc -l <sqlite.list)" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
pgb, sqb, pgn, sqn = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
for r in h["results"]:
    b, n = (sqb, sqn) if "sqlite" in r["command"] else (pgb, pgn)
    print(f"| {r['command']} | {n} | {b/1e6:.2f} | {r['mean']:.4f} ± {r['stddev']:.4f} | {b/1e6/r['mean']:.1f} |")
PY
[ -n "$squawk" ] && echo "squawk: $("$squawk" --version)" || echo "squawk: not available (npm install squawk-cli failed)"
