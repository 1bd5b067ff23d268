#!/usr/bin/env bash
# Every object family the model covers (tests/fixtures/schema/kitchen_sink.sql:
# schemas, extensions, enums, domains, composite types, sequences, identity
# and generated columns, collations, partitions two levels deep, inheritance,
# UNLOGGED, exclusion / deferrable / NOT VALID constraints, partial /
# expression / INCLUDE / hash / NULLS NOT DISTINCT indexes, views over views,
# materialized views with indexes, SQL-standard and plpgsql functions,
# procedures, triggers (one disabled), event triggers, RLS and policies,
# publications, comments): the dump is deterministic, round-trips, agrees with
# pg_dump's object list; then a batch of changes made by hand is found by
# diff and repaired by diff --sql.
source "$DBW_TESTLIB"
need_pg
source "$DBW_SOURCE_DIR/tests/lib/schema_objects.sh"

fixture="$DBW_SOURCE_DIR/tests/fixtures/schema/kitchen_sink.sql"
proj="$T_DIR/proj"
mkdir -p "$proj"
printf '[env.a]\nurl = ${A_URL}\n\n[env.b]\nurl = ${B_URL}\n\n[env.c]\nurl = ${C_URL}\n' >"$proj/dbward.ini"
a=$(pg_newdb a)
b=$(pg_newdb b)
c=$(pg_newdb c)
export A_URL B_URL C_URL
A_URL=$(pg_url "$a")
B_URL=$(pg_url "$b")
C_URL=$(pg_url "$c")
D=("$DBWARD" -c "$proj/dbward.ini")
psql_q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon_kitchen')
	THEN CREATE ROLE anon_kitchen; END IF; END \$\$" >/dev/null
for db in "$a" "$b"; do
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fixture" >/dev/null 2>"$T_DIR/load.err" ||
		not_ok "fixture does not load: $(grep ERROR "$T_DIR/load.err")"
done

"${D[@]}" -e a schema dump >"$T_DIR/a1.sql"
"${D[@]}" -e a schema dump >"$T_DIR/a2.sql"
cmp -s "$T_DIR/a1.sql" "$T_DIR/a2.sql" && ok "dump twice byte-identical" || not_ok "dump differs between runs"
dump=$(cat "$T_DIR/a1.sql")
expect_in "$dump" "GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME app.users_id_seq)" "identity column with its sequence"
expect_in "$dump" "CREATE TABLE app.events_2025 PARTITION OF app.events" "partition"
expect_in "$dump" "PARTITION BY LIST (id)" "sub-partitioned partition"
expect_in "$dump" "INHERITS (app.base)" "inheritance"
expect_in "$dump" "CREATE INDEX events_payload ON app.events USING gin (payload);" "partitioned index without ONLY"
expect_in "$dump" "DEFERRABLE INITIALLY DEFERRED" "deferrable foreign key"
expect_in "$dump" "NOT VALID" "NOT VALID check"
expect_in "$dump" "ALTER TABLE app.orgs DISABLE TRIGGER orgs_touch_off;" "disabled trigger"
expect_in "$dump" "ALTER TABLE \"app\".\"users\" FORCE ROW LEVEL SECURITY;" "forced RLS"
expect_in "$dump" "CREATE EVENT TRIGGER app_on_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE')" "event trigger with tags"
expect_in "$dump" "COMMENT ON CONSTRAINT email_has_at ON DOMAIN app.email IS 'needs an at sign';" "domain constraint comment"
expect_in "$dump" "CREATE TYPE app.floatrange AS RANGE (subtype = double precision, subtype_diff = float8mi, multirange_type_name = app.floatmultirange);" "range type"
expect_in "$dump" "CREATE STATISTICS app.users_name_mood (ndistinct, dependencies) ON name, mood FROM app.users;" "extended statistics"
expect_in "$dump" "CREATE RULE scratch_no_delete AS" "rule"
expect_in "$dump" "REVOKE ALL ON SCHEMA app FROM PUBLIC;
GRANT USAGE ON SCHEMA app TO anon_kitchen WITH GRANT OPTION;" "schema privileges"
expect_in "$dump" "REVOKE ALL ON FUNCTION app.slugify(text) FROM PUBLIC;" "function privileges taken from PUBLIC"
expect_in "$dump" "GRANT INSERT, SELECT ON TABLE app.users TO anon_kitchen;" "table privileges"
expect_not_in "$dump" "dbward_migrations" "dbward's table left out"
expect_not_in "$dump" "_prisma_migrations" "Prisma's table left out"
expect_not_in "$dump" "citext_cmp" "extension members left out"
line_of() { grep -n "^$1" "$T_DIR/a1.sql" | head -1 | cut -d: -f1; }
if [ "$(line_of 'CREATE VIEW app.user_names')" -lt "$(line_of 'CREATE VIEW app.user_slugs')" ] &&
	[ "$(line_of 'CREATE MATERIALIZED VIEW app.user_counts')" -lt "$(line_of 'CREATE VIEW app.top_moods')" ]; then
	ok "views after the views they read"
else
	not_ok "view order"
fi

if psql -X -q -v ON_ERROR_STOP=1 -d "$c" -f "$T_DIR/a1.sql" >/dev/null 2>"$T_DIR/rt.err"; then
	ok "the dump loads into an empty database"
else
	not_ok "the dump does not load: $(grep ERROR "$T_DIR/rt.err")"
fi
"${D[@]}" -e c schema dump >"$T_DIR/c.sql"
cmp -s "$T_DIR/a1.sql" "$T_DIR/c.sql" && ok "round trip byte-identical" || {
	not_ok "round trip differs"
	diff "$T_DIR/a1.sql" "$T_DIR/c.sql" | head -20
}
run "${D[@]}" diff a c
expect_rc 0 "diff a c identical after the round trip"

"${D[@]}" -e a --json schema dump >"$T_DIR/a.json"
dbward_objects "$T_DIR/a.json" >"$T_DIR/a.dbw.txt"
pg_dump_objects "$a" >"$T_DIR/a.pg.txt"
expect_eq "$(comm -23 "$T_DIR/a.pg.txt" "$T_DIR/a.dbw.txt")" "" \
	"every one of pg_dump's $(wc -l <"$T_DIR/a.pg.txt") objects is in the model"

run "${D[@]}" diff a b
expect_rc 0 "a and b identical"

# A session search_path of its own must not change what is read.
psql_q "$a" "ALTER DATABASE $a SET search_path = app, public" >/dev/null
"${D[@]}" -e a schema dump >"$T_DIR/a_path.sql"
"${D[@]}" -e b schema dump >"$T_DIR/b.sql"
cmp -s "$T_DIR/a_path.sql" "$T_DIR/b.sql" && ok "search_path setting: dumps still byte-identical" ||
	not_ok "search_path setting changes the dump"
run "${D[@]}" diff a b
expect_rc 0 "search_path setting: diff still identical"
psql_q "$a" "ALTER DATABASE $a RESET search_path" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$b" >/dev/null <<'SQL'
ALTER TABLE app.users DISABLE ROW LEVEL SECURITY;
ALTER DOMAIN app.positive SET DEFAULT 2;
ALTER SEQUENCE app.ticket_seq NO CYCLE INCREMENT BY 1;
DROP POLICY users_read ON app.users;
CREATE POLICY users_read ON app.users FOR SELECT TO anon_kitchen USING (id > 5);
ALTER TABLE app.orgs ENABLE TRIGGER orgs_touch_off;
ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
COMMENT ON TABLE app.users IS 'humans';
COMMENT ON INDEX app.users_lower_name IS NULL;
ALTER TABLE app.scratch ALTER COLUMN k TYPE varchar(10);
ALTER TABLE app.bookings DROP CONSTRAINT bookings_room_during_excl;
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER PUBLICATION app_pub DROP TABLE app.orgs;
DROP STATISTICS app.users_name_mood;
CREATE STATISTICS app.users_name_mood (mcv) ON name, mood FROM app.users;
DROP RULE scratch_no_delete ON app.scratch;
REVOKE INSERT ON app.users FROM anon_kitchen;
GRANT EXECUTE ON FUNCTION app.slugify(text) TO PUBLIC;
GRANT SELECT ON app.user_names TO anon_kitchen;
SQL
run "${D[@]}" --json diff a b
expect_rc 5 "diff finds the batch"
expect_eq "$(printf '%s' "$OUT" | jq -r '[.differences[].object] | join(", ")')" \
	"enum app.mood, domain app.positive, sequence app.ticket_seq, table app.events_2026, table app.users, column app.scratch.k, constraint bookings_room_during_excl on app.bookings, constraint events_2026_pkey on app.events_2026, index events_2026_payload_idx on app.events_2026, statistics users_name_mood on app.users, trigger orgs_touch_off on app.orgs, rule scratch_no_delete on app.scratch, policy users_read on app.users, publication app_pub, privileges on function app.slugify(text), privileges on table app.user_names, privileges on table app.users, comment on index app.users_lower_name, comment on policy users_read on app.users, comment on rule scratch_no_delete on app.scratch, comment on statistics app.users_name_mood, comment on table app.users" \
	"diff names every changed object"
run "${D[@]}" diff a b --sql
printf '%s\n' "$OUT" >"$T_DIR/batch.sql"
expect_in "$OUT" "-- destructive: changes the column's type or collation; values are converted" "type change marked"
if psql -X -q -v ON_ERROR_STOP=1 -d "$a" -f "$T_DIR/batch.sql" >/dev/null 2>"$T_DIR/batch.err"; then
	ok "the DDL applies"
else
	not_ok "the DDL fails: $(grep ERROR "$T_DIR/batch.err")"
fi
run "${D[@]}" diff a b
expect_rc 0 "identical after the DDL"
unset A_URL B_URL C_URL
done_testing
