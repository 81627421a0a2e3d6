/*
 * schema.c - the fields of each category, as llmlog(5) lists them under
 * LINE FORMAT, in one table: the SQL tables take their columns from it,
 * and a test compares it with the man page, so the two cannot drift.
 */
#include "config.h"

#include "engine.h"

#define FIELDS(a) { a, sizeof a / sizeof a[0] }

static const struct eng_field common[] = {
	{ "event", ENG_FIELD_TEXT },
	{ "pid", ENG_FIELD_INTEGER },
};

static const struct eng_field user[] = {
	{ "user_input", ENG_FIELD_TEXT },
	{ "response_summary", ENG_FIELD_TEXT },
	{ "response_truncated", ENG_FIELD_BOOL },
	{ "response_length", ENG_FIELD_INTEGER },
	{ "tool_calls", ENG_FIELD_JSON },
	{ "success", ENG_FIELD_BOOL },
	{ "duration_ms", ENG_FIELD_NUMBER },
	{ "error", ENG_FIELD_TEXT },
	{ "details", ENG_FIELD_JSON },
};

static const struct eng_field system_[] = {
	{ "component", ENG_FIELD_TEXT },
	{ "message", ENG_FIELD_TEXT },
	{ "details", ENG_FIELD_JSON },
};

static const struct eng_field tool[] = {
	{ "tool_name", ENG_FIELD_TEXT },
	{ "tool_server", ENG_FIELD_TEXT },
	{ "parameters", ENG_FIELD_JSON },
	{ "parameters_truncated", ENG_FIELD_BOOL },
	{ "parameters_length", ENG_FIELD_INTEGER },
	{ "result_summary", ENG_FIELD_TEXT },
	{ "result_truncated", ENG_FIELD_BOOL },
	{ "result_length", ENG_FIELD_INTEGER },
	{ "success", ENG_FIELD_BOOL },
	{ "duration_ms", ENG_FIELD_NUMBER },
	{ "error", ENG_FIELD_TEXT },
};

static const struct eng_field llm[] = {
	{ "provider", ENG_FIELD_TEXT },
	{ "model", ENG_FIELD_TEXT },
	{ "prompt_tokens", ENG_FIELD_INTEGER },
	{ "completion_tokens", ENG_FIELD_INTEGER },
	{ "total_tokens", ENG_FIELD_INTEGER },
	{ "duration_ms", ENG_FIELD_NUMBER },
	{ "success", ENG_FIELD_BOOL },
	{ "streaming", ENG_FIELD_BOOL },
	{ "error", ENG_FIELD_TEXT },
};

static const struct eng_field security[] = {
	{ "event_type", ENG_FIELD_TEXT },
	{ "resource", ENG_FIELD_TEXT },
	{ "action", ENG_FIELD_TEXT },
	{ "allowed", ENG_FIELD_BOOL },
	{ "reason", ENG_FIELD_TEXT },
};

static const struct eng_field performance[] = {
	{ "operation", ENG_FIELD_TEXT },
	{ "duration_ms", ENG_FIELD_NUMBER },
	{ "memory_mb", ENG_FIELD_NUMBER },
	{ "cpu_percent", ENG_FIELD_NUMBER },
	{ "details", ENG_FIELD_JSON },
};

static const struct {
	const struct eng_field *f;
	size_t n;
} fields[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER] = FIELDS(user),
	[LLMLOG_SYSTEM] = FIELDS(system_),
	[LLMLOG_TOOL] = FIELDS(tool),
	[LLMLOG_LLM] = FIELDS(llm),
	[LLMLOG_SECURITY] = FIELDS(security),
	[LLMLOG_PERFORMANCE] = FIELDS(performance),
};

const struct eng_field *
eng_category_fields(int category, size_t *n)
{
	if (category < 0 || category >= LLMLOG_NCATEGORIES) {
		*n = sizeof common / sizeof common[0];
		return common;
	}
	*n = fields[category].n;
	return fields[category].f;
}
