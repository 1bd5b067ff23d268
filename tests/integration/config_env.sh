#!/usr/bin/env bash
# `dbward env` and `env --explain`: the environment's name and URL, where
# they came from, what the shell shadows, and never a password.
source "$DBW_TESTLIB"

PW=s3cr3t-Pa55
FILEPW=f1le-Pa55
no_password() {
	expect_not_in "$OUT$ERR" "$PW" "$1: password not printed"
	expect_not_in "$OUT$ERR" "$FILEPW" "$1: file password not printed"
}

# No config at all: development on the embedded SQLite default.
mkdir -p "$T_DIR/bare" && cd "$T_DIR/bare"
run "$DBWARD" env
expect_rc 0 "no config"
expect_in "$OUT" "environment: development  (the default)" "no config: development by default"
expect_in "$OUT" "url:         sqlite:$T_DIR/bare/db/development.sqlite3" "no config: embedded SQLite"
expect_in "$OUT" "url from:    the embedded SQLite default" "no config: origin named"
expect_in "$OUT" "config:      none" "no config: config none"
expect_in "$OUT" "protected:   no" "no config: not protected"
[ ! -e db/development.sqlite3 ] && ok "env does not create the database" || not_ok "env created a database file"

# No URL for test: exit 2 with the variables to set.
run "$DBWARD" -e test env
expect_rc 2 "no URL for test"
expect_in "$ERR" 'dbward: error: no database URL for environment "test"' "no URL: message"
expect_in "$ERR" "hint: Set TEST_DATABASE_URL (or DATABASE_URL) in the environment or in .env.test, or set url in [env.test] of dbward.ini." "no URL: hint"

# Unknown environment: exit 2, suggestion and the known ones.
run "$DBWARD" --env stagin env
expect_rc 2 "unknown environment"
expect_in "$ERR" 'dbward: error: unknown environment "stagin"' "unknown env: message"
expect_in "$ERR" 'hint: Did you mean "staging"? Known environments: development, test, staging, production' "unknown env: hint"
NODE_ENV=prod run "$DBWARD" env
expect_rc 2 "unknown environment from NODE_ENV"
expect_in "$ERR" "detail: The name came from NODE_ENV from the process environment." "unknown env: detail names NODE_ENV"

# A project with a dotenv cascade.
P="$T_DIR/proj"
mkdir -p "$P/db/migrations" "$P/sub/dir" && cd "$P"
cat >dbward.ini <<'INI'
[project]
migrations = db/migrations

[env.production]
url = postgres://app:${PROD_PASSWORD}@db.internal/app_prod
protected = yes
INI
printf 'NODE_ENV=test\nDATABASE_URL=postgres://base@h/base\n' >.env
printf '# test database\nDATABASE_URL=postgres://app:%s@h/app_test\n' "$FILEPW" >.env.test.local

cd sub/dir
run "$DBWARD" env
expect_rc 0 "env from a subfolder"
expect_in "$OUT" "environment: test  (NODE_ENV from $P/.env:1)" "name from .env with file:line"
expect_in "$OUT" "url:         postgres://app:****@h/app_test" "URL from .env.test.local, redacted"
expect_in "$OUT" "url from:    DATABASE_URL from $P/.env.test.local:2" "origin with file:line"
expect_in "$OUT" "config:      $P/dbward.ini" "config found upward"
expect_in "$OUT" "migrations:  $P/db/migrations" "migrations folder"
no_password "env"

# The shell's DATABASE_URL wins over .env.test.local, and --explain says so.
DATABASE_URL="postgres://me:$PW@shellhost/shell_db" run "$DBWARD" env --explain
expect_rc 0 "explain"
expect_in "$OUT" "url:         postgres://me:****@shellhost/shell_db" "shell URL wins"
expect_in "$OUT" "DATABASE_URL = postgres://me:****@shellhost/shell_db  from the process environment" "explain: winner"
expect_in "$OUT" "shadows $P/.env.test.local:2 (postgres://app:****@h/app_test)" "explain: shadowed .env.test.local with file:line"
expect_in "$OUT" "shadows $P/.env:2 (postgres://base@h/base)" "explain: shadowed .env"
expect_in "$OUT" "warning: DATABASE_URL from the process environment overrides $P/.env.test.local:2" "explain: warning line"
expect_in "$OUT" "not set anywhere: DATABASE_ENV, TEST_DATABASE_URL" "explain: unset variables listed"
no_password "explain"

DATABASE_URL="postgres://me:$PW@shellhost/shell_db" run "$DBWARD" env --json
expect_rc 0 "env --json"
expect_eq "$(printf '%s' "$OUT" | jq -r .environment)" "test" "json: environment"
expect_eq "$(printf '%s' "$OUT" | jq -r .url)" "postgres://me:****@shellhost/shell_db" "json: url redacted"
expect_eq "$(printf '%s' "$OUT" | jq -r '.traces[] | select(.name=="DATABASE_URL") | .winner.kind')" "process" "json: winner kind"
expect_eq "$(printf '%s' "$OUT" | jq -r '.traces[] | select(.name=="DATABASE_URL") | .shadowed[0].line')" "2" "json: shadowed line"
no_password "json"

# ${VAR} in dbward.ini: undefined is an error naming the variable and line.
run "$DBWARD" -e production env
expect_rc 2 "undefined variable"
expect_in "$ERR" 'dbward: error: variable "PROD_PASSWORD" is not set' "undefined: message"
expect_in "$ERR" "where: $P/dbward.ini:5" "undefined: where"
expect_in "$ERR" "hint: Set PROD_PASSWORD in the environment or in .env.production.local" "undefined: hint"
PROD_PASSWORD=$PW run "$DBWARD" -e production env --explain
expect_rc 0 "production with the password from the shell"
expect_in "$OUT" "protected:   yes" "production protected"
expect_in "$OUT" "url from:    url in [env.production] of $P/dbward.ini:5" "config url origin"
expect_in "$OUT" "env.production.url = postgres://app:****@db.internal/app_prod  from $P/dbward.ini:5" "explain: config setting"
expect_in "$OUT" "PROD_PASSWORD = ****  from the process environment" "explain: password variable masked"
no_password "production"

# Malformed files name file:line.
cd "$P"
printf 'GOOD=1\nnot a line\n' >.env.local
run "$DBWARD" env
expect_rc 2 "malformed .env.local"
expect_in "$ERR" "where: $P/.env.local:2" "malformed dotenv: where"
rm .env.local
printf '[project]\nthis is wrong\n' >"$T_DIR/bad.ini"
run "$DBWARD" -c "$T_DIR/bad.ini" env
expect_rc 2 "malformed dbward.ini"
expect_in "$ERR" "where: $T_DIR/bad.ini:2" "malformed ini: where"
run "$DBWARD" -c "$T_DIR/missing.ini" env
expect_rc 2 "missing -c file"
expect_in "$ERR" "config file \"$T_DIR/missing.ini\" does not exist" "missing -c: message"

# Malformed and unsupported URLs.
DATABASE_URL="mysql://app:$PW@localhost/app" run "$DBWARD" env
expect_rc 2 "unsupported scheme"
expect_in "$ERR" 'unsupported database URL scheme "mysql"' "unsupported scheme: message"
no_password "unsupported scheme"

# Usage.
run "$DBWARD" env --help
expect_rc 0 "env --help"
expect_in "$OUT" "usage: dbward env" "env --help: usage"
run "$DBWARD" env --bogus
expect_rc 2 "env bad option"
expect_in "$ERR" 'unknown option "--bogus"' "env bad option: message"
run "$DBWARD" env extra
expect_rc 2 "env extra argument"
expect_in "$ERR" 'unexpected argument "extra"' "env extra argument: message"

done_testing
