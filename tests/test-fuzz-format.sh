#!/bin/sh
# Runs the line builder's fuzz harness: over the redaction cases when it
# was built without libFuzzer, for FUZZ_SECONDS (default 5) with it.
set -u
srcdir=${srcdir:-.}
seconds=${FUZZ_SECONDS:-5}
prog=./fuzz/fuzz-format
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/corpus"
for d in "$srcdir"/data/redact/*/; do
	cp "$d/input" "$work/corpus/$(basename "$d")"
done
if "$prog" -help=1 2>&1 | grep -q libFuzzer; then
	if "$prog" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" \
	    >"$work/log" 2>&1; then
		echo "fuzz-format: $(grep -o 'stat::number_of_executed_units: [0-9]*' \
		    "$work/log" | cut -d' ' -f2) runs, no crash"
	else
		echo "fuzz-format: CRASH"
		tail -n 40 "$work/log"
		exit 1
	fi
else
	"$prog" "$work"/corpus/* || { echo "fuzz-format: failed on its corpus"; exit 1; }
	echo "fuzz-format: $(ls "$work/corpus" | wc -l) cases, no failure"
fi
