#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster: pg_virtualenv (from
# postgresql-common) creates it, exports PGHOST/PGPORT/PGUSER/PGPASSWORD and
# removes it afterwards. Works as root and as an ordinary user.
set -euo pipefail
if [ -n "${PGHOST:-}" ] && [ -n "${DBW_PG_READY:-}" ]; then
	exec "$@"
fi
if ! command -v pg_virtualenv >/dev/null; then
	echo "dbward: pg_virtualenv not found; hint: apt-get install postgresql-common postgresql-15" >&2
	exit 1
fi
export DBW_PG_READY=1
# As root, pg_virtualenv would create the system-wide cluster 15/regress, so
# two runs at once (CI and a developer, or parallel test sessions) collide.
# Its non-root mode keeps the cluster in a private temporary folder; it reads
# NONROOT from the environment and supports root there (it chowns the folder
# to postgres).
export NONROOT=1
# -s: keep the cluster's log on failure is noise; -o: settings for tests.
exec pg_virtualenv -v 15 -o 'max_connections=200' -o 'fsync=off' "$@"
