/*
 * reqstats.c - the report's figures per request, counted in the stats
 * pass (stats.c calls it for each user, LLM and tool entry, with the
 * fields it read anyway, trace_id among them): the requests (user
 * entries with a trace), the LLM and tool calls and tokens of traced
 * entries, and the slowest requests.  No table by trace is kept (a
 * million entries hold a hundred thousand traces): what the slowest
 * requests' time went to is found when the counting is done, among the
 * few entries of the view written while each ran (reqstats_resolve).
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

/* A duration in whole microseconds, or a call's tokens as a whole
 * number: sums that no order of adding changes; 0 past what they hold. */
static int64_t
whole(double v)
{
	return isfinite(v) && fabs(v) < 0x1p52 ? (int64_t)llround(v) : 0;
}

/* Per byte, its hex digit's value, or -1. */
static int8_t hexval[256];
static pthread_once_t hex_once = PTHREAD_ONCE_INIT;

static void
hex_init(void)
{
	memset(hexval, -1, sizeof hexval);
	for (int c = '0'; c <= '9'; c++)
		hexval[c] = (int8_t)(c - '0');
	for (int c = 'a'; c <= 'f'; c++)
		hexval[c] = hexval[c - 'a' + 'A'] = (int8_t)(c - 'a' + 10);
}

/* A trace_id's 16 bytes; false when it is not 32 hex digits. */
static bool
trace_bytes(const struct jscan_value *v, uint8_t out[16])
{
	const unsigned char *s = (const unsigned char *)v->s;
	int bad = 0;

	if (v->kind != JSCAN_STRING || v->escaped ||
	    v->n != ENG_TRACE_ID_LEN)
		return false;
	pthread_once(&hex_once, hex_init);
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval[s[2 * i]], lo = hexval[s[2 * i + 1]];

		bad |= hi | lo;		/* negative when either is no digit */
		out[i] = (uint8_t)((unsigned)hi << 4 | (unsigned)lo);
	}
	return bad >= 0;
}

/* Slowest first; equal ones in entry order, so that no split of the
 * counting changes the list. */
static bool
slower(double ms, const struct eng_entry *en, const struct req_slow *than)
{
	return ms > than->ms || (ms == than->ms &&
	    entry_cmp(en, &than->entry) < 0);
}

static void
add_slow(struct req_stats *r, const uint8_t id[16], double ms,
    const struct eng_entry *en, const char *input, size_t len, bool failed)
{
	size_t i;

	if (r->ntop == SLOW_REQUESTS &&
	    !slower(ms, en, &r->top[SLOW_REQUESTS - 1]))
		return;
	if (r->ntop == SLOW_REQUESTS)
		free(r->top[--r->ntop].input);
	for (i = r->ntop; i > 0 && slower(ms, en, &r->top[i - 1]); i--)
		r->top[i] = r->top[i - 1];
	memcpy(r->top[i].id, id, 16);
	r->top[i].ms = ms;
	r->top[i].entry = *en;
	r->top[i].input = eng_xstrndup(input, len);
	r->top[i].len = len;
	r->top[i].failed = failed;
	r->ntop++;
}

/* Forget what was resolved for the requests whose window holds a time
 * in [from, to]: a call counted there may be one of theirs. */
static void
memo_drop(struct req_stats *r, int64_t from, int64_t to)
{
	size_t w = 0;

	for (size_t i = 0; i < r->nmemo; i++)
		if (r->memo[i].to < from || r->memo[i].from > to)
			r->memo[w++] = r->memo[i];
	r->nmemo = w;
}

/* An LLM or tool entry counted at t. */
static void
calls_at(struct req_stats *r, int64_t t)
{
	if (t == ENG_TIME_NONE)
		return;
	if (!r->has_calls || t < r->calls_from)
		r->calls_from = t;
	if (!r->has_calls || t > r->calls_to)
		r->calls_to = t;
	r->has_calls = true;
	memo_drop(r, t, t);
}

void
reqstats_count(struct req_stats *r, int cat, const struct fields *f,
    const struct eng_entry *en, double tokens, double cost, bool unpriced)
{
	struct strbuf scratch = { 0 };
	struct field_text t;
	uint8_t id[16];
	double ms;

	if (!trace_bytes(field_value(f, FIELD_TRACE), id))
		return;
	switch (cat) {
	case LLMLOG_USER:
		r->requests++;
		if (field_number(f, FIELD_DURATION, &ms) != JSCAN_NUM_OK ||
		    !isfinite(ms))
			break;
		if (!field_text(f, FIELD_USER_INPUT, &scratch, &t))
			t.s = "", t.n = 0;
		add_slow(r, id, ms, en, t.s, t.n, fields_failed(f));
		strbuf_free(&scratch);
		break;
	case LLMLOG_LLM:
		calls_at(r, en->time_us);
		r->llm_calls++;
		r->tokens += (uint64_t)whole(tokens);
		if (unpriced)
			r->unpriced++;
		else
			xsum_add(&r->cost, cost);
		break;
	case LLMLOG_TOOL:
		calls_at(r, en->time_us);
		r->tool_calls++;
		break;
	}
}

void
reqstats_merge(struct req_stats *into, const struct req_stats *from)
{
	into->requests += from->requests;
	into->llm_calls += from->llm_calls;
	into->tool_calls += from->tool_calls;
	into->tokens += from->tokens;
	into->unpriced += from->unpriced;
	xsum_merge(&into->cost, &from->cost);
	for (size_t i = 0; i < from->ntop; i++)
		add_slow(into, from->top[i].id, from->top[i].ms,
		    &from->top[i].entry, from->top[i].input, from->top[i].len,
		    from->top[i].failed);
	if (from->has_calls) {
		memo_drop(into, from->calls_from, from->calls_to);
		calls_at(into, from->calls_from);
		calls_at(into, from->calls_to);
	}
	into->resolved = false;
}

/* ---- what the slowest requests' time went to ---------------------------- */

/* The first view position whose time is at or after t (the view is in
 * time order). */
static size_t
first_at(const struct eng_view *v, int64_t t)
{
	size_t lo = 0, hi = eng_view_count(v);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (eng_view_get(v, mid)->time_us < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void window(const struct req_slow *rs, int64_t *from, int64_t *to);

/* A request's LLM and tool calls: the entries of its trace in the view,
 * which were written while it ran, between its start and its entry
 * (with a second's leeway for clocks of other processes). */
static void
resolve_one(struct req_slow *rs, struct eng_view *v, struct eng_reader *rd,
    const struct eng_prices *prices)
{
	int64_t end = rs->entry.time_us, from, to;
	size_t n = eng_view_count(v);

	rs->llm_calls = rs->tool_calls = rs->tokens = 0;
	rs->llm_us = rs->tool_us = 0;
	rs->cost = 0;
	rs->unpriced = 0;
	if (end == ENG_TIME_NONE || (rs->entry.flags & ENTRY_NO_TIME))
		return;
	window(rs, &from, &to);
	for (size_t i = first_at(v, from); i < n; i++) {
		const struct eng_entry *en = eng_view_get(v, i);
		struct fields f;
		uint8_t id[16];
		const char *s;
		size_t len;
		double ms, tok, usd;

		if (en->time_us > to)
			break;
		if ((en->category != LLMLOG_LLM && en->category != LLMLOG_TOOL) ||
		    (en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) ||
		    (s = eng_reader_line(rd, en, &len)) == NULL ||
		    !fields_read(s, len, en->category, &f) ||
		    !trace_bytes(field_value(&f, FIELD_TRACE), id) ||
		    memcmp(id, rs->id, sizeof id) != 0)
			continue;
		if (field_number(&f, FIELD_DURATION, &ms) != JSCAN_NUM_OK)
			ms = 0;
		if (en->category == LLMLOG_TOOL) {
			rs->tool_calls++;
			rs->tool_us += whole(ms * ENG_US_PER_MS);
			continue;
		}
		rs->llm_calls++;
		rs->llm_us += whole(ms * ENG_US_PER_MS);
		if (field_number(&f, FIELD_TOTAL, &tok) != JSCAN_NUM_OK) {
			double p = 0, c = 0;

			if (field_number(&f, FIELD_PROMPT, &p) != JSCAN_NUM_OK)
				p = 0;
			if (field_number(&f, FIELD_COMPLETION, &c) !=
			    JSCAN_NUM_OK)
				c = 0;
			tok = p + c;
		}
		rs->tokens += (uint64_t)whole(tok);
		if (fields_cost(prices, &f, &usd) == ENG_COST_UNPRICED)
			rs->unpriced++;
		else
			rs->cost += usd;
	}
}

/* The window resolve_one reads for rs: from its start (with a second's
 * leeway) to a second after its entry. */
static void
window(const struct req_slow *rs, int64_t *from, int64_t *to)
{
	int64_t end = rs->entry.time_us;

	if (end == ENG_TIME_NONE || (rs->entry.flags & ENTRY_NO_TIME)) {
		*from = INT64_MAX;	/* none: nothing is read for it */
		*to = INT64_MIN;
		return;
	}
	*from = end - whole(rs->ms * ENG_US_PER_MS) - ENG_US_PER_SEC;
	*to = end + ENG_US_PER_SEC;
}

static const struct req_memo *
memo_find(const struct req_stats *r, const struct req_slow *rs)
{
	for (size_t i = 0; i < r->nmemo; i++)
		if (memcmp(r->memo[i].id, rs->id, sizeof rs->id) == 0 &&
		    entry_cmp(&r->memo[i].entry, &rs->entry) == 0)
			return &r->memo[i];
	return NULL;
}

/* Resolving reads every line in each request's window; a live writer
 * makes that happen at every update, so what was found for a request is
 * kept until a call is counted inside its window (memo_drop). */
void
reqstats_resolve(struct req_stats *r, struct eng_view *v)
{
	struct req_memo next[SLOW_REQUESTS];
	struct eng_reader *rd = NULL;

	if (r->resolved)
		return;
	for (size_t i = 0; i < r->ntop; i++) {
		struct req_slow *rs = &r->top[i];
		const struct req_memo *m = memo_find(r, rs);
		struct req_memo *n = &next[i];

		if (m == NULL) {
			if (rd == NULL)
				rd = eng_reader_new(eng_view_engine(v), false);
			resolve_one(rs, v, rd, eng_view_engine(v)->prices);
		} else {
			rs->llm_calls = m->llm_calls;
			rs->tool_calls = m->tool_calls;
			rs->tokens = m->tokens;
			rs->llm_us = m->llm_us;
			rs->tool_us = m->tool_us;
			rs->cost = m->cost;
			rs->unpriced = m->unpriced;
		}
		*n = (struct req_memo){ .entry = rs->entry,
		    .llm_calls = rs->llm_calls, .tool_calls = rs->tool_calls,
		    .tokens = rs->tokens, .llm_us = rs->llm_us,
		    .tool_us = rs->tool_us, .cost = rs->cost,
		    .unpriced = rs->unpriced };
		memcpy(n->id, rs->id, sizeof n->id);
		window(rs, &n->from, &n->to);
	}
	memcpy(r->memo, next, r->ntop * sizeof *next);
	r->nmemo = r->ntop;
	if (rd != NULL)
		eng_reader_free(rd);
	r->resolved = true;
}

void
reqstats_free(struct req_stats *r)
{
	for (size_t i = 0; i < r->ntop; i++)
		free(r->top[i].input);
	xsum_free(&r->cost);
	memset(r, 0, sizeof *r);
}

static json_object *
jdouble(double v)
{
	if (!isfinite(v))
		return NULL;
	if (v == floor(v) && fabs(v) < 0x1p63)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static void
hex_of(const uint8_t id[16], char out[ENG_TRACE_ID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < 16; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[ENG_TRACE_ID_LEN] = '\0';
}

bool
reqstats_slowest(const struct req_stats *r, size_t i,
    struct eng_slow_request *out)
{
	const struct req_slow *rs;

	if (i >= r->ntop)
		return false;
	rs = &r->top[i];
	memset(out, 0, sizeof *out);
	hex_of(rs->id, out->trace_id);
	out->input = rs->input;
	out->len = rs->len;
	out->ms = rs->ms;
	out->failed = rs->failed;
	out->entry = rs->entry;
	out->llm_ms = (double)rs->llm_us / ENG_US_PER_MS;
	out->tool_ms = (double)rs->tool_us / ENG_US_PER_MS;
	out->llm_calls = rs->llm_calls;
	out->tool_calls = rs->tool_calls;
	out->tokens = rs->tokens;
	out->unpriced = rs->unpriced;
	out->cost_usd = rs->unpriced > 0 && rs->unpriced == rs->llm_calls ?
	    NAN : rs->cost;
	return true;
}

json_object *
reqstats_json(const struct req_stats *r, json_object *(*jtime)(int64_t),
    json_object *(*jcost)(double))
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	uint64_t n = r->requests, llm = r->llm_calls, tool = r->tool_calls;
	uint64_t tokens = r->tokens;
	struct eng_slow_request sr;

	json_object_object_add(o, "total", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "llm_calls_per_request",
	    json_object_new_double(n ? (double)llm / (double)n : 0));
	json_object_object_add(o, "tool_calls_per_request",
	    json_object_new_double(n ? (double)tool / (double)n : 0));
	json_object_object_add(o, "tokens_per_request",
	    json_object_new_double(n ? (double)tokens / (double)n : 0));
	/* null when every traced call is unpriced: never a 0 that reads
	 * as costed */
	json_object_object_add(o, "cost_usd_per_request", r->unpriced > 0 &&
	    r->unpriced == llm ? NULL : jcost(n ? xsum_value(&r->cost) /
	    (double)n : 0));
	json_object_object_add(o, "unpriced_calls",
	    json_object_new_int64((int64_t)r->unpriced));
	for (size_t i = 0; reqstats_slowest(r, i, &sr); i++) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "user_input",
		    json_object_new_string_len(sr.input, (int)sr.len));
		json_object_object_add(s, "trace_id",
		    json_object_new_string(sr.trace_id));
		json_object_object_add(s, "time", jtime(
		    (sr.entry.flags & ENTRY_NO_TIME) ? ENG_TIME_NONE :
		    sr.entry.time_us));
		json_object_object_add(s, "success",
		    json_object_new_boolean(!sr.failed));
		json_object_object_add(s, "duration_ms", jdouble(sr.ms));
		json_object_object_add(s, "llm_ms", jdouble(sr.llm_ms));
		json_object_object_add(s, "tool_ms", jdouble(sr.tool_ms));
		json_object_object_add(s, "llm_calls",
		    json_object_new_int64((int64_t)sr.llm_calls));
		json_object_object_add(s, "tool_calls",
		    json_object_new_int64((int64_t)sr.tool_calls));
		json_object_object_add(s, "tokens",
		    json_object_new_int64((int64_t)sr.tokens));
		json_object_object_add(s, "cost_usd", isnan(sr.cost_usd) ?
		    NULL : jcost(sr.cost_usd));
		json_object_object_add(s, "unpriced_calls",
		    json_object_new_int64((int64_t)sr.unpriced));
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "slowest_requests", a);
	return o;
}
