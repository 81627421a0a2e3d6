#!/bin/sh
# test-header-c99.sh - llmlog.h in strict ISO C99: a program using every
# keyword macro, the timed scope and the config constants builds with
# $CC -std=c99 -pedantic (no POSIX feature macros asked for) and runs.
srcdir=${srcdir:-.}
. "$srcdir/header-lib.sh"
CC=${CC:-cc}
# CC may carry options ("gcc -std=gnu11"): only its first word is looked up
command -v "${CC%% *}" >/dev/null 2>&1 || skip "no compiler $CC"

cat >"$tmp/c99.c" <<'PROG'
#include <stdio.h>
#include <llmlog.h>

int
main(int argc, char **argv)
{
	struct llmlog *lg;
	struct timespec when = { 1795691792, 0 };

	if (argc != 2)
		return 2;
	lg = llmlog_open(&(struct llmlog_config){ .dir = argv[1],
	    .no_console = true, .max_bytes = LLMLOG_MAX_BYTES_NONE,
	    .backups = LLMLOG_BACKUPS_NONE, .min_level = LLMLOG_DEBUG });
	if (lg == NULL) {
		fprintf(stderr, "%s\n", llmlog_errmsg());
		return 1;
	}
	llmlog_interaction(lg, .user_input = "list files", .when = when,
	    .tool_calls = (const char *[]){ "list_directory", NULL });
	llmlog_system(lg, .event = "startup", .component = "core");
	llmlog_tool(lg, .tool_name = "read_file", .result_text = "ok");
	llmlog_llm(lg, .provider = "groq", .model = "m", .prompt_tokens = 1);
	llmlog_security(lg, .event_type = "file_access", .allowed = true);
	llmlog_metric(lg, .operation = "route", .duration_ms = 1.5);
	{
		LLMLOG_TIMED_SCOPE(lg, "scope");
	}
	if (llmlog_dropped(lg) != 0)
		return 1;
	return llmlog_close(lg) == 0 ? 0 : 1;
}
PROG
build_run "$CC" c99.c -std=c99 -pedantic
echo "ok: llmlog.h builds and works under $CC -std=c99 -pedantic"
