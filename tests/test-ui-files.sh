#!/bin/sh
# test-ui-files.sh - the explorer names on its message line what it cannot
# read: a FIFO at a log name, at start and when one appears later; the
# rest is shown, and nothing blocks.
. "$srcdir/ui-lib.sh"

ui_fixture basic
mkfifo "$UI_LOGS/llm_calls.log.1"
ui_start
ui_wait '24/24 +FOLLOW'
ui_wait 'cannot read .*/llm_calls\.log\.1: a FIFO, not a log file' \
    "a FIFO at start"
ui_ok "a FIFO at a log name is named at start"

ui_keys Down
ui_wait_gone 'cannot read' "a key clears the message"
mkdir "$UI_LOGS/performance.log.3"
ui_wait 'cannot read .*/performance\.log\.3: a directory, not a log file' \
    "a directory that appears"
ui_keys Down
ui_wait_gone 'cannot read'
sleep 0.5
ui_reject 'cannot read' "each is named once"
ui_ok "one that appears later is named once"
ui_quit
