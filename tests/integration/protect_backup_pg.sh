#!/usr/bin/env bash
# Verified backups before deploy (issue 3, "Done means"), on real
# PostgreSQL: deploy to production takes a backup that restores into a
# scratch database identical to the source (pg_dump output and rows);
# deploy refuses, changing nothing, when backup_dir is not writable or
# pg_dump fails; a missing or wrong-major pg_dump names the package;
# --skip-backup needs a reason and is audited; keep_backups prunes.
source "$DBW_TESTLIB"
need_pg

PROD=$(pg_newdb prod) && SCRATCH=$(pg_newdb scratch)
psql_q "$PROD" "create table customers (id int primary key, email text, joined date);
	insert into customers select g, 'c' || g || '@example.com', date '2024-01-01' + g from generate_series(1, 500) g;
	create view recent as select * from customers where joined > date '2024-06-01';
	create sequence invoice_no start 1000; select nextval('invoice_no')" >/dev/null
user_sum() {
	local db=$1 t out=""
	for t in $(psql_q "$db" "select format('%I.%I', schemaname, tablename) from pg_tables
		where schemaname not in ('pg_catalog','information_schema') and tablename not like 'dbward\_%' order by 1"); do
		out+="$t:$(psql_q "$db" "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from $t x")\n"
	done
	printf "%b" "$out" | sha256sum | cut -d' ' -f1
}
schema_of() { pg_schema -T 'dbward_*' "$1"; }

P="$T_DIR/proj"
mkdir -p "$P/db/migrations" && cd "$P"
printf -- '-- migrate:up\nALTER TABLE customers ADD COLUMN phone text;\n' >db/migrations/20240101000000_phone.sql
write_ini() { # BACKUP_DIR [EXTRA LINE]
	# customers and recent predate the migrations: the shadow database that
	# the drift check replays into needs them too (shadow_setup).
	cat >dbward.ini <<INI
[project]
shadow_setup = shadow_setup.sql
[env.production]
url = $(pg_url "$PROD")
backup_dir = $1
${2:-}
[env.scratch]
url = $(pg_url "$SCRATCH")
INI
}

cat >shadow_setup.sql <<'SQL'
create table customers (id int primary key, email text, joined date);
create view recent as select * from customers where joined > date '2024-06-01';
create sequence invoice_no start 1000;
SQL
SCHEMA0=$(schema_of "$PROD")
SUM0=$(user_sum "$PROD")

# Refusals first: nothing may change.
write_ini /dev/null/backups
run "$DBWARD" deploy --env production
expect_rc 3 "backup_dir not writable"
expect_in "$ERR" "dbward: refused: cannot deploy to production without a verified backup" "unwritable: message"
expect_in "$ERR" "/dev/null/backups" "unwritable: detail names the folder"
expect_in "$ERR" "hint: Make backup_dir writable" "unwritable: hint"

FAKE="$T_DIR/fakebin"
mkdir -p "$FAKE"
cat >"$FAKE/pg_dump" <<SH
#!/bin/sh
[ "\$1" = --version ] && { echo "pg_dump (PostgreSQL) 15.99"; exit 0; }
echo "\$@" >"$T_DIR/pg_dump.argv"
echo "\$PGDATABASE \${PGPASSWORD:+password-set}" >"$T_DIR/pg_dump.env"
echo "pg_dump: error: simulated failure: disk quota exceeded" >&2
exit 1
SH
chmod +x "$FAKE/pg_dump"
ln -s /usr/lib/postgresql/15/bin/pg_restore "$FAKE/pg_restore"
write_ini "$T_DIR/backups" "pg_bindir = $FAKE"
run "$DBWARD" deploy --env production
expect_rc 3 "pg_dump fails"
expect_in "$ERR" "cannot deploy to production without a verified backup" "pg_dump fails: message"
expect_in "$ERR" "simulated failure: disk quota exceeded" "pg_dump fails: its stderr in the detail"
[ -z "$(ls -A "$T_DIR/backups" 2>/dev/null)" ] && ok "pg_dump fails: no partial file left" || not_ok "pg_dump fails: files left: $(ls "$T_DIR/backups")"
expect_eq "$(cat "$T_DIR/pg_dump.env")" "$PROD password-set" "pg_dump got the database and password through its environment"
expect_in "$(cat "$T_DIR/pg_dump.argv")" "--format=custom --file" "pg_dump argv: format and file only"
expect_not_in "$(cat "$T_DIR/pg_dump.argv")" "$(pg_url "$PROD")" "pg_dump argv: no URL"
if [ -n "${PGPASSWORD:-}" ]; then expect_not_in "$(cat "$T_DIR/pg_dump.argv")" "$PGPASSWORD" "pg_dump argv: no password"; fi

run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.operation == "deploy" and .outcome == "refused" and (.detail | startswith("cannot deploy to production without a verified backup")))] | length')" "2" "refused deploys audited with the reason"
expect_eq "$(schema_of "$PROD")" "$SCHEMA0" "refused deploys: schema unchanged"
expect_eq "$(user_sum "$PROD")" "$SUM0" "refused deploys: data unchanged"

# The right tool, or the package to install.
printf '#!/bin/sh\necho "pg_dump (PostgreSQL) 14.10"\n' >"$FAKE/pg_dump"
run "$DBWARD" backup --env production
expect_rc 1 "wrong-major pg_dump"
expect_in "$ERR" "dbward: error: pg_dump at \"$FAKE/pg_dump\" is not for PostgreSQL 15" "wrong major: message"
expect_in "$ERR" "hint: Install the Debian package postgresql-client-15" "wrong major: hint names the package"
rm "$FAKE/pg_dump"
run "$DBWARD" backup --env production
expect_rc 1 "missing pg_dump"
expect_in "$ERR" "dbward: error: pg_dump for PostgreSQL 15 not found" "missing: message"
expect_in "$ERR" "hint: Install the Debian package postgresql-client-15 (apt-get install postgresql-client-15)" "missing: hint"

# --skip-backup needs a reason.
write_ini "$T_DIR/backups"
run "$DBWARD" deploy --env production --skip-backup
expect_rc 3 "--skip-backup without --reason"
expect_in "$ERR" "--skip-backup on production needs --reason" "skip without reason: message"
expect_eq "$(user_sum "$PROD")" "$SUM0" "skip without reason: data unchanged"

# The real deploy: a verified backup first, then the migration, then the stamp.
run "$DBWARD" deploy --env production
expect_rc 0 "deploy to production"
expect_eq "$(psql_q "$PROD" "select count(*) from information_schema.columns where table_name = 'customers' and column_name = 'phone'")" "1" "deploy applied the migration"
expect_eq "$(psql_q "$PROD" "select environment from dbward_environment")" "production" "first deploy stamped the database"
FILE=$(ls "$T_DIR"/backups/*.dump)
[ -f "$FILE" ] && ok "one backup file" || not_ok "backup files: $(ls "$T_DIR/backups")"
M="$FILE.json"
expect_eq "$(jq -r '.environment + " " + .engine + " " + (.verified|tostring) + " " + .verify_method' "$M")" \
	"production postgresql true pg_restore --list" "manifest: environment, engine, verified"
expect_eq "$(jq -r .sha256 "$M")" "$(sha256sum "$FILE" | cut -d' ' -f1)" "manifest: SHA-256 of the file"
expect_eq "$(jq -r .size "$M")" "$(stat -c %s "$FILE")" "manifest: size"
[ "$(stat -c %a "$FILE")" = 600 ] && ok "backup file is private (0600)" || not_ok "backup mode $(stat -c %a "$FILE")"
run "$DBWARD" backups --env production --json
expect_eq "$(printf '%s' "$OUT" | jq -r '.backups | length')" "1" "backups lists it"

# It restores into a scratch database identical to the source before the deploy.
run "$DBWARD" restore "$FILE" --env scratch
expect_rc 0 "restore into scratch"
expect_eq "$(schema_of "$SCRATCH")" "$SCHEMA0" "restored schema identical to the source (pg_dump)"
expect_eq "$(user_sum "$SCRATCH")" "$SUM0" "restored rows identical to the source"
expect_eq "$(psql_q "$SCRATCH" "select last_value from invoice_no")" "1000" "restored sequence position"

# A tampered backup is refused.
cp "$FILE" "$T_DIR/keep.dump"
printf 'x' >>"$FILE"
run "$DBWARD" restore "$FILE" --env scratch
expect_rc 2 "tampered backup"
expect_in "$ERR" "does not match its checksum" "tampered: message"
cp "$T_DIR/keep.dump" "$FILE"

# --skip-backup with a reason: audited.
printf -- '-- migrate:up\nCREATE TABLE notes (id int);\n' >db/migrations/20240102000000_notes.sql
run "$DBWARD" deploy --env production --skip-backup --reason "provider snapshot at 04:00"
expect_rc 0 "deploy with --skip-backup --reason"
expect_eq "$(ls "$T_DIR"/backups/*.dump | wc -l)" "1" "skip: no new backup"
expect_eq "$(psql_q "$PROD" "select count(*) from dbward_audit where operation = 'skip-backup' and detail = 'provider snapshot at 04:00'")" "1" "skip: reason in dbward_audit"
run "$DBWARD" audit --json
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.operation == "skip-backup")] | length')" "1" "skip: reason in the local log"
expect_eq "$(printf '%s' "$OUT" | jq '[.entries[] | select(.operation == "deploy" and .outcome == "succeeded")] | length')" "2" "both deploys audited as succeeded"

# Retention: keep_backups = 2 keeps the newest two verified backups.
write_ini "$T_DIR/backups" "keep_backups = 2"
for i in 1 2 3; do run "$DBWARD" backup --env production; done
expect_rc 0 "three more backups"
expect_eq "$(ls "$T_DIR"/backups/*.dump | wc -l)" "2" "keep_backups = 2: two left"
expect_eq "$(ls "$T_DIR"/backups/*.json | wc -l)" "2" "keep_backups = 2: their manifests left"
[ ! -e "$FILE" ] && ok "the oldest backup was removed" || not_ok "oldest backup still there"

done_testing
