#!/bin/sh
# test-cli-follow-stdin.sh - llmlog --follow -: the lines of standard input
# are printed as they come (the pipe stays open between them), and no
# directory is read (LLMLOG_DIR names one with other entries).  Waits are
# generous (up to 10 s per step) and only for the output to appear: no
# timing is asserted.

: "${LLMLOG:=../tui/llmlog}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-follow-stdin.XXXXXX") || exit 99
pid=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -m 700 "$tmp/logs" || exit 99

entry() {
	printf '{"category":"%s","timestamp":"2024-01-12T10:00:%sZ","level":"INFO","event":"user_interaction","user_input":"line %s","response_summary":"","tool_calls":[],"success":true,"duration_ms":1.0,"pid":1}\n' "$1" "$2" "$3"
}

# wait_for TEXT: until the output holds TEXT (or 10 s passed)
wait_for() {
	i=0
	while ! grep -qF "$1" "$tmp/out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			echo "FAIL: '$1' never appeared; output so far:"
			cat "$tmp/out" "$tmp/err"
			exit 1
		fi
		sleep 0.1
	done
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
kill -INT "$pid"
wait "$pid"
status=$?
pid=

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
echo "ok: follow - prints standard input's lines as they come"
