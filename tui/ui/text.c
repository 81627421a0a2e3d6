/*
 * text.c - putting sanitised UTF-8 text on the screen cut to columns,
 * wide characters kept whole, with highlighted spans; and the colours.
 */
#include "config.h"

#include "ui.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Decode one character; an undecodable byte becomes '?' so nothing raw
 * reaches the terminal even if the sanitiser let something through. */
static size_t
next_char(const char *s, size_t n, wchar_t *wc, int *width)
{
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof st);
	k = mbrtowc(wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = L'?';
		*width = 1;
		return 1;
	}
	*width = wcwidth(*wc);
	if (*width < 0 || (*wc < 0x20) || *wc == 0x7f) {
		*wc = L'?';
		*width = 1;
	}
	return k;
}

static bool
in_span(size_t off, const struct ui_span *spans, size_t nspans)
{
	for (size_t i = 0; i < nspans; i++)
		if (off >= spans[i].start && off < spans[i].end)
			return true;
	return false;
}

int
ui_text(int y, int x, int width, const char *s, size_t n, int skip,
    attr_t attr, const struct ui_span *spans, size_t nspans, attr_t hl)
{
	int col = 0, out = 0, w;
	size_t off = 0, k;
	wchar_t wc[2] = { 0, 0 };

	if (width <= 0)
		return 0;
	move(y, x);
	while (off < n && out < width) {
		k = next_char(s + off, n - off, &wc[0], &w);
		/* a highlight brings its own colour pair: pairs do not mix */
		attrset(in_span(off, spans, nspans) ?
		    ((hl & A_COLOR) ? (attr & ~A_COLOR) | hl : attr | hl) : attr);
		if (col + w <= skip || (w == 0 && out == 0)) {
			/* scrolled off to the left */
		} else if (col < skip) {
			/* a wide character cut by the left edge */
			for (int i = col + w - skip; i > 0 && out < width; i--, out++)
				addch(' ');
		} else if (out + w > width) {
			break;
		} else {
			addnwstr(wc, 1);
			out += w;
		}
		col += w;
		off += k;
	}
	attrset(attr);
	for (; out < width; out++)
		addch(' ');
	attrset(A_NORMAL);
	return out;
}

int
ui_text_width(const char *s, size_t n)
{
	size_t off = 0;
	int w, total = 0;
	wchar_t wc;

	while (off < n) {
		off += next_char(s + off, n - off, &wc, &w);
		total += w;
	}
	return total;
}

/* How many bytes of s fit in width columns (at least one character, so
 * that wrapping always moves on). */
size_t
ui_text_cut(const char *s, size_t n, int width)
{
	size_t off = 0, k;
	int w, used = 0;
	wchar_t wc;

	while (off < n) {
		k = next_char(s + off, n - off, &wc, &w);
		if (used + w > width && off > 0)
			break;
		used += w;
		off += k;
	}
	return off;
}

/* Draw a string without padding; returns the columns used. */
int
ui_puts(int y, int x, int width, const char *s, attr_t attr)
{
	size_t n = strlen(s);
	int w = ui_text_width(s, n);

	if (w > width)
		w = width;
	if (w <= 0)
		return 0;
	ui_text(y, x, w, s, n, 0, attr, NULL, 0, 0);
	return w;
}

void
ui_fill(int y, int x, int width, attr_t attr)
{
	attrset(attr);
	move(y, x);
	for (int i = 0; i < width; i++)
		addch(' ');
	attrset(A_NORMAL);
}

/* Every non-empty match of re in s, at most max of them. */
size_t
ui_match_spans(struct eng_regex *re, const char *s, size_t n,
    struct ui_span *spans, size_t max)
{
	size_t count = 0, off = 0, start, end;

	if (re == NULL)
		return 0;
	while (count < max && off <= n &&
	    eng_regex_match(re, s, n, off, &start, &end) == 1) {
		if (end > start) {
			spans[count].start = start;
			spans[count].end = end;
			count++;
		}
		off = end > start ? end : end + 1;
	}
	return count;
}

/* ---- colours ----------------------------------------------------------- */

struct pair_def {
	short fg8, bg8, fg256, bg256;	/* -1: the terminal's own */
	attr_t attr;		/* added to the colour */
	attr_t mono;		/* what stands in for the colour without one */
};

/*
 * Colours that read on a dark and on a light background alike.  The
 * 256-colour foregrounds are mid-tones, at least 3.5:1 against black
 * and against white (no light grey, yellow or cyan that vanish on
 * white); text of no kind of its own keeps the terminal's foreground,
 * dim for the times and bold for titles and keys where the basic
 * colours give no such mid-tone.  The bars have a hue of their own: a
 * selected row is drawn in reverse video of the terminal's colours,
 * light or dark, and must not merge with the status line under it.
 */
static const struct pair_def pairs[] = {
	[UI_PAIR_DEBUG] = { COLOR_BLUE, -1, 244, -1, 0, A_DIM },
	[UI_PAIR_INFO] = { COLOR_GREEN, -1, 28, -1, 0, A_NORMAL },
	[UI_PAIR_WARNING] = { COLOR_YELLOW, -1, 166, -1, A_BOLD, A_BOLD },
	[UI_PAIR_ERROR] = { COLOR_RED, -1, 196, -1, A_BOLD,
	    A_BOLD | A_UNDERLINE },
	[UI_PAIR_CRITICAL] = { COLOR_WHITE, COLOR_RED, 231, 160, A_BOLD,
	    A_BOLD | A_UNDERLINE | A_STANDOUT },
	[UI_PAIR_MATCH] = { COLOR_BLACK, COLOR_YELLOW, 16, 220, 0,
	    A_UNDERLINE | A_BOLD },
	[UI_PAIR_MALFORMED] = { COLOR_MAGENTA, -1, 133, -1, 0, A_BOLD },
	[UI_PAIR_KEY] = { -1, -1, 31, -1, A_BOLD, A_BOLD },
	[UI_PAIR_TIME] = { -1, -1, -1, -1, A_DIM, A_NORMAL },
	[UI_PAIR_TAB] = { COLOR_BLACK, COLOR_CYAN, 16, 38, 0, A_REVERSE },
	[UI_PAIR_BAR] = { COLOR_WHITE, COLOR_BLUE, 231, 25, 0, A_REVERSE },
	[UI_PAIR_MSGERR] = { COLOR_RED, -1, 196, -1, A_BOLD, A_BOLD },
	/* the histogram in the levels' colours: a bar's top is a block
	 * glyph on the background, so these are text colours too */
	[UI_PAIR_HIST_OTHER] = { COLOR_GREEN, -1, 28, -1, 0, A_NORMAL },
	[UI_PAIR_HIST_WARN] = { COLOR_YELLOW, -1, 166, -1, 0, A_NORMAL },
	[UI_PAIR_HIST_ERR] = { COLOR_RED, -1, 196, -1, 0, A_NORMAL },
	[UI_PAIR_TITLE] = { -1, -1, -1, -1, A_BOLD, A_BOLD },
	[UI_PAIR_HIST_ERR_WARN] = { COLOR_RED, COLOR_YELLOW, 196, 166, 0,
	    A_NORMAL },
	[UI_PAIR_HIST_ERR_OTHER] = { COLOR_RED, COLOR_GREEN, 196, 28, 0,
	    A_NORMAL },
	[UI_PAIR_HIST_WARN_OTHER] = { COLOR_YELLOW, COLOR_GREEN, 166, 28, 0,
	    A_NORMAL },
};

void
ui_colors_init(struct ui *u)
{
	bool c256;

	if (!u->color || !has_colors() || start_color() == ERR) {
		u->color = false;
		return;
	}
	use_default_colors();
	c256 = COLORS >= 256 && COLOR_PAIRS > (int)(sizeof pairs / sizeof pairs[0]);
	for (size_t i = 1; i < sizeof pairs / sizeof pairs[0]; i++) {
		const struct pair_def *p = &pairs[i];

		init_pair((short)i, c256 ? p->fg256 : p->fg8,
		    c256 ? p->bg256 : p->bg8);
	}
}

attr_t
ui_pair(struct ui *u, enum ui_pair p)
{
	if (!u->color)
		return pairs[p].mono;
	return COLOR_PAIR(p) | pairs[p].attr;
}
