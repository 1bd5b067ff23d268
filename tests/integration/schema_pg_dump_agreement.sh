#!/usr/bin/env bash
# Agreement with pg_dump on real schema dumps: openstreetmap's structure.sql
# and supabase's schema dumps, each loaded into a database, then every
# object `pg_dump --schema-only` lists (pg_restore -l on a custom-format
# dump) must be in dbward's model; the dbward dump round-trips as well.
# A plain PostgreSQL 15 lacks some extensions these dumps name (PostGIS;
# Supabase's pgsodium, pg_graphql, pgjwt, supabase_vault): the test leaves
# those statements out when the server lacks them, and says so.
source "$DBW_TESTLIB"
need_pg
source "$DBW_SOURCE_DIR/tests/lib/schema_objects.sh"

available() {
	[ "$(psql_q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'")" = 1 ]
}

# Supabase's dumps name its roles: a real user creates them first.
for r in supabase_admin supabase_functions_admin supabase_auth_admin supabase_storage_admin \
	authenticator anon authenticated service_role dashboard_user pgbouncer; do
	psql_q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$r')
		THEN CREATE ROLE $r; END IF; END \$\$" >/dev/null
done

proj="$T_DIR/proj"
mkdir -p "$proj"
printf '[env.a]\nurl = ${A_URL}\n\n[env.c]\nurl = ${C_URL}\n' >"$proj/dbward.ini"
export A_URL C_URL

# agree NAME SQL_FILE
agree() {
	local name=$1 file=$2 a c missing
	a=$(pg_newdb "${name}_a")
	c=$(pg_newdb "${name}_c")
	A_URL=$(pg_url "$a")
	C_URL=$(pg_url "$c")
	psql -X -q -d "$a" -f "$file" >/dev/null 2>"$T_DIR/$name.load.err"
	grep -E 'ERROR' "$T_DIR/$name.load.err" | sed 's/^/# load: /'
	run "$DBWARD" -c "$proj/dbward.ini" -e a --json schema dump
	expect_rc 0 "$name: schema dump --json"
	printf '%s' "$OUT" >"$T_DIR/$name.json"
	dbward_objects "$T_DIR/$name.json" >"$T_DIR/$name.dbw.txt"
	pg_dump_objects "$a" >"$T_DIR/$name.pg.txt"
	missing=$(comm -23 "$T_DIR/$name.pg.txt" "$T_DIR/$name.dbw.txt")
	expect_eq "$missing" "" "$name: every one of pg_dump's $(wc -l <"$T_DIR/$name.pg.txt") objects is in the model"
	[ "$(wc -l <"$T_DIR/$name.pg.txt")" -gt 20 ] && ok "$name: pg_dump lists a real schema" || not_ok "$name: too few objects loaded"

	"$DBWARD" -c "$proj/dbward.ini" -e a schema dump >"$T_DIR/$name.1.sql"
	if psql -X -q -v ON_ERROR_STOP=1 -d "$c" -f "$T_DIR/$name.1.sql" >/dev/null 2>"$T_DIR/$name.rt.err"; then
		ok "$name: the dbward dump loads into an empty database"
	else
		not_ok "$name: the dbward dump does not load: $(grep -v NOTICE "$T_DIR/$name.rt.err" | head -3)"
	fi
	"$DBWARD" -c "$proj/dbward.ini" -e c schema dump >"$T_DIR/$name.2.sql"
	if cmp -s "$T_DIR/$name.1.sql" "$T_DIR/$name.2.sql"; then ok "$name: round trip byte-identical"; else
		not_ok "$name: round trip differs"; diff "$T_DIR/$name.1.sql" "$T_DIR/$name.2.sql" | head -20; fi
}

osm="$CORPUS/openstreetmap__openstreetmap-website/db/structure.sql"
if available postgis; then
	cp "$osm" "$T_DIR/osm.sql"
else
	echo "# postgis is not available: moderation_zones.zone is loaded as bytea"
	sed -E '/CREATE EXTENSION IF NOT EXISTS postgis /d; /COMMENT ON EXTENSION postgis /d;
		s/public\.geometry\(Polygon,4326\)/bytea/' "$osm" >"$T_DIR/osm.sql"
fi
agree openstreetmap "$T_DIR/osm.sql"

for f in "$CORPUS"/supabase__postgres/migrations/schema*.sql; do
	n=$(basename "$f" .sql)
	cp "$f" "$T_DIR/$n.sql"
	for ext in pgsodium pg_graphql pgjwt supabase_vault; do
		if ! available "$ext"; then
			echo "# $ext is not available: left out of $n"
			sed -i -E "/CREATE EXTENSION IF NOT EXISTS $ext /d; /COMMENT ON EXTENSION $ext /d" "$T_DIR/$n.sql"
		fi
	done
	agree "supabase_$n" "$T_DIR/$n.sql"
done
unset A_URL C_URL
done_testing
