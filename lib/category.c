/*
 * category.c - the one table of llmlog's six categories and five levels.
 * Writer, reader, stats and UI all name categories and levels through it.
 */
#include "config.h"

#include "llmlog.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	const char *file;
	const char *label;
} categories[LLMLOG_NCATEGORIES] = {
	[LLMLOG_USER]        = { "user",        "user_interactions.log", "User" },
	[LLMLOG_SYSTEM]      = { "system",      "system_health.log",     "System" },
	[LLMLOG_TOOL]        = { "tool",        "tool_executions.log",   "Tool" },
	[LLMLOG_LLM]         = { "llm",         "llm_calls.log",         "LLM" },
	[LLMLOG_SECURITY]    = { "security",    "security.log",          "Security" },
	[LLMLOG_PERFORMANCE] = { "performance", "performance.log",       "Performance" },
};

static const struct {
	enum llmlog_level level;
	const char *name;
	const char *alias[3];
} levels[] = {
	{ LLMLOG_DEBUG,    "DEBUG",    { "dbg", "trace", NULL } },
	{ LLMLOG_INFO,     "INFO",     { "information", "notice", NULL } },
	{ LLMLOG_WARNING,  "WARNING",  { "warn", NULL, NULL } },
	{ LLMLOG_ERROR,    "ERROR",    { "err", NULL, NULL } },
	{ LLMLOG_CRITICAL, "CRITICAL", { "crit", "fatal", NULL } },
};

static int
valid_category(enum llmlog_category cat)
{
	return (unsigned)cat < LLMLOG_NCATEGORIES;
}

const char *
llmlog_category_name(enum llmlog_category cat)
{
	return valid_category(cat) ? categories[cat].name : "unknown";
}

const char *
llmlog_category_file(enum llmlog_category cat)
{
	return valid_category(cat) ? categories[cat].file : NULL;
}

const char *
llmlog_category_label(enum llmlog_category cat)
{
	return valid_category(cat) ? categories[cat].label : "Unknown";
}

int
llmlog_category_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		if (strcasecmp(name, categories[i].name) == 0)
			return i;
	return -1;
}

int
llmlog_category_from_file(const char *basename)
{
	if (basename == NULL)
		return -1;
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		size_t n = strlen(categories[i].file);
		const char *rest = basename + n;

		if (strncmp(basename, categories[i].file, n) != 0)
			continue;
		if (*rest == '\0')
			return i;
		/* a rotated backup: ".N" with N all digits */
		if (rest[0] == '.' && rest[1] != '\0' &&
		    strspn(rest + 1, "0123456789") == strlen(rest + 1))
			return i;
	}
	return -1;
}

const char *
llmlog_level_name(enum llmlog_level level)
{
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "UNKNOWN";
}

bool
category_level_valid(int level)
{
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if ((int)levels[i].level == level)
			return true;
	return false;
}

int
llmlog_level_parse(const char *name)
{
	char *end;
	long n;

	if (name == NULL || *name == '\0')
		return -1;
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (strcasecmp(name, levels[i].name) == 0)
			return (int)levels[i].level;
		for (size_t a = 0; a < 3 && levels[i].alias[a] != NULL; a++)
			if (strcasecmp(name, levels[i].alias[a]) == 0)
				return (int)levels[i].level;
	}
	n = strtol(name, &end, 10);
	if (*end == '\0')
		for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
			if (levels[i].level == n)
				return (int)n;
	return -1;
}
