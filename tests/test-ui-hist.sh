#!/bin/sh
# test-ui-hist.sh - the dashboard's histogram: a bucket's errors,
# warnings and the rest stacked in proportion (1 error in 40 is an
# eighth-block sliver, not a red cell; without colour or UTF-8 it
# rounds to whole cells), to a round scale on the axis, times on the
# axis as people write them, and the bucket under the cursor (Left,
# Right) read out by level.  A cell has two colours: where errors and
# warnings both end in one cell, the block is the errors and the
# cell's background the warnings.
. "$srcdir/ui-lib.sh"

# Three buckets of a second: 40 entries with one error; 40 with one
# error and one warning; then 20 errors.
tool_line()
{
	printf '{"category":"tool","timestamp":"2026-11-26T10:00:%s.%03dZ","level":"%s","event":"tool_execution","pid":1,"tool_name":"t","tool_server":"s","success":true,"duration_ms":1.0}\n' "$1" "$2" "$3"
}

# tool_lines SECOND FROM TO LEVEL: the entries of milliseconds FROM to TO-1
tool_lines()
{
	i=$2
	while [ "$i" -lt "$3" ]; do
		tool_line "$1" "$i" "$4"
		i=$((i + 1))
	done
}

mkdir -m 700 "$UI_LOGS"
{
	tool_line 00 0 ERROR
	tool_lines 00 1 40 INFO
	tool_line 02 0 ERROR
	tool_line 02 1 WARNING
	tool_lines 02 2 40 INFO
	tool_lines 05 0 20 ERROR
} >"$UI_LOGS/tool_executions.log"
chmod 600 "$UI_LOGS"/*

# The bars' rows (from the scale's top to the row above the baseline)
# and the cells of a column there, bottom first: "CHAR FG BG ATTRS".
bar_rows()
{
	top=$(ui_screen | grep -n "^ *${1:-40} [┤+]" | head -n 1 | cut -d: -f1)
	base=$(ui_screen | grep -n '^ *0 [└+]' | head -n 1 | cut -d: -f1)
	[ -n "$top" ] && [ -n "$base" ] || ui_fail "no scale from ${1:-40} to 0"
	top=$((top - 1))
	base=$((base - 1))
}
column()
{
	ui_cells | awk -v c="$1" -v t="$top" -v b="$base" \
	    '$2 == c && $1 >= t && $1 < b { print $1, $6, $3, $4, $5 }' |
	    sort -rn | cut -d' ' -f2-
}

ui_start
ui_wait '100/100 '
ui_keys 8
ui_wait 'Entries per 1s'
bar_rows
rows=$((base - top))
ui_expect "^ +20 ┤" "the scale's half-way mark"
# the first bucket: a sliver of red (an eighth or two) under a full
# green bar, nothing of it a whole red cell
a=$(column 7)
[ "$(echo "$a" | wc -l)" -eq $rows ] || ui_fail "the first bar is not full height: $a"
echo "$a" | head -n 1 | grep -Eq '^(▁|▂) 196 28 ' ||
    ui_fail "the first bar's bottom is not a sliver of red on green: $(echo "$a" | head -n 1)"
[ "$(echo "$a" | grep -c ' 196 ')" -eq 1 ] || ui_fail "more red than one sliver: $a"
[ "$(echo "$a" | tail -n +2 | grep -vc '^█ 28 d ')" -eq 0 ] ||
    ui_fail "the first bar's rest is not green: $a"
# the second: 20 of 40, half the height, all red
b=$(column 12)
[ "$(echo "$b" | grep -c '^█ 196 d ')" -eq $((rows / 2)) ] &&
    [ "$(echo "$b" | wc -l)" -eq $((rows / 2)) ] ||
    ui_fail "the second bar is not half the height in red: $b"
ui_ok "errors stacked in proportion, to a scale"
# 1 error and 1 warning in 40, both under an eighth-block's reach of
# the bottom cell: the block red, the rest of that cell yellow (the
# warnings, not hidden under green), green above; no red or yellow
# beyond that cell
c=$(column 9)
[ "$(echo "$c" | wc -l)" -eq $rows ] || ui_fail "the middle bar is not full height: $c"
echo "$c" | head -n 1 | grep -Eq '^(▁|▂|▃) 196 166 ' ||
    ui_fail "the middle bar's bottom is not red on yellow: $(echo "$c" | head -n 1)"
[ "$(echo "$c" | tail -n +2 | grep -vc '^█ 28 d ')" -eq 0 ] ||
    ui_fail "the middle bar's rest is not green: $c"
ui_ok "errors and warnings in one cell, both shown"

# the axis: the first bucket's time, with its date
ui_expect '^ +Nov 26 10:00:00( |$)' "the time under the first bar"
# the bucket under the cursor: the last one first, then along the axis
ui_keys Left
ui_wait 'Nov 26 10:00:05.+10:00:06  20 entries  ERROR 20' "the last bucket read"
ui_row "$base" | grep -q '▲' || ui_fail "no cursor on the axis"
ui_keys Left Left Left Left Left Left
ui_wait 'Nov 26 10:00:00.+10:00:01  40 entries  ERROR 1  INFO 39' \
    "the first bucket read, the cursor stopping there"
ui_keys Right
ui_wait '10:00:01.+10:00:02  0 entries'
ui_ok "the bucket under the cursor"
ui_quit

# without colour: whole cells, a glyph per kind; 1 error in 40 is less
# than half a cell, 20 errors half the bar
ui_start --no-color
ui_wait '100/100 '
ui_keys 8
ui_wait '# error'
bar_rows
rows=$((base - top))
a=$(column 7)
[ "$(echo "$a" | grep -c '^#')" -eq 0 ] && [ "$(echo "$a" | grep -c '^|')" -eq $rows ] ||
    ui_fail "monochrome: the first bar is not all '|': $a"
b=$(column 12)
[ "$(echo "$b" | grep -c '^#')" -eq $((rows / 2)) ] ||
    ui_fail "monochrome: the second bar is not half '#': $b"
ui_quit
ui_ok "monochrome histogram in proportion"

# colour without UTF-8: whole cells in colour, an ASCII axis
UI_ENV="LANG=C LC_ALL=C" ui_start
ui_wait '100/100 '
ui_keys 8
ui_wait 'Entries per 1s'
bar_rows
rows=$((base - top))
ui_screen | LC_ALL=C grep -q "$(printf '[\200-\377]')" &&
    ui_fail "bytes of UTF-8 on the screen without it"
a=$(column 7)
[ "$(echo "$a" | grep -c ' 196 ')" -eq 0 ] && [ "$(echo "$a" | grep -c ' 28 d r')" -eq $rows ] ||
    ui_fail "ASCII: the first bar is not all green cells: $a"
b=$(column 12)
[ "$(echo "$b" | grep -c ' 196 d r')" -eq $((rows / 2)) ] ||
    ui_fail "ASCII: the second bar is not half red cells: $b"
ui_keys Left
ui_wait '10:00:05-10:00:06  20 entries' "ASCII dash in the time range"
ui_row "$base" | grep -q '\^' || ui_fail "ASCII cursor on the axis"
ui_quit
ui_ok "colour without UTF-8"

# a longer span: labels as people write times, the date where it changes
rm -rf "$UI_LOGS"
ui_fixture basic
ui_start
ui_wait '24/24 '
ui_keys 8
ui_wait 'Entries per '
labels=$(ui_screen | grep -A1 '^ *0 [└+]' | tail -n 1)
echo "$labels" | grep -Eq '^ +Nov 26 10:00 +10:[0-5][0-9]( |$)' ||
    ui_fail "a date once, then the clock: $labels"
echo "$labels" | grep -q '\.000' && ui_fail "milliseconds on the axis: $labels"
ui_quit
ui_ok "time labels"

# 1 error in 200 is under half an eighth of the bar, yet it is there:
# an eighth of red
rm -rf "$UI_LOGS"
mkdir -m 700 "$UI_LOGS"
{
	tool_line 00 0 ERROR
	tool_lines 00 1 200 INFO
} >"$UI_LOGS/tool_executions.log"
chmod 600 "$UI_LOGS"/*
ui_start
ui_wait '200/200 '
ui_keys 8
ui_wait 'Entries per 1s'
bar_rows 200
a=$(column 7)
echo "$a" | head -n 1 | grep -Eq '^▁ 196 28 ' ||
    ui_fail "one error in 200 is not an eighth of red: $(echo "$a" | head -n 1)"
[ "$(echo "$a" | grep -c ' 196 ')" -eq 1 ] || ui_fail "more red than an eighth: $a"
ui_quit
ui_ok "a level that is there is seen"
