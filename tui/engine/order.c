/*
 * order.c - one time order of every entry of the index (a permutation of
 * index positions, 4 bytes an entry), kept up to date as entries are
 * added, so that a view is one pass over it rather than a sort, and
 * renumbered when entries leave the index (prune.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

#define PAR_MERGE	(1u << 17)	/* entries worth a merge on two cores */

static inline bool
idx_less(const struct eng *e, uint32_t a, uint32_t b)
{
	return entry_cmp(store_entry(e, a), store_entry(e, b)) < 0;
}

/* Merge two sorted runs; each side's head entry is looked up once. */
static void
merge_runs(const struct eng *e, const uint32_t *a, size_t an,
    const uint32_t *b, size_t bn, uint32_t *out)
{
	size_t i = 0, j = 0, k = 0;
	const struct eng_entry *x, *y;

	if (an > 0 && bn > 0) {
		x = store_entry(e, a[0]);
		y = store_entry(e, b[0]);
		for (;;) {
			if (entry_cmp(y, x) < 0) {
				out[k++] = b[j++];
				if (j == bn)
					break;
				y = store_entry(e, b[j]);
			} else {
				out[k++] = a[i++];
				if (i == an)
					break;
				x = store_entry(e, a[i]);
			}
		}
	}
	memcpy(out + k, a + i, (an - i) * sizeof *a);
	k += an - i;
	memcpy(out + k, b + j, (bn - j) * sizeof *b);
}

struct merge_job {
	const struct eng *e;
	const uint32_t *a, *b;
	size_t an, bn;
	uint32_t *out;
};

static void *
merge_main(void *arg)
{
	const struct merge_job *j = arg;

	merge_runs(j->e, j->a, j->an, j->b, j->bn, j->out);
	return NULL;
}

/* How many of a's entries are among the first k that merge_runs puts
 * out (the rest are b's): a[i] goes before b[k - i - 1] unless b's is
 * less, so the count is the first i where it does not. */
static size_t
split_at(const struct eng *e, const uint32_t *a, size_t an,
    const uint32_t *b, size_t bn, size_t k)
{
	size_t lo = k > bn ? k - bn : 0, hi = k < an ? k : an;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (!idx_less(e, b[k - mid - 1], a[mid]))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* merge_runs, its halves on two cores when it is large: each half of
 * the output is merged from the parts of a and b that fill it. */
static void
merge_two(const struct eng *e, const uint32_t *a, size_t an,
    const uint32_t *b, size_t bn, uint32_t *out)
{
	size_t k = (an + bn) / 2, i;
	struct merge_job upper;
	pthread_t th;

	if (an + bn < PAR_MERGE || an == 0 || bn == 0 || load_threads() < 2) {
		merge_runs(e, a, an, b, bn, out);
		return;
	}
	i = split_at(e, a, an, b, bn, k);
	upper = (struct merge_job){ e, a + i, b + (k - i), an - i,
	    bn - (k - i), out + k };
	if (pthread_create(&th, NULL, merge_main, &upper) != 0) {
		merge_runs(e, a, an, b, bn, out);
		return;
	}
	merge_runs(e, a, i, b, k - i, out);
	pthread_join(th, NULL);
}

/* ---- many runs at once: a tournament of their heads ----
 *
 * Merging runs pairwise moves every entry once per level, and a central
 * server's index holds one run per file and host.  A tree of losers
 * merges k runs in one pass, log2(k) comparisons an entry, each head's
 * time kept beside it so that most comparisons read no entry. */

#define KWAY_MIN	4	/* runs worth a tournament */

struct kway {
	const struct eng *e;
	const uint32_t *const *end;	/* each run's end */
	const uint32_t **next;
	int64_t *t;		/* each run's head's time */
	size_t k;
};

/* Whether run x's head goes before run y's (struct tourney). */
static inline bool
kway_before(const void *ctx, size_t x, size_t y)
{
	const struct kway *m = ctx;
	bool xe = x >= m->k || m->next[x] == m->end[x];
	bool ye = y >= m->k || m->next[y] == m->end[y];

	if (xe || ye)
		return !xe;
	if (m->t[x] != m->t[y])
		return m->t[x] < m->t[y];
	return idx_less(m->e, *m->next[x], *m->next[y]);
}

static inline void
kway_head(struct kway *m, size_t r)
{
	if (m->next[r] != m->end[r])
		m->t[r] = store_entry(m->e, *m->next[r])->time_us;
}

/* Runs [from[i], to[i]) of src, in order, merged into out. */
static void
kway_merge(const struct eng *e, const uint32_t *src, const size_t *from,
    const size_t *to, size_t k, uint32_t *out)
{
	struct kway m = { .e = e, .k = k };
	const uint32_t **ends;
	struct tourney t;
	size_t w;

	m.next = eng_xmalloc(k * sizeof *m.next);
	ends = eng_xmalloc(k * sizeof *ends);
	m.t = eng_xmalloc(k * sizeof *m.t);
	for (size_t r = 0; r < k; r++) {
		m.next[r] = src + from[r];
		ends[r] = src + to[r];
	}
	m.end = ends;
	for (size_t r = 0; r < k; r++)
		kway_head(&m, r);
	w = tourney_init(&t, k, kway_before, &m);
	while (w < k && m.next[w] != m.end[w]) {
		*out++ = *m.next[w]++;
		kway_head(&m, w);
		w = tourney_next(&t, w, kway_before, &m);
	}
	tourney_free(&t);
	free(m.next);
	free(ends);
	free(m.t);
}

struct kway_job {
	const struct eng *e;
	const uint32_t *src;
	const size_t *from, *to;
	size_t k;
	uint32_t *out;
};

static void *
kway_main(void *arg)
{
	const struct kway_job *j = arg;

	kway_merge(j->e, j->src, j->from, j->to, j->k, j->out);
	return NULL;
}

/* The runs of a (runs[i] to runs[i + 1]) merged in place: on two cores,
 * each half of the runs by a tournament, then the two halves. */
static void
kway_sort(const struct eng *e, uint32_t *a, size_t n, const size_t *runs,
    size_t nruns)
{
	uint32_t *tmp = eng_xmalloc(n * sizeof *tmp);
	size_t half = nruns / 2, mid = runs[half];
	struct kway_job upper = { e, a, runs + half, runs + half + 1,
	    nruns - half, tmp + mid };
	pthread_t th;

	if (load_threads() < 2 || n < PAR_MERGE ||
	    pthread_create(&th, NULL, kway_main, &upper) != 0) {
		kway_merge(e, a, runs, runs + 1, nruns, tmp);
		memcpy(a, tmp, n * sizeof *a);
		free(tmp);
		return;
	}
	kway_merge(e, a, runs, runs + 1, half, tmp);
	pthread_join(th, NULL);
	merge_two(e, tmp, mid, tmp + mid, n - mid, a);
	free(tmp);
}

/* Natural merge sort: find the ascending runs (the index holds one per
 * file and load task), merge them pairwise, or many at once. */
void
order_sort(const struct eng *e, uint32_t *a, size_t n)
{
	size_t *runs, nruns = 0;
	uint32_t *tmp, *src = a, *dst, *swap;

	if (n < 2)
		return;
	runs = eng_xmalloc((n + 1) * sizeof *runs);
	for (size_t i = 0; i < n;) {
		const struct eng_entry *prev = store_entry(e, a[i]), *en;
		size_t j = i + 1;

		for (; j < n; j++, prev = en)
			if (entry_cmp(en = store_entry(e, a[j]), prev) < 0)
				break;
		runs[nruns++] = i;
		i = j;
	}
	runs[nruns] = n;
	if (nruns == 1) {
		free(runs);
		return;
	}
	if (nruns >= KWAY_MIN) {
		kway_sort(e, a, n, runs, nruns);
		free(runs);
		return;
	}
	tmp = eng_xmalloc(n * sizeof *tmp);
	dst = tmp;
	while (nruns > 1) {
		size_t r = 0, w = 0;
		for (; r + 1 < nruns; r += 2) {
			merge_two(e, src + runs[r], runs[r + 1] - runs[r],
			    src + runs[r + 1], runs[r + 2] - runs[r + 1],
			    dst + runs[r]);
			runs[w++] = runs[r];
		}
		if (r < nruns) {
			memcpy(dst + runs[r], src + runs[r],
			    (runs[r + 1] - runs[r]) * sizeof *src);
			runs[w++] = runs[r];
		}
		runs[w] = n;
		nruns = w;
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
	free(runs);
}

bool
order_merge(const struct eng *e, uint32_t *a, size_t n, const uint32_t *b,
    size_t bn)
{
	size_t lo = 0, hi = n, i, j, k;

	if (bn == 0)
		return false;
	if (n == 0 || !idx_less(e, b[0], a[n - 1])) {
		memcpy(a + n, b, bn * sizeof *b);
		return false;
	}
	/* what sorts after the last new entry only moves up */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx_less(e, b[bn - 1], a[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(a + lo + bn, a + lo, (n - lo) * sizeof *a);
	i = lo;
	j = bn;
	k = lo + bn;
	while (j > 0) {
		if (i > 0 && idx_less(e, b[j - 1], a[i - 1]))
			a[--k] = a[--i];
		else
			a[--k] = b[--j];
	}
	return true;
}

void
order_sync(struct eng *e)
{
	size_t n = e->order_n, bn = e->count - n;
	uint32_t *b;

	if (bn == 0)
		return;
	eng_grow(&e->order, &e->order_cap, e->count, sizeof *e->order);
	/* the new entries, sorted where they would be appended: usually
	 * (first load, live tail) that is where they belong */
	b = e->order + n;
	for (size_t i = 0; i < bn; i++)
		b[i] = (uint32_t)(n + i);
	order_sort(e, b, bn);
	if (n > 0 && idx_less(e, b[0], e->order[n - 1])) {
		b = eng_xmalloc(bn * sizeof *b);
		memcpy(b, e->order + n, bn * sizeof *b);
		order_merge(e, e->order, n, b, bn);
		free(b);
		e->order_gen++;
	}
	e->order_n = e->count;
}

/* The pruned positions leave the order, the rest are renumbered: their
 * order stays, so it stays sorted and views' tails stay tails. */
void
order_prune(struct eng *e, const uint32_t *map, const uint32_t *dead,
    size_t ndead)
{
	size_t w = 0;

	for (size_t k = 0; k < e->order_n; k++)
		if (map[e->order[k]] != PRUNED)
			e->order[w++] = map[e->order[k]];
	e->order_n = prune_below(dead, ndead, e->order_n);
	if (e->order_n < e->order_cap / 4) {
		e->order_cap = e->order_n * 2;
		e->order = eng_xrealloc(e->order, e->order_cap *
		    sizeof *e->order);
	}
}

void
order_free(struct eng *e)
{
	free(e->order);
	e->order = NULL;
	e->order_n = e->order_cap = 0;
}
