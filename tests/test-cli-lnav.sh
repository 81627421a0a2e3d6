#!/bin/sh
# test-cli-lnav.sh - the lnav format of contrib/lnav/llmlog.json parses our
# lines: installed into a scratch HOME, lnav must see every fixture line in
# its six tables with the right levels, and show each line's fields apart.  Skipped (77) without lnav.

: "${srcdir:=.}"
[ -n "$LNAV" ] && [ -x "$LNAV" ] || { echo "lnav not found: skipped"; exit 77; }
format="$srcdir/../contrib/lnav/llmlog.json"
logs="$srcdir/data/cli/logs"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-lnav.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
HOME="$tmp"
XDG_CONFIG_HOME="$tmp/config"
export HOME XDG_CONFIG_HOME
unset LNAV_HOME

"$LNAV" -i "$format" >"$tmp/install.out" 2>&1 || {
	echo "FAIL: lnav -i refused the format:"; cat "$tmp/install.out"; exit 1; }

# The six tables of the format, one per category.
tables="llmlog_user llmlog_system llmlog_tool llmlog_llm llmlog_security llmlog_performance"

# The last line of a one-value query, trimmed.
query() {
	"$LNAV" -n -c ";$1" "$logs"/*.log "$logs"/*.log.* 2>"$tmp/err" |
	    tail -n 1 | tr -d ' '
}

fail=0
want=$(cat "$logs"/*.log "$logs"/*.log.* | wc -l | tr -d ' ')
# the sum over the six tables of a count with an optional WHERE clause
count_all() {
	sql="SELECT 0"
	for t in $tables; do
		sql="$sql + (SELECT count(*) FROM $t $1)"
	done
	query "$sql AS n"
}

got=$(count_all "")
if [ "$got" != "$want" ]; then
	echo "FAIL: lnav saw $got lines in its llmlog tables, expected $want"
	cat "$tmp/err"
	fail=1
fi
for level in ERROR WARNING CRITICAL; do
	want=$(cat "$logs"/*.log "$logs"/*.log.* | grep -c "\"level\":\"$level\"")
	got=$(count_all "WHERE log_level = lower('$level')")
	if [ "$got" != "$want" ]; then
		echo "FAIL: lnav counted $got $level lines, expected $want"
		fail=1
	fi
done
want=$(grep -c '"tool_name":"list_directory"' "$logs"/tool_executions.log)
got=$(query "SELECT count(*) AS n FROM llmlog_tool WHERE tool_name = 'list_directory'")
if [ "$got" != "$want" ]; then
	echo "FAIL: lnav found $got list_directory calls, expected $want"
	fail=1
fi
# the summary fields are separated, on every lnav version (0.11.1 has no
# prefix/suffix in line-format: the separators are literal elements)
"$LNAV" -n "$logs"/llm_calls.log "$logs"/tool_executions.log >"$tmp/view" 2>&1
for want in "llm         groq/llama3-70b-8192 tokens=230 true 1234.5" \
    "tool        filesystem/read_file false 0.8" "Permission denied"; do
	if ! grep -qF "$want" "$tmp/view"; then
		echo "FAIL: lnav's view lacks '$want':"
		cat "$tmp/view"
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "ok: lnav reads the fixtures with contrib/lnav/llmlog.json"
exit "$fail"
