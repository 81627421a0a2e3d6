/*
 * ui.h - what the explorer's screens share: the curses include, the UI
 * state, the key-handler result flags and the drawing helpers.  Each
 * screen (list.c, detail.c, dashboard.c, help.c, prompt.c)
 * exports a draw and a key function; ui.c runs the loop.
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

enum ui_screen_id { UI_LIST, UI_DETAIL, UI_HELP, UI_STATS, UI_NSCREENS };

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
};

struct ui_prompt {
	enum ui_prompt_kind kind;
	struct strbuf text;
	char error[256];	/* shown after the input while it is wrong */
};

/* The pretty-printed entry of the detail view (detail.c).  A level
 * value is drawn in its level's colour. */
#define UI_ATTR_LEVEL 100
struct ui_detail_line {
	char *text;		/* sanitised */
	size_t len;
	size_t keylen;		/* leading bytes drawn as a key */
	int attr;		/* UI_PAIR_*, 0, or UI_ATTR_LEVEL + level */
};

struct ui_detail {
	struct eng_entry entry;
	size_t pos, count;	/* its place in the list, for the header */
	bool raw;		/* the raw line instead of the fields */
	struct ui_detail_line *lines;
	size_t nlines, cap;
	int width;		/* the width the lines were wrapped for */
	size_t top;
};

/* The time histogram of the stats dashboard, kept between draws. */
struct ui_hist {
	bool valid;
	int nbuckets;		/* columns available */
	int used;		/* columns with a bucket */
	int64_t width_us;	/* a round bucket width: 1s, 5m, 1h, ... */
	int64_t first_us, last_us;
	uint32_t *err, *warn, *other;
};

struct ui {
	struct eng *e;

	/* the filters: the command line's values, then what the user set */
	struct eng_filter filter;
	char *keyword;
	char *regex_text;
	struct eng_regex *regex;
	char *since_text, *until_text;
	long tail;			/* show only the last N; -1: all */
	unsigned cli_categories;	/* the All tab's set (from -c) */
	bool utc;

	struct eng_view *view;
	struct eng_stats *stats;	/* only while a dashboard is shown */
	bool stats_done;		/* every entry of the view counted */
	int64_t stats_shown_us;		/* when counting progress was drawn */
	struct ui_hist hist;
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

	enum ui_screen_id screen;
	enum ui_screen_id help_back;	/* where help returns to */
	struct ui_detail detail;
	size_t help_top;
	int stats_top;
	struct ui_prompt prompt;

	char message[512];
	bool message_error;

	/* geometry of the last draw, for the mouse */
	int tab_x[UI_NTABS + 1];
	int list_y, list_h;
	int body_h;

	bool color;
	bool loading;
};

struct ui_screen {
	void (*draw)(struct ui *u, int y, int x, int h, int w);
	int (*key)(struct ui *u, int key);
};

extern const struct ui_screen ui_list_screen;
extern const struct ui_screen ui_detail_screen;
extern const struct ui_screen ui_help_screen;
extern const struct ui_screen ui_stats_screen;

/* ui.c: state changes that several screens ask for */
void ui_message(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_set_tab(struct ui *u, int tab);
void ui_follow(struct ui *u);
int ui_search_next(struct ui *u, int dir);
int ui_common_key(struct ui *u, int key);
attr_t ui_level_attr(struct ui *u, int level);
int ui_prompt_apply(struct ui *u, enum ui_prompt_kind kind, const char *text);
int ui_mouse(struct ui *u, MEVENT *ev);

/* list.c */
size_t ui_list_first(const struct ui *u);
void ui_list_clamp(struct ui *u, int h);
void ui_list_move(struct ui *u, long delta);
int ui_list_click(struct ui *u, int y, bool twice);
void ui_tabs_draw(struct ui *u, int y, int w);
void ui_status_draw(struct ui *u, int y, int w);

/* detail.c */
void ui_detail_open(struct ui *u, const struct eng_entry *en);
void ui_detail_free(struct ui_detail *d);
int ui_detail_search(struct ui *u, int dir);

/* dashboard.c */
void ui_stats_pane_draw(struct ui *u, int y, int x, int h, int w);
/* Whether a shown dashboard has entries left to count. */
bool ui_stats_pending(const struct ui *u);
/* Count them for a few milliseconds; true when the dashboard should be
 * drawn again. */
bool ui_stats_work(struct ui *u);
void ui_hist_free(struct ui_hist *h);

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
