#!/bin/sh
# test-ui-stdin.sh - the explorer on "-": its logs come from a pipe and its
# keys from the terminal; lines that come later are shown as they come, and
# no directory is read.
. "$srcdir/ui-lib.sh"

ui_fixture basic
mkfifo "$UI_WORK/in"
# LLMLOG_DIR names logs that must not be shown: with "-" no directory is read
cat >"$UI_WORK/run.sh" <<EOF
#!/bin/sh
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC LLMLOG_DIR="$UI_LOGS"
"$LLMLOG" - <"$UI_WORK/in"
echo "[llmlog exited \$?]"
sleep 60
EOF
chmod +x "$UI_WORK/run.sh"
printf 'set -g status off\nset -g escape-time 0\nset -g history-limit 0\n' \
    >"$UI_WORK/tmux.conf"
tm -f "$UI_WORK/tmux.conf" new-session -d -x 120 -y 40 "$UI_WORK/run.sh"
exec 3>"$UI_WORK/in"		# until llmlog's shell opens the pipe

cat "$UI_LOGS/user_interactions.log" >&3
ui_wait '4/4 ' "the piped lines"
ui_reject 'llm ' "no directory read"
ui_ok "the lines of standard input are shown"

cat "$UI_LOGS/llm_calls.log" >&3
ui_wait '8/8 ' "lines that come later"
ui_ok "lines that come later are shown"

exec 3>&-
ui_keys Home Down
ui_wait ' 2/8 ' "keys are read from the terminal"
ui_keys Enter
ui_wait '^Entry 2 of 8: ' "the detail view of a piped line"
ui_expect '^category: ' "its fields"
ui_keys q
ui_wait ' 2/8 ' "back to the list"
ui_ok "keys come from the terminal; piped lines are read again"
ui_quit
