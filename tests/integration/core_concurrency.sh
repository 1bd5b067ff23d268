#!/usr/bin/env bash
# Eight deploys started at once against one database apply every migration
# exactly once, and each exits 0 or 8 (lock not acquired in time). A held
# deploy lock makes a deploy with --lock-timeout exit 8; a killed deploy
# leaves no stale lock behind.
source "$DBW_TESTLIB"

N=40
make_project() {
	local p="$T_DIR/$1" i v
	mkdir -p "$p/db/migrations"
	for i in $(seq 1 $N); do
		v=$(printf '202401010%05d' "$i")
		# Each migration logs itself: a second run would add a second row.
		printf 'CREATE TABLE t%d (id int);\nINSERT INTO applied_log VALUES (%d);\n' "$i" "$i" >"$p/db/migrations/${v}_t$i.sql"
	done
	printf 'CREATE TABLE applied_log (n int);\n' >"$p/db/migrations/20240100000000_log.sql"
	echo "$p"
}

race() { # ENGINE URL COUNT_SQL_RUNNER
	local engine=$1 p pids=() codes=() i bad=0
	p=$(make_project "$engine")
	cd "$p" || return
	export DATABASE_URL=$2
	for i in 1 2 3 4 5 6 7 8; do
		"$DBWARD" deploy >"$T_DIR/$engine.$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
		codes+=($?)
	done
	for c in "${codes[@]}"; do [ "$c" = 0 ] || [ "$c" = 8 ] || bad=1; done
	[ $bad = 0 ] && ok "$engine: 8 concurrent deploys exit 0 or 8 (${codes[*]})" ||
		{ not_ok "$engine: exit codes ${codes[*]}"; cat "$T_DIR/$engine".*.out | head -20; }
	for i in 1 2 3 4 5 6 7 8; do
		if grep -q "error" "$T_DIR/$engine.$i.out" && ! grep -q "lock" "$T_DIR/$engine.$i.out"; then
			not_ok "$engine: deploy $i printed an unexpected error"; cat "$T_DIR/$engine.$i.out"
		fi
	done
	expect_eq "$($3 "select count(*) || '/' || count(distinct n) from applied_log")" "$N/$N" "$engine: each migration ran exactly once"
	run "$DBWARD" status --exit-code
	expect_rc 0 "$engine: in sync afterwards"
	unset DATABASE_URL
	cd "$T_DIR" || return
}

sqlite_q() { sqlite3 "$T_DIR/race.sqlite3" "$1"; }
race sqlite "sqlite:$T_DIR/race.sqlite3" sqlite_q

if [ -n "${PGHOST:-}" ]; then
	db=$(pg_newdb race)
	pg_q() { psql_q "$db" "$1"; }
	race postgres "$(pg_url "$db")" pg_q

	# A deploy lock held elsewhere: --lock-timeout bounds the wait, exit 8.
	db2=$(pg_newdb locked)
	p=$(make_project locked)
	cd "$p"
	export DATABASE_URL=$(pg_url "$db2")
	psql -XAtq -d "$db2" -c "select pg_advisory_lock(110374072447588)" -c "select pg_sleep(8)" >/dev/null &
	holder=$!
	sleep 1
	run "$DBWARD" deploy --lock-timeout 1s
	expect_rc 8 "held deploy lock: exit 8"
	expect_in "$ERR" "lock" "held deploy lock: message says lock"
	expect_in "$ERR" "hint:" "held deploy lock: hint"
	expect_eq "$(psql_q "$db2" "select count(*) from pg_tables where tablename = 'applied_log'")" "0" "held deploy lock: nothing applied"
	kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

	# A deploy killed mid-migration leaves no stale lock: the server drops a
	# session's advisory locks when the session ends.
	mkdir -p "$T_DIR/slow/db/migrations" && cd "$T_DIR/slow"
	printf 'CREATE TABLE slow (id int);\nSELECT pg_sleep(2);\n' >db/migrations/20240101000000_slow.sql
	db3=$(pg_newdb killed)
	export DATABASE_URL=$(pg_url "$db3")
	"$DBWARD" deploy >/dev/null 2>&1 &
	victim=$!
	sleep 0.7
	kill -9 "$victim"; wait "$victim" 2>/dev/null
	run "$DBWARD" deploy --lock-timeout 20s
	expect_rc 0 "after a killed deploy: the next deploy gets the lock"
	expect_eq "$(psql_q "$db3" "select count(*) from dbward_migrations where status = 'applied'")" "1" "after a killed deploy: migration applied once"
fi
done_testing
