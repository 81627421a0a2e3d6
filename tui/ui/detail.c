/*
 * detail.c - one entry pretty-printed: every field on its own line,
 * nested objects indented, long strings wrapped to the screen, search
 * matches highlighted; a malformed line (or any line, with r) shown raw.
 * When the entry fits, a field cursor moves over its fields, and = adds
 * the one under it to the where filter as `path = value`, written so
 * that the grammar of llmlog(1), WHERE GRAMMAR, reads it back exactly.
 */
#include "config.h"

#include "ui.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SPANS 32
#define UNIT_SPANS 1024	/* matches in one decoded line, wrapped */

static void
lines_clear(struct ui_detail *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i].text);
	d->nlines = 0;
	for (size_t i = 0; i < d->nfields; i++)
		free(d->fields[i].expr);
	d->nfields = 0;
}

static void
detail_free(struct ui *u)
{
	struct ui_detail *d = &u->detail;

	lines_clear(d);
	free(d->lines);
	free(d->fields);
	d->lines = NULL;
	d->fields = NULL;
	d->cap = d->fcap = 0;
	eng_decoded_free(&d->dec);
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
	l->unit = -1;
	l->field = -1;
	d->nlines++;
}

/* Where the line added last shows part of decoded line unit. */
static void
set_unit(struct ui_detail *d, long unit, size_t lead, size_t uoff)
{
	struct ui_detail_line *l = &d->lines[d->nlines - 1];

	l->unit = unit;
	l->lead = lead;
	l->uoff = uoff;
}

/* Add "prefix value", the value wrapped at width with continuation lines
 * indented to the value's column (or to indent+2 when that is too far).
 * With a decoded line (unit >= 0), prefix's first lead bytes are
 * indentation and the rest, then the value, are that line's bytes. */
static void
add_wrapped_unit(struct ui_detail *d, const char *prefix, size_t keylen,
    const char *v, size_t n, int indent, int width, int attr, long unit,
    size_t lead)
{
	size_t uoff = strlen(prefix) - lead;	/* at v */

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
		if (unit >= 0)
			set_unit(d, unit, first ? lead : line.len - cut,
			    first ? 0 : uoff);
		uoff += cut;
		v += cut;
		n -= cut;
		first = false;
	} while (n > 0);
	strbuf_free(&line);
}

static void
add_wrapped(struct ui_detail *d, const char *prefix, size_t keylen,
    const char *v, size_t n, int indent, int width, int attr)
{
	add_wrapped_unit(d, prefix, keylen, v, n, indent, width, attr, -1, 0);
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

/* The lines of the entry's decoded text that show one field (all but
 * the summary, line 0: eng_decoded), from line *i on: "key: value"
 * indented two columns a level, "key:" alone above an object's or list's
 * members, a string's later lines from the value's column. */
static void
render(struct ui_detail *d, size_t *i, int width)
{
	const struct eng_decoded_line *dl = &d->dec.line[*i];
	const struct eng_field *f = &d->dec.fields.v[dl->field];
	const char *t = d->dec.text.s;
	struct strbuf prefix, pad;
	int indent = (int)f->depth * 2, pw;

	strbuf_init(&prefix);
	strbuf_init(&pad);
	strbuf_printf(&prefix, "%*s", indent, "");
	strbuf_add(&prefix, t + dl->off, dl->key_len);
	if (f->text == NULL)
		add_line(d, prefix.s, prefix.len, prefix.len, 0);
	else
		add_wrapped_unit(d, prefix.s, prefix.len, t + dl->off +
		    dl->key_len, dl->len - dl->key_len, indent, width,
		    value_attr(f), (long)*i, (size_t)indent);
	if (f->text == NULL)
		set_unit(d, (long)*i, (size_t)indent, 0);
	pw = ui_text_width(prefix.s, prefix.len);
	strbuf_printf(&pad, "%*s", pw <= width / 2 ? pw : indent + 2, "");
	/* a string's later lines, without the key */
	while (*i + 1 < d->dec.n && d->dec.line[*i + 1].field == dl->field) {
		const struct eng_decoded_line *more = &d->dec.line[++*i];

		add_wrapped_unit(d, pad.s, 0, t + more->off, more->len, indent,
		    width, value_attr(f), (long)*i, pad.len);
	}
	strbuf_free(&prefix);
	strbuf_free(&pad);
}

/* ---- a field as a where expression ---------------------------------------- */

/* The names that mean a virtual field, not a key, when bare. */
static bool
virtual_name(const char *s, size_t n)
{
	static const char *const names[] = { "category", "level", "time",
	    "host", "trace", "cost", NULL };

	for (size_t i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(s, names[i], n) == 0)
			return true;
	return false;
}

/* The path of field i of f, its keys from the top (a list's elements
 * have none: a comparison on a list holds when an element does); false
 * when no path of the grammar names it: a part that is no bare word
 * below the top, where a quoted name cannot be one part of several. */
static bool
field_path(const struct eng_fields *f, size_t i, struct strbuf *out)
{
	const struct eng_field *parts[64];
	unsigned depth = f->v[i].depth;
	size_t n = 0;

	if (depth >= 64)
		return false;
	/* the nearest heading above at each depth is the field's parent */
	for (size_t k = i + 1; k-- > 0;) {
		if (f->v[k].depth == depth) {
			if (f->v[k].key != NULL)
				parts[n++] = &f->v[k];
			if (depth == 0)
				break;
			depth--;
		}
	}
	if (n == 0)
		return false;
	if (n == 1 && (!ui_where_bare(parts[0]->key, parts[0]->key_len, false) ||
	    virtual_name(parts[0]->key, parts[0]->key_len))) {
		ui_where_quoted(out, parts[0]->key, parts[0]->key_len);
		return true;
	}
	for (size_t k = n; k-- > 0;) {
		if (!ui_where_bare(parts[k]->key, parts[k]->key_len, false))
			return false;
		if (k != n - 1)
			strbuf_puts(out, ".");
		strbuf_add(out, parts[k]->key, parts[k]->key_len);
	}
	return true;
}

/* `path = value` for field i, or NULL: an object or list (a heading, or
 * empty) has no value to compare. */
static char *
field_expr(const struct eng_fields *f, size_t i)
{
	const struct eng_field *fl = &f->v[i];
	struct strbuf b;

	if (fl->text == NULL || fl->kind == ENG_FIELD_OBJECT ||
	    fl->kind == ENG_FIELD_ARRAY)
		return NULL;
	strbuf_init(&b);
	if (!field_path(f, i, &b)) {
		strbuf_free(&b);
		return NULL;
	}
	strbuf_puts(&b, " = ");
	/* a number, true, false and null as written; a string that is a
	 * bare word bare (a number-like one still compares as text with a
	 * string field), else quoted */
	if (fl->kind != ENG_FIELD_STRING ||
	    ui_where_bare(fl->text, fl->text_len, true))
		strbuf_add(&b, fl->text, fl->text_len);
	else
		ui_where_quoted(&b, fl->text, fl->text_len);
	return b.s;
}

static void
add_field(struct ui_detail *d, const struct eng_fields *f, size_t i,
    size_t first)
{
	eng_grow(&d->fields, &d->fcap, d->nfields + 1, sizeof *d->fields);
	d->fields[d->nfields] = (struct ui_dfield){ .expr = field_expr(f, i),
	    .first = first };
	for (size_t k = first; k < d->nlines; k++)
		d->lines[k].field = (long)d->nfields;
	d->nfields++;
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
	if (eng_source_count(u->e) > 1)
		strbuf_printf(&h, "host %s, ", eng_host_name(u->e,
		    d->entry.source));
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

/* An LLM call's cost, after its fields (llmlog(1), COST). */
static void
add_cost(struct ui *u, struct ui_detail *d, const char *line, size_t len,
    int width)
{
	struct strbuf t;

	strbuf_init(&t);
	if (eng_cost_describe(u->e, &d->entry, line, len, &t))
		add_value(d, "cost: ", 6, t.s, t.len, 0, width, 0);
	strbuf_free(&t);
}

static void
build(struct ui *u, int width)
{
	struct ui_detail *d = &u->detail;
	const char *line;
	size_t len;

	lines_clear(d);
	d->width = width;
	add_header(u, d);
	/* a line over ENG_LINE_SHOW bytes shows its start, as written */
	line = eng_line_head(u->e, &d->entry, ENG_LINE_SHOW, &len);
	if (line != NULL && !d->raw && !(d->entry.flags & ENTRY_MALFORMED) &&
	    d->entry.length <= ENG_LINE_SHOW) {
		if (d->dec.text.s == NULL)
			eng_decoded_init(&d->dec);
		eng_decoded_build(&d->dec, u->e, &d->entry, line, len);
	}
	if (line != NULL && !d->raw && !(d->entry.flags & ENTRY_MALFORMED) &&
	    d->entry.length <= ENG_LINE_SHOW && d->dec.n > 1) {
		for (size_t i = 1; i < d->dec.n; i++) {
			size_t first = d->nlines;
			long field = d->dec.line[i].field;

			render(d, &i, width);
			add_field(d, &d->dec.fields, (size_t)field, first);
		}
		add_cost(u, d, line, len, width);
	} else {
		if (line == NULL)
			add_line(d, "(no longer on disk: its file was deleted or "
			    "truncated)", 54, 0, UI_PAIR_MSGERR);
		else
			add_value(d, "", 0, line, len, 0, width, 0);
	}
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
	u->detail.cur = 0;
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

/* The search's matches in what line l shows: of the decoded line it is
 * part of, matched whole (so a match is seen across the wrap), or of its
 * own text. */
static size_t
line_spans(struct ui *u, const struct ui_detail_line *l,
    struct ui_span *spans, size_t max)
{
	struct ui_span all[UNIT_SPANS];
	const struct eng_decoded_line *dl;
	size_t n, k = 0, from, to;

	if (l->unit < 0 || (size_t)l->unit >= u->detail.dec.n)
		return ui_match_spans(u->search, l->text, l->len, spans, max);
	dl = &u->detail.dec.line[l->unit];
	n = ui_match_spans(u->search, u->detail.dec.text.s + dl->off, dl->len,
	    all, UNIT_SPANS);
	from = l->uoff;
	to = l->uoff + (l->len - l->lead);
	for (size_t i = 0; i < n && k < max; i++) {
		if (all[i].end <= from || all[i].start >= to)
			continue;
		spans[k].start = (all[i].start > from ? all[i].start : from) -
		    from + l->lead;
		spans[k].end = (all[i].end < to ? all[i].end : to) - from +
		    l->lead;
		k++;
	}
	return k;
}

static void
draw_line(struct ui *u, const struct ui_detail_line *l, int y, int x, int w)
{
	struct ui_span spans[MAX_SPANS], vspans[MAX_SPANS];
	size_t n = line_spans(u, l, spans, MAX_SPANS);
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
	d->fits = d->nlines <= (size_t)h;
	if (d->fits && d->cur >= 0 && (size_t)d->cur < d->nfields)
		for (int i = 0; i < h && d->top + (size_t)i < d->nlines; i++)
			if (d->lines[d->top + (size_t)i].field == d->cur)
				mvchgat(y + i, x, w, A_REVERSE, 0, NULL);
}

static int
detail_search(struct ui *u, int dir)
{
	struct ui_detail *d = &u->detail;
	struct ui_span sp;
	size_t n = d->nlines;

	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (d->top + k) % n : (d->top + n - k) % n;

		if (line_spans(u, &d->lines[i], &sp, 1) > 0) {
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

/* Up and Down: the field cursor when the entry fits, else a line. */
static void
cursor_by(struct ui_detail *d, int step)
{
	long c = d->cur + step;

	if (!d->fits || d->nfields == 0) {
		scroll_by(d, step);
		return;
	}
	if (c >= 0 && (size_t)c < d->nfields)
		d->cur = c;
}

/* = : the field under the cursor (or, when the entry does not fit, the
 * first one shown) into the where filter, and the list shows what it
 * selects. */
static int
add_where(struct ui *u)
{
	struct ui_detail *d = &u->detail;
	long fi = d->cur;
	char err[512];
	size_t col;

	if (!d->fits)
		for (size_t i = d->top; i < d->nlines; i++)
			if ((fi = d->lines[i].field) >= 0)
				break;
	if (fi < 0 || (size_t)fi >= d->nfields) {
		ui_message(u, true, "no field here to filter on");
		return UI_HANDLED | UI_REDRAW;
	}
	if (d->fields[fi].expr == NULL) {
		ui_message(u, true, "= needs a field with a value: an object "
		    "or list, or a nested key holding a dot, is none");
		return UI_HANDLED | UI_REDRAW;
	}
	if (ui_where_add(u, d->fields[fi].expr, err, sizeof err, &col) != 0) {
		ui_message(u, true, "%s", err);
		return UI_HANDLED | UI_REDRAW;
	}
	ui_refilter(u);
	detail_back(u);
	ui_message(u, false, "where: %s", d->fields[fi].expr);
	return UI_HANDLED | UI_REDRAW;
}

static int
detail_key(struct ui *u, int key)
{
	struct ui_detail *d = &u->detail;

	switch (key) {
	case UK(KEY_UP):
		cursor_by(d, -1);
		break;
	case UK(KEY_DOWN):
		cursor_by(d, 1);
		break;
	case '=':
		return add_where(u);
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
