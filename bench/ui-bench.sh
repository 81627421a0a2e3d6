#!/bin/sh
# ui-bench.sh - what the stats dashboard costs, measured through tmux:
# the time from the Stats tab's key to its first figures and to its
# complete figures (beside llmlog --stats on the same directory), and
# the CPU the explorer takes over a while with a live writer adding 20
# entries a second, with the list alone, the Stats tab and the stats
# pane shown; and the filters typed in the list (a keyword with k, a
# regex with f, a where expression with w): the time from Enter to the
# first screenful of matching entries (the list fills from its newest
# entries, the status saying "counting") and to the complete count.
# CPU is the explorer's own ticks (/proc/PID/stat, user and
# system) over the wall time.  Never part of make check: run by hand or
# from make bench (bench.py).
#
#   ui-bench.sh [-b BUILDDIR] [-t SECONDS] [-m MODES] [-n ENTRIES] [DIR]
#
# DIR is a log directory to open, to which the writer appends; with
# -n ENTRIES and no DIR, llmlog-simulate writes a set of that many over
# 48 hours into a temporary directory, removed at the end.  MODES is a
# comma-separated subset of filter,list,tab,pane (default all four);
# SECONDS
# the length of each CPU measure (default 60).
set -eu

build=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
modes=filter,list,tab,pane
entries=
while getopts b:t:m:n: opt; do
	case $opt in
	b) build=$OPTARG ;;
	t) seconds=$OPTARG ;;
	m) modes=$OPTARG ;;
	n) entries=$OPTARG ;;
	*) echo "usage: ui-bench.sh [-b BUILDDIR] [-t SECONDS]" \
	    "[-m filter,list,tab,pane] [-n ENTRIES] [DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
llmlog=$build/tui/llmlog
sim=$build/examples/llmlog-simulate
tmux_bin=$(command -v tmux) || { echo "ui-bench: tmux is needed" >&2; exit 1; }
for p in "$llmlog" "$sim"; do
	[ -x "$p" ] || { echo "ui-bench: $p is not built" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-ui-bench.XXXXXX")
sock=$work/tmux-0
writer=
cleanup()
{
	[ -n "$writer" ] && kill "$writer" 2>/dev/null && wait "$writer" 2>/dev/null
	"$tmux_bin" -S "$sock" kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ $# -ge 1 ]; then
	dir=$1
elif [ -n "$entries" ]; then
	dir=$work/logs
	echo "writing $entries entries over 48h into a temporary directory"
	"$sim" --dir "$dir" --entries "$entries" --span 48h --backups 0 >/dev/null
else
	echo "ui-bench: give a directory or -n ENTRIES" >&2
	exit 2
fi

tm()
{
	"$tmux_bin" -S "$sock" "$@"
}

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# Wait until the screen matches (and, with a second pattern, does not
# match that one); at most 120 s.
wait_for()
{
	end=$(($(now_ms) + 120000))
	while [ "$(now_ms)" -lt $end ]; do
		screen=$(tm capture-pane -p -t 0)
		if echo "$screen" | grep -Eq -- "$1" &&
		    { [ -z "${2:-}" ] || ! echo "$screen" | grep -Eq -- "$2"; }; then
			return 0
		fi
		sleep 0.002
	done
	echo "ui-bench: timed out waiting for /$1/" >&2
	tm capture-pane -p -t 0 >&2
	exit 1
}

# The explorer on the directory, loaded, following; its pid in $pid.
# Each run has a server of its own: a killed one may linger a moment.
runs=0
start()
{
	tm kill-server 2>/dev/null || true
	runs=$((runs + 1))
	sock=$work/tmux-$runs
	tm -f /dev/null new-session -d -x 120 -y 40 \
	    "exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$llmlog' -d '$dir'"
	pid=$(tm display-message -p -t 0 '#{pane_pid}')
	wait_for '[0-9]+/[0-9]+ +FOLLOW' 'indexing'
}

ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# The Stats tab: its key, then the first figures, then no more counting.
# The first figures are the dashboard's top row (the headline figures,
# or the Overall panel where there are none).
stats_tab_time()
{
	start
	t0=$(now_ms)
	tm send-keys -t 0 8
	wait_for '^ *(Requests|Overall)'
	t1=$(now_ms)
	wait_for '^ *(Requests|Overall)' 'counting'
	t2=$(now_ms)
	s0=$(now_ms)
	"$llmlog" -d "$dir" --stats >/dev/null
	s1=$(now_ms)
	echo "  Stats tab: first figures $((t1 - t0)) ms, complete" \
	    "$((t2 - t0)) ms (llmlog --stats: $((s1 - s0)) ms)"
}

# A filter typed in the list: its key, the text, Enter; then the first
# screenful (the status names the filter and the list holds at least a
# screen of rows, or the count is complete) and the count complete (no
# "counting" left).  The list is 40 rows high: 30 rows is a screenful.
filter_time()
{
	key=$1 label=$2 text=$3 shown=$4
	start
	tm send-keys -t 0 "$key"
	wait_for "^$label"
	tm send-keys -t 0 -l "$text"
	t0=$(now_ms)
	tm send-keys -t 0 Enter
	end=$(($(now_ms) + 120000))
	t1=
	while [ "$(now_ms)" -lt $end ]; do
		screen=$(tm capture-pane -p -t 0)
		status=$(echo "$screen" | grep -F -- "$shown" | grep -E ' [0-9]+/[0-9]+ ' | tail -n 1)
		if [ -n "$status" ]; then
			m=$(echo "$status" | sed 's,.* [0-9]*/\([0-9]*\) .*,\1,')
			[ -z "$t1" ] && { [ "$m" -ge 30 ] || ! echo "$status" | grep -q counting; } &&
			    t1=$(now_ms)
			if [ -n "$t1" ] && ! echo "$status" | grep -q counting; then
				break
			fi
		fi
		sleep 0.002
	done
	t2=$(now_ms)
	[ -n "$t1" ] && [ "$t2" -lt "$end" ] || {
		echo "ui-bench: the filter $key '$text' never completed" >&2
		tm capture-pane -p -t 0 >&2
		exit 1
	}
	echo "  filter $key '$text': first screen $((t1 - t0)) ms," \
	    "complete $((t2 - t0)) ms ($m entries)"
}

filters()
{
	filter_time k Keyword: timeout 'keyword:timeout'
	filter_time f 'Filter \(regex\):' 'Rate limit|Request timed out' 'filter:/'
	filter_time w Where: 'duration_ms>1000' 'duration_ms>1000'
}

cpu()
{
	mode=$1
	start
	case $mode in
	tab) tm send-keys -t 0 8 ;;
	pane) tm send-keys -t 0 s ;;
	esac
	[ "$mode" = list ] || wait_for '^ *(Requests|Overall)' 'counting'
	"$sim" --dir "$dir" --rate 20 >/dev/null 2>&1 &
	writer=$!
	sleep 3
	a=$(ticks "$pid")
	sleep "$seconds"
	b=$(ticks "$pid")
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	case $mode in
	list) what="list alone" ;;
	tab) what="Stats tab" ;;
	pane) what="stats pane" ;;
	esac
	echo "$a $b $(getconf CLK_TCK) $seconds" | awk -v what="$what" '{
		printf "  CPU, %s, 20/s writer, %d s: %.1f %% of one core\n",
		    what, $4, ($2 - $1) / $3 / $4 * 100 }'
}

n=$("$llmlog" -d "$dir" --stats --output json |
    sed -n 's/^ *"total": *\([0-9]*\),.*/\1/p' | head -n 1)
echo "ui-bench on $dir (${n:-?} entries), tmux 120x40, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
case ,$modes, in
*,tab,*|*,pane,*) stats_tab_time ;;
esac
for m in $(echo "$modes" | tr , ' '); do
	if [ "$m" = filter ]; then
		filters
		continue
	fi
	cpu "$m"
done
