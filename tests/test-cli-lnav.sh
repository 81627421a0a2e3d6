#!/bin/sh
# test-cli-lnav.sh - the lnav format of contrib/lnav/llmlog.json parses our
# lines: installed into a scratch HOME, lnav must see every fixture line in
# its llmlog table with the right levels.  Skipped (77) without lnav.

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

# The last line of a one-value query, trimmed.
query() {
	"$LNAV" -n -c ";$1" "$logs"/*.log "$logs"/*.log.* 2>"$tmp/err" |
	    tail -n 1 | tr -d ' '
}

fail=0
want=$(cat "$logs"/*.log "$logs"/*.log.* | wc -l | tr -d ' ')
got=$(query "SELECT count(*) AS n FROM llmlog")
if [ "$got" != "$want" ]; then
	echo "FAIL: lnav saw $got lines in its llmlog table, expected $want"
	cat "$tmp/err"
	fail=1
fi
for level in ERROR WARNING CRITICAL; do
	want=$(cat "$logs"/*.log "$logs"/*.log.* | grep -c "\"level\":\"$level\"")
	got=$(query "SELECT count(*) AS n FROM llmlog WHERE log_level = lower('$level')")
	if [ "$got" != "$want" ]; then
		echo "FAIL: lnav counted $got $level lines, expected $want"
		fail=1
	fi
done
want=$(grep -c '"tool_name":"list_directory"' "$logs"/tool_executions.log)
got=$(query "SELECT count(*) AS n FROM llmlog WHERE tool_name = 'list_directory'")
if [ "$got" != "$want" ]; then
	echo "FAIL: lnav found $got list_directory calls, expected $want"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "ok: lnav reads the fixtures with contrib/lnav/llmlog.json"
exit "$fail"
