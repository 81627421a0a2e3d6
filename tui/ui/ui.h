/*
 * ui.h - the UI part's one private header: every file of tui/ui/
 * includes it, and nothing outside the part does (the command line sees
 * explorer.h only).  The curses include, the UI state, the key-handler
 * result flags, the screen table and the drawing helpers.  Each screen
 * (list.c, detail.c, dashboard.c, help.c) is one struct ui_screen of
 * hooks; ui.c runs the loop and drives the screens through them.
 */
#ifndef LLMLOG_UI_H
#define LLMLOG_UI_H

/* the header configure found (config.h comes first in every file) */
#define NCURSES_WIDECHAR 1
#if defined(HAVE_NCURSESW_CURSES_H)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* What a key handler asks the loop to do next. */
enum {
	UI_HANDLED = 1 << 0,	/* the key was used */
	UI_REDRAW = 1 << 1,	/* something on screen changed */
	UI_REFILTER = 1 << 2,	/* the filter changed: build a new view */
	UI_QUIT = 1 << 3,	/* leave the explorer */
};

/* Keys as handlers see them: characters as themselves, curses function
 * keys (KEY_UP, ...) shifted out of the character range. */
#define UI_FN 0x1000000
#define UK(k) ((k) | UI_FN)
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 0x1b

/* The tabs: All, the six categories, Stats. */
#define UI_TAB_ALL 0
#define UI_TAB_STATS (LLMLOG_NCATEGORIES + 1)
#define UI_NTABS (LLMLOG_NCATEGORIES + 2)

enum ui_screen_id { UI_LIST, UI_DETAIL, UI_HELP, UI_STATS, UI_FILTERS,
    UI_SQL, UI_TRACE, UI_HOSTS, UI_NSCREENS };

enum ui_pair {
	UI_PAIR_DEBUG = 1,
	UI_PAIR_INFO,
	UI_PAIR_WARNING,
	UI_PAIR_ERROR,
	UI_PAIR_CRITICAL,
	UI_PAIR_MATCH,
	UI_PAIR_MALFORMED,
	UI_PAIR_KEY,
	UI_PAIR_TIME,
	UI_PAIR_TAB,
	UI_PAIR_BAR,
	UI_PAIR_MSGERR,
	UI_PAIR_HIST_OTHER,
	UI_PAIR_HIST_WARN,
	UI_PAIR_HIST_ERR,
	UI_PAIR_TITLE,
	/* a histogram cell whose lower part is errors or warnings and whose
	 * upper part the kind stacked on them */
	UI_PAIR_HIST_ERR_WARN,
	UI_PAIR_HIST_ERR_OTHER,
	UI_PAIR_HIST_WARN_OTHER,
};

/* A highlighted byte range of a line of text. */
struct ui_span {
	size_t start, end;
};

/* The line editor at the bottom of the screen (prompt.c). */
enum ui_prompt_kind {
	UI_PROMPT_NONE,
	UI_PROMPT_SEARCH_FWD,
	UI_PROMPT_SEARCH_BACK,
	UI_PROMPT_SINCE,
	UI_PROMPT_UNTIL,
	UI_PROMPT_KEYWORD,
	UI_PROMPT_REGEX,
	UI_PROMPT_TAIL,
	UI_PROMPT_GOTO,
	UI_PROMPT_WHERE,
	UI_PROMPT_SQL,
	UI_PROMPT_HOSTS,
};

struct ui_prompt {
	enum ui_prompt_kind kind;
	struct strbuf text;
	char error[256];	/* shown after the input while it is wrong */
	size_t error_col;	/* the input's character (from 1) it names,
				   marked; 0: none */
};

/* A where expression of the filter: from -w, the w prompt or = in the
 * detail view.  The filter list toggles (off) and deletes them. */
struct ui_where {
	struct eng_where *w;
	bool owned;		/* ours to free (-w's are the command line's) */
	bool negated;		/* typed with a leading !: filter-out */
	bool off;
	bool host;		/* the host picker's (H): it replaces it */
};

/* The filters the filter list can switch off (struct ui's off). */
enum {
	UI_OFF_CATEGORY = 1 << 0,
	UI_OFF_LEVEL = 1 << 1,
	UI_OFF_SINCE = 1 << 2,
	UI_OFF_UNTIL = 1 << 3,
	UI_OFF_KEYWORD = 1 << 4,
	UI_OFF_REGEX = 1 << 5,
};

/* The pretty-printed entry of the detail view (detail.c).  A level
 * value is drawn in its level's colour: attr is UI_ATTR_LEVEL plus the
 * enum llmlog_level, above every UI_PAIR_*. */
#define UI_ATTR_LEVEL 100
struct ui_detail_line {
	char *text;		/* sanitised */
	size_t len;
	size_t keylen;		/* leading bytes drawn as a key */
	int attr;		/* UI_PAIR_*, 0, or UI_ATTR_LEVEL + level */
	/* the line of the entry's decoded text it shows part of (searches
	 * match that line whole), or -1: it is matched alone */
	long unit;
	size_t lead;		/* bytes before that part: indentation */
	size_t uoff;		/* where in the decoded line the part starts */
	long field;		/* the field it shows (ui_detail's), or -1 */
};

/* A field of the detail view that = can add to the where filter: the
 * expression's text, `path = value`, or NULL when it cannot be written
 * (an object heading, a key no path can name). */
struct ui_dfield {
	char *expr;
	size_t first;		/* its first line */
};

struct ui_detail {
	struct eng_entry entry;
	bool follow_back;	/* the list was following when it opened */
	enum ui_screen_id back;	/* where q goes: the list, or the trace */
	bool raw;		/* the raw line instead of the fields */
	struct ui_detail_line *lines;
	size_t nlines, cap;
	struct eng_decoded dec;	/* the entry's text that the lines show */
	int width;		/* the width the lines were wrapped for */
	size_t top;
	struct ui_dfield *fields;
	size_t nfields, fcap;
	long cur;		/* the field cursor */
	bool fits;		/* at the last draw: else Up and Down scroll */
};

/* A row of the dashboard's panels (dashboard.c): a label and its value,
 * right-aligned, or a panel's title.  A row of the slowest operations
 * holds the entry that Enter opens. */
struct ui_drow {
	char *label;		/* sanitised */
	char *value;		/* "" for none */
	int indent;
	bool title;
	bool dim;		/* a note ("3 more") */
	bool has_entry;
	struct eng_entry entry;
	char *filter;		/* a where expression Enter adds, or NULL */
	int col, line;		/* where it goes: panel column, line */
};

/* A headline figure: "Requests" over "134,512" and its trend. */
#define UI_TILES 8
struct ui_tile {
	char label[24];
	char value[32];
	char trend[32];		/* "+2.1%" with an arrow; "" when none */
	int sense;		/* the trend is good 1, bad -1, neither 0 */
};

/* What the dashboard draws, built from the stats again only when they
 * counted more (at most every few hundred milliseconds while entries
 * arrive), the width or the time zone changed, and kept between draws:
 * the histogram's buckets (one a column) with the requests' latency per
 * bucket, the headline and the panels' rows. */
struct ui_dash {
	bool valid;
	bool partial;		/* built while counting was under way */
	size_t counted;		/* the stats' entries when it was built */
	int width, nbuckets;
	bool utc;
	int64_t built_us;
	struct eng_hist h;
	double *p50, *p95;	/* h.n each, NAN where no request */
	struct ui_tile tiles[UI_TILES];
	int ntiles;
	char trend_note[64];	/* what the trends compare */
	char cover_note[320];	/* the range asked starts before a rotated
				   category's entries (eng_coverage_note) */
	bool trends;		/* there are two periods to compare */
	struct ui_drow *rows;
	size_t nrows, cap;
	int ncols, colw, lines;	/* the panels' columns, width, height */
	int panel_h;		/* the rows the panels had at the last draw */
	size_t step;		/* entries counted at a time between keys */
	/* the cursors: the histogram's bucket (its start), the row */
	int64_t bucket_us;	/* ENG_TIME_NONE: none shown */
	long row;		/* index into rows, -1: none shown */
	int top;		/* the first panel line shown */
};

/* The search's hits in the view, counted between keys (hits.c). */
struct ui_hits {
	size_t *pos;		/* the matching positions so far, ascending */
	size_t n, cap;
	size_t counted;		/* positions before this one are counted */
	struct eng_entry last;	/* the one at counted - 1, where it was */
	int64_t shown_us;	/* when a count so far was drawn */
};

struct ui {
	struct eng *e;

	/* the filters: the command line's values, then what the user set */
	struct eng_filter filter;
	char *keyword;
	char *regex_text;
	struct eng_regex *regex;
	char *since_text, *until_text;
	bool keyword_not, regex_not;	/* filter-out: typed with a leading ! */
	struct ui_where *wheres;
	size_t nwheres, wheres_cap;
	/* what the view's filter borrows: the where expressions on, with
	 * their flags */
	struct eng_where **where_on;
	bool *where_not;
	unsigned off;			/* UI_OFF_*: filters switched off */
	long tail;			/* show only the last N; -1: all */
	/* with a tail: the first of the last N while following, kept on
	 * the same entry while paused (ui_tail_first) */
	size_t tail_first;
	unsigned cli_categories;	/* the All tab's set (from -c) */
	bool utc;

	struct eng_view *view;
	/* while the view fills from its newest entries: the entry selected
	 * before, kept as the view grows at its start */
	struct eng_entry fill_old;
	bool fill_had;
	struct eng_stats *stats;	/* only while a dashboard is shown */
	bool stats_done;		/* every entry of the view counted */
	int64_t stats_shown_us;		/* when counting progress was drawn */
	struct ui_dash dash;
	size_t counts[LLMLOG_NCATEGORIES];

	/* the list */
	int tab, last_list_tab;
	size_t sel, top;
	int hscroll;
	bool following;
	size_t newcount;	/* arrived while scrolled up */
	bool split;		/* the dashboard beside or below the list */

	/* search */
	struct eng_regex *search;
	char *search_text;
	int search_dir;
	struct ui_hits hits;
	bool jumped;		/* the selection jumped: show rows above it */

	enum ui_screen_id screen;
	enum ui_screen_id help_back;	/* where help returns to */
	struct ui_detail detail;
	struct ui_trace *trace;		/* the trace screen's (trace.c) */
	size_t help_top;
	struct ui_prompt prompt;
	struct ui_filters *filters;	/* the filter list (filters.c) */
	struct ui_sqlview *sql;		/* the SQL screen (sqlview.c) */
	struct ui_hosts *hosts;		/* the host picker (hosts.c) */
	char *sql_text;			/* the last query, for : again */

	char message[512];
	bool message_error;
	uint64_t unreadable_shown;	/* eng_unreadable's seq told so far */

	/* geometry of the last draw, for the mouse */
	int tab_x[UI_NTABS + 1];
	int list_y, list_h;
	int body_h;

	bool color;
	bool utf8;		/* the locale's charset: block glyphs, arrows */
	bool loading;
};

/* What changed under the screens; the loop tells every screen, shown or
 * not, so that what one keeps between draws never goes stale. */
enum ui_change {
	UI_VIEW_NEW,	/* another view replaced the old: other filters */
	UI_VIEW_GREW,	/* new entries joined the view */
	UI_VIEW_SHRANK,	/* entries left it with their files (and others
			   may have joined) */
	UI_RESIZED,	/* the terminal's size */
	UI_SPLIT,	/* the dashboard beside the list was shown or hidden */
};

/*
 * A screen, as tmux's window modes: ui.c draws the shown one inside the
 * frame (frame.c), gives it the keys and clicks, and drives every screen
 * through these hooks, never a screen's functions by name.  draw and key
 * are required; a NULL hook is behaviour the screen does not have.
 */
struct ui_screen {
	const char *hint;	/* the bottom line while there is no message */
	bool shared_keys;	/* keys it leaves are ui.c's (tabs, filters) */
	void (*draw)(struct ui *u, int y, int x, int h, int w);
	/* UI_* flags; 0 when the key is not the screen's */
	int (*key)(struct ui *u, int key);
	/* button 1 on the screen's body; twice: a double click */
	int (*click)(struct ui *u, int y, int x, bool twice);
	/* n, N inside the screen; without it a search moves the list */
	int (*search)(struct ui *u, int dir);
	/* about to be shown (ui_show), in place of the screen from */
	void (*enter)(struct ui *u, enum ui_screen_id from);
	void (*changed)(struct ui *u, enum ui_change what);
	/* work between keys (the dashboard's counting): whether any is
	 * left, so the loop only glances at the keyboard, and one slice of
	 * it, UI_REDRAW when the screen should be drawn again */
	bool (*pending)(const struct ui *u);
	int (*idle)(struct ui *u);
	/* milliseconds until idle has work again without a key or a new
	 * entry (the dashboard's figures, drawn at most so often), or -1 */
	int (*due_ms)(const struct ui *u);
	void (*free)(struct ui *u);	/* at exit: release what it keeps */
};

extern const struct ui_screen ui_list_screen;
extern const struct ui_screen ui_detail_screen;
extern const struct ui_screen ui_help_screen;
extern const struct ui_screen ui_stats_screen;
extern const struct ui_screen ui_filters_screen;
extern const struct ui_screen ui_sql_screen;
extern const struct ui_screen ui_trace_screen;
extern const struct ui_screen ui_hosts_screen;

/* ui.c: state changes that several screens ask for */
void ui_message(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show a screen; the tabs' screens through ui_set_tab. */
void ui_show(struct ui *u, enum ui_screen_id id);
/* The keys a screen of its own shares with the others: h and F1 the
 * help, q and Esc back to `back`.  0 for any other key. */
int ui_screen_key(struct ui *u, int key, enum ui_screen_id back);
/* The cursor keys of a screen's rows: Up, Down, PgUp and PgDn (page
 * rows; 0: no paging), Home and g, End and G move *pos within [0, n).
 * False, *pos untouched, for any other key (a screen maps its own
 * aliases first: j and k, b and Space). */
bool ui_move_key(int key, size_t *pos, size_t n, size_t page);
void ui_set_tab(struct ui *u, int tab);
void ui_follow(struct ui *u);
/* The positions of the view shown, from first to before end: all of it,
 * or with --tail N (or #) the last N; while paused, the N that were the
 * last when following stopped, so that what arrives moves no row. */
size_t ui_tail_first(const struct ui *u);
size_t ui_tail_end(const struct ui *u);
int ui_search_next(struct ui *u, int dir);
/* Select an entry found by what it holds (a search hit, an error, a
 * time): the list stops following and shows a few rows above it. */
void ui_jump(struct ui *u, size_t pos);
/* The position of an entry in a view, or of the first later one when
 * it is not there. */
size_t ui_locate(const struct eng_view *v, const struct eng_entry *en);
/* The colour of an enum llmlog_level (eng_entry_level). */
attr_t ui_level_attr(struct ui *u, int level);
int ui_prompt_apply(struct ui *u, enum ui_prompt_kind kind, const char *text);
/* Build the view again for the filters (after the filter list or = in
 * the detail view changed them). */
void ui_refilter(struct ui *u);
/* Whether a quit signal (Ctrl-C) arrived: long work stops for it. */
bool ui_quitting(void);
/* Compile and add a where expression typed (w) or made (= in the
 * detail view), a leading ! negating it; 0, or -1 with the reason in
 * err and the character it names (from 1) in *column. */
int ui_where_add(struct ui *u, const char *text, char *err, size_t errlen,
    size_t *column);
/* Take the filter list's where expression i out (the view first). */
void ui_where_delete(struct ui *u, size_t i);

/* frame.c: the tab bar above the screen (UI_FRAME_TOP rows), the status
 * line and the bottom line below it (UI_FRAME_BOTTOM rows) */
#define UI_FRAME_TOP 1
#define UI_FRAME_BOTTOM 2
/* Draw the frame of an h by w terminal; hint is the shown screen's. */
void ui_frame_draw(struct ui *u, const char *hint, int h, int w);
/* Button 1 on the frame: on a tab, that tab is shown. */
int ui_frame_click(struct ui *u, int y, int x);

/* hits.c: the search's hit count, counted between keys */
void ui_hits_start(struct ui *u);	/* a new search: count afresh */
void ui_hits_reset(struct ui *u);	/* a new view: count again */
bool ui_hits_pending(const struct ui *u);
int ui_hits_idle(struct ui *u);
/* " 3/120" after the search on the status line */
void ui_hits_status(struct ui *u, struct strbuf *out);
void ui_hits_free(struct ui *u);

/* The where grammar's words (llmlog(1), WHERE GRAMMAR): whether s[0..n)
 * is a bare word (dots: as a value, where a dot is no path separator),
 * and s quoted with JSON's escapes, and a value written either way. */
bool ui_where_bare(const char *s, size_t n, bool dots);
void ui_where_quoted(struct strbuf *out, const char *s, size_t n);
void ui_where_literal(struct strbuf *out, const char *s, size_t n);

/* detail.c: the list opens an entry, and the detail view steps along */
void ui_detail_open(struct ui *u, const struct eng_entry *en);

/* trace.c: o on an entry opens its trace, or says it has none */
struct ui_trace;
void ui_trace_open(struct ui *u, const struct eng_entry *en);

/* dashboard.c */
/* "stats 35% paused" on the status line while counting waits for a
 * dashboard to be shown again. */
void ui_stats_status(const struct ui *u, struct strbuf *out);

/* chart.c: the dashboard's histogram and latency line, from u->dash */
/* Draw the histogram (title, bars on a scale, time axis, the bucket
 * under the cursor) in h rows; the rows used. */
int ui_chart_draw(struct ui *u, int y, int x, int h, int w);
/* The latency line under it: the requests' p50 and p95 per bucket, in
 * 3 rows; 0 when no bucket has a request with a duration. */
int ui_latency_draw(struct ui *u, int y, int x, int w);
/* The columns left of the bars (the scale), for a width. */
int ui_chart_axis_w(const struct ui *u);
/* "250ms", "5.40s", "12.5min": a duration as a person reads it. */
void ui_format_ms(struct strbuf *out, double ms);
/* "601.1M": a count in at most 5 columns. */
void ui_format_compact(struct strbuf *out, double v);

/* help.c */
struct ui_keyhelp {
	const char *keys;
	const char *what;
};
extern const struct ui_keyhelp ui_keys[];

/* prompt.c */
void ui_prompt_open(struct ui *u, enum ui_prompt_kind kind,
    const char *initial);
void ui_prompt_draw(struct ui *u, int y, int w);
int ui_prompt_key(struct ui *u, int key);
void ui_prompt_free(struct ui_prompt *p);
/* A leading ! negates what a prompt filters on and !! is a literal !:
 * the text without it, and whether it negates. */
const char *ui_prompt_negation(const char *text, bool *negated);
/* The input that gives text (negated or not) back: "!x", "!!x". */
void ui_prompt_negated_text(struct strbuf *out, const char *text,
    bool negated);

/* filters.c: "where:EXPR  where!:EXPR  2 off" on the status line */
void ui_filters_status(const struct ui *u, struct strbuf *out);

/* hosts.c: H opens the host picker, or says there is only one host */
int ui_hosts_open(struct ui *u);
/* The picker's = prompt: hosts typed as a comma list, chosen and
 * applied as Enter does; an unknown name is the prompt's error. */
int ui_hosts_typed(struct ui *u, const char *text);

/* sqlview.c: run a query (the : prompt) and show its rows; 0, or -1
 * with SQLite's message in the prompt's error */
int ui_sql_run(struct ui *u, const char *query);

/* text.c: cutting sanitised UTF-8 to columns */
int ui_text(int y, int x, int width, const char *s, size_t n, int skip,
    attr_t attr, const struct ui_span *spans, size_t nspans, attr_t hl);
int ui_text_width(const char *s, size_t n);
size_t ui_text_cut(const char *s, size_t n, int width);
int ui_puts(int y, int x, int width, const char *s, attr_t attr);
void ui_fill(int y, int x, int width, attr_t attr);
size_t ui_match_spans(struct eng_regex *re, const char *s, size_t n,
    struct ui_span *spans, size_t max);
attr_t ui_pair(struct ui *u, enum ui_pair p);
void ui_colors_init(struct ui *u);

#endif
