#!/bin/sh
# test-ui-status.sh - what the status line, the tab bar and the detail
# header say as things change: no stale "stats paused" after the Stats
# tab, no FOLLOW when an until bound is past, the detail header counting
# entries that arrive, following again after the detail of the followed
# entry, tab counts with a tail.
. "$srcdir/ui-lib.sh"

tool_line()
{
	printf '{"category":"tool","timestamp":"2026-11-26T11:%02d:00.000Z","level":"INFO","event":"tool_execution","pid":1,"tool_name":"%s","tool_server":"live","success":true,"duration_ms":1.0}\n' "$1" "$2" \
	    >>"$UI_LOGS/tool_executions.log"
}

ui_fixture basic

# the Stats tab counted everything; entries that arrive after it is left
# are counted when it is shown again, and nothing is said meanwhile
ui_start
ui_wait '24/24 +FOLLOW'
ui_keys 8
ui_wait 'Overall' "the Stats tab"
ui_keys 1
ui_wait '24/24 +FOLLOW' "back on the list"
tool_line 1 after_stats
ui_wait '25/25 +FOLLOW' "an entry arrives"
ui_reject 'stats [0-9]+% paused' "no counting is waiting"
ui_keys 8
ui_wait 'Total +25 ' "the Stats tab counts it"
ui_keys 1
ui_ok "no stale stats status"

# the detail of the followed last entry: back in the list it follows
ui_keys Enter
ui_wait '^Entry 25 of 25: ' "the last entry"
tool_line 2 during_detail
ui_wait 'PAUSED \+1 new' "an entry arrives while it is shown"
ui_wait '^Entry 25 of 26: ' "the header counts it"
ui_keys q
ui_wait '26/26 +FOLLOW' "following again"
ui_expect 'during_detail'
ui_ok "follow after the detail"

# the detail of an entry higher up: the header's count stays current,
# and the list stays paused
ui_keys Up Up Enter
ui_wait '^Entry 24 of 26: '
tool_line 3 one_more
ui_wait '^Entry 24 of 27: ' "the header counts the new entry"
ui_keys q
ui_wait '24/27 +PAUSED \+1 new' "paused where it was"
ui_ok "detail header"

# tab counts are what each tab would list: with a tail, at most N
ui_keys '#'
ui_keys -l 4
ui_keys Enter
ui_wait 'tail:4'
for t in 'All 4' 'User 4' 'System 4' 'Tool 4' 'LLM 4' 'Security 3' \
    'Performance 3'; do
	ui_expect " $t " "tab $t"
done
ui_keys 6
ui_wait ' 3/3 ' "the Security tab lists three"
ui_expect ' 1 All 4 ' "All still counts four"
ui_quit
ui_ok "tab counts with a tail"

# an until bound in the past: nothing new can arrive, nothing to follow
ui_start --until 2026-11-26T10:20:00Z
ui_wait ' 17/17$' "the entries up to the bound"
ui_reject 'FOLLOW' "no FOLLOW with a past until"
ui_keys Up
ui_wait ' 16/17$'
ui_keys End
ui_wait ' 17/17$'
ui_reject 'FOLLOW|PAUSED' "neither after End"
ui_keys T C-u
ui_keys -l '+1d'
ui_keys Enter
ui_wait 'FOLLOW' "a future until can be followed"
ui_quit
ui_ok "until in the past"
