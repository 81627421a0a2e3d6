#!/bin/sh
# test-hostile.sh - hostile files in print mode: for each case of
# data/hostile/ (see hostile-lib.sh), short and pretty output and --stats
# must finish, keep the good lines, and never let a raw escape, control
# character, C1 code or bidi override through.  Then generated giants: a
# 100 MB line, a million one-byte lines, and a catastrophic regex.  The
# counts of --stats -o json are test-hostile-stats.sh's (jq), the
# explorer on the same files test-hostile-ui.sh's (tmux).
: "${srcdir:=.}"
. "$srcdir/hostile-lib.sh"

# Bytes a terminal must never get raw: C0 controls but newline, DEL, C1
# codes (UTF-8 C2 80-9F), bidi controls (E2 80 AA-AE, E2 81 A6-A9).
raw_controls() {
	LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

check_output() {	# case format file
	n=$(raw_controls "$3")
	[ "$n" -eq 0 ] || fail "$1: $2 output has $n lines with raw control bytes"
}

for c in "$srcdir"/data/hostile/*/; do
	name=$(basename "$c")
	copy_case "$name"
	d=$work/$name
	for fmt in short pretty; do
		out=$work/$name.$fmt
		timeout 60 "$LLMLOG" -p -d "$d" --utc --no-color -o $fmt >"$out" 2>"$out.err"
		st=$?
		[ $st -eq 0 ] || fail "$name: -o $fmt exited $st: $(head -c 300 "$out.err")"
		check_output "$name" $fmt "$out"
		check_output "$name" "$fmt stderr" "$out.err"
		good_lines=$(grep -c GOODLINE "$out")
		[ "$fmt" = pretty ] || [ "$good_lines" -eq "$(expect "$c/expected" good)" ] ||
			fail "$name: $good_lines good lines in short output, expected $(expect "$c/expected" good)"
	done
	timeout 60 "$LLMLOG" -d "$d" --stats --no-color >"$work/$name.stats" 2>&1 ||
		fail "$name: --stats failed"
	check_output "$name" stats "$work/$name.stats"
	timeout 60 "$LLMLOG" -d "$d" --stats -o json >"$work/$name.json" 2>&1 ||
		fail "$name: --stats -o json failed"
	echo "ok: $name"
done

# a 100 MB line between two good ones
d=$work/giant-line
mkdir -p "$d"
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
make_million "$work/million"
[ "$(timeout 120 "$LLMLOG" -p -d "$work/million" -k GOODLINE | wc -l)" -eq 2 ] ||
	fail "million lines: good lines lost"
echo "ok: a million one-byte lines"

# a catastrophic regex on a long line: an error or an answer, never a hang
make_regex_trap "$work/regex"
timeout 60 "$LLMLOG" -p -d "$work/regex" -e '(a+)+$' >"$work/regex.out" 2>"$work/regex.err"
st=$?
case $st in
0|1) ;;
2) grep -qi 'limit\|regex\|pattern' "$work/regex.err" || fail "catastrophic regex: exit 2 without saying why" ;;
*) fail "catastrophic regex: exit $st (124 = hung)" ;;
esac
echo "ok: catastrophic regex (exit $st: $(head -c 200 "$work/regex.err"))"

finish
