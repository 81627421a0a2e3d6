/*
 * groupby.c - breakdowns (--stats --by): the view's entries grouped by the
 * values of a few fields, or by time buckets, with the figures of each
 * group.  Kept apart from stats.c, whose report has a fixed shape: a
 * breakdown's groups are whatever values the logs hold.  Fields are read
 * through jscan as --where reads them (a dotted path; category, level
 * and host are the entry's own).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

#define KEY_SEP		'\x1f'	/* between the values of a key */
#define KEY_MISSING	'\x1e'	/* a field the entry does not have */

struct group {
	char *key;		/* the values, KEY_SEP between them */
	size_t keylen;
	uint64_t count, failed, errors;
	double *dur;		/* duration_ms of each entry that has one */
	size_t ndur, dcap;
	size_t nsorted;		/* dur[0, nsorted) in order, p50.. taken */
	int64_t prompt, completion, total;
	uint64_t costed, unpriced;	/* llm calls with a cost, without */
	struct xsum cost;	/* exact: the threads' split changes nothing */
	double p50, p95, p99;	/* when ndur > 0, once sorted */
};

struct eng_groupby {
	char **fields;
	size_t nfields;
	int64_t bucket_us;	/* the field "time" buckets, 0: none */
	bool local;		/* ... on the local clock */
	struct group *g;
	size_t n, cap;
	size_t *slot;		/* open addressing: group + 1, 0 empty */
	size_t nslots;
	size_t counted;		/* view entries counted */
	size_t mark;		/* index entries the view had seen then */
	struct strbuf key;
	/* what one pass over a line finds: the figures' keys (K_*), then
	 * each field's first part */
	struct jscan_key *keys;
	struct jscan_value *vals;
	size_t nkeys;
};

enum { K_DURATION, K_SUCCESS, K_ERROR, K_PROMPT, K_COMPLETION, K_TOTAL,
    K_PROVIDER, K_MODEL, K_COST, K_FIELDS };
static const char *const figure_keys[K_FIELDS] = {
	"duration_ms", "success", "error", "prompt_tokens",
	"completion_tokens", "total_tokens", "provider", "model", "cost_usd",
};

static uint64_t
key_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

void
eng_groupby_local(struct eng_groupby *g, bool local)
{
	g->local = local;
}

struct eng_groupby *
eng_groupby_new(const char *const *fields, size_t nfields, int64_t bucket_us)
{
	struct eng_groupby *g = eng_xcalloc(1, sizeof *g);

	g->fields = eng_xcalloc(nfields + 1, sizeof *g->fields);
	for (size_t i = 0; i < nfields; i++)
		g->fields[i] = eng_xstrdup(fields[i]);
	g->nfields = nfields;
	g->bucket_us = bucket_us;
	g->nslots = 64;
	g->slot = eng_xcalloc(g->nslots, sizeof *g->slot);
	strbuf_init(&g->key);
	g->nkeys = K_FIELDS + nfields;
	g->keys = eng_xcalloc(g->nkeys, sizeof *g->keys);
	g->vals = eng_xcalloc(g->nkeys, sizeof *g->vals);
	for (size_t i = 0; i < K_FIELDS; i++) {
		g->keys[i].name = figure_keys[i];
		g->keys[i].len = strlen(figure_keys[i]);
	}
	for (size_t i = 0; i < nfields; i++) {
		g->keys[K_FIELDS + i].name = g->fields[i];
		g->keys[K_FIELDS + i].len = strcspn(g->fields[i], ".");
		if (strcmp(g->fields[i], "trace") == 0) {
			/* the virtual field, as --where has it */
			g->keys[K_FIELDS + i].name = "trace_id";
			g->keys[K_FIELDS + i].len = strlen("trace_id");
		}
	}
	return g;
}

void
eng_groupby_free(struct eng_groupby *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nfields; i++)
		free(g->fields[i]);
	free(g->fields);
	for (size_t i = 0; i < g->n; i++) {
		free(g->g[i].key);
		free(g->g[i].dur);
		xsum_free(&g->g[i].cost);
	}
	free(g->g);
	free(g->slot);
	strbuf_free(&g->key);
	free(g->keys);
	free(g->vals);
	free(g);
}

static void
rehash(struct eng_groupby *g)
{
	size_t n = g->nslots * 2, k;

	free(g->slot);
	g->slot = eng_xcalloc(n, sizeof *g->slot);
	g->nslots = n;
	for (size_t i = 0; i < g->n; i++) {
		k = key_hash(g->g[i].key, g->g[i].keylen) & (n - 1);
		while (g->slot[k] != 0)
			k = (k + 1) & (n - 1);
		g->slot[k] = i + 1;
	}
}

static struct group *
group_of(struct eng_groupby *g, const char *key, size_t n)
{
	size_t k = key_hash(key, n) & (g->nslots - 1);
	struct group *gr;

	for (; g->slot[k] != 0; k = (k + 1) & (g->nslots - 1)) {
		gr = &g->g[g->slot[k] - 1];
		if (gr->keylen == n && memcmp(gr->key, key, n) == 0)
			return gr;
	}
	eng_grow(&g->g, &g->cap, g->n + 1, sizeof *g->g);
	gr = &g->g[g->n];
	memset(gr, 0, sizeof *gr);
	gr->key = eng_xmalloc(n + 1);
	memcpy(gr->key, key, n);
	gr->key[n] = '\0';
	gr->keylen = n;
	g->slot[k] = ++g->n;
	if (g->n * 2 > g->nslots)
		rehash(g);
	return &g->g[g->n - 1];
}

/* Field i's value, from the one pass over the line; false when the line
 * lacks it. */
static bool
group_field_value(const struct eng_groupby *g, size_t i, struct jscan_value *v)
{
	const char *f = g->fields[i];
	size_t first = g->keys[K_FIELDS + i].len;

	*v = g->vals[K_FIELDS + i];
	if (v->kind == JSCAN_NONE)
		return false;
	if (strcmp(f, "trace") == 0)
		return true;
	return f[first] == '\0' || jscan_path(v, f + first + 1,
	    strlen(f + first + 1), v);
}

/* Field i's value into the key. */
static void
add_key_value(struct eng_groupby *g, struct eng *e, size_t i,
    const struct eng_entry *en)
{
	const char *field = g->fields[i];
	struct strbuf *k = &g->key;
	struct jscan_value v;
	const char *s = NULL;

	if (strcmp(field, "time") == 0 && g->bucket_us > 0) {
		if (en->time_us == ENG_TIME_NONE || (en->flags & ENTRY_NO_TIME))
			strbuf_add(k, (char[]){ KEY_MISSING }, 1);
		else
			strbuf_printf(k, "%020" PRId64, bucket_start(
			    en->time_us, g->bucket_us, g->local));
		return;
	}
	if (strcmp(field, "category") == 0)
		s = en->category < LLMLOG_NCATEGORIES ?
		    llmlog_category_name(en->category) : NULL;
	else if (strcmp(field, "level") == 0)
		s = en->level != 0 ? llmlog_level_name(eng_entry_level(en)) :
		    NULL;
	else if (strcmp(field, "host") == 0) {
		s = eng_host_name(e, en->source);
	} else {
		if (!group_field_value(g, i, &v) || v.kind == JSCAN_NULL)
			strbuf_add(k, (char[]){ KEY_MISSING }, 1);
		else if (v.kind == JSCAN_STRING)
			jscan_string(k, &v);
		else
			strbuf_add(k, v.s, v.n);
		return;
	}
	if (s == NULL)
		strbuf_add(k, (char[]){ KEY_MISSING }, 1);
	else
		strbuf_puts(k, s);
}

static int64_t
int_value(const struct jscan_value *v)
{
	int64_t x;

	return v->kind == JSCAN_NUMBER && jscan_int64(v, &x) ? x : 0;
}

/* Failed: success false, or without success a non-empty error; a
 * security denial is the check working, not a failure. */
static bool
entry_failed(const struct eng_groupby *g, const struct eng_entry *en)
{
	const struct jscan_value *ok = &g->vals[K_SUCCESS];
	const struct jscan_value *err = &g->vals[K_ERROR];

	if (en->category == LLMLOG_SECURITY)
		return false;
	if (ok->kind != JSCAN_NONE)
		return ok->kind == JSCAN_FALSE;
	return err->kind == JSCAN_STRING && err->n > 0;
}

/* An LLM call's cost (prices.c's rule) into its group. */
static void
count_cost(struct eng_groupby *g, struct eng *e, struct group *gr)
{
	struct strbuf sp = { 0 }, sm = { 0 };
	struct cost_call c = {
		.prompt = &g->vals[K_PROMPT],
		.completion = &g->vals[K_COMPLETION],
		.given = &g->vals[K_COST],
	};
	double usd;

	c.has_provider = value_text(&g->vals[K_PROVIDER], &sp, &c.provider);
	c.has_model = value_text(&g->vals[K_MODEL], &sm, &c.model);
	if (cost_compute(eng_prices(e), &c, &usd) == ENG_COST_UNPRICED)
		gr->unpriced++;
	else {
		gr->costed++;
		xsum_add(&gr->cost, usd);
	}
	strbuf_free(&sp);
	strbuf_free(&sm);
}

static void
count_entry(struct eng_groupby *g, struct eng *e, const struct eng_entry *en,
    const char *s, size_t n)
{
	enum jscan_kind kind = JSCAN_NONE;
	struct group *gr;
	double d;

	if (s != NULL && !(en->flags & ENTRY_MALFORMED))
		kind = jscan_line_find(s, n, NULL, g->keys, g->nkeys, g->vals);
	if (kind != JSCAN_OBJECT)
		for (size_t i = 0; i < g->nkeys; i++)
			g->vals[i].kind = JSCAN_NONE;
	strbuf_reset(&g->key);
	for (size_t i = 0; i < g->nfields; i++) {
		if (i > 0)
			strbuf_add(&g->key, (char[]){ KEY_SEP }, 1);
		add_key_value(g, e, i, en);
	}
	gr = group_of(g, g->key.s != NULL ? g->key.s : "", g->key.len);
	gr->count++;
	if (eng_entry_level(en) >= LLMLOG_ERROR)
		gr->errors++;
	if (kind != JSCAN_OBJECT)
		return;
	gr->failed += entry_failed(g, en);
	if (g->vals[K_DURATION].kind == JSCAN_NUMBER &&
	    jscan_number(&g->vals[K_DURATION], &d) == JSCAN_NUM_OK) {
		eng_grow(&gr->dur, &gr->dcap, gr->ndur + 1, sizeof *gr->dur);
		gr->dur[gr->ndur++] = d;
	}
	if (en->category == LLMLOG_LLM) {
		gr->prompt += int_value(&g->vals[K_PROMPT]);
		gr->completion += int_value(&g->vals[K_COMPLETION]);
		gr->total += int_value(&g->vals[K_TOTAL]);
		if (!(en->flags & ENTRY_FOREIGN))
			count_cost(g, e, gr);
	}
}

/* Add the groups of from into to, keyed by their first nfields values. */
static void
merge_groups(struct eng_groupby *to, const struct eng_groupby *from,
    size_t nfields)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct group *a = &from->g[i];
		const char *end = a->key;
		struct group *b;

		/* the key up to its nfields-th value */
		for (size_t k = 0; k < nfields && end != NULL; k++) {
			end = memchr(end, KEY_SEP, a->keylen -
			    (size_t)(end - a->key));
			if (end != NULL && k + 1 < nfields)
				end++;
		}
		b = group_of(to, a->key, end != NULL ?
		    (size_t)(end - a->key) : a->keylen);
		b->count += a->count;
		b->failed += a->failed;
		b->errors += a->errors;
		b->prompt += a->prompt;
		b->completion += a->completion;
		b->total += a->total;
		b->costed += a->costed;
		b->unpriced += a->unpriced;
		xsum_merge(&b->cost, &a->cost);
		eng_grow(&b->dur, &b->dcap, b->ndur + a->ndur, sizeof *b->dur);
		if (a->ndur > 0)
			memcpy(b->dur + b->ndur, a->dur, a->ndur * sizeof *b->dur);
		b->ndur += a->ndur;
	}
}

struct eng_groupby *
eng_groupby_rollup(const struct eng_groupby *g, size_t nfields)
{
	struct eng_groupby *r;

	if (nfields > g->nfields)
		nfields = g->nfields;
	r = eng_groupby_new((const char *const *)g->fields, nfields,
	    g->bucket_us);
	r->local = g->local;
	merge_groups(r, g, nfields);
	r->counted = g->counted;
	return r;
}

/* One thread's share of an update: the view's entries [from, to). */
struct count_job {
	struct eng_groupby *g;
	struct eng_view *v;
	size_t from, to;
};

static void *
count_main(void *arg)
{
	struct count_job *j = arg;
	struct eng *e = eng_view_engine(j->v);
	struct eng_reader *r = eng_reader_new(e, false);
	const char *s;
	size_t len;

	for (size_t i = j->from; i < j->to; i++) {
		const struct eng_entry *en = eng_view_get(j->v, i);

		s = eng_reader_line(r, en, &len);
		count_entry(j->g, e, en, s, len);
	}
	eng_reader_free(r);
	return NULL;
}

#define PAR_COUNT	20000	/* entries worth a second thread */

/* Reading lines is the cost: two threads share a large update, the
 * second into groups of its own, merged after. */
/* Whether the view grew only at its end since the last update: its
 * entries past those counted are all new to the index.  A live view's new
 * entries usually are; one written with an older time goes in before,
 * and then the counted ones are no longer the view's first. */
static bool
grew_at_end(const struct eng_groupby *g, const struct eng_view *v, size_t n)
{
	if (n < g->counted)
		return false;
	for (size_t i = g->counted; i < n; i++)
		if (view_position(v, i) < g->mark)
			return false;
	return true;
}

/* Forget what was counted: the view is counted again. */
static void
groups_clear(struct eng_groupby *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->g[i].key);
		free(g->g[i].dur);
		xsum_free(&g->g[i].cost);
	}
	g->n = 0;
	memset(g->slot, 0, g->nslots * sizeof *g->slot);
	g->counted = 0;
}

void
eng_groupby_update(struct eng_groupby *g, struct eng_view *v)
{
	size_t n = eng_view_count(v), mid = n;
	struct count_job a, b;
	bool started = false;
	pthread_t th;

	if (g->counted > 0 && !grew_at_end(g, v, n))
		groups_clear(g);
	a = (struct count_job){ g, v, g->counted, n };

	if (n - g->counted >= PAR_COUNT)
		mid = g->counted + (n - g->counted) / 2;
	a.to = mid;
	b = (struct count_job){ NULL, v, mid, n };
	if (mid < n) {
		b.g = eng_groupby_new((const char *const *)g->fields,
		    g->nfields, g->bucket_us);
		b.g->local = g->local;
		started = pthread_create(&th, NULL, count_main, &b) == 0;
	}
	count_main(&a);
	if (mid < n) {
		if (started)
			pthread_join(th, NULL);
		else
			count_main(&b);
		merge_groups(g, b.g, g->nfields);
		eng_groupby_free(b.g);
	}
	g->counted = n;
	g->mark = view_seen(v);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct % of them at or
 * below it. */
static double
nearest_rank(const double *sorted, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;

	return sorted[rank > 0 ? rank - 1 : 0];
}

/* A bucket's start as eng_stats_json writes times; a local bucket in RFC
 * 3339 with its offset, "2024-01-12T00:00:00.000-05:00". */
static json_object *
time_json(const struct eng_groupby *g, int64_t us)
{
	struct strbuf t;
	json_object *o;

	strbuf_init(&t);
	eng_time_format(&t, us, !g->local);
	t.s[10] = 'T';
	if (g->local) {
		long off = local_offset(us >= 0 ? us / ENG_US_PER_SEC :
		    (us - (ENG_US_PER_SEC - 1)) / ENG_US_PER_SEC);
		long a = off < 0 ? -off : off;

		strbuf_printf(&t, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    a / SEC_PER_HOUR, a / SEC_PER_MIN % 60);
	} else
		strbuf_puts(&t, "Z");
	o = json_object_new_string_len(t.s, (int)t.len);
	strbuf_free(&t);
	return o;
}

static json_object *
key_json(const struct eng_groupby *g, const struct group *gr)
{
	json_object *k = json_object_new_object();
	const char *p = gr->key, *end = gr->key + gr->keylen;

	for (size_t i = 0; i < g->nfields; i++) {
		const char *q = memchr(p, KEY_SEP, (size_t)(end - p));
		size_t n = (size_t)((q != NULL ? q : end) - p);
		json_object *val;

		if (n == 1 && *p == KEY_MISSING)
			val = NULL;
		else if (strcmp(g->fields[i], "time") == 0 && g->bucket_us > 0)
			val = time_json(g, strtoll(p, NULL, 10));
		else
			val = json_object_new_string_len(p, (int)n);
		json_object_object_add(k, g->fields[i], val);
		p = q != NULL ? q + 1 : end;
	}
	return k;
}

/* A double written as its shortest form up to 15 digits: 3.2 as 3.2, not
 * as the 17 digits that tell it from its neighbours. */
static json_object *
dbl_json(double v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%.15g", v);
	if (strpbrk(buf, ".eEn") == NULL)
		strcat(buf, ".0");
	return json_object_new_double_s(v, buf);
}

/* A cost: 12 significant digits, as eng_stats_json writes them. */
static json_object *
cost_json(double usd)
{
	char buf[40];

	if (!isfinite(usd))
		return NULL;
	snprintf(buf, sizeof buf, "%.12g", usd);
	if (strpbrk(buf, ".eEn") == NULL)
		strcat(buf, ".0");
	return json_object_new_double_s(usd, buf);
}

static json_object *
pct_json(const struct group *gr, double v)
{
	return gr->ndur == 0 ? NULL : dbl_json(v);
}

static json_object *
group_json(const struct eng_groupby *g, const struct group *gr)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "key", key_json(g, gr));
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)gr->count));
	json_object_object_add(o, "failed", json_object_new_int64(
	    (int64_t)gr->failed));
	json_object_object_add(o, "fail_pct", dbl_json(gr->count > 0 ?
	    100.0 * (double)gr->failed / (double)gr->count : 0));
	json_object_object_add(o, "errors", json_object_new_int64(
	    (int64_t)gr->errors));
	json_object_object_add(o, "p50_ms", pct_json(gr, gr->p50));
	json_object_object_add(o, "p95_ms", pct_json(gr, gr->p95));
	json_object_object_add(o, "p99_ms", pct_json(gr, gr->p99));
	json_object_object_add(o, "prompt_tokens",
	    json_object_new_int64(gr->prompt));
	json_object_object_add(o, "completion_tokens",
	    json_object_new_int64(gr->completion));
	json_object_object_add(o, "total_tokens",
	    json_object_new_int64(gr->total));
	json_object_object_add(o, "cost_usd", gr->costed == 0 ? NULL :
	    cost_json(xsum_value(&gr->cost)));
	json_object_object_add(o, "unpriced_calls",
	    json_object_new_int64((int64_t)gr->unpriced));
	return o;
}

static int
name_cmp(const struct group *a, const struct group *b)
{
	int c = memcmp(a->key, b->key, a->keylen < b->keylen ? a->keylen :
	    b->keylen);

	return c != 0 ? c : a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

/* Most first (no durations: last), then by name. */
static int
group_cmp(const void *pa, const void *pb, void *arg)
{
	const struct group *a = *(const struct group *const *)pa;
	const struct group *b = *(const struct group *const *)pb;
	enum eng_group_sort sort = *(const enum eng_group_sort *)arg;
	double x = 0, y = 0;

	switch (sort) {
	case ENG_SORT_COUNT:
		x = (double)a->count;
		y = (double)b->count;
		break;
	case ENG_SORT_FAILED:
		x = (double)a->failed;
		y = (double)b->failed;
		break;
	case ENG_SORT_P95:
		x = a->ndur > 0 ? a->p95 : -1;
		y = b->ndur > 0 ? b->p95 : -1;
		break;
	default:
		break;
	}
	if (x != y)
		return x > y ? -1 : 1;
	return name_cmp(a, b);
}

/* Put the durations added since the last report in order: sorted apart
 * and merged in, the ones in order first among equals, as one stable sort
 * of them all would leave them; a live view adds few between reports. */
static void
durations_settle(struct group *gr)
{
	size_t i = gr->nsorted, j = gr->ndur - gr->nsorted, o = gr->ndur;
	double *tail = gr->dur + gr->nsorted, *tmp;

	qsort(tail, j, sizeof *tail, dbl_cmp);
	if (i > 0) {
		tmp = eng_xmalloc(j * sizeof *tmp);
		memcpy(tmp, tail, j * sizeof *tmp);
		while (j > 0) {
			if (i > 0 && dbl_cmp(&gr->dur[i - 1], &tmp[j - 1]) > 0)
				gr->dur[--o] = gr->dur[--i];
			else
				gr->dur[--o] = tmp[--j];
		}
		free(tmp);
	}
	gr->nsorted = gr->ndur;
	gr->p50 = nearest_rank(gr->dur, gr->ndur, 50);
	gr->p95 = nearest_rank(gr->dur, gr->ndur, 95);
	gr->p99 = nearest_rank(gr->dur, gr->ndur, 99);
}

json_object *
eng_groupby_json(struct eng_groupby *g, enum eng_group_sort sort)
{
	json_object *arr = json_object_new_array();
	struct group **order = eng_xmalloc((g->n + 1) * sizeof *order);

	for (size_t i = 0; i < g->n; i++) {
		struct group *gr = &g->g[i];

		if (gr->ndur > gr->nsorted)
			durations_settle(gr);
		order[i] = gr;
	}
	qsort_r(order, g->n, sizeof *order, group_cmp, &sort);
	for (size_t i = 0; i < g->n; i++)
		json_object_array_add(arr, group_json(g, order[i]));
	free(order);
	return arr;
}
