#!/bin/sh
# test-ui-trace.sh - the trace screen: o on a tool entry opens its
# request's tree (every entry of the trace, from every file), with the
# waterfall drawn, failures red and the slowest path marked; Enter opens
# an entry and Esc comes back to the tree, then to the list; [ and ] step
# through the requests of the conversation; o in the detail view too.
. "$srcdir/ui-lib.sh"

mkdir -p "$UI_LOGS"
cp "$srcdir/data/cli/traces"/* "$UI_LOGS/"
chmod 700 "$UI_LOGS"
chmod 600 "$UI_LOGS"/*

A=4bf92f3577b34da6a3ce929d0e0e4736
UI_COLS=140 ui_start -c tool -k read_file
ui_wait '1/1'
ui_keys o
ui_wait "^Trace $A: 7 entries" "o opens the request's trace"
ui_expect 'conversation conv-7$' "the conversation"
ui_expect 'OFFSET +DURATION +WATERFALL' "the column heads"
ui_expect '^\* +\+0\.0ms +5\.00s \|█+\| user +"summarise /etc/passwd"' \
    "the root: on the slowest path, its bar the whole width"
ui_expect '^ +\+1\.20s +800\.0ms \| +█+ +\|   tool +read_file' \
    "a child indented, its bar where its span is"
ui_expect '^ +\+1\.50s +- \|.*█.*\|     security +DENIED' "a grandchild"
ui_expect 'get_file_info .*\(parent missing\)' "a span whose parent is gone"
ui_expect '^\* +\+4\.80s +50\.0ms .*performance +parse_response' \
    "the slowest path goes down the longest child"
ui_ok "the tree with its waterfall"

# the read_file row (o's entry, selected) is red
row=$(ui_screen | grep -n 'tool  *read_file' | head -1 | cut -d: -f1)
ui_cells | awk -v r="$((row - 1))" '$1 == r && $6 == "r" { n++; if ($3 != 1 && $3 != 9 && $3 != 196 && $3 != 160) bad = 1 }
    END { exit !(n > 0 && !bad) }' || ui_fail "the failed tool's row is not red"
ui_ok "failures red"

ui_keys Enter
ui_wait '^tool_name: read_file' "Enter opens the selected entry"
ui_expect 'Entry of the trace'
ui_keys Escape
ui_wait "^Trace $A" "Esc: back to the tree"
ui_keys '['
ui_wait '^Trace 5b8aa5a2d2c872e8321cf37308d69df2: 2 entries' "[: the earlier request"
ui_expect 'request 1 of 2'
ui_expect 'what is in my home directory'
ui_keys '['
ui_wait 'no earlier request in the conversation'
ui_keys ']'
ui_wait "^Trace $A" "]: the next request"
ui_expect 'conversation conv-7, request 2 of 2' "its place in the conversation"
ui_ok "[ and ] through the conversation"
ui_keys Escape
ui_wait '1/1' "Esc: back to the list"
ui_expect 'read_file /etc/passwd \(filesystem\) FAILED'

# from the detail view: o, then Esc back to that detail
ui_keys Enter
ui_wait '^tool_name: read_file'
ui_keys o
ui_wait "^Trace $A" "o in the detail view"
ui_keys Escape
ui_wait '^Entry 1 of 1' "Esc: back to the detail"
ui_keys q
ui_wait '1/1'
ui_ok "o from the detail view"
ui_quit

# the dashboard's panel
UI_COLS=160 UI_ROWS=60 ui_start
ui_wait '14/14'
ui_keys 8
ui_wait 'Slowest requests' "the panel"
ui_expect 'Tool calls/request +1\.0'
ui_expect 'LLM calls/request +1\.3'
ui_expect 'FAILED summarise /et… +5\.00s' "the slowest first, failed"
ui_expect '2 llm 4\.00s, 2 tools 1\.10s +600 tok' "what its time went to"
ui_expect ' cost +\$0\.000374 ' "its calls' cost"
ui_expect 'openai +\$0\.0006 ' "costs as costs"
ui_expect 'Cost/request +\$0\.0003575' "the cost per request"
ui_expect '10:40:03 what is in my home d… +3\.00s'
ui_ok "the slowest-requests panel"
row=$(ui_screen | grep -n 'FAILED summarise' | head -1 | cut -d: -f1)
# the row's column: panels sit side by side, so another panel's cursor
# may be on the same screen line
line=$(ui_screen | sed -n "${row}p")
col=$(printf %s "${line%%FAILED summarise*}" | LC_ALL=C.UTF-8 wc -m)
i=0
while ! ui_cells | awk -v r="$((row - 1))" -v c="$col" '$1 == r && $2 == c && $5 ~ /r/ { f = 1 } END { exit !f }'; do
	i=$((i + 1))
	[ $i -le 80 ] || ui_fail "the row cursor never reached the slowest request"
	ui_keys Down
	sleep 0.05
done
ui_keys Enter
ui_wait '^user_input: summarise /etc/passwd' "Enter opens the request"
ui_keys o
ui_wait "^Trace $A: 7 entries" "o: its trace"
ui_ok "from the panel to the trace"
ui_keys Escape
ui_wait '^user_input: summarise /etc/passwd' "Esc: back to the request's entry"
ui_keys q
ui_wait_gone '^user_input: ' "q: out of the detail view"
ui_quit

# at 80 columns the heading does not fit: the ids are cut, what it says
# stays whole
UI_COLS=80 UI_ROWS=24 ui_start -c tool -k read_file
ui_wait '1/1'
ui_keys o
ui_wait "^Trace 4bf92f[0-9a-f]*…: 7 entries" "the trace id cut"
ui_keys '['
ui_wait 'conv conv-7, req 1/2 *$' "[: the conversation and the request"
ui_keys ']'
ui_wait "^Trace 4bf92f[0-9a-f]*…: 7 entries, 5.00s, 2 failed, 1 orphaned; conv conv-7, req 2/2 *\$" \
    "the whole heading, its ids cut"
ui_keys q
ui_wait_gone '^Trace ' "q: back to the list"
ui_quit
ui_ok "the heading at 80 columns"
