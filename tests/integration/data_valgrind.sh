#!/usr/bin/env bash
# valgrind finds no leak and no invalid access on the data commands' main
# paths (setup, seed with a failing seed, truncate --seed, reset, wait
# timing out), on SQLite and, when a cluster is there, PostgreSQL. The ASan
# build covers the rest; this guards the release binary too.
source "$DBW_TESTLIB"
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
[ -z "${ASAN_OPTIONS:-}" ] || { echo "SKIP: ASan build"; exit 77; }

vg() { # DESC EXPECTED_RC ARGS...
	local desc=$1 want=$2
	shift 2
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q \
		"$DBWARD" "$@" >/dev/null 2>"$T_DIR/vg.err"
	local rc=$?
	if [ $rc = 99 ] || grep -qE 'definitely lost|indirectly lost|Invalid (read|write)' "$T_DIR/vg.err"; then
		not_ok "valgrind: $desc"; head -30 "$T_DIR/vg.err"
	elif [ "$rc" != "$want" ]; then
		not_ok "valgrind: $desc: exit $rc, expected $want"; head -10 "$T_DIR/vg.err"
	else
		ok "valgrind: $desc (exit $rc)"
	fi
}

P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared" "$P/db/seeds/test"
printf -- '-- migrate:up\nCREATE TABLE color (id int PRIMARY KEY, name text);\n' >"$P/db/migrations/20240101000000_a.sql"
printf "INSERT INTO color VALUES (1, 'red') ON CONFLICT (id) DO NOTHING;\n" >"$P/db/seeds/shared/001_ok.sql"
cd "$P" || exit 1

paths() { # LABEL
	printf "INSERT INTO color VALUES (2, 'x');\nINSERT INTO color VALUES (3;\n" >db/seeds/test/001_bad.sql
	vg "$1: setup (a seed fails)" 1 --env test setup
	vg "$1: seed --json (a seed fails)" 1 --env test --json seed
	rm db/seeds/test/001_bad.sql
	vg "$1: seed" 0 --env test seed
	vg "$1: seed --dry-run --all" 0 --env test seed --dry-run --all
	vg "$1: setup again" 0 --env test --json setup
	vg "$1: truncate --seed" 0 --env test --json truncate --seed
	vg "$1: reset" 0 --env test --json reset
	vg "$1: reset refused in production" 3 --env production reset
	vg "$1: wait" 0 --env test wait
}

export TEST_DATABASE_URL=sqlite:$T_DIR/test.sqlite3 DATABASE_URL=sqlite:$T_DIR/prod.sqlite3
paths sqlite
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
TEST_DATABASE_URL="postgresql://nobody@127.0.0.1:$PORT/x" vg "wait times out" 1 --env test wait --timeout 500ms

if [ -n "${PGHOST:-}" ] && psql -XAtqc 'select 1' postgres >/dev/null 2>&1; then
	TEST_DATABASE_URL=$(pg_url "t_data_valgrind_$$_$RANDOM")
	T_DBS+=("${TEST_DATABASE_URL##*/}")
	DATABASE_URL=$(pg_url "$(pg_newdb prod)")
	export TEST_DATABASE_URL DATABASE_URL
	paths postgres
fi
done_testing
