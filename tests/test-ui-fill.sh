#!/bin/sh
# test-ui-fill.sh - a filter that reads lines fills the list from its
# newest entries: the first slice is shown with the status counting, the
# rest follow between keys, and the count ends where print mode's does;
# a key meanwhile finishes the filling first.  The slices are held small
# and apart (LLMLOG_UI_FILL_SLICE, LLMLOG_UI_FILL_PAUSE_MS) so that the
# part-filled list stays on the screen to be seen.
. "$srcdir/ui-lib.sh"

if [ -z "${SIMULATE:-}" ] || [ ! -x "$SIMULATE" ]; then
	echo "llmlog-simulate not built: test skipped"
	exit 77
fi

mkdir -p "$UI_LOGS"
chmod 700 "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" --entries 3000 --span 2h --seed 7 >/dev/null 2>&1 ||
    ui_fail "llmlog-simulate"
total=$("$LLMLOG" -p -d "$UI_LOGS" --count)
where=$("$LLMLOG" -p -d "$UI_LOGS" --where 'duration_ms > 500' --count)
newest=$("$LLMLOG" -p -d "$UI_LOGS" -n 1 -o json |
    sed -n 's/.*"timestamp":"[0-9-]*T\([0-9:]*\)\..*/\1/p')
[ "$total" -gt 1500 ] && [ "$where" -gt 100 ] && [ -n "$newest" ] ||
    ui_fail "the data set: $total entries, $where slow ones, newest $newest"

UI_ENV="LLMLOG_UI_FILL_SLICE=400 LLMLOG_UI_FILL_PAUSE_MS=700" ui_start
ui_wait " $total/$total +FOLLOW" "all entries, no filter to count"
ui_reject 'counting' "an unfiltered list is complete at once"

# a regex every entry matches: the newest 400 first, then the rest
ui_keys f
ui_wait '^Filter \(regex\):'
ui_keys -l '.'
ui_keys Enter
ui_wait 'counting [0-9]+% .* 400/400 +FOLLOW' "the newest slice, counting"
ui_expect " $newest" "the newest entry is shown"
ui_wait 'counting [0-9]+% .* 800/800 +FOLLOW' "the next slice joins"
ui_wait " $total/$total +FOLLOW" "the full count"
ui_reject 'counting' "counting done"
ui_ok "a regex fills the list from its newest entries"

# a where filter: part first, then print mode's count
ui_keys c
ui_wait " $total/$total +FOLLOW"
ui_keys w
ui_wait '^Where:'
ui_keys -l 'duration_ms > 500'
ui_keys Enter
ui_wait 'counting [0-9]+% ' "the where filter counts"
ui_status | grep -Eq " $where/$where " &&
    ui_fail "the where filter's count is complete while counting"
ui_wait " $where/$where +FOLLOW" "print mode's count"
ui_reject 'counting'
ui_ok "a where filter fills the list, then counts as print mode"

# a key while the list fills finishes the filling before it acts
ui_keys c
ui_wait " $total/$total +FOLLOW"
ui_keys k
ui_wait '^Keyword:'
ui_keys -l 'e'
ui_keys Enter
ui_wait 'counting [0-9]+% ' "the keyword counts"
ui_keys Home
ui_wait_gone 'counting' "a key filled the list"
kw=$("$LLMLOG" -p -d "$UI_LOGS" -k e --count)
ui_wait " 1/$kw +PAUSED" "Home went to the first of them all"
ui_ok "a key finishes the filling"
ui_quit
