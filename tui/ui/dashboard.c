/*
 * dashboard.c - the stats dashboard: a row of headline figures with
 * their trends, the histogram and the latency line (chart.c), then the
 * engine's report (eng_stats_json) as panels of right-aligned figures.
 * Left and Right move a cursor along the histogram's buckets, Up and
 * Down one over the panels' rows; Enter on a slowest operation opens its
 * entry.  Shown full-screen on the Stats tab and as a pane beside or
 * below the list.  What it draws is built from the stats only when they
 * counted more - at most every DASH_FRESH_US while entries arrive - and
 * kept between draws (struct ui_dash), so that a live writer costs a
 * redraw, not a report.
 */
#include "config.h"

#include "ui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#define PANEL_W 40		/* a panel column at least, */
#define PANEL_MAX_W 52		/* at most: values stay near their labels */
#define PANEL_TOP 5		/* names listed per map or ranking */
#define TABLE_COLS 5		/* calls fail% p50 p95 tokens */
#define TABLE_NAME_W 16		/* the figures give way to a name this wide */
#define HIST_MAX_ROWS 12
/* Counting runs between keys: steps of entries (on two threads when
 * large) for about STATS_SLICE_US, so that a key waits no longer than
 * that; a step grows from STATS_STEP_MIN while it takes under a third
 * of the slice, and shrinks past two thirds.  The figures so far are drawn every STATS_SHOW_US.  The
 * dashboard's first draw counts for STATS_FIRST_US: a small view at
 * once, a large one not long before its first screen. */
#define STATS_STEP_MIN 2048
#define STATS_STEP_MAX 262144
#define STATS_SLICE_US (12 * ENG_US_PER_MS)
#define STATS_FIRST_US (5 * ENG_US_PER_MS)
#define STATS_SHOW_US (100 * ENG_US_PER_MS)
/* Entries arriving: the figures drawn are built again at most once a
 * second, as dashboards refresh (the percentiles by time read every
 * request again). */
#define DASH_FRESH_US (1000 * ENG_US_PER_MS)

static const struct {
	const char *key;
	const char *title;
} sections[] = {
	{ "overall", "Overall" },
	{ "user", "User Interactions" },
	{ "llm", "LLM Calls" },
	{ "tool", "Tool Executions" },
	{ "security", "Security" },
	{ "performance", "Performance" },
	{ "requests", "Requests" },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* ---- the panels' rows ---------------------------------------------------- */

/* A table row's figures, one a column ("" for none), put together once
 * the panels' width is known (tables_fit). */
struct cells {
	bool table;
	char c[TABLE_COLS][16];
};

struct build {
	struct ui *u;
	struct ui_dash *d;
	const char *field;	/* the rows being added name one: Enter
				   filters the list to it */
	int panel;
	int *panel_of;		/* each row's panel */
	size_t panel_cap;
	struct cells *cells;	/* each row's, for the tables */
	size_t cells_cap;
	bool days;		/* the entries fall on more than one day */
	bool costs;		/* the map being added holds costs */
};

static void
row_add(struct build *b, const char *label, const char *value, int indent,
    bool title)
{
	struct ui_dash *d = b->d;
	struct ui_drow *r;
	struct strbuf safe;

	eng_grow(&d->rows, &d->cap, d->nrows + 1, sizeof *d->rows);
	eng_grow(&b->panel_of, &b->panel_cap, d->nrows + 1,
	    sizeof *b->panel_of);
	eng_grow(&b->cells, &b->cells_cap, d->nrows + 1, sizeof *b->cells);
	memset(&b->cells[d->nrows], 0, sizeof *b->cells);
	r = &d->rows[d->nrows];
	memset(r, 0, sizeof *r);
	strbuf_init(&safe);
	eng_sanitize(&safe, label, strlen(label));
	r->label = safe.s;
	strbuf_init(&safe);
	eng_sanitize(&safe, value, strlen(value));
	r->value = safe.s;
	r->indent = indent;
	r->title = title;
	b->panel_of[d->nrows] = b->panel;
	d->nrows++;
}

/* The last row added filters on b->field = name (Enter). */
static void
row_filter(struct build *b, const char *name, size_t n)
{
	struct strbuf f;

	if (b->field == NULL)
		return;
	strbuf_init(&f);
	strbuf_printf(&f, "%s = ", b->field);
	ui_where_literal(&f, name, n);
	b->d->rows[b->d->nrows - 1].filter = f.s;
}

/* The rankings whose rows name what the list can be filtered to. */
static const char *
field_of(const char *key)
{
	static const struct {
		const char *key, *field;
	} named[] = {
		{ "by_provider", "provider" },
		{ "tokens_by_provider", "provider" },
		{ "by_model", "model" },
		{ "tokens_by_model", "model" },
		{ "top", "tool_name" },
		{ "top_denied_resources", "resource" },
		{ "top_denied_actions", "action" },
	};

	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(key, named[i].key) == 0)
			return named[i].field;
	return NULL;
}

static void
rows_free(struct ui_dash *d)
{
	for (size_t i = 0; i < d->nrows; i++) {
		free(d->rows[i].label);
		free(d->rows[i].value);
		free(d->rows[i].filter);
	}
	d->nrows = 0;
}

/* Field names that read better said otherwise. */
static const struct {
	const char *key;
	const char *label;
} renames[] = {
	{ "top", "Most used tools" },
	{ "slowest", "Slowest operations" },
	{ "p50_ms", "p50" },
	{ "p95_ms", "p95" },
	{ "p99_ms", "p99" },
	{ "max_ms", "Slowest" },
	{ "peak_memory_mb", "Peak memory (MB)" },
	{ "by_category", "By category" },
	{ "slowest_requests", "Slowest requests" },
	{ "llm_calls_per_request", "LLM calls/request" },
	{ "tool_calls_per_request", "Tool calls/request" },
	{ "tokens_per_request", "Tokens/request" },
	{ "cost_usd_per_request", "Cost/request" },
	{ "cost_usd", "Cost" },
	{ "unpriced_calls", "Calls without a price" },
};

/* "avg_duration_ms" -> "Avg duration", and the unit of its value. */
static void
label_of(const char *key, struct strbuf *out, const char **unit)
{
	size_t n = strlen(key);

	*unit = "";
	if (n > 3 && strcmp(key + n - 3, "_ms") == 0)
		*unit = "ms";
	else if (strstr(key, "cost_usd") != NULL)
		*unit = "$";
	else if (strstr(key, "rate") != NULL || strstr(key, "percent") != NULL)
		*unit = "%";
	for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
		if (strcmp(key, renames[i].key) == 0) {
			strbuf_puts(out, renames[i].label);
			return;
		}
	if (**unit == 'm')
		n -= 3;
	for (size_t i = 0; i < n; i++) {
		char c = key[i] == '_' ? ' ' : key[i];

		if (i == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		strbuf_add(out, &c, 1);
	}
}

static void
format_value(struct strbuf *out, json_object *v, const char *unit)
{
	if (strcmp(unit, "$") == 0 && (json_object_is_type(v,
	    json_type_double) || json_object_is_type(v, json_type_int))) {
		eng_format_cost(out, json_object_get_double(v));
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_int:
		if (strcmp(unit, "ms") == 0)
			ui_format_ms(out, (double)json_object_get_int64(v));
		else
			eng_format_number(out, (double)json_object_get_int64(v),
			    0);
		break;
	case json_type_double:
		if (strcmp(unit, "ms") == 0) {
			ui_format_ms(out, json_object_get_double(v));
			break;
		}
		eng_format_number(out, json_object_get_double(v), 1);
		strbuf_puts(out, unit);
		break;
	case json_type_string:
		/* a name may hold NUL bytes: its caret form, whole */
		eng_sanitize(out, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		break;
	case json_type_null:
		strbuf_puts(out, "-");
		break;
	default:
		strbuf_puts(out, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
		break;
	}
}

static bool
is_scalar(json_object *v)
{
	json_type t = json_object_get_type(v);

	return t != json_type_object && t != json_type_array;
}

/* "... 12 more" under a list cut to PANEL_TOP. */
static void
more_add(struct build *b, size_t more, int indent)
{
	char text[64];

	if (more == 0)
		return;
	snprintf(text, sizeof text, "%s %zu more", b->u->utf8 ?
	    "\xe2\x80\xa6" : "...", more);
	row_add(b, text, "", indent, false);
	b->d->rows[b->d->nrows - 1].dim = true;
}

/* One element of a list such as top tools: its first text field names
 * it, its numbers are the value. */
static void
add_item(struct build *b, json_object *item, int indent)
{
	struct strbuf value, label0;
	json_object *name = NULL;

	if (!json_object_is_type(item, json_type_object))
		return;
	json_object_object_foreach(item, k0, v0) {
		(void)k0;
		if (json_object_is_type(v0, json_type_string)) {
			name = v0;
			break;
		}
	}
	/* a name may hold NUL bytes: its caret form, whole */
	strbuf_init(&label0);
	if (name != NULL)
		format_value(&label0, name, "");
	else
		strbuf_puts(&label0, "-");
	strbuf_init(&value);
	json_object_object_foreach(item, k, v) {
		struct strbuf label;
		const char *unit;

		if (json_object_is_type(v, json_type_string) || !is_scalar(v))
			continue;
		strbuf_init(&label);
		label_of(k, &label, &unit);
		if (value.len > 0)
			strbuf_puts(&value, " ");
		format_value(&value, v, unit);
		strbuf_free(&label);
	}
	row_add(b, label0.s, value.len > 0 ? value.s : "", indent, false);
	if (name != NULL)
		row_filter(b, json_object_get_string(name),
		    (size_t)json_object_get_string_len(name));
	strbuf_free(&value);
	strbuf_free(&label0);
}

/* A time of the report (RFC 3339, UTC) as the list shows times. */
static bool
format_time(struct ui *u, json_object *v, struct strbuf *out)
{
	const char *s = json_object_get_string(v);
	int64_t us;

	if (!json_object_is_type(v, json_type_string) ||
	    eng_time_parse_log(s, strlen(s), &us) != 0)
		return false;
	eng_time_format(out, us, u->utc);
	return true;
}

/* The slowest operations, from the engine (the entries to open), with
 * the time of each: "11-30 14:02:11 process_message" and "747.7s". */
static void
add_slowest(struct build *b, int indent)
{
	struct eng_slowest sl;
	struct strbuf label, t, value;

	strbuf_init(&label);
	strbuf_init(&t);
	strbuf_init(&value);
	for (size_t i = 0; eng_stats_slowest(b->u->stats, i, &sl); i++) {
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_reset(&value);
		if (sl.entry.time_us != ENG_TIME_NONE &&
		    !(sl.entry.flags & ENTRY_NO_TIME)) {
			eng_time_format(&t, sl.entry.time_us, b->u->utc);
			/* "2026-11-30 14:02:11.123": the day when they vary */
			t.s[19] = '\0';
			strbuf_puts(&label, t.s + (b->days ? 5 : 11));
		} else {
			strbuf_puts(&label, "-");
		}
		/* a name may hold NUL bytes: its caret form, whole */
		strbuf_puts(&label, " ");
		eng_sanitize(&label, sl.operation, sl.len);
		ui_format_ms(&value, sl.ms);
		row_add(b, label.s, value.s, indent, false);
		b->d->rows[b->d->nrows - 1].has_entry = true;
		b->d->rows[b->d->nrows - 1].entry = sl.entry;
	}
	strbuf_free(&label);
	strbuf_free(&t);
	strbuf_free(&value);
}

/* The slowest requests, from the engine (the entries to open): "10:42:05
 * summarise ..." and "5.00s", then what the time went to. */
static void
add_slow_requests(struct build *b, int indent)
{
	struct eng_slow_request sr;
	struct strbuf label, t, value;

	strbuf_init(&label);
	strbuf_init(&t);
	strbuf_init(&value);
	for (size_t i = 0; eng_stats_slow_request(b->u->stats, i, &sr); i++) {
		strbuf_reset(&label);
		strbuf_reset(&t);
		strbuf_reset(&value);
		if (sr.entry.time_us != ENG_TIME_NONE &&
		    !(sr.entry.flags & ENTRY_NO_TIME)) {
			eng_time_format(&t, sr.entry.time_us, b->u->utc);
			t.s[19] = '\0';
			strbuf_puts(&label, t.s + (b->days ? 5 : 11));
		} else
			strbuf_puts(&label, "-");
		strbuf_puts(&label, sr.failed ? " FAILED " : " ");
		eng_sanitize(&label, sr.input, sr.len);
		ui_format_ms(&value, sr.ms);
		row_add(b, label.s, value.s, indent, false);
		b->d->rows[b->d->nrows - 1].has_entry = true;
		b->d->rows[b->d->nrows - 1].entry = sr.entry;
		strbuf_reset(&label);
		strbuf_reset(&value);
		strbuf_printf(&label, "%" PRIu64 " llm ", sr.llm_calls);
		ui_format_ms(&label, sr.llm_ms);
		strbuf_printf(&label, ", %" PRIu64 " tools ", sr.tool_calls);
		ui_format_ms(&label, sr.tool_ms);
		eng_format_number(&value, (double)sr.tokens, 0);
		strbuf_puts(&value, " tok");
		row_add(b, label.s, value.s, indent + 2, false);
		b->d->rows[b->d->nrows - 1].dim = true;
		/* calls without a price are said, never costed as 0 */
		strbuf_reset(&label);
		strbuf_reset(&value);
		strbuf_puts(&label, "cost");
		if (sr.unpriced > 0)
			strbuf_printf(&label, ", %" PRIu64 " call%s unpriced",
			    sr.unpriced, sr.unpriced == 1 ? "" : "s");
		if (isnan(sr.cost_usd))
			strbuf_puts(&value, "-");
		else
			eng_format_cost(&value, sr.cost_usd);
		row_add(b, label.s, value.s, indent + 2, false);
		b->d->rows[b->d->nrows - 1].dim = true;
	}
	strbuf_free(&label);
	strbuf_free(&t);
	strbuf_free(&value);
}

static void add_field(struct build *b, const char *key, json_object *v,
    int indent, bool data);

/* A map's entries (by level, by model, ...) under its label. */
static void
add_map(struct build *b, json_object *v, int indent)
{
	size_t n = 0, all = (size_t)json_object_object_length(v);

	json_object_object_foreach(v, k, sub) {
		if (n++ == PANEL_TOP && all > PANEL_TOP + 1)
			break;
		add_field(b, k, sub, indent, true);
	}
	more_add(b, n > PANEL_TOP && all > PANEL_TOP + 1 ? all - PANEL_TOP : 0,
	    indent);
}

static void
add_list(struct build *b, const char *key, json_object *v, int indent)
{
	size_t all = json_object_array_length(v), n = all;

	if (strcmp(key, "slowest") == 0) {
		add_slowest(b, indent);
		return;
	}
	if (strcmp(key, "slowest_requests") == 0) {
		add_slow_requests(b, indent);
		return;
	}
	if (n > PANEL_TOP + 1)
		n = PANEL_TOP;
	for (size_t i = 0; i < n; i++)
		add_item(b, json_object_array_get_idx(v, i), indent);
	more_add(b, all - n, indent);
}

static void
add_field(struct build *b, const char *key, json_object *v, int indent,
    bool data)
{
	struct strbuf label, value;
	const char *unit = "";
	int cat;

	strbuf_init(&label);
	strbuf_init(&value);
	/* a counted thing (a provider, a level, a category) is data, not a
	 * field name */
	if (data) {
		strbuf_puts(&label, (cat = llmlog_category_parse(key)) >= 0 ?
		    llmlog_category_label(cat) : key);
		if (b->costs)
			unit = "$";
	} else
		label_of(key, &label, &unit);
	if (is_scalar(v)) {
		if (!format_time(b->u, v, &value))
			format_value(&value, v, unit);
		row_add(b, label.s, value.s, indent, false);
		if (data)
			row_filter(b, key, strlen(key));
	} else if (json_object_is_type(v, json_type_object)) {
		row_add(b, label.s, "", indent, false);
		b->field = field_of(key);
		b->costs = !data && strncmp(key, "cost_by_", 8) == 0;
		add_map(b, v, indent + 2);
		b->costs = false;
		b->field = NULL;
	} else {
		row_add(b, label.s, "", indent, false);
		b->field = field_of(key);
		add_list(b, key, v, indent + 2);
		b->field = NULL;
	}
	strbuf_free(&label);
	strbuf_free(&value);
}

/* Keys the dashboard shows otherwise (the histogram, split by level). */
static bool
is_section(const char *key)
{
	if (strcmp(key, "histogram") == 0 || strcmp(key, "coverage") == 0)
		return true;	/* coverage: the note above the panels */
	for (size_t i = 1; i < NSECTIONS; i++)
		if (strcmp(key, sections[i].key) == 0)
			return true;
	return false;
}

/* Figures the tables under the panels show per model and tool (the
 * percentiles and failures of user, tool and llm): left out of the
 * panels, which keep the performance section's percentiles. */
static bool
in_tables(const char *section, const char *key)
{
	if (strncmp(key, "failures_by_", 12) == 0)
		return true;
	return strcmp(section, "performance") != 0 && key[0] == 'p' &&
	    (strcmp(key, "p50_ms") == 0 || strcmp(key, "p95_ms") == 0 ||
	    strcmp(key, "p99_ms") == 0);
}

/* Every panel that counts successes shows a "Success rate"; where the
 * report gives only the counts (llm), it is worked out from them. */
static void
add_rate(struct build *b, json_object *sec)
{
	json_object *ok, *total;
	char value[32];
	int64_t t;

	if (json_object_object_get_ex(sec, "success_rate", NULL) ||
	    !json_object_object_get_ex(sec, "success", &ok) ||
	    !json_object_object_get_ex(sec, "total", &total))
		return;
	if ((t = json_object_get_int64(total)) <= 0)
		return;
	snprintf(value, sizeof value, "%.1f%%",
	    100.0 * (double)json_object_get_int64(ok) / (double)t);
	row_add(b, "Success rate", value, 0, false);
}

/* The overall panel holds the report's top-level fields; the others are
 * one section each, shown when the section counted something. */
static void
fill_panel(struct build *b, json_object *report, size_t i)
{
	json_object *sec, *total;

	if (i > 0 && (!json_object_object_get_ex(report, sections[i].key,
	    &sec) || !json_object_is_type(sec, json_type_object) ||
	    !json_object_object_get_ex(sec, "total", &total) ||
	    json_object_get_int64(total) == 0))
		return;
	row_add(b, sections[i].title, "", 0, true);
	if (i == 0) {
		json_object_object_foreach(report, k, v)
			if (!is_section(k))
				add_field(b, k, v, 0, false);
	} else {
		json_object_object_foreach(sec, k, v)
			if (!in_tables(sections[i].key, k))
				add_field(b, k, v, 0, false);
		add_rate(b, sec);
	}
	b->panel++;
}

/* ---- the tables: LLM calls by model, tools (the report's) ------------- */

static void
cell_ms(struct strbuf *out, double ms)
{
	if (isnan(ms))
		strbuf_puts(out, "-");
	else
		ui_format_ms(out, ms);
}

/* A table row's figures: calls, fail%, p50, p95 and the tokens. */
static void
table_cells(struct cells *c, const struct eng_stats_row *r, bool tokens)
{
	struct strbuf f;

	c->table = true;
	strbuf_init(&f);
	ui_format_compact(&f, (double)r->calls);
	strbuf_printf(&f, "\t%.1f%%\t", r->calls > 0 ?
	    100.0 * (double)r->failed / (double)r->calls : 0.0);
	cell_ms(&f, r->p50_ms);
	strbuf_puts(&f, "\t");
	cell_ms(&f, r->p95_ms);
	strbuf_puts(&f, "\t");
	if (tokens)
		ui_format_compact(&f, r->tokens);
	for (size_t k = 0, at = 0; k < TABLE_COLS; k++) {
		size_t n = strcspn(f.s + at, "\t");

		snprintf(c->c[k], sizeof c->c[k], "%.*s", (int)n, f.s + at);
		at += n + (f.s[at + n] != '\0');
	}
	strbuf_free(&f);
}

/* The tables' values once the panels' width w is known: the figures
 * right-aligned in columns as wide as their widest, and while the names
 * would be cut short, the columns that matter least left out: p50, the
 * tokens, fail%. */
static void
tables_fit(struct build *b, int w)
{
	static const int drop[] = { 2, 4, 1 };
	struct ui_dash *d = b->d;
	struct strbuf v;

	strbuf_init(&v);
	for (size_t i = 0; i < d->nrows;) {
		size_t end = i;
		int cw[TABLE_COLS] = { 0 }, name = 0, used, ndrop = 0;
		bool keep[TABLE_COLS];

		if (!b->cells[i].table) {
			i++;
			continue;
		}
		while (end < d->nrows && b->cells[end].table &&
		    b->panel_of[end] == b->panel_of[i]) {
			const struct ui_drow *r = &d->rows[end];
			int lw = ui_text_width(r->label, strlen(r->label));

			for (int k = 0; k < TABLE_COLS; k++)
				if ((int)strlen(b->cells[end].c[k]) > cw[k])
					cw[k] = (int)strlen(b->cells[end].c[k]);
			if (end > i && r->indent + lw > name)
				name = r->indent + lw;
			end++;
		}
		if (name > 2 + TABLE_NAME_W)
			name = 2 + TABLE_NAME_W;
		for (int k = 0; k < TABLE_COLS; k++)
			keep[k] = cw[k] > 0;
		for (;;) {
			used = -1;
			for (int k = 0; k < TABLE_COLS; k++)
				if (keep[k])
					used += cw[k] + 1;
			if (name + 1 + used <= w || ndrop == 3)
				break;
			keep[drop[ndrop++]] = false;
		}
		for (; i < end; i++) {
			strbuf_reset(&v);
			for (int k = 0; k < TABLE_COLS; k++)
				if (keep[k])
					strbuf_printf(&v, "%s%*s", v.len > 0 ?
					    " " : "", cw[k], b->cells[i].c[k]);
			free(d->rows[i].value);
			d->rows[i].value = eng_xstrdup(v.s);
		}
	}
	strbuf_free(&v);
}

/* One table: a model's or a tool's calls, PANEL_TOP of them. */
static void
add_table(struct build *b, enum eng_stats_table which, const char *title,
    const char *field, bool tokens)
{
	static const char *const heads[] = { "calls", "fail%", "p50", "p95",
	    "tokens" };
	struct eng_stats_row r[PANEL_TOP];
	size_t all = eng_stats_table(b->u->stats, which, r, PANEL_TOP);
	size_t n = all < PANEL_TOP ? all : PANEL_TOP;
	struct strbuf label;
	struct cells *hc;

	if (all == 0)
		return;
	row_add(b, title, "", 0, true);
	row_add(b, field, "", 0, false);
	b->d->rows[b->d->nrows - 1].dim = true;
	hc = &b->cells[b->d->nrows - 1];
	hc->table = true;
	for (int k = 0; k < TABLE_COLS - !tokens; k++)
		snprintf(hc->c[k], sizeof hc->c[k], "%s", heads[k]);
	strbuf_init(&label);
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&label);
		/* a name may hold NUL bytes: its caret form, whole */
		eng_sanitize(&label, r[i].name, r[i].len);
		row_add(b, label.s, "", 2, false);
		table_cells(&b->cells[b->d->nrows - 1], &r[i], tokens);
		b->field = field;
		row_filter(b, r[i].name, r[i].len);
		b->field = NULL;
	}
	strbuf_free(&label);
	more_add(b, all - n, 2);
	b->panel++;
}

/* The most common errors (normalised by the stats), how many and when
 * last: "12  11-30 14:02" or "12  14:02:11". */
static void
add_errors(struct build *b)
{
	struct eng_error_row er[PANEL_TOP];
	size_t n = eng_stats_errors(b->u->stats, er, PANEL_TOP);
	struct strbuf label, value, t;

	if (n == 0)
		return;
	strbuf_init(&label);
	strbuf_init(&value);
	strbuf_init(&t);
	row_add(b, "Top errors", "", 0, true);
	row_add(b, "error", "count  last seen", 0, false);
	b->d->rows[b->d->nrows - 1].dim = true;
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&label);
		strbuf_reset(&value);
		strbuf_reset(&t);
		eng_sanitize(&label, er[i].text, er[i].len);
		ui_format_compact(&value, (double)er[i].count);
		if (er[i].last_us != ENG_TIME_NONE) {
			eng_time_format(&t, er[i].last_us, b->u->utc);
			t.s[b->days ? 16 : 19] = '\0';
			strbuf_printf(&value, "  %s", t.s + (b->days ? 5 : 11));
		} else
			strbuf_puts(&value, "  -");
		row_add(b, label.s, value.s, 2, false);
	}
	strbuf_free(&label);
	strbuf_free(&value);
	strbuf_free(&t);
	b->panel++;
}

/* Once every entry is counted, the tables (the stats keep them); the
 * errors come with the stats. */
static void
fill_tables(struct build *b)
{
	if (b->u->stats_done) {
		add_table(b, ENG_TABLE_MODELS, "LLM by model", "model", true);
		add_table(b, ENG_TABLE_TOOLS, "Tools", "tool_name", false);
	}
	add_errors(b);
}

/* Panels flow into columns, each to the shortest column so far: every
 * row gets its column and line. */
static void
layout_panels(struct ui_dash *d, const int *panel_of, int npanels, int w)
{
	int height[NSECTIONS] = { 0 }, col = 0;

	d->ncols = w / PANEL_W > 0 ? w / PANEL_W : 1;
	if (d->ncols > npanels && npanels > 0)
		d->ncols = npanels;
	if (d->ncols > (int)NSECTIONS)
		d->ncols = NSECTIONS;
	d->colw = w / d->ncols < PANEL_MAX_W ? w / d->ncols : PANEL_MAX_W;
	d->lines = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		if (i == 0 || panel_of[i] != panel_of[i - 1]) {
			if (i > 0)
				height[col]++;	/* a line between panels */
			col = 0;
			for (int k = 1; k < d->ncols; k++)
				if (height[k] < height[col])
					col = k;
		}
		d->rows[i].col = col;
		d->rows[i].line = height[col]++;
		if (height[col] > d->lines)
			d->lines = height[col];
	}
}

/* ---- the headline -------------------------------------------------------- */

static int64_t
jint(json_object *o, const char *sec, const char *key)
{
	json_object *s, *v;

	if (sec != NULL && !json_object_object_get_ex(o, sec, &s))
		return 0;
	return json_object_object_get_ex(sec != NULL ? s : o, key, &v) ?
	    json_object_get_int64(v) : 0;
}

static int64_t
jtime(json_object *o, const char *key)
{
	json_object *v;
	int64_t t;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    eng_time_parse_log(json_object_get_string(v),
	    strlen(json_object_get_string(v)), &t) != 0)
		return ENG_TIME_NONE;
	return t;
}

static double
pct(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : NAN;
}

/* The two equal periods the trends compare: the last half (in whole
 * minutes) of the time the entries span, and the half before it. */
struct halves {
	bool ok;
	struct eng_period cur, prev;
	int64_t minutes;
};

static void
halves_of(struct ui *u, json_object *report, bool partial,
    struct halves *hv)
{
	int64_t first = jtime(report, "first"), last = jtime(report, "last");
	int64_t end, half;

	memset(hv, 0, sizeof *hv);
	/* halves of a count under way compare what was read first */
	if (partial || first == ENG_TIME_NONE || last == ENG_TIME_NONE) {
		hv->cur.p95_request_ms = hv->prev.p95_request_ms = NAN;
		return;
	}
	first = first / ENG_US_PER_MIN;
	end = last / ENG_US_PER_MIN + 1;
	if ((half = (end - first) / 2) < 1)
		return;
	eng_stats_period(u->stats, (end - half) * ENG_US_PER_MIN,
	    end * ENG_US_PER_MIN, &hv->cur);
	eng_stats_period(u->stats, (end - 2 * half) * ENG_US_PER_MIN,
	    (end - half) * ENG_US_PER_MIN, &hv->prev);
	hv->minutes = half;
	hv->ok = true;
}

/* "+2.1%" of a count or a duration against the period before; points
 * ("pt") for a rate.  sense: whether up is good (1) or bad (-1). */
static void
set_trend(struct ui *u, struct ui_tile *t, double cur, double prev,
    bool points, int sense)
{
	double change;
	const char *arrow;

	if (isnan(cur) || isnan(prev) || (!points && prev <= 0) ||
	    !u->dash.trends)
		return;
	change = points ? cur - prev : (cur - prev) / prev * 100;
	if (fabs(change) < 0.05) {
		snprintf(t->trend, sizeof t->trend, "=");
		return;
	}
	arrow = change > 0 ? (u->utf8 ? "\xe2\x96\xb2" : "^") :
	    (u->utf8 ? "\xe2\x96\xbc" : "v");
	snprintf(t->trend, sizeof t->trend, fabs(change) >= 10 ? "%s%.0f%s" :
	    "%s%.1f%s", arrow, fabs(change), points ? "pt" : "%");
	t->sense = change > 0 ? sense : -sense;
}

static struct ui_tile *
tile_add(struct ui_dash *d, const char *label)
{
	struct ui_tile *t = &d->tiles[d->ntiles++];

	memset(t, 0, sizeof *t);
	snprintf(t->label, sizeof t->label, "%s", label);
	return t;
}

static void
tile_count(struct ui_dash *d, const char *label, int64_t v)
{
	struct strbuf b;
	struct ui_tile *t = tile_add(d, label);

	strbuf_init(&b);
	eng_format_number(&b, (double)v, 0);
	snprintf(t->value, sizeof t->value, "%s", b.s);
	strbuf_free(&b);
}

static void
tile_rate(struct ui_dash *d, const char *label, double v)
{
	snprintf(tile_add(d, label)->value, sizeof d->tiles[0].value,
	    "%.1f%%", v);
}

/* "last 24h vs the 24h before" */
static void
trend_note(struct ui_dash *d, int64_t minutes)
{
	char span[16];

	if (minutes % (24 * 60) == 0)
		snprintf(span, sizeof span, "%dd", (int)(minutes / (24 * 60)));
	else if (minutes % 60 == 0 && minutes < 24 * 60)
		snprintf(span, sizeof span, "%dh", (int)(minutes / 60));
	else if (minutes >= 2 * 24 * 60)
		snprintf(span, sizeof span, "%.0fd", (double)minutes / 1440);
	else if (minutes >= 2 * 60)
		snprintf(span, sizeof span, "%.0fh", (double)minutes / 60);
	else
		snprintf(span, sizeof span, "%dmin", (int)minutes);
	snprintf(d->trend_note, sizeof d->trend_note,
	    "trends: last %s vs the %s before", span, span);
}

/* What the calls cost (llmlog(1), COST), saying how many it leaves out. */
static void
tile_cost(struct ui *u, json_object *report, const struct halves *hv)
{
	struct ui_dash *d = &u->dash;
	int64_t unpriced = jint(report, "llm", "unpriced_calls");
	json_object *l, *v = NULL;
	struct ui_tile *t;
	struct strbuf b;

	strbuf_init(&b);
	if (unpriced > 0)
		eng_format_number(&b, (double)unpriced, 0);
	t = tile_add(d, "Cost");
	if (unpriced > 0)
		snprintf(t->label, sizeof t->label, "Cost, %s unpriced", b.s);
	strbuf_reset(&b);
	if (json_object_object_get_ex(report, "llm", &l))
		json_object_object_get_ex(l, "cost_usd", &v);
	/* no call with a cost: none to show, rather than $0 */
	if (unpriced >= jint(report, "llm", "total"))
		strbuf_puts(&b, "-");
	else
		eng_format_cost(&b, json_object_get_double(v));
	snprintf(t->value, sizeof t->value, "%s", b.s);
	strbuf_free(&b);
	set_trend(u, t, hv->cur.cost_usd, hv->prev.cost_usd, false, -1);
}

/* Requests and their success rate, LLM calls and their failures,
 * tokens, the requests' p95 and denials: each where something was
 * counted, with its trend. */
static void
build_headline(struct ui *u, json_object *report, bool partial)
{
	struct ui_dash *d = &u->dash;
	struct eng_period all;
	struct halves hv;
	struct strbuf b;
	int64_t req = jint(report, "user", "total");
	int64_t llm = jint(report, "llm", "total");

	d->ntiles = 0;
	d->trend_note[0] = '\0';
	halves_of(u, report, partial, &hv);
	d->trends = hv.ok;
	eng_stats_period(u->stats, ENG_TIME_NONE, INT64_MAX, &all);
	if (req > 0) {
		tile_count(d, "Requests", req);
		set_trend(u, &d->tiles[d->ntiles - 1], (double)hv.cur.requests,
		    (double)hv.prev.requests, false, 0);
		tile_rate(d, "Success", pct((uint64_t)jint(report, "user",
		    "success"), (uint64_t)req));
		set_trend(u, &d->tiles[d->ntiles - 1], pct(hv.cur.requests_ok,
		    hv.cur.requests), pct(hv.prev.requests_ok,
		    hv.prev.requests), true, 1);
	}
	if (llm > 0) {
		tile_count(d, "LLM calls", llm);
		set_trend(u, &d->tiles[d->ntiles - 1], (double)hv.cur.llm_calls,
		    (double)hv.prev.llm_calls, false, 0);
		tile_rate(d, "LLM failed", pct((uint64_t)jint(report, "llm",
		    "failed"), (uint64_t)llm));
		set_trend(u, &d->tiles[d->ntiles - 1], pct(hv.cur.llm_failed,
		    hv.cur.llm_calls), pct(hv.prev.llm_failed,
		    hv.prev.llm_calls), true, -1);
		strbuf_init(&b);
		if (jint(report, "llm", "total_tokens") < 1000000)
			eng_format_number(&b, (double)jint(report, "llm",
			    "total_tokens"), 0);
		else
			ui_format_compact(&b, (double)jint(report, "llm",
			    "total_tokens"));
		snprintf(tile_add(d, "Tokens")->value, sizeof d->tiles[0].value,
		    "%s", b.s);
		strbuf_free(&b);
		set_trend(u, &d->tiles[d->ntiles - 1], (double)hv.cur.tokens,
		    (double)hv.prev.tokens, false, 0);
		tile_cost(u, report, &hv);
	}
	if (!isnan(all.p95_request_ms)) {
		strbuf_init(&b);
		ui_format_ms(&b, all.p95_request_ms);
		snprintf(tile_add(d, "p95 request")->value,
		    sizeof d->tiles[0].value, "%s", b.s);
		strbuf_free(&b);
		set_trend(u, &d->tiles[d->ntiles - 1], hv.cur.p95_request_ms,
		    hv.prev.p95_request_ms, false, -1);
	}
	if (jint(report, "security", "total") > 0) {
		tile_count(d, "Denied", jint(report, "security", "denied"));
		set_trend(u, &d->tiles[d->ntiles - 1], (double)hv.cur.denied,
		    (double)hv.prev.denied, false, -1);
	}
	if (d->ntiles == 0)
		tile_count(d, "Entries", jint(report, NULL, "total"));
	else if (hv.ok)
		trend_note(d, hv.minutes);
}

/* ---- building what is drawn ---------------------------------------------- */

static void
chart_free(struct ui_dash *d)
{
	eng_hist_free(&d->h);
	free(d->p50);
	free(d->p95);
	d->p50 = d->p95 = NULL;
}

/* The histogram's buckets, one a column of the width left of the scale,
 * and their latency. */
static void
build_chart(struct ui *u, int w)
{
	struct ui_dash *d = &u->dash;
	int nb = w - ui_chart_axis_w(u);

	chart_free(d);
	if (nb < 10)
		return;
	eng_hist_build(u->stats, (size_t)nb, ENG_US_PER_SEC, true, &d->h);
	d->nbuckets = nb;
	if (d->h.n == 0)
		return;
	d->p50 = eng_xcalloc(d->h.n, sizeof *d->p50);
	d->p95 = eng_xcalloc(d->h.n, sizeof *d->p95);
	eng_hist_latency(u->stats, &d->h, d->p50, d->p95);
}

static void
build_panels(struct ui *u, json_object *report, int w)
{
	struct build b = { .u = u, .d = &u->dash };
	int64_t first = jtime(report, "first"), last = jtime(report, "last");
	struct strbuf f, l;

	/* the slowest operations' times show the day when the entries
	 * fall on more than one */
	strbuf_init(&f);
	strbuf_init(&l);
	if (first != ENG_TIME_NONE && last != ENG_TIME_NONE) {
		eng_time_format(&f, first, u->utc);
		eng_time_format(&l, last, u->utc);
		b.days = strncmp(f.s, l.s, 10) != 0;
	}
	strbuf_free(&f);
	strbuf_free(&l);
	rows_free(&u->dash);
	for (size_t i = 0; i < NSECTIONS; i++)
		fill_panel(&b, report, i);
	fill_tables(&b);
	layout_panels(&u->dash, b.panel_of, b.panel, w);
	tables_fit(&b, u->dash.colw - 2);
	free(b.panel_of);
	free(b.cells);
	if (u->dash.row >= (long)u->dash.nrows)
		u->dash.row = -1;
}

/* "note: user entries start ... (rotated): the range asked starts ...",
 * for each category shown whose files start after the time filter does
 * (the files' coverage, whatever the filter). */
static void
build_cover_note(struct ui *u)
{
	struct ui_dash *d = &u->dash;
	struct strbuf b, one;
	struct eng_coverage c;

	strbuf_init(&b);
	strbuf_init(&one);
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		if (u->filter.categories != 0 &&
		    !(u->filter.categories & 1u << i))
			continue;
		eng_coverage(u->e, i, &c);
		strbuf_reset(&one);
		if (!eng_coverage_note(&one, i, &c, u->filter.since_us,
		    u->utc))
			continue;
		strbuf_puts(&b, b.len == 0 ? "note: " : "; ");
		strbuf_puts(&b, one.s);
	}
	snprintf(d->cover_note, sizeof d->cover_note, "%s",
	    b.len > 0 ? b.s : "");
	strbuf_free(&b);
	strbuf_free(&one);
}

/* Build what is drawn when it is stale: the count grew (no more often
 * than DASH_FRESH_US, but at once when a count under way ended), the
 * width or the zone changed.  While a count is under way the figures
 * drawn are partial (counted < total). */
static void
dash_refresh(struct ui *u, int w)
{
	struct ui_dash *d = &u->dash;
	size_t counted, total;
	int64_t now = eng_now_us();
	json_object *report;

	eng_stats_progress(u->stats, &counted, &total);
	if (d->valid && d->width == w && d->utc == u->utc) {
		if (d->counted == counted)
			return;
		if (!(d->partial && counted == total) &&
		    now - d->built_us < DASH_FRESH_US)
			return;
	}
	report = eng_stats_json(u->stats);
	build_headline(u, report, counted < total);
	build_chart(u, w);
	build_panels(u, report, w);
	build_cover_note(u);
	json_object_put(report);
	d->valid = true;
	d->partial = counted < total;
	d->counted = counted;
	d->width = w;
	d->utc = u->utc;
	d->built_us = now;
}

/* ---- counting ------------------------------------------------------------- */

static bool
dashboard_shown(const struct ui *u)
{
	return u->screen == UI_STATS || (u->screen == UI_LIST && u->split);
}

/* Whether a shown dashboard has entries left to count. */
static bool
stats_pending(const struct ui *u)
{
	return u->stats != NULL && !u->stats_done && dashboard_shown(u);
}

/* Only counting cut short is told: entries that arrived after the
 * count are not known to be waiting, and a hidden dashboard counts
 * them when it is shown again. */
void
ui_stats_status(const struct ui *u, struct strbuf *out)
{
	size_t counted, all;

	if (u->stats == NULL || u->stats_done || stats_pending(u))
		return;
	eng_stats_progress(u->stats, &counted, &all);
	if (counted >= all)
		return;
	strbuf_printf(out, "stats %d%% paused  ",
	    (int)((double)counted * 100 / (double)all));
}

/* One time-boxed slice of counting, in steps of a third to two thirds
 * of it: steps large enough to be counted on two threads (smaller ones
 * are counted on one). */
static void
count_slice(struct ui *u, int64_t budget_us)
{
	struct ui_dash *d = &u->dash;
	int64_t start = eng_now_us(), t0, dt;

	if (d->step < STATS_STEP_MIN)
		d->step = STATS_STEP_MIN;
	do {
		t0 = eng_now_us();
		u->stats_done = eng_stats_update_some(u->stats, u->view,
		    d->step);
		dt = eng_now_us() - t0;
		if (dt < budget_us / 3 && d->step < STATS_STEP_MAX)
			d->step *= 2;
		else if (dt > budget_us * 2 / 3 && d->step > STATS_STEP_MIN)
			d->step /= 2;
	} while (!u->stats_done && eng_now_us() - start < budget_us);
}

/* Figures counted that the screen does not show yet. */
static bool
dash_stale(const struct ui *u)
{
	size_t counted, total;

	if (u->stats == NULL || !u->dash.valid || !dashboard_shown(u))
		return false;
	eng_stats_progress(u->stats, &counted, &total);
	return counted != u->dash.counted;
}

/* Count for a few milliseconds between keys; draw again when done, when
 * the figures shown are old, or when new figures are due. */
static int
stats_idle(struct ui *u)
{
	int64_t now = eng_now_us();

	if (stats_pending(u)) {
		count_slice(u, STATS_SLICE_US);
		now = eng_now_us();
		if (u->stats_done || now - u->stats_shown_us >= STATS_SHOW_US)
			return UI_REDRAW;
	}
	/* built here, not at the next draw: a terminal too small to draw
	 * in would leave them due, and the loop waiting for nothing */
	if (dash_stale(u) && now - u->dash.built_us >= DASH_FRESH_US) {
		dash_refresh(u, u->dash.width);
		return UI_REDRAW;
	}
	return 0;
}

static int
stats_due(const struct ui *u)
{
	int64_t left;

	if (!dash_stale(u) || stats_pending(u))
		return -1;
	left = u->dash.built_us + DASH_FRESH_US - eng_now_us();
	return left > 0 ? (int)((left + ENG_US_PER_MS - 1) / ENG_US_PER_MS) : 0;
}

/* The report and what is drawn from it are of one view, counted so far;
 * a row means nothing in another view's panels. */
static void
stats_drop(struct ui *u)
{
	eng_stats_free(u->stats);
	u->stats = NULL;
	u->dash.valid = false;
	u->dash.row = -1;
}

static void
stats_changed(struct ui *u, enum ui_change what)
{
	switch (what) {
	case UI_VIEW_NEW:
		stats_drop(u);
		break;
	case UI_VIEW_SHRANK:
	case UI_VIEW_GREW:
		/* the new entries are counted between keys (stats_idle);
		 * after some left, all again (the stats see the view's
		 * serial change) */
		u->stats_done = false;
		break;
	case UI_RESIZED:
		u->dash.valid = false;
		break;
	case UI_SPLIT:
		if (!u->split)
			stats_drop(u);
		break;
	}
}

static void
stats_free(struct ui *u)
{
	stats_drop(u);
	chart_free(&u->dash);
	rows_free(&u->dash);
	free(u->dash.rows);
	memset(&u->dash, 0, sizeof u->dash);
}

/* Start counting the view's entries for the report: a small view is
 * counted at once, a large one shows its first figures and goes on
 * between keys (stats_idle). */
static void
ensure_stats(struct ui *u)
{
	if (u->stats != NULL)
		return;
	u->stats = eng_stats_new();
	eng_stats_set_utc(u->stats, u->utc);
	eng_stats_keep_tables(u->stats);
	u->stats_done = false;
	u->dash.valid = false;
	count_slice(u, STATS_FIRST_US);
}

/* ---- drawing ------------------------------------------------------------- */

/* "counting 35% (350,000 of 1,000,000 entries)..." while it runs. */
static int
progress_draw(struct ui *u, int y, int x, int w)
{
	struct strbuf b;
	size_t counted, total;

	if (u->stats_done)
		return 0;
	u->stats_shown_us = eng_now_us();
	eng_stats_progress(u->stats, &counted, &total);
	strbuf_init(&b);
	strbuf_printf(&b, "counting %d%% (", total > 0 ?
	    (int)((double)counted * 100 / (double)total) : 0);
	eng_format_number(&b, (double)counted, 0);
	strbuf_puts(&b, " of ");
	eng_format_number(&b, (double)total, 0);
	strbuf_puts(&b, " entries)...");
	ui_puts(y, x, w, b.s, A_BOLD);
	strbuf_free(&b);
	return 1;
}

/* The note of what the trends compare, right-aligned on row y of the
 * w columns from x when it fits after the first `used'; whether it did. */
static bool
note_draw(struct ui *u, int y, int x, int used, int w)
{
	int nw = (int)strlen(u->dash.trend_note);

	if (nw == 0 || !u->dash.trends || used + 2 + nw > w)
		return false;
	ui_puts(y, x + w - nw, nw, u->dash.trend_note, A_DIM);
	return true;
}

static int
tile_width(const struct ui_tile *t)
{
	int lw = ui_text_width(t->label, strlen(t->label));
	int vw = ui_text_width(t->value, strlen(t->value)) +
	    (t->trend[0] != '\0' ? 1 + ui_text_width(t->trend,
	    strlen(t->trend)) : 0);

	return (lw > vw ? lw : vw) + 3;
}

/* The tiles, as many to a line as fit; the rows used.  *noted: whether
 * the note of what the trends compare found room on the first line. */
static int
headline_draw(struct ui *u, int y, int x, int w, bool *noted)
{
	const struct ui_dash *d = &u->dash;
	int cx = 0, lines = 2;

	for (int i = 0; i < d->ntiles; i++) {
		const struct ui_tile *t = &d->tiles[i];
		int tw = tile_width(t), vw;
		attr_t ta = t->sense > 0 ? ui_pair(u, UI_PAIR_INFO) :
		    t->sense < 0 ? ui_pair(u, UI_PAIR_MSGERR) : A_NORMAL;

		if (cx > 0 && cx + tw - 3 > w) {
			cx = 0;
			lines += 2;
		}
		ui_puts(y + lines - 2, x + cx, w - cx, t->label, A_DIM);
		vw = ui_puts(y + lines - 1, x + cx, w - cx, t->value, A_BOLD);
		if (t->trend[0] != '\0')
			ui_puts(y + lines - 1, x + cx + vw + 1, w - cx - vw - 1,
			    t->trend, ta);
		cx += tw;
	}
	/* what the trends compare, at the end of the first line */
	*noted = lines == 2 && note_draw(u, y, x, cx, w);
	return lines;
}

/* A row: its label cut with an ellipsis so that the value, right-aligned,
 * stays whole. */
static void
row_draw(struct ui *u, const struct ui_drow *r, int y, int x, int w,
    bool cursor)
{
	size_t ln = strlen(r->label);
	int vw = ui_text_width(r->value, strlen(r->value));
	int room = w - r->indent - (vw > 0 ? vw + 1 : 0), lw;
	attr_t la = r->title ? ui_pair(u, UI_PAIR_TITLE) | A_UNDERLINE :
	    r->dim ? A_DIM : r->value[0] == '\0' || r->indent > 0 ? A_NORMAL :
	    ui_pair(u, UI_PAIR_KEY);
	attr_t base = cursor ? A_REVERSE : A_NORMAL;
	const char *ell = u->utf8 ? "\xe2\x80\xa6" : "...";

	if (vw > w)
		vw = w, room = 0;
	if (cursor)
		ui_fill(y, x, w, A_REVERSE);
	lw = ui_text_width(r->label, ln);
	if (lw <= room) {
		ui_text(y, x + r->indent, lw, r->label, ln, 0, la | base, NULL,
		    0, 0);
	} else if (room > 0) {
		int ew = ui_text_width(ell, strlen(ell));
		size_t cut = room > ew ? ui_text_cut(r->label, ln, room - ew) : 0;
		int cw = cut > 0 ? ui_text_width(r->label, cut) : 0;

		ui_text(y, x + r->indent, cw, r->label, cut, 0, la | base, NULL,
		    0, 0);
		ui_puts(y, x + r->indent + cw, room - cw, ell, A_DIM | base);
	}
	if (vw > 0)
		ui_text(y, x + w - vw, vw, r->value, strlen(r->value), 0,
		    base, NULL, 0, 0);
}

/* The panels' rows from line top on, in h rows. */
static void
panels_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_dash *d = &u->dash;

	d->panel_h = h;
	if (d->row >= 0) {
		int line = d->rows[d->row].line;

		if (line < d->top)
			d->top = line;
		else if (line >= d->top + h)
			d->top = line - h + 1;
	}
	if (d->top > d->lines - h)
		d->top = d->lines - h > 0 ? d->lines - h : 0;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct ui_drow *r = &d->rows[i];
		int row = r->line - d->top;

		if (row >= 0 && row < h)
			row_draw(u, r, y + row, x + r->col * d->colw,
			    d->colw - 2, (long)i == d->row);
	}
}

/* Full-screen on the Stats tab, or the pane beside the list. */
static void
stats_draw(struct ui *u, int y, int x, int h, int w)
{
	int rows, used, bars;
	bool noted;

	ensure_stats(u);
	used = progress_draw(u, y, x, w);
	y += used;
	h -= used;
	dash_refresh(u, w);
	used = headline_draw(u, y, x, w, &noted) + 1;
	y += used;
	h -= used;
	if (u->dash.cover_note[0] != '\0' && h > 1) {
		ui_puts(y, x, w, u->dash.cover_note, ui_pair(u,
		    UI_PAIR_WARNING));
		y += 2;
		h -= 2;
	}
	/* the histogram a third of what is left, at most HIST_MAX_ROWS
	 * bars; the latency line when the panels keep six rows */
	bars = h / 3 < HIST_MAX_ROWS ? h / 3 : HIST_MAX_ROWS;
	if ((used = ui_chart_draw(u, y, x, bars + 4, w)) > 0) {
		/* else beside the histogram's title and legend */
		if (!noted)
			note_draw(u, y, x, 48, w);
		y += used;
		h -= used;
		if (h >= 3 + 6 && (rows = ui_latency_draw(u, y, x, w)) > 0) {
			y += rows;
			h -= rows;
		}
		y++;
		h--;
	}
	if (h > 0)
		panels_draw(u, y, x, h, w);
}

/* ---- the cursors ------------------------------------------------------- */

/* The selectable rows (not titles) in reading order: down each column,
 * then the next. */
static int
row_order(const void *a, const void *b)
{
	const struct ui_drow *x = *(const struct ui_drow *const *)a;
	const struct ui_drow *y = *(const struct ui_drow *const *)b;

	if (x->col != y->col)
		return x->col - y->col;
	return x->line - y->line;
}

/* The row `step` selectable rows on from the cursor (the first shown
 * when there is none). */
static void
row_move(struct ui_dash *d, int step)
{
	const struct ui_drow **v;
	size_t n = 0, at = 0;

	if (d->nrows == 0)
		return;
	v = eng_xmalloc(d->nrows * sizeof *v);
	for (size_t i = 0; i < d->nrows; i++)
		if (!d->rows[i].title)
			v[n++] = &d->rows[i];
	qsort(v, n, sizeof *v, row_order);
	if (n > 0 && d->row < 0) {
		/* the first row on the screen */
		while (at + 1 < n && v[at]->line < d->top)
			at++;
	} else if (n > 0) {
		while (at < n && v[at] != &d->rows[d->row])
			at++;
		if (step < 0)
			at = at >= (size_t)-step ? at + (size_t)step : 0;
		else
			at = at + (size_t)step < n ? at + (size_t)step : n - 1;
	}
	if (n > 0)
		d->row = v[at] - d->rows;
	free(v);
}

/* A page up or down; the cursor to the first row of its column shown. */
static void
page_move(struct ui_dash *d, int dir)
{
	int page = d->panel_h > 1 ? d->panel_h - 1 : 1, col;
	long best = -1;

	d->top += dir * page;
	if (d->top > d->lines - d->panel_h)
		d->top = d->lines - d->panel_h;
	if (d->top < 0)
		d->top = 0;
	if (d->row < 0)
		return;
	col = d->rows[d->row].col;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct ui_drow *r = &d->rows[i];

		if (r->title || r->col != col || r->line < d->top ||
		    r->line >= d->top + d->panel_h)
			continue;
		if (best < 0 || r->line < d->rows[best].line)
			best = (long)i;
	}
	if (best >= 0)
		d->row = best;
}

/* Left, Right: the bucket before or after the cursor's, the last one
 * first. */
static void
bucket_move(struct ui *u, int dir)
{
	struct ui_dash *d = &u->dash;
	int64_t last;

	if (d->h.n == 0)
		return;
	last = d->h.start_us + (int64_t)(d->h.n - 1) * d->h.width_us;
	if (d->bucket_us == ENG_TIME_NONE)
		d->bucket_us = last;
	else {
		int64_t b = d->bucket_us < d->h.start_us ? 0 :
		    (d->bucket_us - d->h.start_us) / d->h.width_us;

		b += dir;
		if (b < 0)
			b = 0;
		if (b > (int64_t)d->h.n - 1)
			b = (int64_t)d->h.n - 1;
		d->bucket_us = d->h.start_us + b * d->h.width_us;
	}
}

/* Enter on a model, tool, provider or resource: the list filtered to
 * it (the expression joins the where filter). */
static int
filter_row(struct ui *u, const char *filter)
{
	char *expr = eng_xstrdup(filter), err[512];
	size_t col;

	/* the new view drops the rows, filter among them */
	if (ui_where_add(u, expr, err, sizeof err, &col) != 0)
		ui_message(u, true, "%s", err);
	else {
		ui_refilter(u);
		ui_set_tab(u, u->last_list_tab);
		ui_message(u, false, "where: %s", expr);
	}
	free(expr);
	return UI_HANDLED | UI_REDRAW;
}

/* Enter on a slowest operation: its entry, from the list's place of it
 * (back from the detail view, the list shows it). */
static int
open_row(struct ui *u)
{
	const struct ui_drow *r;
	size_t pos;

	if (u->dash.row < 0) {
		ui_message(u, false, "Up, Down: choose a row; Enter opens a "
		    "slowest operation or request");
		return UI_HANDLED | UI_REDRAW;
	}
	r = &u->dash.rows[u->dash.row];
	if (r->filter != NULL)
		return filter_row(u, r->filter);
	if (!r->has_entry) {
		ui_message(u, false, "Enter opens the entry of a slowest "
		    "operation or request, or filters the list to a model, "
		    "tool, provider or resource");
		return UI_HANDLED | UI_REDRAW;
	}
	pos = ui_locate(u->view, &r->entry);
	if (pos >= eng_view_count(u->view) ||
	    eng_view_get(u->view, pos)->file != r->entry.file ||
	    eng_view_get(u->view, pos)->offset != r->entry.offset) {
		ui_message(u, true, "that entry is no longer listed");
		return UI_HANDLED | UI_REDRAW;
	}
	ui_jump(u, pos);
	ui_detail_open(u, eng_view_get(u->view, pos));
	return UI_HANDLED | UI_REDRAW;
}

static int
stats_key(struct ui *u, int key)
{
	struct ui_dash *d = &u->dash;

	switch (key) {
	case UK(KEY_UP):
		row_move(d, -1);
		break;
	case UK(KEY_DOWN):
		row_move(d, 1);
		break;
	case UK(KEY_PPAGE):
		page_move(d, -1);
		break;
	case UK(KEY_NPAGE):
		page_move(d, 1);
		break;
	case UK(KEY_HOME):
	case 'g':
		d->top = 0;
		d->row = -1;
		break;
	case UK(KEY_LEFT):
		bucket_move(u, -1);
		break;
	case UK(KEY_RIGHT):
		bucket_move(u, 1);
		break;
	case '\r':
	case '\n':
	case UK(KEY_ENTER):
		return open_row(u);
	case UI_ESC:
		ui_set_tab(u, u->last_list_tab);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const struct ui_screen ui_stats_screen = {
	.hint = "Esc back  Left Right bucket  Up Down row  Enter open  "
	    "l level  t since  h help  q quit",
	.shared_keys = true,
	.draw = stats_draw,
	.key = stats_key,
	.changed = stats_changed,
	.pending = stats_pending,
	.idle = stats_idle,
	.due_ms = stats_due,
	.free = stats_free,
};
