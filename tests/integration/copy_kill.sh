#!/usr/bin/env bash
# A copy killed with SIGKILL while rows stream into the target leaves the
# target exactly as it was: every change (TRUNCATE, rows, setval) is in one
# transaction that never commits. The same holds for a copy that fails on a
# row halfway (a CHECK constraint only the target has).
source "$DBW_TESTLIB"
need_pg

src=$(pg_newdb src)
dst=$(pg_newdb dst)
schema="create table accounts (id bigserial primary key, email text not null unique, balance int, pad text);
create table events (id bigserial primary key, account_id bigint references accounts (id), kind text, payload text);"
psql_q "$src" "$schema"
psql_q "$dst" "$schema"
# Big enough that streaming takes seconds: 1.5 M events of ~150 bytes.
psql_q "$src" "insert into accounts (email, balance, pad) select 'user' || g || '@example.com', g, repeat('p', 50) from generate_series(1, 100000) g;
insert into events (account_id, kind, payload) select 1 + g % 100000, 'login', md5(g::text) || repeat('x', 100) from generate_series(1, 1500000) g;
analyze;"
psql_q "$dst" "insert into accounts (email, balance) values ('keep.me@staging.test', 7);
insert into events (account_id, kind) values (1, 'staging-only');"

cd "$T_DIR"
cat >dbward.ini <<EOF
[env.production]
url = $(pg_url "$src")
protected = true

[env.staging]
url = $(pg_url "$dst")
EOF
printf '[accounts]\nemail = hash_email\n' >sanitize.ini
export DBWARD_SANITIZE_KEY=kill-test-key-0123456789abcdef

before=$(pg_data_checksum "$dst")
seq_before=$(psql_q "$dst" "select last_value from events_id_seq")

"$DBWARD" copy --from production --to staging >"$T_DIR/kill.out" 2>&1 &
pid=$!
# Wait until the target has taken a good part of the events, then kill.
seen=0
for _ in $(seq 1 600); do
	n=$(psql_q "$dst" "select coalesce(max(tuples_processed), 0) from pg_stat_progress_copy p
		join pg_class c on c.oid = p.relid where p.datname = current_database() and c.relname = 'events'")
	if [ "${n:-0}" -gt 200000 ]; then seen=$n; break; fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$seen" -gt 0 ] && [ "$rc" -eq 137 ]; then
	ok "copy killed halfway ($seen event rows already sent)"
else
	not_ok "could not kill the copy halfway (rows seen $seen, exit $rc)"; cat "$T_DIR/kill.out"
fi
# The server notices the dead client and rolls back; wait for its backend to go.
for _ in $(seq 1 100); do
	[ "$(psql_q "$dst" "select count(*) from pg_stat_activity where datname = current_database()
		and pid <> pg_backend_pid() and backend_type = 'client backend'")" = 0 ] && break
	sleep 0.1
done
expect_eq "$(pg_data_checksum "$dst")" "$before" "target unchanged after SIGKILL (checksum of all rows)"
expect_eq "$(psql_q "$dst" "select last_value from events_id_seq")" "$seq_before" "target sequence unchanged"
expect_eq "$(psql_q "$dst" "select email from accounts")" "keep.me@staging.test" "target rows still there"

# A row the target refuses halfway through: the whole copy rolls back.
psql_q "$dst" "alter table events add constraint no_late_rows check (id < 1000000)"
before=$(pg_data_checksum "$dst")
run "$DBWARD" copy --from production --to staging
expect_rc 1 "copy failing on a row halfway"
expect_in "$ERR" 'violates check constraint "no_late_rows"' "the server's reason is shown"
expect_in "$ERR" 'copying table "public.events"' "the table is named"
expect_eq "$(pg_data_checksum "$dst")" "$before" "target unchanged after a failed copy"

# A unique index only the target has is built after the load and fails
# there: the copy rolls back, and the index is still in place.
psql_q "$dst" "alter table events drop constraint no_late_rows; create unique index events_kind_key on events (kind)"
before=$(pg_data_checksum "$dst")
run "$DBWARD" copy --from production --to staging
expect_rc 1 "copy failing on a rebuilt unique index"
expect_in "$ERR" 'could not create unique index "events_kind_key"' "the server's reason is shown"
expect_eq "$(pg_data_checksum "$dst")" "$before" "target unchanged after the failed index build"
expect_eq "$(psql_q "$dst" "select count(*) from pg_indexes where indexname = 'events_kind_key'")" "1" "the index is still there"

done_testing
