#!/usr/bin/env bash
# The target must be at the source's migration version: behind -> refused
# with exit 4 unless --deploy deploys the missing migrations first; a history
# that differs otherwise -> refused with exit 5 and the difference named.
# dbward's own history tables are never copied.
source "$DBW_TESTLIB"
need_pg

src=$(pg_newdb src)
dst=$(pg_newdb dst)
cd "$T_DIR"
mkdir -p db/migrations
cat >dbward.ini <<EOF
[env.source]
url = $(pg_url "$src")

[env.staging]
url = $(pg_url "$dst")
EOF
printf -- '-- migrate:up\ncreate table users (id serial primary key, email text not null unique);\n' >db/migrations/20240101000001_users.sql
printf -- '-- migrate:up\ncreate table notes (id serial primary key, user_id int references users (id), body text);\n' >db/migrations/20240101000002_notes.sql
printf -- '-- migrate:up\nalter table users add column plan text;\n' >db/migrations/20240101000003_plan.sql
printf '[users]\nemail = hash_email\n' >sanitize.ini
export DBWARD_SANITIZE_KEY=schema-test-key-0123456789abcdef

run "$DBWARD" -e source deploy
expect_rc 0 "source deployed"
run "$DBWARD" -e staging deploy --to 20240101000002
expect_rc 0 "staging deployed up to the second migration"
psql_q "$src" "insert into users (email, plan) values ('a@example.com', 'pro'), ('b@example.com', 'free');
insert into notes (user_id, body) values (1, 'hello'), (2, 'world');"
psql_q "$dst" "insert into users (email) values ('old@staging.test');"
before=$(pg_data_checksum "$dst")

run "$DBWARD" copy --from source --to staging
expect_rc 4 "target behind: refused"
expect_in "$ERR" "dbward: error: target is behind the source's migration version" "behind message"
expect_in "$ERR" "detail: The target lacks 1 migration the source has applied (source at 20240101000003, target at 20240101000002)." "behind detail"
expect_in "$ERR" "hint: Run the copy with --deploy" "behind hint"
expect_eq "$(pg_data_checksum "$dst")" "$before" "target untouched"

run "$DBWARD" copy --from source --to staging --deploy
expect_rc 0 "--deploy deploys, then copies"
expect_in "$ERR" "deployed 1 migration to staging" "deploy is reported"
expect_eq "$(psql_q "$dst" "select count(*) from dbward_migrations where status = 'applied'")" "3" "target now has every migration"
expect_eq "$(psql_q "$dst" "select count(*) || ':' || string_agg(plan, ',' order by id) from users")" "2:pro,free" "rows copied into the new column"
expect_eq "$(psql_q "$dst" "select count(*) from notes n join users u on u.id = n.user_id")" "2" "notes copied"
expect_eq "$(psql_q "$dst" "select string_agg(version, ',' order by version) from dbward_migrations")" \
	"20240101000001,20240101000002,20240101000003" "the target's own history is kept, not copied over"

run "$DBWARD" copy --from source --to staging
expect_rc 0 "same version: copies without --deploy"

printf -- '-- migrate:up\ncreate table extra (id int);\n' >db/migrations/20240101000004_extra.sql
run "$DBWARD" -e staging deploy
expect_rc 0 "staging gets a migration the source lacks"
before=$(pg_data_checksum "$dst")
run "$DBWARD" copy --from source --to staging --deploy
expect_rc 5 "target ahead: histories differ"
expect_in "$ERR" "dbward: error: target's migration history differs from the source's" "differs message"
expect_in "$ERR" "detail: The target has 20240101000004, which the source has not applied." "differs detail"
expect_eq "$(pg_data_checksum "$dst")" "$before" "target untouched"

done_testing
