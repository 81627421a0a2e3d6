/*
 * filters.c - the filter list (v), as lnav's filter panel: every filter
 * in force, its hit count, on or off, in the order the view applies them.
 * Space switches one off and on again without losing it, d deletes it;
 * the list behind changes at once.  A filter's hits are the entries it
 * matches on its own, over every entry indexed (a negated one hides
 * those), counted when the list opens: one view per filter, so on a
 * large set the content filters take a moment, said on the bottom line.
 */
#include "config.h"

#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum frow_kind { FR_CATEGORY, FR_LEVEL, FR_SINCE, FR_UNTIL, FR_KEYWORD,
    FR_REGEX, FR_WHERE };

static const char *const kind_names[] = {
	[FR_CATEGORY] = "category",
	[FR_LEVEL] = "level",
	[FR_SINCE] = "since",
	[FR_UNTIL] = "until",
	[FR_KEYWORD] = "keyword",
	[FR_REGEX] = "regex",
	[FR_WHERE] = "where",
};

/* The UI_OFF_* bit of each kind but where (whose flag is its own). */
static const unsigned kind_off[] = {
	[FR_CATEGORY] = UI_OFF_CATEGORY,
	[FR_LEVEL] = UI_OFF_LEVEL,
	[FR_SINCE] = UI_OFF_SINCE,
	[FR_UNTIL] = UI_OFF_UNTIL,
	[FR_KEYWORD] = UI_OFF_KEYWORD,
	[FR_REGEX] = UI_OFF_REGEX,
	[FR_WHERE] = 0,
};

struct frow {
	enum frow_kind kind;
	size_t where;		/* FR_WHERE: which of u->wheres */
	char *text;		/* as typed, not yet sanitised */
	bool negated;
	size_t hits;
};

struct ui_filters {
	struct frow *rows;
	size_t n, cap;
	size_t sel, top;
	enum ui_screen_id back;
};

static struct ui_filters *
state(struct ui *u)
{
	if (u->filters == NULL)
		u->filters = eng_xcalloc(1, sizeof *u->filters);
	return u->filters;
}

static void
rows_clear(struct ui_filters *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->rows[i].text);
	fl->n = 0;
}

static void
row_add(struct ui_filters *fl, enum frow_kind kind, const char *text,
    bool negated, size_t where)
{
	eng_grow(&fl->rows, &fl->cap, fl->n + 1, sizeof *fl->rows);
	fl->rows[fl->n++] = (struct frow){ .kind = kind, .where = where,
	    .text = eng_xstrdup(text), .negated = negated };
}

static unsigned
categories_of(const struct ui *u)
{
	if (u->last_list_tab > UI_TAB_ALL &&
	    u->last_list_tab <= LLMLOG_NCATEGORIES)
		return 1u << (u->last_list_tab - 1);
	return u->cli_categories;
}

static void
category_text(unsigned cats, struct strbuf *out)
{
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
		if (cats & (1u << c))
			strbuf_printf(out, "%s%s", out->len > 0 ? "," : "",
			    llmlog_category_name(c));
}

/* The filters in force, in the order of the status line. */
static void
rows_build(struct ui *u, struct ui_filters *fl)
{
	unsigned cats = categories_of(u);

	rows_clear(fl);
	if (cats != 0) {
		struct strbuf b;

		strbuf_init(&b);
		category_text(cats, &b);
		row_add(fl, FR_CATEGORY, b.s, false, 0);
		strbuf_free(&b);
	}
	if (u->filter.min_level != 0) {
		char buf[32];

		snprintf(buf, sizeof buf, "%s and above",
		    llmlog_level_name(u->filter.min_level));
		row_add(fl, FR_LEVEL, buf, false, 0);
	}
	if (u->since_text != NULL)
		row_add(fl, FR_SINCE, u->since_text, false, 0);
	if (u->until_text != NULL)
		row_add(fl, FR_UNTIL, u->until_text, false, 0);
	if (u->keyword != NULL)
		row_add(fl, FR_KEYWORD, u->keyword, u->keyword_not, 0);
	if (u->regex_text != NULL)
		row_add(fl, FR_REGEX, u->regex_text, u->regex_not, 0);
	for (size_t i = 0; i < u->nwheres; i++)
		row_add(fl, FR_WHERE, eng_where_text(u->wheres[i].w),
		    u->wheres[i].negated, i);
}

/* The entries a filter matches on its own, negated or not. */
static size_t
count_hits(struct ui *u, const struct frow *r)
{
	struct eng_filter f;
	struct eng_view *v;
	struct eng_where *w = NULL;
	size_t n;

	eng_filter_init(&f);
	switch (r->kind) {
	case FR_CATEGORY:
		f.categories = categories_of(u);
		break;
	case FR_LEVEL:
		f.min_level = u->filter.min_level;
		break;
	case FR_SINCE:
		f.since_us = u->filter.since_us;
		break;
	case FR_UNTIL:
		f.until_us = u->filter.until_us;
		break;
	case FR_KEYWORD:
		f.keyword = u->keyword;
		break;
	case FR_REGEX:
		f.regex = u->regex;
		break;
	case FR_WHERE:
		w = u->wheres[r->where].w;
		f.where = &w;
		f.nwhere = 1;
		break;
	}
	if ((v = eng_view_new(u->e, &f)) == NULL)
		return 0;
	n = eng_view_count(v);
	eng_view_free(v);
	return n;
}

static void
hits_count(struct ui *u, struct ui_filters *fl)
{
	if (eng_count(u->e) >= 200000 && fl->n > 0 && LINES > 1) {
		ui_fill(LINES - 1, 0, COLS, A_NORMAL);
		ui_puts(LINES - 1, 0, COLS, "counting the filters' hits...",
		    A_BOLD);
		refresh();
	}
	for (size_t i = 0; i < fl->n; i++)
		fl->rows[i].hits = count_hits(u, &fl->rows[i]);
}

static void
filters_enter(struct ui *u, enum ui_screen_id from)
{
	struct ui_filters *fl = state(u);

	if (from != UI_FILTERS && from != UI_HELP)
		fl->back = from;
	rows_build(u, fl);
	hits_count(u, fl);
	if (fl->sel >= fl->n)
		fl->sel = fl->n > 0 ? fl->n - 1 : 0;
}

static bool
row_off(const struct ui *u, const struct frow *r)
{
	if (r->kind == FR_WHERE)
		return u->wheres[r->where].off;
	return (u->off & kind_off[r->kind]) != 0;
}

/* ---- the status line ------------------------------------------------------ */

void
ui_filters_status(const struct ui *u, struct strbuf *out)
{
	size_t off = 0;

	for (size_t i = 0; i < u->nwheres; i++) {
		if (u->wheres[i].off) {
			off++;
			continue;
		}
		strbuf_printf(out, "where%s:%s  ", u->wheres[i].negated ?
		    "!" : "", eng_where_text(u->wheres[i].w));
	}
	for (unsigned bit = UI_OFF_CATEGORY; bit <= UI_OFF_REGEX; bit <<= 1)
		off += (u->off & bit) != 0;
	if (off > 0)
		strbuf_printf(out, "%zu filter%s off  ", off,
		    off == 1 ? "" : "s");
}

/* ---- drawing -------------------------------------------------------------- */

static void
row_draw(struct ui *u, const struct frow *r, bool sel, int y, int x, int w)
{
	struct strbuf line, safe;
	attr_t a = sel ? A_REVERSE : A_NORMAL;
	int hw;

	strbuf_init(&line);
	strbuf_init(&safe);
	strbuf_printf(&line, "%s ", u->utf8 ? (row_off(u, r) ? "\xe2\x98\x90" :
	    "\xe2\x98\x91") : (row_off(u, r) ? "[ ]" : "[x]"));
	strbuf_printf(&line, "%-8s %-3s ", kind_names[r->kind],
	    r->negated ? "out" : "in");
	eng_sanitize(&line, r->text, strlen(r->text));
	strbuf_puts(&safe, " ");
	eng_format_number(&safe, (double)r->hits, 0);
	strbuf_printf(&safe, " hit%s ", r->hits == 1 ? "" : "s");
	ui_fill(y, x, w, a);
	hw = ui_text_width(safe.s, safe.len);
	if (hw > w)
		hw = w;
	ui_text(y, x, w - hw, line.s, line.len, 0,
	    row_off(u, r) ? a | A_DIM : a, NULL, 0, 0);
	ui_text(y, x + w - hw, hw, safe.s, safe.len, 0, a | A_BOLD, NULL, 0,
	    0);
	strbuf_free(&line);
	strbuf_free(&safe);
}

static void
filters_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_filters *fl = state(u);
	int rows = h - 2;

	ui_puts(y, x, w, "Filters: an entry is listed when every filter on "
	    "lets it through (in: matches, out: does not)",
	    ui_pair(u, UI_PAIR_TITLE));
	if (fl->n == 0) {
		ui_puts(y + 2, x, w, "No filters: l level, t T times, k "
		    "keyword, f regex, w where; a leading ! filters out",
		    A_NORMAL);
		return;
	}
	if (rows < 1)
		return;
	if (fl->sel < fl->top)
		fl->top = fl->sel;
	if (fl->sel >= fl->top + (size_t)rows)
		fl->top = fl->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && fl->top + (size_t)i < fl->n; i++)
		row_draw(u, &fl->rows[fl->top + (size_t)i],
		    fl->top + (size_t)i == fl->sel, y + 2 + i, x, w);
}

/* ---- keys ----------------------------------------------------------------- */

static void
toggle(struct ui *u, const struct frow *r)
{
	if (r->kind == FR_WHERE)
		u->wheres[r->where].off = !u->wheres[r->where].off;
	else
		u->off ^= kind_off[r->kind];
	ui_refilter(u);
}

static void
delete_row(struct ui *u, const struct frow *r)
{
	struct eng_regex *old = NULL;

	if (r->kind != FR_WHERE)
		u->off &= ~kind_off[r->kind];
	switch (r->kind) {
	case FR_CATEGORY:
		u->cli_categories = 0;
		u->last_list_tab = UI_TAB_ALL;
		if (u->tab != UI_TAB_STATS)
			u->tab = UI_TAB_ALL;
		break;
	case FR_LEVEL:
		u->filter.min_level = 0;
		break;
	case FR_SINCE:
		u->filter.since_us = ENG_TIME_NONE;
		free(u->since_text);
		u->since_text = NULL;
		break;
	case FR_UNTIL:
		u->filter.until_us = ENG_TIME_NONE;
		free(u->until_text);
		u->until_text = NULL;
		break;
	case FR_KEYWORD:
		free(u->keyword);
		u->keyword = NULL;
		u->keyword_not = false;
		break;
	case FR_REGEX:
		old = u->regex;
		free(u->regex_text);
		u->regex_text = NULL;
		u->regex = NULL;
		u->regex_not = false;
		break;
	case FR_WHERE:
		ui_where_delete(u, r->where);
		return;
	}
	/* the old view borrows the old regex until refilter replaces it */
	ui_refilter(u);
	eng_regex_free(old);
}

/* After a delete the rows are built again; the hits stay those counted
 * (deleting one filter changes no other's). */
static void
rows_after_delete(struct ui *u, struct ui_filters *fl, size_t gone)
{
	size_t *hits = eng_xcalloc(fl->n + 1, sizeof *hits);
	size_t n = 0;

	for (size_t i = 0; i < fl->n; i++)
		if (i != gone)
			hits[n++] = fl->rows[i].hits;
	rows_build(u, fl);
	for (size_t i = 0; i < fl->n && i < n; i++)
		fl->rows[i].hits = hits[i];
	free(hits);
	if (fl->sel >= fl->n)
		fl->sel = fl->n > 0 ? fl->n - 1 : 0;
}

static int
filters_key(struct ui *u, int key)
{
	struct ui_filters *fl = state(u);
	enum ui_screen_id back = fl->back == UI_STATS ? UI_STATS : UI_LIST;

	if (key == 'k' || key == 'j')
		key = UK(key == 'k' ? KEY_UP : KEY_DOWN);
	if (ui_move_key(key, &fl->sel, fl->n, 0))
		return UI_HANDLED | UI_REDRAW;
	switch (key) {
	case ' ':
		if (fl->sel < fl->n) {
			toggle(u, &fl->rows[fl->sel]);
			ui_message(u, false, "%s %s", kind_names[
			    fl->rows[fl->sel].kind], row_off(u,
			    &fl->rows[fl->sel]) ? "off" : "on");
		}
		break;
	case 'd':
	case UK(KEY_DC):
		if (fl->sel < fl->n) {
			ui_message(u, false, "%s deleted",
			    kind_names[fl->rows[fl->sel].kind]);
			delete_row(u, &fl->rows[fl->sel]);
			rows_after_delete(u, fl, fl->sel);
		}
		break;
	case 'v':
	case UK(KEY_LEFT):
		ui_show(u, back);
		break;
	default:
		return ui_screen_key(u, key, back);
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
filters_free(struct ui *u)
{
	if (u->filters == NULL)
		return;
	rows_clear(u->filters);
	free(u->filters->rows);
	free(u->filters);
	u->filters = NULL;
}

const struct ui_screen ui_filters_screen = {
	.hint = "Esc back  Up Down choose  Space on/off  d delete  h help",
	.draw = filters_draw,
	.key = filters_key,
	.enter = filters_enter,
	.free = filters_free,
};
