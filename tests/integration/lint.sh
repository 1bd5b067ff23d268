# lint.sh - `dbward lint`, `dbward sum` and `dbward hook install` through the
# real binary: text, github and JSON output, exit codes, sign-offs, severity
# overrides from dbward.ini, dbward.sum (edit, cosmetic edit, addition),
# --staged in a git repository, the whole corpus without a parse error, and
# (with PostgreSQL) live table sizes and --pending.
source "$DBW_TESTLIB"

proj="$T_DIR/proj"
mkdir -p "$proj/db/migrations"
cd "$proj" || exit 1
m1=db/migrations/20240101000000_init.sql
m2=db/migrations/20240201000000_more.sql
printf -- '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE users;\n' >"$m1"
printf -- '-- migrate:up\nSET lock_timeout = '"'"'2s'"'"';\nCREATE INDEX users_email ON users (email);\nALTER TABLE users ADD COLUMN name text;\n' >"$m2"

run "$DBWARD" lint
expect_rc 7 "an error-level finding exits 7"
expect_in "$OUT" "$m2:3:1: error DW201: CREATE INDEX on existing table \"users\" without CONCURRENTLY blocks writes for the whole build" "file:line:col: severity id: message"
expect_in "$OUT" "    CREATE INDEX users_email ON users (email)" "excerpt"
expect_in "$OUT" "    hint: Use CREATE INDEX CONCURRENTLY in a migration of its own" "hint"
expect_not_in "$OUT" "$m1" "the down section (DROP TABLE) is not linted"
expect_in "$ERR" "1 error, 0 warnings" "summary on stderr"
expect_in "$ERR" "note: no dbward.sum" "missing dbward.sum is a note"

run "$DBWARD" lint --format github
expect_rc 7 "github format"
expect_in "$OUT" "::error file=$m2,line=3,col=1,title=DW201 index-not-concurrently::CREATE INDEX" "workflow annotation"

run "$DBWARD" --json lint
expect_rc 7 "--json"
expect_in "$OUT" '"rule": "DW201"' "json rule"
expect_in "$OUT" '"exit_status": 7' "json exit status"

# sign-off
printf -- '-- migrate:up\nSET lock_timeout = '"'"'2s'"'"';\n-- dbward:allow DW201 users has 40 rows in production\nCREATE INDEX users_email ON users (email);\n' >"$m2"
run "$DBWARD" lint
expect_rc 0 "a signed-off finding does not fail"
expect_in "$ERR" "0 errors, 0 warnings, 0 info, 1 signed off" "counted as signed off"
run "$DBWARD" -v lint
expect_in "$OUT" "allowed DW201" "shown with -v"
expect_in "$OUT" "(signed off: users has 40 rows in production)" "with its reason"

# severity override in dbward.ini
printf -- '-- migrate:up\nCREATE INDEX users_email ON users (email);\n' >"$m2"
printf '[lint]\nindex-not-concurrently = warning\nDW209 = off\n' >dbward.ini
run "$DBWARD" lint
expect_rc 0 "override lowers the rule to a warning"
expect_in "$OUT" "warning DW201" "printed as a warning"
printf '[lint]\nDW201 = loud\n' >dbward.ini
run "$DBWARD" lint
expect_rc 2 "a bad severity is a configuration error"
expect_in "$ERR" 'error: invalid severity "loud"' "names the value"
rm dbward.ini

# dbward.sum
run "$DBWARD" sum
expect_rc 0 "sum writes the file"
expect_in "$OUT" "dbward.sum (2 migrations)" "says how many"
run "$DBWARD" sum --check
expect_rc 0 "sum --check matches"
printf -- '-- migrate:up\n-- a comment\nCREATE INDEX   users_email ON users (email);\n' >"$m2"
run "$DBWARD" sum --check
expect_rc 6 "a cosmetic edit fails sum --check"
expect_in "$ERR" 'error: migration "20240201000000" was edited (cosmetic: whitespace or comments only)' "names the migration and says cosmetic"
printf -- '-- migrate:up\nCREATE INDEX users_name ON users (name);\n' >"$m2"
run "$DBWARD" lint
expect_rc 6 "lint fails on a broken sum with exit 6"
expect_in "$OUT" "error DW003: migration \"20240201000000\" was edited" "DW003 names the migration"
printf -- '-- migrate:up\nCREATE INDEX users_email ON users (email);\n' >"$m2"
printf -- '-- migrate:up\nALTER TABLE users ADD COLUMN bio text;\n' >db/migrations/20240301000000_bio.sql
run "$DBWARD" lint
expect_in "$OUT" 'migration "20240301000000" is not recorded in dbward.sum' "an added migration must be recorded"
rm db/migrations/20240301000000_bio.sql

# seeds: linted with the migrations (DW401 is a warning)
mkdir -p db/seeds
printf "INSERT INTO users (id, email) VALUES (1, 'admin@example.com');\nINSERT INTO users (id, email) VALUES (2, 'b@example.com') ON CONFLICT DO NOTHING;\n" >db/seeds/users.sql
"$DBWARD" sum >/dev/null
run "$DBWARD" lint
expect_in "$OUT" "db/seeds/users.sql:1:1: warning DW401: seed INSERT into \"users\" has no ON CONFLICT" "seed insert without ON CONFLICT"
expect_not_in "$OUT" "db/seeds/users.sql:2:" "the one with ON CONFLICT passes"
rm -r db/seeds

# named files and usage
run "$DBWARD" help lint
expect_rc 0 "help lint"
expect_in "$OUT" "-- dbward:allow <rule-id> <reason>" "help names the sign-off"
run "$DBWARD" lint "$m1"
expect_rc 0 "a named clean migration"
run "$DBWARD" lint --format xml
expect_rc 2 "unknown format"
expect_in "$ERR" 'error: unknown format "xml" (text or github)' "format error text"
run "$DBWARD" lint --staged --pending
expect_rc 2 "--staged and --pending exclude each other"
run "$DBWARD" lint --bogus
expect_rc 2 "bad option"
run "$DBWARD" lint --help
expect_rc 0 "--help"
expect_in "$OUT" "usage: dbward lint" "usage text"
run "$DBWARD" lint --rules
# (a bash match: grep -q on a long pipe can race with pipefail)
[[ "$OUT" == *"DW101  drop-table"* ]] && ok "rule list" || not_ok "rule list"
run "$DBWARD" sum extra
expect_rc 2 "sum: extra argument"
run "$DBWARD" hook
expect_rc 2 "hook: missing action"
run "$DBWARD" hook install extra
expect_rc 2 "hook: extra argument"
run "$DBWARD" hook remove
expect_rc 2 "hook: unknown action"
expect_in "$ERR" 'error: unknown hook action "remove" (install)' "names the action"
run "$DBWARD" hook --bogus
expect_rc 2 "hook: bad option"
run "$DBWARD" hook --help
expect_rc 0 "hook --help"
run "$DBWARD" sum --bogus
expect_rc 2 "sum: bad option"
run "$DBWARD" sum --help
expect_rc 0 "sum --help"
expect_in "$OUT" "usage: dbward sum" "sum usage"

# pre-commit: hook install and --staged
git init -q . && git config user.email t@example.com && git config user.name t
"$DBWARD" sum >/dev/null
git add -A && git commit -qm init
run "$DBWARD" hook install
expect_rc 0 "hook install"
expect_in "$(cat .git/hooks/pre-commit)" "lint --staged" "hook runs lint --staged"
run "$DBWARD" hook install
expect_rc 0 "installing twice is fine"
expect_in "$OUT" "already installed" "says so"
cp .git/hooks/pre-commit "$T_DIR/ours"
printf '#!/bin/sh\nnpx lint-staged\n' >.git/hooks/pre-commit
run "$DBWARD" hook install
expect_rc 3 "another hook is never overwritten"
expect_eq "$(cat .git/hooks/pre-commit)" "$(printf '#!/bin/sh\nnpx lint-staged')" "the other hook is untouched"
expect_in "$ERR" "hint: Chain dbward into it" "hint says how to chain"
cp "$T_DIR/ours" .git/hooks/pre-commit
printf -- '-- migrate:up\nCREATE INDEX users_email2 ON users (email);\n' >"$m2"
git add "$m2"
run "$DBWARD" lint --staged
expect_rc 6 "staged edit of a committed migration"
expect_in "$OUT" "error DW501: staged edit of committed migration \"$m2\"" "DW501 names it"
git checkout -q HEAD -- "$m2"
printf '{"scripts": {"reset": "prisma migrate reset --force"}}\n' >package.json
git add package.json
run "$DBWARD" lint --staged
expect_rc 7 "dangerous command in a staged script"
expect_in "$OUT" 'package.json:1:' "names file and line"
expect_in "$OUT" 'staged file runs "prisma migrate reset"' "names the command"
git reset -q package.json
if git commit -q --allow-empty -m "empty with the hook" >/dev/null 2>&1; then ok "hook passes a clean commit"; else not_ok "hook passes a clean commit"; fi

# the whole corpus lints without a parse error
for d in documenso__documenso/packages/prisma/migrations stonith404__pingvin-share/backend/prisma/migrations \
	goharbor__harbor/make/migrations/postgresql kestra-io__kestra/jdbc-postgres/src/main/resources/migrations/postgres \
	supabase__postgres/migrations/db/migrations; do
	c="$T_DIR/c_${d%%/*}"
	mkdir -p "$c"
	printf '[project]\nmigrations = %s\n' "$CORPUS/$d" >"$c/dbward.ini"
	run "$DBWARD" -c "$c/dbward.ini" --json lint
	if [ "$RC" -eq 0 ] || [ "$RC" -eq 7 ]; then ok "corpus $d lints (exit $RC)"; else not_ok "corpus $d: exit $RC"; fi
	expect_not_in "$OUT" '"rule": "DW001"' "corpus $d: no parse error"
done

# knows the target (PostgreSQL)
if [ -n "${PGHOST:-}" ] && psql -XAtqc 'select 1' postgres >/dev/null 2>&1; then
	db=$(pg_newdb lint)
	psql_q "$db" "CREATE TABLE users (id bigint PRIMARY KEY, email text); INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 50000) g; ANALYZE users;"
	sum_before=$(pg_data_checksum "$db")
	cd "$T_DIR" && mkdir pgproj && cd pgproj && mkdir -p db/migrations
	printf -- '-- migrate:up\nCREATE INDEX users_email ON users (email);\n' >db/migrations/20240201000000_idx.sql
	printf '[env.production]\nurl = %s\n' "$(pg_url "$db")" >dbward.ini
	run "$DBWARD" -e production lint
	expect_rc 7 "lint -e production"
	expect_in "$OUT" 'blocks writes for the whole build (50.0 k rows, ' "the live size is in the message"
	psql_q "$db" "CREATE SCHEMA app; CREATE TABLE app.events (id bigint, kind text); INSERT INTO app.events SELECT g, 'k' FROM generate_series(1, 2000) g; ANALYZE app.events;"
	sum_before=$(pg_data_checksum "$db")
	printf -- '-- migrate:up\nCREATE INDEX events_kind ON app.events (kind);\n' >db/migrations/20240301000000_events.sql
	run "$DBWARD" -e production lint
	expect_in "$OUT" 'existing table "events" without CONCURRENTLY blocks writes for the whole build (2000 rows, ' "a schema-qualified table is measured in its schema"
	rm db/migrations/20240301000000_events.sql
	printf '[env.production]\nurl = %s\n[lint]\nsmall_table_rows = 100000\n' "$(pg_url "$db")" >dbward.ini
	run "$DBWARD" -e production lint
	expect_rc 0 "small_table_rows lowers findings on a small table"
	expect_in "$OUT" "info DW201" "shown as info"
	psql_q "$db" "CREATE TABLE old_sessions (id bigint);"
	sum_before=$(pg_data_checksum "$db")
	printf -- '-- migrate:up\nSET lock_timeout = '"'"'1s'"'"';\nDROP TABLE old_sessions;\nDROP TABLE users;\n' >db/migrations/20240401000000_drop.sql
	run "$DBWARD" -e production lint
	expect_in "$OUT" 'info DW101: table "old_sessions" is dropped with its data (0 rows, ' "dropping an empty table is info"
	expect_in "$OUT" 'error DW101: table "users" is dropped with its data (50.0 k rows, ' "dropping a small table with rows stays an error"
	rm db/migrations/20240401000000_drop.sql
	expect_eq "$(pg_data_checksum "$db")" "$sum_before" "lint changed nothing in the database"
	printf '[env.production]\nurl = postgresql://nobody@127.0.0.1:1/none\n' >dbward.ini
	run "$DBWARD" -e production lint
	expect_rc 7 "unreachable database: lint still works"
	expect_in "$ERR" "warning: could not reach production for table sizes" "says sizes are missing"
	# --pending: only what the environment has not applied
	db2=$(pg_newdb pending)
	psql_q "$db2" "CREATE TABLE users (id bigint PRIMARY KEY, email text);"
	cd "$T_DIR" && mkdir pending && cd pending && mkdir -p db/migrations
	printf -- '-- migrate:up\nALTER TABLE users ADD COLUMN bio text;\n' >db/migrations/20240101000000_bio.sql
	printf -- '-- migrate:up\nCREATE INDEX users_email ON users (email);\n' >db/migrations/20240201000000_idx.sql
	printf '[env.development]\nurl = %s\n' "$(pg_url "$db2")" >dbward.ini
	run "$DBWARD" deploy --to 20240101000000
	expect_rc 0 "deploy the first migration"
	run "$DBWARD" lint --pending
	expect_rc 7 "lint --pending"
	expect_in "$OUT" "20240201000000_idx.sql:2:1: error DW201" "the pending migration is linted"
	expect_not_in "$OUT" "20240101000000_bio.sql" "the applied one is not"
	run "$DBWARD" lint --pending extra.sql
	expect_rc 2 "--pending with files is a usage error"
else
	echo "# skipped the PostgreSQL part (run under scripts/with-postgres.sh)"
fi

done_testing
