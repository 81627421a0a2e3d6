/*
 * view.c - filters and views: the entries that pass a filter, kept in time
 * order.  A view is the filtered subsequence of the engine's time order
 * (order.c), taken in one pass; an update filters only what was added and
 * takes it from the order's tail, or, when some of it went in before the
 * end (a late entry, the background load), sorts it and merges it in.
 * Entries that leave the index (prune.c) leave every view at once: the
 * engine knows its views for that.
 *
 * A partial view (eng_view_new_partial) is filled from its newest
 * entries back, a slice at a time (eng_view_fill), over a copy of the
 * time order taken when it was made; until the copy is done the view
 * grows at its start, takes nothing new in and tells stats nothing
 * (view_seen is 0).  Done, it is a view like any other, which saw the
 * entries the copy held: its next update takes in those that came since.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

#define PAR_FILTER	20000	/* new entries worth a second thread */

struct eng_view {
	struct eng *e;
	struct eng_filter f;
	char *keyword;
	struct eng_regex *kw;		/* the keyword as a caseless literal */
	uint32_t *idx;			/* index positions, in time order */
	size_t n, cap;
	size_t seen;			/* index entries examined */
	size_t fresh_from;		/* the last update's began here */
	uint64_t order_gen;		/* the order's, at the last update */
	size_t counts[LLMLOG_NCATEGORIES];
	size_t regex_errors;
	bool refilter;			/* entries left that counts cannot
					   tell: filter all again */
	uint64_t serial;		/* tells views apart, even at one
					   address, and changes when entries
					   leave (stats count again) */
	/* while partial: */
	uint32_t *snap;			/* the time order when made */
	size_t snap_n, snap_lo;		/* [snap_lo, snap_n) filtered */
	size_t snap_count;		/* the index's entries then */
	uint64_t snap_gen;		/* the order's generation then */
	uint32_t *rev;			/* those that pass, newest first */
	size_t rev_n, rev_cap;
	uint64_t *marks;		/* a slice's passes, by index entry */
};

#define PAR_SLICE	4096	/* a slice worth a second thread */
#define SLICE_BLOCK	(256u << 10)	/* a slice's read size */

/* Index position of the view's entry i, and the view's size, whether
 * partial or not. */
static inline uint32_t
vpos(const struct eng_view *v, size_t i)
{
	return v->snap != NULL ? v->rev[v->rev_n - 1 - i] : v->idx[i];
}

static inline size_t
vcount(const struct eng_view *v)
{
	return v->snap != NULL ? v->rev_n : v->n;
}

static atomic_uint_fast64_t view_serials;

/* Where a pattern next matches in the block being read: lines before
 * that offset need no match call of their own. */
struct cursor {
	uint32_t file;			/* the block searched */
	uint64_t start;
	uint64_t origin;		/* file offset the search started at */
	uint64_t next;			/* file offset of the match, or UINT64_MAX */
	bool off;			/* block search failed: line by line */
	unsigned dense;			/* lines left to match one by one */
	unsigned dense_run;		/* and how many the next time */
};

/* A block search that finds its match in the line it started from says
 * matches are dense: match lines one by one for a while, twice as long
 * each time in a row (a search for [^x]+ where x is rare runs far past
 * every line). */
#define DENSE_LINES	32
#define DENSE_MAX	(1u << 16)

/* One thread's share of the content filtering of new entries. */
struct filter_job {
	struct eng_view *v;
	size_t from, to;
	const uint32_t *list;		/* entries list[from..to), or NULL:
					   entries from..to */
	uint8_t *pass;			/* [i - from]: passes all but category */
	struct block_reader br;
	struct rx_ctx *kw, *rx;
	struct where_ctx **where;	/* one per expression */
	struct cursor kw_at, rx_at;
	size_t regex_errors;
	struct eng_decoded dec;		/* of dec_of, when not NULL */
	const struct eng_entry *dec_of;
	bool dec_whole;			/* or its summary only */
};

void
eng_filter_init(struct eng_filter *f)
{
	memset(f, 0, sizeof *f);
	f->since_us = ENG_TIME_NONE;
	f->until_us = ENG_TIME_NONE;
}

static bool
pass_cheap(const struct eng_filter *f, const struct eng_entry *en)
{
	if (f->min_level > 0 && !(en->flags & ENTRY_MALFORMED) &&
	    eng_entry_level(en) < f->min_level)
		return false;
	if (f->since_us != ENG_TIME_NONE && en->time_us < f->since_us)
		return false;
	if (f->until_us != ENG_TIME_NONE && en->time_us > f->until_us)
		return false;
	return true;
}

static bool
pass_category(const struct eng_filter *f, const struct eng_entry *en)
{
	if (f->categories == 0)
		return true;
	return en->category < LLMLOG_NCATEGORIES &&
	    (f->categories & (1u << en->category));
}

static void
dense_check(struct cursor *cur, uint64_t line_end)
{
	if (cur->dense_run == 0)
		cur->dense_run = DENSE_LINES;
	if (cur->next > line_end)
		cur->dense_run = DENSE_LINES;
	else {
		cur->dense = cur->dense_run;
		if (cur->dense_run < DENSE_MAX)
			cur->dense_run *= 2;
	}
}

/* Whether the reader's block holds the line at offset, n bytes, with a
 * newline (or the block's start) before it and a newline after it. */
static bool
line_framed(const struct block_reader *br, uint64_t offset, size_t n)
{
	size_t at = (size_t)(offset - br->start);

	if (offset < br->start || at + n >= br->len || br->buf[at + n] != '\n')
		return false;
	return at == 0 || br->buf[at - 1] == '\n';
}

/* Match one line, searching the whole block the reader holds when that
 * is safe: with rare matches one search covers thousands of lines. */
static int
match_line(struct filter_job *j, const struct eng_regex *re,
    struct rx_ctx *c, struct cursor *cur, const struct eng_entry *en,
    const char *s, size_t n)
{
	struct block_reader *br = &j->br;
	size_t at;
	int rc;

	if (cur->dense > 0)
		cur->dense--;
	else if (!cur->off && rx_has_block(re)) {
		if (cur->file != br->file || cur->start != br->start ||
		    cur->origin > en->offset || cur->next < en->offset) {
			rc = rx_find(re, c, br->buf, br->len,
			    (size_t)(en->offset - br->start), &at);
			if (rc < 0)
				cur->off = true;	/* limits: line by line */
			else {
				cur->file = br->file;
				cur->start = br->start;
				cur->origin = en->offset;
				cur->next = rc == 1 ? br->start + at :
				    UINT64_MAX;
				dense_check(cur, en->offset + n);
			}
		}
		/* a line ending before the next match, inside the block
		 * searched, has none - if the block still holds it between
		 * newlines, as the pattern saw it line by line (a file
		 * written over in place may not) */
		if (!cur->off && cur->next > en->offset + n &&
		    line_framed(br, en->offset, n))
			return 0;
	}
	return rx_match(re, c, s, n, 0, NULL, NULL, NULL, 0);
}

/* Whether a line passes a needle as its view matches: its raw line, or
 * its decoded text - which a raw miss rules out on a plain line when the
 * needle allows it (prefilter.c), and which is built once for both
 * needles. */
static int
match_content(struct filter_job *j, const struct eng_regex *re,
    struct rx_ctx *c, struct cursor *cur, const struct eng_entry *en,
    const char *s, size_t n)
{
	bool summary = false;

	if (j->v->f.raw)
		return match_line(j, re, c, cur, en, s, n);
	if (rx_words(re) && match_line(j, rx_needle(re), c, cur, en, s,
	    n) == 0 && decoded_plain(re, s, n)) {
		if (rx_raw_implied(re))
			return 0;
		summary = true;
	}
	if (j->dec_of != en || (!summary && !j->dec_whole)) {
		if (summary)
			decoded_build_summary(&j->dec, j->v->e, en, s, n);
		else
			eng_decoded_build(&j->dec, j->v->e, en, s, n);
		j->dec_of = en;
		j->dec_whole = !summary;
	}
	return rx_match_decoded(re, c, &j->dec);
}

/* Every where expression, on the line itself: none can be decided for a
 * block of lines at once. */
static bool
pass_where(struct filter_job *j, const struct eng_entry *en, const char *s,
    size_t n)
{
	const struct eng_filter *f = &j->v->f;

	for (size_t i = 0; i < f->nwhere; i++)
		if (where_eval(f->where[i], j->where[i], j->v->e, en, s, n) ==
		    (f->where_not != NULL && f->where_not[i]))
			return false;
	return true;
}

/* The where expressions on the values the index kept, when they alone
 * decide them (where.c): 1 or 0, or -1 when the line must be read. */
static int
pass_kept(struct filter_job *j, size_t pos, const struct eng_entry *en)
{
	const struct eng_filter *f = &j->v->f;
	struct fields kept;

	if (j->v->kw != NULL || f->regex != NULL || f->nwhere == 0)
		return -1;
	for (size_t i = 0; i < f->nwhere; i++)
		if (!where_kept_decides(f->where[i], en))
			return -1;
	if (!entry_kept_fields(j->v->e, pos, en, &kept))
		return -1;
	for (size_t i = 0; i < f->nwhere; i++)
		if (where_eval_kept(f->where[i], j->where[i], j->v->e, en,
		    &kept) == (f->where_not != NULL && f->where_not[i]))
			return 0;
	return 1;
}

static bool
pass_content(struct filter_job *j, size_t pos, const struct eng_entry *en)
{
	struct eng_view *v = j->v;
	const char *s;
	size_t n;
	int rc;

	if ((rc = pass_kept(j, pos, en)) >= 0)
		return rc == 1;
	if ((s = block_reader_line(&j->br, v->e, en, &n)) == NULL)
		return false;
	if (v->kw != NULL && (match_content(j, v->kw, j->kw, &j->kw_at, en, s,
	    n) == 1) == v->f.keyword_not)
		return false;
	if (v->f.regex != NULL) {
		rc = match_content(j, v->f.regex, j->rx, &j->rx_at, en, s, n);
		if (rc < 0) {
			j->regex_errors++;
			return false;
		}
		if ((rc == 1) == v->f.regex_not)
			return false;
	}
	return pass_where(j, en, s, n);
}

static void *
filter_main(void *arg)
{
	struct filter_job *j = arg;
	struct eng *e = j->v->e;

	for (size_t i = j->from; i < j->to; i++) {
		/* a slice lists index positions; a whole filter runs over
		 * them in order */
		size_t pos = j->list != NULL ? j->list[i] : i;
		const struct eng_entry *en = store_entry(e, pos);

		j->pass[i - j->from] = pass_cheap(&j->v->f, en) &&
		    pass_content(j, pos, en);
	}
	return NULL;
}

static void
job_init(struct filter_job *j, struct eng_view *v, size_t from, size_t to,
    uint8_t *pass)
{
	memset(j, 0, sizeof *j);
	j->v = v;
	j->from = from;
	j->to = to;
	j->pass = pass;
	block_reader_init(&j->br);
	eng_decoded_init(&j->dec);
	j->kw_at.file = j->rx_at.file = UINT32_MAX;
	if (v->kw != NULL)
		j->kw = rx_ctx_new(v->kw);
	if (v->f.regex != NULL)
		j->rx = rx_ctx_new(v->f.regex);
	if (v->f.nwhere > 0)
		j->where = eng_xcalloc(v->f.nwhere, sizeof *j->where);
	for (size_t i = 0; i < v->f.nwhere; i++)
		j->where[i] = where_ctx_new(v->f.where[i]);
}

static void
job_free(struct filter_job *j)
{
	block_reader_free(&j->br);
	eng_decoded_free(&j->dec);
	rx_ctx_free(j->kw);
	rx_ctx_free(j->rx);
	for (size_t i = 0; i < j->v->f.nwhere; i++)
		where_ctx_free(j->where[i]);
	free(j->where);
}

/* Which of the entries [from, to) pass the filter but its category set:
 * reading lines is the cost, so two threads share it when it is large. */
static uint8_t *
filter_content(struct eng_view *v, const uint32_t *list, size_t from,
    size_t to)
{
	uint8_t *pass = eng_xmalloc(to - from);
	struct filter_job jobs[2];
	size_t mid = to - from >= (list != NULL ? PAR_SLICE : PAR_FILTER) ?
	    from + (to - from) / 2 : to;
	bool started = false;
	pthread_t th;

	job_init(&jobs[0], v, from, mid, pass);
	job_init(&jobs[1], v, mid, to, pass + (mid - from));
	jobs[0].list = jobs[1].list = list;
	if (list != NULL)	/* a slice reads less of each file */
		jobs[0].br.block = jobs[1].br.block = SLICE_BLOCK;
	if (mid < to)
		started = pthread_create(&th, NULL, filter_main, &jobs[1]) == 0;
	filter_main(&jobs[0]);
	if (started)
		pthread_join(th, NULL);
	else
		filter_main(&jobs[1]);
	v->regex_errors += jobs[0].regex_errors + jobs[1].regex_errors;
	job_free(&jobs[0]);
	job_free(&jobs[1]);
	return pass;
}

static bool
has_content(const struct eng_view *v)
{
	return v->kw != NULL || v->f.regex != NULL || v->f.nwhere > 0;
}

static struct eng_view *
view_make(struct eng *e, const struct eng_filter *f)
{
	struct eng_view *v = eng_xcalloc(1, sizeof *v);

	v->e = e;
	v->f = *f;
	v->serial = atomic_fetch_add(&view_serials, 1) + 1;
	v->f.keyword = NULL;
	if (f->keyword != NULL && *f->keyword != '\0') {
		if ((v->kw = regex_keyword(f->keyword)) == NULL) {
			free(v);
			return NULL;
		}
		v->keyword = eng_xstrdup(f->keyword);
		v->f.keyword = v->keyword;
	}
	eng_grow(&e->views, &e->views_cap, e->nviews + 1, sizeof *e->views);
	e->views[e->nviews++] = v;
	return v;
}

struct eng_view *
eng_view_new(struct eng *e, const struct eng_filter *f)
{
	struct eng_view *v = view_make(e, f);

	if (v != NULL)
		eng_view_update(v);
	return v;
}

struct eng_view *
eng_view_new_partial(struct eng *e, const struct eng_filter *f)
{
	struct eng_view *v = view_make(e, f);

	if (v == NULL)
		return NULL;
	if (!has_content(v) || e->count == 0) {
		eng_view_update(v);
		return v;
	}
	order_sync(e);
	v->snap_n = v->snap_lo = v->snap_count = e->count;
	v->snap_gen = e->order_gen;
	v->snap = eng_xmalloc(v->snap_n * sizeof *v->snap);
	memcpy(v->snap, e->order, v->snap_n * sizeof *v->snap);
	v->marks = eng_xcalloc((v->snap_count + 63) / 64, sizeof *v->marks);
	return v;
}

/* Index positions in ascending order (file order, so that lines are read
 * block by block): radix sort, a byte at a time. */
static void
sort_positions(uint32_t *a, size_t n)
{
	uint32_t *tmp = eng_xmalloc(n * sizeof *tmp), *src = a, *dst = tmp, *t;
	size_t count[256];

	for (int shift = 0; shift < 32; shift += 8) {
		size_t sum = 0;

		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		for (size_t i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* four passes: the result is back in a */
	free(tmp);
}

/* Filter the next slice of a partial view's copy of the order, up to max
 * entries back from the newest not yet filtered: in index order, then
 * taken in newest first. */
static void
fill_slice(struct eng_view *v, size_t max)
{
	struct eng *e = v->e;
	size_t k = v->snap_lo < max ? v->snap_lo : max, lo = v->snap_lo - k;
	uint32_t *sorted;
	uint8_t *pass;

	if (k == 0)
		return;
	sorted = eng_xmalloc(k * sizeof *sorted);
	memcpy(sorted, v->snap + lo, k * sizeof *sorted);
	sort_positions(sorted, k);
	pass = filter_content(v, sorted, 0, k);
	for (size_t i = 0; i < k; i++)
		if (pass[i])
			v->marks[sorted[i] >> 6] |= UINT64_C(1) << (sorted[i] & 63);
	for (size_t x = lo + k; x-- > lo;) {
		uint32_t i = v->snap[x];
		uint64_t bit = UINT64_C(1) << (i & 63);
		const struct eng_entry *en;

		if (!(v->marks[i >> 6] & bit))
			continue;
		v->marks[i >> 6] &= ~bit;
		en = store_entry(e, i);
		if (en->category < LLMLOG_NCATEGORIES)
			v->counts[en->category]++;
		if (!pass_category(&v->f, en))
			continue;
		if (v->rev_n == v->rev_cap)
			eng_grow(&v->rev, &v->rev_cap, v->rev_n + 1,
			    sizeof *v->rev);
		v->rev[v->rev_n++] = i;
	}
	v->snap_lo = lo;
	free(pass);
	free(sorted);
}

/* The copy is filtered: the view holds what a view made then would, and
 * its next update takes in what came since. */
static void
fill_done(struct eng_view *v)
{
	size_t n = v->rev_n;

	free(v->idx);
	v->cap = n > 0 ? n : 1;
	v->idx = eng_xmalloc(v->cap * sizeof *v->idx);
	for (size_t i = 0; i < n; i++)
		v->idx[i] = v->rev[n - 1 - i];
	v->n = n;
	v->seen = v->fresh_from = v->snap_count;
	v->order_gen = v->snap_gen;
	free(v->snap);
	free(v->rev);
	free(v->marks);
	v->snap = v->rev = NULL;
	v->marks = NULL;
	v->snap_n = v->snap_lo = v->rev_n = v->rev_cap = 0;
	v->serial = atomic_fetch_add(&view_serials, 1) + 1;
}

bool
eng_view_fill(struct eng_view *v, size_t max)
{
	if (v->snap == NULL)
		return false;
	fill_slice(v, max);
	if (v->snap_lo == 0)
		fill_done(v);
	return v->snap != NULL;
}

bool
eng_view_partial(const struct eng_view *v, size_t *done, size_t *total)
{
	if (v->snap == NULL)
		return false;
	*done = v->snap_n - v->snap_lo;
	*total = v->snap_n;
	return true;
}

void
eng_view_free(struct eng_view *v)
{
	struct eng *e;

	if (v == NULL)
		return;
	e = v->e;
	for (size_t i = 0; i < e->nviews; i++) {
		if (e->views[i] == v) {
			e->views[i] = e->views[--e->nviews];
			break;
		}
	}
	if (e->nviews == 0) {
		free(e->views);
		e->views = NULL;
		e->views_cap = 0;
	}
	free(v->keyword);
	eng_regex_free(v->kw);
	free(v->idx);
	free(v->snap);
	free(v->rev);
	free(v->marks);
	free(v);
}

/* Whether index entry i passes; pass holds the content filter's verdict
 * for the entries from v->seen on, when the filter reads lines.  The
 * category set is left to the caller: the tab counts ignore it. */
static inline bool
view_passes(const struct eng_view *v, const uint8_t *pass, size_t i,
    const struct eng_entry *en)
{
	return pass != NULL ? pass[i - v->seen] : pass_cheap(&v->f, en);
}

bool
filter_lets_all(const struct eng_filter *f)
{
	return f->categories == 0 && f->min_level == 0 &&
	    f->since_us == ENG_TIME_NONE && f->until_us == ENG_TIME_NONE &&
	    f->keyword == NULL && f->regex == NULL && f->nwhere == 0;
}

/* The new entries are the order's tail: one pass, no comparisons.  The
 * tail holds the index positions from seen on, so when every entry
 * passes it is the view's as it is, and the counts by category are
 * those of those positions, read in index order (from memory in order,
 * not in time order, which jumps between the files). */
static size_t
take_tail(struct eng_view *v, const uint8_t *pass)
{
	struct eng *e = v->e;
	size_t n = 0;

	if (filter_lets_all(&v->f)) {
		n = e->count - v->seen;
		for (size_t i = v->seen; i < e->count; i++) {
			const struct eng_entry *en = store_entry(e, i);

			if (en->category < LLMLOG_NCATEGORIES)
				v->counts[en->category]++;
		}
		eng_grow(&v->idx, &v->cap, v->n + n, sizeof *v->idx);
		memcpy(v->idx + v->n, e->order + v->seen, n * sizeof *v->idx);
		v->n += n;
		return n;
	}
	for (size_t k = v->seen; k < e->count; k++) {
		uint32_t i = e->order[k];
		const struct eng_entry *en = store_entry(e, i);

		if (!view_passes(v, pass, i, en))
			continue;
		if (en->category < LLMLOG_NCATEGORIES)
			v->counts[en->category]++;
		if (!pass_category(&v->f, en))
			continue;
		if (v->n == v->cap)	/* a call per entry costs */
			eng_grow(&v->idx, &v->cap, v->n + 1, sizeof *v->idx);
		v->idx[v->n++] = i;
		n++;
	}
	return n;
}

/* Some new entries went in before the order's end: sort those that pass
 * and merge them in, where a freshly made view would have them. */
static size_t
take_merge(struct eng_view *v, const uint8_t *pass)
{
	struct eng *e = v->e;
	uint32_t *add;
	size_t n = 0;

	add = eng_xmalloc((e->count - v->seen) * sizeof *add);
	for (size_t i = v->seen; i < e->count; i++) {
		const struct eng_entry *en = store_entry(e, i);

		if (!view_passes(v, pass, i, en))
			continue;
		if (en->category < LLMLOG_NCATEGORIES)
			v->counts[en->category]++;
		if (pass_category(&v->f, en))
			add[n++] = (uint32_t)i;
	}
	order_sort(e, add, n);
	eng_grow(&v->idx, &v->cap, v->n + n, sizeof *v->idx);
	order_merge(e, v->idx, v->n, add, n);
	v->n += n;
	free(add);
	return n;
}

/* Forget what was taken in, to filter every entry again. */
static void
view_reset(struct eng_view *v)
{
	v->n = 0;
	v->seen = 0;
	v->regex_errors = 0;
	memset(v->counts, 0, sizeof v->counts);
	v->refilter = false;
}

size_t
eng_view_update(struct eng_view *v)
{
	struct eng *e = v->e;
	uint8_t *pass = NULL;
	bool again = v->refilter;
	size_t n;

	if (v->snap != NULL)
		return 0;	/* takes the new ones in when filled */
	v->fresh_from = v->seen;
	if (again)
		view_reset(v);
	if (v->seen >= e->count)
		return 0;
	order_sync(e);
	if (has_content(v))
		pass = filter_content(v, NULL, v->seen, e->count);
	/* the order only grew at its end since this view last looked (or it
	 * never did): the new entries are its tail */
	if (v->seen == 0 || v->order_gen == e->order_gen)
		n = take_tail(v, pass);
	else
		n = take_merge(v, pass);
	v->seen = e->count;
	v->order_gen = e->order_gen;
	free(pass);
	if (again) {
		/* filtered again from the start: the new ones are those
		 * past where the last update stopped */
		n = 0;
		for (size_t i = 0; i < v->n; i++)
			n += v->idx[i] >= v->fresh_from;
	}
	return n;
}

bool
eng_view_is_new(const struct eng_view *v, size_t i)
{
	return v->snap == NULL && i < v->n && v->idx[i] >= v->fresh_from;
}

/*
 * The pruned entries leave the view; the rest are renumbered.  A view
 * counts, per category, the entries that pass all but its category set:
 * without a keyword or regex an entry that left is taken off its count
 * by the cheap tests alone; with one, only when it was in the view (its
 * category is in the set); one of another category could have passed or
 * not, so the view is filtered again at its next update, as it is when
 * its regex gave up on lines (which may have left).  The serial changes,
 * so that stats fed this view count it again.
 */
void
view_prune(struct eng_view *v, const uint32_t *map, const uint32_t *dead,
    size_t ndead)
{
	struct eng *e = v->e;
	bool content = has_content(v);
	size_t below = 0, w = 0;

	if (v->snap != NULL) {
		/* partial: fill again from the newest, over the copy
		 * renumbered (the lines left are still there to read) */
		for (size_t x = 0; x < v->snap_n; x++)
			if (map[v->snap[x]] != PRUNED)
				v->snap[w++] = map[v->snap[x]];
		v->snap_n = v->snap_lo = w;
		v->snap_count = prune_below(dead, ndead, v->snap_count);
		v->rev_n = 0;
		v->regex_errors = 0;
		memset(v->counts, 0, sizeof v->counts);
		v->serial = atomic_fetch_add(&view_serials, 1) + 1;
		return;
	}

	for (; below < ndead && dead[below] < v->seen; below++) {
		const struct eng_entry *en = store_entry(e, dead[below]);

		if (en->category >= LLMLOG_NCATEGORIES)
			continue;
		if (!content) {
			if (pass_cheap(&v->f, en))
				v->counts[en->category]--;
		} else if (!pass_category(&v->f, en))
			v->refilter = true;
	}
	if (below == 0)
		return;		/* only entries the view has not looked at */
	for (size_t i = 0; i < v->n; i++) {
		uint32_t p = v->idx[i];

		const struct eng_entry *en = store_entry(e, p);

		if (map[p] != PRUNED)
			v->idx[w++] = map[p];
		else if (content && en->category < LLMLOG_NCATEGORIES)
			v->counts[en->category]--;
	}
	v->n = w;
	if (v->n < v->cap / 4) {
		v->cap = v->n * 2;
		v->idx = eng_xrealloc(v->idx, v->cap * sizeof *v->idx);
	}
	if (v->regex_errors > 0)
		v->refilter = true;
	v->seen = prune_below(dead, ndead, v->seen);
	v->fresh_from = prune_below(dead, ndead, v->fresh_from);
	v->serial = atomic_fetch_add(&view_serials, 1) + 1;
}

size_t
eng_view_count(const struct eng_view *v)
{
	return vcount(v);
}

const struct eng_entry *
eng_view_get(const struct eng_view *v, size_t i)
{
	if (i >= vcount(v))
		return NULL;
	return store_entry(v->e, vpos(v, i));
}

void
eng_view_category_counts(const struct eng_view *v,
    size_t counts[LLMLOG_NCATEGORIES])
{
	memcpy(counts, v->counts, sizeof v->counts);
}

size_t
eng_view_regex_errors(const struct eng_view *v)
{
	return v->regex_errors;
}

struct eng *
eng_view_engine(const struct eng_view *v)
{
	return v->e;
}

uint32_t
view_position(const struct eng_view *v, size_t i)
{
	return vpos(v, i);
}

uint64_t
view_serial(const struct eng_view *v)
{
	return v->serial;
}

size_t
view_seen(const struct eng_view *v)
{
	return v->snap != NULL ? 0 : v->seen;
}

/* Whether the search re finds view position pos, as the view matches. */
static bool
search_hit(struct eng_view *v, struct eng_regex *re, struct eng_reader *r,
    struct eng_decoded *d, size_t pos)
{
	const struct eng_entry *en = store_entry(v->e, vpos(v, pos));
	size_t len;
	const char *s = eng_reader_line(r, en, &len);

	if (s == NULL)
		return false;
	if (v->f.raw)
		return eng_regex_match(re, s, len, 0, NULL, NULL) == 1;
	if (rx_words(re) && rx_needle_match(re, s, len) == 0 &&
	    decoded_plain(re, s, len)) {
		if (rx_raw_implied(re))
			return false;
		decoded_build_summary(d, v->e, en, s, len);	/* see rx_words */
	} else
		eng_decoded_build(d, v->e, en, s, len);
	return eng_decoded_match(re, d) == 1;
}

long
eng_view_search(struct eng_view *v, struct eng_regex *re, size_t from,
    int dir)
{
	size_t n = vcount(v), pos;
	struct eng_reader *r;
	struct eng_decoded d;
	long found = -1;

	if (n == 0 || re == NULL)
		return -1;
	dir = dir < 0 ? -1 : 1;
	if (from >= n)
		from = dir > 0 ? n - 1 : 0;
	r = eng_reader_new(v->e, dir < 0);
	eng_decoded_init(&d);
	pos = from;
	for (size_t k = 0; k < n && found < 0; k++) {
		pos = dir > 0 ? (pos + 1) % n : (pos + n - 1) % n;
		if (search_hit(v, re, r, &d, pos))
			found = (long)pos;
	}
	eng_decoded_free(&d);
	eng_reader_free(r);
	return found;
}

void
eng_view_matches(struct eng_view *v, struct eng_regex *re, size_t from,
    size_t to, size_t **hits, size_t *nhits, size_t *cap)
{
	struct eng_reader *r;
	struct eng_decoded d;

	if (to > vcount(v))
		to = vcount(v);
	if (re == NULL || from >= to)
		return;
	r = eng_reader_new(v->e, false);
	eng_decoded_init(&d);
	for (size_t pos = from; pos < to; pos++) {
		if (search_hit(v, re, r, &d, pos)) {
			eng_grow(hits, cap, *nhits + 1, sizeof **hits);
			(*hits)[(*nhits)++] = pos;
		}
	}
	eng_decoded_free(&d);
	eng_reader_free(r);
}
