#!/bin/sh
# test-cli-where-follow.sh - llmlog --follow --tail 1 --where: the last
# entry that passes, then only the appended entries that pass, through a
# rotation.  Waits are only for the output to appear (up to 10 s a step);
# the entries that fail are written before the last one that passes, so
# the output is complete once that one is there.

. "${srcdir:-.}/follow-lib.sh"
follow_setup where-follow
dir="$tmp/logs"
log="$dir/tool_executions.log"

entry() {
	printf '{"category":"tool","timestamp":"2024-01-12T10:00:%sZ","level":"INFO","event":"tool_execution","tool_name":"%s","tool_server":"s","success":true,"duration_ms":%s,"pid":1}\n' "$1" "$2" "$3"
}

{ entry 00 slow_a 9000; entry 01 slow_b 8000; entry 02 fast_a 1; } > "$log"
TZ=UTC "$LLMLOG" -d "$dir" --no-color --utc --follow --tail 1 \
    --where 'duration_ms > 5000' </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for slow_b
{ entry 03 fast_b 2; entry 04 slow_c 6000; } >> "$log"
wait_for slow_c
mv "$log" "$log.1"
{ entry 05 fast_c 3; entry 06 slow_d 7000; } > "$log"
wait_for slow_d
kill -INT "$pid"
wait "$pid"
status=$?
pid=

cat > "$tmp/want" <<'EOT'
2024-01-12 10:00:01.000 INFO     tool        slow_b (s) ok 8,000.0ms
2024-01-12 10:00:04.000 INFO     tool        slow_c (s) ok 6,000.0ms
2024-01-12 10:00:06.000 INFO     tool        slow_d (s) ok 7,000.0ms
EOT
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: output differs"
	diff -u "$tmp/want" "$tmp/out"
	exit 1
fi
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status, expected 0"; exit 1; }
echo "ok: follow shows only what --where lets through"
