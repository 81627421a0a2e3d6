/*
 * trace.c - the trace screen: one request end to end, every entry of its
 * trace as a tree (eng_trace_find), each row with its category, summary,
 * start offset from the root, duration and a waterfall bar scaled to the
 * root's span; failures red, the slowest path marked.  Enter opens an
 * entry's detail and comes back here; Esc goes back to where o was
 * pressed; [ and ] step through the requests of the conversation.
 */
#include "config.h"

#include "ui.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OFF_W 9
#define DUR_W 9
#define BAR_MIN 10
#define BAR_MAX 40
#define CAT_W 11
#define HEAD_ROWS 2

struct ui_trace {
	struct eng_trace *t;
	char **summary;		/* per row, sanitised */
	size_t sel, top;
	enum ui_screen_id back;	/* where Esc goes */
	struct eng_entry back_entry;	/* the detail's entry, when back */
	bool back_follow;
	struct eng_entry *reqs;	/* the conversation's requests */
	size_t nreqs;
	size_t req;		/* this trace's among them, or nreqs */
	bool reqs_found;	/* looked up (at the first [ or ]: the
				   lookup reads every user entry) */
};

static void
trace_clear(struct ui_trace *tr)
{
	if (tr->t != NULL)
		for (size_t i = 0; i < tr->t->n; i++)
			free(tr->summary[i]);
	free(tr->summary);
	eng_trace_free(tr->t);
	tr->summary = NULL;
	tr->t = NULL;
}

/* The conversation's requests: kept while [ and ] step through them. */
static void
reqs_clear(struct ui_trace *tr)
{
	free(tr->reqs);
	tr->reqs = NULL;
	tr->nreqs = 0;
	tr->reqs_found = false;
}

static void
trace_free(struct ui *u)
{
	if (u->trace == NULL)
		return;
	trace_clear(u->trace);
	reqs_clear(u->trace);
	free(u->trace);
	u->trace = NULL;
}

static bool
same_entry(const struct eng_entry *a, const struct eng_entry *b)
{
	return a->file == b->file && a->offset == b->offset;
}

/* Which of the conversation's requests this trace is: its root entry's
 * place among them (one still running has none: it comes after them). */
static void
find_request(struct ui *u, struct ui_trace *tr)
{
	const struct eng_trace *t = tr->t;

	reqs_clear(tr);
	tr->reqs_found = true;
	tr->req = 0;
	if (t->conversation == NULL)
		return;
	tr->nreqs = eng_conversation_requests(u->e, t->conversation,
	    &tr->reqs);
	tr->req = tr->nreqs;
	for (size_t i = 0; i < tr->nreqs; i++) {
		if (t->root != ENG_TRACE_NONE &&
		    same_entry(&tr->reqs[i], &t->v[t->root].entry)) {
			tr->req = i;
			return;
		}
	}
}

/* Show trace id; false (and nothing changes) when none of its entries
 * is there. */
static bool
load(struct ui *u, const char *id, const struct eng_entry *near)
{
	struct ui_trace *tr = u->trace;
	struct eng_trace *t = near != NULL ?
	    eng_trace_find_near(u->e, id, near) : eng_trace_find(u->e, NULL, id);
	struct strbuf s, raw;

	if (t == NULL)
		return false;
	trace_clear(tr);
	tr->t = t;
	tr->summary = eng_xcalloc(t->n + 1, sizeof *tr->summary);
	strbuf_init(&s);
	strbuf_init(&raw);
	for (size_t i = 0; i < t->n; i++) {
		strbuf_reset(&s);
		strbuf_reset(&raw);
		eng_summary(u->e, &t->v[i].entry, &raw);
		eng_sanitize(&s, raw.s != NULL ? raw.s : "", raw.len);
		if (t->v[i].orphan)
			strbuf_puts(&s, " (parent missing)");
		tr->summary[i] = eng_xstrndup(s.s != NULL ? s.s : "", s.len);
	}
	strbuf_free(&s);
	strbuf_free(&raw);
	tr->sel = tr->top = 0;
	return true;
}

void
ui_trace_open(struct ui *u, const struct eng_entry *en)
{
	struct eng_trace_ref ref;
	const char *line;
	size_t len;
	enum ui_screen_id from = u->screen;

	line = eng_line(u->e, en, &len);
	if (line == NULL || (en->flags & ENTRY_MALFORMED) ||
	    !eng_entry_trace(line, len, &ref)) {
		ui_message(u, true, "this entry has no trace (no trace_id)");
		return;
	}
	eng_trace_ref_free(&ref);
	if (u->trace == NULL)
		u->trace = eng_xcalloc(1, sizeof *u->trace);
	reqs_clear(u->trace);
	if (!load(u, ref.trace_id, en)) {
		ui_message(u, true, "trace %s: its entries are gone",
		    ref.trace_id);
		return;
	}
	/* o in a detail opened from this screen keeps where Esc goes */
	if (!(from == UI_DETAIL && u->detail.back == UI_TRACE)) {
		u->trace->back = from == UI_DETAIL ? UI_DETAIL : UI_LIST;
		u->trace->back_entry = u->detail.entry;
		u->trace->back_follow = u->detail.follow_back;
	}
	/* the row of the entry o was pressed on */
	for (size_t i = 0; i < u->trace->t->n; i++)
		if (same_entry(&u->trace->t->v[i].entry, en))
			u->trace->sel = i;
	ui_show(u, UI_TRACE);
}

/* ---- drawing ----------------------------------------------------------- */

/* An id in the heading: whole, or its first idw characters and an
 * ellipsis. */
static void
add_id(struct ui *u, struct strbuf *h, const char *id, int idw)
{
	size_t n = strlen(id);
	struct strbuf safe;

	strbuf_init(&safe);
	eng_sanitize(&safe, id, n);
	if (idw > 0 && ui_text_width(safe.s, safe.len) > idw + 1) {
		strbuf_add(h, safe.s, ui_text_cut(safe.s, safe.len, idw));
		strbuf_puts(h, u->utf8 ? "\xe2\x80\xa6" : "...");
	} else
		strbuf_add(h, safe.s, safe.len);
	strbuf_free(&safe);
}

/* "Trace 4bf92f…: 12 entries, 1.20s, 1 failed; conversation c1,
 * request 2 of 3": the ids cut when the whole heading does not fit w. */
static void
heading(struct ui *u, const struct ui_trace *tr, struct strbuf *h, int idw)
{
	const struct eng_trace *t = tr->t;

	strbuf_puts(h, "Trace ");
	add_id(u, h, t->id, idw);
	strbuf_printf(h, ": %zu entr%s", t->n, t->n == 1 ? "y" : "ies");
	if (t->start_us != ENG_TIME_NONE) {
		strbuf_puts(h, ", ");
		eng_trace_format_ms(h, (double)(t->end_us - t->start_us) /
		    ENG_US_PER_MS);
	}
	if (t->failed > 0)
		strbuf_printf(h, ", %zu failed", t->failed);
	if (t->root == ENG_TRACE_NONE)
		strbuf_puts(h, ", in progress");
	if (t->orphans > 0)
		strbuf_printf(h, idw > 0 ? ", %zu orphaned" :
		    ", %zu whose parent is missing", t->orphans);
	if (t->conversation != NULL) {
		strbuf_puts(h, idw > 0 ? "; conv " : "; conversation ");
		add_id(u, h, t->conversation, idw);
		if (tr->req < tr->nreqs)
			strbuf_printf(h, idw > 0 ? ", req %zu/%zu" :
			    ", request %zu of %zu", tr->req + 1, tr->nreqs);
	}
}

static void
draw_header(struct ui *u, const struct ui_trace *tr, int y, int x, int w,
    int bar_w)
{
	struct strbuf h;

	strbuf_init(&h);
	heading(u, tr, &h, 0);
	for (int idw = 12; idw >= 6 && ui_text_width(h.s, h.len) > w;
	    idw -= 6) {
		strbuf_reset(&h);
		heading(u, tr, &h, idw);
	}
	ui_puts(y, x, w, h.s, ui_pair(u, UI_PAIR_TITLE));
	strbuf_reset(&h);
	strbuf_printf(&h, "  %*s %*s %-*s %s", OFF_W, "OFFSET", DUR_W,
	    "DURATION", bar_w + 2, "WATERFALL", "ENTRY");
	ui_puts(y + 1, x, w, h.s, A_BOLD);
	strbuf_free(&h);
}

static void
draw_bar(struct ui *u, const struct eng_trace *t,
    const struct eng_trace_node *nd, int y, int x, int bw, attr_t a)
{
	double span = (double)(t->end_us - t->start_us);
	int from = 0, to = 0;

	if (nd->end_us != ENG_TIME_NONE && t->start_us != ENG_TIME_NONE) {
		double s = span > 0 ? floor((double)(nd->start_us -
		    t->start_us) / span * bw) : 0;
		double e = span > 0 ? ceil((double)(nd->end_us - t->start_us) /
		    span * bw) : bw;

		s = s < 0 ? 0 : s > bw - 1 ? bw - 1 : s;
		e = e > bw ? bw : e <= s ? s + 1 : e;
		from = (int)s;
		to = (int)e;
	}
	mvaddstr(y, x, "|");
	for (int i = 0; i < bw; i++) {
		bool on = i >= from && i < to;

		attrset(on ? a : A_NORMAL);
		mvaddstr(y, x + 1 + i, on ? (u->utf8 ? "\xe2\x96\x88" : "=") :
		    " ");
	}
	attrset(A_NORMAL);
	mvaddstr(y, x + 1 + bw, "|");
}

static void
draw_row(struct ui *u, const struct ui_trace *tr, size_t i, int y, int x,
    int w, int bw)
{
	const struct eng_trace *t = tr->t;
	const struct eng_trace_node *nd = &t->v[i];
	attr_t base = i == tr->sel ? A_REVERSE : A_NORMAL;
	attr_t a = base;
	struct strbuf s;
	const char *cat = nd->entry.category < LLMLOG_NCATEGORIES ?
	    llmlog_category_name(nd->entry.category) : "?";
	int cx;

	if (nd->failed || nd->denied)
		a |= ui_pair(u, UI_PAIR_ERROR);
	if (nd->slowest)
		a |= A_BOLD;
	strbuf_init(&s);
	ui_fill(y, x, w, base);
	strbuf_puts(&s, nd->slowest ? "* " : "  ");
	if (nd->end_us == ENG_TIME_NONE || t->start_us == ENG_TIME_NONE)
		strbuf_printf(&s, "%*s", OFF_W, "?");
	else {
		struct strbuf o;

		strbuf_init(&o);
		strbuf_puts(&o, nd->start_us < t->start_us ? "-" : "+");
		eng_trace_format_ms(&o, fabs((double)(nd->start_us -
		    t->start_us)) / ENG_US_PER_MS);
		strbuf_printf(&s, "%*s", OFF_W, o.s);
		strbuf_free(&o);
	}
	strbuf_puts(&s, " ");
	{
		struct strbuf d;

		strbuf_init(&d);
		if (isnan(nd->duration_ms))
			strbuf_puts(&d, "-");
		else
			eng_trace_format_ms(&d, nd->duration_ms);
		strbuf_printf(&s, "%*s ", DUR_W, d.s);
		strbuf_free(&d);
	}
	ui_puts(y, x, w, s.s, a);
	cx = x + (int)s.len;
	if (cx + bw + 2 < x + w) {
		draw_bar(u, t, nd, y, cx, bw, ((nd->failed || nd->denied) ?
		    ui_pair(u, UI_PAIR_ERROR) : nd->slowest ? A_BOLD :
		    ui_pair(u, UI_PAIR_KEY)) | base);
		cx += bw + 3;
	}
	strbuf_reset(&s);
	strbuf_printf(&s, "%*s%-*s ", (int)nd->depth * 2, "", CAT_W, cat);
	strbuf_puts(&s, tr->summary[i]);
	if (cx < x + w)
		ui_text(y, cx, x + w - cx, s.s, s.len, 0, a, NULL, 0, 0);
	strbuf_free(&s);
}

static int
rows_h(const struct ui *u)
{
	return u->body_h > HEAD_ROWS ? u->body_h - HEAD_ROWS : 1;
}

static void
trace_draw(struct ui *u, int y, int x, int h, int w)
{
	struct ui_trace *tr = u->trace;
	int bw = w / 4, rows = h - HEAD_ROWS;

	if (tr == NULL || tr->t == NULL)
		return;
	bw = bw < BAR_MIN ? BAR_MIN : bw > BAR_MAX ? BAR_MAX : bw;
	draw_header(u, tr, y, x, w, bw);
	if (rows <= 0)
		return;
	if (tr->sel < tr->top)
		tr->top = tr->sel;
	if (tr->sel >= tr->top + (size_t)rows)
		tr->top = tr->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && tr->top + (size_t)i < tr->t->n; i++)
		draw_row(u, tr, tr->top + (size_t)i, y + HEAD_ROWS + i, x, w,
		    bw);
}

/* ---- keys -------------------------------------------------------------- */

/* The previous or next request of the conversation. */
static void
step_request(struct ui *u, int dir)
{
	struct ui_trace *tr = u->trace;
	struct eng_trace_ref ref;
	const char *line;
	size_t len, to;

	if (tr->t->conversation == NULL) {
		ui_message(u, true, "this trace is of no conversation");
		return;
	}
	if (!tr->reqs_found)
		find_request(u, tr);
	if (tr->req >= tr->nreqs) {
		/* still running: it comes after every request written */
		if (dir > 0 || tr->nreqs == 0) {
			ui_message(u, true, "no later request in the "
			    "conversation");
			return;
		}
		to = tr->nreqs - 1;
	} else if (dir < 0 ? tr->req == 0 : tr->req + 1 >= tr->nreqs) {
		ui_message(u, true, "no %s request in the conversation",
		    dir < 0 ? "earlier" : "later");
		return;
	} else
		to = dir < 0 ? tr->req - 1 : tr->req + 1;
	line = eng_line(u->e, &tr->reqs[to], &len);
	if (line == NULL || !eng_entry_trace(line, len, &ref)) {
		ui_message(u, true, "that request's entry is gone");
		return;
	}
	eng_trace_ref_free(&ref);
	if (!load(u, ref.trace_id, &tr->reqs[to])) {
		ui_message(u, true, "trace %s: its entries are gone",
		    ref.trace_id);
		return;
	}
	tr->req = to;	/* the same conversation: its list stays */
}

static void
trace_back(struct ui *u)
{
	struct ui_trace *tr = u->trace;

	if (tr->back == UI_DETAIL) {
		ui_detail_open(u, &tr->back_entry);
		u->detail.follow_back = tr->back_follow;
	} else
		ui_show(u, UI_LIST);
}

static int
trace_key(struct ui *u, int key)
{
	struct ui_trace *tr = u->trace;
	long page = rows_h(u) > 1 ? rows_h(u) - 1 : 1;

	if (key == 'b' || key == ' ')
		key = UK(key == 'b' ? KEY_PPAGE : KEY_NPAGE);
	if (tr->t->n > 0 && ui_move_key(key, &tr->sel, tr->t->n, (size_t)page))
		return UI_HANDLED | UI_REDRAW;
	switch (key) {
	case '\r':
	case '\n':
	case UK(KEY_ENTER):
		ui_detail_open(u, &tr->t->v[tr->sel].entry);
		u->detail.back = UI_TRACE;
		break;
	case '[':
		step_request(u, -1);
		break;
	case ']':
		step_request(u, 1);
		break;
	case 'h':
	case UK(KEY_F(1)):
		ui_show(u, UI_HELP);
		break;
	case 'q':
	case UI_ESC:
	case UK(KEY_BACKSPACE):
	case UK(KEY_LEFT):
		trace_back(u);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int
trace_click(struct ui *u, int y, int x, bool twice)
{
	struct ui_trace *tr = u->trace;
	long row = (long)y - UI_FRAME_TOP - HEAD_ROWS;

	(void)x;
	if (row < 0 || tr->top + (size_t)row >= tr->t->n)
		return UI_HANDLED;
	tr->sel = tr->top + (size_t)row;
	if (twice)
		return trace_key(u, '\n');
	return UI_HANDLED | UI_REDRAW;
}

static void
trace_changed(struct ui *u, enum ui_change what)
{
	/* the rows are entries: when files left, they may be gone */
	if (what == UI_VIEW_SHRANK && u->trace != NULL &&
	    u->trace->t != NULL && u->screen == UI_TRACE) {
		char id[ENG_TRACE_ID_LEN + 1];

		memcpy(id, u->trace->t->id, sizeof id);
		if (!load(u, id, NULL))
			trace_back(u);
	}
}

const struct ui_screen ui_trace_screen = {
	.hint = "Esc back  Enter entry  [ ] requests of the conversation"
	    "  h help",
	.draw = trace_draw,
	.key = trace_key,
	.click = trace_click,
	.changed = trace_changed,
	.free = trace_free,
};
