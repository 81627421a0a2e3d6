#!/bin/sh
# test-ui-dashboard.sh - the dashboard read at a glance: headline figures
# with their trends (the last half of the time shown against the half
# before), the requests' p50 and p95 per bucket as a latency line, panels
# laid out for 80, 120 and 200 columns with right-aligned numbers and
# long names cut with an ellipsis, ASCII without UTF-8, the slowest
# operations with their times, a row cursor (Up, Down, PgUp, PgDn) and
# Enter on a slowest operation opening its entry.
. "$srcdir/ui-lib.sh"

ts()
{
	printf '2026-11-26T%s.000Z' "$1"
}
user_line()
{
	printf '{"category":"user","timestamp":"%s","level":"%s","event":"user_interaction","pid":1,"input":"q","success":%s,"duration_ms":%s}\n' \
	    "$(ts "$1")" "$2" "$3" "$4"
}
llm_line()
{
	printf '{"category":"llm","timestamp":"%s","level":"INFO","event":"llm_call","pid":1,"provider":"groq","model":"m","prompt_tokens":60,"completion_tokens":40,"total_tokens":100,"duration_ms":10.0,"success":%s,"streaming":false}\n' \
	    "$(ts "$1")" "$2"
}
sec_line()
{
	printf '{"category":"security","timestamp":"%s","level":"WARNING","event":"security_event","pid":1,"resource":"/etc/r","action":"read","allowed":%s}\n' \
	    "$(ts "$1")" "$2"
}
perf_line()
{
	printf '{"category":"performance","timestamp":"%s","level":"INFO","event":"performance_metric","pid":1,"operation":"%s","duration_ms":%s}\n' \
	    "$(ts "$1")" "$2" "$3"
}

# The row under the cursor (a run of 30 reversed cells or more, between
# the tab bar and the status line), and Down until it is the one that
# matches.
cursor_row()
{
	row=$(ui_cells | awk '
	$5 ~ /r/ && $1 > 0 && $1 < 38 {
		run = $1 == r && $2 == c + 1 ? run + 1 : 1
		r = $1
		c = $2
		if (run >= 30) { print r; exit }
	}')
	[ -n "$row" ] && ui_row "$row"
}
walk_to()
{
	i=0
	until cursor_row | grep -q -- "$1"; do
		i=$((i + 1))
		[ $i -lt 80 ] || ui_fail "the cursor never reached /$1/"
		ui_keys Down
		sleep 0.05
	done
}

# From 10:00 to 11:59: 10 requests of 100 ms in the first hour, 15 of a
# second in the second (3 failed); 4 then 6 LLM calls (1 failed); 2 then
# 4 denials.
mkdir -m 700 "$UI_LOGS"
{
	for m in 00 06 12 18 24 30 36 42 48 54; do
		user_line "10:$m:00" INFO true 100
	done
	for m in 00 04 08 12 16 20 24 28 32 36 40 44 48 52 56; do
		case $m in
		00|04|08) user_line "11:$m:00" ERROR false 1000 ;;
		*) user_line "11:$m:00" INFO true 1000 ;;
		esac
	done
} >"$UI_LOGS/user_interactions.log"
{
	for m in 01 11 21 31; do llm_line "10:$m:00" true; done
	for m in 01 11 21 31 41; do llm_line "11:$m:00" true; done
	llm_line 11:51:00 false
} >"$UI_LOGS/llm_calls.log"
{
	sec_line 10:02:00 false
	sec_line 10:03:00 true
	sec_line 10:12:00 false
	for m in 02 12 22 32; do sec_line "11:$m:00" false; done
} >"$UI_LOGS/security.log"
{
	perf_line 10:30:00 op_short 50.0
	perf_line 10:40:00 op_medium 700.0
	perf_line 11:15:30 a_very_long_operation_name_cut_by_the_panel 9000.0
	perf_line 11:59:30 op_last 20.0
} >"$UI_LOGS/performance.log"
chmod 600 "$UI_LOGS"/*
n=46

ui_start
ui_wait "$n/$n "
ui_keys 8
ui_wait 'Requests'
ui_expect '^Requests +Success +LLM calls +LLM failed +Tokens +Cost, 10 unpriced +p95 request +Denied' \
    "the headline's figures (no call of these models has a price)"
ui_expect '^25 ▲50% +88\.0% ▼20pt +10 ▲50% +10\.0% ▲17pt +1,000 ▲50% +- +1\.00s ▲900% +6 ▲100%' \
    "each with its trend"
ui_expect 'trends: last 1h vs the 1h before' "what the trends compare"
# a trend for the worse in the error colour (the success rate falling),
# one that is neither in the terminal's (the requests rising)
ui_cells | awk '$1 == 2 && $6 == "▼" { n++; if ($3 != 196) bad = 1 }
    END { exit !(n == 1 && !bad) }' ||
    ui_fail "a falling success rate is not in red"
ui_cells | awk '$1 == 2 && $2 == 3 { exit !($6 == "▲" && $3 == "d") }' ||
    ui_fail "more requests are not in the terminal's colour"
ui_ok "headline figures and trends"

# the requests' latency per bucket: 100 ms then a second, to one scale
ui_expect '^Request latency per 2m, p95 and p50 \(top 1\.00s\)'
ui_expect '^ p95 .*▁.*█' "the latency line low, then high"
ui_keys Left Left
ui_wait '11:56.+11:58  1 entry  INFO 1  requests p50 1\.00s p95 1\.00s' \
    "a bucket's latency"
ui_ok "latency line"

# numbers right-aligned at the end of a 40-column panel (38 wide)
ui_screen | cut -c1-39 | grep -Eq '^Total {20,}46 $' ||
    ui_fail "the total is not right-aligned in its panel"
ui_screen | cut -c41-79 | grep -Eq '^Total {20,}25 $' ||
    ui_fail "the second panel's total is not right-aligned"
ui_expect '^Overall {20,}User Interactions {10,}LLM Calls' "three panels a row at 120"
ui_ok "panels at 120 columns"

# the row cursor: Down to the slowest operation, Enter opens its entry,
# the list behind it is at that entry
ui_keys Down
ui_wait '.' ""
cursor_row | grep -q '^Total' || ui_fail "the first Down is not on the first row"
walk_to a_very_long
# the slowest operations with their times, long names cut so that the
# duration stays: "11:15:30 a_very_long_operation_…  9.00s"
cursor_row | grep -Eq '^ +11:15:30 a_very_long_op[a-z_]*… +9\.00s' ||
    ui_fail "no time or no ellipsis on the slowest operation"
ui_keys Enter
ui_wait '^Entry [0-9]+ of 46' "the entry opens"
ui_expect 'a_very_long_operation_name_cut_by_the_panel'
ui_keys q
ui_wait "[0-9]+/$n +PAUSED" "back in the list, paused on it"
ui_expect 'performance a_very_long_operation_name_cut_by_the_panel'
ui_ok "the slowest operations: times, ellipsis, Enter opens one"
ui_quit

# 80 columns: two panels a row, the headline on two lines; PgDn and PgUp
# scroll the panels
UI_COLS=80 UI_ROWS=24 ui_start
ui_wait "$n/$n "
ui_keys 8
ui_wait 'Requests'
ui_expect '^Overall {20,}User Interactions *$' "two panels a row at 80"
ui_expect '^Cost, 10 unpriced +p95 request +Denied *$' "the headline wraps"
ui_reject 'Slowest operations' "the last panel below the screen"
ui_keys NPage NPage NPage NPage NPage NPage
ui_wait 'Slowest operations' "PgDn scrolls down to it"
ui_keys PPage PPage PPage PPage PPage PPage
ui_wait '^Overall' "PgUp back up"
ui_quit
ui_ok "80 columns"

# 200 columns: five panels a row
UI_COLS=200 UI_ROWS=50 ui_start
ui_wait "$n/$n "
ui_keys 8
ui_wait 'Requests'
ui_expect '^Overall +User Interactions +LLM Calls +Security +Performance' \
    "five panels a row at 200"
ui_quit
ui_ok "200 columns"

# without UTF-8: arrows, dots and axes in ASCII
UI_ENV="LANG=C LC_ALL=C" ui_start
ui_wait "$n/$n "
ui_keys 8
ui_wait 'Requests'
ui_expect '^25 \^50% +88\.0% v20pt' "ASCII trends"
walk_to a_very_long
cursor_row | grep -Eq 'a_very_long_op[a-z_]*\.\.\. +9\.00s' ||
    ui_fail "ASCII ellipsis"
ui_expect '^ p95 .*\..*#' "ASCII latency line"
ui_screen | LC_ALL=C grep -q "$(printf '[\200-\377]')" &&
    ui_fail "bytes of UTF-8 on the screen without it"
ui_quit
ui_ok "ASCII"

# coverage: the range asked starts before a rotated category's entries
# (user and llm: their oldest entries rotated away; tool: never rotated)
rm -f "$UI_LOGS"/*
cp "$srcdir/data/cli/rotated"/* "$UI_LOGS/"
chmod 600 "$UI_LOGS"/*
UI_COLS=200 UI_ROWS=50 ui_start -S 2026-12-01
ui_wait '8/8 '
ui_keys 8
ui_wait 'Requests'
ui_expect '^note: user entries start 2026-12-01 14:02:11 \(rotated\): the range asked starts 2026-12-01 00:00:00; llm entries start 2026-12-01 14:05:00 \(rotated\)' \
    "the note of what the files no longer hold"
ui_reject 'tool entries start' "tool was never rotated"
ui_quit
UI_COLS=200 UI_ROWS=50 ui_start -S 2026-12-01T15:00
ui_wait ' 4/4 '
ui_keys 8
ui_wait 'Requests'
ui_reject '^note:' "the range starts inside what the files hold"
ui_quit
ui_ok "coverage note"
