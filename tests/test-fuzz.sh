#!/bin/sh
# Runs every fuzz harness: over its seed corpus when built without
# libFuzzer, for FUZZ_SECONDS (default 5) each when built with it.
set -u
srcdir=${srcdir:-.}
seconds=${FUZZ_SECONDS:-5}
status=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for h in timeparse logtime sanitize line parse jscan; do
	prog=./fuzz/fuzz-$h
	corpus=$srcdir/fuzz/corpus/$h
	if "$prog" -help=1 2>&1 | grep -q libFuzzer; then
		mkdir -p "$work/$h"
		if "$prog" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix="$work/$h-" "$work/$h" "$corpus" \
		    >"$work/$h.log" 2>&1; then
			echo "fuzz-$h: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$h.log" | cut -d' ' -f2 || true) runs, no crash"
			grep -h '^#[0-9]*.*DONE' "$work/$h.log" || true
		else
			echo "fuzz-$h: CRASH"; tail -n 40 "$work/$h.log"
			ls "$work"/$h-* 2>/dev/null
			status=1
		fi
	else
		"$prog" "$corpus"/* || { echo "fuzz-$h: failed on its corpus"; status=1; }
	fi
done
exit $status
