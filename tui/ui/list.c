/*
 * list.c - the entry list screen: one row per entry (time, level,
 * category, summary), the selection, horizontal scroll and search
 * highlights.  The tab bar and the status line around it are frame.c's.
 */
#include "config.h"

#include "ui.h"

#include <string.h>

#define TIME_W 23
#define LEVEL_W 9
#define CAT_W 11
#define SOURCE_W 12
#define MAX_SPANS 32

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

/* Which directory (host) an entry came from, when there are several: the
 * end of its path, where names differ. */
static int
draw_source(struct ui *u, const struct eng_entry *en, int y, int x, int w,
    attr_t a)
{
	const char *name = eng_source_name(u->e, en->source);
	struct strbuf s;
	size_t skip;

	strbuf_init(&s);
	eng_sanitize(&s, name, strlen(name));
	skip = s.len > SOURCE_W ? s.len - SOURCE_W : 0;
	/* stay on a character boundary */
	while (skip < s.len && (s.s[skip] & 0xc0) == 0x80)
		skip++;
	x = draw_field(y, x, w, SOURCE_W, s.s + skip, a);
	strbuf_free(&s);
	return x;
}

static void
draw_row(struct ui *u, const struct eng_entry *en, int y, int x0, int w,
    bool selected)
{
	struct strbuf t, s;
	struct ui_span spans[MAX_SPANS];
	size_t nspans;
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	int x = x0, tw = w >= 100 ? TIME_W : TIME_W - 11;

	strbuf_init(&t);
	strbuf_init(&s);
	ui_fill(y, x0, w, base);
	/* an entry without its own time sorts by its neighbour's: not shown */
	if (en->time_us != ENG_TIME_NONE && !(en->flags & ENTRY_NO_TIME))
		eng_time_format(&t, en->time_us, u->utc);
	else
		strbuf_puts(&t, "-");
	x = draw_field(y, x, x0 + w, tw, t.len > (size_t)tw ? t.s + t.len - tw :
	    t.s, base | ui_pair(u, UI_PAIR_TIME));
	if (eng_source_count(u->e) > 1)
		x = draw_source(u, en, y, x, x0 + w, base);
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

static void
list_clamp(struct ui *u, int h)
{
	size_t n = eng_view_count(u->view), first = ui_tail_first(u);

	if (h <= 0)
		return;
	if (n == 0) {
		u->sel = u->top = 0;
		return;
	}
	if (u->sel >= n || u->following)
		u->sel = n - 1;
	if (u->sel < first)
		u->sel = first;
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + (size_t)h)
		u->top = u->sel - (size_t)h + 1;
	if (u->top + (size_t)h > n)
		u->top = n > (size_t)h ? n - (size_t)h : 0;
	if (u->top < first)
		u->top = first;
}

static void
list_draw(struct ui *u, int y, int x, int h, int w)
{
	size_t n = eng_view_count(u->view);

	u->list_y = y;
	u->list_h = h;
	list_clamp(u, h);
	if (n == 0 || u->tail == 0) {
		ui_puts(y, x, w, u->loading ? "loading..." :
		    eng_count(u->e) == 0 ? "no log entries yet: new ones "
		    "will appear here" :
		    "no entries match the filters (c clears them)", A_DIM);
		return;
	}
	for (int i = 0; i < h && u->top + (size_t)i < n; i++) {
		size_t idx = u->top + (size_t)i;

		draw_row(u, eng_view_get(u->view, idx), y + i, x, w,
		    idx == u->sel);
	}
}

static void
list_move(struct ui *u, long delta)
{
	size_t n = eng_view_count(u->view);
	long s = (long)u->sel + delta, first = (long)ui_tail_first(u);

	if (n == 0)
		return;
	if (s < first)
		s = first;
	if ((size_t)s >= n)
		s = (long)n - 1;
	if ((size_t)s != n - 1 || delta < 0)
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
	if (idx >= eng_view_count(u->view))
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
		if (n > 0)
			ui_detail_open(u, eng_view_get(u->view, u->sel));
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
	.hint = "h help  q quit  / search  l level  t since  k keyword"
	    "  f filter  s stats  c clear",
	.shared_keys = true,
	.draw = list_draw,
	.key = list_key,
	.click = list_click,
};
