/*
 * bench-writer.c - what one llmlog_tool() call with realistic fields costs
 * its caller, through the public API (formatting, redaction, the write):
 * sync and async, one and two threads, beside a bare write() of a line of
 * the same size.  Run by bench/run-bench.
 *
 *     bench-writer DIR ENTRIES-PER-THREAD
 *
 * Prints one line per case: "case threads mean_ns median_ns p99_ns cpu_ns",
 * the last the calling thread's CPU time per entry, which a busy machine
 * disturbs less than wall time.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "llmlog.h"

/* Async queue slots (about 1 KB each); the async cases write at most this
 * many entries so that no caller waits for room. */
#define ASYNC_QUEUE 65536

struct worker {
	struct llmlog *lg;
	int entries;
	int index;
	double *samples;	/* ns per call */
	double cpu_ns;		/* the thread's CPU time in its calls */
	int failed;
};

static double
clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* The arguments are built before the clock starts: what is timed is the
 * logging call, which also consumes (formats and frees) the parameters. */
static json_object *
parameters(int index, int i)
{
	json_object *p = json_object_new_object();
	char path[96];

	snprintf(path, sizeof path, "/home/user/projects/llm-os/src/mod%d/file%d.py",
	    index, i % 1000);
	json_object_object_add(p, "path", json_object_new_string(path));
	json_object_object_add(p, "recursive", json_object_new_boolean(0));
	return p;
}

/* CPU time this thread spends building the parameters of all its calls
 * (freeing them is left in: the logging call frees them). */
static double
build_cost(const struct worker *w)
{
	json_object **p = calloc((size_t)w->entries, sizeof *p);
	double t0, t;

	if (p == NULL)
		return 0;
	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < w->entries; i++)
		p[i] = parameters(w->index, i);
	t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	for (int i = 0; i < w->entries; i++)
		json_object_put(p[i]);
	free(p);
	return t;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	static const char result[] = "def complete(self, messages):\n"
	    "    return self.provider.chat(messages, stream=True)\n";
	double build_ns = build_cost(w), cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

	for (int i = 0; i < w->entries; i++) {
		json_object *p = parameters(w->index, i);
		double t0 = now_ns();
		int rc = llmlog_tool(w->lg, .tool_name = "read_file",
		    .tool_server = "filesystem", .parameters = p,
		    .result_text = result, .duration_ms = 4.2);

		w->samples[i] = now_ns() - t0;
		if (rc != 0)
			w->failed++;
	}
	/* the calls' CPU: the loop's, less building the arguments */
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0 - build_ns;
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One case: open, run the threads, close (the async drain is not the
 * caller's cost and is left out of the samples). */
static int
run_case(const char *dir, bool async, int threads, int entries)
{
	struct llmlog_config cfg = {
		.dir = dir, .no_console = true, .async = async,
		.queue_size = async ? ASYNC_QUEUE : 0,
	};
	struct worker w[2];
	pthread_t tid[2];
	double *all, sum = 0, cpu = 0;
	int n, failed = 0;
	struct llmlog *lg;

	/* room for every entry: the caller never waits for the disk */
	if (async && entries * threads > ASYNC_QUEUE)
		entries = ASYNC_QUEUE / threads;
	n = entries * threads;
	lg = llmlog_open(&cfg);

	if (lg == NULL || (all = calloc((size_t)n, sizeof *all)) == NULL) {
		fprintf(stderr, "bench-writer: %s\n", llmlog_errmsg());
		llmlog_close(lg);
		return -1;
	}
	for (int t = 0; t < threads; t++) {
		w[t] = (struct worker){ .lg = lg, .entries = entries, .index = t,
		    .samples = all + (size_t)t * entries };
		pthread_create(&tid[t], NULL, work, &w[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		failed += w[t].failed;
		cpu += w[t].cpu_ns;
	}
	if (llmlog_close(lg) != 0)
		failed++;
	for (int i = 0; i < n; i++)
		sum += all[i];
	qsort(all, (size_t)n, sizeof *all, cmp_double);
	printf("%s %d %.0f %.0f %.0f %.0f\n", async ? "async" : "sync", threads,
	    sum / n, all[n / 2], all[(size_t)(n * 0.99)], cpu / n);
	free(all);
	if (failed > 0)
		fprintf(stderr, "bench-writer: %d calls failed\n", failed);
	return failed > 0 ? -1 : 0;
}

/* The floor: one write() of a finished line on an O_APPEND descriptor. */
static int
run_bare(const char *dir, int entries)
{
	static const char line[] = "{\"category\":\"tool\",\"timestamp\":"
	    "\"2026-11-26T11:16:32.123Z\",\"level\":\"INFO\",\"event\":"
	    "\"tool_execution\",\"pid\":4242,\"tool_name\":\"read_file\","
	    "\"tool_server\":\"filesystem\",\"parameters\":{\"path\":"
	    "\"/home/user/projects/llm-os/src/mod0/file1.py\",\"recursive\":"
	    "false},\"result_summary\":\"def complete(self, messages):\\n    "
	    "return self.provider.chat(messages, stream=True)\\n\","
	    "\"success\":true,\"duration_ms\":4.200}\n";
	char path[4096];
	double *t, sum = 0, cpu0;
	int fd, failed = 0;

	snprintf(path, sizeof path, "%s/bare.log", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600)) < 0 ||
	    (t = calloc((size_t)entries, sizeof *t)) == NULL) {
		perror(path);
		return -1;
	}
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < entries; i++) {
		double t0 = now_ns();

		if (write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
			failed++;
		t[i] = now_ns() - t0;
		sum += t[i];
	}
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	close(fd);
	unlink(path);
	qsort(t, (size_t)entries, sizeof *t, cmp_double);
	printf("bare 1 %.0f %.0f %.0f %.0f\n", sum / entries, t[entries / 2],
	    t[(size_t)(entries * 0.99)], cpu0 / entries);
	free(t);
	return failed > 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	int entries, rc = 0;

	if (argc != 3 || (entries = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-writer DIR ENTRIES-PER-THREAD\n");
		return 2;
	}
	for (int async = 0; async <= 1; async++)
		for (int threads = 1; threads <= 2; threads++)
			if (run_case(argv[1], async, threads, entries) != 0)
				rc = 1;
	if (run_bare(argv[1], entries) != 0)
		rc = 1;
	return rc;
}
