#!/bin/sh
# test-hostile-ui.sh - the explorer on hostile files (see hostile-lib.sh),
# inside tmux: escapes, C1 codes and bidi overrides are shown made
# visible with the good lines around them, and a catastrophic pattern as
# the filter says how many lines it gave up on.  Skipped (77) without
# tmux.
: "${srcdir:=.}"
. "$srcdir/hostile-lib.sh"
TMUX_BIN=${TMUX_BIN:-$(command -v tmux)}
[ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ] || { echo "SKIP: tmux not found"; exit 77; }

for pair in 'ansi:^[[31mred^[[0m' 'c1:\x9b31m csi \x85 nel' 'bidi:\u202eevil\u202c'; do
	name=${pair%%:*}
	want=${pair#*:}
	copy_case "$name"
	sock=$work/tmux-$name	# a server of its own: a killed one may linger
	"$TMUX_BIN" -S "$sock" new-session -d -x 160 -y 20 \
	    "env LANG=C.UTF-8 TZ=UTC '$LLMLOG' -d '$work/$name'; sleep 30"
	shown=no
	for i in $(seq 200); do
		"$TMUX_BIN" -S "$sock" capture-pane -p >"$work/screen" 2>/dev/null
		if grep -qF -- "$want" "$work/screen"; then
			shown=yes
			break
		fi
		sleep 0.05
	done
	[ $shown = yes ] || { fail "ui $name: '$want' not on screen"; cat "$work/screen"; }
	grep -q GOODLINE_before "$work/screen" && grep -q GOODLINE_after "$work/screen" ||
		fail "ui $name: good lines not both on screen"
	"$TMUX_BIN" -S "$sock" kill-server 2>/dev/null
	echo "ok: ui $name"
done

# the catastrophic pattern as the explorer's filter
make_regex_trap "$work/regex"
sock=$work/tmux-regex
"$TMUX_BIN" -S "$sock" new-session -d -x 160 -y 20 \
    "env LANG=C.UTF-8 TZ=UTC '$LLMLOG' -d '$work/regex'; sleep 30"
for i in $(seq 200); do
	"$TMUX_BIN" -S "$sock" capture-pane -p | grep -q 'user ' && break
	sleep 0.05
done
"$TMUX_BIN" -S "$sock" send-keys f '(a+)+$' Enter
shown=no
for i in $(seq 400); do
	if "$TMUX_BIN" -S "$sock" capture-pane -p | grep -q 'pattern gave up on 1 line'; then
		shown=yes
		break
	fi
	sleep 0.05
done
[ $shown = yes ] || { fail "ui: catastrophic regex filter not reported"; "$TMUX_BIN" -S "$sock" capture-pane -p; }
"$TMUX_BIN" -S "$sock" kill-server 2>/dev/null
echo "ok: ui catastrophic regex"

finish
