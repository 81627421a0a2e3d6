/*
 * chart.c - the dashboard's histogram and latency line, drawn from the
 * buckets dashboard.c keeps (u->dash).  Bars are stacked in proportion -
 * errors at the bottom, then warnings, then the rest - to a round scale
 * on the axis, exact to an eighth of a cell with block glyphs where the
 * terminal has UTF-8 and colour; in whole cells otherwise (colours, or a
 * glyph per kind without them), so that a bucket of 1 error in 40 never
 * looks like a bucket of errors.  A cell has two colours, the block's and
 * the background's, so where two kinds end in one cell the second fills
 * the rest of it; in eighths a kind that is there gets at least one.
 * Times on the axis are written as a person writes them ("Nov 29
 * 18:00", "18:30"), in the zone shown.
 */
#include "config.h"

#include "ui.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define AXIS_W 7		/* "12.5k ┤": a scale label and the axis */
#define EIGHTHS 8

enum { KIND_ERR, KIND_WARN, KIND_OTHER, KIND_NONE };

/* ---- numbers as a glance reads them ------------------------------------ */

void
ui_format_ms(struct strbuf *out, double ms)
{
	if (!isfinite(ms))
		strbuf_puts(out, "-");
	else if (ms < 1)
		strbuf_printf(out, "%.2fms", ms);
	else if (ms < 100)
		strbuf_printf(out, "%.1fms", ms);
	else if (ms < 1000)
		strbuf_printf(out, "%.0fms", ms);
	else if (ms < 10 * 1000)
		strbuf_printf(out, "%.2fs", ms / 1000);
	else if (ms < 60 * 1000)
		strbuf_printf(out, "%.1fs", ms / 1000);
	else if (ms < 3600 * 1000)
		strbuf_printf(out, "%.1fmin", ms / 60000);
	else
		strbuf_printf(out, "%.1fh", ms / 3600000);
}

/* Three significant digits and a unit: "750", "1.25k", "601M". */
void
ui_format_compact(struct strbuf *out, double v)
{
	static const char units[] = " kMGTP";
	size_t u = 0;
	char num[32];

	while (u + 1 < sizeof units - 1 && fabs(v) >= 999.5) {
		v /= 1000;
		u++;
	}
	snprintf(num, sizeof num, "%.3g", v);
	strbuf_puts(out, num);
	if (u > 0)
		strbuf_add(out, &units[u], 1);
}

int
ui_chart_axis_w(const struct ui *u)
{
	(void)u;
	return AXIS_W;
}

/* The round number at or above max that the scale goes up to: 1, 1.2,
 * 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten (whole numbers
 * under ten). */
static double
nice_max(uint64_t max)
{
	static const double steps[] = { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 };
	double p = 1;

	if (max <= 1)
		return 1;
	for (;;) {
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			double v = steps[i] * p;

			if (v >= (double)max && (p > 1 || v == floor(v)))
				return v;
		}
		p *= 10;
	}
}

/* ---- glyphs ------------------------------------------------------------- */

/* The block of n eighths of a cell from its bottom (1..8). */
static void
put_eighths(int y, int x, int n)
{
	static const wchar_t blocks[] = L"\x2581\x2582\x2583\x2584\x2585"
	    L"\x2586\x2587\x2588";

	mvaddnwstr(y, x, &blocks[n - 1], 1);
}

static enum ui_pair
kind_pair(int kind)
{
	return kind == KIND_ERR ? UI_PAIR_HIST_ERR : kind == KIND_WARN ?
	    UI_PAIR_HIST_WARN : UI_PAIR_HIST_OTHER;
}

/* The colours of a cell whose lower part is one kind and upper part the
 * kind stacked on it (KIND_NONE: the background, or the same kind). */
static attr_t
split_attr(struct ui *u, int lower, int upper)
{
	if (upper == KIND_NONE || upper == lower)
		return ui_pair(u, kind_pair(lower));
	if (lower == KIND_ERR)
		return ui_pair(u, upper == KIND_WARN ? UI_PAIR_HIST_ERR_WARN :
		    UI_PAIR_HIST_ERR_OTHER);
	return ui_pair(u, UI_PAIR_HIST_WARN_OTHER);
}

/* One cell of a bar: the kind at its bottom up to `lower_units` of
 * `unit`, the kind above it over the rest (KIND_NONE: the background). */
static void
bar_cell(struct ui *u, int y, int x, int lower, int units, int unit,
    int upper)
{
	static const char glyph[] = { '#', '+', '|' };

	if (!u->color) {
		/* whole cells, a glyph per kind; errors bold */
		attrset(lower == KIND_ERR ? A_BOLD : A_NORMAL);
		mvaddch(y, x, (chtype)glyph[lower]);
	} else if (unit == 1) {
		attrset(ui_pair(u, kind_pair(lower)) | A_REVERSE);
		mvaddch(y, x, ' ');
	} else {
		attrset(split_attr(u, lower, upper));
		put_eighths(y, x, units);
	}
	attrset(A_NORMAL);
}

/* ---- the bars ----------------------------------------------------------- */

/* Which kind holds unit k of a bar whose errors end at e, warnings at
 * w, the rest at t. */
static int
kind_at(int k, int e, int w, int t)
{
	return k < e ? KIND_ERR : k < w ? KIND_WARN : k < t ? KIND_OTHER :
	    KIND_NONE;
}

static int
round_units(double v)
{
	return (int)floor(v + 0.5);
}

/*
 * Where each kind of a bar of t units ends (end[k], stacked from the
 * bottom), in proportion.  In eighths, a kind that is there gets at
 * least one, taken from the largest kind, so an error is never rounded
 * away; in whole cells the rounding stands, or one error would look
 * like a bucket of them.
 */
static void
bar_shares(const uint64_t n[3], uint64_t total, int t, int unit, int end[3])
{
	int units[3], big = 0;
	uint64_t sum = 0;

	for (int k = 0; k < 3; k++) {
		sum += n[k];
		end[k] = round_units((double)sum * t / (double)total);
	}
	if (unit == 1)
		return;
	for (int k = 0; k < 3; k++) {
		units[k] = end[k] - (k > 0 ? end[k - 1] : 0);
		if (units[k] > units[big])
			big = k;
	}
	for (int k = 0; k < 3; k++)
		if (n[k] > 0 && units[k] == 0) {
			units[k] = 1;
			if (units[big] > 1)
				units[big]--;	/* else the bar grows */
		}
	for (int k = 0, at = 0; k < 3; k++)
		end[k] = at += units[k];
}

/*
 * A cell has two colours: a block glyph's for the kind at its bottom and
 * the background for the kind above.  Where a kind would end in the cell
 * in which the kind under it ended, it fills that cell instead (its
 * colour being the background there), so every kind that is there stays
 * seen; the kinds above keep their ends, the bar its height, unless
 * that leaves one of them nothing.
 */
static void
bar_fit(int end[3], int unit, int max)
{
	bool there[3];

	for (int k = 0; k < 3; k++)
		there[k] = end[k] > (k > 0 ? end[k - 1] : 0);
	for (int k = 1; k < 3; k++) {
		int prev = end[k - 1], top = (prev / unit + 1) * unit;

		if (!there[k])
			end[k] = prev;
		else if (end[k] <= prev)
			end[k] = prev + 1;
		else if (prev % unit != 0 && end[k] < top)
			end[k] = top;
		if (end[k] > max)
			end[k] = max;
	}
}

/* One bucket's bar in rows cells of `unit` units, to the scale top. */
static void
bar_draw(struct ui *u, const struct eng_hist_bucket *b, double top,
    int y_bottom, int x, int rows, int unit)
{
	const uint64_t n[3] = { b->err, b->warn, b->other };
	uint64_t total = b->err + b->warn + b->other;
	int t, e, w, end[3];

	if (total == 0)
		return;
	t = round_units((double)total * rows * unit / top);
	if (t < 1)
		t = 1;		/* something is there: at least a unit */
	if (t > rows * unit)
		t = rows * unit;
	bar_shares(n, total, t, unit, end);
	bar_fit(end, unit, rows * unit);
	e = end[KIND_ERR];
	w = end[KIND_WARN];
	t = end[KIND_OTHER];
	for (int r = 0; r < rows && r * unit < t; r++) {
		int lo = r * unit, lower = kind_at(lo, e, w, t);
		int upper = kind_at(lo + unit - 1, e, w, t), end_lo;

		if (lower == upper) {
			bar_cell(u, y_bottom - r, x, lower, unit, unit, upper);
			continue;
		}
		end_lo = lower == KIND_ERR ? e : lower == KIND_WARN ? w : t;
		bar_cell(u, y_bottom - r, x, lower, end_lo - lo, unit, upper);
	}
}

/* The legend after the title: the kinds as they are drawn. */
static void
legend_draw(struct ui *u, int y, int x, int w)
{
	static const char *const names[] = { "error", "warning", "other" };
	int used = 0;

	if (!u->color) {
		ui_puts(y, x, w, "# error  + warning  | other", A_NORMAL);
		return;
	}
	for (int k = KIND_ERR; k <= KIND_OTHER && used + 10 < w; k++) {
		if (u->utf8) {
			attrset(ui_pair(u, kind_pair(k)));
			put_eighths(y, x + used, EIGHTHS);
			attrset(A_NORMAL);
		} else {
			bar_cell(u, y, x + used, k, 1, 1, KIND_NONE);
		}
		used += 2 + ui_puts(y, x + used + 2, w - used - 2, names[k],
		    A_NORMAL);
		used += 2;
	}
}

/* A round bucket width: "30s", "5m", "1h", "1d". */
static void
format_width(struct strbuf *out, int64_t us)
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

/* The scale: its top and half-way on the axis, with ticks. */
static void
scale_draw(struct ui *u, int y, int x, int rows, double top)
{
	struct strbuf b;

	strbuf_init(&b);
	for (int r = 0; r < rows; r++) {
		bool tick = r == 0 || r == rows / 2;

		attrset(A_DIM);
		if (u->utf8)
			mvaddnwstr(y + r, x + AXIS_W - 1, tick ? L"\x2524" :
			    L"\x2502", 1);
		else
			mvaddch(y + r, x + AXIS_W - 1, tick ? '+' : '|');
		attrset(A_NORMAL);
		if (!tick)
			continue;
		strbuf_reset(&b);
		/* the half-way tick stands for what the rows under it hold */
		ui_format_compact(&b, r == 0 ? top : top * (rows - r) / rows);
		ui_puts(y + r, x + AXIS_W - 2 - ui_text_width(b.s, b.len),
		    AXIS_W - 2, b.s, A_DIM);
	}
	strbuf_free(&b);
}

/* ---- the time axis ------------------------------------------------------ */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Steps between labels, in seconds. */
static const int64_t tick_steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
    900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
    2592000, 31536000 };

static void
broken_down(const struct ui *u, int64_t sec, struct tm *tm)
{
	time_t t = (time_t)sec;

	if (u->utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

/* Seconds since the epoch as the shown zone's clock reads them. */
static int64_t
local_sec(const struct ui *u, int64_t sec)
{
	struct tm tm;

	if (u->utc)
		return sec;
	broken_down(u, sec, &tm);
	return sec + tm.tm_gmtoff;
}

/* "Nov 29 18:00", or its short form "18:00"; with seconds when the
 * step is under a minute, the date alone when it is a day or more. */
static void
format_tick(const struct ui *u, int64_t sec, int64_t step, bool full,
    struct strbuf *out)
{
	struct tm tm;

	broken_down(u, sec, &tm);
	if (full || step >= 86400)
		strbuf_printf(out, "%s %d", months[tm.tm_mon], tm.tm_mday);
	if (step >= 86400)
		return;
	if (full)
		strbuf_puts(out, " ");
	strbuf_printf(out, "%02d:%02d", tm.tm_hour, tm.tm_min);
	if (step < 60)
		strbuf_printf(out, ":%02d", tm.tm_sec);
}

/* The narrowest step whose short labels have room between them. */
static int64_t
tick_step(int64_t width_s)
{
	size_t n = sizeof tick_steps / sizeof tick_steps[0];

	for (size_t i = 0; i < n; i++) {
		int64_t s = tick_steps[i];
		int label = s < 60 ? 8 : s >= 86400 ? 6 : 5;

		if (s >= width_s && s / width_s >= label + 3)
			return s;
	}
	return tick_steps[n - 1];
}

/* The baseline (ticks where labels go) and the labels under it: each
 * at the bucket holding its round time, the date with the first and
 * wherever the day changes. */
static void
axis_draw(struct ui *u, int y, int x, int ncols)
{
	const struct eng_hist *h = &u->dash.h;
	int64_t width_s = h->width_us / ENG_US_PER_SEC, step;
	int next_free = 0, last_day = -1;
	struct strbuf b;

	if (width_s < 1)
		width_s = 1;
	step = tick_step(width_s);
	ui_puts(y, x, AXIS_W - 2, "    0", A_DIM);
	attrset(A_DIM);
	if (u->utf8) {
		mvaddnwstr(y, x + AXIS_W - 1, L"\x2514", 1);
		for (int c = 0; c < ncols; c++)
			mvaddnwstr(y, x + AXIS_W + c, L"\x2500", 1);
	} else {
		mvaddch(y, x + AXIS_W - 1, '+');
		for (int c = 0; c < ncols; c++)
			mvaddch(y, x + AXIS_W + c, '-');
	}
	attrset(A_NORMAL);
	strbuf_init(&b);
	for (size_t i = 0; i < h->n && (int)i < ncols; i++) {
		int64_t sec = (h->start_us + (int64_t)i * h->width_us) /
		    ENG_US_PER_SEC;
		int64_t lt = local_sec(u, sec), tick;
		struct tm tm;
		int lw;

		/* the first round time at or after the bucket's start */
		tick = lt >= 0 ? (lt + step - 1) / step * step : lt - lt % step;
		if (tick < lt || tick >= lt + width_s)
			continue;
		sec += tick - lt;
		broken_down(u, sec, &tm);
		strbuf_reset(&b);
		format_tick(u, sec, step, last_day != tm.tm_yday, &b);
		lw = ui_text_width(b.s, b.len);
		if ((int)i < next_free || (int)i + lw > ncols)
			continue;
		attrset(A_DIM);
		if (u->utf8)
			mvaddnwstr(y, x + AXIS_W + (int)i, L"\x252c", 1);
		else
			mvaddch(y, x + AXIS_W + (int)i, '+');
		attrset(A_NORMAL);
		ui_puts(y + 1, x + AXIS_W + (int)i, lw, b.s, A_DIM);
		next_free = (int)i + lw + 2;
		last_day = tm.tm_yday;
	}
	strbuf_free(&b);
}

/* ---- the bucket under the cursor ---------------------------------------- */

/* The entries of the view in [from, to), by level. */
static void
count_levels(struct ui *u, int64_t from, int64_t to, size_t counts[7])
{
	size_t lo = 0, hi = eng_view_count(u->view);

	memset(counts, 0, 7 * sizeof *counts);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (eng_view_get(u->view, mid)->time_us < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < eng_view_count(u->view); lo++) {
		const struct eng_entry *en = eng_view_get(u->view, lo);

		if (en->time_us >= to)
			break;
		counts[en->flags & ENTRY_MALFORMED ? 6 :
		    eng_entry_level(en) / 10]++;
	}
}

/* Which bucket the cursor is on: the one holding its time, clamped. */
static size_t
cursor_bucket(const struct ui *u)
{
	const struct eng_hist *h = &u->dash.h;
	int64_t b;

	if (u->dash.bucket_us < h->start_us)
		return 0;
	b = (u->dash.bucket_us - h->start_us) / h->width_us;
	return b >= (int64_t)h->n ? h->n - 1 : (size_t)b;
}

/* "Nov 30 06:00-06:30  8,123 entries  ERROR 160  WARNING 121  INFO
 * 7,842  requests p50 2.10s p95 14.8s" */
static void
readout_draw(struct ui *u, int y, int x, int w, size_t b)
{
	static const char *const names[7] = { "no level", "DEBUG", "INFO",
	    "WARNING", "ERROR", "CRITICAL", "MALFORMED" };
	static const int order[7] = { 5, 4, 3, 2, 1, 0, 6 };
	const struct eng_hist *h = &u->dash.h;
	int64_t from = h->start_us + (int64_t)b * h->width_us;
	size_t counts[7], all = 0;
	struct strbuf s;
	int used;

	count_levels(u, from, from + h->width_us, counts);
	strbuf_init(&s);
	format_tick(u, from / ENG_US_PER_SEC, h->width_us / ENG_US_PER_SEC,
	    true, &s);
	strbuf_puts(&s, u->utf8 ? "\xe2\x80\x93" : "-");
	format_tick(u, (from + h->width_us) / ENG_US_PER_SEC,
	    h->width_us / ENG_US_PER_SEC, false, &s);
	for (int i = 0; i < 7; i++)
		all += counts[i];
	strbuf_puts(&s, "  ");
	eng_format_number(&s, (double)all, 0);
	strbuf_puts(&s, all == 1 ? " entry" : " entries");
	used = ui_puts(y, x, w, s.s, A_BOLD);
	for (int i = 0; i < 7 && used < w; i++) {
		int l = order[i];

		if (counts[l] == 0)
			continue;
		used += ui_puts(y, x + used, w - used, "  ", A_NORMAL);
		used += ui_puts(y, x + used, w - used, names[l], l == 6 ?
		    ui_pair(u, UI_PAIR_MALFORMED) : ui_level_attr(u, l * 10));
		strbuf_reset(&s);
		strbuf_puts(&s, " ");
		eng_format_number(&s, (double)counts[l], 0);
		used += ui_puts(y, x + used, w - used, s.s, A_NORMAL);
	}
	if (u->dash.p50 != NULL && !isnan(u->dash.p50[b])) {
		strbuf_reset(&s);
		strbuf_puts(&s, "  requests p50 ");
		ui_format_ms(&s, u->dash.p50[b]);
		strbuf_puts(&s, " p95 ");
		ui_format_ms(&s, u->dash.p95[b]);
		ui_puts(y, x + used, w - used, s.s, A_NORMAL);
	}
	strbuf_free(&s);
}

/* ---- the chart ---------------------------------------------------------- */

int
ui_chart_draw(struct ui *u, int y, int x, int h, int w)
{
	const struct eng_hist *hi = &u->dash.h;
	int rows, ncols = w - AXIS_W;
	/* the bucket under the cursor is read below the labels, on the
	 * Stats tab (the pane leaves the keys to the list) */
	int readout = u->screen == UI_STATS;
	int unit = u->color && u->utf8 ? EIGHTHS : 1;
	uint64_t max = 0;
	struct strbuf t;
	double top;
	int used;

	/* an even number of rows: the half-way tick on a row's edge */
	rows = (h - 3 - readout) & ~1;
	if (rows < 2 || ncols < 10 || hi->n == 0)
		return 0;
	for (size_t b = 0; b < hi->n; b++)
		if (hi->b[b].err + hi->b[b].warn + hi->b[b].other > max)
			max = hi->b[b].err + hi->b[b].warn + hi->b[b].other;
	top = nice_max(max);
	strbuf_init(&t);
	strbuf_puts(&t, "Entries per ");
	format_width(&t, hi->width_us);
	used = ui_puts(y, x, w, t.s, ui_pair(u, UI_PAIR_TITLE));
	legend_draw(u, y, x + used + 3, w - used - 3);
	strbuf_free(&t);
	scale_draw(u, y + 1, x, rows, top);
	for (size_t b = 0; b < hi->n && (int)b < ncols; b++)
		bar_draw(u, &hi->b[b], top, y + rows, x + AXIS_W + (int)b, rows,
		    unit);
	axis_draw(u, y + rows + 1, x, ncols);
	if (readout && u->dash.bucket_us != ENG_TIME_NONE) {
		size_t b = cursor_bucket(u);

		attrset(A_BOLD);
		if (u->utf8)
			mvaddnwstr(y + rows + 1, x + AXIS_W + (int)b, L"\x25b2", 1);
		else
			mvaddch(y + rows + 1, x + AXIS_W + (int)b, '^');
		attrset(A_NORMAL);
		readout_draw(u, y + rows + 3, x, w, b);
	} else if (readout) {
		ui_puts(y + rows + 3, x, w, "Left, Right: the entries of a bucket",
		    A_DIM);
	}
	return rows + 3 + readout;
}

/* ---- the latency line ---------------------------------------------------- */

static void
spark_cell(struct ui *u, int y, int x, double v, double top)
{
	static const char ramp[] = ".,:-=+*#";
	int level;

	if (isnan(v))
		return;
	level = top > 0 ? (int)ceil(v / top * EIGHTHS) : 1;
	if (level < 1)
		level = 1;
	if (level > EIGHTHS)
		level = EIGHTHS;
	if (u->utf8)
		put_eighths(y, x, level);
	else
		mvaddch(y, x, (chtype)ramp[level - 1]);
}

int
ui_latency_draw(struct ui *u, int y, int x, int w)
{
	const struct eng_hist *hi = &u->dash.h;
	int ncols = w - AXIS_W;
	double top = 0;
	struct strbuf t;

	if (u->dash.p95 == NULL || ncols < 10)
		return 0;
	for (size_t b = 0; b < hi->n; b++)
		if (!isnan(u->dash.p95[b]) && u->dash.p95[b] > top)
			top = u->dash.p95[b];
	if (top <= 0)
		return 0;
	strbuf_init(&t);
	strbuf_puts(&t, "Request latency per ");
	format_width(&t, hi->width_us);
	strbuf_puts(&t, ", p95 and p50 (top ");
	ui_format_ms(&t, top);
	strbuf_puts(&t, ")");
	ui_puts(y, x, w, t.s, ui_pair(u, UI_PAIR_TITLE));
	strbuf_free(&t);
	ui_puts(y + 1, x + 1, AXIS_W - 2, "p95", A_DIM);
	ui_puts(y + 2, x + 1, AXIS_W - 2, "p50", A_DIM);
	for (size_t b = 0; b < hi->n && (int)b < ncols; b++) {
		attrset(ui_pair(u, UI_PAIR_WARNING));
		spark_cell(u, y + 1, x + AXIS_W + (int)b, u->dash.p95[b], top);
		attrset(ui_pair(u, UI_PAIR_INFO));
		spark_cell(u, y + 2, x + AXIS_W + (int)b, u->dash.p50[b], top);
		attrset(A_NORMAL);
	}
	return 3;
}
