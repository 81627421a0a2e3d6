#!/bin/sh
# test-ui-basic.sh - the explorer's first screen: tabs with their counts,
# switching tabs, malformed and hostile lines, the detail view and back,
# the help screen and a clean quit.
. "$srcdir/ui-lib.sh"

ui_fixture basic
ui_start
ui_wait 'All 24' "the tab bar counts every entry"
for t in 'User 4' 'System 5' 'Tool 5' 'LLM 4' 'Security 3' 'Performance 3' 'Stats'; do
	ui_expect "$t" "tab $t"
done
ui_wait '24/24 +FOLLOW' "opened at the end, following"
ui_ok "tabs and counts"

# malformed lines are shown and marked, and counted in the status line
ui_expect '^- +MALFORMED +user +\{"category":"user"' "malformed line marked, shown raw"
ui_status | grep -q 'malformed:2' || ui_fail "status counts malformed lines"
ui_ok "malformed lines"

# an escape sequence in a log is made visible: had it reached the
# terminal, tmux would have eaten "[31m" as a colour change
ui_expect 'evil \^\[\[31mRED\^\[\[0m text' "ESC shown as ^["
ui_expect 'garbage \^\[\]0;pwned' "ESC in a malformed line shown as ^["
if ui_screen | grep -q "$(printf '\033')"; then
	ui_fail "raw ESC on the screen"
fi
case $(tm display-message -p -t 0 '#{pane_title}') in
*pwned*) ui_fail "an OSC sequence from the log set the title" ;;
esac
ui_ok "hostile text sanitised"

# wide characters are kept whole
ui_expect '日本語のファイルを一覧' "wide characters"

# switching tabs: Tab, a number key, Shift-Tab, a mouse click
ui_keys Tab
ui_wait '4/4 ' "the User tab lists 4 entries"
ui_reject ' tool +list_directory' "no tool entries on the User tab"
ui_keys 4
ui_wait '5/5 ' "key 4: the Tool tab"
ui_screen | sed -n '2,6p' | grep -q 'tool' || ui_fail "tool rows"
ui_keys BTab
ui_wait 'error mcp_orchestrator' "Shift-Tab: the System tab"
ui_expect '5/5 ' "five system entries"
# a click on the first tab (xterm mouse report: button 1 press and release)
tm send-keys -t 0 -l "$(printf '\033[M !!\033[M#!!')"
ui_wait '24/24 ' "a click on All"
ui_ok "tab switching"

# the detail view: first entry, Enter, back with q to the same place
ui_keys Home
ui_wait ' 1/24 ' "Home selects the first entry"
ui_keys Down Down
ui_wait ' 3/24 ' "Down moves the selection"
ui_keys Enter
ui_wait '^Entry 3 of 24: .*tool_executions.log, byte [0-9]+, [0-9]+ bytes' "the detail view's header"
ui_expect '^category: ' "fields one per line"
ui_keys ']'
ui_wait '^Entry 4 of 24: .*llm_calls.log' "] shows the next entry"
ui_keys '['
ui_wait '^Entry 3 of 24: ' "[ the previous one"
ui_keys q
ui_wait '3/24 +PAUSED' "back at the same place"
ui_ok "detail view"

# the long result wraps in the detail view
ui_keys End
ui_keys 4
ui_wait '5/5 ' "Tool tab"
ui_keys Home Down Down Enter
ui_wait 'result_summary: The quick' "the long summary"
n=$(ui_screen | grep -c 'lazy dog')
[ "$n" -ge 3 ] || ui_fail "a long string wrapped over several lines ($n)"
ui_keys r
ui_wait '"result_summary":"The quick' "r shows the raw line"
ui_keys Escape
ui_wait 'PAUSED' "Esc leaves the detail view"
ui_ok "wrapping and raw view"

# help lists every key
ui_keys h
ui_wait 'llmlog keys' "the help screen"
for k in 'Tab, Shift-Tab' 'n, N' 'f, &' 't, T'; do
	ui_expect "$k" "help names $k"
done
ui_keys Space Space
ui_wait 'q, Ctrl-C +quit' "the end of the help after two pages down"
ui_expect 'h, F1'
ui_expect 'Backspace, Ctrl-U' "still the help screen"
ui_keys q
ui_wait_gone 'Backspace, Ctrl-U' "help closes"
ui_keys F1
ui_wait 'llmlog keys' "F1 opens help"
ui_keys Escape
ui_wait_gone 'llmlog keys'
ui_ok "help"

# the mouse: the wheel scrolls, a click selects
ui_keys 1 End
ui_wait '24/24 +FOLLOW'
tm send-keys -t 0 -l "$(printf '\033[M`!!')"
ui_wait '21/24 +PAUSED' "the wheel moves up three entries"
tm send-keys -t 0 -l "$(printf '\033[M #$\033[M##$')"
ui_wait ' 3/24 ' "a click on the third row"
ui_ok "mouse"

ui_quit
ui_ok "quit"

# Ctrl-C restores the terminal and ends the program
ui_start
ui_wait '24/24 '
ui_keys C-c
ui_wait '\[llmlog exited 130\]' "Ctrl-C quits"
ui_reject 'All 24' "the screen is restored"
ui_ok "Ctrl-C"

# SIGTERM ends it cleanly too; a fatal signal restores the terminal and
# then kills the program as it would have
llmlog_pid()
{
	ps -o pid= --ppid "$(tm display-message -p -t 0 '#{pane_pid}')" |
	    head -n 1 | tr -d ' '
}
ui_start
ui_wait '24/24 '
kill -TERM "$(llmlog_pid)"
ui_wait '\[llmlog exited 143\]' "SIGTERM quits"
ui_reject 'All 24' "the screen is restored after SIGTERM"
ui_start
ui_wait '24/24 '
kill -SEGV "$(llmlog_pid)"
ui_wait '\[llmlog exited 139\]' "SIGSEGV still kills"
ui_reject 'All 24' "the screen is restored after SIGSEGV"
ui_ok "signals"
