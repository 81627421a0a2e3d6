/*
 * stats.c - the report's figures over the entries of a view: counts by
 * level and category, then the user, LLM, tool, security and performance
 * figures that llmlog(1) lists under --stats.  Lines are read in file
 * order on two threads, each into its own partial tally, merged at the
 * end; or a slice at a time (eng_stats_update_some), for a caller that
 * must stay responsive.  Sums are exact (xsum.c), so neither the split
 * nor the slices change a figure.  Fields are read through fields.c, as
 * the summaries read them, so a figure counts what the entries show.
 * A report over every entry may instead be counted while the index is
 * read (eng_stats_on_load): each index task counts its lines with the
 * fields of the walk that classified them, the parts are merged in index
 * order, and the first update takes them, so no line is read twice.
 * What a live view adds is counted alone: the new entries are found at
 * the view's end, the durations go into a short run in order beside the
 * sorted ones (merged in now and then), and the dashboard's figures by
 * time (the trends' minutes, the requests' durations) grow by what came.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define TOP_JSON	20	/* names listed per ranking in the JSON */
#define SLOWEST		10
#define HIST_JSON	60	/* buckets of the JSON's histogram at most */
#define PAR_MIN		20000	/* entries worth a second thread */
#define PART_FORMAT	2	/* of a part's bytes in a cache (the key) */
/* Minutes of the trend figures kept, as the histogram's: a stray
 * ancient time would cost memory. */
#define TREND_MINUTES	((size_t)(366 * ENG_US_PER_DAY / ENG_US_PER_MIN))

/* ---- a small string -> count table ---- */

/* The durations of a category (or of a model or tool, for the
 * dashboard's tables), kept in order as they come (as the performance
 * durations are: durations_settle). */
struct durs {
	double *v;
	size_t n, cap;
	size_t sorted;		/* v[0..sorted) are in order */
	size_t tail;		/* and v[sorted..tail) too, when above
				   sorted: a live view's latest (settle) */
};

struct tally_item {
	char *name;
	size_t len;
	uint64_t count;
	uint64_t failed;	/* providers, models and tools */
	int64_t last;		/* errors: the latest time seen, or
				   ENG_TIME_NONE (0 until then) */
	struct xsum sum;	/* tokens, for providers and models */
	uint64_t costed;	/* calls with a cost (given or priced) */
	struct xsum cost;	/* their cost, US dollars */
	/* a model's price as last looked up, and for which provider (a
	 * model is mostly called through one): found once, not per call */
	char *price_provider;	/* NULL: not looked up */
	size_t price_provider_len;
	bool price_no_provider, price_no_model;
	const struct price *price;
	struct durs d;		/* models and tools, for the dashboard's
				   tables (struct part's tables) */
};

struct tally {
	struct tally_item *v;	/* open addressing, cap a power of two */
	size_t n, cap;
};

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The slot of name s[0..n) in a table with room for one more. */
static struct tally_item *
tally_slot(struct tally *t, const char *s, size_t n, uint64_t h)
{
	size_t i;

	for (i = h & (t->cap - 1); t->v[i].name != NULL;
	    i = (i + 1) & (t->cap - 1)) {
		if (t->v[i].len == n && memcmp(t->v[i].name, s, n) == 0)
			break;
	}
	return &t->v[i];
}

static void
tally_grow(struct tally *t)
{
	struct tally old = *t;

	t->cap = old.cap ? old.cap * 2 : 16;
	t->v = eng_xcalloc(t->cap, sizeof *t->v);
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].name != NULL)
			*tally_slot(t, old.v[i].name, old.v[i].len,
			    hash(old.v[i].name, old.v[i].len)) = old.v[i];
	free(old.v);
}

/* The item named s[0..n), made when new. */
static struct tally_item *
tally_get(struct tally *t, const char *s, size_t n)
{
	struct tally_item *it;

	if (t->n * 2 >= t->cap)
		tally_grow(t);
	it = tally_slot(t, s, n, hash(s, n));
	if (it->name == NULL) {
		/* names may hold NUL bytes: all n are copied */
		it->name = eng_xstrndup(s, n);
		it->len = n;
		t->n++;
	}
	return it;
}

/* A name's durations after another part's, in the order counted: kept
 * unsorted until the tables read them (eng_stats_table). */
static void
name_durs_merge(struct durs *into, const struct durs *from)
{
	if (from->n == 0)
		return;
	eng_grow(&into->v, &into->cap, into->n + from->n, sizeof *into->v);
	memcpy(into->v + into->n, from->v, from->n * sizeof *from->v);
	into->n += from->n;
}

static void
tally_merge(struct tally *into, const struct tally *from)
{
	for (size_t i = 0; i < from->cap; i++) {
		const struct tally_item *f = &from->v[i];
		struct tally_item *it;

		if (f->name == NULL)
			continue;
		it = tally_get(into, f->name, f->len);
		if (it->count == 0 || f->last > it->last)
			it->last = f->last;
		it->count += f->count;
		it->failed += f->failed;
		xsum_merge(&it->sum, &f->sum);
		it->costed += f->costed;
		xsum_merge(&it->cost, &f->cost);
		name_durs_merge(&it->d, &f->d);
	}
}

static void
tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->v[i].name);
		xsum_free(&t->v[i].sum);
		xsum_free(&t->v[i].cost);
		free(t->v[i].price_provider);
		free(t->v[i].d.v);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* A total order (names may hold NUL bytes), so that the ranking does not
 * depend on where names sit in the table. */
static int
item_cmp(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = memcmp(x->name, y->name, x->len < y->len ? x->len :
	    y->len)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The items by count, most first (ties by name); caller frees. */
static struct tally_item *
tally_sorted(const struct tally *t)
{
	struct tally_item *v = eng_xcalloc(t->n, sizeof *v);
	size_t k = 0;

	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].name != NULL)
			v[k++] = t->v[i];
	qsort(v, k, sizeof *v, item_cmp);
	return v;
}

/* ---- the tallies ---- */

struct slow {
	char *operation;	/* may hold NUL bytes */
	size_t len;
	double ms;
	struct eng_entry entry;	/* the line it was read from */
};

/* A user request's duration, at its entry's time (for the dashboard's
 * latency by time). */
struct req_time {
	int64_t t;
	double ms;
};

/* The percentiles of a range of the requests in time order, as found:
 * a live view's update changes only its last ranges (its latest
 * requests), and the dashboard asks for the same ones at each. */
#define REQ_CACHE	256	/* a power of two */
struct req_cached {
	size_t from, to;	/* to == 0: none */
	double p50, p95;
};

/* ---- the figures of the headline, per minute ---- */

struct minute {
	uint32_t requests, requests_ok, llm, llm_failed, denied;
	uint32_t unpriced;
	uint64_t tokens;
	double cost;
};

struct minutes {
	int64_t first;		/* the minute of m[0] */
	size_t n, cap;
	struct minute *m;
};

/* t / unit, rounded towards minus infinity. */
static int64_t
floor_div(int64_t t, int64_t unit)
{
	return t >= 0 ? t / unit : (t - (unit - 1)) / unit;
}

/* The tally of minute k, made when new; NULL when it would make the
 * minutes span more than TREND_MINUTES. */
static struct minute *
minute_at(struct minutes *ms, int64_t k)
{
	if (ms->n == 0) {
		ms->first = k;
	} else if (k < ms->first) {
		size_t shift = (size_t)(ms->first - k);

		if (shift + ms->n > TREND_MINUTES)
			return NULL;
		eng_grow(&ms->m, &ms->cap, ms->n + shift, sizeof *ms->m);
		memmove(ms->m + shift, ms->m, ms->n * sizeof *ms->m);
		memset(ms->m, 0, shift * sizeof *ms->m);
		ms->n += shift;
		ms->first = k;
	}
	if ((uint64_t)(k - ms->first) >= TREND_MINUTES)
		return NULL;
	if ((size_t)(k - ms->first) >= ms->n) {
		size_t n = (size_t)(k - ms->first) + 1;

		eng_grow(&ms->m, &ms->cap, n, sizeof *ms->m);
		memset(ms->m + ms->n, 0, (n - ms->n) * sizeof *ms->m);
		ms->n = n;
	}
	return &ms->m[k - ms->first];
}

static void
minutes_merge(struct minutes *into, const struct minutes *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct minute *f = &from->m[i];
		struct minute *m;

		if (f->requests == 0 && f->llm == 0 && f->denied == 0)
			continue;
		if ((m = minute_at(into, from->first + (int64_t)i)) == NULL)
			continue;
		m->requests += f->requests;
		m->requests_ok += f->requests_ok;
		m->llm += f->llm;
		m->llm_failed += f->llm_failed;
		m->denied += f->denied;
		m->tokens += f->tokens;
		m->unpriced += f->unpriced;
		m->cost += f->cost;
	}
}

struct part {
	uint64_t total, malformed, foreign;
	uint64_t out_of_range;	/* numbers past a double's range, left out */
	uint64_t by_level[LLMLOG_CRITICAL + 1];	/* by enum llmlog_level */
	uint64_t by_category[LLMLOG_NCATEGORIES + 1];
	int64_t first, last;

	uint64_t user_total, user_success, user_dur_n;
	struct xsum user_dur;
	/* the durations of user, tool and llm entries, for percentiles */
	struct durs user_d, tool_d, llm_d;

	uint64_t llm_total, llm_failed, llm_dur_n, llm_streaming;
	struct xsum llm_dur, prompt, completion, tokens;
	struct tally providers, models;
	/* cost: what the calls with one cost, by day too; the calls the
	 * prices miss, by "provider/model" */
	const struct eng_prices *prices;
	bool utc;		/* days in UTC, else in local time */
	struct xsum cost;
	struct tally days, unpriced;
	int64_t day_slot;	/* the quarter hour whose day is day_name */
	char day_name[48];
	struct tally errors;	/* the failures' error texts, normalised */

	uint64_t tool_total, tool_success, tool_dur_n;
	struct xsum tool_dur;
	struct tally tools;

	uint64_t sec_total, sec_allowed, sec_denied;
	struct tally denied_resources, denied_actions;

	uint64_t perf_total;
	double peak_memory;
	struct xsum perf_dur;
	double *durations;
	size_t ndur, durcap;
	size_t dur_sorted;	/* durations[0..dur_sorted) are in order */
	size_t dur_tail;	/* and [dur_sorted..dur_tail) (struct durs) */
	struct slow slowest[SLOWEST];
	size_t nslow;

	/* for the dashboard: the headline's figures by the minute, and the
	 * requests' durations with their times */
	struct minutes minutes;
	struct req_time *reqs;
	size_t nreq, reqcap;
	size_t req_sorted;	/* reqs[0..req_sorted) are in time order */
	struct req_cached *req_cache;	/* REQ_CACHE, or NULL */
	struct req_stats requests;	/* per request, by trace (reqstats.c) */
	bool tables;		/* each model's and tool's durations kept
				   (eng_stats_keep_tables) */
};

/*
 * The view's entries are counted in index order (file order, then what
 * arrived later), a batch at a time: the positions of the entries that
 * passed among index entries [old mark, mark), counted from pos[at] on.
 * Every step is the same whether a batch is counted at once or in
 * slices, so both give the same figures.
 */
struct eng_stats {
	struct part p;
	uint64_t view;		/* the serial of the view counted */
	size_t mark;		/* index entries of the view taken so far */
	size_t vcount;		/* the view's entries when they were taken */
	uint32_t *pos;		/* the batch being counted, or NULL */
	size_t npos, at;
	struct hist_tally hist;	/* the counted entries over time */
	double *scratch;	/* percentiles of a range of reqs */
	size_t scratch_cap;
	uint64_t positions_read;	/* view positions looked at, to find
					   the new entries */
	bool utc;		/* cost_by_day's days in UTC */
	bool tables;		/* the dashboard's tables are kept */
	struct eng_coverage cover[LLMLOG_NCATEGORIES];	/* the files', at
							   the last update */
};

static void
part_init(struct part *p)
{
	memset(p, 0, sizeof *p);
	p->first = p->last = ENG_TIME_NONE;
	p->peak_memory = NAN;
	p->day_slot = INT64_MIN;
}

static void
part_free(struct part *p)
{
	tally_free(&p->providers);
	tally_free(&p->models);
	tally_free(&p->days);
	tally_free(&p->unpriced);
	xsum_free(&p->cost);
	tally_free(&p->errors);
	tally_free(&p->tools);
	tally_free(&p->denied_resources);
	tally_free(&p->denied_actions);
	xsum_free(&p->user_dur);
	xsum_free(&p->llm_dur);
	xsum_free(&p->prompt);
	xsum_free(&p->completion);
	xsum_free(&p->tokens);
	xsum_free(&p->tool_dur);
	xsum_free(&p->perf_dur);
	free(p->durations);
	free(p->user_d.v);
	free(p->tool_d.v);
	free(p->llm_d.v);
	for (size_t i = 0; i < p->nslow; i++)
		free(p->slowest[i].operation);
	free(p->minutes.m);
	free(p->reqs);
	free(p->req_cache);
	reqstats_free(&p->requests);
}

static void
add_slow(struct part *p, const char *op, size_t n, double ms,
    const struct eng_entry *en)
{
	size_t i;

	if (p->nslow == SLOWEST && ms <= p->slowest[SLOWEST - 1].ms)
		return;
	if (p->nslow == SLOWEST)
		free(p->slowest[--p->nslow].operation);
	for (i = p->nslow; i > 0 && p->slowest[i - 1].ms < ms; i--)
		p->slowest[i] = p->slowest[i - 1];
	p->slowest[i].operation = eng_xstrndup(op, n);
	p->slowest[i].len = n;
	p->slowest[i].ms = ms;
	p->slowest[i].entry = *en;
	p->nslow++;
}

static void
add_duration(struct part *p, double ms)
{
	if (p->ndur == p->durcap)
		eng_grow(&p->durations, &p->durcap, p->ndur + 1,
		    sizeof *p->durations);
	p->durations[p->ndur++] = ms;
}

static void
durs_add(struct durs *d, double ms)
{
	if (d->n == d->cap)
		eng_grow(&d->v, &d->cap, d->n + 1, sizeof *d->v);
	d->v[d->n++] = ms;
}

static void
add_request(struct part *p, int64_t t, double ms)
{
	if (p->nreq == p->reqcap)
		eng_grow(&p->reqs, &p->reqcap, p->nreq + 1, sizeof *p->reqs);
	p->reqs[p->nreq].t = t;
	p->reqs[p->nreq].ms = ms;
	p->nreq++;
}

/* A number field: true with its value when it is a number in a double's
 * range; one past it is counted and left out, as if absent. */
static bool
number(struct part *p, const struct fields *f, enum field k, double *out)
{
	switch (field_number(f, k, out)) {
	case JSCAN_NUM_OK:
		return true;
	case JSCAN_NUM_RANGE:
		p->out_of_range++;
		return false;
	default:
		return false;
	}
}

/* A duration into its sum and count, and the category's durations. */
static void
add_ms(struct part *p, const struct fields *f, struct xsum *sum,
    uint64_t *n, struct durs *d)
{
	double ms;

	if (number(p, f, FIELD_DURATION, &ms)) {
		xsum_add(sum, ms);
		(*n)++;
		durs_add(d, ms);
	}
}

/* A model's or tool's duration, for the tables: read as add_ms reads
 * it, which counts one out of range. */
static void
name_duration(struct part *p, const struct fields *f, struct tally_item *it)
{
	double ms;

	if (p->tables && field_number(f, FIELD_DURATION, &ms) ==
	    JSCAN_NUM_OK)
		durs_add(&it->d, ms);
}

/* A name: the field's text, or "unknown" (field_text). */
static struct field_text
name_of(const struct fields *f, enum field k, struct strbuf *scratch)
{
	struct field_text t;

	if (!field_text(f, k, scratch, &t)) {
		t.s = "unknown";
		t.n = 7;
	}
	return t;
}

/* An LLM call's tokens: total_tokens, or else prompt_tokens plus
 * completion_tokens, each added exactly, into the call's sums; the call's
 * tokens as one number for the minutes. */
static double
count_tokens(struct part *p, const struct fields *f, struct xsum *sums[3])
{
	double prompt, completion, total;
	bool hp = number(p, f, FIELD_PROMPT, &prompt);
	bool hc = number(p, f, FIELD_COMPLETION, &completion);
	bool ht = number(p, f, FIELD_TOTAL, &total);

	if (hp)
		xsum_add(&p->prompt, prompt);
	if (hc)
		xsum_add(&p->completion, completion);
	for (int i = 0; i < 3; i++) {
		if (ht)
			xsum_add(sums[i], total);
		else {
			if (hp)
				xsum_add(sums[i], prompt);
			if (hc)
				xsum_add(sums[i], completion);
		}
	}
	return ht ? total : (hp ? prompt : 0) + (hc ? completion : 0);
}

/* The day of a time in the zone days are counted in, "2026-11-26".  All
 * zones' offsets and changes fall on quarter hours: one quarter hour's
 * day is kept, as the calls come mostly in time order. */
static const char *
day_of(struct part *p, int64_t t)
{
	int64_t q = floor_div(t, 15 * ENG_US_PER_MIN);
	time_t sec = (time_t)floor_div(t, ENG_US_PER_SEC);
	struct tm tm;

	if (q == p->day_slot)
		return p->day_name;
	if ((p->utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)) == NULL)
		return NULL;
	snprintf(p->day_name, sizeof p->day_name, "%04d-%02d-%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	p->day_slot = q;
	return p->day_name;
}

/* The price of a call of model im (prices_find's), kept on the model
 * for the provider it was found for. */
static const struct price *
model_price(struct part *p, const struct cost_call *c, struct tally_item *im)
{
	const char *prov = c->has_provider ? c->provider.s : "";
	size_t n = c->has_provider ? c->provider.n : 0;

	if (im->price_provider != NULL && im->price_no_provider ==
	    !c->has_provider && im->price_no_model == !c->has_model &&
	    im->price_provider_len == n &&
	    memcmp(im->price_provider, prov, n) == 0)
		return im->price;
	free(im->price_provider);
	im->price_provider = eng_xstrndup(prov, n);
	im->price_provider_len = n;
	im->price_no_provider = !c->has_provider;
	im->price_no_model = !c->has_model;
	im->price = prices_find(p->prices, c->has_provider ? &c->provider :
	    NULL, c->has_model ? &c->model : NULL);
	return im->price;
}

/* A call's cost into the sums of its provider, model and day, or its
 * "provider/model" among the unpriced; the cost for the minutes, 0 when
 * there is none. */
static double
count_cost(struct part *p, const struct fields *f, struct cost_call *c,
    struct tally_item *ip, struct tally_item *im,
    const struct eng_entry *en, bool *unpriced)
{
	struct tally_item *it;
	const char *day;
	double usd;

	c->prompt = field_value(f, FIELD_PROMPT);
	c->completion = field_value(f, FIELD_COMPLETION);
	c->given = field_value(f, FIELD_COST);
	*unpriced = cost_priced(model_price(p, c, im), c, &usd) ==
	    ENG_COST_UNPRICED;
	if (*unpriced) {
		char small[256];
		size_t n = ip->len + 1 + im->len;
		char *key = n <= sizeof small ? small : eng_xmalloc(n);

		memcpy(key, ip->name, ip->len);
		key[ip->len] = '/';
		memcpy(key + ip->len + 1, im->name, im->len);
		tally_get(&p->unpriced, key, n)->count++;
		if (key != small)
			free(key);
		return 0;
	}
	xsum_add(&p->cost, usd);
	ip->costed++, xsum_add(&ip->cost, usd);
	im->costed++, xsum_add(&im->cost, usd);
	if (en->time_us != ENG_TIME_NONE &&
	    (day = day_of(p, en->time_us)) != NULL) {
		it = tally_get(&p->days, day, strlen(day));
		it->count++, it->costed++;
		xsum_add(&it->cost, usd);
	}
	return usd;
}

/* An LLM call's figures; its tokens and cost for the minutes. */
static double
count_llm(struct part *p, const struct fields *f, const struct eng_entry *en,
    double *cost, bool *unpriced)
{
	struct strbuf sp = { 0 }, sm = { 0 };
	struct cost_call c = { 0 };
	struct tally_item *ip, *im;
	double tok;
	bool failed;

	c.has_provider = field_text(f, FIELD_PROVIDER, &sp, &c.provider);
	c.has_model = field_text(f, FIELD_MODEL, &sm, &c.model);
	failed = fields_failed(f);
	p->llm_total++;
	p->llm_failed += failed;
	p->llm_streaming += field_bool(f, FIELD_STREAMING) == 1;
	add_ms(p, f, &p->llm_dur, &p->llm_dur_n, &p->llm_d);
	ip = c.has_provider ? tally_get(&p->providers, c.provider.s,
	    c.provider.n) : tally_get(&p->providers, "unknown", 7);
	im = c.has_model ? tally_get(&p->models, c.model.s, c.model.n) :
	    tally_get(&p->models, "unknown", 7);
	ip->count++;
	im->count++;
	ip->failed += failed;
	im->failed += failed;
	name_duration(p, f, im);
	tok = count_tokens(p, f, (struct xsum *[3]){ &p->tokens, &ip->sum,
	    &im->sum });
	*cost = count_cost(p, f, &c, ip, im, en, unpriced);
	strbuf_free(&sp);
	strbuf_free(&sm);
	return tok;
}

/* A call's tokens as a whole number for the minutes' sums. */
static uint64_t
whole_tokens(double tok)
{
	return tok >= 0 && tok < 0x1p63 ? (uint64_t)llround(tok) : 0;
}

/* The headline's figures of an entry, in its minute (the histogram's
 * time: an untimed entry's neighbour's). */
static void
count_minute(struct part *p, int cat, const struct fields *f, double tok,
    double cost, bool unpriced, const struct eng_entry *en)
{
	struct minute *m;

	if (en->time_us == ENG_TIME_NONE ||
	    (m = minute_at(&p->minutes, floor_div(en->time_us,
	    ENG_US_PER_MIN))) == NULL)
		return;
	switch (cat) {
	case LLMLOG_USER:
		m->requests++;
		m->requests_ok += !fields_failed(f);
		break;
	case LLMLOG_LLM:
		m->llm++;
		m->llm_failed += fields_failed(f);
		m->tokens += whole_tokens(tok);
		m->cost += cost;
		m->unpriced += unpriced;
		break;
	case LLMLOG_SECURITY:
		m->denied += field_bool(f, FIELD_ALLOWED) != 1;
		break;
	}
}

#define ERROR_TEXT_MAX 200	/* bytes of an error text kept */

/* A failure's error text, normalised so that one error is one line of
 * the ranking: runs of digits read "#" ("timeout after 30s" and "...
 * 45s" alike), runs of blanks one space, at most ERROR_TEXT_MAX bytes. */
static void
count_error(struct part *p, const struct fields *f,
    const struct eng_entry *en)
{
	struct strbuf raw = { 0 }, norm = { 0 };
	struct field_text t;
	struct tally_item *it;

	if (!fields_failed(f) || !field_text(f, FIELD_ERROR, &raw, &t) ||
	    t.n == 0) {
		strbuf_free(&raw);
		return;
	}
	for (size_t i = 0; i < t.n && norm.len < ERROR_TEXT_MAX; i++) {
		char c = t.s[i];

		if (c >= '0' && c <= '9') {
			while (i + 1 < t.n && t.s[i + 1] >= '0' &&
			    t.s[i + 1] <= '9')
				i++;
			c = '#';
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			while (i + 1 < t.n && (t.s[i + 1] == ' ' ||
			    t.s[i + 1] == '\t' || t.s[i + 1] == '\n' ||
			    t.s[i + 1] == '\r'))
				i++;
			c = ' ';
		}
		strbuf_add(&norm, &c, 1);
	}
	it = tally_get(&p->errors, norm.s, norm.len);
	if (it->count == 0 || en->time_us > it->last)
		it->last = en->time_us;
	it->count++;
	strbuf_free(&raw);
	strbuf_free(&norm);
}

static void
count_fields(struct part *p, int cat, const struct fields *f,
    const struct eng_entry *en)
{
	struct strbuf s1 = { 0 }, s2 = { 0 };
	struct field_text t1, t2;
	struct tally_item *it;
	double v, tok = 0, cost = 0;
	bool unpriced = false;

	switch (cat) {
	case LLMLOG_USER:
		p->user_total++;
		p->user_success += !fields_failed(f);
		if (number(p, f, FIELD_DURATION, &v)) {
			xsum_add(&p->user_dur, v), p->user_dur_n++;
			add_request(p, en->time_us, v);
			durs_add(&p->user_d, v);
		}
		break;
	case LLMLOG_LLM:
		tok = count_llm(p, f, en, &cost, &unpriced);
		break;
	case LLMLOG_TOOL:
		p->tool_total++;
		p->tool_success += !fields_failed(f);
		add_ms(p, f, &p->tool_dur, &p->tool_dur_n, &p->tool_d);
		t1 = name_of(f, FIELD_TOOL_NAME, &s1);
		it = tally_get(&p->tools, t1.s, t1.n);
		it->count++;
		it->failed += fields_failed(f);
		name_duration(p, f, it);
		break;
	case LLMLOG_SECURITY:
		p->sec_total++;
		if (field_bool(f, FIELD_ALLOWED) == 1) {
			p->sec_allowed++;
			break;
		}
		p->sec_denied++;
		t1 = name_of(f, FIELD_RESOURCE, &s1);
		t2 = name_of(f, FIELD_ACTION, &s2);
		tally_get(&p->denied_resources, t1.s, t1.n)->count++;
		tally_get(&p->denied_actions, t2.s, t2.n)->count++;
		break;
	case LLMLOG_PERFORMANCE:
		p->perf_total++;
		if (number(p, f, FIELD_MEMORY, &v) && (isnan(p->peak_memory) ||
		    v > p->peak_memory))
			p->peak_memory = v;
		if (number(p, f, FIELD_DURATION, &v)) {
			add_duration(p, v);
			xsum_add(&p->perf_dur, v);
			if (!field_text(f, FIELD_OPERATION, &s1, &t1))
				t1.s = "", t1.n = 0;
			add_slow(p, t1.s, t1.n, v, en);
		}
		break;
	}
	if (cat == LLMLOG_USER || cat == LLMLOG_TOOL || cat == LLMLOG_LLM) {
		count_error(p, f, en);
		reqstats_count(&p->requests, cat, f, en, tok, cost,
		    unpriced);
	}
	count_minute(p, cat, f, tok, cost, unpriced, en);
	strbuf_free(&s1);
	strbuf_free(&s2);
}

/* Whether counting an entry reads its fields: our own entries of the
 * categories with figures. */
static bool
reads_fields(const struct eng_entry *en)
{
	return !(en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) &&
	    en->category != LLMLOG_SYSTEM && en->category < LLMLOG_NCATEGORIES;
}

/* What an entry counts for without its fields; true when they are to be
 * read. */
static bool
count_head(struct part *p, const struct eng_entry *en)
{
	p->total++;
	p->by_level[eng_entry_level(en) <= LLMLOG_CRITICAL ?
	    eng_entry_level(en) : 0]++;
	p->by_category[en->category < LLMLOG_NCATEGORIES ? en->category :
	    LLMLOG_NCATEGORIES]++;
	if (en->flags & ENTRY_MALFORMED) {
		p->malformed++;
		return false;
	}
	if (!(en->flags & ENTRY_NO_TIME)) {
		if (p->first == ENG_TIME_NONE || en->time_us < p->first)
			p->first = en->time_us;
		if (p->last == ENG_TIME_NONE || en->time_us > p->last)
			p->last = en->time_us;
	}
	if (en->flags & ENTRY_FOREIGN) {
		p->foreign++;
		return false;
	}
	return reads_fields(en);	/* system entries need no field */
}

static void
count_entry(struct part *p, const struct eng *e, struct block_reader *br,
    size_t pos)
{
	const struct eng_entry *en = store_entry(e, pos);
	struct fields f;

	/* the values kept by the index, or else the line's (cache.c) */
	if (count_head(p, en) && entry_fields(e, pos, en, br, &f))
		count_fields(p, en->category, &f, en);
}

static inline uint64_t dbl_key(double d);

/* b[0..bn) after v[0..*n), whose first *sorted are in order (bsorted of
 * b): when both are all in order, merged into one order, equal values
 * v's first (what sorting them all would give); else appended. */
static void
values_append(double **v, size_t *n, size_t *cap, size_t *sorted,
    const double *b, size_t bn, size_t bsorted)
{
	size_t i = *n, j = bn, k = *n + bn;
	bool merge = *sorted == *n && bsorted == bn;

	if (bn == 0)
		return;
	eng_grow(v, cap, *n + bn, sizeof **v);
	if (!merge) {
		memcpy(*v + *n, b, bn * sizeof *b);
		*n += bn;
		return;
	}
	while (j > 0) {	/* from the end, in place */
		if (i > 0 && dbl_key((*v)[i - 1]) > dbl_key(b[j - 1]))
			(*v)[--k] = (*v)[--i];
		else
			(*v)[--k] = b[--j];
	}
	*n += bn;
	*sorted = *n;
}

static void
part_merge(struct part *a, struct part *b)
{
	a->total += b->total;
	a->malformed += b->malformed;
	a->foreign += b->foreign;
	a->out_of_range += b->out_of_range;
	for (size_t i = 0; i <= LLMLOG_CRITICAL; i++)
		a->by_level[i] += b->by_level[i];
	for (size_t i = 0; i <= LLMLOG_NCATEGORIES; i++)
		a->by_category[i] += b->by_category[i];
	if (b->first != ENG_TIME_NONE &&
	    (a->first == ENG_TIME_NONE || b->first < a->first))
		a->first = b->first;
	if (b->last != ENG_TIME_NONE &&
	    (a->last == ENG_TIME_NONE || b->last > a->last))
		a->last = b->last;
	a->user_total += b->user_total;
	a->user_success += b->user_success;
	xsum_merge(&a->user_dur, &b->user_dur);
	a->user_dur_n += b->user_dur_n;
	a->llm_total += b->llm_total;
	a->llm_failed += b->llm_failed;
	a->llm_streaming += b->llm_streaming;
	xsum_merge(&a->llm_dur, &b->llm_dur);
	a->llm_dur_n += b->llm_dur_n;
	xsum_merge(&a->prompt, &b->prompt);
	xsum_merge(&a->completion, &b->completion);
	xsum_merge(&a->tokens, &b->tokens);
	tally_merge(&a->providers, &b->providers);
	tally_merge(&a->models, &b->models);
	xsum_merge(&a->cost, &b->cost);
	tally_merge(&a->days, &b->days);
	tally_merge(&a->unpriced, &b->unpriced);
	tally_merge(&a->errors, &b->errors);
	a->tool_total += b->tool_total;
	a->tool_success += b->tool_success;
	xsum_merge(&a->tool_dur, &b->tool_dur);
	a->tool_dur_n += b->tool_dur_n;
	tally_merge(&a->tools, &b->tools);
	a->sec_total += b->sec_total;
	a->sec_allowed += b->sec_allowed;
	a->sec_denied += b->sec_denied;
	tally_merge(&a->denied_resources, &b->denied_resources);
	tally_merge(&a->denied_actions, &b->denied_actions);
	a->perf_total += b->perf_total;
	xsum_merge(&a->perf_dur, &b->perf_dur);
	if (!isnan(b->peak_memory) && (isnan(a->peak_memory) ||
	    b->peak_memory > a->peak_memory))
		a->peak_memory = b->peak_memory;
	values_append(&a->durations, &a->ndur, &a->durcap, &a->dur_sorted,
	    b->durations, b->ndur, b->dur_sorted);
	values_append(&a->user_d.v, &a->user_d.n, &a->user_d.cap,
	    &a->user_d.sorted, b->user_d.v, b->user_d.n, b->user_d.sorted);
	values_append(&a->tool_d.v, &a->tool_d.n, &a->tool_d.cap,
	    &a->tool_d.sorted, b->tool_d.v, b->tool_d.n, b->tool_d.sorted);
	values_append(&a->llm_d.v, &a->llm_d.n, &a->llm_d.cap,
	    &a->llm_d.sorted, b->llm_d.v, b->llm_d.n, b->llm_d.sorted);
	for (size_t i = 0; i < b->nslow; i++)
		add_slow(a, b->slowest[i].operation, b->slowest[i].len,
		    b->slowest[i].ms, &b->slowest[i].entry);
	minutes_merge(&a->minutes, &b->minutes);
	if (b->nreq > 0) {
		eng_grow(&a->reqs, &a->reqcap, a->nreq + b->nreq,
		    sizeof *a->reqs);
		memcpy(a->reqs + a->nreq, b->reqs, b->nreq * sizeof *b->reqs);
		a->nreq += b->nreq;
	}
	reqstats_merge(&a->requests, &b->requests);
}

/* ---- values kept in order ---- */

/* A key whose unsigned order is the numeric order of durations (never
 * NaN); -0 counts as 0, as a comparison says. */
static inline uint64_t
dbl_key(double d)
{
	uint64_t u;

	if (d == 0)
		d = 0;
	memcpy(&u, &d, sizeof u);
	return u >> 63 ? ~u : u | (1ull << 63);
}

/* dbl_key's inverse, for a key of a value that is not -0. */
static inline double
key_dbl(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(1ull << 63) : ~k;
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

/* Below this many values, a radix sort's tables cost more than the
 * values: a live view's few new ones at each update. */
#define SORT_SMALL	256

/* Ascending, equal values (-0 and 0 too) in their first order. */
static void
insertion_sort(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double d = a[i];
		uint64_t k = dbl_key(d);
		size_t j = i;

		for (; j > 0 && dbl_key(a[j - 1]) > k; j--)
			a[j] = a[j - 1];
		a[j] = d;
	}
}

/* Ascending, equal values in their first order (what qsort's merge sort
 * gave): a radix sort of the keys, 16 bits a pass, the values read back
 * from them.  -0 and 0 share a key, so the signs of the zeros are kept
 * aside in their order, which is theirs in the sorted run of zeros. */
static void
sort_durations(double *a, size_t n)
{
	uint64_t *k, *kt, *src, *dst, *swap, zero = dbl_key(0);
	size_t *count, nzero = 0, nneg = 0;
	uint8_t *neg = NULL;

	if (n < SORT_SMALL) {
		insertion_sort(a, n);
		return;
	}
	k = eng_xmalloc(n * sizeof *k);
	kt = eng_xmalloc(n * sizeof *kt);
	count = eng_xmalloc(65536 * sizeof *count);
	for (size_t i = 0; i < n; i++) {
		k[i] = dbl_key(a[i]);
		nneg += a[i] == 0 && signbit(a[i]);
	}
	if (nneg > 0) {
		neg = eng_xcalloc(n / 8 + 1, 1);
		for (size_t i = 0; i < n; i++)
			if (a[i] == 0) {
				if (signbit(a[i]))
					neg[nzero / 8] |= (uint8_t)(1u << nzero % 8);
				nzero++;
			}
	}
	src = k, dst = kt;
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xffff]++;
		if (count[(src[0] >> shift) & 0xffff] == n)
			continue;	/* one digit for all: nothing moves */
		for (size_t i = 0; i < 65536; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		swap = src, src = dst, dst = swap;
	}
	nzero = 0;
	for (size_t i = 0; i < n; i++) {
		a[i] = key_dbl(src[i]);
		if (neg != NULL && src[i] == zero) {
			if (neg[nzero / 8] >> nzero % 8 & 1)
				a[i] = -0.0;
			nzero++;
		}
	}
	free(k);
	free(kt);
	free(count);
	free(neg);
}

/* The values at most kept in order beside the sorted ones (settle). */
static size_t
run_max(size_t sorted)
{
	return sorted / 64 > SORT_SMALL ? sorted / 64 : SORT_SMALL;
}

/* Where x goes among v[0..n) (in order): after those not above it. */
static size_t
upper_bound(const double *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dbl_key(v[mid]) <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Keep the durations in order as they come, so that a report read after
 * each of a live view's few new entries does not sort them all again:
 * the new ones go into a second run in order beside the sorted ones
 * (v[sorted..tail), each put in its place), which the readers take with
 * them (values_at); once that run is more than run_max, it is sorted
 * with what came and merged in (equal values keep their first order, as
 * one sort of them all would).  While a large count is under way (not
 * done) the sort waits until the new ones are as many as the sorted, so
 * that sorting costs no more than twice one sort at the end. */
static void
settle(double *v, size_t n, size_t *sorted, size_t *tail, bool done)
{
	size_t old = *sorted, add = n - old, run;
	double *t;

	if (*tail < old)
		*tail = old;
	if (add == 0 || (!done && add < old))
		return;
	if (add * 8 >= old) {
		sort_durations(v, n);
		*sorted = *tail = n;
		return;
	}
	if (add <= run_max(old)) {
		for (run = *tail - old; old + run < n; run++) {
			double d = v[old + run];
			size_t at = upper_bound(v + old, run, dbl_key(d));

			memmove(v + old + at + 1, v + old + at,
			    (run - at) * sizeof *v);
			v[old + at] = d;
		}
		*tail = n;
		return;
	}
	t = eng_xmalloc(add * sizeof *t);
	memcpy(t, v + old, add * sizeof *t);
	sort_durations(t, add);
	for (size_t i = old, j = add, k = n; j > 0;) {
		if (i > 0 && dbl_key(v[i - 1]) > dbl_key(t[j - 1]))
			v[--k] = v[--i];
		else
			v[--k] = t[--j];
	}
	free(t);
	*sorted = *tail = n;
}

/* The value of rank r (from 0) of v[0..n) in order, when its values are
 * in order but for a second run v[sorted..n) (settle): of the merge of
 * the two, the first's first among equal values. */
static double
values_at(const double *v, size_t n, size_t sorted, size_t r)
{
	const double *b = v + sorted;
	size_t nb = n - sorted, m = r + 1, lo = 0, hi, i;

	/* i: how many of the first run are among the first m; the i-th of
	 * them stands at i - 1 + (those of b below it) */
	hi = sorted < m ? sorted : m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		const double *x = &v[mid - 1];
		size_t below = 0, bhi = nb;

		while (below < bhi) {	/* those of b below *x */
			size_t c = below + (bhi - below) / 2;

			if (dbl_key(b[c]) < dbl_key(*x))
				below = c + 1;
			else
				bhi = c;
		}
		if (mid - 1 + below < m)
			lo = mid;
		else
			hi = mid - 1;
	}
	i = lo;
	if (i == 0)
		return b[m - 1];
	if (m - i == 0)
		return v[i - 1];
	/* the later of the two last ones: b's on a tie */
	return dbl_key(b[m - i - 1]) >= dbl_key(v[i - 1]) ? b[m - i - 1] :
	    v[i - 1];
}

struct settle_job {
	double *v;
	size_t n, *sorted, *tail;
};

struct settle_run {
	struct settle_job *jobs;
	size_t n;
	bool done;
};

static void *
settle_main(void *arg)
{
	struct settle_run *r = arg;

	for (size_t i = 0; i < r->n; i++)
		settle(r->jobs[i].v, r->jobs[i].n, r->jobs[i].sorted,
		    r->jobs[i].tail, r->done);
	return NULL;
}

/* The performance durations, and those of user, tool and llm; when there
 * are many to sort, the largest on a second thread.  Each array's order
 * is its own, so the threads change nothing. */
static void
durations_settle(struct part *p, bool done)
{
	struct settle_job jobs[4] = {
		{ p->durations, p->ndur, &p->dur_sorted, &p->dur_tail },
		{ p->user_d.v, p->user_d.n, &p->user_d.sorted, &p->user_d.tail },
		{ p->tool_d.v, p->tool_d.n, &p->tool_d.sorted, &p->tool_d.tail },
		{ p->llm_d.v, p->llm_d.n, &p->llm_d.sorted, &p->llm_d.tail },
	}, t;
	struct settle_run rest = { jobs, 3, done }, big = { &jobs[3], 1, done };
	size_t unsorted = 0, most = 0;
	pthread_t th;

	for (size_t i = 0; i < 4; i++) {
		unsorted += jobs[i].n - *jobs[i].sorted;
		if (jobs[i].n > jobs[most].n)
			most = i;
	}
	t = jobs[most], jobs[most] = jobs[3], jobs[3] = t;
	if (unsorted < PAR_MIN ||
	    pthread_create(&th, NULL, settle_main, &big) != 0) {
		settle_main(&rest);
		settle_main(&big);
		return;
	}
	settle_main(&rest);
	pthread_join(th, NULL);
}

/* The same on this thread. */
static void
durations_settle_here(struct part *p)
{
	settle(p->durations, p->ndur, &p->dur_sorted, &p->dur_tail, true);
	settle(p->user_d.v, p->user_d.n, &p->user_d.sorted, &p->user_d.tail,
	    true);
	settle(p->tool_d.v, p->tool_d.n, &p->tool_d.sorted, &p->tool_d.tail,
	    true);
	settle(p->llm_d.v, p->llm_d.n, &p->llm_d.sorted, &p->llm_d.tail,
	    true);
}

static int
req_cmp(const void *a, const void *b)
{
	const struct req_time *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/* The requests from reqs[from] on moved: the percentiles found of the
 * ranges that reach there are forgotten. */
static void
requests_changed(struct part *p, size_t from)
{
	if (p->req_cache == NULL)
		return;
	for (size_t i = 0; i < REQ_CACHE; i++)
		if (p->req_cache[i].to > from)
			p->req_cache[i].to = 0;
}

/* The requests in time order (those without a time first), the new
 * ones merged in as the durations are. */
static void
requests_settle(struct part *p)
{
	size_t old = p->req_sorted, add = p->nreq - old;
	struct req_time *t;

	size_t k = p->nreq;

	if (add == 0)
		return;
	if (add * 8 >= old) {
		qsort(p->reqs, p->nreq, sizeof *p->reqs, req_cmp);
		p->req_sorted = p->nreq;
		requests_changed(p, 0);
		return;
	}
	t = eng_xmalloc(add * sizeof *t);
	memcpy(t, p->reqs + old, add * sizeof *t);
	qsort(t, add, sizeof *t, req_cmp);
	for (size_t i = old, j = add; j > 0;) {
		if (i > 0 && p->reqs[i - 1].t > t[j - 1].t)
			p->reqs[--k] = p->reqs[--i];
		else
			p->reqs[--k] = t[--j];
	}
	free(t);
	p->req_sorted = p->nreq;
	requests_changed(p, k);
}

/* ---- counting a view's new entries on two threads ---- */

struct job {
	const struct eng *e;
	const uint32_t *pos;
	size_t n;
	struct part part;
};

static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct block_reader br;

	block_reader_init(&br);
	for (size_t i = 0; i < j->n; i++)
		count_entry(&j->part, j->e, &br, j->pos[i]);
	block_reader_free(&br);
	return NULL;
}

/* Index positions in ascending order (file order): radix sort. */
static void
sort_u32(uint32_t *a, size_t n)
{
	uint32_t *tmp = eng_xmalloc(n * sizeof *tmp), *src = a, *dst = tmp;
	size_t *count = eng_xmalloc(65536 * sizeof *count);

	for (int shift = 0; shift < 32; shift += 16) {
		size_t sum = 0;
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xffff]++;
		for (size_t i = 0; i < 65536; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
		uint32_t *swap = src;
		src = dst;
		dst = swap;
	}
	free(tmp);
	free(count);
}

struct eng_stats *
eng_stats_new(void)
{
	struct eng_stats *s = eng_xcalloc(1, sizeof *s);

	part_init(&s->p);
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
		s->cover[c].first_us = s->cover[c].last_us = ENG_TIME_NONE;
	return s;
}

void
eng_stats_free(struct eng_stats *s)
{
	if (s == NULL)
		return;
	part_free(&s->p);
	free(s->pos);
	hist_free(&s->hist);
	free(s->scratch);
	free(s);
}

void
eng_stats_set_utc(struct eng_stats *s, bool utc)
{
	s->utc = utc;
}

void
eng_stats_keep_tables(struct eng_stats *s)
{
	s->tables = true;
}

/* A stats object fed another view starts over, and so does one whose
 * view lost entries (files gone from the index): the figures are then
 * counted again from the first entry. */
static void
stats_follow_view(struct eng_stats *s, const struct eng_view *v)
{
	if (s->view == view_serial(v) && eng_view_count(v) >= s->vcount)
		return;
	part_free(&s->p);
	part_init(&s->p);
	hist_free(&s->hist);
	free(s->pos);
	s->pos = NULL;
	s->npos = s->at = 0;
	s->view = view_serial(v);
	s->mark = 0;
	s->vcount = 0;
}

/* Whether pos[0..n) ascends. */
static bool
ascending(const uint32_t *pos, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (pos[i] < pos[i - 1])
			return false;
	return true;
}

/* The view's entries among index entries [mark, seen), in index order,
 * when the view only grew at its end since s->vcount: then those are its
 * last entries (their number is what the view grew by), and a live
 * view's few new entries cost nothing of its size.  NULL when some went
 * in before the end. */
static uint32_t *
batch_tail(struct eng_stats *s, const struct eng_view *v, size_t *k)
{
	size_t n = eng_view_count(v), seen = view_seen(v);
	uint32_t *pos;

	*k = n - s->vcount;
	for (size_t i = s->vcount; i < n; i++) {
		uint32_t g = view_position(v, i);

		s->positions_read++;
		if (g < s->mark || g >= seen)
			return NULL;
	}
	pos = eng_xmalloc((*k > 0 ? *k : 1) * sizeof *pos);
	for (size_t i = 0; i < *k; i++)
		pos[i] = view_position(v, s->vcount + i);
	if (!ascending(pos, *k))
		sort_u32(pos, *k);
	return pos;
}

/* The same found among all the view's entries. */
static uint32_t *
batch_scan(struct eng_stats *s, const struct eng_view *v, size_t *k)
{
	size_t n = eng_view_count(v), seen = view_seen(v);
	uint32_t *pos = eng_xmalloc((n > 0 ? n : 1) * sizeof *pos);

	s->positions_read += n;
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g = view_position(v, i);
		if (g >= s->mark && g < seen)
			pos[(*k)++] = g;
	}
	sort_u32(pos, *k);
	return pos;
}

/* Every entry the view took in passed its filter (it grew by as many):
 * in index order they are the range itself, found without a look at
 * the view. */
static uint32_t *
batch_range(const struct eng_stats *s, const struct eng_view *v, size_t *k)
{
	size_t seen = view_seen(v);
	uint32_t *pos;

	if (eng_view_count(v) - s->vcount != seen - s->mark)
		return NULL;
	*k = seen - s->mark;
	pos = eng_xmalloc((*k > 0 ? *k : 1) * sizeof *pos);
	for (size_t i = 0; i < *k; i++)
		pos[i] = (uint32_t)(s->mark + i);
	return pos;
}

static void take_pre(struct eng_stats *s, const struct eng_view *v);

/* Once a batch is counted, the next: the view's entries among those the
 * view took in since the last one, in index order.  False when the view
 * has nothing new. */
static bool
batch_next(struct eng_stats *s, const struct eng_view *v)
{
	size_t k, seen = view_seen(v);
	uint32_t *pos;

	if (s->at < s->npos)
		return true;
	free(s->pos);
	s->pos = NULL;
	s->npos = s->at = 0;
	take_pre(s, v);
	if (seen == s->mark)
		return false;
	if ((pos = batch_range(s, v, &k)) == NULL &&
	    (pos = batch_tail(s, v, &k)) == NULL)
		pos = batch_scan(s, v, &k);
	s->mark = seen;
	s->vcount = eng_view_count(v);
	s->pos = pos;
	s->npos = k;
	return true;
}

/* The bytes of an entry's line that counting it reads. */
static uint64_t
read_cost(const struct eng_entry *en)
{
	return reads_fields(en) ? en->length : 0;
}

/* Where to split pos[0..k) so that both halves read about as many bytes
 * of lines: reading a line costs by its length, and the categories' lines
 * differ in length by a factor of three. */
static size_t
split_by_bytes(const struct eng *e, const uint32_t *pos, size_t k)
{
	uint64_t total = 0, half = 0;
	size_t i;

	for (i = 0; i < k; i++)
		total += read_cost(store_entry(e, pos[i]));
	for (i = 0; i < k && half < total / 2; i++)
		half += read_cost(store_entry(e, pos[i]));
	return i;
}

/* Count pos[0..k) on two threads when there are many. */
static void
count_parallel(struct eng_stats *s, const struct eng *e, const uint32_t *pos,
    size_t k)
{
	struct job jobs[2];
	pthread_t th;
	bool started = false;

	for (size_t i = 0; i < k; i++)
		hist_add(&s->hist, store_entry(e, pos[i]));
	for (int j = 0; j < 2; j++) {
		jobs[j].e = e;
		part_init(&jobs[j].part);
		jobs[j].part.prices = e->prices;
		jobs[j].part.utc = s->utc;
		jobs[j].part.tables = s->tables;
	}
	jobs[0].pos = pos;
	jobs[0].n = k >= PAR_MIN ? split_by_bytes(e, pos, k) : k;
	jobs[1].pos = pos + jobs[0].n;
	jobs[1].n = k - jobs[0].n;
	if (jobs[1].n > 0)
		started = pthread_create(&th, NULL, job_main, &jobs[1]) == 0;
	job_main(&jobs[0]);
	if (started)
		pthread_join(th, NULL);
	else if (jobs[1].n > 0)
		job_main(&jobs[1]);
	for (int j = 0; j < 2; j++) {
		part_merge(&s->p, &jobs[j].part);
		part_free(&jobs[j].part);
	}
}

/* ---- figures counted as the index is read ---- */

/* A part's durations in order, set aside to be merged with the others
 * at once.  Merging each part's into one array that grows would move
 * all those before them again at each part; the runs wait, in the order
 * of their parts, to be merged in one pass (vruns_merge_into). */
struct vrun {
	double *v;
	size_t n;
};

#define NVALS	4	/* the arrays of durations kept in order */

struct vruns {
	struct vrun *r[NVALS];
	size_t n, cap;
	bool closed;		/* a part's durations went into the part
				   itself: no run may come after them */
};

static bool vruns_take(struct vruns *rs, struct part *p, bool copy);
static void vruns_free(struct vruns *rs);
static void part_merge_rest(struct part *p, struct part *from);

/* A part of an index task's (engine-int.h names it so). */
struct stats_part {
	struct part p;
	struct vruns runs;	/* a file's (file->stats): its parts' */
	bool kept_tables;	/* read from a cache: its tables were kept
				   (stats_part_load_tables reads them) */
};

/* What the load counted: index entries [0, to) in p, in index order; the
 * durations of its parts (the caches' shares, then, while caches are
 * written, the tasks') wait in runs until p is taken. */
struct stats_pre {
	struct part p;
	struct vruns runs;	/* p's durations, in waiting */
	size_t to;
	bool utc;
	bool tables;		/* eng_stats_on_load_tables */
	bool broken;		/* a task came without its part: what
				   follows is counted by the stats pass */
	bool only;		/* eng_stats_on_load_only */
	bool tables_lost;	/* a part came without its tables */
	struct file *open;	/* whose part (its file->stats) holds the last
				   entries counted, to be taken when the file
				   is indexed (stats_file_indexed) */
	const struct eng_prices *prices;	/* those counted with */
	struct eng_removed removed;	/* none left since: the positions
					   are the ones counted */
	uint64_t key;		/* stats_parts_key's, 0 until found */
};

/* from into an empty part moves its arrays instead of copying them. */
static void
part_take(struct part *into, struct part *from)
{
	if (into->total > 0) {
		part_merge(into, from);
		part_free(from);
	} else {
		part_free(into);
		*into = *from;
	}
	part_init(from);
}

void
eng_stats_on_load(struct eng *e, const struct eng_filter *f, bool utc)
{
	if (e->stats_pre != NULL || !filter_lets_all(f))
		return;
	e->stats_pre = eng_xcalloc(1, sizeof *e->stats_pre);
	part_init(&e->stats_pre->p);
	e->stats_pre->utc = utc;
	e->stats_pre->prices = e->prices;
	/* the files' parts kept in their caches serve any report */
	e->stats_pre->tables = cache_keeps_parts(e);
	eng_removed(e, &e->stats_pre->removed);
}

void
eng_stats_on_load_tables(struct eng *e, const struct eng_filter *f, bool utc)
{
	eng_stats_on_load(e, f, utc);
	if (e->stats_pre != NULL && e->stats_pre->to == 0)
		e->stats_pre->tables = true;
}

void
eng_stats_on_load_only(struct eng *e, const struct eng_filter *f, bool utc)
{
	eng_stats_on_load(e, f, utc);
	if (e->stats_pre != NULL && e->stats_pre->to == 0)
		e->stats_pre->only = true;
}

bool
stats_load_only(const struct eng *e)
{
	return e->stats_pre != NULL && e->stats_pre->only &&
	    !e->stats_pre->broken;
}

void
stats_pre_free(struct eng *e)
{
	if (e->stats_pre == NULL)
		return;
	vruns_free(&e->stats_pre->runs);
	part_free(&e->stats_pre->p);
	free(e->stats_pre);
	e->stats_pre = NULL;
}

/* A model's and a tool's durations, kept for the dashboard's tables,
 * let go of for a report that has none. */
static void
part_drop_tables(struct part *p)
{
	struct tally *t[] = { &p->models, &p->tools };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < t[k]->cap; i++) {
			free(t[k]->v[i].d.v);
			memset(&t[k]->v[i].d, 0, sizeof t[k]->v[i].d);
		}
	p->tables = false;
}

/* The zone days are counted in, as the environment names it. */
static uint64_t
zone_fingerprint(void)
{
	const char *tz = getenv("TZ");
	char link[PATH_MAX];
	struct stat st;
	uint64_t h = tz != NULL ? hash(tz, strlen(tz)) : 1;
	ssize_t n = readlink("/etc/localtime", link, sizeof link);

	if (n > 0)
		h = (h ^ hash(link, (size_t)n)) * 1099511628211ull;
	if (stat("/etc/localtime", &st) == 0) {
		h = (h ^ (uint64_t)st.st_ino) * 1099511628211ull;
		h = (h ^ (uint64_t)st.st_size) * 1099511628211ull;
		h = (h ^ (uint64_t)st.st_mtime) * 1099511628211ull;
	}
	return h;
}

uint64_t
stats_parts_key(struct eng *e)
{
	struct stats_pre *pre = e->stats_pre;
	uint64_t h = 1469598103934665603ull;

	if (pre == NULL || pre->broken)
		return 0;
	if (pre->key == 0) {	/* found once: the zone is a file's */
		const uint64_t words[] = { PART_FORMAT, pre->utc, pre->tables,
		    prices_fingerprint(pre->prices),
		    pre->utc ? 0 : zone_fingerprint() };

		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			h = (h ^ words[i]) * 1099511628211ull;
		pre->key = h | 1;	/* never 0 */
	}
	return pre->key;
}

void
file_part_drop(struct file *f)
{
	stats_part_free(f->stats);
	f->stats = NULL;
	f->stats_entries = 0;
}

/* n entries of f, counted in from, after the before of f counted: a
 * copy kept with f for its cache (cache.c), when caches are written and
 * every entry of f before them is in it. */
static void
file_part_add(struct eng *e, struct file *f, struct part *from,
    size_t before, size_t n)
{
	if (f == NULL || !cache_keeps_parts(e))
		return;
	if (f->stats != NULL && f->stats_entries != before)
		file_part_drop(f);
	if (f->stats == NULL) {
		if (before != 0 || (f->stats = stats_task_part(e)) == NULL)
			return;		/* its first entries are not here */
		f->stats_key = stats_parts_key(e);
		f->stats_entries = 0;
	}
	if (vruns_take(&f->stats->runs, from, true))
		part_merge_rest(&f->stats->p, from);
	else
		part_merge(&f->stats->p, from);
	f->stats_entries += n;
}

/* A part's arrays of durations in order, by their place in it. */
static void
part_vals(struct part *p, double ***v, size_t **n, size_t **sorted,
    size_t **tail, size_t **cap)
{
	v[0] = &p->durations, n[0] = &p->ndur, sorted[0] = &p->dur_sorted;
	tail[0] = &p->dur_tail, cap[0] = &p->durcap;
	v[1] = &p->user_d.v, n[1] = &p->user_d.n;
	sorted[1] = &p->user_d.sorted, tail[1] = &p->user_d.tail;
	cap[1] = &p->user_d.cap;
	v[2] = &p->tool_d.v, n[2] = &p->tool_d.n;
	sorted[2] = &p->tool_d.sorted, tail[2] = &p->tool_d.tail;
	cap[2] = &p->tool_d.cap;
	v[3] = &p->llm_d.v, n[3] = &p->llm_d.n;
	sorted[3] = &p->llm_d.sorted, tail[3] = &p->llm_d.tail;
	cap[3] = &p->llm_d.cap;
}

/* A part's durations, each array all in order, into the runs: moved (p
 * is left without them), or copied when p goes on to be merged
 * elsewhere.  False when they are not in order, or the runs are closed:
 * the caller merges them into its part as usual, and the runs close. */
static bool
vruns_take(struct vruns *rs, struct part *p, bool copy)
{
	double **v[NVALS];
	size_t *n[NVALS], *sorted[NVALS], *tail[NVALS], *cap[NVALS];

	part_vals(p, v, n, sorted, tail, cap);
	for (size_t k = 0; k < NVALS && !rs->closed; k++)
		rs->closed = *n[k] != *sorted[k];
	if (rs->closed)
		return false;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		for (size_t k = 0; k < NVALS; k++)
			rs->r[k] = eng_xrealloc(rs->r[k], rs->cap *
			    sizeof *rs->r[k]);
	}
	for (size_t k = 0; k < NVALS; k++) {
		struct vrun *r = &rs->r[k][rs->n];

		r->n = *n[k];
		if (copy) {
			r->v = eng_xmalloc((r->n + 1) * sizeof *r->v);
			if (r->n > 0)
				memcpy(r->v, *v[k], r->n * sizeof *r->v);
			continue;
		}
		/* kept a while: without the room counting left */
		if (*cap[k] > *n[k] && *n[k] > 0)
			*v[k] = eng_xrealloc(*v[k], *n[k] * sizeof **v[k]);
		r->v = *v[k];
		*v[k] = NULL;
		*n[k] = *sorted[k] = *tail[k] = *cap[k] = 0;
	}
	rs->n++;
	return true;
}

static void
vruns_free(struct vruns *rs)
{
	for (size_t k = 0; k < NVALS; k++) {
		for (size_t i = 0; i < rs->n; i++)
			free(rs->r[k][i].v);
		free(rs->r[k]);
	}
	memset(rs, 0, sizeof *rs);
}

/* from merged into p, but for its durations, which went into runs. */
static void
part_merge_rest(struct part *p, struct part *from)
{
	double **v[NVALS], *keep[NVALS];
	size_t *n[NVALS], *sorted[NVALS], *tail[NVALS], *cap[NVALS];
	size_t kn[NVALS];

	part_vals(from, v, n, sorted, tail, cap);
	for (size_t k = 0; k < NVALS; k++) {
		keep[k] = *v[k], kn[k] = *n[k];
		*n[k] = 0;
	}
	part_merge(p, from);
	for (size_t k = 0; k < NVALS; k++)
		*v[k] = keep[k], *n[k] = kn[k];
}

/* Runs being merged: each one's next value and its key. */
struct vmerge {
	const struct vrun *a;
	size_t k;
	size_t *at;
	uint64_t *key;
};

/* Whether run x's next value goes before run y's (struct tourney). */
static inline bool
vrun_before(const void *ctx, size_t x, size_t y)
{
	const struct vmerge *m = ctx;
	bool xe = x >= m->k || m->at[x] == m->a[x].n;
	bool ye = y >= m->k || m->at[y] == m->a[y].n;

	if (xe || ye)
		return !xe;
	return m->key[x] < m->key[y] || (m->key[x] == m->key[y] && x < y);
}

/* Runs a[0..k), each in order, merged into out, the earlier run first
 * among equal values (what merging them one after another gives). */
static void
vruns_merge(const struct vrun *a, size_t k, double *out)
{
	struct vmerge m = { a, k, eng_xcalloc(k, sizeof *m.at),
	    eng_xmalloc(k * sizeof *m.key) };
	struct tourney t;
	size_t w;

	for (size_t r = 0; r < k; r++)
		m.key[r] = a[r].n > 0 ? dbl_key(a[r].v[0]) : 0;
	w = tourney_init(&t, k, vrun_before, &m);
	while (w < k && m.at[w] < a[w].n) {
		*out++ = a[w].v[m.at[w]++];
		if (m.at[w] < a[w].n)
			m.key[w] = dbl_key(a[w].v[m.at[w]]);
		w = tourney_next(&t, w, vrun_before, &m);
	}
	tourney_free(&t);
	free(m.at);
	free(m.key);
}

/* One array's runs merged with p's own durations (which came after
 * them); the arrays are each their own, so two threads may merge two. */
struct runs_job {
	struct vrun *r;		/* the runs of array k */
	size_t m;
	double **v;		/* p's array, its count and order */
	size_t *n, *sorted, *tail, *cap;
};

static void *
runs_merge_one(void *arg)
{
	struct runs_job *j = arg;
	struct vrun *r = j->r;
	size_t total = 0, m = j->m, nonempty = 0;
	double *out;

	/* p's own: a run in order after the others', or none */
	if (*j->n > 0)
		settle(*j->v, *j->n, j->sorted, j->tail, true);
	r = eng_xrealloc(r, (m + 1) * sizeof *r);
	r[m++] = (struct vrun){ *j->v, *j->n };
	for (size_t i = 0; i < m; i++) {	/* the empty ones leave */
		total += r[i].n;
		if (r[i].n > 0)
			r[nonempty++] = r[i];
		else
			free(r[i].v);
	}
	m = nonempty;
	if (m == 1) {	/* one run: it is the order */
		out = r[0].v;
	} else {
		out = eng_xmalloc((total + 1) * sizeof *out);
		vruns_merge(r, m, out);
		for (size_t i = 0; i < m; i++)
			free(r[i].v);
	}
	free(r);
	*j->v = out;
	*j->n = *j->sorted = *j->tail = *j->cap = total;
	return NULL;
}

/* The runs merged with p's own durations, the largest array's on a
 * second thread when there are many; the runs are left empty. */
static void
vruns_merge_into(struct vruns *rs, struct part *p)
{
	double **v[NVALS];
	size_t *n[NVALS], *sorted[NVALS], *tail[NVALS], *cap[NVALS];
	struct runs_job jobs[NVALS];
	size_t size[NVALS], all = 0, big = 0;
	pthread_t th;
	bool apart;

	if (rs->n == 0)
		return;
	part_vals(p, v, n, sorted, tail, cap);
	for (size_t k = 0; k < NVALS; k++) {
		jobs[k] = (struct runs_job){ rs->r[k], rs->n, v[k], n[k],
		    sorted[k], tail[k], cap[k] };
		size[k] = *n[k];
		for (size_t i = 0; i < rs->n; i++)
			size[k] += rs->r[k][i].n;
		all += size[k];
		if (size[k] > size[big])
			big = k;
		rs->r[k] = NULL;
	}
	rs->n = rs->cap = 0;
	apart = all >= PAR_MIN && load_threads() > 1 &&
	    pthread_create(&th, NULL, runs_merge_one, &jobs[big]) == 0;
	for (size_t k = 0; k < NVALS; k++)
		if (k != big || !apart)
			runs_merge_one(&jobs[k]);
	if (apart)
		pthread_join(th, NULL);
}

/* The next part in index order into into, its durations into runs while
 * they stay open. */
static void
runs_take(struct vruns *runs, struct part *into, struct part *p)
{
	vruns_take(runs, p, false);
	part_take(into, p);
}

/* The next part in index order into the load's. */
static void
pre_take(struct stats_pre *pre, struct part *p)
{
	runs_take(&pre->runs, &pre->p, p);
}

struct stats_part *
stats_task_part(const struct eng *e)
{
	struct stats_part *sp;

	if (e->stats_pre == NULL || e->stats_pre->broken ||
	    e->prefilter != NULL)
		return NULL;
	sp = eng_xcalloc(1, sizeof *sp);
	part_init(&sp->p);
	sp->p.prices = e->stats_pre->prices;
	sp->p.utc = e->stats_pre->utc;
	sp->p.tables = e->stats_pre->tables;
	return sp;
}

void
stats_task_count(struct stats_part *sp, const struct eng_entry *en,
    const struct fields *f)
{
	if (count_head(&sp->p, en) && f != NULL)
		count_fields(&sp->p, en->category, f, en);
}

void
stats_task_done(struct stats_part *sp)
{
	struct part *p = &sp->p;

	/* on the task's thread: publishing merges what is in order */
	durations_settle_here(p);
}

/* The open file's part into the load's, in its place in index order:
 * its tables let go of for a report that has none. */
static void
file_part_close(struct eng *e)
{
	struct stats_pre *pre = e->stats_pre;
	struct file *f = pre->open;

	pre->open = NULL;
	if (f->stats == NULL || pre->broken) {
		file_part_drop(f);
		return;
	}
	stats_part_settle(f->stats);
	if (pre->only) {
		part_drop_tables(&f->stats->p);
		pre->tables_lost = true;
	}
	pre_take(pre, &f->stats->p);
	file_part_drop(f);
}

/* Whether f's entries go into its own part first, not kept twice: in a
 * load that waits for it (not the background loader, whose entries are
 * read as they come), when its cache is written and f has no entry
 * before.  The part of another file still open goes before. */
static bool
file_part_opens(struct eng *e, struct file *f)
{
	struct stats_pre *pre = e->stats_pre;

	if (pre->open == f && f->stats != NULL &&
	    f->stats_entries == f->entries)
		return true;
	if (pre->open != NULL)
		file_part_close(e);
	if (e->loader != NULL || !cache_keeps_parts(e) || f->entries > 0)
		return false;
	file_part_drop(f);
	if ((f->stats = stats_task_part(e)) == NULL)
		return false;
	f->stats_key = stats_parts_key(e);
	pre->open = f;
	return true;
}

bool
stats_file_open(const struct eng *e, const struct file *f)
{
	return e->stats_pre != NULL && e->stats_pre->open == f &&
	    f->stats_entries == f->entries;
}

void
stats_file_indexed(struct eng *e, struct file *f)
{
	if (e->stats_pre != NULL && e->stats_pre->open == f)
		file_part_close(e);
}

void
stats_task_publish(struct eng *e, struct file *f, struct stats_part *sp,
    size_t n)
{
	struct stats_pre *pre = e != NULL ? e->stats_pre : NULL;

	if (pre != NULL && !pre->broken && n > 0) {
		if (sp != NULL && pre->to == e->count &&
		    file_part_opens(e, f)) {
			runs_take(&f->stats->runs, &f->stats->p, &sp->p);
			f->stats_entries += n;
			pre->to += n;
		} else if (sp != NULL && pre->to == e->count) {
			file_part_add(e, f, &sp->p, f->entries, n);
			/* while caches are written, the durations wait too;
			 * else merged at once (fewer held at a time) */
			if (!cache_keeps_parts(e))
				pre->runs.closed = true;
			pre_take(pre, &sp->p);
			pre->to += n;
		} else
			pre->broken = true;
	}
	if (f != NULL && n > 0 && (pre == NULL || pre->broken))
		file_part_drop(f);	/* entries it does not count */
	stats_part_free(sp);
}

bool
stats_file_loaded(struct eng *e, struct file *f, struct stats_part *sp,
    size_t from, bool keep)
{
	struct stats_pre *pre = e->stats_pre;
	size_t n = e->count - from;
	bool counted = false;

	if (pre != NULL && pre->open != NULL)
		file_part_close(e);	/* it came before */
	file_part_drop(f);
	if (pre == NULL || pre->broken || n == 0 || pre->to != from) {
		if (pre != NULL && n > 0)
			pre->broken = true;
		stats_part_free(sp);
		return false;
	}
	if (sp == NULL) {	/* none kept, or of other prices: counted */
		struct block_reader br;

		if ((sp = stats_task_part(e)) == NULL)
			return false;
		block_reader_init(&br);
		for (size_t pos = from; pos < e->count; pos++)
			count_entry(&sp->p, e, &br, pos);
		block_reader_free(&br);
		durations_settle_here(&sp->p);
		counted = keep = true;
	} else
		e->parts_taken++;
	sp->p.prices = pre->prices;
	sp->p.utc = pre->utc;
	if (!sp->p.tables && pre->tables && pre->only && !keep)
		pre->tables_lost = true;	/* left unread: none asked */
	else if (sp->p.tables != pre->tables) {	/* cannot be: the key */
		pre->broken = true;
		stats_part_free(sp);
		return false;
	}
	if (keep)
		file_part_add(e, f, &sp->p, 0, n);
	pre_take(pre, &sp->p);
	pre->to += n;
	stats_part_free(sp);
	return counted;
}

static bool
same_removed(const struct eng_removed *a, const struct eng_removed *b)
{
	return a->deleted == b->deleted && a->truncated == b->truncated &&
	    a->deleted_files == b->deleted_files &&
	    a->truncated_files == b->truncated_files;
}

struct hist_job {
	struct hist_tally t;
	const struct eng *e;
	size_t from, to;
};

static void *
hist_main(void *arg)
{
	struct hist_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		hist_add(&j->t, store_entry(j->e, i));
	return NULL;
}

/* Index entries [0, n) into the empty tally t: the second half on
 * another thread, added to the first's when that gives what counting
 * them in order gives (hist_merge), else counted again in order. */
static void
hist_count(struct hist_tally *t, const struct eng *e, size_t n)
{
	struct hist_job upper = { .e = e, .from = n / 2, .to = n };
	struct hist_job lower = { .e = e, .from = 0, .to = n / 2 };
	pthread_t th;

	if (n < 2 * PAR_MIN || load_threads() < 2 ||
	    pthread_create(&th, NULL, hist_main, &upper) != 0) {
		lower.to = n;
		hist_main(&lower);
		*t = lower.t;
		return;
	}
	hist_main(&lower);
	pthread_join(th, NULL);
	if (!hist_merge(&lower.t, &upper.t)) {
		hist_free(&lower.t);
		lower.to = n;
		hist_main(&lower);
	}
	hist_free(&upper.t);
	*t = lower.t;
}

/* At a stats object's first batch, when its view holds every index
 * entry and those the load counted are still where they were: take
 * their figures instead of reading their lines again. */
static void
take_pre(struct eng_stats *s, const struct eng_view *v)
{
	struct eng *e = eng_view_engine(v);
	struct stats_pre *pre = e->stats_pre;
	struct eng_removed now;

	if (pre != NULL && pre->open != NULL)
		file_part_close(e);
	if (pre == NULL || pre->to == 0 || s->mark != 0 || s->vcount != 0 ||
	    s->p.total != 0 || view_seen(v) < pre->to ||
	    eng_view_count(v) != view_seen(v) || pre->utc != s->utc ||
	    (s->tables && (!pre->tables || pre->tables_lost)) ||
	    pre->prices != e->prices)
		return;
	eng_removed(e, &now);
	if (!same_removed(&now, &pre->removed))
		return;
	vruns_merge_into(&pre->runs, &pre->p);
	if (pre->tables && !s->tables)
		part_drop_tables(&pre->p);
	hist_count(&s->hist, e, pre->to);
	part_take(&s->p, &pre->p);
	/* the view's first entries in index order, its whole when nothing
	 * came since the load: batch_range takes the rest */
	s->mark = s->vcount = pre->to;
	stats_pre_free(e);	/* its figures are the stats object's now */
}

/* What the files cover, whatever the view (the JSON's "coverage"). */
static void
stats_cover(struct eng_stats *s, const struct eng *e)
{
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
		eng_coverage(e, c, &s->cover[c]);
}

void
eng_stats_update(struct eng_stats *s, struct eng_view *v)
{
	struct eng *e = eng_view_engine(v);

	stats_follow_view(s, v);
	while (batch_next(s, v)) {
		count_parallel(s, e, s->pos + s->at, s->npos - s->at);
		s->at = s->npos;
	}
	durations_settle(&s->p, true);
	reqstats_resolve(&s->p.requests, v);
	stats_cover(s, e);
}

bool
eng_stats_update_some(struct eng_stats *s, struct eng_view *v,
    size_t max_entries)
{
	struct eng *e = eng_view_engine(v);
	bool done;

	stats_follow_view(s, v);
	while (batch_next(s, v) && max_entries > 0) {
		size_t n = s->npos - s->at > max_entries ? max_entries :
		    s->npos - s->at;

		count_parallel(s, e, s->pos + s->at, n);
		s->at += n;
		max_entries -= n;
	}
	done = s->at == s->npos && s->mark == view_seen(v);
	durations_settle(&s->p, done);
	stats_cover(s, e);
	if (done)
		reqstats_resolve(&s->p.requests, v);
	return done;
}

uint64_t
stats_positions_read(const struct eng_stats *s)
{
	return s->positions_read;
}

void
eng_stats_progress(const struct eng_stats *s, size_t *counted, size_t *total)
{
	*counted = (size_t)s->p.total;
	*total = (size_t)s->p.total + (s->npos - s->at);
}

/* ---- the JSON ---- */

static json_object *
jtime(int64_t us)
{
	struct strbuf b;
	json_object *o;

	if (us == ENG_TIME_NONE)
		return NULL;
	strbuf_init(&b);
	eng_time_format(&b, us, true);
	b.s[10] = 'T';
	strbuf_puts(&b, "Z");
	o = json_object_new_string(b.s);
	strbuf_free(&b);
	return o;
}

/* A figure that is not a count: null past a double's range (a sum of
 * many huge values; llmlog(1), HOW LINES ARE READ). */
static json_object *
jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

#define INT_JSON_MAX	0x1p63	/* a whole sum below it is written as one */

/* A sum: a whole number as an integer, as token counts are, else as
 * jnum. */
static json_object *
jsum(const struct xsum *x)
{
	double v = xsum_value(x);

	if (fabs(v) < INT_JSON_MAX && v == (double)(int64_t)v)
		return json_object_new_int64((int64_t)v);
	return jnum(v);
}

/* ---- maps keyed by names ----
 *
 * json-c's keys are C strings, which end at a NUL byte, and a name may
 * hold one.  So in a map of names (by_provider, ...) the tree's keys show
 * each NUL as ^@, the caret form llmlog(1) shows it in, for the report
 * and the dashboard (names that then read the same share one count),
 * while its JSON text is written here from the exact names, in the layout
 * json-c gives everything else.
 */
struct name_map {
	size_t n;
	struct {
		char *name;
		size_t len;
		json_object *value;	/* a reference of the map's own */
	} *v;
};

static void
name_map_free(json_object *o, void *userdata)
{
	struct name_map *m = userdata;

	(void)o;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		json_object_put(m->v[i].value);
	}
	free(m->v);
	free(m);
}

/* A string as json-c escapes it: the two-character escapes, other bytes
 * below 0x20 as \u00xx, '/' as \/ unless JSON_C_TO_STRING_NOSLASHESCAPE
 * (print mode gives it). */
static void
escape_json(struct printbuf *pb, const char *s, size_t n, int flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

		switch (c) {
		case '\b': esc = "\\b"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\f': esc = "\\f"; break;
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '/':
			if (!(flags & JSON_C_TO_STRING_NOSLASHESCAPE))
				esc = "\\/";
			break;
		}
		if (esc == NULL && c >= ' ')
			continue;
		printbuf_memappend(pb, s + start, (int)(i - start));
		if (esc != NULL)
			printbuf_memappend(pb, esc, 2);
		else
			printbuf_memappend(pb, u, 6);
		start = i + 1;
	}
	printbuf_memappend(pb, s + start, (int)(n - start));
}

static void
indent(struct printbuf *pb, int level, int flags)
{
	for (int i = 0; (flags & JSON_C_TO_STRING_PRETTY) && i < level; i++)
		printbuf_memappend(pb, flags & JSON_C_TO_STRING_PRETTY_TAB ?
		    "\t" : "  ", flags & JSON_C_TO_STRING_PRETTY_TAB ? 1 : 2);
}

/* json-c's object layout (json_object_object_to_json_string), over the
 * exact names. */
static int
name_map_to_json(json_object *o, struct printbuf *pb, int level, int flags)
{
	const struct name_map *m = json_object_get_userdata(o);
	bool pretty = flags & JSON_C_TO_STRING_PRETTY;
	bool spaced = flags & JSON_C_TO_STRING_SPACED;

	printbuf_memappend(pb, "{", 1);
	for (size_t i = 0; i < m->n; i++) {
		const char *v = json_object_to_json_string_ext(m->v[i].value,
		    flags);

		if (i > 0)
			printbuf_memappend(pb, ",", 1);
		if (pretty)
			printbuf_memappend(pb, "\n", 1);
		if (spaced && !pretty)
			printbuf_memappend(pb, " ", 1);
		indent(pb, level + 1, flags);
		printbuf_memappend(pb, "\"", 1);
		escape_json(pb, m->v[i].name, m->v[i].len, flags);
		printbuf_memappend(pb, spaced ? "\": " : "\":", spaced ? 3 : 2);
		printbuf_memappend(pb, v, (int)strlen(v));
	}
	if (pretty && m->n > 0) {
		printbuf_memappend(pb, "\n", 1);
		indent(pb, level, flags);
	}
	if (spaced && !pretty)
		printbuf_memappend(pb, " }", 2);
	else
		printbuf_memappend(pb, "}", 1);
	return 0;
}

/* The tree's key for a name: its NUL bytes as ^@. */
static void
tree_key(struct strbuf *b, const char *s, size_t n)
{
	strbuf_reset(b);
	for (const char *nul; (nul = memchr(s, '\0', n)) != NULL;
	    n -= (size_t)(nul + 1 - s), s = nul + 1) {
		strbuf_add(b, s, (size_t)(nul - s));
		strbuf_puts(b, "^@");
	}
	strbuf_add(b, s, n);
}

/* A value added to the one a tree key already has (names that read the
 * same). */
static json_object *
json_plus(json_object *a, json_object *b)
{
	int64_t x = json_object_get_int64(a), y = json_object_get_int64(b), z;

	if (json_object_is_type(a, json_type_int) &&
	    json_object_is_type(b, json_type_int) &&
	    !__builtin_add_overflow(x, y, &z))
		return json_object_new_int64(z);
	return jnum(json_object_get_double(a) + json_object_get_double(b));
}

enum map_value { MAP_COUNT, MAP_TOKENS, MAP_COST };

/* A cost in US dollars: 12 significant digits, so that a sum of prices
 * reads as the prices add up (0.0001517, not 0.00015170000000000001). */
static json_object *
jcost(double usd)
{
	char buf[40];

	if (!isfinite(usd))
		return NULL;
	snprintf(buf, sizeof buf, "%.12g", usd);
	if (strpbrk(buf, ".eE") == NULL)
		strcat(buf, ".0");
	return json_object_new_double_s(usd, buf);
}

static json_object *
map_value(const struct tally_item *it, enum map_value which)
{
	switch (which) {
	case MAP_TOKENS:
		return jsum(&it->sum);
	case MAP_COST:
		return jcost(xsum_value(&it->cost));
	default:
		return json_object_new_int64((int64_t)it->count);
	}
}

/* {"name": count, ...} (or the token sums, or the costs of the names with
 * one) of the items v[0..n), in their order */
static json_object *
jmap_items(struct tally_item *v, size_t n, enum map_value which)
{
	struct name_map *m = eng_xcalloc(1, sizeof *m);
	json_object *o = json_object_new_object(), *had;
	struct strbuf key;

	strbuf_init(&key);
	m->v = eng_xcalloc(n ? n : 1, sizeof *m->v);
	for (size_t i = 0; i < n; i++) {
		json_object *val;

		if (which == MAP_COST && v[i].costed == 0)
			continue;
		val = map_value(&v[i], which);
		m->v[m->n].name = eng_xstrndup(v[i].name, v[i].len);
		m->v[m->n].len = v[i].len;
		m->v[m->n].value = json_object_get(val);
		m->n++;
		tree_key(&key, v[i].name, v[i].len);
		if (json_object_object_get_ex(o, key.s, &had)) {
			json_object *sum = json_plus(had, val);

			json_object_put(val);
			val = sum;
		}
		json_object_object_add(o, key.s, val);
	}
	json_object_set_serializer(o, name_map_to_json, m, name_map_free);
	strbuf_free(&key);
	return o;
}

/* Most costly first, then as item_cmp. */
static int
cost_cmp(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;
	double cx = xsum_value(&x->cost), cy = xsum_value(&y->cost);

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return item_cmp(a, b);
}

/* The same by count, most first; costs by cost, most first */
static json_object *
jmap(const struct tally *t, enum map_value which)
{
	struct tally_item *v = tally_sorted(t);
	json_object *o;

	if (which == MAP_COST)
		qsort(v, t->n, sizeof *v, cost_cmp);
	o = jmap_items(v, t->n, which);

	free(v);
	return o;
}

/* [{"name": ..., "count": ...}, ...] the first TOP_JSON */
static json_object *
jtop(const struct tally *t)
{
	struct tally_item *v = tally_sorted(t);
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < t->n && i < TOP_JSON; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name",
		    json_object_new_string_len(v[i].name, (int)v[i].len));
		json_object_object_add(o, "count",
		    json_object_new_int64((int64_t)v[i].count));
		json_object_array_add(a, o);
	}
	free(v);
	return a;
}

static void
add_u(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static void
add_d(json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, jnum(v));
}

/* A figure of none (a rate of 0 requests, the p50 of no duration) is
 * null, never a 0 that reads as measured. */
static void
add_ratio(json_object *o, const char *key, double a, double b, double scale)
{
	json_object_object_add(o, key, b > 0 ? jnum(scale * (a / b)) : NULL);
}

/* Values to read by rank: in order but for a second run (settle), or
 * else a sorted copy (read while a large count is under way). */
struct ranked {
	const double *v;
	size_t n, sorted;
	double *copy;
};

static void
ranked_init(struct ranked *r, const double *v, size_t n, size_t sorted,
    size_t tail)
{
	r->v = v;
	r->n = n;
	r->sorted = sorted;
	r->copy = NULL;
	if ((tail > sorted ? tail : sorted) < n) {
		r->copy = eng_xmalloc(n * sizeof *r->copy);
		memcpy(r->copy, v, n * sizeof *r->copy);
		sort_durations(r->copy, n);
		r->v = r->copy;
		r->sorted = n;
	}
}

static double
ranked_at(const struct ranked *r, size_t k)
{
	return r->sorted == r->n ? r->v[k] : values_at(r->v, r->n, r->sorted,
	    k);
}

/* Nearest rank: the smallest value with at least q of them at or below. */
static double
percentile(const struct ranked *r, double q)
{
	size_t rank;

	if (r->n == 0)
		return 0;
	rank = (size_t)ceil(q * (double)r->n);
	if (rank < 1)
		rank = 1;
	return ranked_at(r, rank - 1);
}

static json_object *
json_performance(const struct part *p)
{
	json_object *o = json_object_new_object(), *slow;
	struct ranked d;

	ranked_init(&d, p->durations, p->ndur, p->dur_sorted, p->dur_tail);
	add_u(o, "total", p->perf_total);
	add_ratio(o, "avg_duration_ms", xsum_value(&p->perf_dur),
	    (double)p->ndur, 1);
	json_object_object_add(o, "p50_ms", p->ndur > 0 ?
	    jnum(percentile(&d, 0.50)) : NULL);
	json_object_object_add(o, "p95_ms", p->ndur > 0 ?
	    jnum(percentile(&d, 0.95)) : NULL);
	json_object_object_add(o, "p99_ms", p->ndur > 0 ?
	    jnum(percentile(&d, 0.99)) : NULL);
	json_object_object_add(o, "max_ms", p->ndur > 0 ?
	    jnum(ranked_at(&d, p->ndur - 1)) : NULL);
	add_d(o, "peak_memory_mb", isnan(p->peak_memory) ? 0 : p->peak_memory);
	free(d.copy);
	slow = json_object_new_array();
	for (size_t i = 0; i < p->nslow; i++) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "operation",
		    json_object_new_string_len(p->slowest[i].operation,
		    (int)p->slowest[i].len));
		add_d(s, "duration_ms", p->slowest[i].ms);
		json_object_array_add(slow, s);
	}
	json_object_object_add(o, "slowest", slow);
	return o;
}

static int
day_cmp(const void *a, const void *b)
{
	const struct tally_item *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* {"2026-11-26": usd, ...} in day order */
static json_object *
jdays(const struct tally *t)
{
	struct tally_item *v = tally_sorted(t);
	json_object *o;

	qsort(v, t->n, sizeof *v, day_cmp);
	o = jmap_items(v, t->n, MAP_COST);
	free(v);
	return o;
}

static void
json_cost(json_object *o, const struct part *p)
{
	uint64_t unpriced = 0;

	for (size_t i = 0; i < p->unpriced.cap; i++)
		if (p->unpriced.v[i].name != NULL)
			unpriced += p->unpriced.v[i].count;
	json_object_object_add(o, "cost_usd", jcost(xsum_value(&p->cost)));
	json_object_object_add(o, "cost_by_provider", jmap(&p->providers,
	    MAP_COST));
	json_object_object_add(o, "cost_by_model", jmap(&p->models,
	    MAP_COST));
	json_object_object_add(o, "cost_by_day", jdays(&p->days));
	add_u(o, "unpriced_calls", unpriced);
	json_object_object_add(o, "unpriced_models", jmap(&p->unpriced,
	    MAP_COUNT));
}

/* p50_ms, p95_ms, p99_ms of a category's durations (null when none, as
 * the performance section's). */
static void
add_percentiles(json_object *o, const struct durs *ds)
{
	struct ranked d;

	ranked_init(&d, ds->v, ds->n, ds->sorted, ds->tail);
	json_object_object_add(o, "p50_ms", ds->n > 0 ?
	    jnum(percentile(&d, 0.50)) : NULL);
	json_object_object_add(o, "p95_ms", ds->n > 0 ?
	    jnum(percentile(&d, 0.95)) : NULL);
	json_object_object_add(o, "p99_ms", ds->n > 0 ?
	    jnum(percentile(&d, 0.99)) : NULL);
	free(d.copy);
}

/* [{"name","calls","failed","error_pct"},...]: the first TOP_JSON names
 * by calls, as the maps are ordered. */
static json_object *
jfailures(const struct tally *t)
{
	struct tally_item *v = tally_sorted(t);
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < t->n && i < TOP_JSON; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
		    json_object_new_string_len(v[i].name, (int)v[i].len));
		add_u(o, "calls", v[i].count);
		add_u(o, "failed", v[i].failed);
		add_ratio(o, "error_pct", (double)v[i].failed,
		    (double)v[i].count, 100);
		json_object_array_add(a, o);
	}
	free(v);
	return a;
}

static json_object *
json_llm(const struct part *p)
{
	json_object *o = json_object_new_object();
	double tokens = xsum_value(&p->tokens);

	add_u(o, "total", p->llm_total);
	add_u(o, "success", p->llm_total - p->llm_failed);
	add_u(o, "failed", p->llm_failed);
	add_u(o, "streaming", p->llm_streaming);
	json_object_object_add(o, "total_tokens", jsum(&p->tokens));
	json_object_object_add(o, "prompt_tokens", jsum(&p->prompt));
	json_object_object_add(o, "completion_tokens", jsum(&p->completion));
	add_ratio(o, "avg_tokens", tokens, (double)p->llm_total, 1);
	add_ratio(o, "avg_duration_ms", xsum_value(&p->llm_dur),
	    (double)p->llm_dur_n, 1);
	add_percentiles(o, &p->llm_d);
	json_object_object_add(o, "by_provider", jmap(&p->providers,
	    MAP_COUNT));
	json_object_object_add(o, "by_model", jmap(&p->models, MAP_COUNT));
	json_object_object_add(o, "tokens_by_provider",
	    jmap(&p->providers, MAP_TOKENS));
	json_object_object_add(o, "tokens_by_model", jmap(&p->models,
	    MAP_TOKENS));
	json_object_object_add(o, "failures_by_provider",
	    jfailures(&p->providers));
	json_object_object_add(o, "failures_by_model", jfailures(&p->models));
	json_cost(o, p);
	return o;
}

static json_object *
json_outcomes(uint64_t total, uint64_t success, const struct xsum *dur,
    uint64_t dur_n)
{
	json_object *o = json_object_new_object();

	add_u(o, "total", total);
	add_u(o, "success", success);
	add_u(o, "failed", total - success);
	add_ratio(o, "success_rate", (double)success, (double)total, 100);
	add_ratio(o, "avg_duration_ms", xsum_value(dur), (double)dur_n, 1);
	return o;
}

/* eng_hist_build's buckets from the first entry's minute, added up:
 * their split is the dashboard's. */
static json_object *
json_histogram(const struct eng_stats *s)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct eng_hist h;

	hist_build(&s->hist, HIST_JSON, ENG_US_PER_MIN, false, &h);
	json_object_object_add(o, "start", jtime(h.start_us));
	add_u(o, "bucket_seconds", (uint64_t)(h.width_us / ENG_US_PER_SEC));
	for (size_t i = 0; i < h.n; i++)
		json_object_array_add(a, json_object_new_int64((int64_t)(
		    h.b[i].err + h.b[i].warn + h.b[i].other)));
	json_object_object_add(o, "counts", a);
	eng_hist_free(&h);
	return o;
}

/* {"user":{"first","last","rotated"},...}: the categories whose files
 * hold an entry with a time, in table order. */
static json_object *
json_coverage(const struct eng_stats *s)
{
	json_object *o = json_object_new_object();

	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		const struct eng_coverage *cv = &s->cover[c];
		json_object *m;

		if (cv->first_us == ENG_TIME_NONE)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "first", jtime(cv->first_us));
		json_object_object_add(m, "last", jtime(cv->last_us));
		json_object_object_add(m, "rotated",
		    json_object_new_boolean(cv->rotated));
		json_object_object_add(o, llmlog_category_name(c), m);
	}
	return o;
}

json_object *
eng_stats_json(const struct eng_stats *s)
{
	const struct part *p = &s->p;
	json_object *o = json_object_new_object(), *m, *t;

	add_u(o, "total", p->total);
	add_u(o, "malformed", p->malformed);
	add_u(o, "foreign", p->foreign);
	add_u(o, "out_of_range", p->out_of_range);
	m = json_object_new_object();
	for (int l = LLMLOG_DEBUG; l <= LLMLOG_CRITICAL; l++)
		if (p->by_level[l] > 0)
			add_u(m, llmlog_level_name(l), p->by_level[l]);
	json_object_object_add(o, "by_level", m);
	m = json_object_new_object();
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++)
		if (p->by_category[c] > 0)
			add_u(m, llmlog_category_name(c), p->by_category[c]);
	json_object_object_add(o, "by_category", m);
	json_object_object_add(o, "first", jtime(p->first));
	json_object_object_add(o, "last", jtime(p->last));
	json_object_object_add(o, "coverage", json_coverage(s));
	t = json_outcomes(p->user_total, p->user_success, &p->user_dur,
	    p->user_dur_n);
	add_percentiles(t, &p->user_d);
	json_object_object_add(o, "user", t);
	json_object_object_add(o, "llm", json_llm(p));
	t = json_outcomes(p->tool_total, p->tool_success, &p->tool_dur,
	    p->tool_dur_n);
	add_percentiles(t, &p->tool_d);
	json_object_object_add(t, "top", jtop(&p->tools));
	json_object_object_add(t, "failures_by_tool", jfailures(&p->tools));
	json_object_object_add(o, "tool", t);
	m = json_object_new_object();
	add_u(m, "total", p->sec_total);
	add_u(m, "allowed", p->sec_allowed);
	add_u(m, "denied", p->sec_denied);
	json_object_object_add(m, "top_denied_resources",
	    jtop(&p->denied_resources));
	json_object_object_add(m, "top_denied_actions",
	    jtop(&p->denied_actions));
	json_object_object_add(o, "security", m);
	json_object_object_add(o, "performance", json_performance(p));
	json_object_object_add(o, "requests", reqstats_json(&p->requests,
	    jtime, jcost));
	json_object_object_add(o, "histogram", json_histogram(s));
	return o;
}

void
eng_hist_build(const struct eng_stats *s, size_t max_buckets,
    int64_t min_width_us, bool aligned, struct eng_hist *out)
{
	hist_build(&s->hist, max_buckets, min_width_us, aligned, out);
}

/* ---- the dashboard's figures --------------------------------------------- */

/* The k-th smallest of a[0..n) (from 0), moving the others so that those
 * before it are no larger and those after no smaller (Wirth's select). */
static double
select_nth(double *a, size_t n, size_t k)
{
	ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (l < m) {
		double x = a[kk], t;
		ptrdiff_t i = l, j = m;

		do {
			while (a[i] < x)
				i++;
			while (x < a[j])
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return a[kk];
}

/* Nearest rank of q among n values, from 0. */
static size_t
rank_of(size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	return rank < 1 ? 0 : rank - 1;
}

/* The p50 and p95 of reqs[from..to)'s durations. */
static void
request_percentiles(struct eng_stats *s, size_t from, size_t to,
    double *p50, double *p95)
{
	size_t n = to - from, k95, k50;
	struct req_cached *c;

	*p50 = *p95 = NAN;
	if (n == 0)
		return;
	if (s->p.req_cache == NULL)
		s->p.req_cache = eng_xcalloc(REQ_CACHE, sizeof *s->p.req_cache);
	c = &s->p.req_cache[((uint64_t)from * 0x9e3779b97f4a7c15u ^
	    (uint64_t)to * 0xc2b2ae3d27d4eb4fu) >> 32 & (REQ_CACHE - 1)];
	if (c->to == to && c->from == from) {
		*p50 = c->p50;
		*p95 = c->p95;
		return;
	}
	if (n > s->scratch_cap)
		eng_grow(&s->scratch, &s->scratch_cap, n, sizeof *s->scratch);
	for (size_t i = 0; i < n; i++)
		s->scratch[i] = s->p.reqs[from + i].ms;
	k95 = rank_of(n, 0.95);
	k50 = rank_of(n, 0.50);
	*p95 = select_nth(s->scratch, n, k95);
	/* those before the p95 are the smaller ones: the p50 is among them */
	*p50 = k50 == k95 ? *p95 : select_nth(s->scratch, k95, k50);
	c->from = from;
	c->to = to;
	c->p50 = *p50;
	c->p95 = *p95;
}

/* The minute of a time, an untimed one before every other. */
static int64_t
minute_of(int64_t t)
{
	return t == ENG_TIME_NONE ? INT64_MIN : floor_div(t, ENG_US_PER_MIN);
}

/* The first of the (sorted) requests at or after minute k. */
static size_t
requests_from(const struct part *p, int64_t k)
{
	size_t lo = 0, hi = p->nreq;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (minute_of(p->reqs[mid].t) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first minute whose start is at or after t. */
static int64_t
minute_ceil(int64_t t)
{
	if (t == ENG_TIME_NONE)
		return INT64_MIN;
	if (t == INT64_MAX)
		return INT64_MAX;
	return -floor_div(-t, ENG_US_PER_MIN);
}

void
eng_stats_period(struct eng_stats *s, int64_t from_us, int64_t to_us,
    struct eng_period *out)
{
	const struct minutes *ms = &s->p.minutes;
	int64_t from = minute_ceil(from_us), to = minute_ceil(to_us);
	double p50;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < ms->n; i++) {
		int64_t k = ms->first + (int64_t)i;
		const struct minute *m = &ms->m[i];

		if (k < from || k >= to)
			continue;
		out->requests += m->requests;
		out->requests_ok += m->requests_ok;
		out->llm_calls += m->llm;
		out->llm_failed += m->llm_failed;
		out->denied += m->denied;
		out->tokens += m->tokens;
		out->cost_usd += m->cost;
		out->unpriced += m->unpriced;
	}
	requests_settle(&s->p);
	request_percentiles(s, from_us == ENG_TIME_NONE ? 0 :
	    requests_from(&s->p, from), requests_from(&s->p, to), &p50,
	    &out->p95_request_ms);
}

void
eng_hist_latency(struct eng_stats *s, const struct eng_hist *h, double *p50,
    double *p95)
{
	const struct part *p = &s->p;
	size_t at = 0;

	requests_settle(&s->p);
	for (size_t b = 0; b < h->n; b++) {
		int64_t start = h->start_us + (int64_t)b * h->width_us;
		size_t from;

		while (at < p->nreq && p->reqs[at].t < start)
			at++;
		from = at;
		while (at < p->nreq && p->reqs[at].t < start + h->width_us)
			at++;
		request_percentiles(s, from, at, &p50[b], &p95[b]);
	}
}

size_t
eng_stats_errors(const struct eng_stats *s, struct eng_error_row *out,
    size_t max)
{
	struct tally_item *v = tally_sorted(&s->p.errors);
	size_t n = s->p.errors.n < max ? s->p.errors.n : max;

	/* the names are the table's own: valid until it changes */
	for (size_t i = 0; i < n; i++)
		out[i] = (struct eng_error_row){ .text = v[i].name,
		    .len = v[i].len, .count = v[i].count,
		    .last_us = v[i].last };
	free(v);
	return n;
}

bool
eng_stats_slowest(const struct eng_stats *s, size_t i, struct eng_slowest *out)
{
	if (i >= s->p.nslow)
		return false;
	out->operation = s->p.slowest[i].operation;
	out->len = s->p.slowest[i].len;
	out->ms = s->p.slowest[i].ms;
	out->entry = s->p.slowest[i].entry;
	return true;
}

bool
eng_stats_slow_request(const struct eng_stats *s, size_t i,
    struct eng_slow_request *out)
{
	return reqstats_slowest(&s->p.requests, i, out);
}

/* ---- the dashboard's tables ---- */

/* The nearest-rank percentile q of a name's durations, NAN when none. */
static double
name_percentile(const struct durs *d, double q)
{
	struct ranked r;
	double x;

	if (d->n == 0)
		return NAN;
	ranked_init(&r, d->v, d->n, d->sorted, d->tail);
	x = percentile(&r, q);
	free(r.copy);
	return x;
}

size_t
eng_stats_table(struct eng_stats *s, enum eng_stats_table which,
    struct eng_stats_row *out, size_t max)
{
	struct tally *t = which == ENG_TABLE_MODELS ? &s->p.models :
	    &s->p.tools;
	struct tally_item *v;

	if (!s->tables)
		return 0;
	/* in order before the copies share the arrays: a live view's few
	 * new durations are put in place, not all sorted again */
	for (size_t i = 0; i < t->cap; i++) {
		struct durs *d = &t->v[i].d;

		if (t->v[i].name != NULL)
			settle(d->v, d->n, &d->sorted, &d->tail, true);
	}
	v = tally_sorted(t);
	for (size_t i = 0; i < t->n && i < max; i++)
		out[i] = (struct eng_stats_row){
			.name = v[i].name,
			.len = v[i].len,
			.calls = v[i].count,
			.failed = v[i].failed,
			.tokens = xsum_value(&v[i].sum),
			.p50_ms = name_percentile(&v[i].d, 0.50),
			.p95_ms = name_percentile(&v[i].d, 0.95),
		};
	free(v);
	return t->n;
}

/* ---- a file's part, kept in its cache ----
 *
 * A file's figures as counted on load, so that a second open takes them
 * instead of counting its entries again (cache.c keeps the bytes, with a
 * checksum).  Everything the merge reads is kept; what is only found
 * again (a model's price, the requests' resolution, the day of the last
 * quarter hour) is not.  The bytes are checked as they are read back:
 * counts within what is left, durations in the order they claim. */


static void
put(struct strbuf *b, const void *p, size_t n)
{
	if (n > 0)	/* an empty array's p may be NULL */
		strbuf_add(b, p, n);
}

static void
put_u64(struct strbuf *b, uint64_t v)
{
	put(b, &v, sizeof v);
}

static void
put_f64(struct strbuf *b, double v)
{
	put(b, &v, sizeof v);
}

static void
put_bytes(struct strbuf *b, const char *s, size_t n)
{
	put_u64(b, n);
	put(b, s, n);
}

static void
put_entry(struct strbuf *b, const struct eng_entry *en)
{
	put_u64(b, (uint64_t)en->time_us);
	put_u64(b, en->offset);
	put_u64(b, en->length);
	put_u64(b, (uint64_t)en->category | (uint64_t)en->level << 8 |
	    (uint64_t)en->flags << 16);
}

static void
put_values(struct strbuf *b, const double *v, size_t n, size_t sorted,
    size_t tail)
{
	put_u64(b, n);
	put_u64(b, sorted);
	put_u64(b, tail);
	put(b, v, n * sizeof *v);
}

static void
put_tally(struct strbuf *b, const struct tally *t)
{
	put_u64(b, t->n);
	for (size_t i = 0; i < t->cap; i++) {
		const struct tally_item *it = &t->v[i];

		if (it->name == NULL)
			continue;
		put_bytes(b, it->name, it->len);
		put_u64(b, it->count);
		put_u64(b, it->failed);
		put_u64(b, (uint64_t)it->last);
		xsum_save(b, &it->sum);
		put_u64(b, it->costed);
		xsum_save(b, &it->cost);
	}
}

/* The dashboard's tables: each model's and tool's durations, apart, as a
 * report without tables reads none of them. */
void
stats_part_save_tables(struct strbuf *b, const struct stats_part *sp)
{
	const struct tally *t[] = { &sp->p.models, &sp->p.tools };

	for (size_t k = 0; k < 2; k++) {
		put_u64(b, t[k]->n);
		for (size_t i = 0; i < t[k]->cap; i++) {
			const struct tally_item *it = &t[k]->v[i];

			if (it->name == NULL)
				continue;
			put_bytes(b, it->name, it->len);
			put_values(b, it->d.v, it->d.n, it->d.sorted,
			    it->d.tail);
		}
	}
}

/* A part's counters, sums and tallies, in the order its bytes hold them:
 * one list, for writing them and for reading them back. */
#define PART_COUNTS	20
#define PART_SUMS	8
#define PART_TALLIES	8

static void
part_lists(struct part *p, uint64_t *counts[PART_COUNTS],
    struct xsum *sums[PART_SUMS], struct tally *tallies[PART_TALLIES])
{
	uint64_t *const c[PART_COUNTS] = { &p->total, &p->malformed,
	    &p->foreign, &p->out_of_range, (uint64_t *)&p->first,
	    (uint64_t *)&p->last, &p->user_total, &p->user_success,
	    &p->user_dur_n, &p->llm_total, &p->llm_failed, &p->llm_dur_n,
	    &p->llm_streaming, &p->tool_total, &p->tool_success,
	    &p->tool_dur_n, &p->sec_total, &p->sec_allowed, &p->sec_denied,
	    &p->perf_total };
	struct xsum *const s[PART_SUMS] = { &p->user_dur, &p->llm_dur,
	    &p->prompt, &p->completion, &p->tokens, &p->cost, &p->tool_dur,
	    &p->perf_dur };
	struct tally *const t[PART_TALLIES] = { &p->providers, &p->models,
	    &p->days, &p->unpriced, &p->errors, &p->tools,
	    &p->denied_resources, &p->denied_actions };

	memcpy(counts, c, sizeof c);
	memcpy(sums, s, sizeof s);
	memcpy(tallies, t, sizeof t);
}

void
stats_part_save(struct strbuf *b, struct stats_part *sp)
{
	struct part *p = &sp->p;
	const struct req_stats *r = &p->requests;
	uint64_t *counts[PART_COUNTS];
	struct xsum *sums[PART_SUMS];
	struct tally *tallies[PART_TALLIES];

	part_lists(p, counts, sums, tallies);
	for (size_t i = 0; i < PART_COUNTS; i++)
		put_u64(b, *counts[i]);
	put_u64(b, p->tables);
	put(b, p->by_level, sizeof p->by_level);
	put(b, p->by_category, sizeof p->by_category);
	for (size_t i = 0; i < PART_SUMS; i++)
		xsum_save(b, sums[i]);
	for (size_t i = 0; i < PART_TALLIES; i++)
		put_tally(b, tallies[i]);
	put_f64(b, p->peak_memory);
	put_values(b, p->user_d.v, p->user_d.n, p->user_d.sorted,
	    p->user_d.tail);
	put_values(b, p->tool_d.v, p->tool_d.n, p->tool_d.sorted,
	    p->tool_d.tail);
	put_values(b, p->llm_d.v, p->llm_d.n, p->llm_d.sorted, p->llm_d.tail);
	put_values(b, p->durations, p->ndur, p->dur_sorted, p->dur_tail);
	put_u64(b, p->nslow);
	for (size_t i = 0; i < p->nslow; i++) {
		put_bytes(b, p->slowest[i].operation, p->slowest[i].len);
		put_f64(b, p->slowest[i].ms);
		put_entry(b, &p->slowest[i].entry);
	}
	put_u64(b, (uint64_t)p->minutes.first);
	put_u64(b, p->minutes.n);
	for (size_t i = 0; i < p->minutes.n; i++) {
		const struct minute *m = &p->minutes.m[i];

		put_u64(b, (uint64_t)m->requests << 32 | m->requests_ok);
		put_u64(b, (uint64_t)m->llm << 32 | m->llm_failed);
		put_u64(b, (uint64_t)m->denied << 32 | m->unpriced);
		put_u64(b, m->tokens);
		put_f64(b, m->cost);
	}
	put_u64(b, p->nreq);
	put_u64(b, p->req_sorted);
	for (size_t i = 0; i < p->nreq; i++) {
		put_u64(b, (uint64_t)p->reqs[i].t);
		put_f64(b, p->reqs[i].ms);
	}
	put_u64(b, r->requests);
	put_u64(b, r->llm_calls);
	put_u64(b, r->tool_calls);
	put_u64(b, r->tokens);
	put_u64(b, r->unpriced);
	xsum_save(b, &r->cost);
	put_u64(b, r->ntop);
	for (size_t i = 0; i < r->ntop; i++) {
		put(b, r->top[i].id, sizeof r->top[i].id);
		put_f64(b, r->top[i].ms);
		put_entry(b, &r->top[i].entry);
		put_bytes(b, r->top[i].input, r->top[i].len);
		put_u64(b, r->top[i].failed);
	}
	put_u64(b, r->has_calls);
	put_u64(b, (uint64_t)r->calls_from);
	put_u64(b, (uint64_t)r->calls_to);
}

/* Bytes read back, bounded: past the end, or a value that cannot be,
 * makes ok false and every read after it zero. */
struct rd {
	const unsigned char *p, *end;
	bool ok;
};

static void
get(struct rd *r, void *out, size_t n)
{
	if (!r->ok || (size_t)(r->end - r->p) < n) {
		r->ok = false;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t v;

	get(r, &v, sizeof v);
	return v;
}

static double
get_f64(struct rd *r)
{
	double v;

	get(r, &v, sizeof v);
	return v;
}

/* A count of things of at least size bytes each, that many left. */
static size_t
get_count(struct rd *r, size_t size, size_t most)
{
	uint64_t n = get_u64(r);

	if (n > most || n > (uint64_t)(r->end - r->p) / size)
		r->ok = false;
	return r->ok ? (size_t)n : 0;
}

static char *
get_bytes(struct rd *r, size_t *len)
{
	size_t n = get_count(r, 1, SIZE_MAX);
	char *s = eng_xmalloc(n + 1);

	get(r, s, n);
	s[n] = '\0';
	*len = r->ok ? n : 0;
	return s;
}

static void
get_xsum(struct rd *r, struct xsum *s)
{
	xsum_free(s);
	if (r->ok && !xsum_restore(s, &r->p, r->end))
		r->ok = false;
}

static void
get_entry(struct rd *r, struct eng_entry *en, uint32_t file, uint8_t source)
{
	uint64_t kinds;

	en->time_us = (int64_t)get_u64(r);
	en->offset = get_u64(r);
	en->length = (uint32_t)get_u64(r);
	kinds = get_u64(r);
	en->category = (uint8_t)kinds;
	en->level = (uint8_t)(kinds >> 8);
	en->flags = (uint8_t)(kinds >> 16);
	en->file = file;
	en->source = source;
}

/* Whether v[0..n) hold no NaN, and [0, sorted) and [sorted, tail) are
 * each in order (struct durs). */
static bool
values_valid(const double *v, size_t n, size_t sorted, size_t tail)
{
	uint64_t prev = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = dbl_key(v[i]);

		if (isnan(v[i]) || (i != 0 && i != sorted && i < tail &&
		    prev > k))
			return false;
		prev = k;
	}
	return true;
}

static void
get_values(struct rd *r, double **v, size_t *n, size_t *cap,
    size_t *sorted, size_t *tail)
{
	size_t k = get_count(r, sizeof **v, SIZE_MAX);
	size_t s = (size_t)get_u64(r), t = (size_t)get_u64(r);

	if (!r->ok || s > k || t > k)
		r->ok = false;
	if (!r->ok || k == 0)
		return;
	eng_grow(v, cap, k, sizeof **v);
	get(r, *v, k * sizeof **v);
	*n = k;
	*sorted = s;
	*tail = t;
	if (r->ok && !values_valid(*v, k, s, t > s ? t : s))
		r->ok = false;
}

static void
get_durs(struct rd *r, struct durs *d)
{
	get_values(r, &d->v, &d->n, &d->cap, &d->sorted, &d->tail);
}

static void
get_tally(struct rd *r, struct tally *t)
{
	size_t n = get_count(r, 8, SIZE_MAX);

	for (size_t i = 0; r->ok && i < n; i++) {
		size_t len;
		char *name = get_bytes(r, &len);
		struct tally_item *it;

		if (!r->ok) {
			free(name);
			break;
		}
		it = tally_get(t, name, len);
		free(name);
		if (it->count != 0) {	/* a name twice */
			r->ok = false;
			break;
		}
		it->count = get_u64(r);
		it->failed = get_u64(r);
		it->last = (int64_t)get_u64(r);
		get_xsum(r, &it->sum);
		it->costed = get_u64(r);
		get_xsum(r, &it->cost);
	}
}

bool
stats_part_load_tables(struct stats_part *sp, const void *bytes, size_t len)
{
	struct rd r = { bytes, (const unsigned char *)bytes + len, true };
	struct tally *t[] = { &sp->p.models, &sp->p.tools };

	for (size_t k = 0; k < 2 && r.ok; k++) {
		size_t n = get_count(&r, 8, SIZE_MAX);

		if (n != t[k]->n)
			r.ok = false;
		for (size_t i = 0; r.ok && i < n; i++) {
			size_t nlen;
			char *name = get_bytes(&r, &nlen);
			struct tally_item *it = NULL;

			if (r.ok && t[k]->cap > 0)
				it = tally_slot(t[k], name, nlen,
				    hash(name, nlen));
			free(name);
			if (it == NULL || it->name == NULL || it->d.n > 0) {
				r.ok = false;	/* none such, or twice */
				break;
			}
			get_durs(&r, &it->d);
		}
	}
	if (!r.ok || r.p != r.end)
		return false;
	sp->p.tables = sp->kept_tables;
	return true;
}

struct stats_part *
stats_part_load(const void *bytes, size_t len, uint32_t file, uint8_t source)
{
	struct rd r = { bytes, (const unsigned char *)bytes + len, true };
	struct stats_part *sp = eng_xcalloc(1, sizeof *sp);
	struct part *p = &sp->p;
	struct req_stats *rq = &p->requests;
	uint64_t *counts[PART_COUNTS];
	struct xsum *sums[PART_SUMS];
	struct tally *tallies[PART_TALLIES];
	size_t n;

	part_init(p);
	part_lists(p, counts, sums, tallies);
	for (size_t i = 0; i < PART_COUNTS; i++)
		*counts[i] = get_u64(&r);
	sp->kept_tables = get_u64(&r) != 0;
	get(&r, p->by_level, sizeof p->by_level);
	get(&r, p->by_category, sizeof p->by_category);
	for (size_t i = 0; i < PART_SUMS; i++)
		get_xsum(&r, sums[i]);
	for (size_t i = 0; i < PART_TALLIES; i++)
		get_tally(&r, tallies[i]);
	p->peak_memory = get_f64(&r);
	get_durs(&r, &p->user_d);
	get_durs(&r, &p->tool_d);
	get_durs(&r, &p->llm_d);
	get_values(&r, &p->durations, &p->ndur, &p->durcap, &p->dur_sorted,
	    &p->dur_tail);
	n = get_count(&r, 8, SLOWEST);
	for (size_t i = 0; r.ok && i < n; i++) {
		struct slow *s = &p->slowest[i];

		s->operation = get_bytes(&r, &s->len);
		p->nslow++;
		s->ms = get_f64(&r);
		get_entry(&r, &s->entry, file, source);
		if (i > 0 && !(s->ms <= p->slowest[i - 1].ms))
			r.ok = false;
	}
	p->minutes.first = (int64_t)get_u64(&r);
	n = get_count(&r, 5 * 8, TREND_MINUTES);
	if (n > 0) {
		p->minutes.m = eng_xcalloc(n, sizeof *p->minutes.m);
		p->minutes.n = p->minutes.cap = n;
	}
	for (size_t i = 0; r.ok && i < n; i++) {
		struct minute *m = &p->minutes.m[i];
		uint64_t a = get_u64(&r), b = get_u64(&r), c = get_u64(&r);

		m->requests = (uint32_t)(a >> 32), m->requests_ok = (uint32_t)a;
		m->llm = (uint32_t)(b >> 32), m->llm_failed = (uint32_t)b;
		m->denied = (uint32_t)(c >> 32), m->unpriced = (uint32_t)c;
		m->tokens = get_u64(&r);
		m->cost = get_f64(&r);
	}
	n = get_count(&r, 16, SIZE_MAX);
	p->req_sorted = (size_t)get_u64(&r);
	if (p->req_sorted > n)
		r.ok = false;
	if (r.ok && n > 0) {
		p->reqs = eng_xmalloc(n * sizeof *p->reqs);
		p->nreq = p->reqcap = n;
	}
	for (size_t i = 0; r.ok && i < n; i++) {
		p->reqs[i].t = (int64_t)get_u64(&r);
		p->reqs[i].ms = get_f64(&r);
		if (i > 0 && i < p->req_sorted &&
		    p->reqs[i - 1].t > p->reqs[i].t)
			r.ok = false;
	}
	rq->requests = get_u64(&r);
	rq->llm_calls = get_u64(&r);
	rq->tool_calls = get_u64(&r);
	rq->tokens = get_u64(&r);
	rq->unpriced = get_u64(&r);
	get_xsum(&r, &rq->cost);
	n = get_count(&r, 16 + 8, SLOW_REQUESTS);
	for (size_t i = 0; r.ok && i < n; i++) {
		struct req_slow *rs = &rq->top[i];

		get(&r, rs->id, sizeof rs->id);
		rs->ms = get_f64(&r);
		get_entry(&r, &rs->entry, file, source);
		rs->input = get_bytes(&r, &rs->len);
		rq->ntop++;
		rs->failed = get_u64(&r) != 0;
	}
	rq->has_calls = get_u64(&r) != 0;
	rq->calls_from = (int64_t)get_u64(&r);
	rq->calls_to = (int64_t)get_u64(&r);
	if (!r.ok || r.p != r.end) {
		stats_part_free(sp);
		return NULL;
	}
	return sp;
}

void
stats_part_free(struct stats_part *sp)
{
	if (sp == NULL)
		return;
	vruns_free(&sp->runs);
	part_free(&sp->p);
	free(sp);
}

void
stats_part_settle(struct stats_part *sp)
{
	vruns_merge_into(&sp->runs, &sp->p);
	/* what comes after goes after these: merged in as usual */
	sp->runs.closed = true;
}
