/*
 * explorer.h - the interactive explorer as the command line starts it:
 * the one call into the UI part, and the starting state it takes.
 */
#ifndef LLMLOG_EXPLORER_H
#define LLMLOG_EXPLORER_H

#include <stdbool.h>

#include "engine.h"

/* What the UI shows first; the user changes all of it from there. */
struct ui_start {
	struct eng_filter filter;	/* keyword copied, regex ignored */
	const char *since_text;		/* as typed, for the status line */
	const char *until_text;
	const char *regex_text;		/* compiled again by the UI */
	long tail;			/* show only the last N; -1: all */
	bool utc;
	bool color;
};

/* Run the explorer on the terminal until the user quits; the exit status
 * (0, 2 when the logs cannot be read, 128 + N after signal N). */
int ui_run(struct eng *e, const struct ui_start *start);

#endif
