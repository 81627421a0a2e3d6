#!/bin/sh
# test-man-example.sh - the EXAMPLES program of libllmlog(3), as the page
# prints it, builds against the static library and writes what the page
# says it writes: one line per category.  Skipped (77) without groff to
# print the page, a static library (configure --disable-static), json-c's
# pkg-config file or a compiler.
set -u

srcdir=${srcdir:-.}
top_builddir=${top_builddir:-..}
CC=${CC:-cc}
page=$srcdir/../man/libllmlog.3
lib=$top_builddir/lib/.libs/libllmlog.a

skip()
{
	echo "SKIP: $*"
	exit 77
}
command -v groff >/dev/null 2>&1 || skip "groff not installed"
[ -f "$lib" ] || skip "no static library $lib"
libs=$(pkg-config --libs json-c 2>/dev/null) || skip "pkg-config knows no json-c"
cflags=$(pkg-config --cflags json-c)
# CC may carry options ("gcc -std=gnu11"): only its first word is looked up
command -v "${CC%% *}" >/dev/null 2>&1 || skip "no compiler $CC"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-man-example.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

groff -man -Tutf8 -P-cbou "$page" 2>/dev/null |
    sed -n '/^ *#include <stdio.h>/,/^           }$/p' |
    sed 's/^           //; s,/tmp/demo-logs,'"$tmp/logs"',' >"$tmp/demo.c"
[ -s "$tmp/demo.c" ] || { echo "FAIL: no EXAMPLES program found in libllmlog(3)"; exit 1; }
# a library built with --enable-sanitizers needs their runtimes
san=
if nm "$lib" 2>/dev/null | grep -q __asan_; then
	san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2086
# the header configure made, alone, as a program sees the installed one
if ! $CC $san -I"$top_builddir/lib" $cflags -o "$tmp/demo" "$tmp/demo.c" \
    "$lib" $libs -lpthread -lm 2>"$tmp/cc"; then
	echo "FAIL: the EXAMPLES program does not build: $(head -5 "$tmp/cc")"
	exit 1
fi
"$tmp/demo" || { echo "FAIL: the EXAMPLES program failed"; exit 1; }
n=$(cat "$tmp/logs"/*.log | wc -l)
[ "$n" -eq 6 ] || { echo "FAIL: the EXAMPLES program wrote $n lines, not 6"; exit 1; }
grep -q '"resource":"/etc/passwd"' "$tmp/logs/security.log" ||
	{ echo "FAIL: no denied /etc/passwd in security.log"; exit 1; }
echo "ok: the EXAMPLES program builds and writes one line per category"
