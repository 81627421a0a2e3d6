/*
 * timer.c - performance timers (wall time and process CPU time) and the
 * time-and-log helpers that wrap one tool call, LLM call or user
 * interaction.  Each begins a span, so what the work logs nests under it,
 * and writes its entry as the span's record (llmlog(5), TRACES).  A timer leaves the RSS to the metric's entry (entries.c),
 * which reads it only when the entry is written.
 */
#include "config.h"

#include <time.h>

#include "internal.h"

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static struct timespec
now(clockid_t clock)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(clock, &ts);
	return ts;
}

struct llmlog_timer
llmlog_timer_start(struct llmlog *lg, const char *operation)
{
	struct llmlog_timer t = {
		.lg = lg,
		.operation = operation,
		.wall = now(CLOCK_MONOTONIC),
		.cpu = now(CLOCK_PROCESS_CPUTIME_ID),
	};

	t.span = llmlog_span_start(NULL);
	return t;
}

double
llmlog_timer_elapsed_ms(const struct llmlog_timer *t)
{
	struct timespec w = now(CLOCK_MONOTONIC);

	return ms_between(&t->wall, &w);
}

int
llmlog_timer_stop(struct llmlog_timer *t, json_object *details)
{
	struct timespec w, c;
	double wall_ms, cpu_ms;
	int rc;

	if (t == NULL || t->stopped) {
		if (details != NULL)
			json_object_put(details);
		return 0;
	}
	w = now(CLOCK_MONOTONIC);
	c = now(CLOCK_PROCESS_CPUTIME_ID);
	t->stopped = true;
	wall_ms = ms_between(&t->wall, &w);
	cpu_ms = ms_between(&t->cpu, &c);
	rc = llmlog_metric(t->lg, .operation = t->operation,
	    .duration_ms = wall_ms,
	    .cpu_percent = wall_ms > 0 ? cpu_ms / wall_ms * 100 : 0,
	    .details = details, .span = &t->span);
	llmlog_span_end(&t->span);
	return rc;
}

void
llmlog_timer_cleanup_(struct llmlog_timer *t)
{
	llmlog_timer_stop(t, NULL);
}

int
llmlog_time_tool(struct llmlog *lg, const char *tool_name,
    const char *tool_server, json_object *parameters, llmlog_tool_fn fn,
    void *arg, json_object **result)
{
	struct timespec start, end;
	json_object *res = NULL, *logged;
	const char *error = NULL;
	struct llmlog_span sp;
	int rc;

	if (result != NULL)
		*result = NULL;
	if (fn == NULL) {
		if (parameters != NULL)
			json_object_put(parameters);
		return errmsg_set("llmlog_time_tool: no function to run");
	}
	llmlog_span_begin(&sp, NULL);
	start = now(CLOCK_MONOTONIC);
	rc = fn(arg, &res, &error);
	end = now(CLOCK_MONOTONIC);
	if (result != NULL) {
		/* the caller keeps res; the entry gets a copy of its own, as
		 * in async mode the writer thread drops it later and json-c's
		 * reference counts are not atomic (no copy: no result) */
		*result = res;
		logged = NULL;
		if (res != NULL && json_object_deep_copy(res, &logged, NULL) != 0)
			logged = NULL;
	} else
		logged = res;
	llmlog_tool(lg, .tool_name = tool_name, .tool_server = tool_server,
	    .parameters = parameters, .result = logged,
	    .duration_ms = ms_between(&start, &end),
	    .failed = rc != 0, .error = error, .span = &sp);
	llmlog_span_end(&sp);
	return rc;
}

int
llmlog_time_llm(struct llmlog *lg, const char *provider, const char *model,
    llmlog_llm_fn fn, void *arg)
{
	struct llmlog_llm call = { .provider = provider, .model = model };
	struct timespec start, end;
	struct llmlog_span sp;
	int rc;

	if (fn == NULL)
		return errmsg_set("llmlog_time_llm: no function to run");
	llmlog_span_begin(&sp, NULL);
	start = now(CLOCK_MONOTONIC);
	rc = fn(arg, &call);
	end = now(CLOCK_MONOTONIC);
	call.duration_ms = ms_between(&start, &end);
	if (rc != 0)
		call.failed = true;
	call.span = &sp;
	llmlog_llm_(lg, &call);
	llmlog_span_end(&sp);
	return rc;
}

int
llmlog_time_interaction(struct llmlog *lg, const char *user_input,
    llmlog_interaction_fn fn, void *arg)
{
	const char *tools[LLMLOG_MAX_TOOL_CALLS + 1] = { NULL };
	const char *response = NULL, *error = NULL;
	struct timespec start, end;
	struct llmlog_span sp;
	int rc;

	if (fn == NULL)
		return errmsg_set("llmlog_time_interaction: no function to run");
	llmlog_span_begin(&sp, NULL);
	start = now(CLOCK_MONOTONIC);
	rc = fn(arg, &response, tools, &error);
	end = now(CLOCK_MONOTONIC);
	tools[LLMLOG_MAX_TOOL_CALLS] = NULL;
	llmlog_interaction(lg, .user_input = user_input, .response = response,
	    .tool_calls = tools, .duration_ms = ms_between(&start, &end),
	    .failed = rc != 0, .error = error, .span = &sp);
	llmlog_span_end(&sp);
	return rc;
}
