#!/bin/sh
# The parts of tui/ only look down: the engine never includes curses nor a
# header of the UI or the print mode, and the UI never one of the print
# mode.  Include paths keep those headers out of reach by name; this checks
# the relative paths ("../ui/ui.h") that would still resolve.
: "${srcdir:=.}"
tui="$srcdir/../tui"
fail=0

# check DIR PATTERN WHAT: no #include line of DIR's files matches PATTERN
check() {
	found=$(grep -nE '^[[:space:]]*#[[:space:]]*include' "$tui/$1"/*.[ch] |
		grep -E "^[^:]*:[0-9]+:[[:space:]]*#[[:space:]]*include.*($2)")
	if [ -n "$found" ]; then
		echo "FAIL: $1/ has an include of $3:"
		echo "$found"
		fail=1
	else
		echo "ok: $1/ has no include of $3"
	fi
}

[ -d "$tui/engine" ] && [ -d "$tui/ui" ] && [ -d "$tui/cli" ] ||
	{ echo "FAIL: tui/engine, tui/ui or tui/cli is missing"; exit 1; }
check engine 'curses|term\.h|ui/|cli/|"(ui|explorer|cli|report)\.h"' \
	'curses or a header of ui/ or cli/'
check ui 'cli/|"(cli|report)\.h"|engine-int\.h' \
	'a header of cli/ or engine-int.h'
check cli 'curses|engine-int\.h|"ui\.h"|ui/ui\.h' \
	'curses, engine-int.h or ui.h'
exit $fail
