#!/usr/bin/env bash
# How migrations run on PostgreSQL: statements that refuse a transaction
# block run without one (and a failure there needs resolve); ALTER TYPE ...
# ADD VALUE followed by a use of the value; --atomic; --dry-run; --to; a
# lock_timeout that retries and then exits 8.
source "$DBW_TESTLIB"
need_pg

P="$T_DIR/p" && mkdir -p "$P/db/migrations" && cd "$P"
db=$(pg_newdb modes)
export DATABASE_URL=$(pg_url "$db")
M=db/migrations

cat >$M/20240101000000_users.sql <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, email text, status text);
SQL
cat >$M/20240102000000_index.sql <<'SQL'
CREATE INDEX CONCURRENTLY users_email ON users (email);
SQL
cat >$M/20240103000000_enum.sql <<'SQL'
CREATE TYPE mood AS ENUM ('ok');
SQL
cat >$M/20240104000000_enum_use.sql <<'SQL'
ALTER TYPE mood ADD VALUE 'great';
ALTER TABLE users ADD COLUMN mood mood NOT NULL DEFAULT 'great';
SQL

# --dry-run shows the plan with modes and statements, and changes nothing.
run "$DBWARD" deploy --dry-run
expect_rc 0 "dry run"
expect_in "$OUT" "Would apply 4 migrations" "dry run: count"
expect_in "$OUT" "no-transaction" "dry run: CREATE INDEX CONCURRENTLY runs without a transaction"
expect_in "$OUT" "split-transaction" "dry run: ADD VALUE splits the transaction"
expect_in "$OUT" "CREATE INDEX CONCURRENTLY users_email ON users (email);" "dry run: statements listed"
expect_eq "$(psql_q "$db" "select count(*) from pg_tables where schemaname='public'")" "0" "dry run: nothing created, not even the history table"

# --to stops at a version.
run "$DBWARD" --json deploy --to 20240102000000
expect_rc 0 "deploy --to"
expect_eq "$(printf '%s' "$OUT" | jq -c '[.applied[].version]')" '["20240101000000","20240102000000"]' "deploy --to: applied up to the version"
expect_eq "$(psql_q "$db" "select indisvalid from pg_index where indexrelid = 'users_email'::regclass")" "t" "concurrent index built and valid"
run "$DBWARD" deploy --to 20240199000000
expect_rc 2 "deploy --to an unknown version"
expect_in "$ERR" 'no migration with version "20240199000000"' "deploy --to unknown: message"

run "$DBWARD" deploy
expect_rc 0 "ADD VALUE then use of the value in one migration"
expect_eq "$(psql_q "$db" "select count(*) from users")" "0" "enum migration applied"

# A failure outside a transaction: recorded as needing resolve; deploy refuses.
cat >$M/20240105000000_bad_index.sql <<'SQL'
CREATE INDEX CONCURRENTLY users_nope ON users (no_such_column);
SQL
run "$DBWARD" deploy
expect_rc 1 "failing no-transaction migration"
expect_in "$ERR" "ran outside a transaction" "no-transaction failure: hint says so"
expect_in "$ERR" "dbward resolve" "no-transaction failure: hint names resolve"
run "$DBWARD" deploy
expect_rc 6 "deploy refuses until resolved"
expect_in "$ERR" 'failed outside a transaction and may be partly applied' "refusal explains why"
run "$DBWARD" status
expect_rc 6 "status shows the failed migration"
expect_in "$OUT" "needs 'dbward resolve'" "status: needs resolve"
run "$DBWARD" resolve --rolled-back 20240105000000
expect_rc 0 "resolve --rolled-back"
sed -i 's/no_such_column/status/' $M/20240105000000_bad_index.sql
run "$DBWARD" deploy
expect_rc 0 "fixed migration deploys after resolve"
run "$DBWARD" resolve --applied 20240105000000
expect_rc 2 "resolve on an applied migration is refused"
expect_in "$ERR" "is not in a failed state" "resolve: explains"

# The -- dbward:no-transaction marker.
printf -- '-- dbward:no-transaction\nVACUUM users;\n' >$M/20240106000000_vacuum.sql
run "$DBWARD" deploy
expect_rc 0 "VACUUM with the no-transaction marker"

# --atomic: all or nothing, refused when a migration cannot run in a transaction.
cat >$M/20240107000000_a.sql <<'SQL'
CREATE TABLE atomic_a (id int);
SQL
cat >$M/20240108000000_b.sql <<'SQL'
CREATE TABLE atomic_b (id int REFERENCES nowhere (id));
SQL
run "$DBWARD" deploy --atomic
expect_rc 1 "atomic deploy with a failing second migration"
expect_in "$ERR" "none of the 2 migrations was applied" "atomic: hint says none applied"
expect_eq "$(psql_q "$db" "select count(*) from pg_tables where tablename like 'atomic_%'")" "0" "atomic: first migration rolled back too"
sed -i 's/ REFERENCES nowhere (id)//' $M/20240108000000_b.sql
printf 'CREATE INDEX CONCURRENTLY atomic_idx ON users (email);\n' >$M/20240109000000_c.sql
run "$DBWARD" deploy --atomic
expect_rc 2 "atomic refused with a no-transaction migration"
expect_in "$ERR" 'cannot deploy atomically: migration "20240109000000" cannot run in a transaction' "atomic refusal: message"
rm $M/20240109000000_c.sql
run "$DBWARD" deploy --atomic
expect_rc 0 "atomic deploy"

# lock_timeout: a table lock held elsewhere; retries, then exit 8.
printf '[env.development]\nurl = ${DATABASE_URL}\nlock_timeout = 200ms\n' >dbward.ini
printf 'ALTER TABLE users ADD COLUMN note text;\n' >$M/20240110000000_note.sql
psql -XAtq -d "$db" -c "begin" -c "lock table users in access exclusive mode" -c "select pg_sleep(8)" -c "commit" >/dev/null &
holder=$!
sleep 1
run "$DBWARD" -v deploy
expect_rc 8 "statement lock timeout after retries"
expect_in "$ERR" "retry 3 of 3" "lock timeout: retried three times"
expect_in "$ERR" "lock" "lock timeout: message"
wait $holder
run "$DBWARD" deploy
expect_rc 0 "deploys once the lock is gone"
done_testing
