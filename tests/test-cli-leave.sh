#!/bin/sh
# test-cli-leave.sh - --follow while entries leave the index: a file
# truncated and written again has its new lines printed (their offsets
# are those of lines already shown); a backup deleted takes its entries
# out without a line printed twice.
. "${srcdir:-.}/follow-lib.sh"
follow_setup leave
dir="$tmp/logs"
log="$dir/user_interactions.log"

entry() {
	printf '{"category":"user","timestamp":"2024-01-12T10:00:%sZ","level":"INFO","event":"user_interaction","user_input":"line %s","success":true,"duration_ms":1.0}\n' "$1" "$2"
}

entry 00 zero >"$log"
entry 01 one >>"$log"
entry 00.500 half >"$log.1"
TZ=UTC "$LLMLOG" -d "$dir" --no-color --utc --follow --tail 1 \
    </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for '"line one"'
: >"$log"			# copytruncate: the same file, empty
entry 03 three >>"$log"
wait_for '"line three"'
rm "$log.1"			# the oldest backup goes
sleep 0.5
entry 04 four >>"$log"
wait_for '"line four"'
kill -INT "$pid"
wait "$pid"
status=$?
pid=

cat >"$tmp/want" <<'EOT'
2024-01-12 10:00:01.000 INFO     user        "line one" ok 1.0ms
2024-01-12 10:00:03.000 INFO     user        "line three" ok 1.0ms
2024-01-12 10:00:04.000 INFO     user        "line four" ok 1.0ms
EOT
fail=0
if [ "$status" -ne 0 ]; then
	echo "FAIL: exit status $status after SIGINT, expected 0"
	fail=1
fi
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: output differs"
	diff -u "$tmp/want" "$tmp/out"
	fail=1
fi
[ $fail -eq 0 ] && echo "ok: follow through truncation and a deleted backup"
exit $fail
