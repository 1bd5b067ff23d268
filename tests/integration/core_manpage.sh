#!/usr/bin/env bash
# The committed man page is what scripts/manpage.sh makes from this binary:
# every command is in it, with its current help text.
source "$DBW_TESTLIB"
bash "$DBW_SOURCE_DIR/scripts/manpage.sh" "$DBWARD" "$T_DIR/dbward.1"
if diff -q "$T_DIR/dbward.1" "$DBW_SOURCE_DIR/docs/dbward.1" >/dev/null; then
	ok "docs/dbward.1 is current"
else
	not_ok "docs/dbward.1 is stale: run scripts/manpage.sh build/dbward"
	diff "$T_DIR/dbward.1" "$DBW_SOURCE_DIR/docs/dbward.1" | head -20
fi
for cmd in $("$DBWARD" help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
	grep -q "^\.SS $cmd\$" "$DBW_SOURCE_DIR/docs/dbward.1" && ok "man page has $cmd" || not_ok "man page lacks $cmd"
done
done_testing
