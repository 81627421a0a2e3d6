#!/bin/sh
# test-ui-hits.sh - a search hit comes into sight with rows above it, and
# the status line counts the hits: "3/120", the selected hit's rank among
# the hits the list shows and their number, "-" off a hit; with a tail,
# only the hits inside it.  A large view is counted between keys.
. "$srcdir/ui-lib.sh"

if [ -z "${SIMULATE:-}" ] || [ ! -x "$SIMULATE" ]; then
	echo "llmlog-simulate not built: test skipped"
	exit 77
fi

# The screen row (0-based) of the selected entry: drawn in reverse video.
selected_row()
{
	ui_screen -e | grep -nE "$(printf '\033')\[([0-9;]*;)?7[;m]" |
	    head -n 1 | cut -d: -f1 | awk '{ print $1 - 1 }'
}

search()
{
	ui_keys "$1"
	ui_wait "^\\$1" "the search prompt"
	ui_keys -l "$2"
	ui_keys Enter
}

mkdir -m 700 "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" --entries 300 --start 2026-11-20T10:00:00Z \
    --span 3d >/dev/null 2>&1 || ui_fail "llmlog-simulate"
total=$("$LLMLOG" -d "$UI_LOGS" | wc -l)
# a hit is an entry whose line the pattern matches (caseless: smart case);
# with --raw the lines are the raw JSON, which grep counts too
hits=$("$LLMLOG" -d "$UI_LOGS" -o json | grep -ci 'denied')
[ "$hits" -ge 3 ] || ui_fail "the data has $hits hits, not 3 or more"

UI_COLS=80 UI_ROWS=24 ui_start --raw
ui_wait "$total/$total +FOLLOW"

# from the end, / wraps to the first hit, far above the screen
search / denied
ui_wait "search:/denied/ 1/$hits " "the first of $hits hits"
row=$(selected_row)
[ "$row" -ge 4 ] || ui_fail "the hit on row $row: no three rows above it"
ui_ok "a hit above the screen shows with rows above it (row $row)"

# the rank follows n and N, and wraps
ui_keys n
ui_wait "search:/denied/ 2/$hits " "n: the second"
ui_keys N N
ui_wait "search:/denied/ $hits/$hits " "N N: wrapped to the last"
ui_keys n
ui_wait "search:/denied/ 1/$hits " "n: wrapped to the first"
ui_keys Up
ui_wait "search:/denied/ -/$hits " "off a hit"
ui_ok "the rank among the hits"

# a hit below the screen, found backward from the top
ui_keys Home
ui_wait " 1/$total "
search '?' denied
ui_wait "search:/denied/ $hits/$hits " "? from the top: the last hit"
row=$(selected_row)
[ "$row" -ge 4 ] || ui_fail "the hit on row $row: no three rows above it"
ui_ok "a hit below the screen shows with rows above it (row $row)"

# with a tail only the hits inside it count
ui_keys '#'
ui_keys -l 150
ui_keys Enter
in_tail=$("$LLMLOG" -d "$UI_LOGS" -n 150 -o json | grep -ci 'denied')
ui_wait "search:/denied/ [-?0-9]+/$in_tail " "$in_tail hits in the last 150"
ui_keys Escape c
ui_wait "search:/denied/ [-?0-9]+/$hits "
ui_quit
ui_ok "hits inside a tail"

# a large view: counted between keys, the same number at the end
rm -rf "$UI_LOGS"
"$SIMULATE" -d "$UI_LOGS" -n 100000 --backups 0 >/dev/null 2>&1 ||
    ui_fail "llmlog-simulate"
big=$("$LLMLOG" -d "$UI_LOGS" -o json | grep -ci 'git_')
ui_start --raw
ui_wait '100000/100000 '
search / 'git_'
ui_keys h
ui_wait 'llmlog keys' "a key answered while counting"
ui_keys q
ui_wait "search:/git_/ [0-9]+/$big " "all $big hits counted"
ui_quit
ui_ok "a large view counted between keys"

# an empty list: no selection to count up to
ui_start -k no_entry_says_this
ui_wait ' 0/0 '
search / denied
ui_wait "search:/denied/ -/0 " "an empty list's count"
ui_reject '\?/0' "no count pending in an empty list"
ui_quit
ui_ok "an empty list's search count"
