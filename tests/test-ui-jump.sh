#!/bin/sh
# test-ui-jump.sh - e and E go to the next and previous entry at ERROR or
# above, wrapping; @ goes to the first entry at or after a time in the
# time grammar of --since, and refuses a wrong one in place.
. "$srcdir/ui-lib.sh"

ui_fixture basic
ui_start
ui_wait '24/24 +FOLLOW'

# the errors of the fixture are the 6th, 7th, 11th and 15th entries
ui_keys Home
ui_wait ' 1/24 '
ui_keys e
ui_wait ' 6/24 +PAUSED' "e: the first error"
ui_keys e
ui_wait ' 7/24 ' "e: the next"
ui_keys e e
ui_wait ' 15/24 ' "e e: the last"
ui_keys e
ui_wait ' 6/24 ' "e wraps to the first"
ui_expect 'wrapped to the first error'
ui_keys E
ui_wait ' 15/24 ' "E wraps back to the last"
ui_keys E
ui_wait ' 11/24 ' "E: the previous"
ui_keys End E
ui_wait ' 15/24 +PAUSED' "E from the end"
ui_ok "e and E"

# within a filter: the errors of the tool tab
ui_keys 4
ui_wait ' [0-9]/5 '
ui_keys Home e
ui_wait ' 2/5 ' "the tool tab's error"
ui_keys e
ui_wait 'wrapped to the first error' "the only one"
ui_keys l l l l l
ui_wait 'level>=CRITICAL'
ui_keys e
ui_wait 'no entry at ERROR or above'
ui_keys c 1
ui_wait '24/24 '
ui_ok "e within the filters"

# @: a time as --since takes it
ui_keys @
ui_wait '^Go to time:' "the prompt"
ui_keys -l '2026-11-26 10:11'
ui_keys Enter
ui_wait ' 11/24 +PAUSED' "the entry at 10:11"
ui_keys @
ui_keys -l '2026-11-26T10:05:00.500Z'
ui_keys Enter
ui_wait ' 7/24 ' "the first entry after 10:05:00.5"
ui_keys @
ui_keys -l '2026-11-26 09:00'
ui_keys Enter
ui_wait ' 1/24 ' "before every entry: the first"
ui_keys @
ui_keys -l 'bogus'
ui_keys Enter
ui_wait '^Go to time: bogus .+' "a wrong time is refused in place"
ui_keys C-u
ui_keys -l '1h'
ui_keys Enter
ui_wait 'no entry at or after 1h' "nothing that recent"
ui_expect ' 1/24 ' "the selection stays"
ui_ok "@"
ui_quit
