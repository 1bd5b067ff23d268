#!/usr/bin/env bash
# valgrind finds no leak and no invalid access on the main paths of the core
# commands (init, new, deploy, status, env --explain, a failing deploy), on
# SQLite and, when a cluster is there, PostgreSQL. (The ASan build covers the
# rest of the suite; this guards the release binary too.)
source "$DBW_TESTLIB"
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
# valgrind and AddressSanitizer do not mix: the ASan build checks leaks itself.
[ -z "${ASAN_OPTIONS:-}" ] || { echo "SKIP: ASan build"; exit 77; }

vg() { # DESC ARGS...
	local desc=$1
	shift
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q \
		"$DBWARD" "$@" >/dev/null 2>"$T_DIR/vg.err"
	local rc=$?
	if [ $rc = 99 ] || grep -qE 'definitely lost|indirectly lost|Invalid (read|write)' "$T_DIR/vg.err"; then
		not_ok "valgrind: $desc"; head -30 "$T_DIR/vg.err"
	else
		ok "valgrind: $desc (exit $rc)"
	fi
}

cd "$T_DIR"
vg "init" init
printf -- '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n' >db/migrations/20240101000000_a.sql
vg "new" new add_b
check_paths() {
	vg "$1: deploy --dry-run" deploy --dry-run
	vg "$1: deploy" deploy
	vg "$1: status --json" --json status
	vg "$1: env --explain" env --explain
	printf 'CREATE TABLE c (id int,, x int);\n' >db/migrations/20990101000000_c.sql
	vg "$1: failing deploy" deploy
	rm db/migrations/20990101000000_c.sql
}
check_paths sqlite
if [ -n "${PGHOST:-}" ]; then
	db=$(pg_newdb vg)
	export DATABASE_URL=$(pg_url "$db")
	check_paths postgres
fi
done_testing
