#!/bin/sh
# test-ui-colors.sh - colours that read on a dark and on a light
# background: every coloured text on the terminal's own background has a
# contrast of at least 3.5:1 against black and against white, the times
# keep the terminal's foreground (dim), and the status line has a
# background that a selected row (reverse video of the terminal's
# colours, light or dark) cannot merge with.  Read from the colours and
# attributes of the captured pane.
. "$srcdir/ui-lib.sh"

# The xterm 256-colour palette and the WCAG contrast ratio, from their
# definitions: 16-231 a 6x6x6 cube of levels 0, 95, 135, 175, 215, 255;
# 232-255 greys from 8 in steps of 10; relative luminance of sRGB.
CONTRAST_AWK='
function level(k) { return k == 0 ? 0 : 55 + 40 * k }
function lin(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ^ 2.4 }
function lum(i,   r, g, b) {
	if (i >= 232) {
		r = g = b = 8 + 10 * (i - 232)
	} else {
		i -= 16
		r = level(int(i / 36)); g = level(int(i / 6) % 6); b = level(i % 6)
	}
	return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}
function ratio(a, b) { return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05) }
function vs_black(i) { return ratio(lum(i), 0) }
function vs_white(i) { return ratio(lum(i), 1) }
'

# Fail when a coloured text on the terminal's background reads poorly on
# black or on white (256-colour foregrounds; 16 and up).
check_contrast()
{
	bad=$(ui_cells | awk "$CONTRAST_AWK"'
	$4 == "d" && $3 != "d" && $3 >= 16 && $5 !~ /r/ {
		if (vs_black($3) < 3.5 || vs_white($3) < 3.5)
			print "colour " $3 " (row " $1 ": " $6 ")"
	}' | sort -u -k1,2 | head -n 5)
	[ -z "$bad" ] || ui_fail "$1: low contrast on a dark or light background: $bad"
}

ui_fixture basic

# 256 colours; a short window so that the selected last row sits on the
# status line
UI_ROWS=10 ui_start
ui_wait '24/24 +FOLLOW'
check_contrast "the list"
ui_ok "the list reads on both backgrounds"

# the times: the terminal's foreground, dim, on unselected rows
times=$(ui_cells | awk '$1 >= 1 && $1 <= 6 && $2 < 12 { print $3 "/" $5 }' | sort -u)
[ "$times" = "d/d-" ] || ui_fail "the times are not the terminal's colour, dim: $times"
ui_ok "times dim in the terminal's colour"

# the selected last row is reverse video of the terminal's colours; the
# status line right under it has a background that differs from black
# and from white by 3:1 or more
sel=$(ui_cells | awk '$1 == 7 && $2 < 12 { print $3 "/" $4 "/" ($5 ~ /r/) }' | sort -u | head -n 1)
[ "$sel" = "d/d/1" ] || ui_fail "the selected last row is not plain reverse: $sel"
bar=$(ui_cells | awk '$1 == 8 { print $4 }' | sort -u)
[ "$(echo "$bar" | wc -l)" -eq 1 ] || ui_fail "one status line background: $bar"
echo "$bar" | awk "$CONTRAST_AWK"'
	$1 == "d" || vs_black($1) < 3 || vs_white($1) < 3 { exit 1 }' ||
    ui_fail "the status line (background $bar) merges with a selected row"
tabs=$(ui_cells | awk '$1 == 0 && $5 !~ /b/ { print $4 }' | sort -u)
[ "$tabs" = "$bar" ] || ui_fail "the tab bar's background ($tabs) is not the status line's"
ui_ok "the status line stands apart from the selection"
ui_quit

# the detail view, the Stats tab and the help
ui_start
ui_wait '24/24 '
ui_keys Enter
ui_wait '^Entry 24 of 24'
check_contrast "the detail view"
ui_keys q 8
ui_wait 'LLM Calls'
check_contrast "the Stats tab"
ui_keys h
ui_wait 'llmlog keys'
check_contrast "the help"
ui_keys q
ui_quit
ui_ok "detail, stats and help read on both backgrounds"

# 8 colours: the bars blue, the times dim in the terminal's colour
UI_ENV="TERM=screen" UI_ROWS=10 ui_start
ui_wait '24/24 '
bar=$(ui_cells | awk '$1 == 8 { print $4 }' | sort -u)
[ "$bar" = 4 ] || ui_fail "8 colours: the status line is not blue: $bar"
times=$(ui_cells | awk '$1 >= 1 && $1 <= 6 && $2 < 12 { print $3 "/" $5 }' | sort -u)
[ "$times" = "d/d-" ] || ui_fail "8 colours: the times: $times"
ui_quit
ui_ok "8 colours"
