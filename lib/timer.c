/*
 * timer.c - performance timers (wall time and process CPU time) and the
 * time-and-log helpers that wrap one tool call, LLM call or user
 * interaction.  Each begins a span, so what the work logs nests under it,
 * and writes its entry as the span's record (llmlog(5), TRACES).  A timer
 * leaves the RSS to the metric's entry (entries.c), which reads it only
 * when the entry is written.
 */
#include "config.h"

#include <pthread.h>
#include <time.h>

#include "internal.h"

#define NS_PER_SEC 1000000000L
/*
 * The process's CPU time costs a system call (there is no vDSO clock for
 * it), as much as the metric's whole write.  A timer started just after
 * another stopped in the same thread (a timed scope in a loop, nested
 * scopes) takes that reading as its start, with the wall time it was
 * taken at, so that the CPU percentage is still CPU time over the wall
 * time of one interval: one that begins at most CPU_REUSE_NS before the
 * timer did.  A child of fork() has a CPU clock of its own, started at
 * zero: the reading is forgotten there.
 */
#define CPU_REUSE_NS 50000L	/* 50 us */
int64_t timer_cpu_reuse_ns = CPU_REUSE_NS;

static __thread struct {
	struct timespec wall, cpu;
	bool valid;
} last_cpu;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

/* fork() runs this in the forking thread, the only one of the child */
static void
cpu_forget(void)
{
	last_cpu.valid = false;
}

static void
cpu_init(void)
{
	pthread_atfork(NULL, NULL, cpu_forget);
}

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

static int64_t
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * NS_PER_SEC +
	    (b->tv_nsec - a->tv_nsec);
}

/* The process's CPU time now, read at wall time w, kept for the next
 * timer's start. */
static struct timespec
cpu_read(const struct timespec *w)
{
	struct timespec c = now(CLOCK_PROCESS_CPUTIME_ID);

	if (!last_cpu.valid)
		pthread_once(&cpu_once, cpu_init);
	last_cpu.wall = *w;
	last_cpu.cpu = c;
	last_cpu.valid = true;
	return c;
}

struct llmlog_timer
llmlog_timer_start(struct llmlog *lg, const char *operation)
{
	struct llmlog_timer t = {
		.lg = lg,
		.operation = operation,
		.wall = now(CLOCK_MONOTONIC),
	};
	int64_t age = last_cpu.valid ?
	    ns_between(&last_cpu.wall, &t.wall) : -1;

	if (age >= 0 && age <= timer_cpu_reuse_ns) {
		t.cpu = last_cpu.cpu;
		t.cpu_wall = last_cpu.wall;
	} else {
		t.cpu = cpu_read(&t.wall);
		t.cpu_wall = t.wall;
	}
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
	double wall_ms, cpu_wall_ms, cpu_ms;
	int rc;

	if (t == NULL || t->stopped) {
		if (details != NULL)
			json_object_put(details);
		return 0;
	}
	w = now(CLOCK_MONOTONIC);
	c = cpu_read(&w);
	t->stopped = true;
	wall_ms = ms_between(&t->wall, &w);
	/* CPU time over the wall time of the same interval */
	cpu_wall_ms = ms_between(&t->cpu_wall, &w);
	cpu_ms = ms_between(&t->cpu, &c);
	rc = llmlog_metric(t->lg, .operation = t->operation,
	    .duration_ms = wall_ms,
	    .cpu_percent = cpu_wall_ms > 0 && cpu_ms > 0 ?
	    cpu_ms / cpu_wall_ms * 100 : 0,
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
