#!/bin/sh
# Runs one Python test file with unittest, under the interpreter configure
# named (PYTHON3), against the module in the build tree: PYTHONPATH holds
# the built _llmlog and the package's sources, LD_LIBRARY_PATH the built
# libllmlog.  Under --enable-sanitizers the module needs the AddressSanitizer
# runtime loaded first, so it is preloaded; without it the test is skipped.
#   run-py.sh tests/test_foo.py
set -u
test=$1
: "${PYTHON3:?PYTHON3 is not set}"
PYTHONPATH="$PY_BUILDDIR/.libs:$PY_SRCDIR${PYTHONPATH:+:$PYTHONPATH}"
LD_LIBRARY_PATH="$LIB_BUILDDIR/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE
unset LLMLOG_DIR LLMLOG_LEVEL
if [ "${ENABLE_SANITIZERS:-no}" = yes ]; then
	asan=$($CC -print-file-name=libasan.so 2>/dev/null)
	case $asan in
	/*) ;;
	*)	echo "skipped: the module is built with AddressSanitizer and" \
		    "$CC names no libasan.so to preload into $PYTHON3"
		exit 77 ;;
	esac
	# the interpreter's own allocations at exit are not the module's leaks
	LD_PRELOAD="$asan${LD_PRELOAD:+ $LD_PRELOAD}"
	ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export LD_PRELOAD ASAN_OPTIONS
fi
dir=$(dirname "$test")
mod=$(basename "$test" .py)
cd "$dir" && exec "$PYTHON3" -m unittest -v "$mod"
