#!/bin/sh
# test-ui-hosts.sh - several directories in the explorer: the host column,
# the host picker (H) filtering to the hosts chosen as host in (...), the
# status line and the filter list showing it, H again clearing it; with one
# directory H says there is only one host.  A host named with a comma is
# chosen, typed (as x\,y or its whole name) and taken from --host.
. "$srcdir/ui-lib.sh"

ui_fixture basic

# one directory: nothing to choose
ui_start
ui_wait ' 24/24 '
ui_keys H
ui_wait 'only one host, logs' "H with one directory"
ui_reject 'Hosts: the list shows' "no picker"
ui_quit
ui_ok "one host"

# a second host with the security log only: 3 entries
mkdir -m 700 "$UI_WORK/beta"
cp "$UI_LOGS/security.log" "$UI_WORK/beta/"
ui_start -d "$UI_WORK/beta"
ui_wait ' 27/27 ' "entries of both directories"
ui_expect '^[-0-9:. ]+ beta +[A-Z]+ +security' "rows name the second host"
ui_expect '^[-0-9:. ]+ logs +[A-Z]+ +user' "and the first"

# the picker lists both with their entries
ui_keys H
ui_wait 'Hosts: the list shows' "H opens the picker"
ui_expect '☐ logs +24 entries' "logs with its entries"
ui_expect '☐ beta +3 entries' "beta with its entries"
ui_keys Space
ui_wait '☑ logs' "Space chooses logs"
ui_expect '☐ beta'
ui_keys Enter
ui_wait ' 24/24 ' "only the entries of logs"
ui_expect 'All 24 '
ui_reject '^[-0-9:. ]+ beta ' "no row of beta"
ui_status | grep -Fq 'where:host in ("logs")' ||
    ui_fail "the status line shows the host filter"
ui_ok "H: one host chosen"

# the filter list shows it as a where expression with its hits
ui_keys v
ui_wait 'where +in +host in \("logs"\) +24 hits' "the filter list"
ui_keys h
ui_wait 'llmlog keys' "h opens the help from the filter list"
ui_keys x
ui_wait '24 hits' "the help closes on the filter list"
ui_keys Escape
ui_wait ' 24/24 '

# the other host instead: the picker remembers the choice
ui_keys H
ui_wait '☑ logs' "the choice is kept"
ui_keys F1
ui_wait 'llmlog keys' "F1 opens the help from the hosts"
ui_keys x
ui_wait '☑ logs' "the help closes on the hosts"
ui_keys Space Space
ui_wait '☑ beta' "beta chosen"
ui_expect '☐ logs'
ui_keys Enter
ui_wait ' 3/3 ' "only the entries of beta"
ui_reject '^[-0-9:. ]+ logs ' "no row of logs"
ui_status | grep -Fq 'where:host in ("beta")' ||
    ui_fail "the status line shows the new host filter"
ui_status | grep -Fq '"logs"' && ui_fail "the old host filter is replaced"
ui_keys Enter
ui_wait 'host beta, ' "the detail header names the host"
ui_keys q
ui_wait ' 3/3 '
ui_ok "H: the other host"

# H, nothing chosen, Enter: every host again
ui_keys H
ui_wait '☑ beta'
ui_keys Down Space
ui_wait '☐ beta'
ui_keys Enter
ui_wait ' 27/27 ' "every host again"
ui_wait 'every host' "the message says so"
ui_status | grep -Fq 'where:' && ui_fail "no host filter left"
ui_keys H
ui_wait '☐ logs'
ui_expect '☐ beta'
ui_keys a
ui_wait '☑ beta'
ui_expect '☑ logs' "a chooses every host"
ui_keys Escape
ui_wait ' 27/27 ' "Esc changes nothing"
ui_status | grep -Fq 'where:' && ui_fail "Esc adds no filter"
ui_ok "H: cleared"

# = in the picker: the hosts typed as a comma list, a wrong name refused
ui_keys H
ui_wait 'Hosts: the list shows'
ui_keys =
ui_wait 'Hosts \(a,b; empty: every host\):' "the prompt"
ui_keys -l 'nosuch,beta'
ui_keys Enter
ui_wait "no such host 'nosuch' \(hosts: logs, beta\)" "an unknown host"
ui_keys C-u
ui_keys -l 'beta'
ui_keys Enter
ui_wait ' 3/3 ' "the typed host"
ui_status | grep -Fq 'where:host in ("beta")' ||
    ui_fail "the typed host is the filter"
ui_keys H
ui_wait '☑ beta' "the typed host is chosen"
ui_keys =
ui_wait 'every host\): beta' "the prompt holds the hosts chosen"
ui_keys C-u Enter
ui_wait ' 27/27 ' "empty: every host"
ui_status | grep -Fq 'where:' && ui_fail "no host filter after an empty list"
ui_ok "H: typed"

# --host on the command line is the picker's: chosen when it opens, and
# replaced by what Enter applies
ui_start -d "$UI_WORK/beta" --host beta
ui_wait ' 3/3 ' "--host beta"
ui_keys H
ui_wait '☑ beta' "--host's host is chosen"
ui_expect '☐ logs'
ui_keys Space Space
ui_wait '☐ beta' "beta no longer chosen"
ui_expect '☑ logs'
ui_keys Enter
ui_wait ' 24/24 ' "logs in place of beta"
ui_status | grep -Fq 'where:host in ("logs")' ||
    ui_fail "the picker's filter replaces --host's"
ui_status | grep -Fq '"beta"' && ui_fail "--host's filter is gone"
ui_quit
ui_ok "H after --host"

# a host named with a comma: chosen with Space, = shows it as x\,y and
# reads that back, its whole name typed is that host
mkdir -m 700 "$UI_WORK/x,y"
cp "$UI_LOGS/security.log" "$UI_WORK/x,y/"
ui_start -d "$UI_WORK/x,y"
ui_wait ' 27/27 '
ui_keys H
ui_wait '☐ x,y +3 entries' "the picker lists x,y"
ui_keys Down Space Enter
ui_wait ' 3/3 ' "only the entries of x,y"
ui_status | grep -Fq 'where:host in ("x,y")' ||
    ui_fail "the host filter names x,y whole"
ui_keys H
ui_wait '☑ x,y' "x,y is chosen"
ui_keys =
ui_wait 'every host\): x\\,y' "the prompt writes the comma as \\,"
ui_keys Enter
ui_wait ' 3/3 ' "x\\,y read back"
ui_keys H
ui_wait 'Hosts: the list shows'
ui_keys =
ui_wait 'every host\): '
ui_keys C-u
ui_keys -l 'x,z'
ui_keys Enter
ui_wait "no such host 'x' \(hosts: logs, x\\\\,y; \\\\, is a comma in a name\)" \
    "an unknown host, the hosts as a list writes them"
ui_keys C-u
ui_keys -l 'logs,x\,y'
ui_keys Enter
ui_wait ' 27/27 ' "logs and x,y"
ui_status | grep -Fq 'where:host in ("logs", "x,y")' ||
    ui_fail "both hosts typed"
ui_keys H
ui_wait '☑ x,y'
ui_keys =
ui_wait 'every host\): '
ui_keys C-u
ui_keys -l 'x,y'
ui_keys Enter
ui_wait ' 3/3 ' "the whole name typed is that host"
ui_quit
# (ui_start's arguments are read by a shell again: \\ is one backslash)
ui_start -d "$UI_WORK/x,y" --host 'x\\,y'
ui_wait ' 3/3 ' "--host 'x\\,y'"
ui_status | grep -Fq 'where:host in ("x,y")' ||
    ui_fail "--host 'x\\,y' is the host x,y"
ui_keys H
ui_wait '☑ x,y' "--host's host with a comma is chosen"
ui_expect '☐ logs'
ui_keys Escape
ui_wait ' 3/3 '
ui_quit
ui_ok "a host named with a comma"

# a narrow screen: the host column is cut to 8 columns, rows fit
mkdir -m 700 "$UI_WORK/a-long-host-name"
cp "$UI_LOGS/security.log" "$UI_WORK/a-long-host-name/"
UI_COLS=60 UI_ROWS=14 ui_start -d "$UI_WORK/a-long-host-name"
ui_wait ' 27/27 '
ui_expect '^[-0-9:. ]+ ost-name +[A-Z]+ +security' "the end of a long name"
ui_screen | while IFS= read -r line; do
	w=$(printf '%s' "$line" | wc -L)
	[ "$w" -le 60 ] || { echo "row too wide ($w): $line"; exit 1; }
done || ui_fail "rows fit 60 columns"
ui_quit
ui_ok "narrow host column"

# a host named by several parts (a directory's distinct trailing path)
# shows its first part, where it differs from the others, when it is cut
mkdir -p "$UI_WORK/spool/gamma/.llm_os/logs"
chmod -R 700 "$UI_WORK/spool"
cp "$UI_LOGS/security.log" "$UI_WORK/spool/gamma/.llm_os/logs/"
ui_start -d "$UI_WORK/spool/gamma/.llm_os/logs"
ui_wait ' 27/27 '
ui_expect '^[-0-9:. ]+ gamma… +[A-Z]+ +security' \
    "gamma/.llm_os/logs cut to its first part"
ui_quit
ui_ok "a host of several parts"
