/*
 * hist.c - entries over time: the one histogram, drawn by the dashboard
 * and given as the "histogram" of eng_stats_json.  stats.c tallies every
 * entry it counts, per minute and, while they span little, per second
 * (struct hist_tally); hist_build turns a tally into buckets of a round
 * width by one rule, whatever the caller draws them on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

/* Minutes kept: a stray ancient time would cost memory. */
#define HIST_MINUTES	((size_t)(366 * ENG_US_PER_DAY / ENG_US_PER_MIN))
/* Seconds kept: buckets under a minute are for spans under 30 s a
 * column, so this many serve 720 columns. */
#define HIST_SECONDS	((size_t)(6 * ENG_US_PER_HOUR / ENG_US_PER_SEC))

enum { KIND_ERR, KIND_WARN, KIND_OTHER };

/* The round widths, then whole multiples of the last. */
static const int64_t widths[] = {
	1 * ENG_US_PER_SEC, 2 * ENG_US_PER_SEC, 5 * ENG_US_PER_SEC,
	10 * ENG_US_PER_SEC, 15 * ENG_US_PER_SEC, 30 * ENG_US_PER_SEC,
	1 * ENG_US_PER_MIN, 2 * ENG_US_PER_MIN, 5 * ENG_US_PER_MIN,
	10 * ENG_US_PER_MIN, 15 * ENG_US_PER_MIN, 30 * ENG_US_PER_MIN,
	1 * ENG_US_PER_HOUR, 2 * ENG_US_PER_HOUR, 3 * ENG_US_PER_HOUR,
	6 * ENG_US_PER_HOUR, 12 * ENG_US_PER_HOUR,
	1 * ENG_US_PER_DAY, 2 * ENG_US_PER_DAY, 7 * ENG_US_PER_DAY,
	30 * ENG_US_PER_DAY, 365 * ENG_US_PER_DAY,
};
#define NWIDTHS	(sizeof widths / sizeof widths[0])

/* t / unit, rounded towards minus infinity. */
static int64_t
floor_div(int64_t t, int64_t unit)
{
	return t >= 0 ? t / unit : (t - (unit - 1)) / unit;
}

/* Count one of kind in slot; false when that would make the slots span
 * more than max + 1. */
static bool
slots_add(struct hist_slots *sl, int64_t slot, int kind, size_t max)
{
	size_t at;

	if (sl->n == 0) {
		sl->first = slot;
	} else if (slot < sl->first) {
		size_t shift = (size_t)(sl->first - slot);

		if (shift > max)
			return false;
		eng_grow(&sl->c, &sl->cap, sl->n + shift, sizeof *sl->c);
		memmove(sl->c + shift, sl->c, sl->n * sizeof *sl->c);
		memset(sl->c, 0, shift * sizeof *sl->c);
		sl->n += shift;
		sl->first = slot;
	}
	at = (size_t)(slot - sl->first);
	if (at > max)
		return false;
	if (at >= sl->n) {
		eng_grow(&sl->c, &sl->cap, at + 1, sizeof *sl->c);
		memset(sl->c + sl->n, 0, (at + 1 - sl->n) * sizeof *sl->c);
		sl->n = at + 1;
	}
	sl->c[at][kind]++;
	return true;
}

static void
slots_free(struct hist_slots *sl)
{
	free(sl->c);
	memset(sl, 0, sizeof *sl);
}

void
hist_add(struct hist_tally *t, const struct eng_entry *en)
{
	int level = eng_entry_level(en);
	int kind = level >= LLMLOG_ERROR ? KIND_ERR :
	    level == LLMLOG_WARNING ? KIND_WARN : KIND_OTHER;

	if (en->time_us == ENG_TIME_NONE)
		return;
	if (!slots_add(&t->min, floor_div(en->time_us, ENG_US_PER_MIN), kind,
	    HIST_MINUTES))
		t->min_lost = true;
	/* the span only grows: once too long, the seconds serve no more */
	if (!t->sec_over && (!slots_add(&t->sec, floor_div(en->time_us,
	    ENG_US_PER_SEC), kind, HIST_SECONDS) ||
	    t->sec.n > HIST_SECONDS)) {
		slots_free(&t->sec);
		t->sec_over = true;
	}
}

/* The slots of from added to into's, when both together span at most
 * max + 1 slots: then no order of counting their entries left one out,
 * and the sum is what counting them all gives. */
static bool
slots_merge(struct hist_slots *into, const struct hist_slots *from,
    size_t max)
{
	int64_t first = from->first, last = from->first + (int64_t)from->n - 1;
	size_t n, shift;

	if (from->n == 0)
		return true;
	if (into->n > 0) {
		if (into->first < first)
			first = into->first;
		if (into->first + (int64_t)into->n - 1 > last)
			last = into->first + (int64_t)into->n - 1;
	}
	if ((uint64_t)(last - first) > max)
		return false;
	n = (size_t)(last - first) + 1;
	shift = into->n > 0 ? (size_t)(into->first - first) : 0;
	eng_grow(&into->c, &into->cap, n, sizeof *into->c);
	if (into->n > 0)
		memmove(into->c + shift, into->c, into->n * sizeof *into->c);
	memset(into->c, 0, shift * sizeof *into->c);
	memset(into->c + shift + into->n, 0, (n - shift - into->n) *
	    sizeof *into->c);
	into->first = first;
	into->n = n;
	for (size_t i = 0; i < from->n; i++)
		for (int k = 0; k < 3; k++)
			into->c[(size_t)(from->first - first) + i][k] +=
			    from->c[i][k];
	return true;
}

bool
hist_merge(struct hist_tally *into, const struct hist_tally *from)
{
	if (into->min_lost || from->min_lost ||
	    !slots_merge(&into->min, &from->min, HIST_MINUTES))
		return false;
	/* the seconds are kept while all span at most HIST_SECONDS */
	if (into->sec_over || from->sec_over ||
	    !slots_merge(&into->sec, &from->sec, HIST_SECONDS - 1)) {
		slots_free(&into->sec);
		into->sec_over = true;
	}
	return true;
}

void
hist_free(struct hist_tally *t)
{
	slots_free(&t->min);
	slots_free(&t->sec);
	t->sec_over = t->min_lost = false;
}

/* The i-th round width, narrowest first. */
static int64_t
round_width(size_t i)
{
	return i < NWIDTHS ? widths[i] :
	    widths[NWIDTHS - 1] * (int64_t)(i - NWIDTHS + 2);
}

/* The slots that serve buckets of width w: seconds under a minute. */
static const struct hist_slots *
slots_for(const struct hist_tally *t, int64_t w, int64_t *unit)
{
	if (w < ENG_US_PER_MIN) {
		*unit = ENG_US_PER_SEC;
		return t->sec_over ? NULL : &t->sec;
	}
	*unit = ENG_US_PER_MIN;
	return &t->min;
}

/* Slots before sl's first in its first bucket: none, or when aligned as
 * many as put the bucket's start at a multiple of per slots. */
static size_t
lead_slots(const struct hist_slots *sl, size_t per, bool aligned)
{
	return aligned ? (size_t)(sl->first - floor_div(sl->first,
	    (int64_t)per) * (int64_t)per) : 0;
}

void
hist_build(const struct hist_tally *t, size_t max_buckets,
    int64_t min_width_us, bool aligned, struct eng_hist *out)
{
	const struct hist_slots *sl = NULL;
	int64_t unit = ENG_US_PER_MIN, w = 0;
	size_t per = 1, lead = 0;

	memset(out, 0, sizeof *out);
	out->start_us = ENG_TIME_NONE;
	if (max_buckets == 0)
		max_buckets = 1;
	if (min_width_us > widths[NWIDTHS - 1])
		min_width_us = widths[NWIDTHS - 1];
	for (size_t i = 0;; i++) {
		if ((w = round_width(i)) < min_width_us)
			continue;
		if (t->min.n == 0)
			break;		/* no bucket, and the narrowest width */
		if ((sl = slots_for(t, w, &unit)) == NULL)
			continue;
		per = (size_t)(w / unit);
		lead = lead_slots(sl, per, aligned);
		if ((lead + sl->n - 1) / per < max_buckets)
			break;
	}
	out->width_us = w;
	if (t->min.n == 0)
		return;
	out->start_us = (sl->first - (int64_t)lead) * unit;
	out->n = (lead + sl->n - 1) / per + 1;
	out->b = eng_xcalloc(out->n, sizeof *out->b);
	for (size_t s = 0; s < sl->n; s++) {
		struct eng_hist_bucket *b = &out->b[(lead + s) / per];

		b->err += sl->c[s][KIND_ERR];
		b->warn += sl->c[s][KIND_WARN];
		b->other += sl->c[s][KIND_OTHER];
	}
}

void
eng_hist_free(struct eng_hist *h)
{
	free(h->b);
	memset(h, 0, sizeof *h);
	h->start_us = ENG_TIME_NONE;
}
