/*
 * help.c - the help screen: every key of the explorer, from the one
 * table that llmlog(1)'s KEYS section is written from.
 */
#include "config.h"

#include "ui.h"

#include <string.h>

const struct ui_keyhelp ui_keys[] = {
	{ NULL, "Moving" },
	{ "Up, Down", "move the selection; the mouse wheel scrolls" },
	{ "PgUp, PgDn, b, Space", "a page up or down" },
	{ "Home, g", "the first entry" },
	{ "End, G, F", "the last entry, and follow new entries (live tail)" },
	{ "e, E", "the next or previous entry at ERROR or above" },
	{ "@", "the first entry at or after a time (as --since)" },
	{ "Left, Right", "scroll long lines sideways (Esc: back to the start)" },
	{ "Enter", "open the selected entry (also a double click)" },
	{ "o", "the trace of the selected entry: its request end to end" },
	{ NULL, "Tabs" },
	{ "Tab, Shift-Tab", "the next or previous tab" },
	{ "1 ... 8", "All, User, System, Tool, LLM, Security, Performance, Stats" },
	{ "mouse", "click a tab; wheel scrolls; click selects, double click opens" },
	{ "s", "show or hide the stats dashboard beside or below the list" },
	{ NULL, "Filters (the command line's options are the starting state)" },
	{ "l, L", "raise or lower the minimum level (cycles)" },
	{ "t, T", "since, until: as --since (2h, today, 2024-01-12 10:00, ...)" },
	{ "k", "keyword: case-insensitive substring; empty removes it" },
	{ "f, &", "filter to entries matching a PCRE2 pattern (smart case)" },
	{ "w", "where: add a field filter as --where (duration_ms > 5000)" },
	{ "!", "a leading ! in k, f or w filters out (!! is a literal !)" },
	{ "v", "the filter list: each filter's hits, switch off, delete" },
	{ "H", "the hosts listed: choose one or several (several directories)" },
	{ ":", "SQL over the filtered entries (as --sql), shown as a table" },
	{ "#", "show only the last N entries (as --tail); empty shows all" },
	{ "R", "raw matching on or off: match the JSON lines, not the text shown" },
	{ "c", "clear every filter, the category set and the tail" },
	{ "u", "toggle UTC and local time" },
	{ NULL, "Search" },
	{ "/", "search forward (PCRE2, smart case), over all filtered entries" },
	{ "?", "search backward" },
	{ "n, N", "the next or previous match" },
	{ NULL, "Detail view" },
	{ "Up, Down", "the field cursor when the entry fits, else scroll" },
	{ "PgUp, PgDn", "scroll" },
	{ "=", "add the field's value to the where filter (field = value)" },
	{ "[, ]", "the previous or next entry" },
	{ "r", "the raw line instead of the fields" },
	{ "o", "the trace of the entry" },
	{ "/, ?, n, N", "search inside the entry" },
	{ "q, Esc, Left", "back to the same place in the list" },
	{ NULL, "Trace screen" },
	{ "Up, Down, PgUp, PgDn", "move the selection over the tree's rows" },
	{ "Enter", "open the selected entry; back from it, the tree" },
	{ "[, ]", "the previous or next request of the conversation" },
	{ "q, Esc, Left", "back to where o was pressed" },
	{ NULL, "Stats tab" },
	{ "Left, Right", "a bucket of the histogram: its entries by level" },
	{ "Up, Down", "the row cursor over the panels' rows" },
	{ "PgUp, PgDn", "the panels a page up or down" },
	{ "Home, g", "the panels' top, without the row cursor" },
	{ "Enter", "a slowest operation or request: its entry; a model, tool, provider or resource: filter to it" },
	{ "Esc", "back to the list" },
	{ NULL, "Filter list (v)" },
	{ "Space", "switch the filter under the cursor off or on again" },
	{ "d, Delete", "delete it" },
	{ "Esc, q, v", "back" },
	{ NULL, "Host picker (H)" },
	{ "Space", "choose the host under the cursor, or not" },
	{ "a", "choose every host, or none" },
	{ "=", "type the hosts as a comma list (empty: every host)" },
	{ "Enter", "list the hosts chosen (none: every host again)" },
	{ "Esc, q, H", "back, changing nothing" },
	{ NULL, "SQL table (:)" },
	{ "Up, Down, PgUp, PgDn", "scroll the rows" },
	{ "Left, Right", "scroll the columns" },
	{ "Esc, q", "back to the list (: edits the query again)" },
	{ NULL, "Prompts" },
	{ "Enter, Esc", "accept or cancel" },
	{ "Backspace, Ctrl-U", "delete a character or the whole input" },
	{ NULL, "Other" },
	{ "h, F1", "this help (? searches backward, so help is not on ?)" },
	{ "Ctrl-L", "redraw the screen" },
	{ "q, Ctrl-C", "quit" },
	{ NULL, NULL },
};

#define KEYS_W 24

/* The bytes of s that fill a line of w columns: up to the last space
 * that fits, or cut in a word longer than the line. */
static size_t
piece(const char *s, int w)
{
	size_t n = strlen(s), cut = ui_text_cut(s, n, w);

	if (cut >= n)
		return n;
	for (size_t i = cut; i > 0; i--)
		if (s[i] == ' ')
			return i;
	return cut > 0 ? cut : n;
}

/* A key's lines: its description wrapped under the description column. */
static int
key_lines(const struct ui_keyhelp *kh, int w, int y, int x, int from,
    int to, struct ui *u)
{
	const char *s = kh->what;
	int n = 0;

	if (kh->keys == NULL || w <= KEYS_W + 4) {
		if (u != NULL && from <= 0 && to > 0) {
			if (kh->keys == NULL)
				ui_puts(y, x, w, kh->what, A_BOLD);
			else
				ui_puts(y, x + 2, w - 2, kh->keys,
				    ui_pair(u, UI_PAIR_KEY));
		}
		return 1;
	}
	do {
		size_t p = piece(s, w - KEYS_W);

		if (u != NULL && n >= from && n < to) {
			if (n == 0)
				ui_puts(y + n - from, x + 2, KEYS_W - 2,
				    kh->keys, ui_pair(u, UI_PAIR_KEY));
			ui_text(y + n - from, x + KEYS_W, w - KEYS_W, s, p,
			    0, A_NORMAL, NULL, 0, 0);
		}
		s += p;
		while (*s == ' ')
			s++;
		n++;
	} while (*s != '\0');
	return n;
}

static void
help_draw(struct ui *u, int y, int x, int h, int w)
{
	size_t total = 1;
	int line;

	for (size_t k = 0; ui_keys[k].what != NULL; k++)
		total += (size_t)key_lines(&ui_keys[k], w, 0, 0, 0, 0, NULL);
	if (u->help_top + (size_t)h > total)
		u->help_top = total > (size_t)h ? total - (size_t)h : 0;
	if (u->help_top == 0)
		ui_puts(y, x, w, "llmlog keys (Up, Down, PgUp, "
		    "PgDn scroll; q or Esc closes)",
		    ui_pair(u, UI_PAIR_TITLE));
	line = 1;
	for (size_t k = 0; ui_keys[k].what != NULL; k++) {
		int from = (int)u->help_top - line;
		int n = key_lines(&ui_keys[k], w, 0, 0, 0, 0, NULL);

		if (line + n > (int)u->help_top && line < (int)u->help_top + h)
			key_lines(&ui_keys[k], w, y + (line > (int)u->help_top ?
			    line - (int)u->help_top : 0), x, from > 0 ? from :
			    0, from + h, u);
		line += n;
		if (line >= (int)u->help_top + h)
			break;
	}
}

/* Help opens at its top, and closes back to where it was opened. */
static void
help_enter(struct ui *u, enum ui_screen_id from)
{
	u->help_back = from;
	u->help_top = 0;
}

static int
help_key(struct ui *u, int key)
{
	/* a page: the screen's rows but one, so a line stays in sight */
	size_t page = u->body_h > 2 ? (size_t)u->body_h - 1 : 10;

	switch (key) {
	case UK(KEY_UP):
		if (u->help_top > 0)
			u->help_top--;
		break;
	case UK(KEY_DOWN):
		u->help_top++;
		break;
	case UK(KEY_PPAGE):
	case 'b':
		u->help_top = u->help_top > page ? u->help_top - page : 0;
		break;
	case UK(KEY_NPAGE):
	case ' ':
		u->help_top += page;
		break;
	case UK(KEY_HOME):
	case 'g':
		u->help_top = 0;
		break;
	default:
		/* any other key closes help */
		ui_show(u, u->help_back);
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

const struct ui_screen ui_help_screen = {
	.hint = "any other key closes the help",
	.draw = help_draw,
	.key = help_key,
	.enter = help_enter,
};
