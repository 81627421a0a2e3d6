/*
 * bench-writer.c - what a logging call costs its caller, through the
 * public API (formatting, redaction, memory, the write), each case beside
 * a bare write() of the very bytes it wrote, in the same run: a tool
 * execution with realistic fields (sync and async; also written inside an
 * active span, so a leaf child with trace fields), a timed scope, a
 * metric that takes the process's memory, and an interaction with a 1 MB
 * response; one and two threads.  Run by bench/run-bench.
 *
 *     bench-writer DIR ENTRIES-PER-THREAD [CASE...]
 *
 * With CASEs (such as tool-sync, scope-sync), only those run: for a
 * profiler's sake.
 * Prints one line per case and one for its bare write():
 *     "case threads mean_ns median_ns p99_ns cpu_ns bytes"
 * where cpu_ns is the calling threads' CPU time per entry, which a busy
 * machine disturbs less than wall time, and bytes the length of the line
 * (the bare case writes the case's first line again and again, to a file
 * opened with O_APPEND as the library's are).  Each case and its bare
 * write() run ROUNDS times, one after the other; the round with the least
 * CPU time of each is printed, the one a busy machine disturbed least.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "llmlog.h"

/* Async queue slots (about 1 KB each); the async cases write at most this
 * many entries so that no caller waits for room. */
#define ASYNC_QUEUE 65536
#define BIG_RESPONSE (1024 * 1024)
#define MAX_THREADS 2
#define ROUNDS 5

/* The cases asked for on the command line; none: all. */
static char **only;
static int nonly;

enum kind { TOOL, TOOL_SPAN, SCOPE, METRIC, BIG, BARE };

static const struct {
	const char *name;
	enum llmlog_category cat;	/* the file its lines go to */
} kinds[] = {
	[TOOL] = { "tool", LLMLOG_TOOL },
	[TOOL_SPAN] = { "tool-span", LLMLOG_TOOL },
	[SCOPE] = { "scope", LLMLOG_PERFORMANCE },
	[METRIC] = { "metric", LLMLOG_PERFORMANCE },
	[BIG] = { "big-response", LLMLOG_USER },
	[BARE] = { "bare", 0 },
};

/* What one round of a case measured, per entry. */
struct result {
	double mean_ns, median_ns, p99_ns, cpu_ns;
};

struct worker {
	enum kind kind;
	struct llmlog *lg;
	int fd;			/* BARE: the file, with line and len */
	const char *line;
	size_t len;
	const char *big;	/* BIG: the response */
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

/* One call of the worker's kind; 0 or -1. */
static int
one_call(struct worker *w, json_object *p)
{
	static const char result[] = "def complete(self, messages):\n"
	    "    return self.provider.chat(messages, stream=True)\n";

	switch (w->kind) {
	case TOOL:
	case TOOL_SPAN:
		return llmlog_tool(w->lg, .tool_name = "read_file",
		    .tool_server = "filesystem", .parameters = p,
		    .result_text = result, .duration_ms = 4.2);
	case SCOPE: {
		LLMLOG_TIMED_SCOPE(w->lg, "process_message");
		return 0;
	}
	case METRIC:
		return llmlog_metric(w->lg, .operation = "process_message",
		    .duration_ms = 12.5);
	case BIG:
		return llmlog_interaction(w->lg, .user_input = "cat big.log",
		    .response = w->big, .duration_ms = 3.5);
	case BARE:
	default:
		return write(w->fd, w->line, w->len) == (ssize_t)w->len ? 0 : -1;
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	json_object **p = NULL;
	struct llmlog_span span;
	double cpu0;

	/* the calls consume (format and free) the parameters built here */
	if (w->kind == TOOL || w->kind == TOOL_SPAN) {
		if ((p = calloc((size_t)w->entries, sizeof *p)) == NULL) {
			w->failed = w->entries;
			return NULL;
		}
		for (int i = 0; i < w->entries; i++)
			p[i] = parameters(w->index, i);
	}
	/* every entry a leaf child of the thread's request */
	if (w->kind == TOOL_SPAN)
		llmlog_span_begin(&span, "conversation-1");
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < w->entries; i++) {
		double t0 = now_ns();

		if (one_call(w, p != NULL ? p[i] : NULL) != 0)
			w->failed++;
		w->samples[i] = now_ns() - t0;
	}
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (w->kind == TOOL_SPAN)
		llmlog_span_end(&span);
	free(p);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run threads workers like proto into *res; -1 when calls failed. */
static int
run_workers(const char *name, const struct worker *proto, int threads,
    struct result *res)
{
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int n = proto->entries * threads, failed = 0;
	double *all = calloc((size_t)n, sizeof *all), sum = 0, cpu = 0;

	if (all == NULL)
		return -1;
	for (int t = 0; t < threads; t++) {
		w[t] = *proto;
		w[t].index = t;
		w[t].samples = all + (size_t)t * proto->entries;
		pthread_create(&tid[t], NULL, work, &w[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		failed += w[t].failed;
		cpu += w[t].cpu_ns;
	}
	for (int i = 0; i < n; i++)
		sum += all[i];
	qsort(all, (size_t)n, sizeof *all, cmp_double);
	*res = (struct result){ .mean_ns = sum / n, .median_ns = all[n / 2],
	    .p99_ns = all[(size_t)(n * 0.99)], .cpu_ns = cpu / n };
	free(all);
	if (failed > 0)
		fprintf(stderr, "bench-writer: %s: %d calls failed: %s\n", name,
		    failed, llmlog_errmsg());
	return failed > 0 ? -1 : 0;
}

/* Keep in *best the round of the two with the least CPU time. */
static void
keep_best(struct result *best, const struct result *r, int round)
{
	if (round == 0 || r->cpu_ns < best->cpu_ns)
		*best = *r;
}

static void
print_result(const char *name, int threads, const struct result *r,
    size_t bytes)
{
	printf("%s %d %.0f %.0f %.0f %.0f %zu\n", name, threads, r->mean_ns,
	    r->median_ns, r->p99_ns, r->cpu_ns, bytes);
	fflush(stdout);
}

/* The first line of a file (with its newline), or NULL. */
static char *
first_line(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (fp == NULL)
		return NULL;
	n = getline(&line, &cap, fp);
	fclose(fp);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	*len = (size_t)n;
	return line;
}

/* The floor: the same bytes with write() on an O_APPEND descriptor. */
static int
run_bare(const char *dir, const char *line, size_t len, int threads,
    int entries, struct result *res)
{
	char path[4096];
	struct worker w = { .kind = BARE, .line = line, .len = len,
	    .entries = entries };
	int rc;

	snprintf(path, sizeof path, "%s/bare.log", dir);
	if ((w.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC |
	    O_CLOEXEC, 0600)) < 0) {
		perror(path);
		return -1;
	}
	rc = run_workers("bare", &w, threads, res);
	close(w.fd);
	unlink(path);
	return rc;
}

/* One round of a case in a directory of its own (the async drain is not
 * the caller's cost and is left out of the samples), then its bare
 * write() of the first line the case wrote. */
static int
run_round(const char *dir, const char *name, struct worker *w, bool async,
    int threads, struct result *res, struct result *bare, size_t *len)
{
	char sub[4096], path[4200];
	struct llmlog_config cfg = {
		.dir = sub, .no_console = true, .async = async,
		.queue_size = async ? ASYNC_QUEUE : 0,
	};
	char *line;
	int rc;

	snprintf(sub, sizeof sub, "%s/%s-%d", dir, name, threads);
	if ((w->lg = llmlog_open(&cfg)) == NULL) {
		fprintf(stderr, "bench-writer: %s\n", llmlog_errmsg());
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", sub,
	    llmlog_category_file(kinds[w->kind].cat));
	rc = run_workers(name, w, threads, res);
	if (llmlog_close(w->lg) != 0)
		rc = -1;
	if ((line = first_line(path, len)) == NULL) {
		fprintf(stderr, "bench-writer: %s: no line written\n", path);
		return -1;
	}
	if (run_bare(dir, line, *len, threads, w->entries, bare) != 0)
		rc = -1;
	free(line);
	return rc;
}

static bool
wanted(const char *name)
{
	for (int i = 0; i < nonly; i++)
		if (strcmp(only[i], name) == 0)
			return true;
	return nonly == 0;
}

/* A case, ROUNDS times, and its bare write(): the best round of each. */
static int
run_case(const char *dir, enum kind kind, bool async, int threads,
    int entries, const char *big)
{
	struct worker w = { .kind = kind, .big = big };
	struct result best, best_bare, r, b;
	char name[64], bare[80];
	size_t len = 0;
	int rc = 0;

	/* room for every entry: the caller never waits for the disk */
	if (async && entries * threads > ASYNC_QUEUE)
		entries = ASYNC_QUEUE / threads;
	w.entries = entries;
	snprintf(name, sizeof name, "%s-%s", kinds[kind].name,
	    async ? "async" : "sync");
	if (!wanted(name))
		return 0;
	for (int round = 0; round < ROUNDS; round++) {
		if (run_round(dir, name, &w, async, threads, &r, &b, &len) != 0)
			rc = -1;
		keep_best(&best, &r, round);
		keep_best(&best_bare, &b, round);
	}
	snprintf(bare, sizeof bare, "bare-%s", name);
	print_result(name, threads, &best, len);
	print_result(bare, threads, &best_bare, len);
	return rc;
}

int
main(int argc, char **argv)
{
	char *big;
	int entries, rc = 0;

	if (argc < 3 || (entries = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench-writer DIR ENTRIES-PER-THREAD "
		    "[CASE...]\n");
		return 2;
	}
	only = argv + 3;
	nonly = argc - 3;
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	/* a command's output: lines of text, a token in the middle */
	if ((big = malloc(BIG_RESPONSE + 1)) == NULL)
		return 1;
	for (size_t i = 0; i < BIG_RESPONSE; i++)
		big[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	memcpy(big + BIG_RESPONSE / 2, " ghp_16C7e42F292c6912E7710c838347Ae178B4a ",
	    42);
	big[BIG_RESPONSE] = '\0';
	for (int threads = 1; threads <= MAX_THREADS; threads++) {
		for (int async = 0; async <= 1; async++) {
			if (run_case(argv[1], TOOL, async, threads, entries,
			    NULL) != 0)
				rc = 1;
			if (run_case(argv[1], TOOL_SPAN, async, threads,
			    entries, NULL) != 0)
				rc = 1;
		}
		if (run_case(argv[1], SCOPE, false, threads, entries, NULL) != 0)
			rc = 1;
		if (run_case(argv[1], METRIC, false, threads, entries, NULL) != 0)
			rc = 1;
	}
	/* a few: each formats a line out of a megabyte */
	if (run_case(argv[1], BIG, false, 1, entries / 100 + 1, big) != 0)
		rc = 1;
	free(big);
	return rc;
}
