#!/usr/bin/env bash
# A 50-table source in two schemas (foreign-key chains, a partitioned table,
# a self reference) with 1 M rows in its largest table copies correctly: row
# counts match for every table and checksums of the kept columns match.
source "$DBW_TESTLIB"
need_pg

src=$(pg_newdb src)
dst=$(pg_newdb dst)
schema="create schema billing;
create table big (id bigint primary key, email text not null, full_name text, amount numeric(12,2),
  created_at timestamptz, tags text[], body text);
create table parts (id int, region text, note text) partition by list (region);
create table parts_eu partition of parts for values in ('eu');
create table parts_us partition of parts for values in ('us');
create table tree (id int primary key, parent int references tree (id), label text);
create unique index big_email_key on big (email);
create index big_amount_partial on big (amount) where amount > 1000;
create index big_lower_name on big (lower(full_name));"
# 47 more tables: t01..t23 in public, b24..b47 in billing, each referencing the one before.
prev=""
for i in $(seq -w 1 47); do
	if [ "$i" -le 23 ]; then t="public.t$i"; else t="billing.b$i"; fi
	ref=""; [ -n "$prev" ] && ref=", prev_id int references $prev (id)"
	schema+="
create table $t (id int primary key, label text, qty int$ref);"
	prev=$t
done
psql_q "$src" "$schema"
psql_q "$dst" "$schema"
n_tables=$(psql_q "$src" "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
	where c.relkind in ('r', 'p') and not c.relispartition and n.nspname in ('public', 'billing')")
expect_eq "$n_tables" "50" "the source has 50 tables (a partitioned one counted once)"

data="insert into big select g, 'user' || g || '@example.com', 'Name ' || g, g * 1.25,
  timestamptz '2024-01-01' + g * interval '1 minute', array['a' || g % 7, E'b\\\\' || g % 3],
  case when g % 1000 = 0 then null else E'multi\nline\ttext ' || g end from generate_series(1, 1000000) g;
insert into parts select g, case when g % 2 = 0 then 'eu' else 'us' end, 'n' || g from generate_series(1, 5000) g;
insert into tree values (1, null, 'root'); insert into tree select g, g / 2, 'node' || g from generate_series(2, 3000) g;"
prev=""
for i in $(seq -w 1 47); do
	if [ "$i" -le 23 ]; then t="public.t$i"; else t="billing.b$i"; fi
	if [ -n "$prev" ]; then
		data+="insert into $t select g, 'label ' || g, g % 13, g from generate_series(1, 500) g;"
	else
		data+="insert into $t select g, 'label ' || g, g % 13 from generate_series(1, 500) g;"
	fi
	prev=$t
done
psql_q "$src" "$data"
psql_q "$src" "analyze"

cd "$T_DIR"
cat >dbward.ini <<EOF
[env.production]
url = $(pg_url "$src")
protected = true

[env.staging]
url = $(pg_url "$dst")
EOF
cat >sanitize.ini <<'EOF'
[big]
email = hash_email
full_name = fake_name
[tree]
label = keep
EOF
export DBWARD_SANITIZE_KEY=many-tables-key-0123456789abcdef

run "$DBWARD" --json copy --from production --to staging
expect_rc 0 "copy of 50 tables"
expect_in "$OUT" '"rows": 1000000' "1 M rows reported for big"

bad=0
for t in $(psql_q "$src" "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname in ('public', 'billing') order by 1"); do
	a=$(psql_q "$src" "select count(*) from $t")
	b=$(psql_q "$dst" "select count(*) from $t")
	[ "$a" = "$b" ] || { bad=1; echo "# $t: $a rows in the source, $b in the target"; }
done
[ $bad = 0 ] && ok "row counts match for every table" || not_ok "row counts differ"

kept="select md5(string_agg(id || '|' || amount || '|' || created_at || '|' || tags::text || '|' || coalesce(body, '<null>'), ',' order by id)) from big"
expect_eq "$(psql_q "$dst" "$kept")" "$(psql_q "$src" "$kept")" "kept columns of big match (checksum)"
expect_eq "$(psql_q "$dst" "select count(*) from big where email like 'user%'")" "0" "no source email left in big"
for t in parts tree public.t01 public.t23 billing.b24 billing.b47; do
	q="select md5(string_agg(x::text, ',' order by x::text)) from $t x"
	expect_eq "$(psql_q "$dst" "$q")" "$(psql_q "$src" "$q")" "$t copied exactly"
done
expect_eq "$(psql_q "$dst" "select count(*) from parts_eu")" "2500" "partitioned rows routed to their partitions"
# big's plain indexes were dropped for the load and built again (copy_index.c).
idx="select string_agg(indexdef, E'\n' order by indexname) from pg_indexes where tablename = 'big'"
expect_eq "$(psql_q "$dst" "$idx")" "$(psql_q "$src" "$idx")" "big's indexes rebuilt with their definitions"
expect_eq "$(psql_q "$dst" "select bool_and(indisvalid) from pg_index where indrelid = 'big'::regclass")" "t" "rebuilt indexes valid"

done_testing
