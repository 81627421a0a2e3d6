#!/bin/sh
# test-ui-search.sh - searching: / and ? with smart case over the whole
# filtered set, the selected row and the highlight, n and N, "not found"
# and an invalid pattern.
. "$srcdir/ui-lib.sh"

# the selected row: the one drawn in reverse video
selected()
{
	ui_screen -e | grep -E "$(printf '\033')\[([0-9;]*;)?7[;m]" | head -n 1
}

ui_fixture basic
ui_start
ui_wait '24/24 '

ui_keys /
ui_wait '^/' "the search prompt"
ui_keys -l 'gpt-4o'
ui_keys Enter
ui_wait 'search:/gpt-4o/' "status shows the search"
ui_wait 'PAUSED' "searching stops following"
selected | grep -q 'gpt-4o' || ui_fail "the match is selected: $(selected)"
ui_ok "forward search"

# smart case: lower case matches any case; upper case must match exactly
ui_keys / C-u
ui_keys -l 'OPENAI'
ui_keys Enter
ui_wait 'Pattern not found: OPENAI' "upper case is case-sensitive"
ui_keys / C-u
ui_keys -l 'permission denied'
ui_keys Enter
ui_wait 'search:/permission denied/'
pos1=$(ui_status | grep -Eo '[0-9]+/24')
ui_keys n
ui_wait_gone " $pos1 " "n moves to the next match"
pos2=$(ui_status | grep -Eo '[0-9]+/24')
ui_keys N
ui_wait " $pos1 " "N goes back"
ui_ok "smart case, n and N ($pos1 $pos2)"

# the match is highlighted in the list (a colour of its own)
ui_screen -e | grep -q "$(printf '\033')\[[0-9;]*m[Pp]ermission denied" ||
	ui_fail "match highlighted"
ui_ok "highlight"

# backward search from the end finds the last match
ui_keys End
ui_wait 'FOLLOW'
ui_keys '?'
ui_wait '^\?' "the backward prompt"
ui_keys -l 'read_file'
ui_keys Enter
ui_wait 'search:/read_file/'
selected | grep -q 'read_file' || ui_fail "backward match selected: $(selected)"
ui_ok "backward search"

# not found and an invalid pattern: messages, the place kept
pos=$(ui_status | grep -Eo '[0-9]+/24')
ui_keys / C-u
ui_keys -l 'zzzznothing'
ui_keys Enter
ui_wait 'Pattern not found: zzzznothing'
ui_expect " $pos " "the selection stays"
ui_keys / C-u
ui_keys -l 'a(b'
ui_keys Enter
ui_wait 'Invalid pattern' "invalid pattern reported"
ui_ok "not found and invalid"

# the search covers entries far off screen: 6 rows only
ui_quit
UI_ROWS=8 ui_start
ui_wait '24/24 '
ui_keys /
ui_keys -l 'startup|llm_router.*started'
ui_keys Enter
ui_wait ' [12]/24 ' "found the first entry off screen"
ui_ok "search beyond the screen"

# the detail view: / moves to the line that matches and highlights it
ui_keys Enter
ui_wait '^category: system' "the detail view"
ui_keys /
ui_keys -l 'llm_router'
ui_keys Enter
ui_wait '^component: llm_router' "the matching line comes to the top"
ui_screen -e | grep -q "$(printf '\033')\[[0-9;]*mllm_router" ||
	ui_fail "match highlighted in the detail view"
ui_keys q
ui_wait ' 1/24 '
ui_quit
ui_ok "search in the detail view"
