#!/usr/bin/env bash
# Runs CTest in each build folder given; fails if any run fails.
set -uo pipefail
status=0
for b in "$@"; do
	echo "== tests: $b"
	if [ -f "$b/CMakeCache.txt" ] && grep -q 'DBW_SANITIZE:BOOL=ON' "$b/CMakeCache.txt"; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	fi
	(cd "$b" && ctest --output-on-failure -j "${JOBS:-2}") || status=1
	unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
done
exit $status
