# cli-cases.sh - sourced by test-cli.sh and test-cli-tty.sh: runs llmlog's
# print mode on the fixture directories, one case per directory under
# data/cli/cases/<case>/:
#   cmd      the command, run by the shell: "$LLMLOG" and its arguments
#            (may use $FIXTURES and $FRESH, and set variables first)
#   stdout   the expected output, exactly
#   status   the expected exit status (default 0)
#   stderr   optional: lines that must each appear in the error output
#            (an empty file: the error output must be empty)
# The fixtures are copied to a temporary directory first; its path reads as
# FIXTURES in the output.  $FRESH holds entries written 10 minutes, 2 hours
# and 2 days ago, for the relative times; their times read as TIME.
# Set UPDATE=1 to rewrite the expected stdout of failing cases.
# The cases whose cmd runs script(1), for a pseudo-terminal, are
# test-cli-tty.sh's; run_cases plain|tty picks one kind.

: "${srcdir:=.}"
: "${LLMLOG:=../tui/llmlog}"
data="$srcdir/data/cli"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

FIXTURES="$tmp/fixtures"
FRESH="$tmp/fresh"
mkdir -p "$FIXTURES" "$FRESH" || exit 99
cp -R "$data/logs" "$data/hostb" "$data/cost" "$data/prices" "$data/traces" \
    "$data/samems" "$data/rotated" "$FIXTURES/" || exit 99
chmod 700 "$FIXTURES/logs" "$FIXTURES/hostb" "$FIXTURES/cost" \
    "$FIXTURES/traces" "$FIXTURES/samems" "$FIXTURES/rotated"
chmod 600 "$FIXTURES"/logs/* "$FIXTURES"/hostb/* "$FIXTURES"/cost/* \
    "$FIXTURES"/traces/* "$FIXTURES"/samems/* "$FIXTURES"/rotated/*

ago() {
	date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%S.000Z
}
for spec in "600 ten minutes ago" "7200 two hours ago" "172800 two days ago"; do
	secs=${spec%% *}
	text=${spec#* }
	printf '{"category":"user","timestamp":"%s","level":"INFO","event":"user_interaction","user_input":"%s","response_summary":"","tool_calls":[],"success":true,"duration_ms":1.0,"pid":1}\n' \
	    "$(ago "$secs")" "$text"
done > "$FRESH/user_interactions.log"
chmod 700 "$FRESH"
export FIXTURES FRESH

# Stable output: UTC, no colour, nothing inherited.
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL
unset NO_COLOR LLMLOG_DIR

mask() {
	sed -e "s|$FIXTURES|FIXTURES|g" -e "s|$FRESH|FRESH|g" \
	    -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}/TIME/g'
}

# run_cases plain|tty: run the cases of one kind; fails when one fails or
# there was none.
run_cases()
{
	kind=$1
	fail=0
	count=0
	for dir in "$data"/cases/*/; do
		case=$(basename "$dir")
		if grep -q '^script ' "$dir/cmd"; then
			[ "$kind" = tty ] || continue
		else
			[ "$kind" = plain ] || continue
		fi
		count=$((count + 1))
		want_status=0
		[ -f "$dir/status" ] && want_status=$(cat "$dir/status")
		args=$(cat "$dir/cmd")
		(eval "$args") </dev/null >"$tmp/out.raw" 2>"$tmp/err"
		status=$?
		if grep -q FRESH "$dir/cmd"; then
			mask <"$tmp/out.raw" >"$tmp/out"
		else
			sed -e "s|$FIXTURES|FIXTURES|g" <"$tmp/out.raw" >"$tmp/out"
		fi
		bad=
		if [ "$status" != "$want_status" ]; then
			bad="exit status $status, expected $want_status"
		elif ! cmp -s "$tmp/out" "$dir/stdout"; then
			bad="output differs"
			[ -n "$UPDATE" ] && cp "$tmp/out" "$dir/stdout"
		elif [ -f "$dir/stderr" ]; then
			if [ ! -s "$dir/stderr" ] && [ -s "$tmp/err" ]; then
				bad="unexpected error output"
			fi
			while IFS= read -r line; do
				grep -qF -- "$line" "$tmp/err" || bad="error output lacks: $line"
			done <"$dir/stderr"
		fi
		if [ -n "$bad" ]; then
			echo "FAIL: $case: $bad"
			echo "  $args"
			diff -u "$dir/stdout" "$tmp/out" | head -40 | sed 's/^/  /'
			sed 's/^/  stderr: /' "$tmp/err" | head -10
			fail=$((fail + 1))
		else
			echo "ok: $case"
		fi
	done

	echo "$count cases, $fail failed"
	[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
}
