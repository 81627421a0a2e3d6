#!/bin/sh
# test-cli-follow-stdin.sh - llmlog --follow -: the lines of standard input
# are printed as they come (the pipe stays open between them), and no
# directory is read (LLMLOG_DIR names one with other entries).  As tail -f:
# at the end of a pipe it exits 0 by itself; with a directory too it goes
# on following the directory; a regular file as standard input is followed
# as it grows.  Waits are generous (up to 10 s per step) and only for the
# output to appear or the process to end: no timing is asserted.

. "${srcdir:-.}/follow-lib.sh"
follow_setup follow-stdin

entry() {
	printf '{"category":"%s","timestamp":"2024-01-12T10:00:%sZ","level":"INFO","event":"user_interaction","user_input":"line %s","response_summary":"","tool_calls":[],"success":true,"duration_ms":1.0,"pid":1}\n' "$1" "$2" "$3"
}

entry user 00 "of the directory" > "$tmp/logs/user_interactions.log"
mkfifo "$tmp/in" || exit 99
TZ=UTC LLMLOG_DIR="$tmp/logs" "$LLMLOG" --no-color --utc --follow - \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"
entry user 01 one >&3
wait_for '"line one"'
entry user 02 two >&3
wait_for '"line two"'
exec 3>&-
wait_exit

cat > "$tmp/want" <<'EOT'
2024-01-12 10:00:01.000 INFO     user        "line one" ok 1.0ms
2024-01-12 10:00:02.000 INFO     user        "line two" ok 1.0ms
EOT
if ! cmp -s "$tmp/want" "$tmp/out"; then
	echo "FAIL: output differs"
	diff -u "$tmp/want" "$tmp/out"
	exit 1
fi
if [ "$status" -ne 0 ] || [ -s "$tmp/err" ]; then
	echo "FAIL: status $status, errors:"
	cat "$tmp/err"
	exit 1
fi
echo "ok: follow - prints standard input's lines as they come, ends with it"

# check WANT STATUS: the output is WANT, nothing on stderr, status STATUS
check() {
	if ! printf '%s' "$1" | cmp -s - "$tmp/out"; then
		echo "FAIL: $3: output differs"
		printf '%s' "$1" | diff -u - "$tmp/out"
		exit 1
	fi
	if [ "$status" -ne "$2" ] || [ -s "$tmp/err" ]; then
		echo "FAIL: $3: status $status, errors:"
		cat "$tmp/err"
		exit 1
	fi
}

# a pipe that has already ended: its lines, then exit 0
entry user 03 three | TZ=UTC LLMLOG_DIR="$tmp/logs" "$LLMLOG" --no-color \
    --utc -f - >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_exit
check '2024-01-12 10:00:03.000 INFO     user        "line three" ok 1.0ms
' 0 "a pipe"
echo "ok: follow - of a pipe that ended exits 0"

# standard input and a directory: after the pipe's end, the directory is
# still followed
rm -f "$tmp/in"
mkfifo "$tmp/in" || exit 99
TZ=UTC "$LLMLOG" --no-color --utc -f - "$tmp/logs" <"$tmp/in" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"
entry user 04 four >&3
wait_for '"line four"'
exec 3>&-
entry user 05 five >> "$tmp/logs/user_interactions.log"
wait_for '"line five"'
kill -INT "$pid"
wait "$pid"
status=$?
pid=
check 'logs 2024-01-12 10:00:00.000 INFO     user        "line of the directory" ok 1.0ms
-    2024-01-12 10:00:04.000 INFO     user        "line four" ok 1.0ms
logs 2024-01-12 10:00:05.000 INFO     user        "line five" ok 1.0ms
' 0 "a pipe and a directory"
echo "ok: follow - DIR goes on following DIR after the pipe's end"

# a regular file as standard input: followed as it grows
entry user 06 six > "$tmp/grows"
TZ=UTC LLMLOG_DIR="$tmp/logs" "$LLMLOG" --no-color --utc -f - \
    <"$tmp/grows" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for '"line six"'
entry user 07 seven >> "$tmp/grows"
wait_for '"line seven"'
kill -INT "$pid"
wait "$pid"
status=$?
pid=
check '2024-01-12 10:00:06.000 INFO     user        "line six" ok 1.0ms
2024-01-12 10:00:07.000 INFO     user        "line seven" ok 1.0ms
' 0 "a regular file"
echo "ok: follow - <FILE follows FILE as it grows"
