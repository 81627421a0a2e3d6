#!/bin/sh
# test-ui-term.sh - the terminal: 8 colours, no colour with NO_COLOR,
# a narrow window with wide characters cut cleanly at the edge.
. "$srcdir/ui-lib.sh"

esc=$(printf '\033')

ui_fixture basic

# 8 colours: levels coloured with the basic palette only
UI_ENV="TERM=screen" ui_start
ui_wait '24/24 '
ui_screen -e | grep -q "${esc}\[3[1-3]m" || ui_fail "basic colours used"
if ui_screen -e | grep -q "${esc}\[38;5;"; then
	ui_fail "256-colour codes on an 8-colour terminal"
fi
ui_quit
ui_ok "8 colours"

# NO_COLOR: attributes only
UI_ENV="NO_COLOR=1" ui_start
ui_wait '24/24 '
if ui_screen -e | grep -Eq "${esc}\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)m"; then
	ui_fail "colour codes with NO_COLOR"
fi
ui_screen -e | grep -Eq "${esc}\[([0-9;]*;)?7m" || ui_fail "the selection still shows (reverse)"
ui_quit
ui_ok "NO_COLOR"

# narrow: every row fits, wide characters are never split
UI_COLS=53 UI_ROWS=12 ui_start
ui_wait '24/24 '
ui_keys Home
ui_wait ' 1/24 '
ui_keys Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
ui_wait '日本' "the wide characters are shown"
ui_screen | while IFS= read -r line; do
	w=$(printf '%s' "$line" | wc -L)
	[ "$w" -le 53 ] || { echo "row too wide ($w): $line"; exit 1; }
done || ui_fail "rows fit 53 columns"
ui_keys Right Right Right Right
ui_wait_gone '"日本語' "scrolled sideways"
ui_screen | while IFS= read -r line; do
	w=$(printf '%s' "$line" | wc -L)
	[ "$w" -le 53 ] || { echo "row too wide ($w): $line"; exit 1; }
done || ui_fail "rows fit 53 columns after a sideways scroll"
ui_quit
ui_ok "narrow terminal"

# two directories (hosts): merged by time, each row names its host
mkdir -m 700 "$UI_WORK/hostb"
cp "$UI_LOGS"/* "$UI_WORK/hostb/"
ui_start -d "$UI_WORK/hostb"
ui_wait ' 48/48 ' "entries of both directories"
ui_expect 'All 48 '
ui_expect " hostb +WARNING +performance" "rows name the second host"
ui_expect " logs +WARNING +performance" "and the first"
ui_quit
ui_ok "two directories"
