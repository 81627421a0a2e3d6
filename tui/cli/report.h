/*
 * report.h - the --stats text report, printed from the JSON object of
 * eng_stats_json() (key names as documented in engine.h).
 */
#ifndef LLMLOG_REPORT_H
#define LLMLOG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* "=== Log Statistics ===", then the sections llmlog(1) lists under
 * --stats, in its order: Overall, User Interactions, LLM Calls, Tool
 * Executions, Security Events, Performance, each a title line and
 * "  Label: value" lines.  A section whose category has no entries is left
 * out.  Times in local time unless utc.  Every name taken from the logs
 * is sanitised. */
void report_print(json_object *stats, bool utc, FILE *out);

#endif
