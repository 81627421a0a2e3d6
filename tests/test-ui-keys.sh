#!/bin/sh
# test-ui-keys.sh - the help screen's key table and the KEYS section of
# llmlog(1) name the same keys.
: "${srcdir:=.}"
help="$srcdir/../tui/ui/help.c"
man="$srcdir/../man/llmlog.1"
section=$(sed -n '/^\.SH KEYS/,/^\.SH /p' "$man" |
    sed -e 's/\\-/-/g' -e 's/\\|//g' | grep -A1 '^\.TP' | sed -n 's/^\.B "\(.*\)"$/\1/p')
[ -n "$section" ] || { echo "FAIL: no KEYS section in llmlog.1"; exit 1; }
keys=$(sed -n 's/^	{ "\([^"]*\)", .*/\1/p' "$help")
[ -n "$keys" ] || { echo "FAIL: no keys found in ui/help.c"; exit 1; }
status=0
echo "$keys" | while IFS= read -r k; do
	echo "$section" | grep -Fxq -- "$k" || { echo "FAIL: '$k' missing from KEYS"; exit 1; }
done || status=1
echo "$section" | while IFS= read -r k; do
	echo "$keys" | grep -Fxq -- "$k" || { echo "FAIL: '$k' in KEYS but not in help"; exit 1; }
done || status=1
[ $status -eq 0 ] && echo "ok: $(echo "$keys" | wc -l) keys in both"
exit $status
