#!/usr/bin/env bash
# make demo: the main job on the embedded SQLite default, in a throwaway
# project. No server, no configuration: dbward init, two migrations, a dry
# run, deploy, status, the environment explained, what happens when someone
# edits a migration that already ran, and a production database that
# refuses a development reset.
set -euo pipefail
DBWARD=$(cd "$(dirname "${1:-build/dbward}")" && pwd)/$(basename "${1:-build/dbward}")
demo=$(mktemp -d /tmp/dbward-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
cd "$demo"
unset DATABASE_URL DATABASE_ENV NODE_ENV DEV_DATABASE_URL

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "dbward $*"; "$DBWARD" "$@"; }

echo "A throwaway project in $demo"
run init
m1=$("$DBWARD" -q new create_users)
cat >"$m1" <<'SQL'
-- migrate:up
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:down
DROP TABLE users;
SQL
sleep 1 # migration versions are timestamps to the second
m2=$("$DBWARD" -q new create_posts)
cat >"$m2" <<'SQL'
-- migrate:up
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  title TEXT NOT NULL
);
CREATE INDEX posts_user_id ON posts(user_id);

-- migrate:down
DROP TABLE posts;
SQL
step "ls db/migrations"; ls db/migrations
run deploy --dry-run
run deploy
run deploy
run status
run env --explain
step "echo '-- a comment' >> $(basename "$m1")   # a cosmetic edit of an applied migration"
echo "-- a comment" >>"$m1"
run status
step "sed -i 's/NOT NULL UNIQUE/NOT NULL/' $(basename "$m1")   # a real edit"
sed -i 's/NOT NULL UNIQUE/NOT NULL/' "$m1"
set +e
step "dbward status"; "$DBWARD" status; rc=$?
echo "(exit status $rc: 6 means a history problem, see docs/exit-codes.md)"
step "DATABASE_URL=sqlite:db/prod.sqlite3 dbward deploy --env production   # production: backup first, then stamp"
DATABASE_URL=sqlite:db/prod.sqlite3 "$DBWARD" deploy --env production; rc=$?
echo "(exit status $rc)"
step "DATABASE_URL=sqlite:db/prod.sqlite3 dbward reset --yes   # a development shell pointed at production"
DATABASE_URL=sqlite:db/prod.sqlite3 "$DBWARD" reset --yes; rc=$?
echo "(exit status $rc: 3 means refused by policy)"
step "dbward --env production check reset"
DATABASE_URL=sqlite:db/prod.sqlite3 "$DBWARD" --env production check reset; rc=$?
echo "(exit status $rc)"
set -e
echo
echo "Demo done. The database was $demo/db/development.sqlite3 (removed now)."
