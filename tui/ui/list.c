/*
 * list.c - the entry list screen: one row per entry (time, level,
 * category, summary), the selection, horizontal scroll and search
 * highlights.  The tab bar and the status line around it are frame.c's.
 */
#include "config.h"

#include "ui.h"

#include <string.h>

/* The time column: "2026-11-26 11:16:32.123" (eng_time_format) when
 * there is room; narrower, its clock, or the day and the second when
 * the entries listed fall on more than one day. */
#define TIME_W 23
#define TIME_FULL_AT 100	/* columns for the whole time */
#define CLOCK_OFF 11		/* "11:16:32.123" */
#define CLOCK_W 12
#define DAY_OFF 5		/* "11-26 11:16:32" */
#define DAY_W 14
#define DATE_LEN 10		/* "2026-11-26" */
#define LEVEL_W 9
#define CAT_W 11
#define SOURCE_W 12		/* the host column at most, */
#define SOURCE_NARROW_W 8	/* and below TIME_FULL_AT columns */
#define MAX_SPANS 32
#define JUMP_CONTEXT 3		/* rows kept above an entry jumped to */

/* ---- one row ----------------------------------------------------------- */

/* The row's text, sanitised; only as much as can be seen (a character
 * takes at most 4 bytes for a column) so a huge line costs no more than
 * a short one: a line over ENG_LINE_SHOW bytes shows its start as written,
 * as a malformed one does, rather than a summary that would read it all
 * at every redraw. */
static void
row_text(struct ui *u, const struct eng_entry *en, int width,
    struct strbuf *out)
{
	size_t cap = 4 * ((size_t)u->hscroll + (size_t)width) + 16;
	struct strbuf raw;
	const char *line;
	size_t len;

	strbuf_init(&raw);
	if ((en->flags & ENTRY_MALFORMED) || en->length > ENG_LINE_SHOW) {
		line = eng_line_head(u->e, en, cap, &len);
		if (line != NULL)
			strbuf_add(&raw, line, len);
	} else {
		eng_summary(u->e, en, &raw);
	}
	eng_sanitize(out, raw.s, raw.len < cap ? raw.len : cap);
	strbuf_free(&raw);
}

static int
draw_field(int y, int x, int w, int fw, const char *s, attr_t a)
{
	if (fw > w - x)
		fw = w - x;
	if (fw <= 0)
		return x;
	ui_text(y, x, fw, s, strlen(s), 0, a, NULL, 0, 0);
	return x + fw + 1 < w ? x + fw + 1 : w;
}

/* Which host (directory) an entry came from, when there are several: its
 * name (eng_host_name) in fw columns.  A longer one shows its end (where
 * host names that share their start differ), but a name of several
 * parts, a directory's shortest distinct trailing path, differs in its
 * first part: that part is shown, then an ellipsis. */
static int
draw_source(struct ui *u, const struct eng_entry *en, int y, int x, int w,
    int fw, attr_t a)
{
	const char *name = eng_host_name(u->e, en->source);
	const char *more = u->utf8 ? "\xe2\x80\xa6" : "~";
	const char *slash;
	struct strbuf s;
	size_t skip = 0;

	strbuf_init(&s);
	eng_sanitize(&s, name, strlen(name));
	if (ui_text_width(s.s, s.len) > fw &&
	    (slash = memchr(s.s, '/', s.len)) != NULL && slash > s.s &&
	    ui_text_width(s.s, (size_t)(slash - s.s)) < fw) {
		s.len = (size_t)(slash - s.s);
		strbuf_puts(&s, more);
	}
	while (skip < s.len && ui_text_width(s.s + skip, s.len - skip) > fw) {
		skip++;
		/* stay on a character boundary */
		while (skip < s.len && (s.s[skip] & 0xc0) == 0x80)
			skip++;
	}
	x = draw_field(y, x, w, fw, s.s + skip, a);
	strbuf_free(&s);
	return x;
}

/* The host column's width: the widest name, at most SOURCE_W columns
 * (SOURCE_NARROW_W on a narrow screen); 0 with one directory. */
static int
source_width(struct ui *u, int w)
{
	int max = w >= TIME_FULL_AT ? SOURCE_W : SOURCE_NARROW_W, width = 1;
	struct strbuf s;

	if (eng_source_count(u->e) < 2)
		return 0;
	strbuf_init(&s);
	for (unsigned i = 0; i < eng_source_count(u->e) && width < max; i++) {
		const char *name = eng_host_name(u->e, i);
		int nw;

		strbuf_reset(&s);
		eng_sanitize(&s, name, strlen(name));
		if ((nw = ui_text_width(s.s, s.len)) > width)
			width = nw;
	}
	strbuf_free(&s);
	return width < max ? width : max;
}

/* Which part of the time the column shows. */
struct time_col {
	size_t off;
	int width;
	int host_w;	/* the host column's (source_width) */
};

static void
draw_row(struct ui *u, const struct eng_entry *en, int y, int x0, int w,
    const struct time_col *tc, bool selected)
{
	struct strbuf t, s;
	struct ui_span spans[MAX_SPANS];
	size_t nspans;
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	int x = x0;

	strbuf_init(&t);
	strbuf_init(&s);
	ui_fill(y, x0, w, base);
	/* an entry without its own time sorts by its neighbour's: not shown */
	if (en->time_us != ENG_TIME_NONE && !(en->flags & ENTRY_NO_TIME))
		eng_time_format(&t, en->time_us, u->utc);
	else
		strbuf_puts(&t, "-");
	/* dim on a selected row would dim its reversed background */
	x = draw_field(y, x, x0 + w, tc->width, t.len > tc->off ? t.s + tc->off :
	    t.s, selected ? base : ui_pair(u, UI_PAIR_TIME));
	if (tc->host_w > 0)
		x = draw_source(u, en, y, x, x0 + w, tc->host_w, base);
	if (en->flags & ENTRY_MALFORMED)
		x = draw_field(y, x, x0 + w, LEVEL_W, "MALFORMED",
		    base | ui_pair(u, UI_PAIR_MALFORMED));
	else
		x = draw_field(y, x, x0 + w, LEVEL_W, eng_entry_level(en) != 0 ?
		    llmlog_level_name(eng_entry_level(en)) : "-",
		    base | ui_level_attr(u, eng_entry_level(en)));
	x = draw_field(y, x, x0 + w, CAT_W, en->category < LLMLOG_NCATEGORIES ?
	    llmlog_category_name(en->category) : "?", base);
	strbuf_reset(&s);
	row_text(u, en, w, &s);
	nspans = ui_match_spans(u->search, s.s, s.len, spans, MAX_SPANS);
	if (x < x0 + w)
		ui_text(y, x, x0 + w - x, s.s, s.len, u->hscroll,
		    base | ((en->flags & ENTRY_MALFORMED) ?
		    ui_pair(u, UI_PAIR_MALFORMED) : 0),
		    spans, nspans, ui_pair(u, UI_PAIR_MATCH));
	strbuf_free(&t);
	strbuf_free(&s);
}

/* ---- the list ---------------------------------------------------------- */

/* Whether the entries listed fall on more than one day (local or UTC, as
 * the times are shown).  Entries without a time sort first. */
static bool
spans_days(struct ui *u)
{
	size_t first = ui_tail_first(u), end = ui_tail_end(u);
	struct strbuf a, b;
	bool differ;

	while (first < end &&
	    eng_view_get(u->view, first)->time_us == ENG_TIME_NONE)
		first++;
	if (end - first < 2)
		return false;
	strbuf_init(&a);
	strbuf_init(&b);
	eng_time_format(&a, eng_view_get(u->view, first)->time_us, u->utc);
	eng_time_format(&b, eng_view_get(u->view, end - 1)->time_us, u->utc);
	differ = a.len < DATE_LEN || b.len < DATE_LEN ||
	    memcmp(a.s, b.s, DATE_LEN) != 0;
	strbuf_free(&a);
	strbuf_free(&b);
	return differ;
}

static struct time_col
time_col(struct ui *u, int w)
{
	if (w >= TIME_FULL_AT)
		return (struct time_col){ .off = 0, .width = TIME_W };
	if (spans_days(u))
		return (struct time_col){ .off = DAY_OFF, .width = DAY_W };
	return (struct time_col){ .off = CLOCK_OFF, .width = CLOCK_W };
}

/* An entry jumped to (a search hit, an error, a time) that is off the
 * screen or on its top rows comes to a few rows from the top, with the
 * entries before it in sight. */
static void
place_jump(struct ui *u, int h)
{
	size_t ctx = (size_t)h / 4 < JUMP_CONTEXT ? (size_t)h / 4 :
	    JUMP_CONTEXT, first = ui_tail_first(u);

	u->jumped = false;
	if (u->sel >= u->top + ctx && u->sel < u->top + (size_t)h)
		return;
	u->top = u->sel - first > ctx ? u->sel - ctx : first;
}

static void
list_clamp(struct ui *u, int h)
{
	size_t first = ui_tail_first(u), end = ui_tail_end(u);

	if (h <= 0)
		return;
	if (end == first) {
		u->sel = u->top = first;
		return;
	}
	if (u->sel >= end || u->following)
		u->sel = end - 1;
	if (u->sel < first)
		u->sel = first;
	if (u->jumped)
		place_jump(u, h);
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + (size_t)h)
		u->top = u->sel - (size_t)h + 1;
	if (u->top + (size_t)h > end)
		u->top = end - first > (size_t)h ? end - (size_t)h : first;
	if (u->top < first)
		u->top = first;
}

static void
list_draw(struct ui *u, int y, int x, int h, int w)
{
	size_t end = ui_tail_end(u);
	struct time_col tc;

	u->list_y = y;
	u->list_h = h;
	list_clamp(u, h);
	if (end == ui_tail_first(u)) {
		ui_puts(y, x, w, u->loading ? "loading..." :
		    eng_count(u->e) == 0 ? "no log entries yet: new ones "
		    "will appear here" :
		    "no entries match the filters (c clears them)", A_DIM);
		return;
	}
	tc = time_col(u, w);
	tc.host_w = source_width(u, w);
	for (int i = 0; i < h && u->top + (size_t)i < end; i++) {
		size_t idx = u->top + (size_t)i;

		draw_row(u, eng_view_get(u->view, idx), y + i, x, w, &tc,
		    idx == u->sel);
	}
}

/* Moving off the view's last entry stops following; the tail's window
 * then stays where it is. */
static void
list_move(struct ui *u, long delta)
{
	size_t end = ui_tail_end(u);
	long s = (long)u->sel + delta, first = (long)ui_tail_first(u);

	if (end == (size_t)first)
		return;
	if (s < first)
		s = first;
	if ((size_t)s >= end)
		s = (long)end - 1;
	if ((size_t)s != eng_view_count(u->view) - 1 || delta < 0)
		u->following = false;
	u->sel = (size_t)s;
}

static int
list_click(struct ui *u, int y, int x, bool twice)
{
	size_t idx;

	if (y < u->list_y || y >= u->list_y + u->list_h)
		return 0;
	idx = u->top + (size_t)(y - u->list_y);
	if (idx >= ui_tail_end(u))
		return 0;
	u->sel = idx;
	u->following = false;
	if (twice)
		ui_detail_open(u, eng_view_get(u->view, idx));
	return UI_HANDLED | UI_REDRAW;
}

static int
list_key(struct ui *u, int key)
{
	long page = u->list_h > 1 ? u->list_h - 1 : 1;
	size_t n = eng_view_count(u->view);
	bool empty = ui_tail_end(u) == ui_tail_first(u);

	switch (key) {
	case UK(KEY_UP):
		list_move(u, -1);
		break;
	case UK(KEY_DOWN):
		list_move(u, 1);
		break;
	case UK(KEY_PPAGE):
	case 'b':
		list_move(u, -page);
		break;
	case UK(KEY_NPAGE):
	case ' ':
		list_move(u, page);
		break;
	case UK(KEY_HOME):
	case 'g':
		list_move(u, -(long)n);
		break;
	case UK(KEY_END):
	case 'G':
	case 'F':
		ui_follow(u);
		break;
	case UK(KEY_LEFT):
		u->hscroll = u->hscroll > 8 ? u->hscroll - 8 : 0;
		break;
	case UK(KEY_RIGHT):
		u->hscroll += 8;
		break;
	case '\r':
	case '\n':
	case UK(KEY_ENTER):
		if (!empty)
			ui_detail_open(u, eng_view_get(u->view, u->sel));
		break;
	case 'o':
		if (!empty)
			ui_trace_open(u, eng_view_get(u->view, u->sel));
		break;
	case UI_ESC:
		u->hscroll = 0;
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const struct ui_screen ui_list_screen = {
	.hint = "h help  q quit  / search  l level  t since  k word"
	    "  f filter  s stats  c clear",
	.shared_keys = true,
	.draw = list_draw,
	.key = list_key,
	.click = list_click,
};
