# lint_mangled.sh - `dbward lint` on mangled corpus files (cut short, bytes
# replaced, runs repeated, random bytes, NUL bytes) with both parsers: never a
# crash or a sanitizer report, only exit 0 (clean), 7 (findings) or 1 (a file
# that cannot be read as text). Deterministic (fixed seed). Found the NUL byte
# overread fixed in lint.c.
source "$DBW_TESTLIB"

cd "$T_DIR" || exit 1
python3 - "$CORPUS" <<'PY'
import glob, os, random, sys
random.seed(7)
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.sql"), recursive=True))
for i in range(120):
    b = bytearray(open(random.choice(files), "rb").read() or b"x")
    op = i % 5
    if op == 0:
        b = b[:random.randrange(len(b))]
    elif op == 1:
        for _ in range(20):
            b[random.randrange(len(b))] = random.choice(b"();,'\"$-*/ \nabcXYZ0123\xff")
    elif op == 2:
        p = random.randrange(len(b))
        b = b[:p] + b[p:p + 200] * 3 + b[p:]
    elif op == 3:
        b = bytearray(random.randrange(256) for _ in range(random.randrange(1, 300)))
    else:
        b[random.randrange(len(b))] = 0
    open("m%03d.sql" % i, "wb").write(bytes(b))
PY
bad=0
for f in m*.sql; do
	for d in postgres sqlite; do
		"$DBWARD" lint --dialect "$d" "$f" >/dev/null 2>"$f.$d.err"
		rc=$?
		if { [ $rc -ne 0 ] && [ $rc -ne 7 ] && [ $rc -ne 1 ]; } || grep -q "Sanitizer\|runtime error" "$f.$d.err"; then
			bad=$((bad + 1))
			echo "# $f ($d): exit $rc"
			head -5 "$f.$d.err"
		fi
	done
done
expect_eq "$bad" "0" "120 mangled files, two parsers: no crash"

# a mangled dbward.sum: exit 0 or 6, never a crash
mkdir -p proj/db/migrations && cd proj || exit 1
for i in 1 2 3; do printf -- '-- migrate:up\nCREATE TABLE t%d (id int);\n' "$i" >"db/migrations/2024010${i}000000_t$i.sql"; done
"$DBWARD" sum >/dev/null
python3 - db/migrations/dbward.sum <<'PY'
import random, sys
random.seed(3)
orig = open(sys.argv[1], "rb").read()
for i in range(40):
    b = bytearray(orig)
    op = i % 4
    if op == 0:
        b = b[:random.randrange(len(b))]
    elif op == 1:
        for _ in range(10):
            b[random.randrange(len(b))] = random.choice(b" \n\t<=>abc0")
    elif op == 2:
        b = b.replace(b"\n", b"\n<<<<<<< x\n", 1) + b
    else:
        b = bytearray(random.randrange(256) for _ in range(random.randrange(1, 200)))
    open("sum%02d" % i, "wb").write(bytes(b))
PY
bad=0
for f in sum*; do
	cp "$f" db/migrations/dbward.sum
	"$DBWARD" sum --check >/dev/null 2>"$f.err"
	rc=$?
	if { [ $rc -ne 0 ] && [ $rc -ne 6 ]; } || grep -q "Sanitizer\|runtime error" "$f.err"; then
		bad=$((bad + 1))
		echo "# $f: exit $rc"
		head -5 "$f.err"
	fi
done
expect_eq "$bad" "0" "40 mangled dbward.sum files: exit 0 or 6, no crash"
done_testing
