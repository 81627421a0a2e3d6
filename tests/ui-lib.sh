# ui-lib.sh - sourced by the UI tests: runs llmlog inside a private tmux
# server, sends keys and waits (with a deadline) for text on the screen.
# Skips (exit 77) when tmux is missing.

: "${LLMLOG:?LLMLOG must name the llmlog program}"
: "${srcdir:=.}"
TMUX_BIN=${TMUX_BIN:-$(command -v tmux)}
if [ -z "$TMUX_BIN" ] || [ ! -x "$TMUX_BIN" ]; then
	echo "tmux not found: UI test skipped"
	exit 77
fi

UI_RUN=0
UI_WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-ui.XXXXXX")
UI_LOGS="$UI_WORK/logs"
UI_FAILED=0

# The server's socket lives in our own directory: tests running at the
# same time (other builds, other PID namespaces) never meet.
UI_SOCK="$UI_WORK/tmux-0"

ui_cleanup()
{
	"$TMUX_BIN" -S "$UI_SOCK" kill-server 2>/dev/null
	rm -rf "$UI_WORK"
}
trap ui_cleanup EXIT
trap 'exit 1' INT TERM HUP

tm()
{
	"$TMUX_BIN" -S "$UI_SOCK" "$@"
}

# Copy a fixture directory from tests/data/ui/ to the log directory.
ui_fixture()
{
	mkdir -p "$UI_LOGS"
	cp "$srcdir/data/ui/$1"/* "$UI_LOGS/"
	chmod 700 "$UI_LOGS"
	chmod 600 "$UI_LOGS"/*
}

# Start llmlog on the fixture copy with extra options; the shell around it
# reports the exit status so a test can see a clean quit.
ui_start()
{
	# each run gets a server of its own: a killed one may linger a moment
	tm kill-server 2>/dev/null
	UI_RUN=$((UI_RUN + 1))
	UI_SOCK="$UI_WORK/tmux-$UI_RUN"
	printf 'set -g status off\nset -g escape-time 0\nset -g history-limit 0\n' \
	    >"$UI_WORK/tmux.conf"
	cat >"$UI_WORK/run.sh" <<EOF
#!/bin/sh
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR
trap : INT
${UI_ENV:+export $UI_ENV}
"$LLMLOG" -d "$UI_LOGS" "\$@"
echo "[llmlog exited \$?]"
sleep 60
EOF
	chmod +x "$UI_WORK/run.sh"
	tm -f "$UI_WORK/tmux.conf" new-session -d -x "${UI_COLS:-120}" \
	    -y "${UI_ROWS:-40}" "$UI_WORK/run.sh $*"
	# a prefix assignment to a function may outlive the call (dash)
	UI_ENV= UI_COLS= UI_ROWS=
}

ui_screen()
{
	tm capture-pane -p -t 0 "$@"
}

ui_keys()
{
	tm send-keys -t 0 "$@"
}

ui_fail()
{
	echo "FAIL: $*"
	echo "---- screen ----"
	ui_screen
	echo "----------------"
	UI_FAILED=1
	exit 1
}

ui_ok()
{
	echo "ok: $*"
}

# Wait until the screen matches an extended regex (grep -E), at most ~10 s.
ui_wait()
{
	i=0
	while [ $i -lt 200 ]; do
		if ui_screen | grep -Eq -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	ui_fail "timed out waiting for /$1/${2:+ ($2)}"
}

# Wait until the screen no longer matches.
ui_wait_gone()
{
	i=0
	while [ $i -lt 200 ]; do
		if ! ui_screen | grep -Eq -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	ui_fail "timed out waiting for /$1/ to go${2:+ ($2)}"
}

# The text of one screen row (0-based).
ui_row()
{
	ui_screen | sed -n "$(($1 + 1))p"
}

# The status bar: the second row from the bottom.
ui_status()
{
	ui_screen | tail -n 2 | head -n 1
}

# Assert that the screen (or the given text) matches / does not match.
ui_expect()
{
	ui_screen | grep -Eq -- "$1" || ui_fail "expected /$1/${2:+ ($2)}"
}

ui_reject()
{
	! ui_screen | grep -Eq -- "$1" || ui_fail "did not expect /$1/${2:+ ($2)}"
}

# Quit with q and check the program said goodbye cleanly.
ui_quit()
{
	ui_keys q
	ui_wait '\[llmlog exited 0\]' "clean exit"
}

# Every cell of the screen that shows something, one a line:
#   ROW COL FG BG ATTRS CHAR
# for a character other than a space, or a space with a background or
# in reverse video.  FG and BG are a colour number (0-255) or "d", the
# terminal's own; ATTRS are letters (b bold, d dim, u underline, r
# reverse) and a "-"; CHAR is the character's UTF-8 bytes, "sp" for a
# space.  Columns count characters (a wide one counts one).
ui_cells()
{
	ui_screen -e | LC_ALL=C awk '
	function reset() { fg = "d"; bg = "d"; bold = dim = ul = rev = 0 }
	function sgr(p,   n, a, i, v) {
		n = split(p, a, ";")
		if (n == 0)
			reset()
		for (i = 1; i <= n; i++) {
			v = a[i] + 0
			if (v == 0) reset()
			else if (v == 1) bold = 1
			else if (v == 2) dim = 1
			else if (v == 22) bold = dim = 0
			else if (v == 4) ul = 1
			else if (v == 24) ul = 0
			else if (v == 7) rev = 1
			else if (v == 27) rev = 0
			else if (v >= 30 && v <= 37) fg = v - 30
			else if (v >= 90 && v <= 97) fg = v - 82
			else if (v == 39) fg = "d"
			else if (v >= 40 && v <= 47) bg = v - 40
			else if (v >= 100 && v <= 107) bg = v - 92
			else if (v == 49) bg = "d"
			else if ((v == 38 || v == 48) && a[i + 1] == 5) {
				if (v == 38) fg = a[i + 2] + 0
				else bg = a[i + 2] + 0
				i += 2
			}
		}
	}
	function flush() {
		if (ch != "" && (ch != " " || crev || cbg != "d"))
			print NR - 1, col, cfg, cbg, cattr, ch == " " ? "sp" : ch
		ch = ""
	}
	BEGIN { reset(); esc = sprintf("%c", 27) }
	{
		line = $0
		col = -1
		ch = ""
		while (length(line) > 0) {
			if (substr(line, 1, 2) == esc "[") {
				j = index(line, "m")
				sgr(substr(line, 3, j - 3))
				line = substr(line, j + 1)
				continue
			}
			c = substr(line, 1, 1)
			line = substr(line, 2)
			if (c >= "\200" && c < "\300" && ch != "") {
				ch = ch c	# a continuation byte
				continue
			}
			flush()
			col++
			ch = c
			cfg = fg
			cbg = bg
			crev = rev
			cattr = (bold ? "b" : "") (dim ? "d" : "") \
			    (ul ? "u" : "") (rev ? "r" : "") "-"
		}
		flush()
	}'
}
