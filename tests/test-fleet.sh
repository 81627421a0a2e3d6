#!/bin/sh
# test-fleet.sh - shipping with rsyslog, as contrib/rsyslog/ configures it:
# two hosts' simulators write with small rotation (and one 256 KiB line),
# two private rsyslogd senders (imfile → RELP) ship to a private receiver
# (imrelp → one directory per host) on 127.0.0.1, and the receiver is
# killed with SIGKILL and started again mid-stream.  At the end every line
# written is on the receiver byte for byte; duplicates (RELP resends after
# a broken connection) are counted and reported, lost lines fail the test.
# Skipped (77) without rsyslogd and its imfile, imrelp and omrelp modules.
# No system rsyslogd is used or disturbed: own configurations, pid files,
# work directories and ports, and every process is stopped by its pid.

: "${srcdir:=.}"
: "${top_builddir:=..}"
rsyslogd=$(command -v rsyslogd || ls /usr/sbin/rsyslogd /sbin/rsyslogd 2>/dev/null | head -n 1)
[ -n "$rsyslogd" ] && [ -x "$rsyslogd" ] || {
	echo "rsyslogd not found (Debian packages rsyslog, rsyslog-relp): skipped"
	exit 77
}
[ -n "$PYTHON3" ] || { echo "python3 not found: skipped"; exit 77; }
contrib="$srcdir/../contrib/rsyslog"
line="$top_builddir/tests/fleet-line"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-fleet.XXXXXX") || exit 99
pids=""
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' INT TERM

# a free TCP port on 127.0.0.1
free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port) || exit 99

# conf TEMPLATE OUT NAME=VALUE...: the template with its @NAMES@ replaced
conf() {
	in=$1 out=$2
	shift 2
	cp "$in" "$out"
	for kv in "$@"; do
		sed "s|@${kv%%=*}@|${kv#*=}|g" "$out" >"$out.new" && mv "$out.new" "$out"
	done
}

mkdir -p "$tmp/central/work" "$tmp/central/spool"
conf "$contrib/llmlog-central.conf" "$tmp/central/rsyslog.conf" \
    WORK_DIR="$tmp/central/work" SPOOL_DIR="$tmp/central/spool" PORT="$port"
# the receiver on the loopback address alone: nothing from the network
# reaches a test's
sed 's|input(type="imrelp"|& address="127.0.0.1"|' "$tmp/central/rsyslog.conf" \
    >"$tmp/central/rsyslog.conf.new" &&
    mv "$tmp/central/rsyslog.conf.new" "$tmp/central/rsyslog.conf"
grep -q 'address="127.0.0.1"' "$tmp/central/rsyslog.conf" ||
    { echo "FAIL: no imrelp input in llmlog-central.conf"; exit 1; }
for h in alpha beta; do
	mkdir -p "$tmp/$h/work" "$tmp/$h/logs"
	chmod 700 "$tmp/$h/logs"
	conf "$contrib/llmlog-forward.conf" "$tmp/$h/forward.conf" \
	    WORK_DIR="$tmp/$h/work" LLMLOG_DIR="$tmp/$h/logs" \
	    CENTRAL=127.0.0.1 PORT="$port"
	# each sender names itself: both run on this one machine
	{ echo "global(localHostname=\"$h\")"; cat "$tmp/$h/forward.conf"; } \
	    >"$tmp/$h/rsyslog.conf"
done

# the modules are there and the configurations are valid
for c in central alpha beta; do
	if ! "$rsyslogd" -N1 -f "$tmp/$c/rsyslog.conf" >"$tmp/$c/check.log" 2>&1; then
		if grep -qi 'could not load module\|module .* not found\|cannot load' "$tmp/$c/check.log"; then
			echo "rsyslog lacks imfile/imrelp/omrelp (Debian package rsyslog-relp): skipped"
			cat "$tmp/$c/check.log"
			exit 77
		fi
		echo "FAIL: rsyslogd refused the $c configuration:"
		cat "$tmp/$c/check.log"
		exit 1
	fi
done

# start NAME: a private rsyslogd in the foreground of a background job
start() {
	rm -f "$tmp/$1/rsyslogd.pid"
	"$rsyslogd" -n -f "$tmp/$1/rsyslog.conf" -i "$tmp/$1/rsyslogd.pid" \
	    >>"$tmp/$1/rsyslogd.out" 2>&1 &
	eval "pid_$1=$!"
	pids="$pids $!"
}

# every host's lines, as written and as received: Counter differences
compare() {
	"$PYTHON3" - "$tmp" "$1" <<'PY'
import collections, glob, os, sys
tmp, final = sys.argv[1], sys.argv[2] == "final"
files = ["user_interactions", "system_health", "tool_executions",
         "llm_calls", "security", "performance"]
lost = dup = foreign = written = 0
report = []
for host in ("alpha", "beta"):
    for f in files:
        sent = collections.Counter()
        for p in glob.glob(os.path.join(tmp, host, "logs", f + ".log*")):
            with open(p, "rb") as fh:
                sent.update(fh.read().splitlines())
        got = collections.Counter()
        p = os.path.join(tmp, "central", "spool", host, f + ".log")
        if os.path.exists(p):
            with open(p, "rb") as fh:
                got.update(fh.read().splitlines())
        written += sum(sent.values())
        l = sum((sent - got).values())
        extra = got - sent
        d = sum(n for k, n in extra.items() if k in sent)
        x = sum(n for k, n in extra.items() if k not in sent)
        lost, dup, foreign = lost + l, dup + d, foreign + x
        if final and (l or x):
            report.append("%s/%s: %d lost, %d not written by it" % (host, f, l, x))
            for k in list((sent - got))[:2]:
                report.append("  lost: %.120r" % k)
            for k in [k for k in extra if k not in sent][:2]:
                report.append("  foreign: %.120r" % k)
print(written, lost, dup, foreign)
for r in report:
    print(r, file=sys.stderr)
PY
}

# shipped SECONDS: wait at most that long until nothing is missing
shipped() {
	deadline=$(( $(date +%s) + $1 ))
	while :; do
		set -- $(compare wait 2>/dev/null)
		[ "${2:-1}" -eq 0 ] && return 0
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

# Before any shipper runs, a little history (less than a rotation: a
# backup made before imfile watched the file is not shipped, llmlog(5)):
# the senders ship what was in the files before them too.
max=65536 backups=1000
for h in alpha beta; do
	"$SIMULATE" --dir "$tmp/$h/logs" --entries 100 --span 10m \
	    --max-bytes $max --backups $backups --seed 7 >/dev/null || exit 99
done

start central
start alpha
start beta
# the history shipped: imfile watches the files from here on (a file
# rotated before imfile first opened it would stay behind)
shipped 30
# the receiver is reached on 127.0.0.1 only, not from the network
if command -v ss >/dev/null 2>&1; then
	open=$(ss -Hltn "sport = :$port" | awk '$4 != "127.0.0.1:'"$port"'" { print $4 }')
	[ -z "$open" ] || { echo "FAIL: the receiver listens on $open"; exit 1; }
fi

# the 256 KiB line
"$line" "$tmp/alpha/logs" 262144 $max $backups || exit 99

# live writers, each file rotating every second or two; the receiver is
# killed and restarted while they write
"$SIMULATE" --dir "$tmp/alpha/logs" --rate 400 --duration 5 \
    --max-bytes $max --backups $backups --seed 1 >/dev/null 2>&1 &
sim_a=$!
"$SIMULATE" --dir "$tmp/beta/logs" --rate 400 --duration 5 \
    --max-bytes $max --backups $backups --seed 2 -p 2 >/dev/null 2>&1 &
sim_b=$!
pids="$pids $sim_a $sim_b"
sleep 2
kill -9 "$pid_central"
wait "$pid_central" 2>/dev/null
sleep 1
start central
wait "$sim_a" "$sim_b"

shipped 120
set -- $(compare final)
written=$1 lost=$2 dup=$3 foreign=$4
rotations=$(ls "$tmp"/alpha/logs/*.log.* "$tmp"/beta/logs/*.log.* 2>/dev/null | wc -l)
big=$(awk 'length($0) >= 262144' "$tmp/central/spool/alpha/user_interactions.log" 2>/dev/null | wc -l)
echo "written $written lines on 2 hosts through $rotations rotations; received all but $lost; $dup duplicates (RELP resends after the receiver was killed); $foreign lines not written by any host; the 256 KiB line received $big time(s)"
fail=0
if [ "$lost" -ne 0 ] || [ "$foreign" -ne 0 ] || [ "$big" -lt 1 ]; then
	fail=1
	for c in central alpha beta; do
		echo "--- rsyslogd $c:"
		tail -n 20 "$tmp/$c/rsyslogd.out"
	done
fi

# the receiver's directories read as the hosts' own: the same figures
# per host and category (duplicates taken out first)
for h in alpha beta; do
	mkdir -p "$tmp/dedup/$h"
	for f in "$tmp/central/spool/$h"/*.log; do
		awk '!seen[$0]++' "$f" >"$tmp/dedup/$h/${f##*/}"
	done
	chmod 700 "$tmp/dedup/$h"; chmod 600 "$tmp/dedup/$h"/*.log
done
"$LLMLOG" -d "$tmp/alpha/logs" -d "$tmp/beta/logs" --stats --by host,category \
    -o json >"$tmp/sent.json" 2>&1
"$LLMLOG" --hosts "$tmp/dedup" --stats --by host,category -o json \
    >"$tmp/got.json" 2>&1
if ! grep -q '"host":"beta"' "$tmp/got.json" || ! cmp -s "$tmp/sent.json" "$tmp/got.json"; then
	echo "FAIL: --stats --by host,category differ between the hosts' files and the receiver's:"
	diff "$tmp/sent.json" "$tmp/got.json" | head -n 20
	fail=1
fi
[ "$fail" -eq 0 ] && echo "ok: every line arrived, byte for byte"
exit "$fail"
