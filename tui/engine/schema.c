/*
 * schema.c - the fields of each category, as llmlog(5) lists them under
 * LINE FORMAT, in one table: the SQL tables take their columns from it,
 * and a test compares it with the man page, so the two cannot drift.
 */
#include "config.h"

#include "engine.h"

#define FIELDS(a) { a, sizeof a / sizeof a[0] }

static const struct eng_column common[] = {
	{ "event", ENG_COLUMN_TEXT },
	{ "pid", ENG_COLUMN_INTEGER },
};

static const struct eng_column user[] = {
	{ "user_input", ENG_COLUMN_TEXT },
	{ "response_summary", ENG_COLUMN_TEXT },
	{ "response_truncated", ENG_COLUMN_BOOL },
	{ "response_length", ENG_COLUMN_INTEGER },
	{ "tool_calls", ENG_COLUMN_JSON },
	{ "success", ENG_COLUMN_BOOL },
	{ "duration_ms", ENG_COLUMN_NUMBER },
	{ "error", ENG_COLUMN_TEXT },
	{ "details", ENG_COLUMN_JSON },
};

static const struct eng_column system_[] = {
	{ "component", ENG_COLUMN_TEXT },
	{ "message", ENG_COLUMN_TEXT },
	{ "details", ENG_COLUMN_JSON },
};

static const struct eng_column tool[] = {
	{ "tool_name", ENG_COLUMN_TEXT },
	{ "tool_server", ENG_COLUMN_TEXT },
	{ "parameters", ENG_COLUMN_JSON },
	{ "parameters_truncated", ENG_COLUMN_BOOL },
	{ "parameters_length", ENG_COLUMN_INTEGER },
	{ "result_summary", ENG_COLUMN_TEXT },
	{ "result_truncated", ENG_COLUMN_BOOL },
	{ "result_length", ENG_COLUMN_INTEGER },
	{ "success", ENG_COLUMN_BOOL },
	{ "duration_ms", ENG_COLUMN_NUMBER },
	{ "error", ENG_COLUMN_TEXT },
	{ "details", ENG_COLUMN_JSON },
};

static const struct eng_column llm[] = {
	{ "provider", ENG_COLUMN_TEXT },
	{ "model", ENG_COLUMN_TEXT },
	{ "prompt_tokens", ENG_COLUMN_INTEGER },
	{ "completion_tokens", ENG_COLUMN_INTEGER },
	{ "total_tokens", ENG_COLUMN_INTEGER },
	{ "duration_ms", ENG_COLUMN_NUMBER },
	{ "success", ENG_COLUMN_BOOL },
	{ "streaming", ENG_COLUMN_BOOL },
	{ "cost_usd", ENG_COLUMN_NUMBER },
	{ "error", ENG_COLUMN_TEXT },
	{ "details", ENG_COLUMN_JSON },
};

static const struct eng_column security[] = {
	{ "event_type", ENG_COLUMN_TEXT },
	{ "resource", ENG_COLUMN_TEXT },
	{ "action", ENG_COLUMN_TEXT },
	{ "allowed", ENG_COLUMN_BOOL },
	{ "reason", ENG_COLUMN_TEXT },
	{ "details", ENG_COLUMN_JSON },
};

static const struct eng_column performance[] = {
	{ "operation", ENG_COLUMN_TEXT },
	{ "duration_ms", ENG_COLUMN_NUMBER },
	{ "memory_mb", ENG_COLUMN_NUMBER },
	{ "cpu_percent", ENG_COLUMN_NUMBER },
	{ "details", ENG_COLUMN_JSON },
};

static const struct {
	const struct eng_column *f;
	size_t n;
} fields[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER] = FIELDS(user),
	[LLMLOG_SYSTEM] = FIELDS(system_),
	[LLMLOG_TOOL] = FIELDS(tool),
	[LLMLOG_LLM] = FIELDS(llm),
	[LLMLOG_SECURITY] = FIELDS(security),
	[LLMLOG_PERFORMANCE] = FIELDS(performance),
};

const struct eng_column *
eng_category_fields(int category, size_t *n)
{
	if (category < 0 || category >= LLMLOG_NCATEGORIES) {
		*n = sizeof common / sizeof common[0];
		return common;
	}
	*n = fields[category].n;
	return fields[category].f;
}
