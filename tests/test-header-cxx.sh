#!/bin/sh
# test-header-cxx.sh - llmlog.h in C++: a program using every keyword macro
# (C++20 designated initialisers, in the order the header declares the
# fields), the timed scope and the span scope builds with $CXX (g++ unless set) and runs.
# Skipped (77) without a C++ compiler.
srcdir=${srcdir:-.}
. "$srcdir/header-lib.sh"
CXX=${CXX:-g++}
command -v "${CXX%% *}" >/dev/null 2>&1 || skip "no C++ compiler $CXX"

cat >"$tmp/cxx.cc" <<'PROG'
#include <cstdio>
#include <llmlog.h>

int
main(int argc, char **argv)
{
	const char *calls[] = { "list_directory", nullptr };
	struct timespec when = { 1795691792, 0 };
	llmlog_config cfg{};

	if (argc != 2)
		return 2;
	cfg.dir = argv[1];
	cfg.no_console = true;
	struct llmlog *lg = llmlog_open(&cfg);
	if (lg == nullptr) {
		std::fprintf(stderr, "%s\n", llmlog_errmsg());
		return 1;
	}
	int rc = llmlog_interaction(lg, .user_input = "list files",
	    .tool_calls = calls, .when = when);
	rc |= llmlog_system(lg, .event = "startup", .component = "core");
	rc |= llmlog_tool(lg, .tool_name = "read_file", .result_text = "ok");
	{
		LLMLOG_SPAN_SCOPE(req, "conversation-1");
		rc |= llmlog_llm(lg, .provider = "groq", .model = "m",
		    .prompt_tokens = 1, .has_cost = true, .span = &req);
	}
	rc |= llmlog_security(lg, .event_type = "file_access",
	    .allowed = true);
	rc |= llmlog_metric(lg, .operation = "route", .duration_ms = 1.5);
	{
		LLMLOG_TIMED_SCOPE(lg, "scope");
	}
	return rc == 0 && llmlog_close(lg) == 0 ? 0 : 1;
}
PROG
build_run "$CXX" cxx.cc -std=c++20 -pedantic
echo "ok: llmlog.h builds and works in C++ ($CXX -std=c++20 -pedantic)"
