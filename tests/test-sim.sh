#!/bin/sh
# test-sim.sh - the files llmlog-simulate writes through libllmlog: modes,
# the canonical key order, the grep and cut recipes of llmlog(5) EXAMPLES
# working as written, determinism, redaction of planted secrets, UTF-8,
# several processes, and the simulator's own option errors.  The checks
# that read the lines as JSON are test-sim-jq.sh's.
set -u

SIMULATE=${SIMULATE:-${top_builddir:-..}/examples/llmlog-simulate}
# make builds the simulator: without it the build is broken, not this machine
[ -x "$SIMULATE" ] || { echo "FAIL: $SIMULATE not built"; exit 1; }
unset LLMLOG_DIR LLMLOG_LEVEL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-sim.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
N=3000
START=2026-11-26T09:00:00Z
CATEGORIES="llm performance security system tool user"

fail()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

ok()
{
	echo "ok: $*"
}

# run DIR ARGS...: the simulator with a fixed seed and time
run()
{
	d=$1
	shift
	"$SIMULATE" --dir "$d" --seed 3000 --start "$START" --span 2h "$@" \
	    >"$tmp/out" 2>"$tmp/err"
}

strip_pid()
{
	sed 's/"pid":[0-9]*,//' "$1"
}

# ---- one ordinary run ----------------------------------------------------

D=$tmp/logs
if run "$D" --entries $N; then
	ok "simulator ran"
else
	fail "simulator exited $?: $(cat "$tmp/err")"
fi
grep -q "wrote $N entries to $D" "$tmp/out" || fail "report line: $(cat "$tmp/out")"

[ "$(stat -c %a "$D")" = 700 ] || fail "directory mode $(stat -c %a "$D"), not 700"
for f in user_interactions system_health tool_executions llm_calls security \
    performance; do
	if [ ! -f "$D/$f.log" ]; then
		fail "$f.log missing"
		continue
	fi
	mode=$(stat -c %a "$D/$f.log")
	[ "$mode" = 600 ] || fail "$f.log has mode $mode, not 600"
done

total=$(cat "$D"/*.log | wc -l)
[ "$total" -eq $N ] || fail "$total lines in the files, not $N"

# every line starts with the canonical prefix the recipes rely on
bad=$(cat "$D"/*.log | grep -cv '^{"category":"[a-z]*","timestamp":"20[0-9-]*T[0-9:.]*Z","level":"[A-Z]*","event":"[a-z_]*","pid":[0-9]*,')
[ "$bad" -eq 0 ] || fail "$bad lines without the canonical key order"

# ---- the recipes of llmlog(5), as written -------------------------------------

errors=$(grep '"level":"ERROR"' "$D"/*.log | wc -l)
[ "$errors" -gt 0 ] || fail "grep '\"level\":\"ERROR\"' found nothing"

grep -h '"category"' "$D"/*.log | cut -d'"' -f4 | sort | uniq -c >"$tmp/uniq"
cats=$(awk '{ print $2 }' "$tmp/uniq" | tr '\n' ' ')
[ "$cats" = "$CATEGORIES " ] || fail "categories from cut: '$cats'"
sum=$(awk '{ s += $1 } END { print s }' "$tmp/uniq")
[ "$sum" -eq $N ] || fail "uniq -c counts sum to $sum, not $N"
while read -r count cat; do
	file=$(ls "$D" | grep -m1 "^$( case $cat in
	    user) echo user_interactions ;; system) echo system_health ;;
	    tool) echo tool_executions ;; llm) echo llm_calls ;; *) echo "$cat" ;;
	    esac ).log$")
	lines=$(wc -l <"$D/$file")
	[ "$count" -eq "$lines" ] || fail "$cat: uniq says $count, $file has $lines"
done <"$tmp/uniq"
ok "recipes: $errors errors; $(tr -s ' \n' ' ' <"$tmp/uniq")"

# ---- what a session should contain -------------------------------------------

for want in '"event":"startup"' '"event":"shutdown"' '"event":"warning"' \
    '"allowed":false' '"provider":"groq"' '"provider":"openai"' \
    '"provider":"ollama"' '"provider":"anthropic"' '"tool_name":"list_directory"' \
    '"tool_name":"read_file"' '"tool_name":"write_file"' \
    '"tool_name":"get_file_info"' '"tool_name":"search_files"' \
    '"resource":"/etc/passwd"' '_truncated":true' \
    'Provider switched due to rate limit'; do
	grep -q "$want" "$D"/*.log || fail "no line with $want"
done

# ---- determinism: same seed, same files but for the pid ------------------

if run "$tmp/again" --entries $N; then
	for f in "$D"/*.log; do
		b=$(basename "$f")
		strip_pid "$f" >"$tmp/a"
		strip_pid "$tmp/again/$b" >"$tmp/b"
		cmp -s "$tmp/a" "$tmp/b" || fail "$b differs between two runs with one seed"
	done
	ok "same seed, same files"
else
	fail "second run exited $?"
fi
run "$tmp/other" --entries $N --seed 3001
strip_pid "$D/llm_calls.log" >"$tmp/a"
strip_pid "$tmp/other/llm_calls.log" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && fail "another seed gave the same llm_calls.log"

# ---- redaction: the planted secrets never reach the files ------------------

for secret in Xq3vT9mB2kLr8NwYc4HdJ6sFa1PzE7gU0oRiKtVy5bMnQ2w \
    W7nRt2YpQ9vLx4KcB8mZs1HdJ3fGa6EoU5iNwTyXkPq0 \
    Zr8Kq2Wn5Tx1Bv7Cm4Yp9Ls3Hd6Fg0Jj2Ak AKIAZ7QW3RT5YU2IO9PL \
    c2ltdWxhdGVkLXRva2Vu correct-horse-battery-staple; do
	if grep -l -- "$secret" "$D"/*.log >"$tmp/leak"; then
		fail "secret $secret written to $(tr '\n' ' ' <"$tmp/leak")"
	fi
done
grep -q '\[REDACTED\]' "$D/user_interactions.log" ||
	fail "no [REDACTED] in user_interactions.log: were secrets planted?"
grep -q '\[REDACTED\]' "$D/tool_executions.log" ||
	fail "no [REDACTED] in tool_executions.log"

# ---- UTF-8 round trip ------------------------------------------------------------

for f in "$D"/*.log; do
	iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || fail "$(basename "$f") is not valid UTF-8"
done
for text in 'の中身を一覧表示して' 'montre-moi les fichiers' '🧹' '报告.docx' 'résumé.pdf'; do
	grep -q "$text" "$D"/*.log || fail "'$text' not found as UTF-8 in the files"
done

# ---- several processes, small files, rotation ----------------------------

P=$tmp/procs
if run "$P" --entries 2400 --processes 3 --max-bytes 32K --backups 100; then
	lines=$(cat "$P"/*.log* | wc -l)
	[ "$lines" -eq 2400 ] || fail "--processes 3: $lines lines, not 2400"
	ls "$P" | grep -q '\.log\.1$' || fail "--processes 3: nothing rotated"
	pids=$(cat "$P"/*.log* | grep -o '"pid":[0-9]*' | sort -u | wc -l)
	[ "$pids" -eq 3 ] || fail "--processes 3: $pids distinct pids"
	for f in "$P"/*.log*; do
		size=$(stat -c %s "$f")
		longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 1 }' "$f")
		[ "$size" -le $((32768 + longest)) ] ||
			fail "$(basename "$f") is $size bytes, over 32K by more than a line"
	done
	ok "3 processes: $lines lines in $(ls "$P" | grep -c log) files"
else
	fail "--processes 3 exited $?: $(cat "$tmp/err")"
fi

# ---- async mode and live mode ------------------------------------------------------

if run "$tmp/async" --entries 500 --async; then
	lines=$(cat "$tmp/async"/*.log | wc -l)
	[ "$lines" -eq 500 ] || fail "--async: $lines lines, not 500"
else
	fail "--async exited $?"
fi

"$SIMULATE" --dir "$tmp/live" --rate 200 --duration 0.2s >"$tmp/out" 2>&1 ||
	fail "--rate 200 --duration 0.2s exited $?: $(cat "$tmp/out")"
tail -n 1 "$tmp/live/system_health.log" 2>/dev/null | grep -q '"LLM-OS stopped"' ||
	fail "live run did not end with its shutdown entries"

"$SIMULATE" --dir "$tmp/term" --rate 100 >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/term/llm_calls.log" ] && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "SIGTERM: exit status $rc, not 0"
tail -n 1 "$tmp/term/system_health.log" 2>/dev/null | grep -q '"LLM-OS stopped"' ||
	fail "SIGTERM: no shutdown entries"

# ---- option errors ----------------------------------------------------------------

for args in "--entries abc|abc" "--entries 0|0" "--span 5x|5x" \
    "--start 2026-13-45|2026-13-45" "--start yesterday|yesterday" \
    "--rate 0|0" "--max-bytes 10Q|10Q" "--processes 0|0" "--backups -3|-3" \
    "--seed 1e3|1e3" "--duration 5s|--rate" "--rate 5 --span 1h|--span"; do
	opt=${args%|*}
	word=${args#*|}
	# shellcheck disable=SC2086
	"$SIMULATE" --dir "$tmp/bad" $opt >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$opt: exit status $rc, not 2"
	grep -q -- "'$word'\|$word" "$tmp/err" || fail "$opt: message does not name '$word': $(cat "$tmp/err")"
done
[ ! -e "$tmp/bad" ] || fail "a usage error still created the log directory"
"$SIMULATE" --help >"$tmp/out" 2>&1 && grep -q -- '--seed' "$tmp/out" ||
	fail "--help"
"$SIMULATE" --version >"$tmp/out" 2>&1 && grep -q '^llmlog-simulate [0-9]' "$tmp/out" ||
	fail "--version: $(cat "$tmp/out")"

if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all simulator checks passed"
exit 0
