#!/usr/bin/env bash
# Writes docs/dbward.1 from the binary's own help texts, so the man page and
# `dbward help` cannot disagree. tests/integration/core_manpage.sh checks
# that the committed page is current. Usage: scripts/manpage.sh build/dbward
set -euo pipefail
bin=${1:-build/dbward}
out=${2:-docs/dbward.1}
version=$("$bin" version | cut -d' ' -f2)
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/" -e 's/^-/\\-/'; }
{
	echo ".TH DBWARD 1 \"\" \"dbward $version\" \"User Commands\""
	echo ".SH NAME"
	echo "dbward \\- keep a team's databases apart and apply SQL migrations safely"
	echo ".SH SYNOPSIS"
	echo ".B dbward"
	echo "[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]"
	echo ".SH DESCRIPTION"
	echo "dbward resolves which database each environment (development, test, staging,"
	echo "production) uses and proves it on every connection, applies versioned SQL"
	echo "migrations with a history table, checksums, a deploy lock and one transaction per"
	echo "migration, and refuses destructive work in protected environments. PostgreSQL is"
	echo "reached through libpq; SQLite is the embedded default."
	echo ".SH GLOBAL OPTIONS"
	echo ".nf"
	"$bin" --help | sed -n '/^Global options/,/^Commands:/p' | sed '1d;$d' | esc
	echo ".fi"
	echo ".SH COMMANDS"
	"$bin" help | sed -n '/^Commands:/,/^$/p' | sed '1d' | awk 'NF {print $1}' | while read -r cmd; do
		echo ".SS $cmd"
		echo ".nf"
		"$bin" help "$cmd" | esc
		echo ".fi"
	done
	echo ".SH EXIT STATUS"
	echo ".nf"
	echo "0  ok"
	echo "1  runtime error (connection, SQL, I/O)"
	echo "2  usage or configuration error"
	echo "3  refused by policy"
	echo "4  pending migrations (with --exit-code)"
	echo "5  drift or schema difference"
	echo "6  history problem (failed, modified, missing migration; broken dbward.sum)"
	echo "7  lint errors"
	echo "8  lock not acquired in time"
	echo ".fi"
	echo ".SH ENVIRONMENT"
	echo "DATABASE_ENV, NODE_ENV (the environment); DATABASE_URL, DEV_DATABASE_URL,"
	echo "TEST_DATABASE_URL, STAGING_DATABASE_URL (URLs without a config file); the libpq"
	echo "PG* variables; NO_COLOR. Dotenv files: .env, .env.local, .env.<env>, .env.<env>.local."
	echo ".SH FILES"
	echo "dbward.ini (found by walking up from the working directory), db/migrations/, db/seeds/."
	echo ".SH SEE ALSO"
	echo "psql(1), pg_dump(1), sqlite3(1)"
} >"$out"
