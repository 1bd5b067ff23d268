#!/usr/bin/env bash
# make bench: every bench/*.sh in turn, under the throwaway PostgreSQL
# cluster that scripts/with-postgres.sh provides. Arg: the dbward binary.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DBWARD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b")"
	bash "$b" || status=1
done
exit $status
