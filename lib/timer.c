/*
 * timer.c - performance timers (wall time, process CPU time, RSS) and the
 * time-and-log helpers that wrap one tool call, LLM call or user
 * interaction, the C counterparts of the seed's decorators.
 */
#include "config.h"

#include <sys/resource.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "format.h"
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

double
format_rss_mb(void)
{
	char buf[128];
	struct rusage ru;
	unsigned long size, resident;
	ssize_t n;
	int fd;

	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "%lu %lu", &size, &resident) == 2)
				return (double)resident *
				    (double)sysconf(_SC_PAGESIZE) /
				    (1024.0 * 1024.0);
		}
	}
	/* no /proc: the peak is the best there is */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		return (double)ru.ru_maxrss / 1024.0;
	return 0;
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
	return llmlog_metric(t->lg, .operation = t->operation,
	    .duration_ms = wall_ms, .memory_mb = format_rss_mb(),
	    .cpu_percent = wall_ms > 0 ? cpu_ms / wall_ms * 100 : 0,
	    .details = details);
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
	int rc;

	if (result != NULL)
		*result = NULL;
	if (fn == NULL) {
		if (parameters != NULL)
			json_object_put(parameters);
		return errmsg_set("llmlog_time_tool: no function to run");
	}
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
	    .failed = rc != 0, .error = error);
	return rc;
}

int
llmlog_time_llm(struct llmlog *lg, const char *provider, const char *model,
    llmlog_llm_fn fn, void *arg)
{
	struct llmlog_llm call = { .provider = provider, .model = model };
	struct timespec start, end;
	int rc;

	if (fn == NULL)
		return errmsg_set("llmlog_time_llm: no function to run");
	start = now(CLOCK_MONOTONIC);
	rc = fn(arg, &call);
	end = now(CLOCK_MONOTONIC);
	call.duration_ms = ms_between(&start, &end);
	if (rc != 0)
		call.failed = true;
	llmlog_llm_(lg, &call);
	return rc;
}

int
llmlog_time_interaction(struct llmlog *lg, const char *user_input,
    llmlog_interaction_fn fn, void *arg)
{
	const char *tools[LLMLOG_MAX_TOOL_CALLS + 1] = { NULL };
	const char *response = NULL, *error = NULL;
	struct timespec start, end;
	int rc;

	if (fn == NULL)
		return errmsg_set("llmlog_time_interaction: no function to run");
	start = now(CLOCK_MONOTONIC);
	rc = fn(arg, &response, tools, &error);
	end = now(CLOCK_MONOTONIC);
	tools[LLMLOG_MAX_TOOL_CALLS] = NULL;
	llmlog_interaction(lg, .user_input = user_input, .response = response,
	    .tool_calls = tools, .duration_ms = ms_between(&start, &end),
	    .failed = rc != 0, .error = error);
	return rc;
}
