#!/usr/bin/env bash
# What protection costs (issue 3). On a PostgreSQL database of 200,000 rows
# (about 20 MB) and a SQLite file of the same rows:
#   guard    `dbward check status --env production`: connect, identity
#            (expect_database, same-database keys of every environment),
#            stamp read, policy, local audit line; floor: psql -c 'select 1'
#   backup   `dbward backup`: pg_dump -Fc + pg_restore --list + SHA-256 +
#            manifest; floor: the same pg_dump and pg_restore --list alone.
#            SQLite: online backup API + integrity_check + SHA-256; floor:
#            sqlite3 .backup followed by PRAGMA integrity_check
# Usage: DBWARD=build-rel/dbward scripts/with-postgres.sh bash bench/protect.sh
set -euo pipefail
: "${DBWARD:?}"
RUNS=${RUNS:-10}
work=$(mktemp -d /tmp/dbw-bench-protect.XXXXXX)
trap 'rm -rf "$work"; dropdb --if-exists bench_protect_prod >/dev/null 2>&1 || true' EXIT
cd "$work"
createdb bench_protect_prod
psql -XAtq -d bench_protect_prod -c "create table accounts (id bigint primary key, email text, balance numeric, note text);
	insert into accounts select g, 'user' || g || '@example.com', g * 1.5, repeat('x', 50) from generate_series(1, 200000) g" >/dev/null
sqlite3 "$work/app_prod.sqlite3" "create table accounts (id integer primary key, email text, balance real, note text);
	with recursive s(g) as (select 1 union all select g + 1 from s where g < 200000)
	insert into accounts select g, 'user' || g || '@example.com', g * 1.5, substr(hex(zeroblob(25)), 1, 50) from s"
host=${PGHOST:-localhost}
cat >dbward.ini <<INI
[env.production]
url = postgresql://${PGUSER}:${PGPASSWORD:-}@$host:${PGPORT:-5432}/bench_protect_prod
expect_database = *prod*
backup_dir = $work/backups
keep_backups = 2
[env.lite]
url = sqlite:$work/app_prod.sqlite3
protected = true
backup_dir = $work/lite-backups
keep_backups = 2
INI
"$DBWARD" stamp production -q
"$DBWARD" stamp lite -q
bin=/usr/lib/postgresql/$(psql -XAtqc 'show server_version_num' postgres | cut -c1-2)/bin
echo "database size: $(psql -XAtqc "select pg_size_pretty(pg_database_size('bench_protect_prod'))" postgres); sqlite file: $(du -h "$work/app_prod.sqlite3" | cut -f1)"
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown "$work/guard.md" \
	-n "psql select 1 (floor)" "psql -XAtqc 'select 1' bench_protect_prod" \
	-n "dbward check status (guard)" "$DBWARD check status --env production"
cat "$work/guard.md"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$work/backup.md" \
	-n "pg_dump -Fc + pg_restore --list (floor)" "$bin/pg_dump -Fc -f $work/floor.dump bench_protect_prod && $bin/pg_restore --list $work/floor.dump >/dev/null" \
	-n "dbward backup (PostgreSQL)" "$DBWARD backup --env production -q" \
	-n "sqlite3 .backup + integrity_check (floor)" "sqlite3 $work/app_prod.sqlite3 '.backup $work/floor.sqlite3' && sqlite3 $work/floor.sqlite3 'pragma integrity_check' >/dev/null" \
	-n "dbward backup (SQLite)" "$DBWARD backup --env lite -q"
cat "$work/backup.md"
