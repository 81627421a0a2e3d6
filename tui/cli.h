/*
 * cli.h - the command line, parsed once; the print mode and the UI both
 * start from it (the UI's starting state is what the options say).
 */
#ifndef LLMLOG_CLI_H
#define LLMLOG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

enum output_format { OUTPUT_SHORT, OUTPUT_JSON, OUTPUT_PRETTY };
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	const char **dirs;		/* at least one */
	size_t ndirs;
	struct eng_filter filter;	/* categories, level, since/until, keyword, regex */
	const char *since_text;		/* as typed, for display */
	const char *until_text;
	const char *regex_text;
	long tail;			/* -1: all */
	bool follow;
	bool stats;
	bool list;
	bool print;
	bool utc;
	enum output_format output;
	enum color_when color;
};

/* Print mode: exit status per DESIGN.md §4 (0 shown, 1 nothing matched,
 * 2 unreadable input). */
int print_run(struct eng *e, const struct options *o);

/* The interactive explorer; returns the exit status. */
int ui_run(struct eng *e, const struct options *o);

#endif
