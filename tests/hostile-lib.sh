# hostile-lib.sh - sourced by the hostile-file tests: the scratch directory,
# failure counting, and the generated files.  Each case under
# data/hostile/<case>/ is a log file with two good lines (GOODLINE) around
# something nasty, and "expected" with the counts of it.
set -u
LLMLOG=${LLMLOG:?LLMLOG must name the llmlog program}
work=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-hostile.XXXXXX") || exit 99
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

# The script's status: 1 when a check failed.
finish() {
	[ $fails -eq 0 ] || { echo "$fails failures"; exit 1; }
	exit 0
}

expect() {		# file key
	sed -n "s/^$2 //p" "$1"
}

# copy_case CASE: the case's files into $work/CASE
copy_case() {
	mkdir -p "$work/$1"
	cp "$srcdir/data/hostile/$1"/*.log "$work/$1"/
}

good='{"category":"llm","timestamp":"2026-11-26T10:00:00Z","level":"INFO","event":"llm_call","pid":1,"provider":"GOODLINE","model":"m","prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"duration_ms":1,"success":true,"streaming":false}'

# make_million DIR: a million one-byte lines between two good ones
make_million() {
	mkdir -p "$1"
	{ echo "$good"; yes x | head -n 1000000; echo "$good"; } >"$1/llm_calls.log"
}

# make_regex_trap DIR: a 30,000-byte line on which (a+)+$ backtracks
# without end
make_regex_trap() {
	mkdir -p "$1"
	{
		printf '{"category":"user","timestamp":"2026-11-26T10:00:00Z","level":"INFO","event":"user_interaction","user_input":"'
		head -c 30000 /dev/zero | tr '\0' 'a'
		printf '!"}\n'
	} >"$1/user_interactions.log"
}
