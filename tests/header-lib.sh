# header-lib.sh - sourced by test-header-c99.sh and test-header-cxx.sh:
# build a small program against llmlog.h as configure made it and the
# static library, as a program sees the installed ones, run it, and count
# the lines it wrote.  Skipped (77) without a static library (configure
# --disable-static) or json-c's pkg-config file.
set -u

top_builddir=${top_builddir:-..}
lib=$top_builddir/lib/.libs/libllmlog.a

skip()
{
	echo "SKIP: $*"
	exit 77
}
[ -f "$lib" ] || skip "no static library $lib"
libs=$(pkg-config --libs json-c 2>/dev/null) || skip "pkg-config knows no json-c"
cflags=$(pkg-config --cflags json-c)
# a library built with --enable-sanitizers needs their runtimes
san=
if nm "$lib" 2>/dev/null | grep -q __asan_; then
	san="-fsanitize=address,undefined"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-header.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# build_run COMPILER SOURCE [FLAGS...]: the program $tmp/SOURCE built with
# warnings as errors and run with its log directory as argument; it must
# write one line per category and one more metric (the timed scope).
build_run()
{
	compiler=$1 src=$2
	shift 2
	# shellcheck disable=SC2086
	if ! $compiler "$@" -Wall -Wextra -Werror $san -I"$top_builddir/lib" \
	    $cflags -o "$tmp/prog" "$tmp/$src" "$lib" $libs -lpthread -lm \
	    2>"$tmp/cc"; then
		echo "FAIL: $compiler $* does not build $src against llmlog.h:"
		head -20 "$tmp/cc"
		exit 1
	fi
	"$tmp/prog" "$tmp/logs" || { echo "FAIL: $src failed"; exit 1; }
	n=$(cat "$tmp/logs"/*.log | wc -l)
	[ "$n" -eq 7 ] || { echo "FAIL: $src wrote $n lines, not 7"; exit 1; }
	[ "$(wc -l <"$tmp/logs/performance.log")" -eq 2 ] ||
		{ echo "FAIL: $src: no timed scope in performance.log"; exit 1; }
}
