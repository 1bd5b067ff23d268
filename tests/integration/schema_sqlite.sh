#!/usr/bin/env bash
# schema dump / diff / verify on SQLite files, and the commands' usage
# errors: the dump is deterministic and loads back identically; diff names
# added columns, dropped indexes and changed columns; diff --sql, including
# SQLite's table rebuild, makes the files identical; the drift check runs in
# an in-memory shadow database.
source "$DBW_TESTLIB"

proj="$T_DIR/proj"
mkdir -p "$proj/db/migrations"
cat >"$proj/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'x');
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, body TEXT);
CREATE INDEX posts_user ON posts (user_id);
CREATE VIEW user_posts AS SELECT u.email, p.body FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET name = name WHERE id = NEW.id; END;
SQL
printf '[env.a]\nurl = sqlite:a.sqlite3\n\n[env.b]\nurl = sqlite:b.sqlite3\n\n[env.c]\nurl = sqlite:c.sqlite3\n' >"$proj/dbward.ini"
D=("$DBWARD" -c "$proj/dbward.ini")
cd "$proj" || exit 1

run "${D[@]}" -e a deploy
expect_rc 0 "deploy a"
run "${D[@]}" -e b deploy
expect_rc 0 "deploy b"
run "${D[@]}" diff a b
expect_rc 0 "diff a b"
expect_eq "$OUT" "a and b: schemas are identical" "identical after deploy"

"${D[@]}" -e a schema dump >"$T_DIR/a1.sql"
"${D[@]}" -e a schema dump >"$T_DIR/a2.sql"
cmp -s "$T_DIR/a1.sql" "$T_DIR/a2.sql" && ok "dump twice byte-identical" || not_ok "dump differs between runs"
expect_not_in "$(cat "$T_DIR/a1.sql")" "dbward_migrations" "history table left out"
grep -v '^--' "$T_DIR/a1.sql" | sqlite3 "$proj/c.sqlite3"
"${D[@]}" -e c schema dump >"$T_DIR/c.sql"
cmp -s "$T_DIR/a1.sql" "$T_DIR/c.sql" && ok "round trip byte-identical" || not_ok "round trip differs"

run "${D[@]}" diff a --migrations
expect_rc 0 "no drift"
expect_eq "$OUT" "the migrations and a (live): schemas are identical" "drift check in memory says identical"

sqlite3 "$proj/b.sqlite3" "ALTER TABLE users ADD COLUMN age INTEGER; DROP INDEX posts_user;"
run "${D[@]}" diff a b
expect_rc 5 "diff finds two changes"
expect_in "$OUT" "column main.users.age: only in b" "added column named"
expect_in "$OUT" "index posts_user on main.posts: only in a" "dropped index named"
run "${D[@]}" -e b verify
expect_rc 5 "verify: drift"
expect_in "$OUT" "drift: 2 differences from what the applied migrations produce" "verify counts the drift"
run "${D[@]}" diff a b --sql
printf '%s\n' "$OUT" | sqlite3 "$proj/a.sqlite3"
run "${D[@]}" diff a b
expect_rc 0 "identical after applying diff --sql"

# A changed column needs SQLite's rebuild: NOT NULL added to posts.body.
sqlite3 "$proj/b.sqlite3" "INSERT INTO users (id, email) VALUES (1, 'a@x'); INSERT INTO posts VALUES (1, 1, 'hello');
PRAGMA foreign_keys=OFF; PRAGMA legacy_alter_table=ON; BEGIN;
CREATE TABLE new_posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, body TEXT NOT NULL);
INSERT INTO new_posts SELECT * FROM posts; DROP TABLE posts; ALTER TABLE new_posts RENAME TO posts;
CREATE INDEX posts_user ON posts (user_id); COMMIT;"
sqlite3 "$proj/a.sqlite3" "INSERT INTO users (id, email) VALUES (1, 'a@x'); INSERT INTO posts VALUES (1, 1, 'hello');"
run "${D[@]}" diff a b
expect_rc 5 "changed column found"
expect_in "$OUT" "column main.posts.body: differs" "changed column named"
expect_in "$OUT" "not_null: no in a, yes in b" "says what changed"
run "${D[@]}" diff a b --sql
expect_in "$OUT" "-- destructive: rebuilds table \"posts\"" "rebuild marked destructive"
printf '%s\n' "$OUT" | sqlite3 "$proj/a.sqlite3"
run "${D[@]}" diff a b
expect_rc 0 "identical after the rebuild"
expect_eq "$(sqlite3 "$proj/a.sqlite3" "SELECT body FROM posts WHERE id = 1")" "hello" "the rebuild kept the row"

# CHECK constraints live only in the CREATE TABLE text: found there.
sqlite3 "$proj/b.sqlite3" "PRAGMA legacy_alter_table=ON; BEGIN;
CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'x' CHECK (length(name)  <  50), age INTEGER);
INSERT INTO new_users SELECT * FROM users; DROP TABLE users; ALTER TABLE new_users RENAME TO users; COMMIT;"
run "${D[@]}" diff a b
expect_rc 5 "a CHECK constraint added by hand is found"
expect_in "$OUT" "constraint check (length(name) < 50) on main.users: only in b" "named by its expression"
run "${D[@]}" diff a b --sql
printf '%s\n' "$OUT" | sqlite3 "$proj/a.sqlite3"
run "${D[@]}" diff a b
expect_rc 0 "identical after the rebuild adds the CHECK"

# The most severe finding wins: a modified migration (6) over drift (5).
sqlite3 "$proj/b.sqlite3" "CREATE TABLE handmade (x INTEGER)"
printf 'CREATE TABLE extra (y INTEGER);\n' >>"$proj/db/migrations/20240101000000_init.sql"
run "${D[@]}" -e b verify
expect_rc 6 "verify: history problem before drift"
expect_in "$OUT" "modified 20240101000000" "verify lists the modified migration"
expect_in "$OUT" "table main.handmade: only in b (live)" "verify still reports the drift"
run "${D[@]}" --json -e b verify
expect_eq "$(printf '%s' "$OUT" | jq -r '[.exit_status, .history.modified, (.drift.differences | length > 0)] | join(" ")')" \
	"6 1 true" "verify --json: exit 6, one modified, drift listed"

# Reading never creates a database file.
DATABASE_URL="sqlite:$T_DIR/missing.sqlite3" run "$DBWARD" schema dump
expect_rc 1 "schema dump of a missing file: exit 1"
expect_in "$ERR" "dbward: error: database file \"$T_DIR/missing.sqlite3\" does not exist" "says the file is missing"
[ -e "$T_DIR/missing.sqlite3" ] && not_ok "schema dump created the file" || ok "schema dump created no file"

# Usage errors.
for cmd in "schema dump" diff verify; do
	run "$DBWARD" $cmd --help
	expect_rc 0 "$cmd --help"
	expect_in "$OUT" "usage: dbward ${cmd%% *}" "$cmd --help prints usage"
	run "$DBWARD" $cmd --bogus
	expect_rc 2 "$cmd: bad option"
	expect_in "$ERR" 'dbward: error: unknown option "--bogus"' "$cmd: names the bad option"
done
run "${D[@]}" schema dump extra
expect_rc 2 "schema dump: extra argument"
expect_in "$ERR" 'dbward: error: unexpected argument "extra"' "schema dump: names the extra argument"
run "${D[@]}" schema load
expect_rc 2 "schema: unknown subcommand"
expect_in "$ERR" 'dbward: error: unknown schema subcommand "load"' "schema: names the subcommand"
run "${D[@]}" diff a
expect_rc 2 "diff: one environment without --migrations"
expect_in "$ERR" "dbward: error: diff needs 2 arguments" "diff: says two are needed"
run "${D[@]}" diff a b c
expect_rc 2 "diff: three environments"
run "${D[@]}" verify extra
expect_rc 2 "verify: extra argument"
run "${D[@]}" diff a nowhere
expect_rc 2 "diff: unknown environment"
expect_in "$ERR" 'nowhere' "diff: names the unknown environment"
before=$(sqlite_checksum "$proj/a.sqlite3")
run "${D[@]}" diff a b --sql
expect_eq "$(sqlite_checksum "$proj/a.sqlite3")" "$before" "diff --sql changes nothing itself"
done_testing
