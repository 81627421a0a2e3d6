#!/bin/sh
# test-ui-live.sh - live tail: appended entries appear; scrolled up, the
# view stays put and the status line counts what arrived; End follows
# again; a rotation loses nothing; a resize redraws for the new size.
. "$srcdir/ui-lib.sh"

tool_line()
{
	printf '{"category":"tool","timestamp":"2026-11-26T11:%02d:00.000Z","level":"INFO","event":"tool_execution","pid":1,"tool_name":"%s","tool_server":"live","success":true,"duration_ms":1.0}\n' "$1" "$2"
}

ui_fixture basic
ui_start
ui_wait '24/24 +FOLLOW'

tool_line 1 live_one >>"$UI_LOGS/tool_executions.log"
ui_wait 'live_one' "an appended entry appears"
ui_wait '25/25 +FOLLOW' "and is selected while following"
ui_ok "live tail"

# scrolled up: the rows stay, the counter grows
ui_keys Up Up Up
ui_wait '22/25 +PAUSED'
before=$(ui_screen | sed -n '2,20p')
tool_line 2 live_two >>"$UI_LOGS/tool_executions.log"
ui_wait 'PAUSED \+1 new' "the counter shows one new entry"
tool_line 3 live_three >>"$UI_LOGS/tool_executions.log"
tool_line 4 live_four >>"$UI_LOGS/tool_executions.log"
ui_wait 'PAUSED \+3 new' "the counter grows"
ui_expect '22/28 ' "the selection stays"
after=$(ui_screen | sed -n '2,20p')
[ "$before" = "$after" ] || ui_fail "the rows moved while scrolled up"
ui_keys End
ui_wait '28/28 +FOLLOW' "End follows again"
ui_expect 'live_four'
ui_keys Up
ui_wait 'PAUSED'
ui_keys F
ui_wait '28/28 +FOLLOW' "F follows again"
ui_ok "scrolled up"

# rotation while shown: the old file becomes .1, a new one starts
tool_line 5 before_rotation >>"$UI_LOGS/tool_executions.log"
ui_wait 'before_rotation'
mv "$UI_LOGS/tool_executions.log" "$UI_LOGS/tool_executions.log.1"
tool_line 6 after_rotation >"$UI_LOGS/tool_executions.log"
chmod 600 "$UI_LOGS/tool_executions.log"
ui_wait 'after_rotation' "the new file is followed"
ui_wait '30/30 +FOLLOW' "nothing lost or doubled"
ui_expect 'Tool 11 ' "the tab count"
ui_ok "rotation"

# resize: smaller, then wide with the stats pane beside the list
tm resize-window -t 0 -x 80 -y 20
ui_wait '30/30 +FOLLOW' "redrawn at 80x20"
[ "$(ui_screen | wc -l)" -eq 20 ] || ui_fail "20 rows"
ui_row 18 | grep -q '30/30' || ui_fail "the status line moved to row 19"
ui_expect 'after_rotation'
tm resize-window -t 0 -x 170 -y 40
ui_wait '2026-11-26 11:06:00.000 INFO' "wide enough for the date again"
ui_keys s
ui_wait 'after_rotation .*│' "the dashboard beside the list"
ui_screen | grep -q '│Entries per ' || ui_fail "the histogram on the right"
ui_ok "resize"

ui_quit

# an empty directory: a file created later is followed too
rm -rf "$UI_LOGS"
mkdir -m 700 "$UI_LOGS"
ui_start
ui_wait 'no log entries yet' "an empty directory says so"
(umask 077; tool_line 7 first_ever >"$UI_LOGS/tool_executions.log")
ui_wait 'first_ever' "an entry in a new file appears"
ui_wait ' 1/1 +FOLLOW'
ui_quit
ui_ok "empty directory"

