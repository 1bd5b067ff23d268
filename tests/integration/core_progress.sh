#!/usr/bin/env bash
# A deploy that takes more than a moment draws a progress bar on a terminal,
# and nothing of that when output is not a terminal (or with --json).
source "$DBW_TESTLIB"
command -v script >/dev/null || { echo "SKIP: script(1) not installed"; exit 77; }

mk() {
	rm -rf "$T_DIR/p" && mkdir -p "$T_DIR/p/db/migrations" && cd "$T_DIR/p" || exit 1
	for i in $(seq 1 30); do
		# ~20 ms of work each, so that the whole deploy passes the 300 ms mark.
		printf 'CREATE TABLE t%d (id int);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c;\n' \
			"$i" >"db/migrations/$(printf '2024010100%04d' "$i")_t$i.sql"
	done
}

mk
script -qec "$DBWARD deploy" /dev/null >"$T_DIR/tty.out" 2>&1
expect_in "$(cat "$T_DIR/tty.out")" "[==" "terminal: progress bar drawn"
expect_in "$(cat "$T_DIR/tty.out")" "30/30" "terminal: progress reaches the end"
expect_in "$(cat "$T_DIR/tty.out")" "Applied 30 migrations" "terminal: summary"

mk
run "$DBWARD" deploy
expect_rc 0 "not a terminal: deploy"
expect_not_in "$OUT$ERR" "[==" "not a terminal: no progress bar"
expect_not_in "$OUT$ERR" $'\r' "not a terminal: no carriage returns"
expect_in "$OUT" "applied 2024010100"  "not a terminal: one line per migration"

mk
script -qec "$DBWARD --json deploy" /dev/null >"$T_DIR/json.out" 2>&1
expect_not_in "$(cat "$T_DIR/json.out")" "[==" "--json on a terminal: no progress bar"
done_testing
