#!/bin/sh
# test-sim-jq.sh - llmlog-simulate's files read as JSON with jq(1): every
# line parses, as do the lines of three processes rotating small files;
# jq '.' works (the first recipe of llmlog(5) EXAMPLES) and finds as many
# errors as grep does; total_tokens adds up; one writer's timestamps never
# go back and stay inside --start and --span; CJK text round-trips.
# Skipped (77) without jq.
set -u

SIMULATE=${SIMULATE:-${top_builddir:-..}/examples/llmlog-simulate}
JQ=${JQ:-$(command -v jq)}
[ -n "$JQ" ] && [ -x "$JQ" ] || { echo "SKIP: jq not found"; exit 77; }
[ -x "$SIMULATE" ] || { echo "FAIL: $SIMULATE not built"; exit 1; }
unset LLMLOG_DIR LLMLOG_LEVEL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-sim-jq.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
N=3000

fail()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

ok()
{
	echo "ok: $*"
}

# run DIR ARGS...: the simulator with a fixed seed and time, as test-sim.sh
run()
{
	d=$1
	shift
	"$SIMULATE" --dir "$d" --seed 3000 --start 2026-11-26T09:00:00Z \
	    --span 2h "$@" >"$tmp/out" 2>"$tmp/err"
}

D=$tmp/logs
run "$D" --entries $N || fail "simulator exited $?: $(cat "$tmp/err")"

parsed=$(cat "$D"/*.log | "$JQ" -c 'select(type == "object")' | wc -l)
[ "$parsed" -eq $N ] || fail "jq parsed $parsed objects, not $N"
"$JQ" '.' "$D/user_interactions.log" >/dev/null || fail "jq . failed"

errors=$(grep '"level":"ERROR"' "$D"/*.log | wc -l)
errors_jq=$(cat "$D"/*.log | "$JQ" -r 'select(.level == "ERROR") | .level' | wc -l)
[ "$errors" -eq "$errors_jq" ] || fail "grep found $errors errors, jq $errors_jq"

llm_total=$("$JQ" -r 'select(.total_tokens != .prompt_tokens + .completion_tokens)' \
    "$D/llm_calls.log" | wc -l)
[ "$llm_total" -eq 0 ] || fail "$llm_total LLM lines where total != prompt + completion"

for f in "$D"/*.log; do
	"$JQ" -r '.timestamp' "$f" | LC_ALL=C sort -c 2>/dev/null ||
		fail "$(basename "$f"): one writer's timestamps go backwards"
done
secs=$(cat "$D"/*.log | "$JQ" -r '.timestamp' | sort | sed -n '1p;$p' | tr '\n' ' ')
case $secs in
"2026-11-26T09:"*" 2026-11-26T10:"*) ok "timestamps within --start/--span ($secs)" ;;
*) fail "timestamps outside 09:00..11:00: $secs" ;;
esac

got=$("$JQ" -r 'select(.user_input | test("の中身")) | .user_input' \
    "$D/user_interactions.log" | head -n 1)
case $got in
*'の中身を一覧表示して') ok "CJK user input round-trips: $got" ;;
*) fail "CJK user input came back as '$got'" ;;
esac

P=$tmp/procs
if run "$P" --entries 2400 --processes 3 --max-bytes 32K --backups 100; then
	parsed=$(cat "$P"/*.log* | "$JQ" -c . 2>/dev/null | wc -l)
	[ "$parsed" -eq 2400 ] || fail "--processes 3: jq parsed $parsed of 2400"
	ok "3 processes: every line parses"
else
	fail "--processes 3 exited $?: $(cat "$tmp/err")"
fi

if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all JSON checks passed"
exit 0
