#!/bin/sh
# test-cli.sh - llmlog's print mode on the fixture directories: the cases
# of data/cli/cases/ that need no terminal (see cli-cases.sh).
: "${srcdir:=.}"
. "$srcdir/cli-cases.sh"
run_cases plain
