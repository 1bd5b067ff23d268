#!/usr/bin/env bash
# Every core command answers --help (exit 0, its usage on stdout), refuses an
# unknown option and an extra argument (exit 2, with a hint to --help).
source "$DBW_TESTLIB"
cd "$T_DIR"

for cmd in deploy status resolve rollback baseline new init env version help; do
	run "$DBWARD" "$cmd" --help
	expect_rc 0 "$cmd --help"
	expect_in "$OUT" "usage: dbward $cmd" "$cmd --help prints its usage"
	run "$DBWARD" "$cmd" --no-such-option
	expect_rc 2 "$cmd with an unknown option"
	expect_in "$ERR" 'unknown option "--no-such-option"' "$cmd: names the bad option"
	expect_in "$ERR" "dbward $cmd --help" "$cmd: hint points at --help"
	run "$DBWARD" help "$cmd"
	expect_rc 0 "help $cmd"
done
for cmd in deploy status env init version; do
	run "$DBWARD" "$cmd" extra-argument
	expect_rc 2 "$cmd with an extra argument"
	expect_in "$ERR" 'unexpected argument "extra-argument"' "$cmd: names the extra argument"
done
run "$DBWARD" new a b
expect_rc 2 "new with two names"
run "$DBWARD" new
expect_rc 2 "new without a name"
run "$DBWARD" resolve
expect_rc 2 "resolve without --applied / --rolled-back"
expect_in "$ERR" "resolve needs --applied VERSION or --rolled-back VERSION" "resolve: says what it needs"
run "$DBWARD" resolve --applied 1 --rolled-back 1
expect_rc 2 "resolve with both"
run "$DBWARD" deploy --to
expect_rc 2 "deploy --to without a value"
expect_in "$ERR" 'needs a value' "deploy --to: says it needs a value"
run "$DBWARD" deploy --lock-timeout soon
expect_rc 2 "deploy --lock-timeout with a bad duration"
run "$DBWARD" rollback 1 2
expect_rc 2 "rollback with two counts"
run "$DBWARD" rollback zero
expect_rc 2 "rollback with a bad count"
expect_in "$ERR" 'rollback takes a positive count or --to VERSION, not "zero"' "rollback: bad count message"
run "$DBWARD" baseline
expect_rc 2 "baseline without a version"
run "$DBWARD" baseline 1 2
expect_rc 2 "baseline with two versions"
run "$DBWARD" frobnicate
expect_rc 2 "unknown command"
expect_in "$ERR" 'unknown command "frobnicate"' "unknown command: message"
run "$DBWARD"
expect_rc 2 "no command"
run "$DBWARD" --version
expect_rc 0 "--version"
expect_in "$OUT" "dbward 0." "--version prints the version"
run "$DBWARD" --json version
expect_eq "$(printf '%s' "$OUT" | jq -r .version)" "$("$DBWARD" version | cut -d' ' -f2)" "version --json"
run "$DBWARD" --env
expect_rc 2 "--env without a value"
done_testing
