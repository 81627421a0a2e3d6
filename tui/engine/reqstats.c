/*
 * reqstats.c - the report's figures per request, counted in the stats
 * pass (stats.c calls it for each user, LLM and tool entry, with the
 * fields it read anyway, trace_id among them): per trace the LLM and
 * tool calls, their time and the tokens; per request (a user entry with
 * a trace) its duration, kept for the slowest.  A request's calls are
 * those of its trace, whichever order the files give them in, so the
 * figures are joined only when read (reqstats_json), and two parts
 * counted apart merge by trace.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"
#include "jscan.h"

struct req_trace {
	uint8_t id[16];
	bool used;
	bool request;		/* its user entry was counted */
	uint64_t llm_calls, tool_calls;
	/* whole microseconds and tokens: sums that no order of adding
	   changes */
	int64_t llm_us, tool_us, tokens;
};

/* A duration in whole microseconds, or a call's tokens as a whole
 * number; 0 past what a sum can hold. */
static int64_t
whole(double v)
{
	return isfinite(v) && fabs(v) < 0x1p52 ? (int64_t)llround(v) : 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A trace_id's 16 bytes; false when it is not 32 hex digits. */
static bool
trace_bytes(const struct jscan_value *v, uint8_t out[16])
{
	if (v->kind != JSCAN_STRING || v->escaped ||
	    v->n != ENG_TRACE_ID_LEN)
		return false;
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval(v->s[2 * i]), lo = hexval(v->s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static size_t
slot_of(const struct req_stats *r, const uint8_t id[16])
{
	uint64_t h;
	size_t i;

	memcpy(&h, id, sizeof h);	/* the id is random already */
	for (i = h & (r->cap - 1); r->v[i].used &&
	    memcmp(r->v[i].id, id, 16) != 0; i = (i + 1) & (r->cap - 1))
		;
	return i;
}

static struct req_trace *
trace_get(struct req_stats *r, const uint8_t id[16])
{
	size_t i;

	if ((r->n + 1) * 2 > r->cap) {
		struct req_stats old = *r;

		r->cap = old.cap ? old.cap * 2 : 64;
		r->v = eng_xcalloc(r->cap, sizeof *r->v);
		for (size_t k = 0; k < old.cap; k++)
			if (old.v[k].used)
				r->v[slot_of(r, old.v[k].id)] = old.v[k];
		free(old.v);
	}
	i = slot_of(r, id);
	if (!r->v[i].used) {
		r->v[i].used = true;
		memcpy(r->v[i].id, id, 16);
		r->n++;
	}
	return &r->v[i];
}

static const struct req_trace *
trace_find(const struct req_stats *r, const uint8_t id[16])
{
	size_t i;

	if (r->cap == 0)
		return NULL;
	i = slot_of(r, id);
	return r->v[i].used ? &r->v[i] : NULL;
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

void
reqstats_count(struct req_stats *r, int cat, const struct fields *f,
    const struct eng_entry *en, double tokens)
{
	struct strbuf scratch = { 0 };
	struct field_text t;
	struct req_trace *tr;
	uint8_t id[16];
	double ms;
	bool has_ms;

	if (!trace_bytes(field_value(f, FIELD_TRACE), id))
		return;
	has_ms = field_number(f, FIELD_DURATION, &ms) == JSCAN_NUM_OK &&
	    isfinite(ms);
	tr = trace_get(r, id);
	switch (cat) {
	case LLMLOG_USER:
		tr->request = true;
		if (!has_ms)
			break;
		if (!field_text(f, FIELD_USER_INPUT, &scratch, &t))
			t.s = "", t.n = 0;
		add_slow(r, id, ms, en, t.s, t.n, fields_failed(f));
		strbuf_free(&scratch);
		break;
	case LLMLOG_LLM:
		tr->llm_calls++;
		tr->llm_us += has_ms ? whole(ms * ENG_US_PER_MS) : 0;
		tr->tokens += whole(tokens);
		break;
	case LLMLOG_TOOL:
		tr->tool_calls++;
		tr->tool_us += has_ms ? whole(ms * ENG_US_PER_MS) : 0;
		break;
	}
}

void
reqstats_merge(struct req_stats *into, const struct req_stats *from)
{
	for (size_t i = 0; i < from->cap; i++) {
		const struct req_trace *b = &from->v[i];
		struct req_trace *a;

		if (!b->used)
			continue;
		a = trace_get(into, b->id);
		a->request |= b->request;
		a->llm_calls += b->llm_calls;
		a->tool_calls += b->tool_calls;
		a->llm_us += b->llm_us;
		a->tool_us += b->tool_us;
		a->tokens += b->tokens;
	}
	for (size_t i = 0; i < from->ntop; i++)
		add_slow(into, from->top[i].id, from->top[i].ms,
		    &from->top[i].entry, from->top[i].input, from->top[i].len,
		    from->top[i].failed);
}

void
reqstats_free(struct req_stats *r)
{
	free(r->v);
	for (size_t i = 0; i < r->ntop; i++)
		free(r->top[i].input);
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
	const struct req_trace *tr;

	if (i >= r->ntop)
		return false;
	memset(out, 0, sizeof *out);
	hex_of(r->top[i].id, out->trace_id);
	out->input = r->top[i].input;
	out->len = r->top[i].len;
	out->ms = r->top[i].ms;
	out->failed = r->top[i].failed;
	out->entry = r->top[i].entry;
	if ((tr = trace_find(r, r->top[i].id)) != NULL) {
		out->llm_ms = (double)tr->llm_us / ENG_US_PER_MS;
		out->tool_ms = (double)tr->tool_us / ENG_US_PER_MS;
		out->llm_calls = tr->llm_calls;
		out->tool_calls = tr->tool_calls;
		out->tokens = (uint64_t)tr->tokens;
	}
	return true;
}

json_object *
reqstats_json(const struct req_stats *r, json_object *(*jtime)(int64_t))
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	uint64_t n = 0, llm = 0, tool = 0, tokens = 0;
	struct eng_slow_request sr;

	for (size_t i = 0; i < r->cap; i++) {
		if (!r->v[i].used || !r->v[i].request)
			continue;
		n++;
		llm += r->v[i].llm_calls;
		tool += r->v[i].tool_calls;
		tokens += (uint64_t)r->v[i].tokens;
	}
	json_object_object_add(o, "total", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "llm_calls_per_request",
	    json_object_new_double(n ? (double)llm / (double)n : 0));
	json_object_object_add(o, "tool_calls_per_request",
	    json_object_new_double(n ? (double)tool / (double)n : 0));
	json_object_object_add(o, "tokens_per_request",
	    json_object_new_double(n ? (double)tokens / (double)n : 0));
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
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "slowest_requests", a);
	return o;
}
