#!/bin/sh
# test-ui-narrow.sh - 80 columns and less: the date stays in the time
# column when the entries listed fall on several days (shortened to the
# day and the second), and the tab bar shortens its labels so that every
# tab is on it and can be clicked, down to the smallest window drawn;
# the list's hint fits, help wraps its descriptions, a where error keeps
# the character it names in sight and is cut with an ellipsis.
. "$srcdir/ui-lib.sh"

if [ -z "${SIMULATE:-}" ] || [ ! -x "$SIMULATE" ]; then
	echo "llmlog-simulate not built: test skipped"
	exit 77
fi

# A click of button 1 at a column of the first row (xterm mouse report).
click_tab()
{
	x=$(ui_row 0 | awk -v s="$1" '{ print index($0, s) - 1 }')
	[ "$x" -ge 0 ] || ui_fail "no tab $1 on the bar"
	c=$(printf "\\$(printf '%03o' $((33 + x)))")
	tm send-keys -t 0 -l "$(printf '\033[M ')$c!$(printf '\033[M#')$c!"
}

# Every tab is on the bar: eight, each closed by a "|", within the width.
all_tabs()
{
	bar=$(ui_row 0)
	[ "$(printf '%s' "$bar" | tr -cd '|' | wc -c)" -eq 8 ] ||
	    ui_fail "$1 columns: not every tab on the bar: $bar"
	[ "$(printf '%s' "$bar" | wc -L)" -le "$1" ] ||
	    ui_fail "$1 columns: the bar is too wide: $bar"
}

mkdir -m 700 "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" --entries 300 --start 2026-11-20T10:00:00Z \
    --span 3d >/dev/null 2>&1 || ui_fail "llmlog-simulate"
total=$("$LLMLOG" -d "$UI_LOGS" | wc -l)
perf=$("$LLMLOG" -d "$UI_LOGS" -c performance | wc -l)

# several days at 80 columns: the day and the second
UI_COLS=80 UI_ROWS=24 ui_start
ui_wait "$total/$total +FOLLOW"
rows=$(ui_screen | sed -n '2,22p')
echo "$rows" | grep -Eqv '^[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} ' &&
    ui_fail "a row without its day"
ui_ok "the day in the time column at 80 columns"

# the tabs at 80 columns: all there, the last ones clickable
all_tabs 80
click_tab Stats
ui_wait 'Overall' "a click on Stats shows the dashboard"
click_tab Perf
ui_wait " $perf/$perf " "a click on Perf shows the performance entries"
ui_expect 'Perf' "still on the bar"
ui_ok "every tab at 80 columns"

# narrower: 60, 40 and the smallest window drawn, 30 columns
for w in 60 40 30; do
	tm resize-window -t 0 -x $w -y 24
	ui_wait "^.{0,$w}\|\$" "the bar redrawn for $w columns"
	all_tabs $w
done
click_tab 'St|'
ui_wait 'Overall' "a click on the last tab at 30 columns"
click_tab 'Al|'
ui_wait "$total/$total " "and on the first"
ui_ok "every tab down to 30 columns"
ui_quit

# one day: the clock alone, with its milliseconds
rm -rf "$UI_LOGS"
ui_fixture basic
UI_COLS=80 UI_ROWS=24 ui_start
ui_wait '24/24 +FOLLOW'
ui_screen | sed -n '2,22p' |
    grep -Eqv '^([0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}|-) ' &&
    ui_fail "a row that is not the clock"
ui_quit
ui_ok "one day: the clock"

# 80 columns: the hint whole, help's long descriptions wrapped under
# their column, a long where expression's error
UI_COLS=80 UI_ROWS=24 ui_start
ui_wait 'c clear *$' "the list's hint whole"
ui_keys h
ui_wait 'llmlog keys'
i=0
until ui_screen | grep -Eq '^ {24}value\) *$'; do
	i=$((i + 1))
	[ $i -lt 10 ] || ui_fail "no description wrapped under its column"
	ui_keys NPage
	sleep 0.05
done
ui_expect '^  = +add the field.s value to the where filter \(field = *$' \
    "the description's first line"
ui_keys Escape
ui_wait_gone 'llmlog keys'
ui_keys w
ui_wait '^Where:'
ui_keys -l 'level = "INFO" and category = "tool" and duration_ms > = 100'
ui_keys Enter
ui_wait '^Where: .*duration_ms > = 100  expected a value .*… *$' \
    "the error cut with an ellipsis"
ui_cells | awk '$1 == 23 && $5 ~ /r/ && $6 == "=" { n++ } END { exit n != 1 }' ||
    ui_fail "the character the error names is not marked"
ui_keys Escape
ui_quit
ui_ok "80 columns: hint, help, where error"
