#!/usr/bin/env bash
# `dbward setup` on PostgreSQL: creates the missing database (owner, UTF8)
# through the maintenance database, deploys, seeds; a second run is a no-op.
# Production: created and deployed, never seeded.
source "$DBW_TESTLIB"
need_pg

schema_sum() { pg_schema "$1" | sha256sum; }
# same_schema A B DESCRIPTION: equal schemas, else the diff is shown.
same_schema() {
	if [ "$(schema_sum "$1")" = "$(schema_sum "$2")" ]; then ok "$3"; else
		not_ok "$3"; diff <(pg_schema "$1") <(pg_schema "$2") | head -40; fi
}


P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TABLE color (id int PRIMARY KEY, name text NOT NULL);
SQL
cat >"$P/db/seeds/shared/001_colors.sql" <<'SQL'
INSERT INTO color VALUES (1, 'red') ON CONFLICT (id) DO NOTHING;
SQL
cd "$P" || exit 1

NAME="t_data_setup_$$_$RANDOM"
T_DBS+=("$NAME") # dropped by the test library at exit
URL=$(pg_url "$NAME")
dbw() { DATABASE_URL=$URL "$DBWARD" "$@"; }

expect_eq "$(psql_q postgres "select count(*) from pg_database where datname = '$NAME'")" "0" "database absent"
run dbw setup
expect_rc 0 "setup creates, deploys, seeds"
expect_in "$OUT" "Created database \"$NAME\" owned by \"$PGUSER\"." "creation reported"
expect_in "$OUT" "Applied 1 migration." "deploy reported"
expect_in "$OUT" "seeded db/seeds/shared/001_colors.sql" "seed reported"
expect_eq "$(psql_q postgres "select pg_encoding_to_char(encoding) || ',' || pg_get_userbyid(datdba) from pg_database where datname = '$NAME'")" \
	"UTF8,$PGUSER" "UTF8 and the connecting role as owner"
expect_eq "$(psql_q "$NAME" "select name from color")" "red" "seeded"
SCHEMA=$(schema_sum "$NAME")
DATA=$(pg_data_checksum "$NAME")

run dbw --json setup
expect_rc 0 "second setup"
expect_eq "$(printf '%s' "$OUT" | jq -c '[.created, .migrations_applied, .seed.applied, .changed]')" \
	"[false,0,0,false]" "second run: nothing created, applied or seeded"
run dbw setup
expect_in "$OUT" "Nothing to do: development is set up" "the no-op is said"
expect_eq "$(schema_sum "$NAME")" "$SCHEMA" "schema unchanged"
expect_eq "$(pg_data_checksum "$NAME")" "$DATA" "data unchanged"

# production: created and deployed, never seeded
PNAME="t_data_setup_prod_$$_$RANDOM"
T_DBS+=("$PNAME")
run env DATABASE_URL="$(pg_url "$PNAME")" "$DBWARD" --env production setup
expect_rc 0 "setup in production"
expect_in "$OUT" "Seeds skipped: production is protected." "seeds skipped"
expect_eq "$(psql_q "$PNAME" "select count(*) from color")" "0" "production not seeded"
expect_eq "$(psql_q "$PNAME" "select count(*) from pg_tables where tablename = 'dbward_seeds'")" "0" "no seed table in production"

run env DATABASE_URL="$(pg_url "$PNAME")" "$DBWARD" --env production setup
expect_rc 0 "second setup in production"
expect_in "$OUT" "Nothing to do: production is set up" "nothing to do"
# a new migration: setup leaves an existing protected database to deploy (backup first)
cat >db/migrations/20240102000000_more.sql <<'SQL'
-- migrate:up
CREATE TABLE shade (id int PRIMARY KEY);
SQL
SUM=$(schema_sum "$PNAME")
run env DATABASE_URL="$(pg_url "$PNAME")" "$DBWARD" --env production setup
expect_rc 3 "setup refuses to deploy to an existing protected database"
expect_in "$ERR" "dbward: refused: setup will not deploy to the existing database of production" "refusal"
expect_in "$ERR" "hint: Run 'dbward --env production deploy': it verifies a backup first." "hint"
expect_eq "$(schema_sum "$PNAME")" "$SUM" "production schema unchanged"
rm db/migrations/20240102000000_more.sql

# a wrong password is reported as it is, not as a missing database
BAD=$(pg_url "$NAME" | sed "s|//\([^:]*\):[^@]*@|//\1:wrong-pw@|")
run env DATABASE_URL="$BAD" "$DBWARD" setup
expect_rc 1 "wrong password"
expect_not_in "$ERR" "wrong-pw" "no password in the output"
expect_not_in "$OUT$ERR" "Created database" "nothing created"

# a role without CREATEDB: the hint says what to do; nothing is created
NOCREATE="nocreate_$$_$RANDOM"
psql_q postgres "CREATE ROLE $NOCREATE LOGIN PASSWORD 'nc-secret'" >/dev/null
NNAME="t_data_setup_nc_$$_$RANDOM"
T_DBS+=("$NNAME")
NURL=$(pg_url "$NNAME" | sed "s|//[^@]*@|//$NOCREATE:nc-secret@|")
run env DATABASE_URL="$NURL" "$DBWARD" setup
expect_rc 1 "setup without CREATEDB"
expect_in "$ERR" "dbward: error: permission denied to create database" "the server's refusal"
expect_in "$ERR" "hint: Create the database as a role with CREATEDB (createdb -O $NOCREATE $NNAME), then run setup again." "hint"
expect_not_in "$ERR" "nc-secret" "no password in the output"
expect_eq "$(psql_q postgres "select count(*) from pg_database where datname = '$NNAME'")" "0" "nothing created"
psql_q postgres "DROP ROLE $NOCREATE" >/dev/null

run dbw setup --help
expect_rc 0 "--help"
run dbw setup --fast
expect_rc 2 "bad option"
run dbw setup now
expect_rc 2 "extra argument"

done_testing
