/*
 * prompt.c - the one-line editor at the bottom of the screen for
 * searches, times, keywords, patterns, where expressions and SQL.  A
 * wrong time, pattern or expression keeps the prompt open with the
 * reason shown after the input, and the character it names marked (as
 * --where's caret).  A leading ! negates a keyword, pattern or
 * expression (filter-out); !! stands for a literal !.
 */
#include "config.h"

#include "ui.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const char *const labels[] = {
	[UI_PROMPT_NONE] = "",
	[UI_PROMPT_SEARCH_FWD] = "/",
	[UI_PROMPT_SEARCH_BACK] = "?",
	[UI_PROMPT_SINCE] = "Since: ",
	[UI_PROMPT_UNTIL] = "Until: ",
	[UI_PROMPT_KEYWORD] = "Keyword: ",
	[UI_PROMPT_REGEX] = "Filter (regex): ",
	[UI_PROMPT_TAIL] = "Last N entries: ",
	[UI_PROMPT_GOTO] = "Go to time: ",
	[UI_PROMPT_WHERE] = "Where: ",
	[UI_PROMPT_SQL] = "SQL: ",
	[UI_PROMPT_HOSTS] = "Hosts (a,b; empty: every host): ",
};

const char *
ui_prompt_negation(const char *text, bool *negated)
{
	*negated = text[0] == '!' && text[1] != '!';
	return text[0] == '!' ? text + 1 : text;
}

void
ui_prompt_negated_text(struct strbuf *out, const char *text, bool negated)
{
	if (negated)
		strbuf_puts(out, "!");
	else if (text[0] == '!')
		strbuf_puts(out, "!");
	strbuf_puts(out, text);
}

/* A bare word of the grammar: [A-Za-z0-9_.:/@+-]+, not one of its own. */
bool
ui_where_bare(const char *s, size_t n, bool dots)
{
	static const char *const reserved[] = { "and", "or", "not", "in",
	    "exists", NULL };

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c != 0 && c != '.' &&
		    strchr("_:/@+-", c) != NULL) || (dots && c == '.')))
			return false;
	}
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strlen(reserved[i]) == n && memcmp(s, reserved[i], n) == 0)
			return false;
	return true;
}

/* "…" with JSON's escapes. */
void
ui_where_quoted(struct strbuf *out, const char *s, size_t n)
{
	strbuf_puts(out, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			strbuf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_printf(out, "\\u%04x", c);
		else
			strbuf_add(out, s + i, 1);
	}
	strbuf_puts(out, "\"");
}

/* A value as a where literal: bare when it can be, else quoted. */
void
ui_where_literal(struct strbuf *out, const char *s, size_t n)
{
	if (ui_where_bare(s, n, true))
		strbuf_add(out, s, n);
	else
		ui_where_quoted(out, s, n);
}

void
ui_prompt_open(struct ui *u, enum ui_prompt_kind kind, const char *initial)
{
	struct ui_prompt *p = &u->prompt;

	p->kind = kind;
	p->error[0] = '\0';
	p->error_col = 0;
	strbuf_reset(&p->text);
	if (initial != NULL)
		strbuf_puts(&p->text, initial);
}

void
ui_prompt_free(struct ui_prompt *p)
{
	strbuf_free(&p->text);
	p->kind = UI_PROMPT_NONE;
}

/* The sanitised input's byte span of the character the error names. */
static size_t
error_span(const struct ui_prompt *p, struct ui_span *sp)
{
	const char *s = p->text.s != NULL ? p->text.s : "";
	size_t at = 0, col = 1, end;
	struct strbuf b;

	if (p->error[0] == '\0' || p->error_col == 0)
		return 0;
	while (at < p->text.len && col < p->error_col) {
		at++;
		while (at < p->text.len && ((unsigned char)s[at] & 0xc0) == 0x80)
			at++;
		col++;
	}
	if (at >= p->text.len)
		return 0;
	end = at + 1;
	while (end < p->text.len && ((unsigned char)s[end] & 0xc0) == 0x80)
		end++;
	strbuf_init(&b);
	eng_sanitize(&b, s, at);
	sp->start = b.len;
	strbuf_reset(&b);
	eng_sanitize(&b, s + at, end - at);
	sp->end = sp->start + b.len;
	strbuf_free(&b);
	return 1;
}

void
ui_prompt_draw(struct ui *u, int y, int w)
{
	struct ui_prompt *p = &u->prompt;
	struct strbuf safe, err;
	struct ui_span sp;
	size_t nsp = error_span(p, &sp);
	int x, cx;

	strbuf_init(&safe);
	strbuf_init(&err);
	eng_sanitize(&safe, p->text.s != NULL ? p->text.s : "", p->text.len);
	if (p->error[0] != '\0') {
		strbuf_puts(&err, "  ");
		eng_sanitize(&err, p->error, strlen(p->error));
	}
	ui_fill(y, 0, w, A_NORMAL);
	x = ui_puts(y, 0, w, labels[p->kind], A_BOLD);
	/* keep the end of a long input in sight, or the character an error
	 * names, and leave the error room: half the line at least */
	if (safe.len > 0) {
		int tw = ui_text_width(safe.s, safe.len);
		int ew = ui_text_width(err.s, err.len);
		int room = w - x - 1, skip;

		if (ew > 0 && room - ew < room / 2)
			room = room / 2;
		else if (ew > 0)
			room -= ew;
		skip = tw > room ? tw - room : 0;
		if (nsp > 0) {
			int at = ui_text_width(safe.s, sp.start);

			if (at < skip)
				skip = at > 2 ? at - 2 : 0;
		}
		x += ui_text(y, x, tw - skip < w - x ? tw - skip : w - x,
		    safe.s, safe.len, skip, A_NORMAL, &sp, nsp,
		    ui_pair(u, UI_PAIR_MSGERR) | A_REVERSE);
	}
	cx = x;
	if (err.len > 0 && x + 3 < w) {
		const char *ell = u->utf8 ? "\xe2\x80\xa6" : "...";
		int ew = ui_text_width(err.s, err.len);
		int elw = ui_text_width(ell, strlen(ell));
		attr_t a = ui_pair(u, UI_PAIR_MSGERR);

		if (ew <= w - x) {
			ui_text(y, x, w - x, err.s, err.len, 0, a, NULL, 0, 0);
		} else {
			size_t cut = ui_text_cut(err.s, err.len, w - x - elw);
			int cw = ui_text_width(err.s, cut);

			ui_text(y, x, cw, err.s, cut, 0, a, NULL, 0, 0);
			ui_puts(y, x + cw, w - x - cw, ell, a);
		}
	}
	strbuf_free(&err);
	move(y, cx < w ? cx : w - 1);
	strbuf_free(&safe);
}

static void
delete_char(struct strbuf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->s[--b->len];

		if ((c & 0xc0) != 0x80)
			break;
	}
	if (b->s != NULL)
		b->s[b->len] = '\0';
}

static void
insert_char(struct strbuf *b, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = wcrtomb(mb, (wchar_t)key, &st);
	if (n != (size_t)-1)
		strbuf_add(b, mb, n);
}

static int
accept(struct ui *u)
{
	struct ui_prompt *p = &u->prompt;
	enum ui_prompt_kind kind = p->kind;
	char *text = eng_xstrdup(p->text.s != NULL ? p->text.s : "");
	int r;

	p->error[0] = '\0';
	p->error_col = 0;
	r = ui_prompt_apply(u, kind, text);
	free(text);
	if (p->error[0] == '\0')
		p->kind = UI_PROMPT_NONE;
	return r | UI_HANDLED | UI_REDRAW;
}

int
ui_prompt_key(struct ui *u, int key)
{
	struct ui_prompt *p = &u->prompt;

	switch (key) {
	case '\r':
	case '\n':
	case UK(KEY_ENTER):
		return accept(u);
	case UI_ESC:
	case UI_CTRL('g'):
		p->kind = UI_PROMPT_NONE;
		break;
	case UK(KEY_BACKSPACE):
	case 0x7f:
	case UI_CTRL('h'):
		delete_char(&p->text);
		p->error[0] = '\0';
		break;
	case UI_CTRL('u'):
		strbuf_reset(&p->text);
		p->error[0] = '\0';
		break;
	default:
		if (key >= 0x20 && key < UI_FN && key != 0x7f) {
			insert_char(&p->text, key);
			p->error[0] = '\0';
		}
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}
