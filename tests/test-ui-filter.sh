#!/bin/sh
# test-ui-filter.sh - the filters from the keyboard: minimum level, since
# (valid and invalid input), keyword, filter-to-matches, clearing them;
# and command-line options as the starting state.
. "$srcdir/ui-lib.sh"

ui_fixture basic
ui_start
ui_wait '24/24 ' "all entries"

# the level cycles: all, DEBUG, INFO, WARNING
ui_keys l l l
ui_wait 'level>=WARNING' "status shows the level"
# malformed lines have no level and are kept next to the errors
ui_wait ' 10/10 ' "4 warnings, 4 errors, 2 malformed"
ui_reject ' INFO ' "no INFO rows"
ui_keys l
ui_wait 'level>=ERROR'
ui_wait ' 6/6 ' "4 errors, 2 malformed"
ui_keys L
ui_wait 'level>=WARNING' "L lowers the level"
ui_keys c
ui_wait '24/24 ' "c clears the filters"
ui_wait 'no filters'
ui_ok "level filter"

# since: a time in the log's zone (TZ=UTC here)
ui_keys t
ui_wait '^Since:' "the since prompt"
ui_keys -l '2026-11-26 10:20'
ui_keys Enter
ui_wait 'since:2026-11-26 10:20' "status shows since"
ui_reject 'read secret.txt' "earlier entries gone"
ui_expect 'write_file' "later entries kept"
ui_ok "since filter"

# an invalid time keeps the prompt open with the error in place
ui_keys t C-u
ui_keys -l 'bogus'
ui_keys Enter
ui_wait '^Since: bogus .+' "the error is shown after the input"
ui_expect 'since:2026-11-26 10:20' "the old filter stays"
ui_keys C-u
ui_keys -l '2h'
ui_keys Escape
ui_wait_gone '^Since:' "Esc cancels"
ui_keys c
ui_wait '24/24 '
ui_ok "invalid time"

# keyword
ui_keys k
ui_wait '^Keyword:'
ui_keys -l 'PASSWD'
ui_keys Enter
ui_wait 'keyword:PASSWD' "status shows the keyword"
ui_wait ' 1/1 ' "one entry names /etc/passwd"
ui_keys k C-u
ui_keys -l '日本語'
ui_keys Enter
ui_wait 'keyword:日本語' "a keyword typed in wide characters"
ui_wait ' 1/1 '
ui_keys k BSpace BSpace
ui_wait '^Keyword: 日 *$' "Backspace removes a whole character"
ui_keys Escape
ui_keys c
ui_wait '24/24 '
ui_ok "keyword filter"

# filter to the entries matching a pattern; a bad one is refused in place
ui_keys f
ui_wait '^Filter \(regex\):'
ui_keys -l 'etc/(passwd|shadow)'
ui_keys Enter
ui_wait 'filter:/etc/\(passwd\|shadow\)/' "status shows the pattern"
ui_wait ' 2/2 ' "two entries match"
ui_keys '&' C-u
ui_keys -l 'a(b'
ui_keys Enter
ui_wait '^Filter \(regex\): a\(b .+' "the pattern error in place"
ui_keys Escape
ui_wait ' 2/2 ' "the old pattern stays"
ui_keys c
ui_wait '24/24 '
ui_ok "regex filter"

ui_quit

# times are local (here 9 hours east of UTC) until u shows them in UTC;
# --utc starts in UTC
UI_ENV="TZ=JST-9" ui_start
ui_wait '2026-11-26 19:26:00.000 WARNING' "local time"
ui_keys u
ui_wait '2026-11-26 10:26:00.000 WARNING' "u: UTC"
ui_expect 'UTC  ' "status shows UTC"
ui_keys u
ui_wait '2026-11-26 19:26:00.000 WARNING' "u again: local time"
ui_quit
UI_ENV="TZ=JST-9" ui_start --utc
ui_wait '2026-11-26 10:26:00.000 WARNING' "--utc"
ui_quit
ui_ok "UTC toggle"

# command-line options are the starting state
ui_start -c tool -l error
ui_wait ' 1/1 ' "one tool error"
ui_expect 'level>=ERROR' "level from -l"
ui_expect ' 4 Tool 1 ' "the Tool tab is selected"
ui_quit
ui_ok "options as starting state"

# --tail: only the last N entries; # changes it, c clears it
ui_start -n 5
ui_wait ' 5/5 +FOLLOW' "the last five"
ui_expect 'tail:5' "status shows the tail"
ui_reject 'write_file' "earlier entries are not listed"
ui_keys '#' C-u
ui_keys -l 7
ui_keys Enter
ui_wait ' 7/7 ' "# sets another number"
ui_keys '#' C-u
ui_keys -l 'x'
ui_keys Enter
ui_wait '^Last N entries: x .+' "a wrong number is refused in place"
ui_keys Escape c
ui_wait ' 24/24 ' "c shows everything again"
ui_quit
ui_ok "tail"
