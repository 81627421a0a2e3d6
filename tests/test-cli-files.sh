#!/bin/sh
# test-cli-files.sh - no file is dropped in silence: any number of backups
# is read under a small descriptor limit (they are opened as needed); a
# FIFO, a directory, a symbolic link or an unreadable file at a log name is
# named on stderr while the rest is shown, with exit status 2, and never
# blocks; a directory without log files is named, with status 1; one that
# does not exist is named, with status 2.
set -u
: "${LLMLOG:=../tui/llmlog}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-files.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

entry() {	# n: one user entry, n seconds after midnight
	printf '{"category":"user","timestamp":"2026-01-01T%02d:%02d:%02d.000Z","level":"INFO","event":"user_interaction","user_input":"n=%d","success":true}\n' \
	    $(($1 / 3600)) $(($1 / 60 % 60)) $(($1 % 60)) "$1"
}

# run NAME ARGS...: llmlog under a timeout (a FIFO must never block it);
# stdout in $tmp/NAME.out, stderr in $tmp/NAME.err, status in $st
run() {
	name=$1
	shift
	timeout 20 "$LLMLOG" --no-color --utc "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	st=$?
}

# 300 backups and the current file, read under a limit of 64 descriptors
d=$tmp/many
mkdir "$d"
i=0
while [ $i -le 300 ]; do
	if [ $i -eq 0 ]; then f=$d/user_interactions.log; else f=$d/user_interactions.log.$i; fi
	entry $((300 - i)) >"$f"
	i=$((i + 1))
done
(ulimit -n 64 && exec timeout 60 "$LLMLOG" -p --no-color --utc -d "$d") \
    >"$tmp/many.out" 2>"$tmp/many.err"
st=$?
[ "$st" -eq 0 ] || fail "300 backups under ulimit -n 64: exit $st: $(head -3 "$tmp/many.err")"
n=$(wc -l <"$tmp/many.out")
[ "$n" -eq 301 ] || fail "300 backups under ulimit -n 64: $n of 301 entries shown"
tail -1 "$tmp/many.out" | grep -q '"n=300"' || fail "300 backups: the newest entry is not last"
[ -s "$tmp/many.err" ] && fail "300 backups: stderr: $(head -3 "$tmp/many.err")"
(ulimit -n 64 && exec timeout 60 "$LLMLOG" --stats -o json -d "$d") >"$tmp/many.json" 2>&1
grep -q '"total":301,' "$tmp/many.json" || fail "300 backups: --stats does not count 301"
echo "ok: 300 backups under ulimit -n 64"

# what is no log file, at a log name
d=$tmp/odd
mkdir "$d"
entry 1 >"$d/user_interactions.log"
entry 2 >"$d/user_interactions.log.1"
mkfifo "$d/llm_calls.log"
mkdir "$d/tool_executions.log"
ln -s "$d/user_interactions.log" "$d/security.log"
for mode in -p --stats --list; do
	run odd "$mode" -d "$d"
	[ "$st" -eq 2 ] || fail "odd files, $mode: exit $st, expected 2"
	for what in "llm_calls.log: a FIFO, not a log file" \
	    "tool_executions.log: a directory, not a log file" \
	    "security.log: a symbolic link, not followed"; do
		grep -qF "llmlog: $d/$what" "$tmp/odd.err" ||
			fail "odd files, $mode: '$what' not named on stderr"
	done
done
run odd -p -d "$d"
[ "$(grep -c '"n=[12]"' "$tmp/odd.out")" -eq 2 ] ||
	fail "odd files: the readable entries are not all shown"
echo "ok: a FIFO, a directory and a symbolic link at log names are named, exit 2"

# a file that cannot be opened (root opens any file: not testable then)
if [ "$(id -u)" -ne 0 ]; then
	d=$tmp/mode
	mkdir "$d"
	entry 1 >"$d/user_interactions.log"
	entry 2 >"$d/performance.log"
	chmod 000 "$d/performance.log"
	run mode -p -d "$d"
	[ "$st" -eq 2 ] || fail "unreadable file: exit $st, expected 2"
	grep -qF "llmlog: $d/performance.log: Permission denied" "$tmp/mode.err" ||
		fail "unreadable file not named: $(cat "$tmp/mode.err")"
	grep -q '"n=1"' "$tmp/mode.out" || fail "unreadable file: the readable entry is lost"
	chmod 600 "$d/performance.log"
	echo "ok: an unreadable file is named, exit 2"
else
	echo "running as root: the unreadable-file case is not testable"
fi

# a directory with no log files, and one that does not exist
d=$tmp/empty
mkdir "$d"
touch "$d/notes.txt"
for mode in -p --stats --list; do
	run empty "$mode" -d "$d"
	[ "$st" -eq 1 ] || fail "empty directory, $mode: exit $st, expected 1"
	grep -qxF "llmlog: no log files in $d" "$tmp/empty.err" ||
		fail "empty directory, $mode: stderr is '$(cat "$tmp/empty.err")'"
done
run missing -p -d "$tmp/nowhere"
[ "$st" -eq 2 ] || fail "missing directory: exit $st, expected 2"
grep -qF "$tmp/nowhere" "$tmp/missing.err" || fail "missing directory not named"
echo "ok: an empty directory exits 1, a missing one 2, each named"

# a FIFO that appears while following is named, and blocks nothing
d=$tmp/follow
mkdir "$d"
entry 1 >"$d/user_interactions.log"
"$LLMLOG" -f --no-color --utc -d "$d" </dev/null >"$tmp/follow.out" 2>"$tmp/follow.err" &
pid=$!
i=0
until grep -q '"n=1"' "$tmp/follow.out" 2>/dev/null || [ $i -gt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkfifo "$d/llm_calls.log"
entry 2 >>"$d/user_interactions.log"
i=0
until grep -q '"n=2"' "$tmp/follow.out" && grep -q 'llm_calls.log: a FIFO' "$tmp/follow.err" ||
    [ $i -gt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -INT $pid
wait $pid
st=$?
grep -q '"n=2"' "$tmp/follow.out" || fail "follow: an entry after the FIFO appeared was not shown"
grep -qF "llmlog: $d/llm_calls.log: a FIFO, not a log file" "$tmp/follow.err" ||
	fail "follow: the FIFO was not named: $(cat "$tmp/follow.err")"
[ "$(grep -c FIFO "$tmp/follow.err")" -eq 1 ] || fail "follow: the FIFO was named more than once"
[ "$st" -eq 2 ] || fail "follow: exit $st after naming an unreadable file, expected 2"
echo "ok: follow names a FIFO once, and goes on"

[ $fails -eq 0 ]
