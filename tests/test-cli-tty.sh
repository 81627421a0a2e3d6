#!/bin/sh
# test-cli-tty.sh - the cases of data/cli/cases/ that run llmlog on a
# pseudo-terminal through script(1) from util-linux: colour choices and
# TERM (see cli-cases.sh).  Skipped (77) without script(1).
: "${srcdir:=.}"
command -v script >/dev/null 2>&1 ||
	{ echo "SKIP: script(1) not found (Debian package bsdutils)"; exit 77; }
. "$srcdir/cli-cases.sh"
run_cases tty
