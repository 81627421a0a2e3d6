#!/bin/sh
# test-man.sh - libllmlog(3) and llmlog(5) render without a groff warning
# and fit in 80 columns; llmlog(1)'s ENVIRONMENT names each variable the
# explorer reads.  The EXAMPLES program of libllmlog(3) is
# test-man-example.sh's.
set -u

srcdir=${srcdir:-.}
man=$srcdir/../man
command -v groff >/dev/null 2>&1 || { echo "SKIP: groff not installed"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-man.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0

fail()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

for page in libllmlog.3 llmlog.5 llmlog.py.3; do
	groff -t -man -Tutf8 -ww -z "$man/$page" >"$tmp/warn" 2>&1
	if [ -s "$tmp/warn" ]; then
		fail "$page: $(cat "$tmp/warn")"
	else
		echo "ok: $page renders cleanly"
	fi
	# one byte per character (UTF-8 continuation bytes dropped) to count
	groff -t -man -Tutf8 -P-cbou -rLL=80n "$man/$page" 2>/dev/null |
	    LC_ALL=C sed 's/[\x80-\xbf]//g' |
	    awk -v p="$page" 'length($0) > 80 {
		print "FAIL: " p ": line wider than 80 columns: " $0; bad = 1 }
		END { exit bad }' || failures=$((failures + 1))
done

# every variable the explorer reads has a tag of its own in llmlog(1)'s
# ENVIRONMENT, not words run into another's paragraph
groff -t -man -Tutf8 -P-cbou -rLL=80n "$man/llmlog.1" 2>/dev/null |
    awk '/^ENVIRONMENT/ { on = 1; next } on && /^[A-Z]/ { exit } on' \
    >"$tmp/env"
for v in $(grep -rhoE --include='*.c' 'getenv\("[A-Z_]+"\)' "$srcdir/../tui" |
    sed 's/.*"\(.*\)".*/\1/' | sort -u); do
	grep -qE "^       ([A-Z_]+, )*$v(,|\$| )" "$tmp/env" ||
	    fail "llmlog.1: ENVIRONMENT has no tag for $v"
done

[ $failures -eq 0 ] || exit 1
exit 0
