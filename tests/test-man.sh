#!/bin/sh
# test-man.sh - libllmlog(3) and llmlog(5) render without a groff warning,
# and the EXAMPLES program of libllmlog(3) builds against the library and
# writes what the page says it writes.
set -u

srcdir=${srcdir:-.}
top_builddir=${top_builddir:-..}
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

for page in libllmlog.3 llmlog.5; do
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

# the example program, as the page prints it
lib=$top_builddir/lib/.libs/libllmlog.a
cflags=$(pkg-config --cflags json-c 2>/dev/null)
libs=$(pkg-config --libs json-c 2>/dev/null)
if [ ! -f "$lib" ] || [ -z "$libs" ] || ! command -v "${CC:-cc}" >/dev/null 2>&1; then
	echo "static library, json-c or compiler missing: example not built"
else
	groff -man -Tutf8 -P-cbou "$man/libllmlog.3" 2>/dev/null |
	    sed -n '/^ *#include <stdio.h>/,/^           }$/p' |
	    sed 's/^           //; s,/tmp/demo-logs,'"$tmp/logs"',' >"$tmp/demo.c"
	# a library built with --enable-sanitizers needs their runtimes
	san=
	if nm "$lib" 2>/dev/null | grep -q __asan_; then
		san="-fsanitize=address,undefined"
	fi
	# shellcheck disable=SC2086
	if ! "${CC:-cc}" $san -I"$srcdir/../lib" $cflags -o "$tmp/demo" "$tmp/demo.c" \
	    "$lib" $libs -lpthread -lm 2>"$tmp/cc"; then
		fail "the EXAMPLES program does not build: $(head -5 "$tmp/cc")"
	elif ! "$tmp/demo"; then
		fail "the EXAMPLES program failed"
	else
		n=$(cat "$tmp/logs"/*.log | wc -l)
		[ "$n" -eq 6 ] || fail "the EXAMPLES program wrote $n lines, not 6"
		grep -q '"resource":"/etc/passwd"' "$tmp/logs/security.log" ||
			fail "no denied /etc/passwd in security.log"
		echo "ok: the EXAMPLES program builds and writes one line per category"
	fi
fi

[ $failures -eq 0 ] || exit 1
exit 0
