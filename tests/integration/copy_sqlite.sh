#!/usr/bin/env bash
# Copies for local development: SQLite to SQLite (prepared inserts in one
# transaction, AUTOINCREMENT counters carried over) and PostgreSQL to SQLite.
source "$DBW_TESTLIB"

cd "$T_DIR"
export DBWARD_SANITIZE_KEY=sqlite-test-key-0123456789abcdef
schema="create table users (id integer primary key autoincrement, email text not null unique, phone text, avatar blob);
create table orders (id integer primary key, user_email text not null references users (email), total real);"
sqlite3 src.sqlite3 "$schema
insert into users (email, phone, avatar) values ('canary.carol@example.com', '+33 1 23 45 67 89', x'00ff10'),
  ('canary.dan@example.com', '+49 30 1234567', null);
insert into users (email) values ('gone@example.com'); delete from users where email = 'gone@example.com';
insert into orders (user_email, total) values ('canary.carol@example.com', 12.5), ('canary.dan@example.com', 3.25);"
sqlite3 dst.sqlite3 "$schema
insert into users (email) values ('old@dev.test');"
cat >dbward.ini <<EOF
[env.production]
url = sqlite:$T_DIR/src.sqlite3
protected = true

[env.development]
url = sqlite:$T_DIR/dst.sqlite3
EOF
printf '[users]\nemail = hash_email\nphone = fake_phone\n[orders]\nuser_email = hash_email\n' >sanitize.ini

src_sum=$(sqlite_checksum src.sqlite3)
run "$DBWARD" copy --from production --to development
expect_rc 0 "SQLite to SQLite"
expect_eq "$(sqlite_checksum src.sqlite3)" "$src_sum" "source file unchanged"
dump=$(sqlite3 dst.sqlite3 .dump)
for canary in canary.carol canary.dan "23 45 67" "1234567" old@dev.test; do
	expect_not_in "$dump" "$canary" "\"$canary\" absent from the target"
done
expect_eq "$(sqlite3 dst.sqlite3 "select count(*) from orders o join users u on u.email = o.user_email")" "2" "join on the hashed email holds"
expect_eq "$(sqlite3 dst.sqlite3 "select hex(avatar), typeof(avatar) from users where id = 1")" "00FF10|blob" "BLOB copied as a BLOB"
expect_eq "$(sqlite3 dst.sqlite3 "select seq from sqlite_sequence where name = 'users'")" "3" "AUTOINCREMENT counter follows the source"

run "$DBWARD" copy --from development --to production
expect_rc 3 "copy into production refused"
expect_in "$ERR" 'dbward: refused: cannot copy into protected environment "production"' "refusal message"
expect_eq "$(sqlite_checksum src.sqlite3)" "$src_sum" "production file unchanged"

if [ -n "${PGHOST:-}" ] && psql -XAtqc 'select 1' postgres >/dev/null 2>&1; then
	pg=$(pg_newdb src)
	psql_q "$pg" "create table users (id serial primary key, email text not null unique, phone text, avatar bytea);
	create table orders (id serial primary key, user_email text not null references users (email), total numeric);
	insert into users (email, phone) values ('canary.erin@example.com', E'+1 415 555 0199'), ('canary.fay@example.com', null);
	insert into orders (user_email, total) values ('canary.erin@example.com', 10), ('canary.fay@example.com', 20);"
	cat >>dbward.ini <<EOF

[env.staging]
url = $(pg_url "$pg")
EOF
	run "$DBWARD" copy --from staging --to development
	expect_rc 0 "PostgreSQL to SQLite"
	dump=$(sqlite3 dst.sqlite3 .dump)
	expect_not_in "$dump" "canary.erin" "PostgreSQL canary absent from the SQLite target"
	expect_not_in "$dump" "0199" "PostgreSQL phone absent from the SQLite target"
	expect_eq "$(sqlite3 dst.sqlite3 "select count(*) from orders o join users u on u.email = o.user_email")" "2" "join holds after PostgreSQL to SQLite"
	expect_eq "$(sqlite3 dst.sqlite3 "select sum(total) from orders")" "30.0" "numbers arrive as numbers (REAL column)"
	# And back: SQLite into PostgreSQL through COPY (BLOB -> bytea).
	run "$DBWARD" copy --from production --to staging
	expect_rc 0 "SQLite to PostgreSQL"
	expect_eq "$(psql_q "$pg" "select count(*) from orders o join users u on u.email = o.user_email")" "2" "join holds in PostgreSQL"
	expect_eq "$(psql_q "$pg" "select encode(avatar, 'hex') from users where id = 1")" "00ff10" "BLOB arrives as bytea"
	expect_eq "$(psql_q "$pg" "select count(*) from users where email like 'canary%'")" "0" "SQLite canaries absent from PostgreSQL"
fi

done_testing
