/*
 * frame.c - what is drawn around whichever screen is shown: the tab bar
 * above it (with the geometry a mouse click needs), and below it the
 * status line (the filters, the position, follow or paused) and the
 * bottom line, which is the prompt while one is open, else the last
 * message or the screen's hint.
 */
#include "config.h"

#include "ui.h"

#include <stdio.h>
#include <string.h>

/* ---- the tab bar ------------------------------------------------------- */

static const char *
tab_label(int tab)
{
	if (tab == UI_TAB_ALL)
		return "All";
	if (tab == UI_TAB_STATS)
		return "Stats";
	return llmlog_category_label(tab - 1);
}

/* What the tab would list: the entries of its category under the
 * filters, and with a tail no more than its N (the shown tab: what its
 * window holds). */
static size_t
tab_count(struct ui *u, int tab)
{
	size_t n = 0;

	if (tab == u->last_list_tab)
		return ui_tail_end(u) - ui_tail_first(u);
	if (tab > UI_TAB_ALL && tab <= LLMLOG_NCATEGORIES)
		n = u->counts[tab - 1];
	else
		for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
			if (u->cli_categories == 0 ||
			    (u->cli_categories & (1u << c)))
				n += u->counts[c];
	return u->tail >= 0 && n > (size_t)u->tail ? (size_t)u->tail : n;
}

static void
format_count(char *buf, size_t len, size_t n, bool compact)
{
	if (!compact || n < 10000)
		snprintf(buf, len, "%zu", n);
	else if (n < 1000000)
		snprintf(buf, len, "%zuk", n / 1000);
	else
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
}

/* How the tabs are written, from the widest to the narrowest: the bar
 * takes the first form that fits, so that every tab stays on it (and can
 * be clicked) at any width the explorer draws at. */
enum tab_form {
	TAB_NUMBERED,	/* " 1 All 1234 " */
	TAB_PLAIN,	/* " All 1234 ", large counts shortened: "12k" */
	TAB_SHORT,	/* " Sys 12k " */
	TAB_TIGHT,	/* "Sys 12k" */
	TAB_BARE,	/* "Sys" */
	TAB_TINY,	/* "Sy" */
	TAB_NFORMS
};

/* The short and the two-letter labels; the long ones are tab_label's. */
static const char *const short_labels[UI_NTABS][2] = {
	[UI_TAB_ALL] = { "All", "Al" },
	[1 + LLMLOG_USER] = { "User", "Us" },
	[1 + LLMLOG_SYSTEM] = { "Sys", "Sy" },
	[1 + LLMLOG_TOOL] = { "Tool", "To" },
	[1 + LLMLOG_LLM] = { "LLM", "LL" },
	[1 + LLMLOG_SECURITY] = { "Sec", "Se" },
	[1 + LLMLOG_PERFORMANCE] = { "Perf", "Pe" },
	[UI_TAB_STATS] = { "Stats", "St" },
};

static void
tab_text(struct ui *u, int t, enum tab_form form, char *buf, size_t len)
{
	char num[16] = "", count[24] = "";
	const char *pad = form <= TAB_SHORT ? " " : "";
	const char *label = form < TAB_SHORT ? tab_label(t) :
	    short_labels[t][form == TAB_TINY];

	if (form == TAB_NUMBERED)
		snprintf(num, sizeof num, "%d ", t + 1);
	if (t != UI_TAB_STATS && form < TAB_BARE) {
		count[0] = ' ';
		format_count(count + 1, sizeof count - 1, tab_count(u, t),
		    form != TAB_NUMBERED);
	}
	snprintf(buf, len, "%s%s%s%s%s", pad, num, label, count, pad);
}

static bool
tabs_fit(struct ui *u, enum tab_form form, int w)
{
	char buf[64];
	int total = 0;

	for (int t = 0; t < UI_NTABS; t++) {
		tab_text(u, t, form, buf, sizeof buf);
		total += (int)strlen(buf) + 1;
	}
	return total <= w;
}

static void
tabs_draw(struct ui *u, int y, int w)
{
	char buf[64];
	enum tab_form form = TAB_NUMBERED;
	int x = 0;

	while (form + 1 < TAB_NFORMS && !tabs_fit(u, form, w))
		form++;
	ui_fill(y, 0, w, ui_pair(u, UI_PAIR_BAR));
	for (int t = 0; t < UI_NTABS; t++) {
		attr_t a = t == u->tab ? ui_pair(u, UI_PAIR_TAB) | A_BOLD :
		    ui_pair(u, UI_PAIR_BAR);

		tab_text(u, t, form, buf, sizeof buf);
		u->tab_x[t] = x;
		if (x < w)
			x += ui_puts(y, x, w - x, buf, a);
		if (x < w)
			x += ui_puts(y, x, w - x, "|", ui_pair(u, UI_PAIR_BAR));
	}
	u->tab_x[UI_NTABS] = x;
}

/* ---- the status line --------------------------------------------------- */

/* A time bound as typed; a relative one ("1m") resolved once, when it was
 * given, so with the instant it stands for: "since:1m (17:49:03)". */
static void
add_bound(const struct ui *u, struct strbuf *b, const char *name,
    const char *text, int64_t us)
{
	struct strbuf t, now;

	if (text == NULL)
		return;
	strbuf_printf(b, "%s:", name);
	eng_sanitize(b, text, strlen(text));
	if (us != ENG_TIME_NONE && eng_time_relative(text)) {
		strbuf_init(&t);
		strbuf_init(&now);
		eng_time_format(&t, us, u->utc);
		eng_time_format(&now, eng_now_us(), u->utc);
		/* "2026-12-01 17:49:03.123": the date only when not today */
		if (memcmp(t.s, now.s, 10) == 0)
			strbuf_printf(b, " (%.8s)", t.s + 11);
		else
			strbuf_printf(b, " (%.19s)", t.s);
		strbuf_free(&t);
		strbuf_free(&now);
	}
	strbuf_puts(b, "  ");
}

static void
add_filters(struct ui *u, struct strbuf *b)
{
	size_t start = b->len;

	if (u->last_list_tab == UI_TAB_ALL && u->cli_categories != 0 &&
	    !(u->off & UI_OFF_CATEGORY)) {
		const char *sep = "cat:";

		for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
			if (u->cli_categories & (1u << c)) {
				strbuf_printf(b, "%s%s", sep,
				    llmlog_category_name(c));
				sep = ",";
			}
		strbuf_puts(b, "  ");
	}
	/* the Stats tab counts what the last list tab showed: say which */
	if (u->tab == UI_TAB_STATS && u->last_list_tab != UI_TAB_ALL)
		strbuf_printf(b, "cat:%s  ",
		    llmlog_category_name(u->last_list_tab - 1));
	if (u->filter.min_level != 0 && !(u->off & UI_OFF_LEVEL))
		strbuf_printf(b, "level>=%s  ",
		    llmlog_level_name(u->filter.min_level));
	if (!(u->off & UI_OFF_SINCE))
		add_bound(u, b, "since", u->since_text, u->filter.since_us);
	if (!(u->off & UI_OFF_UNTIL))
		add_bound(u, b, "until", u->until_text, u->filter.until_us);
	if (u->tail >= 0)
		strbuf_printf(b, "tail:%ld  ", u->tail);
	if (u->filter.raw)
		strbuf_puts(b, "raw-match  ");
	if (u->keyword != NULL && !(u->off & UI_OFF_KEYWORD))
		strbuf_printf(b, "keyword%s:%s  ", u->keyword_not ? "!" : "",
		    u->keyword);
	if (u->regex_text != NULL && !(u->off & UI_OFF_REGEX))
		strbuf_printf(b, "filter%s:/%s/  ", u->regex_not ? "!" : "",
		    u->regex_text);
	ui_filters_status(u, b);
	if (u->search_text != NULL) {
		strbuf_printf(b, "search:/%s/", u->search_text);
		ui_hits_status(u, b);
		strbuf_puts(b, "  ");
	}
	if (b->len == start)
		strbuf_puts(b, "no filters  ");
	if (u->utc)
		strbuf_puts(b, "UTC  ");
}

/* An until bound in the past: nothing new can join the view, so there
 * is nothing to follow. */
static bool
until_past(const struct ui *u)
{
	return u->filter.until_us != ENG_TIME_NONE &&
	    u->filter.until_us < eng_now_us();
}

static void
add_position(struct ui *u, struct strbuf *b)
{
	uint64_t indexed, total;
	size_t bad = eng_malformed(u->e), first, end, filtered, all;
	bool done;

	eng_progress(u->e, &indexed, &total, &done);
	if (!done && total > 0)
		strbuf_printf(b, "indexing %d%%  ",
		    (int)(indexed * 100 / total));
	/* the list fills from its newest entries: say how far */
	if (eng_view_partial(u->view, &filtered, &all) && all > 0)
		strbuf_printf(b, "counting %d%%  ",
		    (int)(filtered * 100 / all));
	ui_stats_status(u, b);
	if (bad > 0)
		strbuf_printf(b, "malformed:%zu  ", bad);
	if (eng_view_regex_errors(u->view) > 0)
		strbuf_printf(b, "pattern gave up on %zu line%s  ",
		    eng_view_regex_errors(u->view),
		    eng_view_regex_errors(u->view) == 1 ? "" : "s");
	first = ui_tail_first(u);
	end = ui_tail_end(u);
	strbuf_printf(b, "%zu/%zu ", end > first ? u->sel - first + 1 : 0,
	    end - first);
	if (u->newcount > 0)
		strbuf_printf(b, " PAUSED +%zu new ", u->newcount);
	else if (until_past(u))
		return;
	else if (u->following)
		strbuf_puts(b, " FOLLOW ");
	else
		strbuf_puts(b, " PAUSED ");
}

static void
status_draw(struct ui *u, int y, int w)
{
	struct strbuf left, right, safe;
	attr_t bar = ui_pair(u, UI_PAIR_BAR);
	int rw;

	strbuf_init(&left);
	strbuf_init(&right);
	strbuf_init(&safe);
	strbuf_puts(&left, " ");
	add_filters(u, &left);
	add_position(u, &right);
	/* filter texts are the user's own typing, but may hold pasted bytes */
	eng_sanitize(&safe, left.s, left.len);
	ui_fill(y, 0, w, bar);
	rw = ui_text_width(right.s, right.len);
	if (rw > w)
		rw = w;
	ui_text(y, 0, w - rw, safe.s, safe.len, 0, bar, NULL, 0, 0);
	ui_text(y, w - rw, rw, right.s, right.len, 0, bar | A_BOLD, NULL, 0, 0);
	strbuf_free(&left);
	strbuf_free(&right);
	strbuf_free(&safe);
}

/* ---- the bottom line --------------------------------------------------- */

static void
hint_draw(struct ui *u, const char *hint, int y, int w)
{
	attr_t a = A_NORMAL;
	const char *text = u->message;

	if (*text == '\0')
		text = hint;
	else if (u->message_error)
		a = ui_pair(u, UI_PAIR_MSGERR);
	ui_fill(y, 0, w, A_NORMAL);
	ui_puts(y, 0, w, text, a);
}

/* ---- the frame --------------------------------------------------------- */

void
ui_frame_draw(struct ui *u, const char *hint, int h, int w)
{
	tabs_draw(u, 0, w);
	status_draw(u, h - UI_FRAME_BOTTOM, w);
	if (u->prompt.kind != UI_PROMPT_NONE) {
		ui_prompt_draw(u, h - 1, w);
		curs_set(1);
	} else {
		hint_draw(u, hint, h - 1, w);
		curs_set(0);
	}
}

int
ui_frame_click(struct ui *u, int y, int x)
{
	if (y != 0)
		return 0;
	for (int t = 0; t < UI_NTABS; t++)
		if (x >= u->tab_x[t] && x < u->tab_x[t + 1]) {
			ui_set_tab(u, t);
			return UI_HANDLED | UI_REDRAW;
		}
	return 0;
}
