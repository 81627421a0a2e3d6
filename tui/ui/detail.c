/*
 * detail.c - one entry pretty-printed: every field on its own line,
 * nested objects indented, long strings wrapped to the screen, search
 * matches highlighted; a malformed line (or any line, with r) shown raw.
 */
#include "config.h"

#include "ui.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SPANS 32

static void
lines_clear(struct ui_detail *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i].text);
	d->nlines = 0;
}

static void
detail_free(struct ui *u)
{
	struct ui_detail *d = &u->detail;

	lines_clear(d);
	free(d->lines);
	d->lines = NULL;
	d->cap = 0;
}

static void
add_line(struct ui_detail *d, const char *s, size_t n, size_t keylen,
    int attr)
{
	struct ui_detail_line *l;

	eng_grow(&d->lines, &d->cap, d->nlines + 1, sizeof *d->lines);
	l = &d->lines[d->nlines];
	l->text = eng_xmalloc(n + 1);
	memcpy(l->text, s, n);
	l->text[n] = '\0';
	l->len = n;
	l->keylen = keylen;
	l->attr = attr;
	d->nlines++;
}

/* Add "prefix value", the value wrapped at width with continuation lines
 * indented to the value's column (or to indent+2 when that is too far). */
static void
add_wrapped(struct ui_detail *d, const char *prefix, size_t keylen,
    const char *v, size_t n, int indent, int width, int attr)
{
	struct strbuf line;
	int pw = ui_text_width(prefix, strlen(prefix));
	int cont = pw <= width / 2 ? pw : indent + 2;
	bool first = true;

	strbuf_init(&line);
	do {
		int room = (first ? pw : cont);
		size_t cut;

		room = width - room > 10 ? width - room : 10;
		cut = ui_text_cut(v, n, room);
		if (cut < n) {
			for (size_t i = cut; i > cut / 2; i--)
				if (v[i - 1] == ' ') {
					cut = i;
					break;
				}
		}
		strbuf_reset(&line);
		if (first)
			strbuf_puts(&line, prefix);
		else
			strbuf_printf(&line, "%*s", cont, "");
		strbuf_add(&line, v, cut);
		add_line(d, line.s, line.len, first ? keylen : 0, attr);
		v += cut;
		n -= cut;
		first = false;
	} while (n > 0);
	strbuf_free(&line);
}

/* A string value, split at its newlines, each piece sanitised; the
 * pieces after the first start where the value does (as its wrapped
 * lines do), so that none of them reads as a key of its own. */
static void
add_value(struct ui_detail *d, const char *prefix, size_t keylen,
    const char *v, size_t n, int indent, int width, int attr)
{
	struct strbuf safe, pad;
	int pw = ui_text_width(prefix, strlen(prefix));
	const char *nl;

	strbuf_init(&safe);
	strbuf_init(&pad);
	strbuf_printf(&pad, "%*s", pw <= width / 2 ? pw : indent + 2, "");
	do {
		size_t piece;

		nl = memchr(v, '\n', n);
		piece = nl != NULL ? (size_t)(nl - v) : n;
		strbuf_reset(&safe);
		eng_sanitize(&safe, v, piece);
		add_wrapped(d, prefix, keylen, safe.s != NULL ? safe.s : "",
		    safe.len, indent, width, attr);
		prefix = pad.s;
		keylen = 0;
		if (nl != NULL) {
			v = nl + 1;
			n -= piece + 1;
		}
	} while (nl != NULL);
	strbuf_free(&safe);
	strbuf_free(&pad);
}

/* Whether a field's key is name. */
static bool
key_is(const struct eng_field *f, const char *name)
{
	return f->key != NULL && f->key_len == strlen(name) &&
	    memcmp(f->key, name, f->key_len) == 0;
}

static int
value_attr(const struct eng_field *f)
{
	if (key_is(f, "level") && f->kind == ENG_FIELD_STRING &&
	    memchr(f->text, '\0', f->text_len) == NULL) {
		int lv = llmlog_level_parse(f->text);

		return lv > 0 ? UI_ATTR_LEVEL + lv : 0;
	}
	if (key_is(f, "error") || (f->kind == ENG_FIELD_FALSE &&
	    (key_is(f, "success") || key_is(f, "allowed"))))
		return UI_PAIR_ERROR;
	return 0;
}

/* One of the entry's fields (eng_entry_fields): "key: value" indented two
 * columns a level, "key:" alone above an object's or list's members. */
static void
render(struct ui_detail *d, const struct eng_field *f, int width)
{
	struct strbuf prefix;
	int indent = (int)f->depth * 2;

	strbuf_init(&prefix);
	strbuf_printf(&prefix, "%*s", indent, "");
	if (f->key != NULL) {
		eng_sanitize(&prefix, f->key, f->key_len);
		strbuf_puts(&prefix, ": ");
	} else
		strbuf_puts(&prefix, "- ");
	if (f->text == NULL) {
		prefix.len--;	/* no trailing space on a heading */
		add_line(d, prefix.s, prefix.len, prefix.len, 0);
	} else
		add_value(d, prefix.s, prefix.len, f->text, f->text_len,
		    indent, width, value_attr(f));
	strbuf_free(&prefix);
}

static void
add_header(struct ui *u, struct ui_detail *d)
{
	struct eng_file_info fi;
	struct strbuf h, safe;

	strbuf_init(&h);
	strbuf_init(&safe);
	eng_file_info(u->e, d->entry.file, &fi);
	/* the list's selection stays on the entry shown (ui.c keeps it
	 * there as entries arrive), so this is its place now */
	if (d->back == UI_TRACE)
		strbuf_puts(&h, "Entry of the trace: ");
	else
		strbuf_printf(&h, "Entry %zu of %zu: ", u->sel -
		    ui_tail_first(u) + 1, ui_tail_end(u) - ui_tail_first(u));
	strbuf_printf(&h, "%s, byte %llu, %u bytes%s", fi.path != NULL ?
	    fi.path : "?", (unsigned long long)d->entry.offset,
	    d->entry.length, (d->entry.flags & ENTRY_MALFORMED) ?
	    " - MALFORMED: not a JSON object, shown raw" :
	    d->entry.length > ENG_LINE_SHOW ? " - its first MiB, as written "
	    "(llmlog -o json prints it whole)" : "");
	eng_sanitize(&safe, h.s, h.len);
	add_wrapped(d, "", 0, safe.s, safe.len, 0, d->width, UI_PAIR_TITLE);
	add_line(d, "", 0, 0, 0);
	strbuf_free(&h);
	strbuf_free(&safe);
}

static void
build(struct ui *u, int width)
{
	struct ui_detail *d = &u->detail;
	struct eng_fields f;
	const char *line;
	size_t len;

	lines_clear(d);
	d->width = width;
	add_header(u, d);
	eng_fields_init(&f);
	/* a line over ENG_LINE_SHOW bytes shows its start, as written */
	line = eng_line_head(u->e, &d->entry, ENG_LINE_SHOW, &len);
	if (line != NULL && !d->raw && !(d->entry.flags & ENTRY_MALFORMED) &&
	    d->entry.length <= ENG_LINE_SHOW &&
	    eng_entry_fields(line, len, &f)) {
		for (size_t i = 0; i < f.n; i++)
			render(d, &f.v[i], width);
	} else {
		if (line == NULL)
			add_line(d, "(no longer on disk: its file was deleted or "
			    "truncated)", 54, 0, UI_PAIR_MSGERR);
		else
			add_value(d, "", 0, line, len, 0, width, 0);
	}
	eng_fields_free(&f);
}

/* While an entry is shown the list does not follow, so that [ and ] step
 * from it; a list that was following follows again on the way back. */
void
ui_detail_open(struct ui *u, const struct eng_entry *en)
{
	u->detail.entry = *en;
	u->detail.follow_back = u->following;
	u->detail.top = 0;
	u->detail.width = 0;
	u->detail.raw = false;
	u->detail.back = UI_LIST;
	u->following = false;
	ui_show(u, UI_DETAIL);
}

static void
detail_changed(struct ui *u, enum ui_change what)
{
	/* the header counts the entries: build it again at the next draw */
	if (what == UI_VIEW_GREW || what == UI_VIEW_NEW)
		u->detail.width = 0;
}

static void
detail_back(struct ui *u)
{
	if (u->detail.back == UI_TRACE) {
		ui_show(u, UI_TRACE);
		return;
	}
	if (u->detail.follow_back)
		ui_follow(u);
	ui_show(u, UI_LIST);
}

/* ---- drawing ----------------------------------------------------------- */

static attr_t
line_attr(struct ui *u, int attr)
{
	if (attr > UI_ATTR_LEVEL)
		return ui_level_attr(u, attr - UI_ATTR_LEVEL);
	return attr != 0 ? ui_pair(u, attr) : A_NORMAL;
}

static void
draw_line(struct ui *u, const struct ui_detail_line *l, int y, int x, int w)
{
	struct ui_span spans[MAX_SPANS], vspans[MAX_SPANS];
	size_t n = ui_match_spans(u->search, l->text, l->len, spans, MAX_SPANS);
	size_t nv = 0;
	attr_t hl = ui_pair(u, UI_PAIR_MATCH);
	int kw = 0;

	if (l->keylen > 0) {
		kw = ui_text_width(l->text, l->keylen);
		if (kw > w)
			kw = w;
		ui_text(y, x, kw, l->text, l->keylen, 0,
		    ui_pair(u, UI_PAIR_KEY), spans, n, hl);
	}
	for (size_t i = 0; i < n; i++)
		if (spans[i].end > l->keylen) {
			vspans[nv].start = spans[i].start > l->keylen ?
			    spans[i].start - l->keylen : 0;
			vspans[nv++].end = spans[i].end - l->keylen;
		}
	ui_text(y, x + kw, w - kw, l->text + l->keylen, l->len - l->keylen, 0,
	    line_attr(u, l->attr), vspans, nv, hl);
}

static int
page(struct ui *u)
{
	return u->body_h > 1 ? u->body_h - 1 : 1;
}

static void
detail_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_detail *d = &u->detail;

	if (d->width != w)
		build(u, w);
	if (d->nlines > (size_t)h && d->top > d->nlines - (size_t)h)
		d->top = d->nlines - (size_t)h;
	if (d->nlines <= (size_t)h)
		d->top = 0;
	for (int i = 0; i < h && d->top + (size_t)i < d->nlines; i++)
		draw_line(u, &d->lines[d->top + (size_t)i], y + i, x, w);
}

static int
detail_search(struct ui *u, int dir)
{
	struct ui_detail *d = &u->detail;
	struct ui_span sp;
	size_t n = d->nlines;

	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (d->top + k) % n : (d->top + n - k) % n;

		if (ui_match_spans(u->search, d->lines[i].text,
		    d->lines[i].len, &sp, 1) > 0) {
			d->top = i;
			return UI_HANDLED | UI_REDRAW;
		}
	}
	ui_message(u, true, "Pattern not found: %s", u->search_text);
	return UI_HANDLED | UI_REDRAW;
}

/* The previous or next entry of the list, without going back to it. */
static void
step_entry(struct ui *u, int dir)
{
	if (u->detail.back == UI_TRACE)
		return;		/* the list's neighbours are not the trace's */
	if (dir < 0 && u->sel > ui_tail_first(u))
		u->sel--;
	else if (dir > 0 && u->sel + 1 < ui_tail_end(u))
		u->sel++;
	else
		return;
	ui_detail_open(u, eng_view_get(u->view, u->sel));
}

static void
scroll_by(struct ui_detail *d, long delta)
{
	long t = (long)d->top + delta;

	if (t < 0)
		t = 0;
	if (d->nlines > 0 && (size_t)t >= d->nlines)
		t = (long)d->nlines - 1;
	d->top = (size_t)t;
}

static int
detail_key(struct ui *u, int key)
{
	struct ui_detail *d = &u->detail;

	switch (key) {
	case UK(KEY_UP):
		scroll_by(d, -1);
		break;
	case UK(KEY_DOWN):
		scroll_by(d, 1);
		break;
	case UK(KEY_PPAGE):
	case 'b':
		scroll_by(d, -page(u));
		break;
	case UK(KEY_NPAGE):
	case ' ':
		scroll_by(d, page(u));
		break;
	case UK(KEY_HOME):
	case 'g':
		d->top = 0;
		break;
	case UK(KEY_END):
	case 'G':
		scroll_by(d, (long)d->nlines);
		break;
	case '[':
		step_entry(u, -1);
		break;
	case ']':
		step_entry(u, 1);
		break;
	case 'o':
		ui_trace_open(u, &d->entry);
		break;
	case 'r':
		d->raw = !d->raw;
		d->width = 0;
		d->top = 0;
		break;
	case '/':
		ui_prompt_open(u, UI_PROMPT_SEARCH_FWD, NULL);
		break;
	case '?':
		ui_prompt_open(u, UI_PROMPT_SEARCH_BACK, NULL);
		break;
	case 'n':
		return ui_search_next(u, 1);
	case 'N':
		return ui_search_next(u, -1);
	case 'h':
	case UK(KEY_F(1)):
		ui_show(u, UI_HELP);
		break;
	case 'q':
	case UI_ESC:
	case UK(KEY_BACKSPACE):
	case UK(KEY_LEFT):
		detail_back(u);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const struct ui_screen ui_detail_screen = {
	.hint = "q back  [ ] entries  r raw  o trace  / search  n N match  h help",
	.draw = detail_draw,
	.key = detail_key,
	.search = detail_search,
	.changed = detail_changed,
	.free = detail_free,
};
