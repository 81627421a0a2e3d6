/*
 * ui.c - the interactive explorer's main loop: terminal setup and
 * restore, waiting on the keyboard and the watched logs, and the filter
 * and search state the screens share.  Screens are reached only through
 * the table below: the shown one draws and takes the keys, and every one
 * hears what changed, works between keys and frees its state at exit.
 */
#include "config.h"

#include "ui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explorer.h"

static const struct ui_screen *const screens[UI_NSCREENS] = {
	[UI_LIST] = &ui_list_screen,
	[UI_DETAIL] = &ui_detail_screen,
	[UI_HELP] = &ui_help_screen,
	[UI_STATS] = &ui_stats_screen,
	[UI_FILTERS] = &ui_filters_screen,
	[UI_SQL] = &ui_sql_screen,
	[UI_TRACE] = &ui_trace_screen,
	[UI_HOSTS] = &ui_hosts_screen,
};

#define BUSY_NOTICE 200000	/* entries: above, long work is announced */
#define FILL_FIRST	4096	/* entries filtered first for a new view */
#define FILL_SLICE	65536	/* and at most at once after */
#define FILL_FIRST_MS	60	/* the first screenful's time, at most */
#define FILL_MS		30	/* a slice of filling between keys */

/* LLMLOG_UI_FILL_SLICE (entries) and LLMLOG_UI_FILL_PAUSE_MS hold the
 * filling to slices of that size with pauses between them, for a test to
 * see the list part filled; fill_next_us is when the next may run. */
static size_t fill_slice_env;
static int fill_pause_ms;
static int64_t fill_next_us;
static size_t fill_next;	/* the next slice's size, from the last's time */

static volatile sig_atomic_t quit_signal;

/* ---- signals: the terminal is restored whatever ends us ---------------- */

static void
on_quit(int sig)
{
	quit_signal = sig;
}

bool
ui_quitting(void)
{
	return quit_signal != 0;
}

static void
on_fatal(int sig)
{
	endwin();
	raise(sig);	/* SA_RESETHAND: the default action now */
}

static void
signals_init(void)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit;
	for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++)
		sigaction(quit[i], &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
}

/* ---- shared state changes ---------------------------------------------- */

void
ui_message(struct ui *u, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->message, sizeof u->message, fmt, ap);
	va_end(ap);
	u->message_error = error;
}

attr_t
ui_level_attr(struct ui *u, int level)
{
	switch (level) {
	case LLMLOG_DEBUG:
		return ui_pair(u, UI_PAIR_DEBUG);
	case LLMLOG_INFO:
		return ui_pair(u, UI_PAIR_INFO);
	case LLMLOG_WARNING:
		return ui_pair(u, UI_PAIR_WARNING);
	case LLMLOG_ERROR:
		return ui_pair(u, UI_PAIR_ERROR);
	case LLMLOG_CRITICAL:
		return ui_pair(u, UI_PAIR_CRITICAL);
	}
	return A_NORMAL;
}

static unsigned
tab_categories(const struct ui *u, int tab)
{
	if (tab > UI_TAB_ALL && tab <= LLMLOG_NCATEGORIES)
		return 1u << (tab - 1);
	return u->cli_categories;
}

/* Tell every screen, shown or not, what changed under it. */
static void
notify(struct ui *u, enum ui_change what)
{
	for (int i = 0; i < UI_NSCREENS; i++)
		if (screens[i]->changed != NULL)
			screens[i]->changed(u, what);
}

/* Find the entry (or the nearest later one) in the view by time: the
 * selection survives a new filter and older entries arriving. */
size_t
ui_locate(const struct eng_view *v, const struct eng_entry *old)
{
	size_t lo = 0, hi = eng_view_count(v);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (eng_view_get(v, mid)->time_us < old->time_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < eng_view_count(v) && i < lo + 64; i++) {
		const struct eng_entry *en = eng_view_get(v, i);

		if (en->time_us != old->time_us)
			break;
		if (en->file == old->file && en->offset == old->offset)
			return i;
	}
	return lo;
}

/* The tail's window becomes the last N of the view. */
static void
tail_reset(struct ui *u)
{
	size_t n = eng_view_count(u->view);

	u->tail_first = u->tail >= 0 && n > (size_t)u->tail ?
	    n - (size_t)u->tail : 0;
}

static void
keep_selection(struct ui *u, const struct eng_entry *old, bool had)
{
	size_t n = eng_view_count(u->view);

	if (u->following || !had || n == 0) {
		u->sel = n > 0 ? n - 1 : 0;
		return;
	}
	u->sel = ui_locate(u->view, old);
	if (u->sel >= n)
		u->sel = n - 1;
}

/* Before work that grows with the number of entries, say so on the
 * bottom line so a large set never looks frozen. */
static void
busy_notice(struct ui *u, const char *what)
{
	char msg[96];

	if (eng_count(u->e) < BUSY_NOTICE || LINES < 2)
		return;
	snprintf(msg, sizeof msg, "%s %zu entries...", what, eng_count(u->e));
	ui_fill(LINES - 1, 0, COLS, A_NORMAL);
	ui_puts(LINES - 1, 0, COLS, msg, A_BOLD);
	refresh();
}

/* The filter the view is built with: u->filter's level and times, the
 * tab's categories, the keyword, regex and where expressions, without
 * those the filter list switched off.  The where arrays it borrows are
 * new ones (*on, *not), for the old view borrows the old until freed. */
static void
view_filter(struct ui *u, struct eng_filter *f, struct eng_where ***on,
    bool **not)
{
	size_t n = 0;

	*f = u->filter;
	f->categories = (u->off & UI_OFF_CATEGORY) ? 0 :
	    tab_categories(u, u->last_list_tab);
	if (u->off & UI_OFF_LEVEL)
		f->min_level = 0;
	if (u->off & UI_OFF_SINCE)
		f->since_us = ENG_TIME_NONE;
	if (u->off & UI_OFF_UNTIL)
		f->until_us = ENG_TIME_NONE;
	f->keyword = (u->off & UI_OFF_KEYWORD) ? NULL : u->keyword;
	f->keyword_not = u->keyword_not;
	f->regex = (u->off & UI_OFF_REGEX) ? NULL : u->regex;
	f->regex_not = u->regex_not;
	*on = eng_xcalloc(u->nwheres + 1, sizeof **on);
	*not = eng_xcalloc(u->nwheres + 1, sizeof **not);
	for (size_t i = 0; i < u->nwheres; i++) {
		if (u->wheres[i].off)
			continue;
		(*on)[n] = u->wheres[i].w;
		(*not)[n++] = u->wheres[i].negated;
	}
	f->where = *on;
	f->where_not = *not;
	f->nwhere = n;
}

/* The view filled some more from its newest entries back: it grew at
 * its start, so the selection and the tail's window are found again. */
static void
fill_settle(struct ui *u)
{
	keep_selection(u, &u->fill_old, u->fill_had);
	tail_reset(u);
	eng_view_category_counts(u->view, u->counts);
	if (!eng_view_partial(u->view, &(size_t){ 0 }, &(size_t){ 0 })) {
		/* filled: take in what came meanwhile */
		eng_view_update(u->view);
		eng_view_category_counts(u->view, u->counts);
		keep_selection(u, &u->fill_old, u->fill_had);
		tail_reset(u);
		u->fill_had = false;
	}
	notify(u, UI_VIEW_SHRANK);	/* positions moved, entries joined */
}

/* Fill the view for about ms milliseconds, or (want > 0) until it holds
 * want entries; whether any filling was left. */
static bool
fill_for(struct ui *u, int64_t ms, size_t want)
{
	int64_t until = eng_now_us() + ms * 1000;
	size_t slice = want > 0 ? FILL_FIRST : FILL_SLICE, done, total;

	if (!eng_view_partial(u->view, &done, &total))
		return false;
	if (fill_slice_env > 0) {
		if (want == 0 && eng_now_us() < fill_next_us)
			return true;
		eng_view_fill(u->view, fill_slice_env);
		fill_next_us = eng_now_us() + (int64_t)fill_pause_ms * 1000;
		fill_settle(u);
		return true;
	}
	/* slices sized from what the last took, to about half the time
	 * to all of it: a slow pattern's first rows show as soon, and a
	 * fast one is not cut in slices that cost more than they filter */
	if (want == 0)
		slice = fill_next > 0 ? fill_next : FILL_FIRST;
	for (;;) {
		int64_t t0 = eng_now_us(), took;
		bool more = eng_view_fill(u->view, slice);

		took = eng_now_us() - t0;
		if (took < ms * 500 && slice < FILL_SLICE)
			slice *= 2;
		else if (took > ms * 1000 && slice > FILL_FIRST)
			slice /= 2;
		if (!more || eng_now_us() >= until ||
		    (want > 0 && eng_view_count(u->view) >= want))
			break;
	}
	fill_next = slice;
	fill_settle(u);
	return true;
}

/* Fill the view to its end: before a key, which may count on positions. */
static void
fill_all(struct ui *u)
{
	if (eng_view_partial(u->view, &(size_t){ 0 }, &(size_t){ 0 })) {
		busy_notice(u, "filtering");
		eng_view_fill(u->view, SIZE_MAX);
		fill_settle(u);
	}
}

/* Build the view for the current filters and tab, keeping the place: a
 * filter that reads lines fills it from its newest entries, a screenful
 * of them at once and the rest between keys (the status counts). */
static void
refilter(struct ui *u)
{
	struct eng_view *v;
	struct eng_entry old;
	struct eng_filter f;
	struct eng_where **on;
	bool had = false, *not;

	if (u->view != NULL && u->sel < eng_view_count(u->view)) {
		old = *eng_view_get(u->view, u->sel);
		had = true;
	}
	u->filter.categories = tab_categories(u, u->last_list_tab);
	view_filter(u, &f, &on, &not);
	v = eng_view_new_partial(u->e, &f);
	if (v == NULL) {
		free(on);
		free(not);
		ui_message(u, true, "out of memory building the view");
		return;
	}
	eng_view_free(u->view);
	free(u->where_on);
	free(u->where_not);
	u->where_on = on;
	u->where_not = not;
	u->view = v;
	u->newcount = 0;
	u->fill_old = old;
	u->fill_had = had;
	keep_selection(u, &old, had);
	tail_reset(u);
	ui_hits_reset(u);
	eng_view_category_counts(u->view, u->counts);
	notify(u, UI_VIEW_NEW);
	fill_for(u, FILL_FIRST_MS, (size_t)(LINES > 0 ? LINES : 50));
}

void
ui_refilter(struct ui *u)
{
	refilter(u);
}

size_t
ui_tail_first(const struct ui *u)
{
	size_t n = eng_view_count(u->view);

	if (u->tail < 0)
		return 0;
	return u->tail_first < n ? u->tail_first : n;
}

size_t
ui_tail_end(const struct ui *u)
{
	size_t n = eng_view_count(u->view), first = ui_tail_first(u);

	if (u->tail < 0 || n - first <= (size_t)u->tail)
		return n;
	return first + (size_t)u->tail;
}

void
ui_follow(struct ui *u)
{
	size_t n = eng_view_count(u->view);

	u->following = true;
	u->newcount = 0;
	u->sel = n > 0 ? n - 1 : 0;
	tail_reset(u);
}

void
ui_show(struct ui *u, enum ui_screen_id id)
{
	enum ui_screen_id from = u->screen;

	u->screen = id;
	if (screens[id]->enter != NULL)
		screens[id]->enter(u, from);
}

int
ui_screen_key(struct ui *u, int key, enum ui_screen_id back)
{
	switch (key) {
	case 'h':
	case UK(KEY_F(1)):
		ui_show(u, UI_HELP);
		return UI_HANDLED | UI_REDRAW;
	case 'q':
	case UI_ESC:
		ui_show(u, back);
		return UI_HANDLED | UI_REDRAW;
	}
	return 0;
}

void
ui_set_tab(struct ui *u, int tab)
{
	if (tab < 0 || tab >= UI_NTABS)
		return;
	u->tab = tab;
	if (tab == UI_TAB_STATS) {
		ui_show(u, UI_STATS);
		return;
	}
	ui_show(u, UI_LIST);
	if (tab != u->last_list_tab) {
		u->last_list_tab = tab;
		refilter(u);
	}
}

/* ---- search ------------------------------------------------------------ */

/* Whether a position is one the list shows. */
static bool
in_window(const struct ui *u, long pos)
{
	return pos >= 0 && (size_t)pos >= ui_tail_first(u) &&
	    (size_t)pos < ui_tail_end(u);
}

/* A match fell outside the tail's window: the next one inside it is the
 * first from the window's start (forward) or its end (backward). */
static long
next_in_window(struct ui *u, int dir)
{
	long pos = dir > 0 ?
	    eng_view_search(u->view, u->search, ui_tail_first(u) - 1, 1) :
	    eng_view_search(u->view, u->search, ui_tail_end(u), -1);

	return in_window(u, pos) ? pos : -1;
}

int
ui_search_next(struct ui *u, int dir)
{
	long pos;

	if (u->search == NULL) {
		ui_message(u, true, "no search yet: / searches forward, ? backward");
		return UI_HANDLED | UI_REDRAW;
	}
	if (screens[u->screen]->search != NULL)
		return screens[u->screen]->search(u, dir * u->search_dir);
	if (ui_tail_end(u) == ui_tail_first(u)) {
		ui_message(u, true, "Pattern not found: %s", u->search_text);
		return UI_HANDLED | UI_REDRAW;
	}
	busy_notice(u, "searching");
	pos = eng_view_search(u->view, u->search, u->sel, dir * u->search_dir);
	if (pos >= 0 && !in_window(u, pos))
		pos = next_in_window(u, dir * u->search_dir);
	if (pos < 0) {
		ui_message(u, true, "Pattern not found: %s", u->search_text);
		return UI_HANDLED | UI_REDRAW;
	}
	if ((dir * u->search_dir > 0 && (size_t)pos <= u->sel) ||
	    (dir * u->search_dir < 0 && (size_t)pos >= u->sel))
		ui_message(u, false, "search wrapped");
	ui_jump(u, (size_t)pos);
	return UI_HANDLED | UI_REDRAW;
}

void
ui_jump(struct ui *u, size_t pos)
{
	u->sel = pos;
	u->following = false;
	u->jumped = true;
	if (u->screen == UI_STATS)
		ui_set_tab(u, u->last_list_tab);
}

static int
set_search(struct ui *u, const char *text, int dir)
{
	char err[256];
	struct eng_regex *re;

	if (*text == '\0')
		return ui_search_next(u, dir > 0 ? u->search_dir : -u->search_dir);
	re = eng_regex_new(text, err, sizeof err);
	if (re == NULL) {
		ui_message(u, true, "Invalid pattern: %s", err);
		return UI_HANDLED | UI_REDRAW;
	}
	eng_regex_free(u->search);
	free(u->search_text);
	u->search = re;
	u->search_text = eng_xstrdup(text);
	u->search_dir = dir;
	ui_hits_start(u);
	return ui_search_next(u, 1);
}

/* ---- the prompts' results ---------------------------------------------- */

static char *
dup_or_null(const char *text)
{
	return *text == '\0' ? NULL : eng_xstrdup(text);
}

static int
set_time(struct ui *u, bool since, const char *text)
{
	int64_t t = ENG_TIME_NONE;
	char err[256];

	/* in the zone the times are shown in; until through its last unit */
	if (*text != '\0' &&
	    eng_time_parse_as(text, eng_now_us(), (since ? 0 : ENG_TIME_UNTIL) |
	    (u->utc ? ENG_TIME_UTC : 0), &t, err, sizeof err) != 0) {
		snprintf(u->prompt.error, sizeof u->prompt.error, "%s", err);
		return UI_HANDLED | UI_REDRAW;
	}
	u->off &= ~(since ? UI_OFF_SINCE : UI_OFF_UNTIL);
	if (since) {
		u->filter.since_us = t;
		free(u->since_text);
		u->since_text = dup_or_null(text);
	} else {
		u->filter.until_us = t;
		free(u->until_text);
		u->until_text = dup_or_null(text);
	}
	return UI_HANDLED | UI_REDRAW | UI_REFILTER;
}

static int
set_regex(struct ui *u, const char *typed)
{
	struct eng_regex *re = NULL;
	struct eng_regex *old = u->regex;
	char err[256];
	bool negated;
	const char *text = ui_prompt_negation(typed, &negated);

	if (*text != '\0') {
		re = eng_regex_new(text, err, sizeof err);
		if (re == NULL) {
			snprintf(u->prompt.error, sizeof u->prompt.error,
			    "%s", err);
			return UI_HANDLED | UI_REDRAW;
		}
	}
	u->regex = re;
	u->regex_not = negated && re != NULL;
	u->off &= ~UI_OFF_REGEX;
	free(u->regex_text);
	u->regex_text = dup_or_null(text);
	/* the old view borrows the old regex until refilter replaces it */
	refilter(u);
	eng_regex_free(old);
	return UI_HANDLED | UI_REDRAW;
}

static int
set_tail(struct ui *u, const char *text)
{
	char *end;
	long n;

	if (*text == '\0') {
		u->tail = -1;
		tail_reset(u);
		return UI_HANDLED | UI_REDRAW;
	}
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0) {
		snprintf(u->prompt.error, sizeof u->prompt.error,
		    "a number of entries, 0 or more; empty shows all");
		return UI_HANDLED | UI_REDRAW;
	}
	u->tail = n;
	tail_reset(u);
	return UI_HANDLED | UI_REDRAW;
}

/* The first entry the list shows at or after a time; the entries are in
 * time order, those without a time (ENG_TIME_NONE) first. */
static int
goto_time(struct ui *u, const char *text)
{
	size_t lo = ui_tail_first(u), hi = ui_tail_end(u);
	int64_t t;
	char err[256];

	if (*text == '\0')
		return UI_HANDLED | UI_REDRAW;
	if (eng_time_parse_as(text, eng_now_us(), u->utc ? ENG_TIME_UTC : 0, &t,
	    err, sizeof err) != 0) {
		snprintf(u->prompt.error, sizeof u->prompt.error, "%s", err);
		return UI_HANDLED | UI_REDRAW;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (eng_view_get(u->view, mid)->time_us < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ui_tail_end(u))
		ui_message(u, true, "no entry at or after %s", text);
	else
		ui_jump(u, lo);
	return UI_HANDLED | UI_REDRAW;
}

static int
set_keyword(struct ui *u, const char *typed)
{
	bool negated;
	const char *text = ui_prompt_negation(typed, &negated);

	free(u->keyword);
	u->keyword = dup_or_null(text);
	u->keyword_not = negated && u->keyword != NULL;
	u->off &= ~UI_OFF_KEYWORD;
	return UI_HANDLED | UI_REDRAW | UI_REFILTER;
}

/* "expected ... at column 9": the engine's message, its column moved
 * past a leading ! or !! (the character the user typed). */
static void
where_message(char *err, size_t errlen, size_t col)
{
	char *at = strstr(err, " at column ");

	if (at != NULL)
		snprintf(at, errlen - (size_t)(at - err), " at column %zu",
		    col);
}

int
ui_where_add(struct ui *u, const char *typed, char *err, size_t errlen,
    size_t *column)
{
	bool negated;
	const char *text = ui_prompt_negation(typed, &negated);
	size_t col = 0;
	struct eng_where *w;

	w = eng_where_new(text, eng_now_us(), u->utc, err, errlen, &col);
	if (w == NULL) {
		*column = col + (size_t)(text - typed);
		where_message(err, errlen, *column);
		return -1;
	}
	eng_grow(&u->wheres, &u->wheres_cap, u->nwheres + 1,
	    sizeof *u->wheres);
	u->wheres[u->nwheres++] = (struct ui_where){ .w = w, .owned = true,
	    .negated = negated };
	return 0;
}

void
ui_where_delete(struct ui *u, size_t i)
{
	struct ui_where gone;

	if (i >= u->nwheres)
		return;
	gone = u->wheres[i];
	memmove(&u->wheres[i], &u->wheres[i + 1],
	    (u->nwheres - i - 1) * sizeof *u->wheres);
	u->nwheres--;
	/* the old view borrows the expression until refilter replaces it */
	refilter(u);
	if (gone.owned)
		eng_where_free(gone.w);
}

static int
set_where(struct ui *u, const char *typed)
{
	struct ui_prompt *p = &u->prompt;

	if (*typed == '\0')
		return UI_HANDLED | UI_REDRAW;
	if (ui_where_add(u, typed, p->error, sizeof p->error,
	    &p->error_col) != 0)
		return UI_HANDLED | UI_REDRAW;
	return UI_HANDLED | UI_REDRAW | UI_REFILTER;
}

int
ui_prompt_apply(struct ui *u, enum ui_prompt_kind kind, const char *text)
{
	switch (kind) {
	case UI_PROMPT_SEARCH_FWD:
		return set_search(u, text, 1);
	case UI_PROMPT_SEARCH_BACK:
		return set_search(u, text, -1);
	case UI_PROMPT_SINCE:
		return set_time(u, true, text);
	case UI_PROMPT_UNTIL:
		return set_time(u, false, text);
	case UI_PROMPT_KEYWORD:
		return set_keyword(u, text);
	case UI_PROMPT_WHERE:
		return set_where(u, text);
	case UI_PROMPT_SQL:
		if (*text != '\0')
			ui_sql_run(u, text);
		return UI_HANDLED | UI_REDRAW;
	case UI_PROMPT_REGEX:
		return set_regex(u, text);
	case UI_PROMPT_TAIL:
		return set_tail(u, text);
	case UI_PROMPT_GOTO:
		return goto_time(u, text);
	case UI_PROMPT_HOSTS:
		return ui_hosts_typed(u, text);
	case UI_PROMPT_NONE:
		break;
	}
	return UI_HANDLED;
}

/* ---- keys every list-like screen understands --------------------------- */

static int
cycle_level(struct ui *u, int step)
{
	static const int order[] = { 0, LLMLOG_DEBUG, LLMLOG_INFO,
	    LLMLOG_WARNING, LLMLOG_ERROR, LLMLOG_CRITICAL };
	const int n = sizeof order / sizeof order[0];
	int i = 0;

	while (i < n && order[i] != u->filter.min_level)
		i++;
	i = ((i % n) + step + n) % n;
	u->filter.min_level = order[i];
	u->off &= ~UI_OFF_LEVEL;	/* a level set is in force */
	if (order[i] == 0)
		ui_message(u, false, "level: all");
	else
		ui_message(u, false, "level: %s and above",
		    llmlog_level_name(order[i]));
	return UI_HANDLED | UI_REDRAW | UI_REFILTER;
}

static void
wheres_free(struct ui_where *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].owned)
			eng_where_free(w[i].w);
	free(w);
}

static int
clear_filters(struct ui *u)
{
	struct eng_regex *old = u->regex;
	struct ui_where *wheres;
	size_t nwheres;

	u->filter.min_level = 0;
	u->filter.since_us = u->filter.until_us = ENG_TIME_NONE;
	free(u->keyword);
	free(u->since_text);
	free(u->until_text);
	free(u->regex_text);
	u->keyword = u->since_text = u->until_text = u->regex_text = NULL;
	u->regex = NULL;
	u->keyword_not = u->regex_not = false;
	u->off = 0;
	nwheres = u->nwheres;
	wheres = u->wheres;
	u->wheres = NULL;
	u->nwheres = u->wheres_cap = 0;
	u->cli_categories = 0;
	u->tail = -1;
	u->tab = u->last_list_tab = UI_TAB_ALL;
	if (u->screen == UI_STATS)
		u->tab = UI_TAB_STATS;
	refilter(u);
	eng_regex_free(old);
	wheres_free(wheres, nwheres);
	ui_message(u, false, "all filters cleared");
	return UI_HANDLED | UI_REDRAW;
}

static int
tab_key(struct ui *u, int key)
{
	if (key == '\t')
		ui_set_tab(u, (u->tab + 1) % UI_NTABS);
	else if (key == UK(KEY_BTAB))
		ui_set_tab(u, (u->tab + UI_NTABS - 1) % UI_NTABS);
	else
		ui_set_tab(u, key - '1');
	return UI_HANDLED | UI_REDRAW;
}

/* The next (dir 1) or previous (-1) entry at ERROR or above, wrapping
 * around the list; the levels are in the index, so no line is read. */
static int
next_error(struct ui *u, int dir)
{
	size_t first = ui_tail_first(u), end = ui_tail_end(u), n = end - first;
	size_t cur = u->sel < first ? first : u->sel >= end ? end - 1 : u->sel;

	for (size_t k = 1; k <= n; k++) {
		size_t i = first + (cur - first + (dir > 0 ? k : n - k)) % n;

		if (eng_entry_level(eng_view_get(u->view, i)) < LLMLOG_ERROR)
			continue;
		if (dir > 0 ? i <= cur : i >= cur)
			ui_message(u, false, "wrapped to the %s error",
			    dir > 0 ? "first" : "last");
		ui_jump(u, i);
		return UI_HANDLED | UI_REDRAW;
	}
	ui_message(u, true, "no entry at ERROR or above");
	return UI_HANDLED | UI_REDRAW;
}

static int
open_prompt(struct ui *u, enum ui_prompt_kind kind, const char *initial)
{
	ui_prompt_open(u, kind, initial);
	return UI_HANDLED | UI_REDRAW;
}

/* A filter's prompt holds what it filters on now, a ! before it when
 * negated (and !! before a text that begins with one). */
static int
open_negated_prompt(struct ui *u, enum ui_prompt_kind kind,
    const char *text, bool negated)
{
	struct strbuf b;

	if (text == NULL)
		return open_prompt(u, kind, NULL);
	strbuf_init(&b);
	ui_prompt_negated_text(&b, text, negated);
	open_prompt(u, kind, b.s);
	strbuf_free(&b);
	return UI_HANDLED | UI_REDRAW;
}

static int
open_tail_prompt(struct ui *u)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%ld", u->tail);
	return open_prompt(u, UI_PROMPT_TAIL, u->tail >= 0 ? buf : NULL);
}

bool
ui_move_key(int key, size_t *pos, size_t n, size_t page)
{
	size_t last = n > 0 ? n - 1 : 0;

	switch (key) {
	case UK(KEY_UP):
		*pos = *pos > 0 ? *pos - 1 : 0;
		break;
	case UK(KEY_DOWN):
		*pos = *pos < last ? *pos + 1 : last;
		break;
	case UK(KEY_PPAGE):
		if (page == 0)
			return false;
		*pos = *pos > page ? *pos - page : 0;
		break;
	case UK(KEY_NPAGE):
		if (page == 0)
			return false;
		*pos = last - *pos > page ? *pos + page : last;
		break;
	case UK(KEY_HOME):
	case 'g':
		*pos = 0;
		break;
	case UK(KEY_END):
	case 'G':
		*pos = last;
		break;
	default:
		return false;
	}
	return true;
}

static int
common_key(struct ui *u, int key)
{
	switch (key) {
	case '\t':
	case UK(KEY_BTAB):
	case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8':
		return tab_key(u, key);
	case 'l':
		return cycle_level(u, 1);
	case 'L':
		return cycle_level(u, -1);
	case 't':
		return open_prompt(u, UI_PROMPT_SINCE, u->since_text);
	case 'T':
		return open_prompt(u, UI_PROMPT_UNTIL, u->until_text);
	case 'k':
		return open_negated_prompt(u, UI_PROMPT_KEYWORD, u->keyword,
		    u->keyword_not);
	case '&':
	case 'f':
		return open_negated_prompt(u, UI_PROMPT_REGEX, u->regex_text,
		    u->regex_not);
	case 'w':
		return open_prompt(u, UI_PROMPT_WHERE, NULL);
	case 'v':
		ui_show(u, UI_FILTERS);
		return UI_HANDLED | UI_REDRAW;
	case 'H':
		return ui_hosts_open(u);
	case ':':
		return open_prompt(u, UI_PROMPT_SQL, u->sql_text);
	case '#':
		return open_tail_prompt(u);
	case '/':
		return open_prompt(u, UI_PROMPT_SEARCH_FWD, NULL);
	case '?':
		return open_prompt(u, UI_PROMPT_SEARCH_BACK, NULL);
	case 'n':
		return ui_search_next(u, 1);
	case 'N':
		return ui_search_next(u, -1);
	case 'e':
		return next_error(u, 1);
	case 'E':
		return next_error(u, -1);
	case '@':
		return open_prompt(u, UI_PROMPT_GOTO, NULL);
	case 'c':
		return clear_filters(u);
	case 'R':
		u->filter.raw = !u->filter.raw;
		refilter(u);
		ui_message(u, false, u->filter.raw ? "raw matching: keyword, "
		    "filter and search match the JSON lines" : "keyword, "
		    "filter and search match the text shown");
		return UI_HANDLED | UI_REDRAW;
	case 'u':
		u->utc = !u->utc;
		ui_message(u, false, "times in %s", u->utc ? "UTC" : "local time");
		return UI_HANDLED | UI_REDRAW;
	case 's':
		u->split = !u->split;
		notify(u, UI_SPLIT);
		if (u->screen == UI_STATS)
			ui_set_tab(u, u->last_list_tab);
		return UI_HANDLED | UI_REDRAW;
	case 'h':
	case UK(KEY_F(1)):
		ui_show(u, UI_HELP);
		return UI_HANDLED | UI_REDRAW;
	case 'q':
		return UI_HANDLED | UI_QUIT;
	case UI_CTRL('l'):
		clearok(curscr, TRUE);
		return UI_HANDLED | UI_REDRAW;
	}
	return 0;
}

/* ---- drawing ----------------------------------------------------------- */

static void
draw_body(struct ui *u, int y, int h, int w)
{
	u->body_h = h;
	if (u->screen == UI_LIST && u->split) {
		if (w >= 160) {
			int sw = w * 2 / 5;

			screens[UI_LIST]->draw(u, y, 0, h, w - sw - 1);
			for (int i = 0; i < h; i++)
				mvaddch(y + i, w - sw - 1, ACS_VLINE);
			screens[UI_STATS]->draw(u, y, w - sw, h, sw);
		} else {
			int lh = h / 2;

			screens[UI_LIST]->draw(u, y, 0, lh, w);
			mvhline(y + lh, 0, ACS_HLINE, w);
			screens[UI_STATS]->draw(u, y + lh + 1, 0, h - lh - 1, w);
		}
		return;
	}
	screens[u->screen]->draw(u, y, 0, h, w);
}

static void
draw(struct ui *u)
{
	int h = LINES, w = COLS;

	erase();
	if (h < 6 || w < 30) {
		ui_puts(0, 0, w, "terminal too small", A_BOLD);
		refresh();
		return;
	}
	draw_body(u, UI_FRAME_TOP, h - UI_FRAME_TOP - UI_FRAME_BOTTOM, w);
	/* the frame after the screen: the status line tells the selection
	 * and the counting that the screen's draw settled */
	ui_frame_draw(u, screens[u->screen]->hint, h, w);
	refresh();
}

/* ---- input ------------------------------------------------------------- */

static int
mouse(struct ui *u, MEVENT *ev)
{
	int key = 0;

	if (ev->bstate & BUTTON4_PRESSED)
		key = UK(KEY_UP);
#ifdef BUTTON5_PRESSED
	else if (ev->bstate & BUTTON5_PRESSED)
		key = UK(KEY_DOWN);
#endif
	if (key != 0) {
		int r = 0;

		for (int i = 0; i < 3; i++)
			r |= screens[u->screen]->key(u, key);
		return r | UI_REDRAW;
	}
	if (!(ev->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED |
	    BUTTON1_DOUBLE_CLICKED)))
		return 0;
	if (ev->y < UI_FRAME_TOP)
		return ui_frame_click(u, ev->y, ev->x);
	if (screens[u->screen]->click != NULL)
		return screens[u->screen]->click(u, ev->y, ev->x,
		    (ev->bstate & BUTTON1_DOUBLE_CLICKED) != 0);
	return 0;
}

static int
dispatch(struct ui *u, int key)
{
	int r;

	if (key == UK(KEY_RESIZE)) {
		notify(u, UI_RESIZED);
		return UI_REDRAW;
	}
	if (key == UK(KEY_MOUSE)) {
		MEVENT ev;

		if (getmouse(&ev) != OK)
			return 0;
		return mouse(u, &ev);
	}
	u->message[0] = '\0';
	if (u->prompt.kind != UI_PROMPT_NONE)
		return ui_prompt_key(u, key) | UI_REDRAW;
	r = screens[u->screen]->key(u, key);
	if (!(r & UI_HANDLED) && screens[u->screen]->shared_keys)
		r = common_key(u, key);
	if (!(r & UI_HANDLED))
		ui_message(u, true, "unknown key: h or F1 lists the keys");
	return r | UI_REDRAW;
}

/* Keys that only change the filter: a run of them (l l l) builds one
 * view at the end instead of one per key. */
static bool
filter_only(const struct ui *u, int key)
{
	return u->prompt.kind == UI_PROMPT_NONE &&
	    screens[u->screen]->shared_keys && (key == 'l' || key == 'L');
}

/* Read every key waiting; returns the union of what the handlers asked. */
static int
read_keys(struct ui *u)
{
	int r = 0;
	bool pending = false;
	wint_t wc;
	int got;

	while ((got = get_wch(&wc)) != ERR) {
		int key = got == KEY_CODE_YES ? UK((int)wc) : (int)wc;

		if (pending && !filter_only(u, key)) {
			refilter(u);
			pending = false;
		}
		if (key != UK(KEY_RESIZE))
			fill_all(u);
		r |= dispatch(u, key);
		if (r & UI_REFILTER) {
			pending = true;
			r &= ~UI_REFILTER;
		}
		if (r & UI_QUIT)
			break;
	}
	if (pending)
		refilter(u);
	return r;
}

/* ---- following the files ----------------------------------------------- */

/* Take the view's new entries in, or its loss of some (shrank: entries
 * left with their files).  Following, the selection and the tail's window
 * move to the end; paused, both stay on the entries they were on before
 * the refresh (old, first), or the nearest later ones, wherever the
 * entries arriving sort. */
static void
take_new(struct ui *u, const struct eng_entry *old, bool had,
    const struct eng_entry *first, bool had_first, bool shrank)
{
	size_t added;

	added = eng_view_update(u->view);
	if (added == 0 && !shrank)
		return;
	eng_view_category_counts(u->view, u->counts);
	notify(u, shrank ? UI_VIEW_SHRANK : UI_VIEW_GREW);
	if (u->following) {
		ui_follow(u);
		return;
	}
	if (!u->loading)
		u->newcount += added;
	keep_selection(u, old, had);
	if (had_first)
		u->tail_first = ui_locate(u->view, first);
}

/* Say once what left the view with its files: "1,903 entries left with
 * a deleted file".  Whether anything left. */
static bool
tell_removed(struct ui *u, const struct eng_removed *was)
{
	struct eng_removed now;
	size_t deleted, files, truncated, tfiles;
	struct strbuf b;

	eng_removed(u->e, &now);
	deleted = now.deleted - was->deleted;
	files = now.deleted_files - was->deleted_files;
	truncated = now.truncated - was->truncated;
	tfiles = now.truncated_files - was->truncated_files;
	if (deleted + truncated == 0)
		return files + tfiles > 0;
	strbuf_init(&b);
	if (deleted > 0) {
		eng_format_number(&b, (double)deleted, 0);
		strbuf_printf(&b, " entr%s left with ", deleted == 1 ? "y" : "ies");
		if (files == 1)
			strbuf_puts(&b, "a deleted file");
		else
			strbuf_printf(&b, "%zu deleted files", files);
	}
	if (truncated > 0) {
		strbuf_puts(&b, deleted > 0 ? "; " : "");
		eng_format_number(&b, (double)truncated, 0);
		strbuf_printf(&b, " entr%s left past the end of ",
		    truncated == 1 ? "y" : "ies");
		if (tfiles == 1)
			strbuf_puts(&b, "a truncated file");
		else
			strbuf_printf(&b, "%zu truncated files", tfiles);
	}
	ui_message(u, false, "%s", b.s);
	strbuf_free(&b);
	return true;
}

/* Name on the message line what could not be read, once: the newest,
 * and how many more there are.  Whether there was any to name. */
static bool
tell_unreadable(struct ui *u)
{
	uint64_t seq, top = u->unreadable_shown;
	const char *text, *newest = NULL;
	size_t fresh = 0;
	struct strbuf safe;

	for (size_t i = 0; i < eng_unreadable_count(u->e); i++) {
		if ((text = eng_unreadable(u->e, i, &seq)) == NULL ||
		    seq <= u->unreadable_shown)
			continue;
		fresh++;
		if (seq > top) {
			top = seq;
			newest = text;
		}
	}
	if (newest == NULL)
		return false;
	strbuf_init(&safe);
	eng_sanitize(&safe, newest, strlen(newest));
	if (fresh > 1)
		ui_message(u, true, "cannot read %s (and %zu more: llmlog -p "
		    "names them all)", safe.s, fresh - 1);
	else
		ui_message(u, true, "cannot read %s", safe.s);
	strbuf_free(&safe);
	u->unreadable_shown = top;
	return true;
}

static bool
poll_files(struct ui *u)
{
	uint64_t indexed, total;
	bool done, was = u->loading, told, shrank, had = false;
	bool had_first = false;
	struct eng_removed removed;
	struct eng_entry old, first;
	long n;

	/* copies: the refresh may move the view's positions */
	if (!u->following && u->sel < eng_view_count(u->view)) {
		old = *eng_view_get(u->view, u->sel);
		had = true;
	}
	if (!u->following && u->tail >= 0 &&
	    u->tail_first < eng_view_count(u->view)) {
		first = *eng_view_get(u->view, u->tail_first);
		had_first = true;
	}
	eng_removed(u->e, &removed);
	n = eng_refresh(u->e);
	eng_progress(u->e, &indexed, &total, &done);
	u->loading = !done;
	told = tell_unreadable(u);
	shrank = tell_removed(u, &removed);
	if (n > 0 || was || shrank)
		take_new(u, &old, had, &first, had_first, shrank);
	return n > 0 || was || told || shrank;
}

/* ---- setup ------------------------------------------------------------- */

static char *
dup_opt(const char *s)
{
	return s != NULL && *s != '\0' ? eng_xstrdup(s) : NULL;
}

static int
popcount(unsigned v)
{
	int n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

static void
state_init(struct ui *u, struct eng *e, const struct ui_start *o)
{
	const char *env;

	memset(u, 0, sizeof *u);
	if ((env = getenv("LLMLOG_UI_FILL_SLICE")) != NULL)
		fill_slice_env = strtoul(env, NULL, 10);
	if ((env = getenv("LLMLOG_UI_FILL_PAUSE_MS")) != NULL)
		fill_pause_ms = atoi(env);
	u->e = e;
	u->filter = o->filter;
	u->filter.keyword = NULL;
	u->filter.regex = NULL;
	u->keyword = dup_opt(o->filter.keyword);
	u->since_text = dup_opt(o->since_text);
	u->until_text = dup_opt(o->until_text);
	u->regex_text = dup_opt(o->regex_text);
	if (u->regex_text != NULL) {
		char err[256];

		u->regex = eng_regex_new(u->regex_text, err, sizeof err);
	}
	for (size_t i = 0; i < o->filter.nwhere; i++) {
		eng_grow(&u->wheres, &u->wheres_cap, u->nwheres + 1,
		    sizeof *u->wheres);
		u->wheres[u->nwheres++] = (struct ui_where){
		    .w = o->filter.where[i] };
	}
	u->filter.where = NULL;
	u->filter.nwhere = 0;
	u->cli_categories = o->filter.categories;
	if (popcount(u->cli_categories) == 1) {
		u->tab = u->last_list_tab = __builtin_ctz(u->cli_categories) + 1;
		u->cli_categories = 0;
	}
	u->utc = o->utc;
	u->tail = o->tail;
	u->following = true;
	u->search_dir = 1;
	u->color = o->color;
	u->dash.bucket_us = ENG_TIME_NONE;
	u->dash.row = -1;
	strbuf_init(&u->prompt.text);
}

static void
state_free(struct ui *u)
{
	for (int i = 0; i < UI_NSCREENS; i++)
		if (screens[i]->free != NULL)
			screens[i]->free(u);
	ui_hits_free(u);
	eng_view_free(u->view);
	free(u->where_on);
	free(u->where_not);
	wheres_free(u->wheres, u->nwheres);
	free(u->sql_text);
	eng_regex_free(u->regex);
	eng_regex_free(u->search);
	free(u->keyword);
	free(u->since_text);
	free(u->until_text);
	free(u->regex_text);
	free(u->search_text);
	ui_prompt_free(&u->prompt);
}

static void
curses_init(struct ui *u)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED |
	    BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(200);
	u->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui_colors_init(u);
	signals_init();
}

/* Start the background load unless the caller loaded already, or started
 * one (then it is still running). */
static int
load_start(struct ui *u)
{
	uint64_t indexed, total;
	bool done;
	char err[512];

	eng_progress(u->e, &indexed, &total, &done);
	if (!done || eng_count(u->e) > 0) {
		u->loading = !done;
		return 0;
	}
	/* a dashboard of every entry takes the figures counted as the
	 * lines are indexed, as --stats does, rather than read them again */
	if (u->keyword == NULL && u->regex == NULL && u->nwheres == 0)
		eng_stats_on_load_tables(u->e, &u->filter, u->utc);
	if (eng_load_async(u->e, err, sizeof err) != 0) {
		fprintf(stderr, "llmlog: %s\n", err);
		return -1;
	}
	u->loading = true;
	return 0;
}

/* Whether a screen has work left for between keys. */
static bool
idle_pending(const struct ui *u)
{
	size_t done, total;

	if (eng_view_partial(u->view, &done, &total))
		return fill_slice_env == 0 || eng_now_us() >= fill_next_us;
	for (int i = 0; i < UI_NSCREENS; i++)
		if (screens[i]->pending != NULL && screens[i]->pending(u))
			return true;
	return ui_hits_pending(u);
}

/* Work between keys: the view's filling first, then the screens', and
 * the search's hit count. */
static int
idle(struct ui *u)
{
	int r;

	if (fill_for(u, FILL_MS, 0))
		return UI_REDRAW;
	r = ui_hits_idle(u);

	for (int i = 0; i < UI_NSCREENS; i++)
		if (screens[i]->idle != NULL)
			r |= screens[i]->idle(u);
	return r;
}

/* The soonest a screen's idle hook has work again by the clock, in
 * milliseconds, or -1. */
static int
idle_due(const struct ui *u)
{
	int soonest = -1;
	size_t done, total;

	if (eng_view_partial(u->view, &done, &total) && fill_slice_env > 0) {
		int64_t left = fill_next_us - eng_now_us();

		return left > 0 ? (int)(left / 1000) + 1 : 0;
	}
	for (int i = 0; i < UI_NSCREENS; i++) {
		int t = screens[i]->due_ms != NULL ? screens[i]->due_ms(u) : -1;

		if (t >= 0 && (soonest < 0 || t < soonest))
			soonest = t;
	}
	return soonest;
}

static int
wait_input(struct ui *u)
{
	struct pollfd pfd[2];
	int nfd = 1, fd = eng_watch_fd(u->e), timeout = -1, due = idle_due(u);

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	if (fd >= 0) {
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		nfd = 2;
	}
	/* while a screen has work left (a dashboard counting), only look
	 * for keys between slices; while a background load runs, look often so the
	 * first rows show as soon as they are indexed; otherwise the watch
	 * descriptor wakes us, or a 100 ms tick when there is none */
	if (idle_pending(u))
		timeout = 0;
	else if (u->loading)
		timeout = 15;
	else if (fd < 0)
		timeout = 100;
	if (due >= 0 && (timeout < 0 || due < timeout))
		timeout = due;
	if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
		return -1;
	return 0;
}

int
ui_run(struct eng *e, const struct ui_start *o)
{
	struct ui u;
	bool dirty = true;
	int r;

	setlocale(LC_ALL, "");
	state_init(&u, e, o);
	if (load_start(&u) != 0) {
		state_free(&u);
		return 2;
	}
	curses_init(&u);
	refilter(&u);
	while (quit_signal == 0) {
		if (dirty)
			draw(&u);
		dirty = false;
		if (wait_input(&u) != 0)
			break;
		r = read_keys(&u);
		if (r & UI_QUIT)
			break;
		if (r & UI_REDRAW)
			dirty = true;
		if (poll_files(&u))
			dirty = true;
		/* a key's screen first, then more work between keys */
		if (!(r & UI_REDRAW) && (idle(&u) & UI_REDRAW))
			dirty = true;
	}
	endwin();
	state_free(&u);
	return quit_signal != 0 ? 128 + quit_signal : 0;
}
