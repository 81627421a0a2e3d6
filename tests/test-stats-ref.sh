#!/bin/sh
# test-stats-ref.sh - `llmlog --stats -o json` against a tally of the same
# files by a reference written from the documented rules (stats-ref.py):
# counts by level and category, malformed, foreign and out-of-range
# counts, every section's totals, outcomes, sums, averages, percentiles,
# names and their counts.  Over a simulator run with rotated backups and
# adversarial lines added (stats-corpus.py), and over the adversarial
# lines alone, filtered by category too.
set -u
srcdir=${srcdir:-.}
LLMLOG=${LLMLOG:-../tui/llmlog}
SIMULATE=${SIMULATE:-${top_builddir:-..}/examples/llmlog-simulate}
PYTHON3=${PYTHON3:-}
if [ -z "$PYTHON3" ] || ! "$PYTHON3" -c 'import json' 2>/dev/null; then
	echo "SKIP: no python3 (configure did not find one)"
	exit 77
fi
[ -x "$LLMLOG" ] || { echo "FAIL: $LLMLOG not built"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-stats-ref.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

# check NAME DIR [LLMLOG ARGS...]
check()
{
	name=$1
	dir=$2
	shift 2
	if ! "$LLMLOG" -d "$dir" --stats -o json "$@" >"$tmp/got.json" \
	    2>"$tmp/err"; then
		echo "FAIL: $name: llmlog --stats failed"
		head -n 5 "$tmp/err"
		failed=$((failed + 1))
		return
	fi
	if "$PYTHON3" "$srcdir/stats-ref.py" "$tmp/got.json" "$dir" "$@" \
	    >"$tmp/diff" 2>&1; then
		echo "ok: $name: $(sed -n 's/^  "total":\([0-9]*\),$/\1/p' \
		    "$tmp/got.json") entries, llmlog and the reference agree"
	else
		echo "FAIL: $name: llmlog and the reference differ:"
		head -n 30 "$tmp/diff"
		failed=$((failed + 1))
	fi
}

# corpus DIR SEED [--finite-sums]: adversarial lines, in a directory of
# our own making
corpus()
{
	mkdir -p "$1" && chmod 700 "$1" &&
	    "$PYTHON3" "$srcdir/stats-corpus.py" ${3:-} "$1" "$2" \
	    "$srcdir/data/jscan" && chmod 600 "$1"/*
}

corpus "$tmp/adversarial" 1 || exit 99
check "adversarial lines" "$tmp/adversarial"
corpus "$tmp/finite" 3 --finite-sums || exit 99
check "adversarial lines, finite sums" "$tmp/finite"
for c in user tool llm security performance; do
	check "adversarial lines, finite sums, -c $c" "$tmp/finite" -c "$c"
done

if [ -x "$SIMULATE" ]; then
	"$SIMULATE" --dir "$tmp/mixed" --seed 7 --entries 6000 --span 2h \
	    --start 2026-11-26T09:00:00Z --max-bytes 300K --backups 3 \
	    >/dev/null 2>&1 || { echo "FAIL: llmlog-simulate"; exit 1; }
	corpus "$tmp/mixed" 2 --finite-sums || exit 99
	check "a simulator run with adversarial lines" "$tmp/mixed"
else
	echo "SKIP: a simulator run ($SIMULATE not built)"
fi

[ "$failed" -eq 0 ]
