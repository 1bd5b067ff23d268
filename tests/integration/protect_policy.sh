#!/usr/bin/env bash
# `dbward check OPERATION`: the policy table of issue 3 (development/test
# all, staging confirms reset, protected refuses reset, truncate, seed,
# copy-into, exec-write and asks for the typed name on rollback/restore),
# allow / deny in dbward.ini, and the audit of every check on production.
# Policy needs no database: nothing here connects.
source "$DBW_TESTLIB"

P="$T_DIR/proj"
mkdir -p "$P" && cd "$P"
cat >dbward.ini <<INI
[env.development]
url = sqlite:$T_DIR/dev.sqlite3
[env.staging]
url = sqlite:$T_DIR/staging.sqlite3
[env.production]
url = sqlite:$T_DIR/prod.sqlite3
INI

for op in reset truncate seed copy-into exec-write; do
	run "$DBWARD" check "$op" --env production
	expect_rc 3 "production: $op blocked"
	expect_eq "$OUT" "BLOCKED: $op is not allowed in production (protected environment)" "production: $op message"
done
for op in rollback restore; do
	run "$DBWARD" check "$op" --env production
	expect_rc 0 "production: $op possible with the typed name"
	expect_eq "$OUT" "allowed with confirmation: type the database name (--confirm NAME)" "production: $op needs the name"
done
for op in deploy status backup; do
	run "$DBWARD" check "$op" --env production
	expect_rc 0 "production: $op allowed"
	expect_eq "$OUT" "allowed" "production: $op message"
done
for op in reset truncate seed rollback restore copy-into exec-write; do
	run "$DBWARD" check "$op" --env development
	expect_rc 0 "development: $op allowed"
	expect_eq "$OUT" "allowed" "development: $op message"
done
run "$DBWARD" check reset --env staging
expect_rc 0 "staging: reset possible"
expect_eq "$OUT" "allowed with confirmation (--yes or a prompt)" "staging: reset asks for confirmation"

run "$DBWARD" check reset --env production --json
expect_rc 3 "json: blocked"
expect_eq "$(printf '%s' "$OUT" | jq -r '.verdict + " " + .reason + " " + (.allowed|tostring)')" \
	"deny protected environment false" "json: verdict, reason, allowed"

# Every check on production is in the audit log, refusals included.
run "$DBWARD" audit --json
expect_rc 0 "audit readable"
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.operation == "check" and .environment == "production" and .outcome == "refused")] | length')" \
	"6" "audit: every blocked production check recorded"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.entries[] | select(.environment == "development")] | length')" \
	"0" "audit: development is not audited"
[ "$(stat -c %a .dbward/audit.log)" = 600 ] && ok "audit log is private (0600)" || not_ok "audit log mode $(stat -c %a .dbward/audit.log)"
run "$DBWARD" audit --since 1h
expect_rc 0 "audit --since 1h"
expect_in "$OUT" "refused" "audit text shows refusals"
expect_in "$OUT" "check reset --env production" "audit text shows the command line"
run "$DBWARD" audit --since 2000-01-01
expect_rc 0 "audit --since a date"
expect_in "$OUT" "check reset --env production" "audit --since 2000-01-01 shows the records"
run "$DBWARD" audit --since 2999-01-01T00:00:00Z
expect_rc 0 "audit --since the future"
expect_eq "$OUT" "no audit records" "audit --since the future: nothing"
run "$DBWARD" audit --since yesterday-ish
expect_rc 2 "audit --since garbage"
expect_in "$ERR" 'cannot read --since "yesterday-ish"' "audit --since: message"

# allow / deny per environment.
cat >>dbward.ini <<INI
[env.test]
url = sqlite:$T_DIR/test.sqlite3
deny = reset
[env.qa]
url = sqlite:$T_DIR/qa.sqlite3
protected = true
allow = seed
INI
run "$DBWARD" check reset --env test
expect_rc 3 "deny = reset on test"
expect_eq "$OUT" "BLOCKED: reset is not allowed in test (denied by deny = in dbward.ini)" "deny: message"
run "$DBWARD" check seed --env qa
expect_rc 0 "allow = seed on a protected environment"
expect_eq "$OUT" "allowed with confirmation: type the database name (--confirm NAME)" "allow on protected still needs the name"
run "$DBWARD" check reset --env qa
expect_rc 3 "qa (protected = true) still refuses reset"

printf '[env.development]\nurl = sqlite:%s/dev.sqlite3\ndeny = reset, rest0re\n' "$T_DIR" >dbward.ini
run "$DBWARD" check reset --env development
expect_rc 2 "a typo in deny is a configuration error"
expect_in "$ERR" 'unknown operation "rest0re" in deny of [env.development]' "typo in deny: message"

# Usage.
run "$DBWARD" check frobnicate --env development
expect_rc 2 "unknown operation"
expect_in "$ERR" 'unknown operation "frobnicate"' "unknown operation: message"
expect_in "$ERR" "hint: The operations are: deploy, status, reset" "unknown operation: hint lists them"
run "$DBWARD" check --help
expect_rc 0 "check --help"
expect_in "$OUT" "usage: dbward check" "check --help text"
run "$DBWARD" check --bogus
expect_rc 2 "check: bad option"
run "$DBWARD" check reset extra
expect_rc 2 "check: extra argument"
for cmd in stamp doctor backup backups restore audit; do
	run "$DBWARD" "$cmd" --help
	expect_rc 0 "$cmd --help"
	run "$DBWARD" "$cmd" --bogus
	expect_rc 2 "$cmd: bad option"
done
run "$DBWARD" restore
expect_rc 2 "restore without FILE"
run "$DBWARD" backups extra
expect_rc 2 "backups: extra argument"
[ ! -e "$T_DIR/prod.sqlite3" ] && ok "no database was created by policy checks" || not_ok "a database file appeared"

done_testing
