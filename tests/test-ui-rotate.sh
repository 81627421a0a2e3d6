#!/bin/sh
# test-ui-rotate.sh - live tail through the library's own rotations: a
# writer (llmlog-simulate) rotates small files many times while the
# explorer follows; every line written must be listed exactly once.
. "$srcdir/ui-lib.sh"

# make builds the simulator: without it the build is broken
[ -x "${SIMULATE:-}" ] || { echo "FAIL: llmlog-simulate not built"; exit 1; }
mkdir -m 700 "$UI_LOGS"
ui_start
ui_wait 'no log entries yet'
"$SIMULATE" -d "$UI_LOGS" -r 400 --duration 2 --max-bytes 16K \
    --backups 500 >/dev/null 2>&1 || ui_fail "llmlog-simulate failed"
ls "$UI_LOGS"/*.log.1 >/dev/null 2>&1 || ui_fail "the files rotated"
total=$(cat "$UI_LOGS"/* | wc -l)

# wait until the list holds at least every line, then compare
i=0
while [ $i -lt 200 ]; do
	shown=$(ui_status | sed -n 's/.* \([0-9][0-9]*\)\/\([0-9][0-9]*\) .*/\2/p')
	[ -n "$shown" ] && [ "$shown" -ge "$total" ] && break
	sleep 0.05
	i=$((i + 1))
done
[ -n "$shown" ] && [ "$shown" -ge "$total" ] ||
	ui_fail "lines lost: $shown listed of $total written"
sleep 0.3
shown=$(ui_status | sed -n 's/.* \([0-9][0-9]*\)\/\([0-9][0-9]*\) .*/\2/p')
ui_quit
[ "$shown" -eq "$total" ] ||
	ui_fail "$((shown - total)) of $total lines listed twice after rotations"
ui_ok "every one of $total lines listed once through rotations"
