/*
 * report.h - the --stats text report, printed from the JSON object of
 * eng_stats_json() (key names as documented in engine.h).
 */
#ifndef LLMLOG_REPORT_H
#define LLMLOG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The seed's layout (Overall, User Interactions, LLM Calls, Tool
 * Executions), then Security Events and Performance.  Sections of
 * categories without entries are left out, as the seed does.  Times in
 * local time unless utc.  Every name taken from the logs is sanitised. */
void report_print(json_object *stats, bool utc, FILE *out);

#endif
