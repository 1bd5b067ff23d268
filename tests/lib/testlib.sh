# testlib.sh - shared helpers for integration tests (sourced by tests/integration/*.sh).
#
# The real binary is $DBWARD (CTest sets it). PostgreSQL tests call need_pg,
# which skips (exit 77) unless a throwaway cluster's PG* variables are set
# (make check runs CTest under pg_virtualenv). Each test makes its own
# databases with pg_newdb, so tests can run in parallel.
set -uo pipefail

: "${DBWARD:?DBWARD must point at the dbward binary}"
: "${DBW_SOURCE_DIR:?}"
CORPUS=${DBW_CORPUS:-$DBW_SOURCE_DIR/../shared/corpus}
T_FAILS=0
T_PASSES=0
T_NAME=$(basename "$0" .sh)
T_DIR=$(mktemp -d "/tmp/dbw-$T_NAME.XXXXXX")
T_DBS=()
export NO_COLOR=1
unset DATABASE_URL DATABASE_ENV NODE_ENV DEV_DATABASE_URL TEST_DATABASE_URL STAGING_DATABASE_URL DIRECT_URL

t_cleanup() {
	local db
	for db in "${T_DBS[@]}"; do
		dropdb --if-exists --force "$db" >/dev/null 2>&1 || true
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# Skip unless a PostgreSQL cluster is reachable.
need_pg() {
	if [ -z "${PGHOST:-}" ] || ! psql -XAtqc 'select 1' postgres >/dev/null 2>&1; then
		echo "SKIP: no PostgreSQL cluster (run under scripts/with-postgres.sh)"
		exit 77
	fi
}

# pg_newdb NAME_HINT -> creates a fresh database, prints its name.
pg_newdb() {
	local name="t_${T_NAME//[^a-zA-Z0-9_]/_}_${1:-db}_$$_$RANDOM"
	name=${name:0:63}
	createdb -T template0 "$name" >/dev/null || { echo "could not create $name" >&2; return 1; }
	T_DBS+=("$name")
	echo "$name"
}

# pg_url DBNAME -> a postgres:// URL for the cluster.
pg_url() {
	local host=${PGHOST:-localhost}
	case "$host" in /*) echo "postgresql://${PGUSER}:${PGPASSWORD:-}@/$1?host=$host&port=${PGPORT:-5432}";;
	*) echo "postgresql://${PGUSER}:${PGPASSWORD:-}@$host:${PGPORT:-5432}/$1";; esac
}

# psql_q DBNAME SQL -> unaligned, tuples-only output.
psql_q() {
	psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# pg_data_checksum DBNAME -> one hash over every row of every user table, but
# dbward_audit: a refusal on a protected environment is meant to add a row there.
pg_data_checksum() {
	local db=$1 t out=""
	for t in $(psql_q "$db" "select format('%I.%I', schemaname, tablename) from pg_tables
		where schemaname not in ('pg_catalog','information_schema') and tablename <> 'dbward_audit'
		order by 1"); do
		out+="$t:$(psql_q "$db" "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from $t x")\n"
	done
	printf "%b" "$out" | sha256sum | cut -d' ' -f1
}

# pg_schema [PG_DUMP_ARGS] DBNAME -> pg_dump --schema-only, stable: no comments, no SET
# noise, and no \restrict lines (pg_dump 15.14+ writes a random key there).
pg_schema() {
	pg_dump --schema-only --no-owner --no-privileges "$@" |
		grep -vE '^(--|SET |SELECT pg_catalog.set_config|\\restrict |\\unrestrict )' | sed '/^$/d'
}

# sqlite_checksum FILE -> hash of a full .dump.
sqlite_checksum() {
	sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1
}

# run CMD... -> runs it, keeps stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	OUT=$("$@" 2>"$T_DIR/.stderr")
	RC=$?
	ERR=$(cat "$T_DIR/.stderr")
}

ok() { T_PASSES=$((T_PASSES + 1)); echo "ok - $*"; }
not_ok() { T_FAILS=$((T_FAILS + 1)); echo "not ok - $*"; echo "  stdout: ${OUT:-}" | head -20; echo "  stderr: ${ERR:-}" | head -20; }

# expect_rc N DESCRIPTION -> checks $RC.
expect_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2: expected exit $1, got $RC"; fi
}

# expect_in HAYSTACK NEEDLE DESCRIPTION
expect_in() {
	if grep -qF -- "$2" <<<"$1"; then ok "$3"; else not_ok "$3: missing \"$2\""; fi
}

# expect_not_in HAYSTACK NEEDLE DESCRIPTION
expect_not_in() {
	if grep -qF -- "$2" <<<"$1"; then not_ok "$3: unexpected \"$2\""; else ok "$3"; fi
}

# expect_eq A B DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: \"$1\" != \"$2\""; fi
}

# Call last: prints the plain summary line CI reads and exits non-zero on failure.
done_testing() {
	echo "$T_PASSES passed, $T_FAILS failed"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}
