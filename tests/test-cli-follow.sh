#!/bin/sh
# test-cli-follow.sh - llmlog --follow --tail 1: shows the last entry, then
# each appended one (also one written late, with an earlier time than one
# already shown, as another process may), through a rotation (the file
# renamed to .1 and a new one started), and ends with status 0 on SIGINT.  Waits are generous
# (up to 10 s per step) and only for the output to appear: no timing is
# asserted.

. "${srcdir:-.}/follow-lib.sh"
follow_setup follow
dir="$tmp/logs"
log="$dir/user_interactions.log"

entry() {
	printf '{"category":"user","timestamp":"2024-01-12T10:00:%sZ","level":"INFO","event":"user_interaction","user_input":"line %s","response_summary":"","tool_calls":[],"success":true,"duration_ms":1.0,"pid":1}\n' "$1" "$2"
}

entry 00 zero > "$log"
entry 01 one >> "$log"
TZ=UTC "$LLMLOG" -d "$dir" --no-color --utc --follow --tail 1 \
    </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for '"line one"'
entry 02 two >> "$log"
wait_for '"line two"'
entry 01.500 late >> "$log"
wait_for '"line late"'
mv "$log" "$log.1"
entry 03 three > "$log"
wait_for '"line three"'
kill -INT "$pid"
wait "$pid"
status=$?
pid=

cat > "$tmp/want" <<'EOT'
2024-01-12 10:00:01.000 INFO     user        "line one" ok 1.0ms
2024-01-12 10:00:02.000 INFO     user        "line two" ok 1.0ms
2024-01-12 10:00:01.500 INFO     user        "line late" ok 1.0ms
2024-01-12 10:00:03.000 INFO     user        "line three" ok 1.0ms
EOT
if [ "$status" -ne 0 ]; then
	echo "FAIL: exit status $status after SIGINT, expected 0"
	cat "$tmp/err"
	exit 1
fi
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: output differs"
	diff -u "$tmp/want" "$tmp/out"
	exit 1
fi
echo "ok: follow with --tail 1, through rotation, ended by SIGINT"
