#!/bin/sh
# test-where.sh - the differential test of --where: random expressions over
# a simulator run (and a few odd lines: malformed, duplicate keys, nested
# arrays, escapes), the lines llmlog selects against those where-ref.py's
# evaluation of llmlog(1) WHERE GRAMMAR's meaning over json.loads selects.
set -u
srcdir=${srcdir:-.}
SIMULATE=${SIMULATE:-${top_builddir:-..}/examples/llmlog-simulate}
LLMLOG=${LLMLOG:-${top_builddir:-..}/tui/llmlog}
PYTHON3=${PYTHON3:-}
if [ -z "$PYTHON3" ] || ! "$PYTHON3" -c 'import json' 2>/dev/null; then
	echo "SKIP: no python3 (configure did not find one)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-where.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
d=$tmp/wsim
"$SIMULATE" --dir "$d" --entries 3000 --seed 7 \
    --start 2026-01-01T00:00:00Z --span 2h >/dev/null || exit 99
cat >>"$d/tool_executions.log" <<'LINES'
this line is not JSON
{"category":"tool","timestamp":"2026-01-01T00:30:00.000Z","level":"ERROR","event":"tool_execution","tool_name":"a","tool_name":"read_file","parameters":[{"path":"/etc"},{"path":"/tmp"}],"success":false,"duration_ms":1e3,"error":"caf\u00e9 \"quoted\""}
{"category":"tool","timestamp":"2026-01-01T00:31:00.000Z","level":"WARNING","event":"tool_execution","tool_name":"run_command","tool_calls":[["read_file"],"x",null,true,12],"success":null,"duration_ms":-0.0}
[1,2,3]
LINES
TZ=UTC "$PYTHON3" "$srcdir/where-ref.py" "$LLMLOG" "$d" "${WHERE_CASES:-300}" \
    "${WHERE_SEED:-12}"
