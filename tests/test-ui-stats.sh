#!/bin/sh
# test-ui-stats.sh - the stats dashboard: the pane below the list, the
# Stats tab, figures that follow the filters and grow with new entries,
# and the histogram's errors told apart without colour; a large view
# (written by llmlog-simulate, which make builds) counted between keys.
. "$srcdir/ui-lib.sh"
[ -x "${SIMULATE:-}" ] || { echo "FAIL: llmlog-simulate not built"; exit 1; }

ui_fixture basic
ui_start
ui_wait '24/24 '

ui_keys s
ui_wait 'Overall' "the pane opens"
ui_expect 'Entries per ' "the histogram"
ui_expect '24/24 ' "the list stays"
ui_ok "stats pane"

ui_keys 8
ui_wait 'LLM Calls' "the Stats tab"
ui_expect 'Tool Executions'
ui_expect 'Security'
ui_expect 'Performance'
ui_expect 'Total tokens +1,830' "tokens of the four calls"
ui_expect 'read_file' "the top tools"
ui_expect 'groq' "tokens by provider"
ui_ok "stats tab"

# follows the filters
ui_keys l l l l
ui_wait 'level>=ERROR'
ui_wait 'Total tokens +0( |$)' "only the failed call"
ui_keys c
ui_wait 'Total tokens +1,830'

# updates live
printf '{"category":"llm","timestamp":"2026-11-26T11:00:00.000Z","level":"INFO","event":"llm_call","pid":1,"provider":"groq","model":"llama3-70b-8192","prompt_tokens":600,"completion_tokens":400,"total_tokens":1000,"duration_ms":10.0,"success":true,"streaming":false}\n' \
    >>"$UI_LOGS/llm_calls.log"
ui_wait 'Total tokens +2,830' "a new call counted"
ui_ok "filters and live update"

# from a category's tab the Stats tab counts that category
ui_keys Escape
ui_wait '25/25 ' "Esc returns to the list"
ui_keys 4 8
ui_wait 'cat:tool' "status names the category counted"
ui_expect '^Total +5 ' "five tool entries"
ui_keys 1
ui_wait '25/25 '
ui_ok "stats of one category"
ui_quit

# without colour the histogram marks errors with their own glyph
ui_start --no-color
ui_wait '25/25 '
ui_keys 8
ui_wait '# error'
ui_screen | grep -E '^ *[0-9.k]* [┤│]' | grep -q '#' ||
    ui_fail "error glyphs in the bars"
ui_quit
ui_ok "monochrome histogram"

# A large view is counted between keys.  The first screen shows the
# figures so far; a key is answered while counting runs (the help hides
# the dashboard, so counting waits and the status line says how far it
# got); the figures at the end are print mode's.
rm -rf "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" -n 300000 --backups 0 >/dev/null 2>&1 ||
    ui_fail "llmlog-simulate"
tokens=$("$LLMLOG" -d "$UI_LOGS" --stats |
    sed -n 's/^ *Total Tokens: //p')
# a filter (here one that every entry passes) is counted by the stats
# pass; the view of every entry takes what its load counted
ui_start -l DEBUG
ui_wait '300000/300000 '
ui_keys 8
# look often: the help key must go out while counting runs
i=0
until ui_screen | grep -Eq 'counting [0-9]+%'; do
	i=$((i + 1))
	[ $i -lt 2000 ] || ui_fail "no counting progress shown"
	sleep 0.005
done
ui_keys h
ui_wait 'llmlog keys' "the help while counting"
ui_expect 'stats [0-9]+% paused' \
    "the key was answered before counting ended"
ui_keys x
ui_wait 'LLM Calls' "back to the dashboard"
ui_wait_gone 'counting' "counting ends"
ui_expect "Total tokens +$tokens" "the same figure as --stats"
ui_quit
ui_ok "a large view counted between keys"

# Every entry, no cache: the dashboard takes the figures counted as the
# lines were indexed, and they are --stats' own, the tables by model and
# by tool too (their first row's calls failed).
report=$("$LLMLOG" -d "$UI_LOGS" --stats --no-cache)
tokens=$(echo "$report" | sed -n 's/^ *Total Tokens: //p')
row()
{
	echo "$report" | sed -n "/^  $1:/{n;s/^ *- \(.*\): [0-9,]* of [0-9,]* failed (\([0-9.]*%\))/\1 \2/p;q;}"
}
model=$(row 'Failures by Model')
tool=$(row 'Failures by Tool')
[ -n "$model" ] && [ -n "$tool" ] || ui_fail "--stats lists failures by model and tool"
ui_start --no-cache
ui_wait '300000/300000 '
ui_keys 8
ui_wait 'LLM Calls' "the Stats tab"
ui_wait_gone 'counting' "counted"
ui_expect "Total tokens +$tokens" "the tokens of --stats"
for r in "$model" "$tool"; do
	i=0
	until ui_screen | grep -Eq "  ${r% *} +[0-9.k]+ +${r#* } "; do
		i=$((i + 1))
		[ $i -lt 20 ] || ui_fail "a table's first row: $r"
		ui_keys NPage
		sleep 0.1
	done
done
ui_quit
ui_ok "the dashboard of every entry counted on load, as --stats"
