# new.sh - `dbward new NAME` in a fresh project (no config: db/migrations),
# in a Prisma project (detected prisma/migrations), and its usage errors.
source "$DBW_TESTLIB"

proj="$T_DIR/proj"
mkdir -p "$proj"
cd "$proj" || exit 1

run "$DBWARD" new "Add users"
expect_rc 0 "new in a project without config"
if [[ "$OUT" =~ ^db/migrations/[0-9]{14}_add_users\.sql$ ]]; then ok "prints the new path"; else not_ok "path: $OUT"; fi
[ -f "$OUT" ] && ok "file written" || not_ok "file written"
expect_eq "$(cat "$OUT")" "$(printf -- '-- migrate:up\n\n\n-- migrate:down')" "dbward sections"
first="$OUT"

run "$DBWARD" --json new second
expect_rc 0 "new --json"
expect_in "$OUT" '"path": "db/migrations/' "json path"
expect_eq "$(ls db/migrations | wc -l)" "2" "two migrations"
expect_eq "$(ls db/migrations | sort | head -1)" "$(basename "$first")" "the second sorts after the first"

run "$DBWARD" new '../--'
expect_rc 2 "name without letters"
expect_in "$ERR" 'error: invalid migration name "../--"' "error names the input"
expect_in "$ERR" 'hint: Name the change in words, e.g. dbward new add_users_table.' "hint"
expect_eq "$(ls db/migrations | wc -l)" "2" "nothing written"

run "$DBWARD" new
expect_rc 2 "missing NAME"
run "$DBWARD" new a b
expect_rc 2 "extra argument"
run "$DBWARD" new --bogus x
expect_rc 2 "bad option"
run "$DBWARD" new --help
expect_rc 0 "--help"
expect_in "$OUT" "usage: dbward new" "usage text"

# A Prisma project: the folder's format decides the layout.
prisma="$T_DIR/prisma"
mkdir -p "$prisma/prisma/migrations"
printf 'provider = "postgresql"\n' >"$prisma/prisma/migrations/migration_lock.toml"
cd "$prisma" || exit 1
run "$DBWARD" new init
expect_rc 0 "new in a Prisma project"
if [[ "$OUT" =~ ^prisma/migrations/[0-9]{14}_init/migration\.sql$ ]]; then ok "Prisma layout"; else not_ok "Prisma path: $OUT"; fi

done_testing
