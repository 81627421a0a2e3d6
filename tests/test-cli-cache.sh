#!/bin/sh
# test-cli-cache.sh - the index cache through the command line: a second
# open prints the same bytes as --no-cache (--stats -o json, -o json,
# --list) after appends, a rotation that compresses a backup, truncation
# and a file replaced by another of the same size and mtime; a corrupt
# cache is said once on stderr and rebuilt, one of another version or user
# rebuilt silently; runs at once are safe; the cache directory is 0700
# and its files 0600; one that cannot be written only turns caching off,
# one others may write is not used; the caches of a directory that is
# gone leave; make check never writes a home directory.
set -u
: "${LLMLOG:=../tui/llmlog}"
: "${SIMULATE:=../examples/llmlog-simulate}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-cache.XXXXXX") || exit 99
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
command -v gzip >/dev/null 2>&1 || { echo "SKIP: no gzip"; exit 77; }
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# make check names a cache directory in the environment, so that no test
# writes a home directory: a run with an empty HOME leaves it empty
if [ -n "${top_builddir:-}" ]; then
	mkdir "$tmp/home"
	env | grep -q '^LLMLOG_CACHE_DIR=/' ||
	    fail "make check exports no LLMLOG_CACHE_DIR"
	"$SIMULATE" --dir "$tmp/home-logs" --entries 50 >/dev/null 2>&1 ||
	    { echo "llmlog-simulate failed"; exit 99; }
	env -u XDG_CACHE_HOME HOME="$tmp/home" "$LLMLOG" --dir "$tmp/home-logs" \
	    --stats >/dev/null 2>&1
	[ -z "$(ls -A "$tmp/home")" ] ||
	    fail "a test run wrote its home directory: $(find "$tmp/home")"
fi

LLMLOG_CACHE_DIR=$tmp/cache
export LLMLOG_CACHE_DIR

d=$tmp/logs
"$SIMULATE" --dir "$d" --entries 3000 --seed 3 --start 2026-01-01T00:00:00Z \
    --span 2h >/dev/null 2>&1 || { echo "llmlog-simulate failed"; exit 99; }

# same WHEN: every form, cached twice, is what --no-cache prints; the
# where and SQL forms read the values the cache keeps (a model, a trace id
# referred to by many entries), a self-join holding two rows' at once
same() {
	for form in "--stats -o json" "-o json" "--list"; do
		# shellcheck disable=SC2086
		"$LLMLOG" --utc --dir "$d" --no-cache $form >"$tmp/ref" 2>&1
		for run in 1 2; do
			# shellcheck disable=SC2086
			"$LLMLOG" --utc --dir "$d" $form >"$tmp/got" 2>&1
			cmp -s "$tmp/ref" "$tmp/got" ||
			    fail "$1: $form differs (run $run)"
		done
		[ "$form" = --list ] && cp "$tmp/got" "$tmp/list"
	done
	for q in "SELECT a.model, b.provider, count(*), sum(a.total_tokens) FROM llm a JOIN llm b ON a.trace_id = b.trace_id GROUP BY 1, 2 ORDER BY 1, 2" \
	    "SELECT tool_name, success, count(*), max(duration_ms) FROM tool GROUP BY 1, 2 ORDER BY 1, 2"; do
		"$LLMLOG" --utc --dir "$d" --no-cache --sql "$q" >"$tmp/ref" 2>&1
		"$LLMLOG" --utc --dir "$d" --sql "$q" >"$tmp/got" 2>&1
		cmp -s "$tmp/ref" "$tmp/got" || fail "$1: --sql $q differs"
	done
	for w in "model = gpt-4o or duration_ms > 1000" "success = false" \
	    'resource ~ home and allowed = false'; do
		"$LLMLOG" --utc --dir "$d" --no-cache -o json --where "$w" \
		    >"$tmp/ref" 2>&1
		"$LLMLOG" --utc --dir "$d" -o json --where "$w" >"$tmp/got" 2>&1
		cmp -s "$tmp/ref" "$tmp/got" || fail "$1: --where $w differs"
	done
}

same "first open"
[ -n "$(ls "$LLMLOG_CACHE_DIR")" ] || fail "no cache written"
[ "$(stat -c %a "$LLMLOG_CACHE_DIR")" = 700 ] || fail "cache directory not 0700"
for f in "$LLMLOG_CACHE_DIR"/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f not 0600"
done

head -n 40 "$d/llm_calls.log" >>"$d/llm_calls.log"
same "after an append"

mv "$d/tool_executions.log" "$d/tool_executions.log.1"
head -n 5 "$d/tool_executions.log.1" >"$d/tool_executions.log"
same "after a rotation"
gzip "$d/tool_executions.log.1"
mv "$d/tool_executions.log.1.gz" "$d/tool_executions.log.2.gz"
same "after compressing the backup"
grep -q 'tool_executions.log.2.gz  (.* compressed)' "$tmp/list" ||
    fail "--list shows no compressed size"

: >"$d/security.log"
same "after truncation"

# another file, same size and mtime, under the same name
f=$d/performance.log
sed 's/"level":"INFO"/"level":"WARN"/' "$f" >"$tmp/other"
[ "$(stat -c %s "$f")" = "$(stat -c %s "$tmp/other")" ] || fail "sizes differ"
touch -r "$f" "$tmp/other"
mv "$tmp/other" "$f"
same "after a replacement of the same size and mtime"

# each cache keeps its file's figures as counted with the prices and the
# zone of days of that run: a run with others prints what --no-cache
# prints with them, and so does the run after it (the figures counted
# again and kept)
printf '{"gpt-4o": {"input_cost_per_token": 1e-6, "output_cost_per_token": 3e-6}, "claude-3-5-sonnet": {"input_cost_per_token": 0.5}}\n' \
    >"$tmp/prices.json"
for how in "TZ=UTC" "TZ=Asia/Kolkata --utc" "TZ=UTC+8" \
    "TZ=UTC+8 --prices $tmp/prices.json" "TZ=UTC --prices $tmp/prices.json"; do
	tz=${how%% *}
	opts=${how#"$tz"}
	# shellcheck disable=SC2086
	env "$tz" "$LLMLOG" --dir "$d" --no-cache --stats -o json $opts \
	    >"$tmp/ref" 2>&1
	for run in 1 2; do
		# shellcheck disable=SC2086
		env "$tz" "$LLMLOG" --dir "$d" --stats -o json $opts \
		    >"$tmp/got" 2>&1
		cmp -s "$tmp/ref" "$tmp/got" ||
		    fail "--stats -o json with $how differs (run $run)"
	done
done
env TZ=UTC+8 "$LLMLOG" --dir "$d" --no-cache --stats >"$tmp/ref" 2>&1
env TZ=UTC+8 "$LLMLOG" --dir "$d" --stats >"$tmp/got" 2>&1
cmp -s "$tmp/ref" "$tmp/got" || fail "--stats with TZ=UTC+8 differs"

# the caches of files gone (the plain backup compressed, the file
# replaced) have left: one per file there is
n=$(find "$LLMLOG_CACHE_DIR" -name '*.idx' | wc -l)
[ "$n" -eq "$(find "$d" -name '*.log*' | wc -l)" ] ||
    fail "$n caches for $(find "$d" -name '*.log*' | wc -l) files"

# Bytes of cache $1 changed in its entries, which every load reads: its
# records (after the 200 bytes of its head, as many as the head's 14th
# word says) are left unread by a report that takes the file's figures.
corrupt_entries() {
	blob=$(od -An -tu8 -j104 -N8 "$1" | tr -d ' ')
	printf 'XXXXXXXX' |
	    dd of="$1" bs=1 seek=$((200 + blob + 8)) conv=notrunc 2>/dev/null
}

# a corrupt cache: named once, rebuilt, the output unchanged; several:
# one line that names the first and counts the others
for c in "$LLMLOG_CACHE_DIR"/*.idx; do
	printf 'XXXXXXXX' | dd of="$c" bs=1 seek=200 conv=notrunc 2>/dev/null
done
"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
"$LLMLOG" --utc --dir "$d" --no-cache --stats -o json >"$tmp/ref" 2>/dev/null
cmp -s "$tmp/ref" "$tmp/got" || fail "a corrupt cache changed the output"
[ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^llmlog: $LLMLOG_CACHE_DIR/[^ ]*\.idx and [1-9][0-9]* other index caches corrupt, ignored and rebuilt\$" "$tmp/err" ||
    fail "corrupt caches are not said in one line: $(cat "$tmp/err")"
"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
[ -s "$tmp/err" ] && fail "the rebuilt cache is still said corrupt"
c=$LLMLOG_CACHE_DIR/$(ls -S "$LLMLOG_CACHE_DIR" | head -n 1)	# one that is read
corrupt_entries "$c"
"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "llmlog: $c: index cache corrupt, ignored and rebuilt" ] ||
    fail "one corrupt cache is not named: $(cat "$tmp/err")"

# a cache of another version: rebuilt and not said corrupt; so is one of
# another user (root can make one)
c=$LLMLOG_CACHE_DIR/$(ls -S "$LLMLOG_CACHE_DIR" | head -n 1)
printf '\377\000\000\000' | dd of="$c" bs=1 seek=8 conv=notrunc 2>/dev/null
"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
cmp -s "$tmp/ref" "$tmp/got" || fail "a cache of another version changed the output"
[ -s "$tmp/err" ] && fail "a cache of another version is said: $(cat "$tmp/err")"
[ "$(od -An -tu4 -j8 -N4 "$c" | tr -d ' ')" != 255 ] ||
    fail "a cache of another version is not rebuilt"
if [ "$(id -u)" = 0 ] && chown nobody "$c" 2>/dev/null; then
	"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
	cmp -s "$tmp/ref" "$tmp/got" || fail "another user's cache changed the output"
	[ -s "$tmp/err" ] && fail "another user's cache is said: $(cat "$tmp/err")"
	[ "$(stat -c %u "$c")" = 0 ] || fail "another user's cache is not replaced"
fi
# the same for the time order kept beside the caches
"$LLMLOG" --utc --dir "$d" -o json >"$tmp/ref-json" 2>&1
o=$(ls "$LLMLOG_CACHE_DIR"/order-*.ord 2>/dev/null | head -n 1)
[ -n "$o" ] || fail "no time order kept beside the caches"
if [ -n "$o" ] && [ "$(id -u)" = 0 ] && chown nobody "$o" 2>/dev/null; then
	"$LLMLOG" --utc --dir "$d" -o json >"$tmp/got" 2>&1
	cmp -s "$tmp/ref-json" "$tmp/got" ||
	    fail "another user's time order changed the output"
	[ "$(stat -c %u "$o")" = 0 ] ||
	    fail "another user's time order is not replaced"
fi

# several runs at once on an empty cache directory: each prints what
# --no-cache does, and no temporary file is left
rm -rf "$LLMLOG_CACHE_DIR"
for k in 1 2 3 4; do
	"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/at-once.$k" \
	    2>"$tmp/at-once-err.$k" &
done
wait
for k in 1 2 3 4; do
	cmp -s "$tmp/ref" "$tmp/at-once.$k" || fail "run $k of 4 at once differs"
	[ -s "$tmp/at-once-err.$k" ] &&
	    fail "run $k of 4 at once: $(cat "$tmp/at-once-err.$k")"
done
[ -z "$(ls -A "$LLMLOG_CACHE_DIR" | grep -v '\.idx$\|\.ord$')" ] ||
    fail "runs at once left $(ls -A "$LLMLOG_CACHE_DIR" | grep -v '\.idx$\|\.ord$')"
same "after runs at once"

# bounded: LLMLOG_CACHE_MAX, the oldest going first
LLMLOG_CACHE_MAX=60K "$LLMLOG" --dir "$d" --stats >/dev/null 2>&1
n=$(du -sb "$LLMLOG_CACHE_DIR" | cut -f1)
[ "$n" -le $((60 * 1024 + 4096)) ] || fail "cache of $n bytes over 60K"
same "after the bound"

# the caches of a log directory that is gone leave with it
"$SIMULATE" --dir "$tmp/gone" --entries 300 --seed 5 >/dev/null 2>&1 ||
    { echo "llmlog-simulate failed"; exit 99; }
"$LLMLOG" --dir "$tmp/gone" --stats >/dev/null 2>&1
n=$(find "$LLMLOG_CACHE_DIR" -name '*.idx' | wc -l)
rm -rf "$tmp/gone"
"$LLMLOG" --dir "$d" --stats >/dev/null 2>&1
m=$(find "$LLMLOG_CACHE_DIR" -name '*.idx' | wc -l)
[ "$m" -eq $((n - 6)) ] ||
    fail "$m caches left of $n, after the 6 files of a directory went"

# a cache directory made by a plain mkdir (0755) is used; one its group
# may write is not
for mode in 0755 0775; do
	rm -rf "$LLMLOG_CACHE_DIR"
	mkdir -m "$mode" "$LLMLOG_CACHE_DIR"
	same "cache directory $mode"
	n=$(find "$LLMLOG_CACHE_DIR" -name '*.idx' | wc -l)
	case $mode in
	0755) [ "$n" -gt 0 ] || fail "a 0755 cache directory is not used" ;;
	*) [ "$n" -eq 0 ] || fail "a $mode cache directory is used" ;;
	esac
done
chmod 0700 "$LLMLOG_CACHE_DIR"

# a cache directory that cannot be written: no cache, the same output;
# a corrupt cache there is ignored, and not said to be rebuilt
if [ "$(id -u)" != 0 ]; then
	rm -rf "$LLMLOG_CACHE_DIR"
	mkdir -m 0700 "$LLMLOG_CACHE_DIR"
	"$LLMLOG" --utc --dir "$d" --stats >/dev/null 2>&1
	c=$LLMLOG_CACHE_DIR/$(ls -S "$LLMLOG_CACHE_DIR" | head -n 1)
	corrupt_entries "$c"
	chmod 0500 "$LLMLOG_CACHE_DIR"
	"$LLMLOG" --utc --dir "$d" --stats -o json >"$tmp/got" 2>"$tmp/err"
	[ "$(cat "$tmp/err")" = "llmlog: $c: index cache corrupt, ignored (the cache directory cannot be written)" ] ||
	    fail "a corrupt cache in a read-only directory: $(cat "$tmp/err")"
	chmod 0700 "$LLMLOG_CACHE_DIR"
	rm -f "$c"
	chmod 0500 "$LLMLOG_CACHE_DIR"
	same "read-only cache directory"
	chmod 0700 "$LLMLOG_CACHE_DIR"
else
	echo "note: a read-only cache directory is not tried as root"
fi
# a cache directory that is not a directory: the same
LLMLOG_CACHE_DIR=$tmp/file
: >"$LLMLOG_CACHE_DIR"
same "a cache directory that is a file"

[ $fails -eq 0 ] && echo "all cache cases passed"
exit $((fails > 0))
