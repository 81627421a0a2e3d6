#!/bin/sh
# test-ui-decoded.sh - the filter and the search match what is shown: a
# search for DENIED lands on a row showing DENIED, f FAILED keeps every
# failure, escapes are undone; R switches to raw-line matching and back,
# and the status line says so.
. "$srcdir/ui-lib.sh"

# the selected row: the one drawn in reverse video
selected()
{
	ui_screen -e | grep -E "$(printf '\033')\[([0-9;]*;)?7[;m]" | head -n 1
}

ui_fixture decoded
ui_start
ui_wait '9/9 '

# DENIED is written by the summary (the line says "allowed":false)
ui_keys Home
ui_keys /
ui_wait '^/' "the search prompt"
ui_keys -l 'DENIED'
ui_keys Enter
ui_wait 'search:/DENIED/ 2/2' "from the first row: the next DENIED row"
ui_reject 'Pattern not found' "DENIED is found"
selected | grep -q 'write /etc/passwd' ||
	ui_fail "the DENIED row is selected: $(selected)"
ui_screen -e | grep -q "$(printf '\033')\[[0-9;]*mDENIED" ||
	ui_fail "DENIED highlighted"
ui_keys n
ui_wait 'search:/DENIED/ 1/2' "n: wrapped to the first DENIED row"
selected | grep -q 'exec /bin/sh' ||
	ui_fail "the first DENIED row is selected: $(selected)"
ui_ok "/DENIED lands on the rows showing DENIED"

# an escape is undone: \u0072m is rm
ui_keys / C-u
ui_keys -l 'rm -rf'
ui_keys Enter
ui_wait 'search:/rm -rf/ 1/1'
selected | grep -q ' /tmp/x"' || ui_fail "rm -rf selected: $(selected)"
ui_ok "search over decoded strings"

# the detail view highlights a match in its fields: 1413 as written
ui_keys / C-u
ui_keys -l '1413'
ui_keys Enter
ui_wait 'search:/1413/ 1/1'
ui_keys Enter
ui_wait 'prompt_tokens: 1413' "the detail view"
ui_screen -e | grep -q "$(printf '\033')\[[0-9;]*m1413" ||
	ui_fail "1413 highlighted in the detail view"
ui_keys q
ui_ok "detail highlight"

# f FAILED keeps every failure, though no line holds the word
ui_keys f
ui_wait 'Filter' "the filter prompt"
ui_keys -l 'FAILED'
ui_keys Enter
ui_wait 'filter:/FAILED/' "status shows the filter"
ui_wait '2/2 ' "both failures kept"
ui_expect 'read_file \(filesystem\) FAILED' "the first failure listed"
ui_expect 'run_cmd \(shell\) FAILED' "the second failure listed"
ui_ok "f FAILED"

# R: raw lines have no FAILED; the status line says raw matching is on
ui_keys R
ui_wait 'raw-match' "status shows raw matching"
ui_wait 'no entries match' "no raw line holds FAILED"
ui_keys R
ui_wait_gone 'raw-match' "raw matching off again"
ui_wait '2/2 ' "the failures again"
ui_ok "R toggles raw matching"

# raw matching finds what only the JSON holds
ui_keys f C-u
ui_keys -l '"allowed":false'
ui_keys Enter
ui_wait 'no entries match' "decoded text has no JSON syntax"
ui_keys R
ui_wait 'raw-match'
ui_wait '2/2 ' "raw lines hold it"
ui_ok "raw matching of JSON syntax"

ui_quit
