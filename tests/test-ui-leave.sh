#!/bin/sh
# test-ui-leave.sh - what is on screen is what is on disk: a deleted
# backup's entries leave the list, the tab counts and the stats, and the
# message line says so once; a truncated file's entries past its end
# leave too; through many rotations that delete the oldest backups, the
# list holds the lines the files hold, no more.
. "$srcdir/ui-lib.sh"

llm_line()
{
	printf '{"category":"llm","timestamp":"2026-11-26T09:00:0%d.000Z","level":"INFO","event":"llm_call","pid":1,"provider":"oldprov","model":"m","prompt_tokens":100,"completion_tokens":100,"total_tokens":200,"duration_ms":5.0,"success":true,"streaming":false}\n' "$1"
}

ui_fixture basic
for i in 1 2 3; do llm_line $i; done >"$UI_LOGS/llm_calls.log.1"
chmod 600 "$UI_LOGS/llm_calls.log.1"
ui_start
ui_wait 'All 27 '
ui_expect 'LLM 7 '
ui_keys 8
ui_wait 'Total tokens +2,430' "the backup's calls counted"
ui_keys 1
ui_wait '27/27 +FOLLOW'

rm "$UI_LOGS/llm_calls.log.1"
ui_wait '3 entries left with a deleted file' "the message line says it"
ui_wait '24/24 +FOLLOW' "the list lost them"
ui_expect 'All 24 '
ui_expect 'LLM 4 '
ui_reject 'oldprov'
ui_keys 8
ui_wait 'Total tokens +1,830' "the stats lost them"
ui_keys 1
ui_wait_gone 'left with a deleted file' "a key clears the message"
ui_ok "a deleted backup's entries leave list, tabs and stats"

: >"$UI_LOGS/tool_executions.log"
ui_wait '5 entries left past the end of a truncated file'
ui_wait '19/19 +FOLLOW'
ui_expect 'Tool 0 '
ui_ok "a truncated file's entries leave"
ui_quit

# the library's rotation, two backups kept: the oldest go all the time
if [ ! -x "${SIMULATE:-}" ]; then
	echo "llmlog-simulate not built: rotation part skipped"
	exit 0
fi
rm -rf "$UI_LOGS"
mkdir -m 700 "$UI_LOGS"
ui_start
ui_wait 'no log entries yet'
"$SIMULATE" -d "$UI_LOGS" -r 1000 --duration 2 --max-bytes 8K \
    --backups 2 >/dev/null 2>&1 || ui_fail "llmlog-simulate failed"
ls "$UI_LOGS"/*.log.2 >/dev/null 2>&1 || ui_fail "the files rotated"
total=$(cat "$UI_LOGS"/* | wc -l)
i=0
shown=
while [ $i -lt 200 ]; do
	shown=$(ui_status | sed -n 's/.* \([0-9][0-9]*\)\/\([0-9][0-9]*\) .*/\2/p')
	[ "$shown" = "$total" ] && break
	sleep 0.05
	i=$((i + 1))
done
[ "$shown" = "$total" ] ||
	ui_fail "$shown entries listed, the files hold $total"
ui_expect "All $total " "the tab counts what is on disk"
ui_quit
ui_ok "through rotations that delete backups, $total listed of $total on disk"
