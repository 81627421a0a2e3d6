/*
 * trace.c - one request end to end: every entry of a trace (all
 * categories, files and directories), as a tree by parent span, with
 * each span's start offset and duration, its failures and the slowest
 * path (llmlog(5), TRACES).  A span is recorded by the one entry that
 * describes it; an entry's time is when it was written, so its span
 * starts duration_ms before.  The entries are found through a view with
 * the trace id as its keyword (the block search the print mode's
 * prefilter does too), then kept only when their trace_id field, read by
 * the scanner, is the id: a line that merely mentions it is not one of
 * the trace.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

enum { T_TRACE, T_SPAN, T_PARENT, T_CONV, T_NKEYS };
#define KEY(s) { s, sizeof s - 1 }
static const struct jscan_key trace_keys[T_NKEYS] = {
	[T_TRACE] = KEY("trace_id"),
	[T_SPAN] = KEY("span_id"),
	[T_PARENT] = KEY("parent_span_id"),
	[T_CONV] = KEY("conversation_id"),
};
#undef KEY

/* A string of n lowercase hex digits (uppercase ones are taken and
 * lowered), copied to out with a NUL. */
static bool
hex_id(const struct jscan_value *v, size_t n, char *out)
{
	if (v->kind != JSCAN_STRING || v->escaped || v->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v->s[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

bool
eng_trace_id_parse(const char *s, char out[ENG_TRACE_ID_LEN + 1])
{
	struct jscan_value v = { .s = s, .n = strlen(s), .kind = JSCAN_STRING };

	return hex_id(&v, ENG_TRACE_ID_LEN, out);
}

bool
eng_entry_trace(const char *s, size_t n, struct eng_trace_ref *out)
{
	struct jscan_value v[T_NKEYS];

	memset(out, 0, sizeof *out);
	if (jscan_line_find(s, n, NULL, trace_keys, T_NKEYS, v) !=
	    JSCAN_OBJECT || !hex_id(&v[T_TRACE], ENG_TRACE_ID_LEN,
	    out->trace_id))
		return false;
	hex_id(&v[T_SPAN], ENG_SPAN_ID_LEN, out->span_id);
	out->has_parent = hex_id(&v[T_PARENT], ENG_SPAN_ID_LEN,
	    out->parent_id);
	if (v[T_CONV].kind == JSCAN_STRING) {
		strbuf_init(&out->conversation);
		jscan_string(&out->conversation, &v[T_CONV]);
	}
	return true;
}

void
eng_trace_ref_free(struct eng_trace_ref *r)
{
	strbuf_free(&r->conversation);
}

/* ---- building the tree -------------------------------------------------- */

struct eng_trace_builder {
	struct eng_trace *t;
	size_t cap;
	char (*parent)[ENG_SPAN_ID_LEN + 1];	/* per node, "" at a root */
	size_t pcap;
};

struct eng_trace_builder *
eng_trace_builder_new(const char *id)
{
	struct eng_trace_builder *b = eng_xcalloc(1, sizeof *b);

	b->t = eng_xcalloc(1, sizeof *b->t);
	snprintf(b->t->id, sizeof b->t->id, "%s", id);
	b->t->root = ENG_TRACE_NONE;
	return b;
}

bool
eng_trace_builder_add(struct eng_trace_builder *b, const struct eng_entry *en,
    const char *s, size_t n)
{
	struct eng_trace *t = b->t;
	struct eng_trace_ref r;
	struct eng_trace_node *nd;
	struct fields f;
	double ms;
	int set;

	if ((en->flags & ENTRY_MALFORMED) || !eng_entry_trace(s, n, &r))
		return false;
	if (strcmp(r.trace_id, t->id) != 0) {
		eng_trace_ref_free(&r);
		return false;
	}
	eng_grow(&t->v, &b->cap, t->n + 1, sizeof *t->v);
	eng_grow(&b->parent, &b->pcap, t->n + 1, sizeof *b->parent);
	nd = &t->v[t->n];
	memset(nd, 0, sizeof *nd);
	nd->entry = *en;
	memcpy(nd->span_id, r.span_id, sizeof nd->span_id);
	if (r.has_parent)
		memcpy(b->parent[t->n], r.parent_id, sizeof b->parent[t->n]);
	else
		b->parent[t->n][0] = '\0';
	if (r.conversation.s != NULL && t->conversation == NULL)
		t->conversation = eng_xstrndup(r.conversation.s,
		    r.conversation.len);
	eng_trace_ref_free(&r);
	set = en->category < LLMLOG_NCATEGORIES && !(en->flags &
	    ENTRY_FOREIGN) ? en->category : FIELDS_FOREIGN;
	nd->duration_ms = NAN;
	if (fields_read(s, n, set, &f)) {
		if (field_number(&f, FIELD_DURATION, &ms) == JSCAN_NUM_OK &&
		    ms >= 0 && ms < 1e12)
			nd->duration_ms = ms;
		nd->failed = set != FIELDS_FOREIGN && fields_failed(&f);
		nd->denied = set == LLMLOG_SECURITY &&
		    field_bool(&f, FIELD_ALLOWED) == 0;
	}
	if (eng_entry_level(en) >= LLMLOG_ERROR)
		nd->failed = true;
	nd->end_us = (en->flags & ENTRY_NO_TIME) ? ENG_TIME_NONE : en->time_us;
	nd->start_us = nd->end_us;
	if (nd->end_us != ENG_TIME_NONE && !isnan(nd->duration_ms))
		nd->start_us = nd->end_us -
		    (int64_t)llround(nd->duration_ms * ENG_US_PER_MS);
	t->n++;
	return true;
}

/* Node order while building: by start, untimed last, then as indexed. */
static int
start_cmp(const struct eng_trace_node *a, const struct eng_trace_node *b)
{
	int64_t sa = a->start_us == ENG_TIME_NONE ? INT64_MAX : a->start_us;
	int64_t sb = b->start_us == ENG_TIME_NONE ? INT64_MAX : b->start_us;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return entry_cmp(&a->entry, &b->entry);
}

static int
idx_cmp(const void *a, const void *b, void *nodes)
{
	const struct eng_trace_node *v = nodes;

	return start_cmp(&v[*(const size_t *)a], &v[*(const size_t *)b]);
}

static int
span_cmp(const void *a, const void *b, void *nodes)
{
	const struct eng_trace_node *v = nodes;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(v[i].span_id, v[j].span_id);

	return c != 0 ? c : (i < j ? -1 : i > j);
}

/* The node whose span is id, or ENG_TRACE_NONE: by_span is the nodes
 * sorted by span id (the first of equal ones wins). */
static size_t
find_span(const struct eng_trace_node *v, const size_t *by_span, size_t n,
    const char *id)
{
	size_t lo = 0, hi = n;

	if (*id == '\0')
		return ENG_TRACE_NONE;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[by_span[mid]].span_id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[by_span[lo]].span_id, id) == 0 ?
	    by_span[lo] : ENG_TRACE_NONE;
}

/* Without a root entry the request is still running: the parent most
 * of the parentless-in-the-files nodes name is its span (the first in
 * id order of equally named ones). */
static int
pend_cmp(const void *a, const void *b, void *ids)
{
	const char (*id)[ENG_SPAN_ID_LEN + 1] = ids;

	return strcmp(id[*(const size_t *)a], id[*(const size_t *)b]);
}

static const char *
pending_root(const struct eng_trace_builder *b, const size_t *par)
{
	size_t n = 0, best_n = 0;
	size_t *v = eng_xmalloc((b->t->n + 1) * sizeof *v);
	const char *best = NULL;

	for (size_t i = 0; i < b->t->n; i++)
		if (par[i] == ENG_TRACE_NONE && b->parent[i][0] != '\0')
			v[n++] = i;
	qsort_r(v, n, sizeof *v, pend_cmp, b->parent);
	for (size_t i = 0, run; i < n; i += run) {
		for (run = 1; i + run < n && strcmp(b->parent[v[i]],
		    b->parent[v[i + run]]) == 0; run++)
			;
		if (run > best_n) {
			best_n = run;
			best = b->parent[v[i]];
		}
	}
	free(v);
	return best;
}

/* The tree's walk: each node's children (old indexes, in start order)
 * are kids[first[i]] .. kids[first[i + 1]]; the stack is shared by the
 * walks from every top. */
struct walk {
	const struct eng_trace *t;
	size_t *first, *kids;
	size_t *stack, *opar;
	unsigned *dep;
	struct eng_trace_node *out;
	size_t nout;
	bool *done;
};

static void
walk_init(struct walk *w, const struct eng_trace *t, const size_t *par,
    const size_t *sorted)
{
	size_t n = t->n, *fill;

	w->t = t;
	w->first = eng_xcalloc(n + 2, sizeof *w->first);
	w->kids = eng_xmalloc((n + 1) * sizeof *w->kids);
	w->stack = eng_xmalloc((n + 1) * sizeof *w->stack);
	w->opar = eng_xmalloc((n + 1) * sizeof *w->opar);
	w->dep = eng_xmalloc((n + 1) * sizeof *w->dep);
	w->out = eng_xcalloc(n + 1, sizeof *w->out);
	w->done = eng_xcalloc(n + 1, sizeof *w->done);
	w->nout = 0;
	for (size_t i = 0; i < n; i++)
		if (par[i] != ENG_TRACE_NONE)
			w->first[par[i] + 1]++;
	for (size_t i = 0; i < n; i++)
		w->first[i + 1] += w->first[i];
	fill = eng_xmalloc((n + 1) * sizeof *fill);
	memcpy(fill, w->first, (n + 1) * sizeof *fill);
	for (size_t k = 0; k < n; k++) {
		size_t c = sorted[k];

		if (par[c] != ENG_TRACE_NONE)
			w->kids[fill[par[c]]++] = c;
	}
	free(fill);
}

static void
walk_free(struct walk *w)
{
	free(w->first);
	free(w->kids);
	free(w->stack);
	free(w->opar);
	free(w->dep);
	free(w->done);
}

/* Depth first from node top, children by start, with an explicit stack:
 * a deep trace recurses no deeper than its parents. */
static void
walk_from(struct walk *w, size_t top, size_t out_parent, unsigned depth)
{
	size_t sp = 0;

	w->stack[sp] = top;
	w->opar[sp] = out_parent;
	w->dep[sp++] = depth;
	while (sp > 0) {
		size_t i = w->stack[--sp], me = w->nout;
		size_t p = w->opar[sp], pushed = 0;
		unsigned d = w->dep[sp];

		if (w->done[i])
			continue;
		w->done[i] = true;
		w->out[me] = w->t->v[i];
		w->out[me].parent = p;
		w->out[me].depth = d;
		w->nout++;
		/* children pushed latest first, so the earliest pops first */
		for (size_t k = w->first[i + 1]; k-- > w->first[i];) {
			size_t c = w->kids[k];

			if (!w->done[c]) {
				w->stack[sp] = c;
				w->opar[sp] = me;
				w->dep[sp++] = d + 1;
				pushed++;
			}
		}
		w->out[me].children = pushed;
	}
}

/* Mark the slowest path down from node i: at each span the child that
 * took longest (the first of equal ones). */
static void
mark_slowest(struct eng_trace *t, size_t i)
{
	while (i != ENG_TRACE_NONE) {
		size_t best = ENG_TRACE_NONE;
		double best_ms = -1;

		t->v[i].slowest = true;
		for (size_t c = i + 1; c < t->n && t->v[c].depth > t->v[i].depth;
		    c++) {
			double ms = isnan(t->v[c].duration_ms) ? 0 :
			    t->v[c].duration_ms;

			if (t->v[c].parent == i && ms > best_ms) {
				best_ms = ms;
				best = c;
			}
		}
		i = best;
	}
}

static void
set_span(struct eng_trace *t)
{
	t->start_us = t->end_us = ENG_TIME_NONE;
	if (t->root != ENG_TRACE_NONE && t->v[t->root].end_us != ENG_TIME_NONE) {
		t->start_us = t->v[t->root].start_us;
		t->end_us = t->v[t->root].end_us;
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].end_us == ENG_TIME_NONE)
			continue;
		if (t->start_us == ENG_TIME_NONE || t->v[i].start_us < t->start_us)
			t->start_us = t->v[i].start_us;
		if (t->end_us == ENG_TIME_NONE || t->v[i].end_us > t->end_us)
			t->end_us = t->v[i].end_us;
	}
}

/* Which old node is the root: a parentless user entry, else any
 * parentless one; ENG_TRACE_NONE while the request runs. */
static size_t
choose_root(const struct eng_trace_builder *b, const size_t *sorted)
{
	size_t any = ENG_TRACE_NONE;

	for (size_t k = 0; k < b->t->n; k++) {
		size_t i = sorted[k];

		if (b->parent[i][0] != '\0')
			continue;
		if (b->t->v[i].entry.category == LLMLOG_USER)
			return i;
		if (any == ENG_TRACE_NONE)
			any = i;
	}
	return any;
}

struct eng_trace *
eng_trace_builder_finish(struct eng_trace_builder *b)
{
	struct eng_trace *t = b->t;
	size_t n = t->n, root;
	size_t *sorted = eng_xmalloc((n + 1) * sizeof *sorted);
	size_t *by_span = eng_xmalloc((n + 1) * sizeof *by_span);
	size_t *par = eng_xmalloc((n + 1) * sizeof *par);
	struct walk w;
	const char *pending = NULL;

	for (size_t i = 0; i < n; i++)
		sorted[i] = by_span[i] = i;
	qsort_r(sorted, n, sizeof *sorted, idx_cmp, t->v);
	qsort_r(by_span, n, sizeof *by_span, span_cmp, t->v);
	for (size_t i = 0; i < n; i++) {
		par[i] = find_span(t->v, by_span, n, b->parent[i]);
		if (par[i] == i)
			par[i] = ENG_TRACE_NONE;
	}
	root = choose_root(b, sorted);
	if (root == ENG_TRACE_NONE)
		pending = pending_root(b, par);
	/* whose parent is not there: under the root, marked (rotated away),
	 * or top rows of a request still running */
	for (size_t i = 0; i < n; i++) {
		if (i == root || par[i] != ENG_TRACE_NONE)
			continue;
		t->v[i].orphan = !(pending != NULL &&
		    strcmp(b->parent[i], pending) == 0) &&
		    !(root == ENG_TRACE_NONE && b->parent[i][0] == '\0');
		par[i] = root;
	}
	walk_init(&w, t, par, sorted);
	if (root != ENG_TRACE_NONE)
		walk_from(&w, root, ENG_TRACE_NONE, 0);
	else
		for (size_t k = 0; k < n; k++)
			if (par[sorted[k]] == ENG_TRACE_NONE)
				walk_from(&w, sorted[k], ENG_TRACE_NONE, 0);
	/* a cycle of parents reaches no top: under the root, marked */
	for (size_t k = 0; k < n; k++) {
		size_t i = sorted[k];

		if (w.done[i])
			continue;
		t->v[i].orphan = true;
		walk_from(&w, i, root != ENG_TRACE_NONE ? 0 : ENG_TRACE_NONE,
		    root != ENG_TRACE_NONE ? 1 : 0);
	}
	free(t->v);
	t->v = w.out;
	t->root = root != ENG_TRACE_NONE ? 0 : ENG_TRACE_NONE;
	for (size_t i = 0; i < n; i++) {
		t->failed += t->v[i].failed;
		t->orphans += t->v[i].orphan;
	}
	set_span(t);
	if (t->root != ENG_TRACE_NONE)
		mark_slowest(t, 0);
	else {
		size_t best = ENG_TRACE_NONE;

		double best_ms = -1;

		/* in progress: the top row that took longest, as below */
		for (size_t i = 0; i < n; i++) {
			double ms = isnan(t->v[i].duration_ms) ? 0 :
			    t->v[i].duration_ms;

			if (t->v[i].depth == 0 && ms > best_ms) {
				best_ms = ms;
				best = i;
			}
		}
		mark_slowest(t, best);
	}
	walk_free(&w);
	free(sorted);
	free(by_span);
	free(par);
	free(b->parent);
	free(b);
	return t;
}

int
eng_entry_cmp(const struct eng_entry *a, const struct eng_entry *b)
{
	return entry_cmp(a, b);
}

void
eng_trace_format_ms(struct strbuf *b, double ms)
{
	if (ms < 1000)
		strbuf_printf(b, "%.1fms", ms);
	else if (ms < 60000)
		strbuf_printf(b, "%.2fs", ms / 1000);
	else
		strbuf_printf(b, "%.1fmin", ms / 60000);
}

void
eng_trace_free(struct eng_trace *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t->conversation);
	free(t);
}

/* ---- collecting a trace's entries ---------------------------------------- */

struct eng_trace *
eng_trace_find(struct eng *e, const struct eng_filter *f, const char *id)
{
	struct eng_filter tf;
	struct eng_trace_builder *b;
	struct eng_view *v;
	struct eng_reader *r;
	struct eng_trace *t;

	if (f != NULL)
		tf = *f;
	else
		eng_filter_init(&tf);
	if (tf.keyword == NULL || *tf.keyword == '\0')
		tf.keyword = id;	/* lines without it cannot be of the trace */
	if ((v = eng_view_new(e, &tf)) == NULL)
		return NULL;
	b = eng_trace_builder_new(id);
	r = eng_reader_new(e, false);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		size_t len;
		const char *s = eng_reader_line(r, en, &len);

		if (s != NULL)
			eng_trace_builder_add(b, en, s, len);
	}
	eng_reader_free(r);
	eng_view_free(v);
	t = eng_trace_builder_finish(b);
	if (t->n == 0) {
		eng_trace_free(t);
		return NULL;
	}
	return t;
}

/* How far from the entry a trace is looked for first. */
#define NEAR_US		(10 * ENG_US_PER_MIN)

struct eng_trace *
eng_trace_find_near(struct eng *e, const char *id,
    const struct eng_entry *near)
{
	struct eng_filter f;
	struct eng_trace *t;

	if (near->time_us != ENG_TIME_NONE && !(near->flags & ENTRY_NO_TIME)) {
		eng_filter_init(&f);
		f.since_us = near->time_us - NEAR_US;
		f.until_us = near->time_us + NEAR_US;
		t = eng_trace_find(e, &f, id);
		/* the request and a second around it inside the window: its
		 * entries, written while it ran, are all there */
		if (t != NULL && t->root != ENG_TRACE_NONE &&
		    t->start_us != ENG_TIME_NONE &&
		    t->start_us - ENG_US_PER_SEC >= f.since_us &&
		    t->end_us + ENG_US_PER_SEC <= f.until_us)
			return t;
		eng_trace_free(t);
	}
	return eng_trace_find(e, NULL, id);
}

size_t
eng_conversation_requests(struct eng *e, const char *conversation,
    struct eng_entry **out)
{
	struct eng_filter f;
	struct eng_view *v;
	struct eng_reader *r;
	size_t n = 0, cap = 0;

	*out = NULL;
	eng_filter_init(&f);
	f.categories = 1u << LLMLOG_USER;
	f.keyword = conversation;
	if (*conversation == '\0' || (v = eng_view_new(e, &f)) == NULL)
		return 0;
	r = eng_reader_new(e, false);
	for (size_t i = 0; i < eng_view_count(v); i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		struct eng_trace_ref ref;
		size_t len;
		const char *s = eng_reader_line(r, en, &len);

		if (s == NULL || (en->flags & ENTRY_MALFORMED) ||
		    !eng_entry_trace(s, len, &ref))
			continue;
		if (ref.conversation.s != NULL &&
		    ref.conversation.len == strlen(conversation) &&
		    memcmp(ref.conversation.s, conversation,
		    ref.conversation.len) == 0) {
			eng_grow(out, &cap, n + 1, sizeof **out);
			(*out)[n++] = *en;
		}
		eng_trace_ref_free(&ref);
	}
	eng_reader_free(r);
	eng_view_free(v);
	return n;
}
