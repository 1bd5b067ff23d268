#!/usr/bin/env bash
# One change by hand at a time, on documenso's history (plus one migration
# that adds a view): `diff` names exactly that change, `verify` reports it as
# drift, and the DDL `diff --sql` prints, applied to the other database,
# makes `diff` say identical again. Changes accumulate in database b; a
# follows through the generated SQL.
source "$DBW_TESTLIB"
need_pg

src="$CORPUS/documenso__documenso/packages/prisma/migrations"
migs="$T_DIR/migrations"
mkdir -p "$migs"
for d in "$src"/*/; do ln -s "$d" "$migs/$(basename "$d")"; done
cp "$src/migration_lock.toml" "$migs/"
mkdir "$migs/29990101000000_recent_documents_view"
cat >"$migs/29990101000000_recent_documents_view/migration.sql" <<'SQL'
CREATE VIEW recent_envelopes AS SELECT id, title, "createdAt" FROM "Envelope" WHERE "deletedAt" IS NULL;
SQL
proj="$T_DIR/proj"
mkdir -p "$proj"
printf '[project]\nmigrations = %s\nformat = prisma\n\n[env.a]\nurl = ${A_URL}\n\n[env.b]\nurl = ${B_URL}\n' "$migs" >"$proj/dbward.ini"
a=$(pg_newdb a)
b=$(pg_newdb b)
export A_URL B_URL
A_URL=$(pg_url "$a")
B_URL=$(pg_url "$b")
D=("$DBWARD" -c "$proj/dbward.ini")

run "${D[@]}" -e a deploy
expect_rc 0 "deploy to a"
run "${D[@]}" -e b deploy
expect_rc 0 "deploy to b"
run "${D[@]}" diff a b
expect_rc 0 "identical after deploy"
run "${D[@]}" -e b verify
expect_rc 0 "verify b before any change"
expect_in "$OUT" "drift: none (164 migrations replayed in a shadow database)" "verify replays all"

n=0
# change DESCRIPTION SQL OBJECT_LABEL EXPECTED_TEXT
change() {
	local what=$1 sql=$2 label=$3 text=$4
	n=$((n + 1))
	psql_q "$b" "$sql" >/dev/null || { not_ok "$what: could not apply the change"; return; }
	run "${D[@]}" diff a b
	expect_rc 5 "$what: diff finds it"
	expect_in "$OUT" "$text" "$what: diff says $text"
	expect_in "$OUT" "1 difference between a and b" "$what: exactly one difference"
	run "${D[@]}" --json diff a b
	expect_eq "$(printf '%s' "$OUT" | jq -r '[.differences[].object] | join(",")')" "$label" "$what: --json names $label"
	run "${D[@]}" -e b verify
	expect_rc 5 "$what: verify exits 5"
	expect_in "$OUT" "drift: $n difference" "$what: verify counts $n drifted objects"
	expect_in "$OUT" "$label" "$what: verify names $label"
	run "${D[@]}" --json -e b verify
	expect_eq "$(printf '%s' "$OUT" | jq -r '.drift.differences | map(.object) | index("'"$label"'") != null')" "true" \
		"$what: verify --json lists $label"
	run "${D[@]}" diff a b --sql
	expect_rc 5 "$what: diff --sql exits 5"
	printf '%s\n' "$OUT" >"$T_DIR/change$n.sql"
	if psql -X -q -v ON_ERROR_STOP=1 -d "$a" -f "$T_DIR/change$n.sql" >/dev/null 2>"$T_DIR/change$n.err"; then
		ok "$what: the DDL applies to a"
	else
		not_ok "$what: the DDL fails on a: $(cat "$T_DIR/change$n.err")"
	fi
	run "${D[@]}" diff a b
	expect_rc 0 "$what: identical after applying the DDL"
}

change "add a column" 'ALTER TABLE "User" ADD COLUMN nickname text' \
	"column public.User.nickname" "column public.User.nickname: only in b"
change "drop an index" 'DROP INDEX "Envelope_createdAt_idx"' \
	"index Envelope_createdAt_idx on public.Envelope" "index Envelope_createdAt_idx on public.Envelope: only in a"
change "change a default" 'ALTER TABLE "BackgroundJob" ALTER COLUMN "maxRetries" SET DEFAULT 5' \
	"column public.BackgroundJob.maxRetries" "default: 3 in a, 5 in b"
change "alter a view" 'CREATE OR REPLACE VIEW recent_envelopes AS SELECT id, title, "createdAt" FROM "Envelope" WHERE "deletedAt" IS NULL AND title <> $$$$' \
	"view public.recent_envelopes" "view public.recent_envelopes: differs"
change "replace a function body" "CREATE OR REPLACE FUNCTION generate_id() RETURNS text LANGUAGE plpgsql AS \$f\$ BEGIN RETURN nanoid(20, 'abcdef'); END; \$f\$" \
	"function public.generate_id()" "+ AS \$function\$ BEGIN RETURN nanoid(20, 'abcdef'); END; \$function\$"
change "add a check constraint" 'ALTER TABLE "Envelope" ADD CONSTRAINT title_not_empty CHECK (title <> $$$$)' \
	"constraint title_not_empty on public.Envelope" "constraint title_not_empty on public.Envelope: only in b"
change "add an enum value" "ALTER TYPE \"Role\" ADD VALUE 'GUEST'" \
	"enum public.Role" "values: 'ADMIN', 'USER' in a, 'ADMIN', 'USER', 'GUEST' in b"

# Destructive statements are marked.
psql_q "$b" 'ALTER TABLE "User" DROP COLUMN nickname' >/dev/null
run "${D[@]}" diff a b --sql
expect_in "$OUT" "-- destructive: drops the column and its values" "a dropped column is marked destructive"
expect_in "$OUT" 'ALTER TABLE "public"."User" DROP COLUMN "nickname";' "and dropped"
run "${D[@]}" diff a --migrations
expect_rc 5 "diff --migrations finds the drift in a"
run "${D[@]}" diff b --migrations
expect_in "$OUT" "enum public.Role: differs" "diff b --migrations names the enum"

# verify --against: the second environment's differences join the report.
run "${D[@]}" -e b verify --against a --no-drift
expect_rc 5 "verify --against: exit 5"
expect_in "$OUT" "drift: not checked (--no-drift)" "verify --no-drift skips the shadow"
expect_in "$OUT" "against a: 1 difference" "verify --against counts"
expect_in "$OUT" "column public.User.nickname: only in a" "verify --against names it"
run "${D[@]}" --json -e b verify --against a --no-drift
expect_eq "$(printf '%s' "$OUT" | jq -r '[.ok, .exit_status, .against.environment, (.against.differences | length)] | join(" ")')" \
	"false 5 a 1" "verify --json: ok, exit_status, against"

run psql -XAtqc "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbward\\_shadow\\_%'" postgres
expect_eq "$OUT" "0" "no shadow database left behind"
done_testing
