#!/bin/sh
# test-cli-sql.sh - --sql on simulator data: a constraint that the tables
# narrow on the index (time, ts, level, category) gives the rows that the
# same constraint gives where SQLite cannot hand it over (+time: an
# expression, not the column), with and without the other filters; the
# plans show which is which; the category tables' columns are the fields
# llmlog(5) lists.
: "${srcdir:=.}"
: "${LLMLOG:=../tui/llmlog}"
: "${SIMULATE:=../examples/llmlog-simulate}"
: "${top_srcdir:=$srcdir/..}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-sql.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
TZ=UTC LC_ALL=C.UTF-8
export TZ LC_ALL
unset LLMLOG_DIR

"$SIMULATE" --dir "$tmp/logs" --entries 4000 --span 3h --seed 7 \
    --start 2024-01-12T08:00:00Z >/dev/null 2>&1 || {
	echo "llmlog-simulate failed"; exit 99; }
fail=0
checks=0
copy=

sql() {
	"$LLMLOG" -d "$tmp/logs" -o csv "$@"
}

# same FILTERS -- WHERE: the rows of entries with WHERE as given and with
# every narrowed column behind a unary plus must be the same, and some.
same() {
	filters=
	while [ "$1" != -- ]; do filters="$filters $1"; shift; done
	shift
	where=$1
	plain=$(printf '%s' "$where" | sed -e 's/\<\(time\|ts\|level\|category\)\>/+\1/g')
	for table in entries llm tool; do
		cols="rowid, time, ts, level, line"
		[ "$table" = entries ] && cols="$cols, category"
		# shellcheck disable=SC2086
		sql $filters --sql "SELECT $cols FROM $table WHERE $where ORDER BY rowid" \
		    >"$tmp/a" 2>"$tmp/ea"
		sa=$?
		if [ -n "$copy" ]; then
			# an ordinary table holding the same rows, the columns
			# of the same affinity
			# shellcheck disable=SC2086
			sql $filters --sql "CREATE TEMP TABLE c AS SELECT rowid AS r, ${cols#rowid, } FROM $table; SELECT r AS rowid, ${cols#rowid, } FROM c WHERE $where ORDER BY r" \
			    >"$tmp/b" 2>"$tmp/eb"
		else
			# shellcheck disable=SC2086
			sql $filters --sql "SELECT $cols FROM $table WHERE $plain ORDER BY rowid" \
			    >"$tmp/b" 2>"$tmp/eb"
		fi
		sb=$?
		checks=$((checks + 1))
		case $where in *category*) [ "$table" = entries ] || continue ;; esac
		if [ "$sa" != "$sb" ] || ! cmp -s "$tmp/a" "$tmp/b" ||
		    [ -s "$tmp/ea" ] || [ "$sa" -gt 1 ]; then
			echo "FAIL: $table$filters WHERE $where: exit $sa, $(wc -l <"$tmp/a") rows; with $plain: exit $sb, $(wc -l <"$tmp/b") rows"
			cat "$tmp/ea" "$tmp/eb"
			fail=$((fail + 1))
		fi
	done
}

# Times that are in the files, and one between two of them.
t1=$(sql --sql "SELECT time FROM entries WHERE time IS NOT NULL ORDER BY ts LIMIT 1 OFFSET 700" | tail -n 1)
t2=$(sql --sql "SELECT time FROM entries WHERE time IS NOT NULL ORDER BY ts LIMIT 1 OFFSET 3100" | tail -n 1)
s1=$(sql --sql "SELECT ts FROM entries WHERE time = '$t1' LIMIT 1" | tail -n 1)
s2=$(sql --sql "SELECT ts FROM entries WHERE time = '$t2' LIMIT 1" | tail -n 1)
mid=$(printf '%s' "$t1" | cut -c1-15)
[ -n "$t1" ] && [ -n "$t2" ] && [ -n "$s1" ] || { echo "no times found"; exit 1; }

for f in "" "-l WARNING" "-c llm,tool,user -k a" "-S 2024-01-12T09:00:00Z -U 2024-01-12T10:30:00Z"; do
	# shellcheck disable=SC2086
	set -- $f --
	same "$@" "time > '$t1'"
	same "$@" "time >= '$t1' AND time < '$t2'"
	same "$@" "time <= '$t1'"
	same "$@" "time = '$t1'"
	same "$@" "time BETWEEN '$mid' AND '$t2'"
	same "$@" "time > '$mid'"
	same "$@" "ts > $s1"
	same "$@" "ts >= $s1 AND ts <= $s2"
	same "$@" "ts < $s2 AND time > '$mid'"
	same "$@" "ts = $s1"
	same "$@" "ts > 1705050000"
	same "$@" "level = 'ERROR'"
	same "$@" "level IN ('WARNING', 'ERROR') AND time > '$mid'"
	same "$@" "category = 'llm' AND ts > $s1"
	same "$@" "category IN ('tool', 'user') AND level = 'INFO'"
done
# values the narrowing must leave to SQLite (no rows, other types,
# another collation), against a copy of the table: "+time > 5" would
# compare without the column's affinity, so differently
copy=yes
for w in "time > NULL OR 1" "time > 5" "time < x'00'" "ts > '1705050000'" \
    "time > '${mid}' COLLATE NOCASE" "level = 'error'" "level = 'error' COLLATE NOCASE" \
    "time >= '$t2' AND time <= '$t1'" "ts > 1e300" "ts > -1e300"; do
	same -- "$w"
done

# the plans: narrowed with the column, a full scan behind a plus
plan() {
	"$LLMLOG" -d "$tmp/logs" --sql "EXPLAIN QUERY PLAN SELECT * FROM entries WHERE $1" | tail -n 1
}
checks=$((checks + 1))
case $(plan "time > '$t1' AND level = 'ERROR'") in
*"t>l="*) ;;
*) echo "FAIL: time and level are not narrowed: $(plan "time > '$t1' AND level = 'ERROR'")"; fail=$((fail + 1)) ;;
esac
checks=$((checks + 1))
case $(plan "+time > '$t1'") in
*"t>"*) echo "FAIL: +time is narrowed"; fail=$((fail + 1)) ;;
esac

# percentile_disc() is the nearest rank that window functions compute
for f in 0.5 0.95 0.99 1 0; do
	checks=$((checks + 1))
	a=$(sql --sql "SELECT model, percentile_disc(duration_ms, $f) AS v FROM llm GROUP BY model ORDER BY model")
	b=$(sql --sql "SELECT model, min(duration_ms) AS v FROM (SELECT model, duration_ms, count(*) OVER w AS n, row_number() OVER (w ORDER BY duration_ms) AS rn FROM llm WINDOW w AS (PARTITION BY model)) WHERE rn >= max(1, $f * n) GROUP BY model ORDER BY model")
	if [ "$a" != "$b" ] || [ -z "$a" ]; then
		echo "FAIL: percentile_disc(duration_ms, $f):"; echo "$a"; echo "by window functions:"; echo "$b"
		fail=$((fail + 1))
	fi
done

# each category table's own columns are llmlog(5)'s fields, in order
# (and llm's cost, computed: llmlog(1), COST)
common="time ts level event pid host trace_id cost"
for cat in user system tool llm security performance; do
	checks=$((checks + 1))
	want=$(awk -v sec="$cat" -F'"' '
		/^\.S[SH] / { on = ($0 ~ "^\\.SS " sec " \\(") ; next }
		/^\.TP/ { tp = 1; next }
		on && tp && /^\.BR / {
			for (i = 1; i <= NF; i += 2) {
				s = $i; sub(/^\.BR /, "", s); gsub(/ /, "", s)
				if (s != "") print s
			}
		}
		{ tp = 0 }' "$top_srcdir/man/llmlog.5")
	got=$("$LLMLOG" -d "$tmp/logs" -o csv --sql "SELECT name FROM pragma_table_info('$cat')" |
	    tail -n +2 | grep -vxF "$(printf '%s\n' $common)")
	if [ "$want" != "$got" ] || [ -z "$want" ]; then
		echo "FAIL: $cat: llmlog(5) lists"; echo "$want" | sed 's/^/  /'
		echo "  the table has"; echo "$got" | sed 's/^/  /'
		fail=$((fail + 1))
	fi
done

echo "$checks checks, $fail failed"
[ "$fail" -eq 0 ]
