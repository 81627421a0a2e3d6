#!/bin/sh
# test-ui-detail.sh - the detail view's multi-line values: the lines after
# a value's first start under the value, not at the left edge where they
# would read as keys, nested values too, and a long one wraps there.
. "$srcdir/ui-lib.sh"

ui_fixture basic
printf '%s\n' '{"category":"tool","timestamp":"2026-11-26T11:00:00.000Z","level":"INFO","event":"tool_execution","pid":1,"tool_name":"run_command","tool_server":"shell","success":true,"duration_ms":5.0,"result_summary":"first line\nsecond line\n  indented third\nand a fourth line long enough to wrap at eighty columns because it goes on and on","parameters":{"command":"ls -l\npwd"}}' \
    >>"$UI_LOGS/tool_executions.log"

# The row that follows the one matching $1, exactly.
row_after()
{
	ui_screen | grep -A1 -E -- "$1" | sed -n 2p
}

UI_COLS=80 ui_start
ui_wait '25/25 +FOLLOW'
ui_keys Enter
ui_wait '^result_summary: first line$' "the value's first line after its key"
pad='                '	# the width of "result_summary: "
[ "$(row_after '^result_summary: first line$')" = "${pad}second line" ] ||
    ui_fail "the second line is not under the value"
[ "$(row_after "^${pad}second line\$")" = "${pad}  indented third" ] ||
    ui_fail "the third line (with its own indent) is not under the value"
[ "$(row_after "^${pad}  indented third\$")" = \
    "${pad}and a fourth line long enough to wrap at eighty columns because" ] ||
    ui_fail "the fourth line is not under the value"
[ "$(row_after "^${pad}and a fourth line")" = "${pad}it goes on and on" ] ||
    ui_fail "the fourth line wraps under the value"
ui_reject '^(second line|  indented third|and a fourth|it goes on)' \
    "no piece of a value at the left edge"
ui_ok "multi-line value under its key"

ui_expect '^  command: ls -l$' "a nested value"
[ "$(row_after '^  command: ls -l$')" = "           pwd" ] ||
    ui_fail "the nested value's second line is not under it"
ui_ok "nested multi-line value"
ui_keys q
ui_wait '25/25 +FOLLOW' "back in the list"
ui_quit
