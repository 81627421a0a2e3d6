#!/bin/sh
# test-ui-time.sh - the viewer's time prompts read a time without a zone in
# the zone the list shows (UTC after u, local before), an until bound
# covers its last minute, and a relative bound shows the instant it was
# resolved to.
. "$srcdir/ui-lib.sh"

ui_fixture basic

# New York is five hours behind: the 10:24 UTC entry shows as 05:24
UI_ENV="TZ=America/New_York"
ui_start
ui_wait '24/24 +FOLLOW'
ui_expect '2026-11-26 05:24:00' "local times"
ui_keys u
ui_wait '2026-11-26 10:24:00' "times in UTC"
ui_keys t C-u
ui_keys -l '2026-11-26 10:24'
ui_keys Enter
ui_wait 'since:2026-11-26 10:24' "the since bound"
ui_wait '^2026-11-26 10:24:00\.000 WARNING +security' "the first is the one typed"
ui_reject '10:1[0-9]:00\.000' "nothing before it"
ui_keys t C-u
ui_keys -l '2026-11-26 10:12'
ui_keys Enter
ui_keys T C-u
ui_keys -l '2026-11-26 10:12'
ui_keys Enter
ui_wait 'until:2026-11-26 10:12'
ui_wait '^2026-11-26 10:12:01\.000 INFO +security' "until 10:12 covers its minute"
ui_reject '10:13:00' "and no more"
ui_ok "UTC times typed after u"

# back in local time, a typed time is local again
ui_keys u
ui_wait '2026-11-26 05:12:01' "local times again"
ui_keys t C-u
ui_keys -l '2026-11-26 05:24'
ui_keys Enter
ui_wait 'since:2026-11-26 05:24' "the since bound"
ui_keys T C-u Enter
ui_wait '^2026-11-26 05:24:00\.000 WARNING +security' "local 05:24 is 10:24 UTC"
ui_reject '05:1[0-9]:00\.000' "nothing before it"
ui_ok "local times typed after u again"

# a relative bound is resolved when given: the status says to what
ui_keys t C-u
ui_keys -l '1w'
ui_keys Enter
ui_wait 'since:1w \([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\)' \
    "the instant of 1w, a day other than today"
ui_keys t C-u
ui_keys -l '1m'
ui_keys Enter
ui_wait 'since:1m \(([0-9]{4}-[0-9]{2}-[0-9]{2} )?[0-9]{2}:[0-9]{2}:[0-9]{2}\)' \
    "the instant of 1m"
ui_reject 'security' "nothing in the last minute"
ui_quit
ui_ok "relative bounds show their instant"
