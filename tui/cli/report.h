/*
 * report.h - the --stats text report, printed from the JSON object of
 * eng_stats_json() (key names as documented in engine.h).
 */
#ifndef LLMLOG_REPORT_H
#define LLMLOG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* "=== Log Statistics ===", then the sections llmlog(1) lists under
 * --stats, in its order: Overall, User Interactions, LLM Calls, Tool
 * Executions, Security Events, Performance, each a title line and
 * "  Label: value" lines.  A section whose category has no entries is left
 * out.  Times in local time unless utc.  Every name taken from the logs
 * is sanitised.  since_us and categories are the range and categories
 * asked (ENG_TIME_NONE, 0: all): a category asked whose entries start
 * after since_us gets a note (eng_coverage_note). */
void report_print(json_object *stats, bool utc, int64_t since_us,
    unsigned categories, FILE *out);

#endif
