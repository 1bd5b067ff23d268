#!/bin/bash
# folder_load.sh - time dbw_migrations_load (bench/folder_load.c) on 1,000
# generated dbward migrations and on the corpus folders, with a Release build
# of libdbward. usage: bench/folder_load.sh  (from the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${DBW_CORPUS:-$root/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$root" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/build" --target dbward_static >/dev/null
cc -O2 -I"$root/include" "$root/bench/folder_load.c" "$tmp/build/libdbward.a" \
	$(pkg-config --libs libcrypto) -o "$tmp/folder_load"
mkdir "$tmp/m"
for i in $(seq 1 1000); do
	printf -- '-- migrate:up\nCREATE TABLE t%d (id int);\n-- migrate:down\nDROP TABLE t%d;\n' "$i" "$i" \
		>"$tmp/m/$(printf '%014d' "$i")_t$i.sql"
done
echo "generated 1,000 dbward migrations: $("$tmp/folder_load" "$tmp/m" 51)"
echo "documenso (Prisma): $("$tmp/folder_load" "$corpus/documenso__documenso/packages/prisma/migrations" 51)"
echo "harbor (golang-migrate): $("$tmp/folder_load" "$corpus/goharbor__harbor/make/migrations/postgresql" 51)"
