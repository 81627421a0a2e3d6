#!/bin/sh
# test-version.sh - the version is written once, in AC_INIT of configure.ac.
# llmlog.h is made from it by configure; the man pages are written by hand,
# so their .TH lines are checked against it here.
: "${srcdir:=.}"
: "${top_builddir:=..}"
fail=0

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$top_builddir/config.h")
[ -n "$version" ] ||
	{ echo "FAIL: no PACKAGE_VERSION in $top_builddir/config.h"; exit 1; }

header=$(sed -n 's/^#define LLMLOG_VERSION "\(.*\)"$/\1/p' \
    "$top_builddir/lib/llmlog.h")
if [ "$header" = "$version" ]; then
	echo "ok: llmlog.h says $version"
else
	echo "FAIL: llmlog.h says LLMLOG_VERSION \"$header\", configure.ac $version"
	fail=1
fi

pages=0
for page in "$srcdir"/../man/*.[135]; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))
	th=$(grep -m 1 '^\.TH ' "$page")
	case $th in
	*"\"llmlog $version\""*)
		echo "ok: $(basename "$page") says llmlog $version" ;;
	*)
		echo "FAIL: $(basename "$page"): '$th' does not say \"llmlog $version\" as configure.ac does: change its .TH line"
		fail=1 ;;
	esac
done
[ $pages -gt 0 ] || { echo "FAIL: no man pages in $srcdir/../man"; fail=1; }
exit $fail
