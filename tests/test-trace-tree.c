/*
 * test-trace-tree.c - the trace tree (engine.h, traces): lines handed to the
 * builder one by one must give the tree llmlog(5) describes - children
 * under the span their parent_span_id names, in start order; a span
 * starts duration_ms before its entry's time; a parent that is not there
 * hangs the span under the root, marked; without a root entry the trace
 * is in progress; the slowest path follows the child that took longest;
 * a cycle of parents ends; lines of other traces, or only mentioning the
 * id, are not the trace's.  Then eng_trace_find and
 * eng_conversation_requests over files of several categories.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "util.h"

#define ID "4bf92f3577b34da6a3ce929d0e0e4736"
#define OTHER "0af7651916cd43dd8448eb211c80319c"
#define THIRD "5b8aa5a2d2c872e8321cf37308d69df2"
#define T0 INT64_C(1705056120000000)	/* 2024-01-12T10:42:00Z */

struct line {
	int category;
	int64_t ms;		/* after T0: the entry's time */
	const char *text;
};

static struct eng_trace *
build(const struct line *v, size_t n, size_t *kept)
{
	struct eng_trace_builder *b = eng_trace_builder_new(ID);

	*kept = 0;
	for (size_t i = 0; i < n; i++) {
		struct eng_entry en = {
			.time_us = T0 + v[i].ms * ENG_US_PER_MS,
			.offset = i * 100,
			.category = (uint8_t)v[i].category,
			.level = 2,
		};

		*kept += eng_trace_builder_add(b, &en, v[i].text,
		    strlen(v[i].text));
	}
	return eng_trace_builder_finish(b);
}

/* The row of the span, or SIZE_MAX. */
static size_t
row(const struct eng_trace *t, const char *span)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].span_id, span) == 0)
			return i;
	return SIZE_MAX;
}

#define R "00f067aa0ba902b7"
static const struct line request[] = {
	{ LLMLOG_TOOL, 2000, "{\"trace_id\":\"" ID "\",\"span_id\":\"b2b2b2b2b2b2b2b2\","
	    "\"parent_span_id\":\"" R "\",\"tool_name\":\"read_file\","
	    "\"success\":false,\"duration_ms\":800}" },
	{ LLMLOG_USER, 5000, "{\"trace_id\":\"" ID "\",\"span_id\":\"" R "\","
	    "\"conversation_id\":\"c\\u00e9\",\"user_input\":\"x\","
	    "\"success\":true,\"duration_ms\":5000}" },
	{ LLMLOG_LLM, 1200, "{\"trace_id\":\"" ID "\",\"span_id\":\"a1a1a1a1a1a1a1a1\","
	    "\"parent_span_id\":\"" R "\",\"duration_ms\":1200}" },
	{ LLMLOG_SECURITY, 1500, "{\"trace_id\":\"" ID "\",\"span_id\":\"c3c3c3c3c3c3c3c3\","
	    "\"parent_span_id\":\"b2b2b2b2b2b2b2b2\",\"allowed\":false}" },
	{ LLMLOG_LLM, 4900, "{\"trace_id\":\"" ID "\",\"span_id\":\"a2a2a2a2a2a2a2a2\","
	    "\"parent_span_id\":\"" R "\",\"duration_ms\":2800}" },
	{ LLMLOG_PERFORMANCE, 4850, "{\"trace_id\":\"" ID "\",\"span_id\":\"e5e5e5e5e5e5e5e5\","
	    "\"parent_span_id\":\"a2a2a2a2a2a2a2a2\",\"duration_ms\":50}" },
	{ LLMLOG_TOOL, 500, "{\"trace_id\":\"" ID "\",\"span_id\":\"d4d4d4d4d4d4d4d4\","
	    "\"parent_span_id\":\"eeeeeeeeeeeeeeee\",\"duration_ms\":300}" },
	/* not the trace's: another id, the id in a message, a bad id */
	{ LLMLOG_LLM, 100, "{\"trace_id\":\"" OTHER "\",\"span_id\":\"a1a1a1a1a1a1a1a1\"}" },
	{ LLMLOG_SYSTEM, 100, "{\"message\":\"" ID "\"}" },
	{ LLMLOG_SYSTEM, 100, "{\"trace_id\":\"" ID "0\"}" },
	{ LLMLOG_SYSTEM, 100, "{\"trace_id\":\"" ID "\"" },	/* not JSON */
};

static void
test_tree(void)
{
	size_t kept;
	struct eng_trace *t = build(request, sizeof request / sizeof request[0],
	    &kept);
	/* depth first, children by start: the root, a1 (starts 0), d4
	 * (orphan, 0.2 s), b2 (1.2 s) with c3, a2 (2.1 s) with e5 */
	static const char *const order[] = { R, "a1a1a1a1a1a1a1a1",
	    "d4d4d4d4d4d4d4d4", "b2b2b2b2b2b2b2b2", "c3c3c3c3c3c3c3c3",
	    "a2a2a2a2a2a2a2a2", "e5e5e5e5e5e5e5e5" };
	static const unsigned depth[] = { 0, 1, 1, 1, 2, 1, 2 };
	static const bool slowest[] = { true, false, false, false, false,
	    true, true };

	CU_ASSERT_EQUAL(kept, 7);
	CU_ASSERT_FATAL(t->n == 7);
	CU_ASSERT_EQUAL(t->root, 0);
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_STRING_EQUAL(t->v[i].span_id, order[i]);
		CU_ASSERT_EQUAL(t->v[i].depth, depth[i]);
		CU_ASSERT_EQUAL(t->v[i].slowest, slowest[i]);
		CU_ASSERT_EQUAL(t->v[i].orphan, i == 2);
	}
	CU_ASSERT_EQUAL(t->v[row(t, "c3c3c3c3c3c3c3c3")].parent,
	    row(t, "b2b2b2b2b2b2b2b2"));
	CU_ASSERT_EQUAL(t->v[row(t, "d4d4d4d4d4d4d4d4")].parent, 0);
	CU_ASSERT_EQUAL(t->v[0].parent, ENG_TRACE_NONE);
	CU_ASSERT_EQUAL(t->v[0].children, 4);
	/* the root's span: 5 s ending at its entry */
	CU_ASSERT_EQUAL(t->start_us, T0);
	CU_ASSERT_EQUAL(t->end_us, T0 + 5 * ENG_US_PER_SEC);
	CU_ASSERT_EQUAL(t->v[row(t, "a2a2a2a2a2a2a2a2")].start_us,
	    T0 + 2100 * ENG_US_PER_MS);
	/* no duration: a point at its time */
	CU_ASSERT(isnan(t->v[row(t, "c3c3c3c3c3c3c3c3")].duration_ms));
	CU_ASSERT_EQUAL(t->v[row(t, "c3c3c3c3c3c3c3c3")].start_us,
	    T0 + 1500 * ENG_US_PER_MS);
	CU_ASSERT(t->v[row(t, "b2b2b2b2b2b2b2b2")].failed);
	CU_ASSERT(t->v[row(t, "c3c3c3c3c3c3c3c3")].denied);
	CU_ASSERT(!t->v[row(t, "c3c3c3c3c3c3c3c3")].failed);
	CU_ASSERT_EQUAL(t->failed, 1);
	CU_ASSERT_EQUAL(t->orphans, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->conversation);
	CU_ASSERT_STRING_EQUAL(t->conversation, "c\xc3\xa9");
	eng_trace_free(t);
}

/* Without its user entry the request is running: the spans under its
 * span are top rows, unmarked; one under another missing span is
 * marked. */
static void
test_in_progress(void)
{
	static const struct line v[] = {
		{ LLMLOG_LLM, 1000, "{\"trace_id\":\"" ID "\",\"span_id\":\"f1f1f1f1f1f1f1f1\","
		    "\"parent_span_id\":\"1111111111111111\",\"duration_ms\":900}" },
		{ LLMLOG_TOOL, 1500, "{\"trace_id\":\"" ID "\",\"span_id\":\"f2f2f2f2f2f2f2f2\","
		    "\"parent_span_id\":\"1111111111111111\",\"duration_ms\":400}" },
		{ LLMLOG_SECURITY, 1300, "{\"trace_id\":\"" ID "\",\"span_id\":\"f3f3f3f3f3f3f3f3\","
		    "\"parent_span_id\":\"f2f2f2f2f2f2f2f2\"}" },
		{ LLMLOG_TOOL, 200, "{\"trace_id\":\"" ID "\",\"span_id\":\"f4f4f4f4f4f4f4f4\","
		    "\"parent_span_id\":\"9999999999999999\",\"duration_ms\":100}" },
	};
	size_t kept;
	struct eng_trace *t = build(v, 4, &kept);

	CU_ASSERT_FATAL(t->n == 4);
	CU_ASSERT_EQUAL(t->root, ENG_TRACE_NONE);
	CU_ASSERT_STRING_EQUAL(t->v[0].span_id, "f4f4f4f4f4f4f4f4");
	CU_ASSERT(t->v[0].orphan);
	CU_ASSERT_STRING_EQUAL(t->v[1].span_id, "f1f1f1f1f1f1f1f1");
	CU_ASSERT(!t->v[1].orphan && t->v[1].depth == 0);
	CU_ASSERT_STRING_EQUAL(t->v[2].span_id, "f2f2f2f2f2f2f2f2");
	CU_ASSERT_EQUAL(t->v[3].depth, 1);
	CU_ASSERT_EQUAL(t->v[3].parent, 2);
	/* the longest top row starts the slowest path */
	CU_ASSERT(t->v[1].slowest);
	CU_ASSERT(!t->v[2].slowest);
	/* the span is the entries': from f4's start to f2's end */
	CU_ASSERT_EQUAL(t->start_us, T0 + 100 * ENG_US_PER_MS);
	CU_ASSERT_EQUAL(t->end_us, T0 + 1500 * ENG_US_PER_MS);
	eng_trace_free(t);
}

/* Parents that name each other reach no root: both still shown, once,
 * under the root and marked. */
static void
test_cycle(void)
{
	static const struct line v[] = {
		{ LLMLOG_USER, 3000, "{\"trace_id\":\"" ID "\",\"span_id\":\"" R "\","
		    "\"duration_ms\":3000}" },
		{ LLMLOG_TOOL, 1000, "{\"trace_id\":\"" ID "\",\"span_id\":\"aaaaaaaaaaaaaaaa\","
		    "\"parent_span_id\":\"bbbbbbbbbbbbbbbb\"}" },
		{ LLMLOG_TOOL, 2000, "{\"trace_id\":\"" ID "\",\"span_id\":\"bbbbbbbbbbbbbbbb\","
		    "\"parent_span_id\":\"aaaaaaaaaaaaaaaa\"}" },
		/* its own parent */
		{ LLMLOG_TOOL, 2500, "{\"trace_id\":\"" ID "\",\"span_id\":\"cccccccccccccccc\","
		    "\"parent_span_id\":\"cccccccccccccccc\"}" },
	};
	size_t kept, seen = 0;
	struct eng_trace *t = build(v, 4, &kept);

	CU_ASSERT_FATAL(t->n == 4);
	CU_ASSERT_EQUAL(t->root, 0);
	for (size_t i = 1; i < t->n; i++)
		seen += t->v[i].depth >= 1;
	CU_ASSERT_EQUAL(seen, 3);
	CU_ASSERT(t->orphans >= 2);
	CU_ASSERT(t->v[row(t, "cccccccccccccccc")].orphan);
	eng_trace_free(t);
}

/* A chain as deep as it is long, and a request still running with
 * thousands of top rows: every row once, at its depth. */
#define DEEP 30000
static void
test_large(void)
{
	struct eng_trace_builder *b = eng_trace_builder_new(ID);
	struct eng_trace *t;
	char line[256];

	for (unsigned i = 0; i < DEEP; i++) {
		struct eng_entry en = {
			.time_us = T0 + (int64_t)(DEEP - i) * ENG_US_PER_MS,
			.offset = i,
			.category = LLMLOG_TOOL,
			.level = 2,
		};

		/* span i under span i - 1; span 0 under one not there, which
		 * the rows of the second half name too */
		snprintf(line, sizeof line, "{\"trace_id\":\"" ID "\","
		    "\"span_id\":\"%016x\",\"parent_span_id\":\"%016x\","
		    "\"duration_ms\":1}", i + 1, i >= DEEP / 2 ? 0xffffffu :
		    i == 0 ? 0xffffffu : i);
		CU_ASSERT(eng_trace_builder_add(b, &en, line, strlen(line)));
	}
	t = eng_trace_builder_finish(b);
	CU_ASSERT_FATAL(t->n == DEEP);
	CU_ASSERT_EQUAL(t->root, ENG_TRACE_NONE);
	CU_ASSERT_EQUAL(t->orphans, 0);
	/* the chain of the first half, in order, then the rest as top rows */
	for (size_t i = 0, top = 0; i < t->n; i++) {
		if (t->v[i].depth == 0)
			top++;
		if (i == t->n - 1)
			CU_ASSERT_EQUAL(top, DEEP / 2 + 1);
	}
	{
		size_t r = row(t, "0000000000003a98");	/* span 15000 */

		CU_ASSERT_FATAL(r != SIZE_MAX);
		CU_ASSERT_EQUAL(t->v[r].depth, DEEP / 2 - 1);
	}
	eng_trace_free(t);
}

static void
test_id_parse(void)
{
	char out[ENG_TRACE_ID_LEN + 1];

	CU_ASSERT(eng_trace_id_parse(ID, out));
	CU_ASSERT_STRING_EQUAL(out, ID);
	CU_ASSERT(eng_trace_id_parse("4BF92F3577B34DA6A3CE929D0E0E4736", out));
	CU_ASSERT_STRING_EQUAL(out, ID);
	CU_ASSERT(!eng_trace_id_parse("4bf92f35", out));
	CU_ASSERT(!eng_trace_id_parse(ID "0", out));
	CU_ASSERT(!eng_trace_id_parse("4bf92f3577b34da6a3ce929d0e0e473g", out));
	CU_ASSERT(!eng_trace_id_parse("", out));
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

#define HEAD(cat, t) "{\"category\":\"" cat "\",\"timestamp\":\"2024-01-12T" t \
    "Z\",\"level\":\"INFO\",\"event\":\"e\",\"pid\":1,"

/* Over files: every category, a backup; a filter narrows the rows. */
static void
test_find(void)
{
	const char *dir = util_tmpdir("trace");
	const char *dirs[] = { dir };
	struct eng_filter f;
	struct eng_entry *reqs;
	struct eng_trace *t;
	struct eng *e;
	char err[256];

	write_file(dir, "user_interactions.log",
	    HEAD("user", "10:40:01.000") "\"trace_id\":\"" OTHER "\",\"span_id\":"
	    "\"1111111111111111\",\"conversation_id\":\"c1\",\"duration_ms\":10}\n"
	    HEAD("user", "10:42:05.000") "\"trace_id\":\"" ID "\",\"span_id\":\"" R
	    "\",\"conversation_id\":\"c1\",\"duration_ms\":5000}\n"
	    HEAD("user", "10:43:00.000") "\"trace_id\":\"" OTHER "\",\"span_id\":"
	    "\"2222222222222222\",\"conversation_id\":\"c10\"}\n");
	write_file(dir, "tool_executions.log",
	    HEAD("tool", "10:42:02.000") "\"trace_id\":\"" ID "\",\"span_id\":"
	    "\"b2b2b2b2b2b2b2b2\",\"parent_span_id\":\"" R "\",\"duration_ms\":"
	    "800}\n"
	    HEAD("tool", "10:42:03.000") "\"trace_id\":\"" THIRD "\",\"span_id\":"
	    "\"3333333333333333\",\"parent_span_id\":\"4444444444444444\"}\n"
	    HEAD("tool", "11:30:00.000") "\"trace_id\":\"" THIRD "\",\"span_id\":"
	    "\"5555555555555555\",\"parent_span_id\":\"4444444444444444\"}\n");
	write_file(dir, "tool_executions.log.1",
	    HEAD("tool", "10:42:01.000") "\"trace_id\":\"" ID "\",\"span_id\":"
	    "\"b1b1b1b1b1b1b1b1\",\"parent_span_id\":\"" R "\"}\n");
	write_file(dir, "system_health.log",
	    HEAD("system", "10:44:00.000") "\"message\":\"" ID "\"}\n");
	e = eng_open(dirs, 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	t = eng_trace_find(e, NULL, ID);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 3);
	CU_ASSERT_EQUAL(t->root, 0);
	CU_ASSERT_EQUAL(t->v[0].entry.category, LLMLOG_USER);
	CU_ASSERT_STRING_EQUAL(t->v[1].span_id, "b1b1b1b1b1b1b1b1");
	{
		/* near one of its entries: the same tree */
		struct eng_trace *tn = eng_trace_find_near(e, ID,
		    &t->v[2].entry);

		CU_ASSERT_PTR_NOT_NULL_FATAL(tn);
		CU_ASSERT_EQUAL(tn->n, 3);
		CU_ASSERT_EQUAL(tn->root, 0);
		eng_trace_free(tn);
	}
	eng_trace_free(t);
	/* THIRD is in progress, its entries 48 minutes apart: near the
	 * first, every entry is searched */
	{
		struct eng_trace *to = eng_trace_find(e, NULL, THIRD), *tn;

		CU_ASSERT_PTR_NOT_NULL_FATAL(to);
		CU_ASSERT_EQUAL(to->n, 2);
		tn = eng_trace_find_near(e, THIRD, &to->v[0].entry);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tn);
		CU_ASSERT_EQUAL(tn->n, 2);
		eng_trace_free(to);
		eng_trace_free(tn);
	}
	eng_filter_init(&f);
	f.categories = 1u << LLMLOG_TOOL;
	t = eng_trace_find(e, &f, ID);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 2);
	CU_ASSERT_EQUAL(t->root, ENG_TRACE_NONE);
	eng_trace_free(t);
	CU_ASSERT_PTR_NULL(eng_trace_find(e, NULL,
	    "00000000000000000000000000000001"));
	/* c1's requests, not c10's */
	CU_ASSERT_EQUAL(eng_conversation_requests(e, "c1", &reqs), 2);
	CU_ASSERT(reqs[0].time_us < reqs[1].time_us);
	free(reqs);
	eng_close(e);
}

/* The requests' figures: what the files were made to hold, counted on
 * two threads at once (enough entries) and a slice at a time alike. */
#define NREQ 9000
static void
test_request_stats(void)
{
	const char *dir = util_tmpdir("reqstats");
	const char *dirs[] = { dir };
	char path[4096], id[ENG_TRACE_ID_LEN + 1];
	FILE *fu, *fl, *ft;
	uint64_t llm = 0, tool = 0, tokens = 0;
	struct eng_filter f;
	struct eng *e;
	char err[256];
	json_object *got[2], *r;

	snprintf(path, sizeof path, "%s/user_interactions.log", dir);
	fu = fopen(path, "w");
	snprintf(path, sizeof path, "%s/llm_calls.log", dir);
	fl = fopen(path, "w");
	snprintf(path, sizeof path, "%s/tool_executions.log", dir);
	ft = fopen(path, "w");
	CU_ASSERT_FATAL(fu != NULL && fl != NULL && ft != NULL);
	for (unsigned i = 0; i < NREQ; i++) {
		unsigned nl = i % 3, nt = i % 2;

		snprintf(id, sizeof id, "%032x", i + 1);
		/* a request's duration: distinct, the largest at i = 4500 */
		fprintf(fu, HEAD("user", "10:00:00.000") "\"trace_id\":\"%s\","
		    "\"span_id\":\"%016x\",\"user_input\":\"r%u\","
		    "\"success\":true,\"duration_ms\":%u.5}\n", id, i + 1, i,
		    i < 4500 ? i : NREQ - i + 4500);
		for (unsigned k = 0; k < nl; k++)
			fprintf(fl, HEAD("llm", "10:00:00.000") "\"trace_id\":"
			    "\"%s\",\"span_id\":\"%016x\",\"parent_span_id\":"
			    "\"%016x\",\"total_tokens\":%u,\"duration_ms\":1.25}\n",
			    id, 100000 + i, i + 1, i);
		for (unsigned k = 0; k < nt; k++)
			fprintf(ft, HEAD("tool", "10:00:00.000") "\"trace_id\":"
			    "\"%s\",\"span_id\":\"%016x\",\"parent_span_id\":"
			    "\"%016x\",\"duration_ms\":2}\n", id, 200000 + i,
			    i + 1);
		llm += nl;
		tool += nt;
		tokens += (uint64_t)nl * i;
	}
	fclose(fu);
	fclose(fl);
	fclose(ft);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e = eng_open(dirs, 1, err, sizeof err));
	CU_ASSERT_EQUAL_FATAL(eng_load(e, err, sizeof err), 0);
	eng_filter_init(&f);
	for (int pass = 0; pass < 2; pass++) {
		struct eng_view *v = eng_view_new(e, &f);
		struct eng_stats *st = eng_stats_new();
		json_object *all;

		if (pass == 0)
			eng_stats_update(st, v);
		else
			while (!eng_stats_update_some(st, v, 777))
				;
		all = eng_stats_json(st);
		got[pass] = json_object_get(json_object_object_get(all,
		    "requests"));
		json_object_put(all);
		eng_stats_free(st);
		eng_view_free(v);
	}
	r = got[0];
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(r,
	    "total")), NREQ);
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(json_object_object_get(
	    r, "llm_calls_per_request")), (double)llm / NREQ, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(json_object_object_get(
	    r, "tool_calls_per_request")), (double)tool / NREQ, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(json_object_object_get(
	    r, "tokens_per_request")), (double)tokens / NREQ, 1e-9);
	{
		json_object *a = json_object_object_get(r, "slowest_requests");
		json_object *top = json_object_array_get_idx(a, 0);

		CU_ASSERT_EQUAL_FATAL(json_object_array_length(a), 10);
		/* the slowest: r4500, 9000.5 ms, 0 LLM calls, 0 tool calls */
		CU_ASSERT_STRING_EQUAL(json_object_get_string(
		    json_object_object_get(top, "user_input")), "r4500");
		CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(
		    json_object_object_get(top, "duration_ms")), 9000.5, 0);
		top = json_object_array_get_idx(a, 1);	/* r4501: 1 LLM, 1 tool */
		CU_ASSERT_STRING_EQUAL(json_object_get_string(
		    json_object_object_get(top, "user_input")), "r4501");
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(
		    top, "llm_calls")), 1);
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(
		    top, "tool_calls")), 1);
		CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(
		    json_object_object_get(top, "llm_ms")), 1.25, 0);
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(
		    top, "tokens")), 4501);
	}
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string(got[0]),
	    json_object_to_json_string(got[1]));
	json_object_put(got[0]);
	json_object_put(got[1]);
	eng_close(e);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "the tree of a request", test_tree },
		{ "a request in progress", test_in_progress },
		{ "a cycle of parents", test_cycle },
		{ "a large trace", test_large },
		{ "trace ids", test_id_parse },
		{ "a trace over files", test_find },
		{ "the requests' figures", test_request_stats },
		{ NULL, NULL },
	};

	return util_run("trace", tests);
}
