# follow-lib.sh - sourced by the tests that run llmlog --follow in the
# background: follow_setup NAME makes the temporary directory $tmp (and
# $tmp/logs) and the trap that stops $pid and removes it; wait_for and
# wait_exit wait for what llmlog writes to $tmp/out and $tmp/err.  Waits are
# generous (up to 10 s a step) and only for output to appear or the process
# to end: no timing is asserted.

: "${LLMLOG:=../tui/llmlog}"
pid=

follow_cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}

# follow_setup NAME
follow_setup() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-$1.XXXXXX") || exit 99
	trap follow_cleanup EXIT INT TERM
	mkdir -m 700 "$tmp/logs" || exit 99
}

# wait_for TEXT: until the output holds TEXT
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

# wait_exit: until llmlog ended by itself; its status in $status
wait_exit() {
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			echo "FAIL: still running after the end of its input;" \
			    "output so far:"
			cat "$tmp/out" "$tmp/err"
			exit 1
		fi
		sleep 0.1
	done
	wait "$pid"
	status=$?
	pid=
}
