/*
 * dashboard.c - the stats dashboard: the engine's report (eng_stats_json)
 * laid out as panels, under a histogram of entries over the filtered time
 * range with errors and warnings stacked apart.  Shown full-screen on the
 * Stats tab and as a pane beside or below the list.
 */
#include "config.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_W 40
#define HIST_MAX_H 10
/* Counting runs between keys: slices of STATS_STEP entries for about
 * STATS_SLICE_US, so that a key waits no longer than that; the figures
 * so far are drawn every STATS_SHOW_US.  The dashboard's first draw
 * counts for STATS_FIRST_US: a small view at once, a large one not long
 * before its first screen. */
#define STATS_STEP 2048
#define STATS_SLICE_US (12 * ENG_US_PER_MS)
#define STATS_FIRST_US (5 * ENG_US_PER_MS)
#define STATS_SHOW_US (100 * ENG_US_PER_MS)

/* ---- the report as lines of text --------------------------------------- */

struct pline {
	char *text;
	size_t keylen;		/* leading bytes drawn as a label */
	bool title;
};

struct panel {
	struct pline *lines;
	size_t n, cap;
};

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
};

static void
panel_add(struct panel *p, const char *text, size_t keylen, bool title)
{
	struct strbuf safe;

	eng_grow(&p->lines, &p->cap, p->n + 1, sizeof *p->lines);
	strbuf_init(&safe);
	eng_sanitize(&safe, text, strlen(text));
	/* sanitising a label never shortens it, so keylen stays inside */
	p->lines[p->n].text = safe.s;
	p->lines[p->n].keylen = keylen <= safe.len ? keylen : safe.len;
	p->lines[p->n].title = title;
	p->n++;
}

static void
panel_free(struct panel *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i].text);
	free(p->lines);
	memset(p, 0, sizeof *p);
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
};

/* "avg_duration_ms" -> "Avg duration", and the unit for the value. */
static void
label_of(const char *key, struct strbuf *out, const char **unit)
{
	size_t n = strlen(key);

	*unit = "";
	for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
		if (strcmp(key, renames[i].key) == 0) {
			strbuf_puts(out, renames[i].label);
			if (n > 3 && strcmp(key + n - 3, "_ms") == 0)
				*unit = "ms";
			return;
		}
	if (n > 3 && strcmp(key + n - 3, "_ms") == 0) {
		n -= 3;
		*unit = "ms";
	} else if (strstr(key, "rate") != NULL || strstr(key, "percent") != NULL ||
	    (n > 4 && strcmp(key + n - 4, "_pct") == 0)) {
		*unit = "%";
		if (n > 4 && strcmp(key + n - 4, "_pct") == 0)
			n -= 4;
	}
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
	switch (json_object_get_type(v)) {
	case json_type_int:
		eng_format_number(out, (double)json_object_get_int64(v), 0);
		break;
	case json_type_double:
		eng_format_number(out, json_object_get_double(v), 1);
		break;
	case json_type_string:
		/* a name may hold NUL bytes: its caret form, whole */
		eng_sanitize(out, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		break;
	case json_type_null:
		strbuf_puts(out, "-");
		return;
	default:
		strbuf_puts(out, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
		return;
	}
	strbuf_puts(out, unit);
}

static bool
is_scalar(json_object *v)
{
	json_type t = json_object_get_type(v);

	return t != json_type_object && t != json_type_array;
}


/* One element of a list such as top tools: its first text field names
 * it, its numbers follow. */
static void
add_item(struct panel *p, json_object *item, int indent)
{
	struct strbuf line;
	json_object *name = NULL;
	size_t keylen;

	if (is_scalar(item)) {
		strbuf_init(&line);
		strbuf_printf(&line, "%*s- ", indent, "");
		format_value(&line, item, "");
		panel_add(p, line.s, 0, false);
		strbuf_free(&line);
		return;
	}
	if (!json_object_is_type(item, json_type_object))
		return;
	json_object_object_foreach(item, k0, v0) {
		(void)k0;
		if (json_object_is_type(v0, json_type_string)) {
			name = v0;
			break;
		}
	}
	strbuf_init(&line);
	strbuf_printf(&line, "%*s", indent, "");
	if (name != NULL)
		format_value(&line, name, "");
	else
		strbuf_puts(&line, "-");
	strbuf_puts(&line, ":");
	keylen = line.len;
	json_object_object_foreach(item, k, v) {
		const char *unit;
		struct strbuf label;

		if (json_object_is_type(v, json_type_string) || !is_scalar(v))
			continue;
		strbuf_init(&label);
		label_of(k, &label, &unit);
		strbuf_puts(&line, " ");
		format_value(&line, v, unit);
		strbuf_free(&label);
	}
	panel_add(p, line.s, keylen, false);
	strbuf_free(&line);
}

/* The name of a counted thing (a provider, a level, a category) as it
 * stands in the report: data, not a field name. */
static void
data_label(const char *key, struct strbuf *out)
{
	int cat = llmlog_category_parse(key);

	strbuf_puts(out, cat >= 0 ? llmlog_category_label(cat) : key);
}

/* A time of the report (RFC 3339, UTC) shown as the list shows times. */
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

static void
add_field(struct ui *u, struct panel *p, const char *key, json_object *v,
    int indent, bool data)
{
	struct strbuf line, label;
	const char *unit = "";

	strbuf_init(&line);
	strbuf_init(&label);
	if (data)
		data_label(key, &label);
	else
		label_of(key, &label, &unit);
	strbuf_printf(&line, "%*s%s:", indent, "", label.s);
	if (is_scalar(v)) {
		size_t keylen = line.len;

		strbuf_puts(&line, " ");
		if (!format_time(u, v, &line))
			format_value(&line, v, unit);
		panel_add(p, line.s, keylen, false);
	} else if (json_object_is_type(v, json_type_object)) {
		panel_add(p, line.s, line.len, false);
		json_object_object_foreach(v, k, sub)
			add_field(u, p, k, sub, indent + 2, true);
	} else {
		panel_add(p, line.s, line.len, false);
		for (size_t i = 0; i < json_object_array_length(v); i++)
			add_item(p, json_object_array_get_idx(v, i), indent + 2);
	}
	strbuf_free(&line);
	strbuf_free(&label);
}

/* Keys the dashboard shows otherwise (the histogram, split by level). */
static bool
is_section(const char *key)
{
	if (strcmp(key, "histogram") == 0)
		return true;
	for (size_t i = 1; i < sizeof sections / sizeof sections[0]; i++)
		if (strcmp(key, sections[i].key) == 0)
			return true;
	return false;
}

/* Every panel that counts successes shows a "Success rate"; where the
 * report gives only the counts (llm), it is worked out from them. */
static void
add_rate(struct panel *p, json_object *sec)
{
	json_object *ok, *total;
	struct strbuf line;
	int64_t t;

	if (json_object_object_get_ex(sec, "success_rate", NULL) ||
	    !json_object_object_get_ex(sec, "success", &ok) ||
	    !json_object_object_get_ex(sec, "total", &total))
		return;
	t = json_object_get_int64(total);
	if (t <= 0)
		return;
	strbuf_init(&line);
	strbuf_printf(&line, "Success rate: %.1f%%",
	    100.0 * (double)json_object_get_int64(ok) / (double)t);
	panel_add(p, line.s, strlen("Success rate:"), false);
	strbuf_free(&line);
}

/* The overall panel holds the report's top-level fields; the others are
 * one section each. */
static void
fill_panel(struct ui *u, struct panel *p, json_object *report, size_t i)
{
	json_object *sec;

	panel_add(p, sections[i].title, 0, true);
	if (i == 0) {
		json_object_object_foreach(report, k, v)
			if (!is_section(k))
				add_field(u, p, k, v, 0, false);
		return;
	}
	if (!json_object_object_get_ex(report, sections[i].key, &sec) ||
	    !json_object_is_type(sec, json_type_object))
		return;
	json_object_object_foreach(sec, k, v)
		add_field(u, p, k, v, 0, false);
	add_rate(p, sec);
}

static size_t
build_panels(struct ui *u, struct panel *panels)
{
	json_object *report = eng_stats_json(u->stats);
	size_t n = 0;

	if (report == NULL)
		return 0;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (i > 0 && !json_object_object_get_ex(report,
		    sections[i].key, NULL))
			continue;
		memset(&panels[n], 0, sizeof panels[n]);
		fill_panel(u, &panels[n], report, i);
		n++;
	}
	json_object_put(report);
	return n;
}

/* ---- the histogram ----------------------------------------------------- */

static void
hist_free(struct ui_hist *h)
{
	eng_hist_free(&h->h);
	memset(h, 0, sizeof *h);
}

/* The engine's buckets of the counted entries, one a column (nb), built
 * again when the columns change or more entries were counted. */
static void
hist_build(struct ui *u, int nb)
{
	struct ui_hist *h = &u->hist;
	size_t counted, total;

	eng_stats_progress(u->stats, &counted, &total);
	if (h->valid && h->nbuckets == nb && h->counted == counted)
		return;
	hist_free(h);
	eng_hist_build(u->stats, (size_t)nb, ENG_US_PER_SEC, true, &h->h);
	h->valid = true;
	h->nbuckets = nb;
	h->counted = counted;
}

/* A round bucket width: "30s", "5m", "1h", "1d". */
static void
format_span(struct strbuf *out, int64_t us)
{
	if (us % ENG_US_PER_DAY == 0)
		strbuf_printf(out, "%lldd", (long long)(us / ENG_US_PER_DAY));
	else if (us % ENG_US_PER_HOUR == 0)
		strbuf_printf(out, "%lldh", (long long)(us / ENG_US_PER_HOUR));
	else if (us % ENG_US_PER_MIN == 0)
		strbuf_printf(out, "%lldm", (long long)(us / ENG_US_PER_MIN));
	else
		strbuf_printf(out, "%llds", (long long)(us / ENG_US_PER_SEC));
}

/* The cell of a stacked bar: colour where there is colour, else a glyph
 * per kind so errors stand out on a monochrome terminal too. */
static void
bar_cell(struct ui *u, int y, int x, int kind)
{
	static const char glyph[] = { '|', '+', '#' };
	static const enum ui_pair pair[] = { UI_PAIR_HIST_OTHER,
	    UI_PAIR_HIST_WARN, UI_PAIR_HIST_ERR };

	if (u->color) {
		attrset(ui_pair(u, pair[kind]) | A_REVERSE);
		mvaddch(y, x, ' ');
	} else {
		attrset(kind == 2 ? A_BOLD : A_NORMAL);
		mvaddch(y, x, (chtype)glyph[kind]);
	}
	attrset(A_NORMAL);
}

static int
cells(uint64_t v, uint64_t max, int h)
{
	int c;

	if (v == 0 || max == 0)
		return 0;
	c = (int)(v * (uint64_t)h / max);
	return c > 0 ? c : 1;
}

static void
hist_legend(struct ui *u, int y, int x, int w)
{
	struct strbuf b;
	struct ui_hist *h = &u->hist;
	int used;

	strbuf_init(&b);
	strbuf_puts(&b, "Entries per ");
	format_span(&b, h->h.width_us);
	strbuf_puts(&b, "   ");
	used = ui_puts(y, x, w, b.s, ui_pair(u, UI_PAIR_TITLE));
	if (u->color) {
		const char *names[] = { "other", "warning", "error" };

		for (int k = 0; k < 3 && used + 10 < w; k++) {
			bar_cell(u, y, x + used, k);
			used += 1 + ui_puts(y, x + used + 1, w - used - 1,
			    names[k], A_NORMAL);
			used += 2;
		}
	} else {
		ui_puts(y, x + used, w - used, "# error  + warning  | other",
		    A_NORMAL);
	}
	strbuf_free(&b);
}

/* The times under the bars: the start at the left, the end under the
 * last bar, or beside the start when the bars are too few. */
static void
hist_axis(struct ui *u, int y, int x, int w)
{
	const struct eng_hist *h = &u->hist.h;
	struct strbuf a, b;
	int aw, bw, used = (int)h->n;

	strbuf_init(&a);
	strbuf_init(&b);
	eng_time_format(&a, h->start_us, u->utc);
	eng_time_format(&b, h->start_us + (int64_t)h->n * h->width_us, u->utc);
	aw = ui_puts(y, x, w, a.s, A_DIM);
	bw = ui_text_width(b.s, b.len);
	if (used >= aw + bw + 2 && used <= w)
		ui_puts(y, x + used - bw, bw, b.s, A_DIM);
	else if (aw + bw + 3 <= w) {
		ui_puts(y, x + aw, w - aw, " - ", A_DIM);
		ui_puts(y, x + aw + 3, bw, b.s, A_DIM);
	}
	strbuf_free(&a);
	strbuf_free(&b);
}

/* Draw the histogram in h rows; returns the rows used. */
static int
hist_draw(struct ui *u, int y, int x, int h, int w)
{
	const struct eng_hist *hi = &u->hist.h;
	int bars = h - 2, axis_w = 8, nb = w - axis_w;
	uint64_t max = 0;
	char lab[32];

	if (bars < 2 || nb < 10)
		return 0;
	hist_build(u, nb);
	if (hi->n == 0)
		return 0;
	for (size_t b = 0; b < hi->n; b++)
		if (hi->b[b].err + hi->b[b].warn + hi->b[b].other > max)
			max = hi->b[b].err + hi->b[b].warn + hi->b[b].other;
	hist_legend(u, y, x, w);
	snprintf(lab, sizeof lab, "%llu", (unsigned long long)max);
	ui_puts(y + 1, x, axis_w - 1, lab, A_DIM);
	ui_puts(y + bars, x, axis_w - 1, "0", A_DIM);
	for (size_t b = 0; b < hi->n; b++) {
		const struct eng_hist_bucket *k = &hi->b[b];
		int ce = cells(k->err, max, bars);
		int cw = cells(k->warn, max, bars);
		int tot = cells(k->err + k->warn + k->other, max, bars);
		int row = 0, col = x + axis_w + (int)b;

		if (tot > bars)
			tot = bars;
		for (; row < ce && row < tot; row++)
			bar_cell(u, y + bars - row, col, 2);
		for (; row < ce + cw && row < tot; row++)
			bar_cell(u, y + bars - row, col, 1);
		for (; row < tot; row++)
			bar_cell(u, y + bars - row, col, 0);
	}
	hist_axis(u, y + bars + 1, x + axis_w, nb);
	return bars + 2;
}

/* ---- the dashboard ----------------------------------------------------- */

static void
draw_pline(struct ui *u, const struct pline *l, int y, int x, int w)
{
	size_t n = strlen(l->text);
	int kw;

	if (l->title) {
		ui_puts(y, x, w, l->text, ui_pair(u, UI_PAIR_TITLE) | A_UNDERLINE);
		return;
	}
	kw = ui_text_width(l->text, l->keylen);
	if (kw > w)
		kw = w;
	ui_text(y, x, kw, l->text, l->keylen, 0, ui_pair(u, UI_PAIR_KEY),
	    NULL, 0, 0);
	ui_text(y, x + kw, w - kw, l->text + l->keylen, n - l->keylen, 0,
	    A_NORMAL, NULL, 0, 0);
}

/* Panels flow into columns, each to the shortest column so far. */
static void
draw_panels(struct ui *u, struct panel *panels, size_t np, int y, int x,
    int h, int w)
{
	int ncols = w / PANEL_W > 0 ? w / PANEL_W : 1;
	int colw = w / ncols, height[8] = { 0 };
	int skip = u->stats_top;

	if (ncols > 8)
		ncols = 8;
	for (size_t i = 0; i < np; i++) {
		int c = 0;

		for (int k = 1; k < ncols; k++)
			if (height[k] < height[c])
				c = k;
		for (size_t j = 0; j < panels[i].n; j++) {
			int row = height[c] + (int)j - skip;

			if (row >= 0 && row < h)
				draw_pline(u, &panels[i].lines[j], y + row,
				    x + c * colw, colw - 2);
		}
		height[c] += (int)panels[i].n + 1;
	}
}

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

/* One time-boxed slice of counting. */
static void
count_slice(struct ui *u, int64_t budget_us)
{
	int64_t start = eng_now_us();

	do
		u->stats_done = eng_stats_update_some(u->stats, u->view,
		    STATS_STEP);
	while (!u->stats_done && eng_now_us() - start < budget_us);
}

/* Count for a few milliseconds between keys; draw again when done, or
 * when the figures shown are old. */
static int
stats_idle(struct ui *u)
{
	int64_t now;

	if (!stats_pending(u))
		return 0;
	count_slice(u, STATS_SLICE_US);
	now = eng_now_us();
	if (!u->stats_done && now - u->stats_shown_us < STATS_SHOW_US)
		return 0;
	return UI_REDRAW;
}

/* The report and the histogram are of one view, counted so far. */
static void
stats_drop(struct ui *u)
{
	eng_stats_free(u->stats);
	u->stats = NULL;
	u->hist.valid = false;
}

static void
stats_changed(struct ui *u, enum ui_change what)
{
	switch (what) {
	case UI_VIEW_NEW:
		stats_drop(u);
		break;
	case UI_VIEW_GREW:
	case UI_VIEW_SHRANK:
		/* the new entries are counted between keys (stats_idle);
		 * after some left, all again (the stats see the view's
		 * serial change) */
		u->stats_done = false;
		u->hist.valid = false;
		break;
	case UI_RESIZED:
		u->hist.valid = false;
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
	hist_free(&u->hist);
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
	if (u->stats == NULL)
		return;
	u->stats_done = false;
	count_slice(u, STATS_FIRST_US);
}

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

/* Full-screen on the Stats tab, or the pane beside the list. */
static void
stats_draw(struct ui *u, int y, int x, int h, int w)
{
	struct panel panels[sizeof sections / sizeof sections[0]];
	size_t np;
	int used, busy;

	ensure_stats(u);
	if (u->stats == NULL) {
		ui_puts(y, x, w, "statistics unavailable (out of memory)", A_DIM);
		return;
	}
	busy = progress_draw(u, y, x, w);
	y += busy;
	h -= busy;
	used = hist_draw(u, y, x, h / 3 < HIST_MAX_H ? h / 3 : HIST_MAX_H, w);
	if (used > 0)
		used++;
	np = build_panels(u, panels);
	draw_panels(u, panels, np, y + used, x, h - used, w);
	for (size_t i = 0; i < np; i++)
		panel_free(&panels[i]);
}

static int
stats_key(struct ui *u, int key)
{
	switch (key) {
	case UK(KEY_UP):
		if (u->stats_top > 0)
			u->stats_top--;
		break;
	case UK(KEY_DOWN):
		u->stats_top++;
		break;
	case UK(KEY_PPAGE):
		u->stats_top = u->stats_top > 10 ? u->stats_top - 10 : 0;
		break;
	case UK(KEY_NPAGE):
		u->stats_top += 10;
		break;
	case UK(KEY_HOME):
	case 'g':
		u->stats_top = 0;
		break;
	case UI_ESC:
		ui_set_tab(u, u->last_list_tab);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const struct ui_screen ui_stats_screen = {
	.hint = "Esc back  Up Down scroll  l level  t since  c clear  h help"
	    "  q quit",
	.shared_keys = true,
	.draw = stats_draw,
	.key = stats_key,
	.changed = stats_changed,
	.pending = stats_pending,
	.idle = stats_idle,
	.free = stats_free,
};
