#!/bin/sh
# Hostile files: each case under data/hostile/<case>/ is a log file with two
# good lines around something nasty, and the counts expected of it.  Print
# mode and stats must finish, keep the good lines, count right, and never
# let a raw escape, control character, C1 code or bidi override through in
# short or pretty output.  Then generated giants: a 100 MB line, a million
# one-byte lines, and a catastrophic regex.
set -u
srcdir=${srcdir:-.}
LLMLOG=${LLMLOG:?}
work=$(mktemp -d)
cleanup() {
	for s in "$work"/tmux-*; do
		[ -S "$s" ] && "${TMUX_BIN:-tmux}" -S "$s" kill-server 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# Bytes a terminal must never get raw: C0 controls but newline, DEL, C1
# codes (UTF-8 C2 80-9F), bidi controls (E2 80 AA-AE, E2 81 A6-A9).
raw_controls() {
	LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

check_output() {	# case format file
	n=$(raw_controls "$3")
	[ "$n" -eq 0 ] || fail "$1: $2 output has $n lines with raw control bytes"
}

expect() {		# file key
	sed -n "s/^$2 //p" "$1"
}

for c in "$srcdir"/data/hostile/*/; do
	name=$(basename "$c")
	d=$work/$name
	mkdir -p "$d"
	cp "$c"/*.log "$d"/
	for fmt in short pretty; do
		out=$work/$name.$fmt
		timeout 60 "$LLMLOG" -p -d "$d" --utc --no-color -o $fmt >"$out" 2>"$out.err"
		st=$?
		[ $st -eq 0 ] || fail "$name: -o $fmt exited $st: $(head -c 300 "$out.err")"
		check_output "$name" $fmt "$out"
		check_output "$name" "$fmt stderr" "$out.err"
		good=$(grep -c GOODLINE "$out")
		[ "$fmt" = pretty ] || [ "$good" -eq "$(expect "$c/expected" good)" ] ||
			fail "$name: $good good lines in short output, expected $(expect "$c/expected" good)"
	done
	timeout 60 "$LLMLOG" -d "$d" --stats --no-color >"$work/$name.stats" 2>&1 ||
		fail "$name: --stats failed"
	check_output "$name" stats "$work/$name.stats"
	timeout 60 "$LLMLOG" -d "$d" --stats -o json >"$work/$name.json" 2>&1 ||
		fail "$name: --stats -o json failed"
	if [ -n "${JQ:-}" ]; then
		for k in total malformed; do
			got=$("$JQ" ".$k" "$work/$name.json")
			want=$(expect "$c/expected" $k)
			[ "$got" = "$want" ] || fail "$name: stats $k is $got, expected $want"
		done
	fi
	echo "ok: $name"
done

# the explorer shows the same hostile text made visible (tmux)
TMUX_BIN=${TMUX_BIN:-$(command -v tmux)}
if [ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ]; then
	for pair in 'ansi:^[[31mred^[[0m' 'c1:\x9b31m csi \x85 nel' 'bidi:\u202eevil\u202c'; do
		name=${pair%%:*}
		want=${pair#*:}
		sock=$work/tmux-$name	# a server of its own: a killed one may linger
		"$TMUX_BIN" -S "$sock" new-session -d -x 160 -y 20 \
		    "env LANG=C.UTF-8 TZ=UTC '$LLMLOG' -d '$work/$name'; sleep 30"
		shown=no
		for i in $(seq 200); do
			"$TMUX_BIN" -S "$sock" capture-pane -p >"$work/screen" 2>/dev/null
			if grep -qF -- "$want" "$work/screen"; then
				shown=yes
				break
			fi
			sleep 0.05
		done
		[ $shown = yes ] || { fail "ui $name: '$want' not on screen"; cat "$work/screen"; }
		grep -q GOODLINE_before "$work/screen" && grep -q GOODLINE_after "$work/screen" ||
			fail "ui $name: good lines not both on screen"
		"$TMUX_BIN" -S "$sock" kill-server 2>/dev/null
		echo "ok: ui $name"
	done
fi

# a 100 MB line between two good ones
d=$work/giant-line
mkdir -p "$d"
good='{"category":"llm","timestamp":"2026-11-26T10:00:00Z","level":"INFO","event":"llm_call","pid":1,"provider":"GOODLINE","model":"m","prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"duration_ms":1,"success":true,"streaming":false}'
{
	echo "$good"
	printf '{"category":"llm","timestamp":"2026-11-26T10:00:01Z","level":"INFO","event":"llm_call","model":"'
	head -c 104857600 /dev/zero | tr '\0' 'a'
	printf '"}\n'
	echo "$good"
} >"$d/llm_calls.log"
timeout 120 "$LLMLOG" -p -d "$d" --utc --no-color >"$work/giant.out" 2>&1 || fail "giant line: print failed"
[ "$(grep -c GOODLINE "$work/giant.out")" -eq 2 ] || fail "giant line: good lines lost"
[ "$(wc -l <"$work/giant.out")" -eq 3 ] || fail "giant line: expected 3 entries, got $(wc -l <"$work/giant.out")"
[ "$(wc -c <"$work/giant.out")" -lt 10485760 ] || fail "giant line: printed whole (should be cut for display)"
# valid JSON however long: an entry, not MALFORMED; --output json gives it
# whole, byte for byte; the stats read it
grep -q MALFORMED "$work/giant.out" && fail "giant line: shown as MALFORMED"
grep -q '^2026-11-26 10:00:01.000 INFO     llm         aaaa.* bytes more: --output json prints the line whole)$' \
    "$work/giant.out" || fail "giant line: not summarised, or not said to be cut"
timeout 120 "$LLMLOG" -p -d "$d" -o json >"$work/giant.json" 2>&1 || fail "giant line: -o json failed"
sed -n 2p "$d/llm_calls.log" >"$work/giant.want"
sed -n 3p "$work/giant.json" | cmp -s - "$work/giant.want" ||
	fail "giant line: -o json does not print it whole"
timeout 120 "$LLMLOG" -d "$d" --stats -o json >"$work/giant.stats" 2>&1 || fail "giant line: --stats failed"
grep -q '"malformed":0,' "$work/giant.stats" || fail "giant line: counted malformed by --stats"
grep -q '"a\{100\}' "$work/giant.stats" || fail "giant line: its model is not in the stats"
rm -f "$d/llm_calls.log" "$work/giant.json" "$work/giant.want" "$work/giant.stats"
echo "ok: 100 MB line"

# a million one-byte lines
d=$work/million
mkdir -p "$d"
{ echo "$good"; yes x | head -n 1000000; echo "$good"; } >"$d/llm_calls.log"
if [ -n "${JQ:-}" ]; then
	timeout 120 "$LLMLOG" -d "$d" --stats -o json >"$work/million.json" 2>&1 || fail "million lines: stats failed"
	[ "$("$JQ" .total "$work/million.json")" = 1000002 ] || fail "million lines: total $("$JQ" .total "$work/million.json")"
	[ "$("$JQ" .malformed "$work/million.json")" = 1000000 ] || fail "million lines: malformed $("$JQ" .malformed "$work/million.json")"
fi
[ "$(timeout 120 "$LLMLOG" -p -d "$d" -k GOODLINE | wc -l)" -eq 2 ] || fail "million lines: good lines lost"
echo "ok: a million one-byte lines"

# a catastrophic regex on a long line: an error or an answer, never a hang
d=$work/regex
mkdir -p "$d"
{
	printf '{"category":"user","timestamp":"2026-11-26T10:00:00Z","level":"INFO","event":"user_interaction","user_input":"'
	head -c 30000 /dev/zero | tr '\0' 'a'
	printf '!"}\n'
} >"$d/user_interactions.log"
timeout 60 "$LLMLOG" -p -d "$d" -e '(a+)+$' >"$work/regex.out" 2>"$work/regex.err"
st=$?
case $st in
0|1) ;;
2) grep -qi 'limit\|regex\|pattern' "$work/regex.err" || fail "catastrophic regex: exit 2 without saying why" ;;
*) fail "catastrophic regex: exit $st (124 = hung)" ;;
esac
echo "ok: catastrophic regex (exit $st: $(head -c 200 "$work/regex.err"))"

# the same pattern as the explorer's filter: it says what it gave up on
if [ -n "${TMUX_BIN:-}" ] && [ -x "$TMUX_BIN" ]; then
	sock=$work/tmux-regex
	"$TMUX_BIN" -S "$sock" new-session -d -x 160 -y 20 \
	    "env LANG=C.UTF-8 TZ=UTC '$LLMLOG' -d '$work/regex'; sleep 30"
	for i in $(seq 200); do
		"$TMUX_BIN" -S "$sock" capture-pane -p | grep -q 'user ' && break
		sleep 0.05
	done
	"$TMUX_BIN" -S "$sock" send-keys f '(a+)+$' Enter
	shown=no
	for i in $(seq 400); do
		if "$TMUX_BIN" -S "$sock" capture-pane -p | grep -q 'pattern gave up on 1 line'; then
			shown=yes
			break
		fi
		sleep 0.05
	done
	[ $shown = yes ] || { fail "ui: catastrophic regex filter not reported"; "$TMUX_BIN" -S "$sock" capture-pane -p; }
	"$TMUX_BIN" -S "$sock" kill-server 2>/dev/null
	echo "ok: ui catastrophic regex"
fi

[ $fails -eq 0 ] || { echo "$fails failures"; exit 1; }
exit 0
