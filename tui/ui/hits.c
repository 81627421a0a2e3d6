/*
 * hits.c - the search's hit count on the status line ("search:/x/ 3/120":
 * the selected hit's rank among the hits the list shows, and how many
 * there are).  Counting reads every line of the view, so on a large view
 * it runs between keys in slices with a time budget, as the dashboard
 * counts, and the status line says "+" while it goes on.
 */
#include "config.h"

#include "ui.h"

#include <stdlib.h>

/* Slices of HITS_STEP entries for about HITS_SLICE_US, so that a key
 * waits no longer than that; a new search counts for HITS_FIRST_US at
 * once (a small view is done before its first draw); the count so far is
 * drawn again every HITS_SHOW_US. */
#define HITS_STEP 2048
#define HITS_SLICE_US (12 * ENG_US_PER_MS)
#define HITS_FIRST_US (5 * ENG_US_PER_MS)
#define HITS_SHOW_US (100 * ENG_US_PER_MS)

void
ui_hits_reset(struct ui *u)
{
	u->hits.n = 0;
	u->hits.counted = 0;
}

void
ui_hits_free(struct ui *u)
{
	free(u->hits.pos);
	u->hits.pos = NULL;
	u->hits.cap = 0;
	ui_hits_reset(u);
}

/* What was counted still holds while the last entry counted is where it
 * was: an entry that went in before it (a late one, the background load)
 * would have moved it. */
static bool
still_valid(const struct ui *u)
{
	const struct ui_hits *h = &u->hits;
	const struct eng_entry *en;

	if (h->counted == 0)
		return true;
	if (h->counted > eng_view_count(u->view))
		return false;
	en = eng_view_get(u->view, h->counted - 1);
	return en->file == h->last.file && en->offset == h->last.offset;
}

bool
ui_hits_pending(const struct ui *u)
{
	return u->search != NULL && (!still_valid(u) ||
	    u->hits.counted < eng_view_count(u->view));
}

static void
count_slice(struct ui *u, int64_t budget_us)
{
	struct ui_hits *h = &u->hits;
	size_t n = eng_view_count(u->view);
	int64_t start = eng_now_us();

	if (!still_valid(u))
		ui_hits_reset(u);
	while (h->counted < n) {
		size_t to = n - h->counted > HITS_STEP ?
		    h->counted + HITS_STEP : n;

		eng_view_matches(u->view, u->search, h->counted, to, &h->pos,
		    &h->n, &h->cap);
		h->counted = to;
		if (eng_now_us() - start >= budget_us)
			break;
	}
	if (h->counted > 0)
		h->last = *eng_view_get(u->view, h->counted - 1);
}

void
ui_hits_start(struct ui *u)
{
	ui_hits_reset(u);
	count_slice(u, HITS_FIRST_US);
}

int
ui_hits_idle(struct ui *u)
{
	if (!ui_hits_pending(u))
		return 0;
	count_slice(u, HITS_SLICE_US);
	if (ui_hits_pending(u) &&
	    eng_now_us() - u->hits.shown_us < HITS_SHOW_US)
		return 0;
	return UI_REDRAW;
}

/* The first of the n ascending positions that is at least pos. */
static size_t
lower_bound(const size_t *a, size_t n, size_t pos)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* " 3/120": the selection is the third of 120 hits in the list; "-/120"
 * when it is on none, "-/0" in an empty list; "?" while counting has not reached it, "+" after
 * the total while counting has not reached the list's end. */
void
ui_hits_status(struct ui *u, struct strbuf *out)
{
	struct ui_hits *h = &u->hits;
	size_t first = ui_tail_first(u), end = ui_tail_end(u);
	size_t lo = lower_bound(h->pos, h->n, first);
	size_t hi = lower_bound(h->pos, h->n, end);
	size_t k = lower_bound(h->pos, h->n, u->sel);
	bool done = h->counted >= end;

	if (!done)
		h->shown_us = eng_now_us();
	if (end > first && u->sel >= h->counted)
		strbuf_puts(out, " ?");
	else if (k < h->n && h->pos[k] == u->sel && end > first)
		strbuf_printf(out, " %zu", k - lo + 1);
	else
		strbuf_puts(out, " -");
	strbuf_printf(out, "/%zu%s", hi - lo, done ? "" : "+");
}
