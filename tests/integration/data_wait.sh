#!/usr/bin/env bash
# `dbward wait`: times out with exit 1 and the last error against a closed
# port; succeeds at once against a running cluster; a SQLite file must exist.
source "$DBW_TESTLIB"

P=$T_DIR/proj
mkdir -p "$P"
cd "$P" || exit 1

# A port nothing listens on: bind one, note it, close it.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
start=$(date +%s%N)
run env DATABASE_URL="postgresql://nobody@127.0.0.1:$PORT/x" "$DBWARD" wait --timeout 2s
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_rc 1 "wait times out against a closed port"
expect_in "$ERR" "dbward: error:" "the last error is shown"
expect_in "$ERR" "detail: Gave up after" "the attempts are counted"
if [ "$elapsed" -ge 1900 ] && [ "$elapsed" -lt 6000 ]; then ok "gave up after about 2 s ($elapsed ms)"; else not_ok "gave up after $elapsed ms"; fi

run env DATABASE_URL="postgresql://nobody@127.0.0.1:$PORT/x" "$DBWARD" --json wait --timeout 500ms
expect_rc 1 "JSON timeout"
expect_eq "$(printf '%s' "$OUT" | jq -r '.error.code')" "connect" "JSON error code"

run env DATABASE_URL="sqlite:$T_DIR/missing.sqlite3" "$DBWARD" wait --timeout 300ms
expect_rc 1 "a missing SQLite file is not ready"
if [ ! -e "$T_DIR/missing.sqlite3" ]; then ok "wait did not create the file"; else not_ok "wait created the file"; fi

sqlite3 "$T_DIR/here.sqlite3" "create table t(x)"
run env DATABASE_URL="sqlite:$T_DIR/here.sqlite3" "$DBWARD" wait
expect_rc 0 "an existing SQLite file is ready"
expect_in "$OUT" "development is ready (1 attempt" "ready message"

run "$DBWARD" wait --timeout soon
expect_rc 2 "bad duration"
run "$DBWARD" wait now
expect_rc 2 "extra argument"
expect_in "$ERR" "unexpected argument \"now\"" "extra argument message"
run "$DBWARD" wait --help
expect_rc 0 "--help"
expect_in "$OUT" "usage: dbward wait [--timeout DURATION]" "usage"

if [ -n "${PGHOST:-}" ] && psql -XAtqc 'select 1' postgres >/dev/null 2>&1; then
	DB=$(pg_newdb wait)
	run env DATABASE_URL="$(pg_url "$DB")" "$DBWARD" --json wait --timeout 10s
	expect_rc 0 "wait succeeds against the cluster"
	expect_eq "$(printf '%s' "$OUT" | jq -r '.attempts')" "1" "at the first attempt"
fi

done_testing
