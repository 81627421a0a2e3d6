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

# Our own JSON (--stats, --by, --list -o json) carries names from the logs:
# C1 codes, DEL, bidi controls and separators as \uXXXX, invalid UTF-8 as
# U+FFFD, so the text is plain ASCII here and still parses to the names.
mkdir -p "$work/names"
printf '%s"model":"a\\u009bb\\u007fc\\u202ed\\u061ce\\u2028f\\u2029g\\u0007h"}\n%s"model":"bad\377\300z"}\n' \
    "${good%\"model\"*}" "${good%\"model\"*}" >"$work/names/llm_calls.log"
for args in "--stats" "--stats --by model" "--list"; do
	# shellcheck disable=SC2086
	"$LLMLOG" -d "$work/names" $args -o json >"$work/names.json" ||
		fail "names: $args -o json failed"
	raw=$(LC_ALL=C tr -d '\n\040-\176' <"$work/names.json" | wc -c)
	[ "$raw" -eq 0 ] || fail "names: $args -o json wrote $raw raw bytes"
	"$JQ" . "$work/names.json" >/dev/null || fail "names: $args: not JSON"
done
"$LLMLOG" -d "$work/names" --stats -o json >"$work/names.json"
for want in 'a\u009bb\u007fc\u202ed\u061ce\u2028f\u2029g\u0007h' 'bad\ufffd\ufffdz'; do
	grep -qF "\"$want\"" "$work/names.json" || fail "names: no $want"
done
echo "ok: our JSON escapes what the names carry"

make_million "$work/million"
timeout 120 "$LLMLOG" -d "$work/million" --stats -o json >"$work/million.json" 2>&1 ||
	fail "million lines: stats failed"
total=$("$JQ" .total "$work/million.json")
malformed=$("$JQ" .malformed "$work/million.json")
[ "$total" = 1000002 ] || fail "million lines: total $total"
[ "$malformed" = 1000000 ] || fail "million lines: malformed $malformed"
echo "ok: a million one-byte lines counted"

finish
