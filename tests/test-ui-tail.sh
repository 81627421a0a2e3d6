#!/bin/sh
# test-ui-tail.sh - a tail of N with a live writer: scrolled up, the N
# rows and the selection stay put whatever arrives, Enter opens the entry
# that is selected, End shows the last N again.
. "$srcdir/ui-lib.sh"

if [ -z "${SIMULATE:-}" ] || [ ! -x "$SIMULATE" ]; then
	echo "llmlog-simulate not built: test skipped"
	exit 77
fi

writer=
trap 'kill "$writer" 2>/dev/null; ui_cleanup' EXIT

# the selected row: the one drawn in reverse video
selected()
{
	ui_screen -e | grep -E "$(printf '\033')\[([0-9;]*;)?7[;m]" |
	    head -n 1 | sed 's/\x1b\[[0-9;]*m//g'
}

# How many entries arrived while paused ("PAUSED +N new"), 0 if none.
arrived()
{
	ui_status | sed -n 's/.*PAUSED +\([0-9]*\) new.*/\1/p' | grep . || echo 0
}

# Wait until at least $1 entries have arrived while paused.
wait_arrived()
{
	i=0
	while [ "$(arrived)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || ui_fail "timed out waiting for $1 new entries"
		sleep 0.05
	done
}

mkdir -m 700 "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" --entries 200 --span 2h >/dev/null 2>&1 ||
    ui_fail "llmlog-simulate"
"$SIMULATE" -d "$UI_LOGS" --rate 50 >/dev/null 2>&1 &
writer=$!

ui_start
ui_wait 'FOLLOW'
ui_keys '#'
ui_wait '^Last N entries:'
ui_keys -l 10
ui_keys Enter
ui_wait ' 10/10 +FOLLOW' "following the last ten"
ui_expect 'tail:10'

ui_keys Up Up Up
ui_wait ' 7/10 +PAUSED' "three up"
rows=$(ui_screen | sed -n '2,11p')
row=$(selected)
seen=$(arrived)
# more than a window's worth arrives: with the window following the end,
# every row would have changed
wait_arrived $((seen + 12))
ui_expect ' 7/10 +PAUSED \+[0-9]+ new' "the selection stays on the seventh"
[ "$(ui_screen | sed -n '2,11p')" = "$rows" ] ||
    ui_fail "the rows moved while paused (were: $rows)"
[ "$(selected)" = "$row" ] || ui_fail "another row selected (was: $row)"
ui_ok "paused: rows and selection stay"

# Enter opens the entry selected: its time is the row's
time=$(echo "$row" | grep -Eo '[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}' | head -n 1)
ui_keys Enter
ui_wait '^Entry 7 of 10: ' "the detail view of the seventh"
ui_expect "^timestamp: [0-9-]+T$time" "the entry of the selected row ($time)"
ui_keys q
ui_wait ' 7/10 +PAUSED' "back at the same place"
[ "$(selected)" = "$row" ] || ui_fail "another row selected after the detail"
ui_ok "Enter opens the selected entry"

# End: the last ten again, following
ui_keys End
ui_wait ' 10/10 +FOLLOW' "End follows"
ui_wait_gone " $time " "the window moved to the end"
ui_ok "End shows the last ten"
ui_quit
