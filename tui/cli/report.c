/*
 * report.c - the --stats report as text (report.h gives the layout), with
 * its number formats ("1,234", "98.2%", "1,234.5ms", python-dict
 * "{'INFO': 1100}"), all read from eng_stats_json()'s object.  The
 * expected output is in tests/data/cli/cases/stats*.
 */
#include "config.h"

#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* ---- reading the object: a missing key reads as zero or empty ---------- */

static json_object *
get(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int64_t
get_int(json_object *o, const char *key)
{
	return json_object_get_int64(get(o, key));
}

static double
get_num(json_object *o, const char *key)
{
	return json_object_get_double(get(o, key));
}

static const char *
get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* ---- number formats ------------------------------------------------------- */

/* "1,234" and "1,234.5", as python's "{:,}" and "{:,.1f}". */
static const char *
fmt_int(struct strbuf *b, int64_t v)
{
	strbuf_reset(b);
	eng_format_number(b, (double)v, 0);
	return b->s;
}

static const char *
fmt_whole(struct strbuf *b, double v)
{
	strbuf_reset(b);
	eng_format_number(b, v, 0);
	return b->s;
}

static const char *
fmt_dec1(struct strbuf *b, double v)
{
	strbuf_reset(b);
	eng_format_number(b, v, 1);
	return b->s;
}

/* A figure the report may give as null (the average of no duration):
 * "n/a", never a 0 that reads as measured; else with its unit. */
static const char *
fmt_figure(struct strbuf *b, json_object *o, const char *key,
    const char *unit)
{
	json_object *v = get(o, key);

	strbuf_reset(b);
	if (v == NULL || json_object_is_type(v, json_type_null)) {
		strbuf_puts(b, "n/a");
		return b->s;
	}
	eng_format_number(b, json_object_get_double(v), 1);
	strbuf_puts(b, unit);
	return b->s;
}

static double
percent(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* A name from the logs, made safe and quoted python-style. */
static void
add_name(struct strbuf *b, const char *s)
{
	strbuf_add(b, "'", 1);
	for (; *s != '\0'; s++) {
		const char *q = strpbrk(s, "'\\");
		size_t n = q != NULL ? (size_t)(q - s) : strlen(s);

		eng_sanitize(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		strbuf_add(b, "\\", 1);
		strbuf_add(b, s, 1);
	}
	strbuf_add(b, "'", 1);
}

/* ---- python-dict lines: {'INFO': 1100, 'WARNING': 100} ----------------- */

struct count_item {
	const char *name;
	int64_t count;
	int rank;		/* order among equal counts */
};

static int
count_item_cmp(const void *a, const void *b)
{
	const struct count_item *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->name, y->name);
}

static int
category_rank(const char *name)
{
	int c = llmlog_category_parse(name);

	return c < 0 ? LLMLOG_NCATEGORIES : c;
}

/* "  Label: {...}" with the object's entries by count, largest first;
 * ties in category-table order (by_category) or by name. */
static void
print_dict_by_count(FILE *out, const char *label, json_object *o,
    bool categories)
{
	struct count_item *items;
	struct strbuf b;
	size_t n = 0, cap;

	cap = o != NULL && json_object_is_type(o, json_type_object) ?
	    (size_t)json_object_object_length(o) : 0;
	items = eng_xcalloc(cap, sizeof *items);
	if (cap > 0) {
		json_object_object_foreach(o, key, val) {
			items[n].name = key;
			items[n].count = json_object_get_int64(val);
			items[n].rank = categories ? category_rank(key) : 0;
			n++;
		}
	}
	qsort(items, n, sizeof *items, count_item_cmp);
	strbuf_init(&b);
	strbuf_printf(&b, "  %s: {", label);
	for (size_t i = 0; i < n; i++) {
		add_name(&b, items[i].name);
		strbuf_printf(&b, ": %lld%s", (long long)items[i].count,
		    i + 1 < n ? ", " : "");
	}
	fprintf(out, "%s}\n", b.s);
	strbuf_free(&b);
	free(items);
}

/* One of the five names exactly as the writer spells them. */
static bool
is_level_name(const char *key)
{
	int l = llmlog_level_parse(key);

	return l > 0 && strcmp(llmlog_level_name(l), key) == 0;
}

/* By Level in severity order, DEBUG first; the other dicts go by count. */
static void
print_levels(FILE *out, json_object *o)
{
	static const int levels[] = { LLMLOG_DEBUG, LLMLOG_INFO, LLMLOG_WARNING,
	    LLMLOG_ERROR, LLMLOG_CRITICAL };
	const char *sep = "";

	fputs("  By Level: {", out);
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		const char *name = llmlog_level_name(levels[i]);
		int64_t n = get_int(o, name);

		if (n == 0)
			continue;
		fprintf(out, "%s'%s': %lld", sep, name, (long long)n);
		sep = ", ";
	}
	/* Levels outside the five (foreign lines) come last, as found. */
	if (o != NULL && json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			struct strbuf b;

			if (is_level_name(key))
				continue;
			strbuf_init(&b);
			add_name(&b, key);
			fprintf(out, "%s%s: %lld", sep, b.s,
			    (long long)json_object_get_int64(val));
			strbuf_free(&b);
			sep = ", ";
		}
	}
	fputs("}\n", out);
}

/* Names listed per ranking in the text; the JSON has more (engine.h,
 * eng_stats_json). */
#define REPORT_TOP 5

/* "    - name: N" lines, or "    - name: 1,234.5ms" when value_key is a
 * duration; the first REPORT_TOP of the list. */
static void
print_top(FILE *out, const char *label, json_object *arr, const char *name_key,
    const char *value_key, bool duration)
{
	struct strbuf name, num;
	size_t n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0)
		return;
	if (n > REPORT_TOP)
		n = REPORT_TOP;
	strbuf_init(&name);
	strbuf_init(&num);
	fprintf(out, "  %s:\n", label);
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(arr, i);
		json_object *s = get(it, name_key);

		/* a name may hold NUL bytes: all of it is shown */
		strbuf_reset(&name);
		if (json_object_is_type(s, json_type_string))
			eng_sanitize(&name, json_object_get_string(s),
			    (size_t)json_object_get_string_len(s));
		else
			strbuf_puts(&name, "?");
		if (duration)
			fprintf(out, "    - %s: %sms\n", name.s,
			    fmt_dec1(&num, get_num(it, value_key)));
		else
			fprintf(out, "    - %s: %s\n", name.s,
			    fmt_int(&num, get_int(it, value_key)));
	}
	strbuf_free(&name);
	strbuf_free(&num);
}

/* "  Duration p50: 1,234.5ms" and p95, p99: a section's percentiles. */
static void
print_percentiles(FILE *out, json_object *sec)
{
	static const char *const keys[] = { "p50_ms", "p95_ms", "p99_ms" };
	struct strbuf b;

	if (!json_object_object_get_ex(sec, keys[0], NULL))
		return;		/* a report without them (an older one) */
	strbuf_init(&b);
	for (size_t i = 0; i < 3; i++)
		fprintf(out, "  Duration p%.2s: %s\n", keys[i] + 1,
		    fmt_figure(&b, sec, keys[i], "ms"));
	strbuf_free(&b);
}

/* "    - groq: 1 of 3 failed (33.3%)": the failures per name, the first
 * REPORT_TOP by calls, when any of the section's entries failed. */
static void
print_failures(FILE *out, const char *label, json_object *arr)
{
	struct strbuf name, num, calls;
	size_t n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0)
		return;
	if (n > REPORT_TOP)
		n = REPORT_TOP;
	strbuf_init(&name);
	strbuf_init(&num);
	strbuf_init(&calls);
	fprintf(out, "  %s:\n", label);
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(arr, i);
		json_object *s = get(it, "name");

		strbuf_reset(&name);
		if (json_object_is_type(s, json_type_string))
			eng_sanitize(&name, json_object_get_string(s),
			    (size_t)json_object_get_string_len(s));
		else
			strbuf_puts(&name, "?");
		fmt_int(&calls, get_int(it, "calls"));
		fprintf(out, "    - %s: %s of %s failed (%.1f%%)\n", name.s,
		    fmt_int(&num, get_int(it, "failed")), calls.s,
		    get_num(it, "error_pct"));
	}
	strbuf_free(&name);
	strbuf_free(&num);
	strbuf_free(&calls);
}

/* ---- the sections ---------------------------------------------------------- */

static void
print_time_range(FILE *out, json_object *st, bool utc)
{
	const char *first = get_str(st, "first"), *last = get_str(st, "last");
	int64_t f, l;
	struct strbuf b;

	if (first == NULL || last == NULL ||
	    eng_time_parse_log(first, strlen(first), &f) != 0 ||
	    eng_time_parse_log(last, strlen(last), &l) != 0)
		return;
	strbuf_init(&b);
	strbuf_puts(&b, "  Time Range: ");
	eng_time_format(&b, f, utc);
	strbuf_puts(&b, " to ");
	eng_time_format(&b, l, utc);
	fprintf(out, "%s\n", b.s);
	strbuf_free(&b);
}

/* "  Coverage:" and a line per category, the time its files still span
 * (whatever the filter); then a note for each category of the filter's
 * whose entries start after the range asked does. */
static void
print_coverage(FILE *out, json_object *st, bool utc, int64_t since_us,
    unsigned categories)
{
	json_object *cov = get(st, "coverage");
	struct eng_coverage c[LLMLOG_NCATEGORIES];
	struct strbuf b;
	bool any = false;

	if (!json_object_is_type(cov, json_type_object))
		return;
	strbuf_init(&b);
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		json_object *m = get(cov, llmlog_category_name(i));
		const char *first = get_str(m, "first"), *last = get_str(m,
		    "last");

		c[i].first_us = c[i].last_us = ENG_TIME_NONE;
		c[i].rotated = json_object_get_boolean(get(m, "rotated"));
		if (first == NULL || last == NULL ||
		    eng_time_parse_log(first, strlen(first), &c[i].first_us) !=
		    0 || eng_time_parse_log(last, strlen(last), &c[i].last_us) !=
		    0) {
			c[i].first_us = c[i].last_us = ENG_TIME_NONE;
			continue;
		}
		if (!any)
			fputs("  Coverage (the entries on disk):\n", out);
		any = true;
		strbuf_reset(&b);
		strbuf_printf(&b, "    - %s: ", llmlog_category_name(i));
		eng_time_format(&b, c[i].first_us, utc);
		strbuf_puts(&b, " to ");
		eng_time_format(&b, c[i].last_us, utc);
		fprintf(out, "%s%s\n", b.s, c[i].rotated ? " (rotated)" : "");
	}
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		if (categories != 0 && !(categories & 1u << i))
			continue;
		strbuf_reset(&b);
		if (eng_coverage_note(&b, i, &c[i], since_us, utc))
			fprintf(out, "  note: %s\n", b.s);
	}
	strbuf_free(&b);
}

static void
print_overall(FILE *out, json_object *st, bool utc, int64_t since_us,
    unsigned categories)
{
	struct strbuf b;

	strbuf_init(&b);
	fputs("=== Log Statistics ===\n\nOverall:\n", out);
	fprintf(out, "  Total Entries: %s\n", fmt_int(&b, get_int(st, "total")));
	print_levels(out, get(st, "by_level"));
	print_dict_by_count(out, "By Category", get(st, "by_category"), true);
	print_time_range(out, st, utc);
	print_coverage(out, st, utc, since_us, categories);
	if (get_int(st, "malformed") > 0)
		fprintf(out, "  Malformed Lines: %s\n",
		    fmt_int(&b, get_int(st, "malformed")));
	if (get_int(st, "out_of_range") > 0)
		fprintf(out, "  Numbers Out of Range (left out): %s\n",
		    fmt_int(&b, get_int(st, "out_of_range")));
	strbuf_free(&b);
}

static void
print_user(FILE *out, json_object *u)
{
	int64_t total = get_int(u, "total");
	struct strbuf b;

	if (total <= 0)
		return;
	strbuf_init(&b);
	fprintf(out, "\nUser Interactions:\n  Total: %s\n", fmt_int(&b, total));
	fprintf(out, "  Success Rate: %.1f%%\n",
	    percent(get_int(u, "success"), total));
	fprintf(out, "  Avg Duration: %s\n",
	    fmt_figure(&b, u, "avg_duration_ms", "ms"));
	print_percentiles(out, u);
	strbuf_free(&b);
}

/* Days of cost_by_day listed in the text: the last ones. */
#define REPORT_DAYS 14

/* "    - name: $0.0123" lines of a map of costs, the first max of them
 * (the last when from_end). */
static void
print_costs(FILE *out, const char *label, json_object *map, size_t max,
    bool from_end)
{
	struct strbuf name, num;
	size_t n, i = 0, skip;

	if (!json_object_is_type(map, json_type_object) ||
	    (n = (size_t)json_object_object_length(map)) == 0)
		return;
	skip = from_end && n > max ? n - max : 0;
	strbuf_init(&name);
	strbuf_init(&num);
	fprintf(out, "  %s:\n", label);
	json_object_object_foreach(map, key, val) {
		if (i++ < skip || i > skip + max)
			continue;
		strbuf_reset(&name);
		strbuf_reset(&num);
		eng_sanitize(&name, key, strlen(key));
		eng_format_cost(&num, json_object_get_double(val));
		fprintf(out, "    - %s: %s\n", name.s, num.s);
	}
	strbuf_free(&name);
	strbuf_free(&num);
}

/* The cost, and the calls it leaves out: "3 calls of 2 models without a
 * price: groq/a, acme/b" (never a silent 0). */
static void
print_cost(FILE *out, json_object *l)
{
	json_object *un = get(l, "unpriced_models");
	int64_t unpriced = get_int(l, "unpriced_calls");
	struct strbuf b;
	const char *sep = "";
	size_t n = 0, shown = 0;

	if (get(l, "unpriced_calls") == NULL)
		return;		/* figures without costs */
	strbuf_init(&b);
	eng_format_cost(&b, get_num(l, "cost_usd"));
	fprintf(out, "  Cost: %s\n", b.s);
	print_costs(out, "Cost By Provider", get(l, "cost_by_provider"),
	    REPORT_TOP, false);
	print_costs(out, "Cost By Model", get(l, "cost_by_model"), REPORT_TOP,
	    false);
	print_costs(out, "Cost By Day", get(l, "cost_by_day"), REPORT_DAYS,
	    true);
	if (unpriced > 0 && json_object_is_type(un, json_type_object)) {
		n = (size_t)json_object_object_length(un);
		fprintf(out, "  %s call%s of %zu model%s without a price: ",
		    fmt_int(&b, unpriced), unpriced == 1 ? "" : "s", n,
		    n == 1 ? "" : "s");
		strbuf_reset(&b);
		json_object_object_foreach(un, key, val) {
			(void)val;
			if (shown++ == REPORT_TOP) {
				strbuf_printf(&b, ", and %zu more",
				    n - REPORT_TOP);
				break;
			}
			strbuf_puts(&b, sep);
			eng_sanitize(&b, key, strlen(key));
			sep = ", ";
		}
		fprintf(out, "%s\n", b.s);
	}
	strbuf_free(&b);
}

static void
print_llm(FILE *out, json_object *l)
{
	int64_t total = get_int(l, "total");
	struct strbuf b;

	if (total <= 0)
		return;
	strbuf_init(&b);
	fprintf(out, "\nLLM Calls:\n  Total Calls: %s\n", fmt_int(&b, total));
	/* token figures may be past 64 bits (or fractions): read as
	 * numbers, never cast */
	fprintf(out, "  Total Tokens: %s\n",
	    fmt_whole(&b, get_num(l, "total_tokens")));
	fprintf(out, "  Avg Tokens/Call: %s\n",
	    fmt_whole(&b, get_num(l, "avg_tokens")));
	fprintf(out, "  Avg Duration: %s\n",
	    fmt_figure(&b, l, "avg_duration_ms", "ms"));
	print_percentiles(out, l);
	print_dict_by_count(out, "By Provider", get(l, "by_provider"), false);
	/* By Model only when some call named one, as Failed Calls only when
	 * one failed: no line says nothing */
	if (json_object_is_type(get(l, "by_model"), json_type_object) &&
	    json_object_object_length(get(l, "by_model")) > 0)
		print_dict_by_count(out, "By Model", get(l, "by_model"), false);
	if (get_int(l, "failed") > 0) {
		fprintf(out, "  Failed Calls: %s\n",
		    fmt_int(&b, get_int(l, "failed")));
		print_failures(out, "Failures by Provider",
		    get(l, "failures_by_provider"));
		print_failures(out, "Failures by Model",
		    get(l, "failures_by_model"));
	}
	print_cost(out, l);
	strbuf_free(&b);
}

static void
print_tool(FILE *out, json_object *t)
{
	int64_t total = get_int(t, "total");
	struct strbuf b;

	if (total <= 0)
		return;
	strbuf_init(&b);
	fprintf(out, "\nTool Executions:\n  Total: %s\n", fmt_int(&b, total));
	fprintf(out, "  Success Rate: %.1f%%\n",
	    percent(get_int(t, "success"), total));
	print_percentiles(out, t);
	print_top(out, "Most Used Tools", get(t, "top"), "name", "count", false);
	if (get_int(t, "failed") > 0)
		print_failures(out, "Failures by Tool",
		    get(t, "failures_by_tool"));
	strbuf_free(&b);
}

static void
print_security(FILE *out, json_object *s)
{
	int64_t total = get_int(s, "total");
	struct strbuf b;

	if (total <= 0)
		return;
	strbuf_init(&b);
	fprintf(out, "\nSecurity Events:\n  Total: %s\n", fmt_int(&b, total));
	fprintf(out, "  Allowed: %s\n", fmt_int(&b, get_int(s, "allowed")));
	fprintf(out, "  Denied: %s\n", fmt_int(&b, get_int(s, "denied")));
	print_top(out, "Top Denied Resources", get(s, "top_denied_resources"),
	    "name", "count", false);
	print_top(out, "Top Denied Actions", get(s, "top_denied_actions"),
	    "name", "count", false);
	strbuf_free(&b);
}

static void
print_performance(FILE *out, json_object *p)
{
	int64_t total = get_int(p, "total");
	struct strbuf b;

	if (total <= 0)
		return;
	strbuf_init(&b);
	fprintf(out, "\nPerformance:\n  Total Metrics: %s\n", fmt_int(&b, total));
	fprintf(out, "  Duration p50: %s\n", fmt_figure(&b, p, "p50_ms", "ms"));
	fprintf(out, "  Duration p95: %s\n", fmt_figure(&b, p, "p95_ms", "ms"));
	fprintf(out, "  Duration p99: %s\n", fmt_figure(&b, p, "p99_ms", "ms"));
	if (get_num(p, "peak_memory_mb") > 0)
		fprintf(out, "  Peak Memory: %sMB\n",
		    fmt_dec1(&b, get_num(p, "peak_memory_mb")));
	print_top(out, "Slowest Operations", get(p, "slowest"), "operation",
	    "duration_ms", true);
	strbuf_free(&b);
}

/* A request's cost, or the average's: "$0.000374", "$0.000374 and 2
 * calls without a price", "n/a (2 calls without a price)"; nothing for a
 * report without costs. */
static const char *
fmt_request_cost(struct strbuf *b, json_object *o, const char *key)
{
	json_object *v = get(o, key);
	int64_t unpriced = get_int(o, "unpriced_calls");

	strbuf_reset(b);
	if (!json_object_object_get_ex(o, key, NULL))
		return NULL;
	if (v == NULL || json_object_is_type(v, json_type_null))
		strbuf_puts(b, "n/a");
	else
		eng_format_cost(b, json_object_get_double(v));
	if (unpriced > 0)
		strbuf_printf(b, "%s%lld call%s without a price%s",
		    v == NULL ? " (" : " and ", (long long)unpriced,
		    unpriced == 1 ? "" : "s", v == NULL ? ")" : "");
	return b->s;
}

/* The requests with a trace: averages, then the slowest with what their
 * time went to. */
static void
print_requests(FILE *out, json_object *r)
{
	int64_t total = get_int(r, "total");
	json_object *slow = get(r, "slowest_requests");
	struct strbuf b, name;
	size_t n;

	if (total <= 0)
		return;
	strbuf_init(&b);
	strbuf_init(&name);
	fprintf(out, "\nRequests:\n  Total (with a trace): %s\n",
	    fmt_int(&b, total));
	fprintf(out, "  Avg LLM Calls/Request: %s\n",
	    fmt_dec1(&b, get_num(r, "llm_calls_per_request")));
	fprintf(out, "  Avg Tool Calls/Request: %s\n",
	    fmt_dec1(&b, get_num(r, "tool_calls_per_request")));
	fprintf(out, "  Avg Tokens/Request: %s\n",
	    fmt_dec1(&b, get_num(r, "tokens_per_request")));
	if (fmt_request_cost(&b, r, "cost_usd_per_request") != NULL)
		fprintf(out, "  Avg Cost/Request: %s\n", b.s);
	n = json_object_is_type(slow, json_type_array) ?
	    json_object_array_length(slow) : 0;
	if (n > 0)
		fprintf(out, "  Slowest Requests:\n");
	for (size_t i = 0; i < n && i < REPORT_TOP; i++) {
		json_object *it = json_object_array_get_idx(slow, i);
		json_object *in = get(it, "user_input");

		strbuf_reset(&name);
		if (json_object_is_type(in, json_type_string))
			eng_sanitize(&name, json_object_get_string(in),
			    (size_t)json_object_get_string_len(in));
		fprintf(out, "    - %sms \"%s\"%s\n", fmt_dec1(&b,
		    get_num(it, "duration_ms")), name.s != NULL ? name.s : "",
		    json_object_get_boolean(get(it, "success")) ? "" :
		    " FAILED");
		fprintf(out, "      LLM: %s calls", fmt_int(&b,
		    get_int(it, "llm_calls")));
		fprintf(out, " %sms;", fmt_dec1(&b, get_num(it, "llm_ms")));
		fprintf(out, " tools: %s calls", fmt_int(&b,
		    get_int(it, "tool_calls")));
		fprintf(out, " %sms;", fmt_dec1(&b, get_num(it, "tool_ms")));
		fprintf(out, " tokens: %s", fmt_int(&b,
		    get_int(it, "tokens")));
		if (fmt_request_cost(&b, it, "cost_usd") != NULL)
			fprintf(out, "; cost: %s", b.s);
		fputs("\n", out);
		fprintf(out, "      trace %s\n", json_object_get_string(get(it,
		    "trace_id")));
	}
	strbuf_free(&b);
	strbuf_free(&name);
}

void
report_print(json_object *st, bool utc, int64_t since_us,
    unsigned categories, FILE *out)
{
	print_overall(out, st, utc, since_us, categories);
	print_user(out, get(st, "user"));
	print_llm(out, get(st, "llm"));
	print_tool(out, get(st, "tool"));
	print_security(out, get(st, "security"));
	print_performance(out, get(st, "performance"));
	print_requests(out, get(st, "requests"));
}
