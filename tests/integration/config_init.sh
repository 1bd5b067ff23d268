#!/usr/bin/env bash
# `dbward init`: scaffolds a project, keeps what exists, and a second run
# changes nothing.
source "$DBW_TESTLIB"

tree_sum() { (cd "$1" && find . -type f -o -type d | sort && find . -type f -exec sha256sum {} + | sort) | sha256sum; }

P="$T_DIR/app"
mkdir -p "$P" && cd "$P"
printf 'node_modules/\n.env.local\n' >.gitignore

run "$DBWARD" init
expect_rc 0 "init"
expect_in "$OUT" "created  dbward.ini" "init: dbward.ini"
expect_in "$OUT" "created  db/migrations/" "init: migrations folder"
expect_in "$OUT" "created  db/seeds/shared/" "init: seeds folder"
expect_in "$OUT" "created  .env.example" "init: .env.example"
expect_in "$OUT" "updated  .gitignore (3 ignore rules)" "init: .gitignore gains only missing rules"
[ -d db/migrations ] && [ -d db/seeds/shared ] && ok "folders exist" || not_ok "folders missing"
expect_eq "$(grep -cx '.env.local' .gitignore)" "1" ".env.local not duplicated"
expect_in "$(cat .gitignore)" "node_modules/" "existing ignore rules kept"
for rule in '.env.*.local' 'db/*.sqlite3' 'backups/'; do
	expect_eq "$(grep -cxF "$rule" .gitignore)" "1" "ignore rule $rule"
done
expect_in "$(cat dbward.ini)" "[env.production]" "template: production section"
expect_in "$(cat dbward.ini)" "protected = true" "template: protected production"
expect_in "$(cat dbward.ini)" "direct_url" "template: direct_url"
expect_in "$(cat dbward.ini)" "expect_database" "template: expect_database"
expect_not_in "$(cat .env.example)" "password" ".env.example holds no secrets"

# The scaffold is a working project: env resolves with the defaults.
run "$DBWARD" env
expect_rc 0 "env after init"
expect_in "$OUT" "config:      $P/dbward.ini" "env uses the new dbward.ini"
expect_in "$OUT" "url from:    the embedded SQLite default" "env: SQLite default for development"

before=$(tree_sum "$P")
run "$DBWARD" init
expect_rc 0 "init again"
expect_in "$OUT" "kept     dbward.ini (exists)" "second init keeps dbward.ini"
expect_in "$OUT" "kept     .gitignore (exists)" "second init keeps .gitignore"
expect_not_in "$OUT" "created" "second init creates nothing"
expect_eq "$(tree_sum "$P")" "$before" "second init changes nothing"

# An edited dbward.ini is never overwritten.
echo "; mine" >>dbward.ini
sum=$(sha256sum dbward.ini)
run "$DBWARD" init
expect_eq "$(sha256sum dbward.ini)" "$sum" "edited dbward.ini kept"

# --format and --json.
mkdir -p "$T_DIR/p2" && cd "$T_DIR/p2"
run "$DBWARD" init --format prisma --json
expect_rc 0 "init --format prisma --json"
expect_eq "$(printf '%s' "$OUT" | jq -r '.items[] | select(.path=="prisma/migrations/") | .action')" "created" "json: prisma folder created"
expect_in "$(cat dbward.ini)" "format = prisma" "template: format written"
expect_eq "$(printf '%s' "$OUT" | jq -r '.items[] | select(.path==".gitignore") | .lines_added')" "4" "json: four rules to a new .gitignore"

# Usage.
mkdir -p "$T_DIR/p3" && cd "$T_DIR/p3"
run "$DBWARD" init --format liquibase
expect_rc 2 "unknown format"
expect_in "$ERR" 'unknown migration format "liquibase"' "unknown format: message"
[ ! -e dbward.ini ] && ok "unknown format writes nothing" || not_ok "unknown format wrote dbward.ini"
run "$DBWARD" init --help
expect_rc 0 "init --help"
expect_in "$OUT" "usage: dbward init" "init --help: usage"
run "$DBWARD" init --bogus
expect_rc 2 "init bad option"
expect_in "$ERR" 'unknown option "--bogus"' "init bad option: message"
run "$DBWARD" init extra
expect_rc 2 "init extra argument"
expect_in "$ERR" 'unexpected argument "extra"' "init extra argument: message"
[ ! -e dbward.ini ] && ok "bad usage writes nothing" || not_ok "bad usage wrote dbward.ini"

done_testing
