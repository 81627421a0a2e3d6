#!/bin/sh
# test-hostile-stats.sh - the counts of llmlog --stats -o json on hostile
# files (see hostile-lib.sh): total and malformed as each case expects,
# and for a million one-byte lines.  Read with jq; skipped (77) without.
: "${srcdir:=.}"
. "$srcdir/hostile-lib.sh"
JQ=${JQ:-$(command -v jq)}
[ -n "$JQ" ] && [ -x "$JQ" ] || { echo "SKIP: jq not found"; exit 77; }

for c in "$srcdir"/data/hostile/*/; do
	name=$(basename "$c")
	copy_case "$name"
	timeout 60 "$LLMLOG" -d "$work/$name" --stats -o json >"$work/$name.json" 2>&1 ||
		fail "$name: --stats -o json failed"
	for k in total malformed; do
		got=$("$JQ" ".$k" "$work/$name.json")
		want=$(expect "$c/expected" $k)
		[ "$got" = "$want" ] || fail "$name: stats $k is $got, expected $want"
	done
	echo "ok: $name"
done

make_million "$work/million"
timeout 120 "$LLMLOG" -d "$work/million" --stats -o json >"$work/million.json" 2>&1 ||
	fail "million lines: stats failed"
total=$("$JQ" .total "$work/million.json")
malformed=$("$JQ" .malformed "$work/million.json")
[ "$total" = 1000002 ] || fail "million lines: total $total"
[ "$malformed" = 1000000 ] || fail "million lines: malformed $malformed"
echo "ok: a million one-byte lines counted"

finish
