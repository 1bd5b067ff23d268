#!/usr/bin/env bash
# Makes sure the Debian packages dbward builds, tests and demos with are here.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails. Usage: scripts/deps.sh [build|test|bench]
set -euo pipefail
what=${1:-test}
pkgs=(build-essential cmake pkg-config libpq-dev libsqlite3-dev libpg-query-dev libjansson-dev
      libssl-dev libinih-dev sqlite3)
case "$what" in
test|bench) pkgs+=(libcmocka-dev postgresql-15 postgresql-client-15 postgresql-common valgrind git jq) ;;
esac
[ "$what" = bench ] && pkgs+=(hyperfine)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "dbward: missing Debian packages: ${missing[*]}" >&2
	echo "hint: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "dbward: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
