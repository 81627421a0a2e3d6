#!/bin/sh
# test-jscan.sh - the JSON scanner (tui/engine/jscan.h) against Python's
# json module: jscan-dump prints what the scanner makes of each document,
# jscan-ref.py what the reference does, and the two must be the same byte
# for byte.  Over: grammar cases, raw bytes, hand-written adversarial
# entries, multi-line documents, each also inside an entry line; every
# line of the engine's test data; a simulator run; random floats and
# short decimals; nesting around the 512-level limit.  With JSONTESTSUITE
# set to a directory of JSONTestSuite's test_parsing cases, those too.
set -u
srcdir=${srcdir:-.}
SIMULATE=${SIMULATE:-${top_builddir:-..}/examples/llmlog-simulate}
PYTHON3=${PYTHON3:-}
if [ -z "$PYTHON3" ] || ! "$PYTHON3" -c 'import json' 2>/dev/null; then
	echo "SKIP: no python3 (configure did not find one)"
	exit 77
fi
DUMP=./jscan-dump
[ -x "$DUMP" ] || { echo "FAIL: $DUMP not built"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-jscan.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
data=$srcdir/data/jscan
passed=0
failed=0

# compare NAME ARGS...: both programs over the same documents
compare()
{
	name=$1
	shift
	if ! "$DUMP" "$@" >"$tmp/scanner" 2>"$tmp/scanner.err"; then
		echo "FAIL: $name: jscan-dump failed"
		head -n 5 "$tmp/scanner.err"
		grep -m 5 'MISMATCH\|FAILED' "$tmp/scanner"
		failed=$((failed + 1))
		return
	fi
	if ! "$PYTHON3" "$srcdir/jscan-ref.py" "$@" >"$tmp/reference" \
	    2>"$tmp/reference.err"; then
		echo "FAIL: $name: jscan-ref.py failed"
		tail -n 5 "$tmp/reference.err"
		failed=$((failed + 1))
		return
	fi
	docs=$(grep -vc '^  ' "$tmp/reference")
	valid=$(grep -v '^  ' "$tmp/reference" | grep -vc ' malformed$')
	if cmp -s "$tmp/scanner" "$tmp/reference"; then
		echo "ok: $name: $docs documents ($valid valid), scanner and reference agree"
		passed=$((passed + 1))
	else
		echo "FAIL: $name: scanner and reference differ (- reference, + scanner):"
		diff "$tmp/reference" "$tmp/scanner" | head -n 30
		failed=$((failed + 1))
	fi
}

for f in grammar bytes adversarial; do
	compare "$f" "$data/$f"
	compare "$f, in entries" --wrap "$data/$f"
done
compare "documents" --whole "$data"/documents/*
compare "documents, in entries" --whole --wrap "$data"/documents/*

# every line of the engine's own test data
find "$srcdir/data" -type f ! -path "$data/*" | LC_ALL=C sort >"$tmp/corpora"
# shellcheck disable=SC2046
compare "engine test data ($(wc -l <"$tmp/corpora") files)" $(cat "$tmp/corpora")

if [ -x "$SIMULATE" ]; then
	"$SIMULATE" --dir "$tmp/sim" --seed 9 --entries 3000 --span 2h \
	    --start 2026-11-26T09:00:00Z >/dev/null 2>&1 ||
	    { echo "FAIL: llmlog-simulate"; failed=$((failed + 1)); }
	compare "a simulator run" "$tmp"/sim/*.log
else
	echo "SKIP: a simulator run ($SIMULATE not built)"
fi

# numbers Python writes, and short decimals for the exact fast path
"$PYTHON3" - "$tmp/numbers" <<'EOF'
import random
import sys
r = random.Random(8259)
with open(sys.argv[1], 'w') as f:
    for i in range(2000):
        x = r.random() * 10 ** r.randint(-25, 25)
        f.write('{"duration_ms":%s,"neg":%s}\n' % (repr(x), repr(-x)))
    for i in range(2000):
        digits = str(r.randint(1, 10 ** r.randint(1, 19)))
        cut = r.randint(0, len(digits))
        text = digits[:cut] + ('.' + digits[cut:] if cut < len(digits) else '')
        if text.startswith('.'):
            text = '0' + text
        text = text.lstrip('0') or '0'
        if text.startswith('.'):
            text = '0' + text
        exp = r.choice(['', 'e%d' % r.randint(-30, 30), 'E+%d' % r.randint(0, 40),
                        'e-%d' % r.randint(0, 330), 'e%d' % r.randint(290, 330)])
        f.write('{"x":%s%s}\n' % (text, exp))
EOF
compare "random numbers" "$tmp/numbers"
compare "random numbers, in entries" --wrap "$tmp/numbers"

# nesting: 512 levels are fine, 513 are not, nor is a million-byte run
"$PYTHON3" - "$tmp/deep" <<'EOF'
import sys
with open(sys.argv[1], 'w') as f:
    for d in (511, 512, 513):
        f.write('[' * d + ']' * d + '\n')
        f.write('{"a":' * d + '1' + '}' * d + '\n')
        f.write('[{"a":' * (d // 2) + ('[]' if d % 2 else '1') + '}]' * (d // 2)
                + '\n')
        f.write('[' * d + '"s"' + ']' * d + '\n')
    f.write('[' * 100000 + '\n')
    f.write('[' * 100000 + ']' * 100000 + '\n')
    f.write('{"a":' * 100000 + '\n')
EOF
compare "nesting" "$tmp/deep"
compare "nesting, in entries" --wrap "$tmp/deep"

if [ -n "${JSONTESTSUITE:-}" ]; then
	if [ -d "$JSONTESTSUITE" ]; then
		compare "JSONTestSuite" --whole "$JSONTESTSUITE"/[yni]_*.json
		compare "JSONTestSuite, in entries" --whole --wrap \
		    "$JSONTESTSUITE"/[yni]_*.json
	else
		echo "FAIL: JSONTESTSUITE=$JSONTESTSUITE is not a directory"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
