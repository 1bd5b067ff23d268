#!/usr/bin/env bash
# `dbward reset` on PostgreSQL ends with exactly the schema a fresh deploy
# gives, with enum types, functions used in defaults, views over tables,
# triggers, policies, a schema made by a migration, and objects another
# role owns: as a superuser, and as a non-superuser owning the database.
# Refused in production (exit 3, data unchanged).
source "$DBW_TESTLIB"
need_pg

schema_sum() { pg_schema "$1" | sha256sum; }
# same_schema A B DESCRIPTION: equal schemas, else the diff is shown.
same_schema() {
	if [ "$(schema_sum "$1")" = "$(schema_sum "$2")" ]; then ok "$3"; else
		not_ok "$3"; diff <(pg_schema "$1") <(pg_schema "$2") | head -40; fi
}


OTHER="other_$$_$RANDOM"
APP="app_$$_$RANDOM"
psql_q postgres "CREATE ROLE $OTHER; CREATE ROLE $APP LOGIN PASSWORD 'app-secret'" >/dev/null

P=$T_DIR/proj
mkdir -p "$P/db/migrations" "$P/db/seeds/shared"
cat >"$P/db/migrations/20240101000000_init.sql" <<'SQL'
-- migrate:up
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || floor(random() * 1000)::int $$;
CREATE TABLE person (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,
  mood mood NOT NULL DEFAULT 'happy', code text NOT NULL DEFAULT next_code());
CREATE TABLE pet (id serial PRIMARY KEY, owner_id bigint REFERENCES person (id), name text);
CREATE VIEW person_pets AS SELECT p.name AS person, q.name AS pet FROM person p JOIN pet q ON q.owner_id = p.id;
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE MATERIALIZED VIEW pet_count AS SELECT count(*) AS n FROM pet;
SQL
cat >"$P/db/migrations/20240102000000_audit.sql" <<'SQL'
-- migrate:up
CREATE SCHEMA audit;
CREATE TABLE audit.log (id serial PRIMARY KEY, at timestamptz DEFAULT now(), what text);
CREATE FUNCTION audit.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit.log (what) VALUES (TG_TABLE_NAME); RETURN NEW; END $$;
CREATE TRIGGER pet_touch AFTER INSERT ON pet FOR EACH ROW EXECUTE FUNCTION audit.touch();
ALTER TABLE person ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_all ON person USING (true);
CREATE SEQUENCE ticket_seq;
CREATE TYPE pair AS (a int, b int);
CREATE TYPE span AS RANGE (subtype = int4);
CREATE PROCEDURE noop() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);
CREATE COLLATION my_c FROM "C";
CREATE TEXT SEARCH CONFIGURATION my_fts (COPY = english);
CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
SQL
cat >"$P/db/seeds/shared/001_people.sql" <<'SQL'
INSERT INTO person (name) VALUES ('ada');
SQL
cd "$P" || exit 1

# Objects made outside the migrations, some by another role.
# dirty DB OWNER EXTRA_SQL_AS_OTHER
dirty() {
	psql_q "$1" "
	GRANT CREATE, USAGE ON SCHEMA public TO $OTHER;
	GRANT SELECT ON person TO $OTHER;
	SET ROLE $2;
	INSERT INTO pet (owner_id, name) SELECT id, 'rex' FROM person;
	CREATE TABLE stray (x int);
	CREATE TYPE stray_kind AS ENUM ('a');
	CREATE FUNCTION stray_fn(stray_kind) RETURNS int LANGUAGE sql AS 'SELECT 1';
	CREATE AGGREGATE stray_agg(int) (SFUNC = int4pl, STYPE = int);
	CREATE TEXT SEARCH DICTIONARY stray_dict (TEMPLATE = simple);
	CREATE DOMAIN stray_dom AS text CHECK (VALUE <> '');
	CREATE MATERIALIZED VIEW stray_mv AS SELECT * FROM person_pets;
	SET ROLE $OTHER;
	CREATE VIEW other_view AS SELECT name FROM person;
	$3
	RESET ROLE;" >/dev/null
}

# --- superuser, another role owning a view, a table, a type and a function ---
FRESH=$(pg_newdb fresh)
DB=$(pg_newdb reset)
run env DATABASE_URL="$(pg_url "$FRESH")" "$DBWARD" setup
expect_rc 0 "fresh database deployed and seeded"
run env DATABASE_URL="$(pg_url "$DB")" "$DBWARD" setup
expect_rc 0 "database deployed and seeded"
dirty "$DB" "$PGUSER" "RESET ROLE; CREATE OPERATOR FAMILY stray_fam USING btree;
	CREATE OPERATOR ~~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = texteq);
	SET ROLE $OTHER; CREATE TABLE other_table (y int); CREATE TYPE other_enum AS ENUM ('z');
	CREATE FUNCTION other_fn() RETURNS int LANGUAGE sql AS 'SELECT 2';"
expect_eq "$(psql_q "$DB" "select count(*) from pg_class where relname in ('other_view','other_table','stray')")" \
	"3" "extra objects exist before reset"

run env DATABASE_URL="$(pg_url "$DB")" "$DBWARD" --json reset
expect_rc 0 "reset as superuser"
expect_eq "$(printf '%s' "$OUT" | jq -r '.schemas_dropped')" "1" "the migration's schema dropped whole"
expect_eq "$(printf '%s' "$OUT" | jq -r '.migrations_applied')" "2" "every migration deployed again"
expect_eq "$(printf '%s' "$OUT" | jq -r '.seed.applied')" "1" "seeded again"
same_schema "$DB" "$FRESH" "schema equals a fresh deploy's"
expect_eq "$(psql_q "$DB" "select count(*) from pet")" "0" "data gone"
expect_eq "$(psql_q "$DB" "select count(*) from person")" "1" "seed data back"

# --- a non-superuser that owns the database; another role's view over its table ---
FRESH2=$(pg_newdb fresh2)
DB2=$(pg_newdb reset2)
psql_q postgres "ALTER DATABASE $FRESH2 OWNER TO $APP; ALTER DATABASE $DB2 OWNER TO $APP" >/dev/null
app_url() { pg_url "$1" | sed "s|//[^@]*@|//$APP:app-secret@|"; }
run env DATABASE_URL="$(app_url "$FRESH2")" "$DBWARD" setup
expect_rc 0 "fresh database deployed as the app role"
run env DATABASE_URL="$(app_url "$DB2")" "$DBWARD" setup
expect_rc 0 "database deployed as the app role"
dirty "$DB2" "$APP" ""
run env DATABASE_URL="$(app_url "$DB2")" "$DBWARD" reset
expect_rc 0 "reset as the owning non-superuser"
expect_in "$OUT" "Applied 2 migrations." "redeployed"
same_schema "$DB2" "$FRESH2" "schema equals a fresh deploy's (the other role's view went with the table)"

# --- an object the role may not drop: nothing is dropped ---
# (In public the database owner may drop what others made: PostgreSQL lets a
# schema's owner drop objects in it. Not in a schema another role owns.)
psql_q "$DB2" "CREATE SCHEMA reporting AUTHORIZATION $OTHER; GRANT USAGE ON SCHEMA reporting TO $APP;
	SET ROLE $OTHER; CREATE TABLE reporting.other_table (y int); RESET ROLE;" >/dev/null
BEFORE=$(schema_sum "$DB2")
run env DATABASE_URL="$(app_url "$DB2")" "$DBWARD" reset
expect_rc 1 "reset fails on a table in a schema another role owns"
expect_in "$ERR" "must be owner of table other_table" "the server says why"
expect_in "$ERR" "hint: Run reset as the database owner, or as a role that is a member of the role owning the objects." "hint"
expect_eq "$(schema_sum "$DB2")" "$BEFORE" "nothing dropped (one transaction)"
expect_not_in "$ERR" "app-secret" "no password in the output"

# --- extensions are kept unless --extensions ---
DB3=$(pg_newdb ext)
psql_q "$DB3" "CREATE EXTENSION citext; CREATE SCHEMA ext; CREATE EXTENSION hstore SCHEMA ext;
	CREATE TABLE stray (email citext, tags ext.hstore);" >/dev/null
run env DATABASE_URL="$(pg_url "$DB3")" "$DBWARD" reset
expect_rc 0 "reset with extensions in public and in their own schema"
expect_eq "$(psql_q "$DB3" "select string_agg(extname, ',' order by extname) from pg_extension")" \
	"citext,hstore,plpgsql" "extensions kept"
expect_eq "$(psql_q "$DB3" "select count(*) from pg_class where relname = 'stray'")" "0" "the table using them dropped"
expect_eq "$(psql_q "$DB3" "select count(*) from pg_namespace where nspname = 'ext'")" "1" "the extension's schema kept"
run env DATABASE_URL="$(pg_url "$DB3")" "$DBWARD" reset --extensions
expect_rc 0 "reset --extensions"
expect_eq "$(psql_q "$DB3" "select string_agg(extname, ',' order by extname) from pg_extension")" \
	"plpgsql" "extensions dropped (plpgsql, part of every database, kept)"
expect_eq "$(psql_q "$DB3" "select count(*) from pg_namespace where nspname = 'ext'")" "0" "the emptied schema dropped"

# --- production: refused, data unchanged ---
PROD=$(pg_newdb prod)
run env DATABASE_URL="$(pg_url "$PROD")" "$DBWARD" setup
psql_q "$PROD" "INSERT INTO pet (name) VALUES ('keep')" >/dev/null
SUM=$(pg_data_checksum "$PROD")
run env DATABASE_URL="$(pg_url "$PROD")" "$DBWARD" --env production --yes reset
expect_rc 3 "reset refused in production"
expect_in "$ERR" "dbward: refused: reset is not allowed in production" "refusal message"
expect_in "$ERR" "hint: Reset a development or test database instead." "refusal hint"
expect_eq "$(pg_data_checksum "$PROD")" "$SUM" "production data unchanged"

# --- staging asks; without a terminal and without --yes it is refused ---
run env STAGING_DATABASE_URL="$(pg_url "$PROD")" "$DBWARD" --env staging reset </dev/null
expect_rc 3 "staging reset without confirmation"
expect_in "$ERR" "dbward: refused: reset of staging needs confirmation" "confirmation message"
expect_eq "$(pg_data_checksum "$PROD")" "$SUM" "data unchanged"

run "$DBWARD" reset --help
expect_rc 0 "--help"
run "$DBWARD" reset --force
expect_rc 2 "bad option"
run "$DBWARD" reset all
expect_rc 2 "extra argument"

for d in "${T_DBS[@]}"; do psql_q "$d" "DROP OWNED BY $OTHER" >/dev/null 2>&1; done
psql_q postgres "DROP ROLE IF EXISTS $OTHER" >/dev/null 2>&1
done_testing
