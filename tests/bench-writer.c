/*
 * bench-writer.c - what an entry costs its caller in libllmlog's writer:
 * sync and async, one and two threads, beside a bare write(); writer_*
 * hand a ready line to the writer, api_* make a whole entry through
 * llmlog_tool().  Prints "name ns_per_entry" lines: _mean is wall time
 * over the run, _cpu the calling thread's CPU time (steadier on a busy
 * machine), and for async _median and _p99 of single calls.  Built by
 * make bench (bench/bench.py runs it) or make -C tests bench-programs,
 * never by make check.
 *
 *     tests/bench-writer [entries-per-thread] [dir]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct bench {
	bool api;		/* through llmlog_tool(), formatting included */
	double gap_ns;		/* pause between entries (spinning) */
	struct llmlog *lg;
	int fd;			/* bare write(): this descriptor */
	int entries;
	int thread;
	double *samples;	/* per-call ns, when timing each call */
	double elapsed_ns;
	double cpu_ns;		/* the calling thread's CPU time */
	int failed;
};

static double
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* A line the size of a typical entry (about 260 bytes). */
static size_t
bench_line(char *buf, size_t size, int thread, int seq)
{
	return (size_t)snprintf(buf, size, "{\"category\":\"tool\",\"timestamp"
	    "\":\"2026-11-26T11:16:32.123Z\",\"level\":\"INFO\",\"event\":"
	    "\"tool_execution\",\"pid\":%d,\"tool_name\":\"read_file\",\"tool_"
	    "server\":\"filesystem\",\"parameters\":{\"path\":\"/home/user/notes"
	    "/%d.txt\"},\"success\":true,\"duration_ms\":12.5,\"result_summary\":"
	    "\"1532 bytes read\",\"thread\":%d}\n", 4242, seq, thread);
}

#define NLINES 1024

/* The lines are made before the clock starts: only the library's cost is
 * measured. */
static void *
bench_thread(void *arg)
{
	struct bench *b = arg;
	static __thread char lines[NLINES][512];
	size_t len[NLINES];
	double start, cpu, t0 = 0;

	for (int i = 0; i < NLINES; i++)
		len[i] = bench_line(lines[i], sizeof lines[i], b->thread, i);
	cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	start = now_ns();
	for (int i = 0; i < b->entries; i++) {
		const char *line = lines[i % NLINES];
		size_t n = len[i % NLINES];

		if (b->gap_ns > 0)
			for (double until = now_ns() + b->gap_ns;
			    now_ns() < until;)
				continue;
		if (b->samples != NULL)
			t0 = now_ns();
		if (b->api) {
			if (llmlog_tool(b->lg, .tool_name = "read_file",
			    .tool_server = "filesystem", .duration_ms = 12.5,
			    .result_text = "1532 bytes read") != 0)
				b->failed++;
		} else if (b->lg == NULL) {
			if (write(b->fd, line, n) != (ssize_t)n)
				b->failed++;
		} else if (log_emit(b->lg, LLMLOG_TOOL, LLMLOG_INFO, line,
		    n) != 0)
			b->failed++;
		if (b->samples != NULL)
			b->samples[i] = now_ns() - t0;
	}
	b->elapsed_ns = now_ns() - start;
	b->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run threads writers; print the mean cost per entry, and with per-call
 * timing the median and the 99th percentile too. */
static int
run(const char *name, struct llmlog *lg, int fd, int threads, int entries,
    int timed, bool api, double gap_ns)
{
	struct bench b[2];
	pthread_t tid[2];
	double mean = 0, cpu = 0;
	int failed = 0;

	for (int t = 0; t < threads; t++) {
		b[t] = (struct bench){ .api = api, .lg = lg, .fd = fd,
		    .entries = entries, .thread = t, .gap_ns = gap_ns };
		if (timed && (b[t].samples = malloc(entries *
		    sizeof(double))) == NULL)
			return -1;
		pthread_create(&tid[t], NULL, bench_thread, &b[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		mean += b[t].elapsed_ns / entries / threads;
		cpu += b[t].cpu_ns / entries / threads;
		failed += b[t].failed;
	}
	if (lg != NULL && llmlog_flush(lg) != 0)
		failed++;
	printf("%s_mean %.0f\n", name, mean);
	printf("%s_cpu %.0f\n", name, cpu);
	if (timed) {
		qsort(b[0].samples, entries, sizeof(double), cmp_double);
		printf("%s_median %.0f\n", name, b[0].samples[entries / 2]);
		printf("%s_p99 %.0f\n", name, b[0].samples[entries / 100 * 99]);
	}
	for (int t = 0; t < threads; t++)
		free(b[t].samples);
	if (failed > 0)
		fprintf(stderr, "%s: %d entries failed: %s\n", name, failed,
		    llmlog_errmsg());
	return failed > 0 ? -1 : 0;
}

static int
run_log(const char *dir, const char *name, bool async, int threads,
    int entries, bool api, double gap_ns)
{
	struct llmlog *lg;
	int rc;

	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .async = async, .no_console = true });
	if (lg == NULL) {
		fprintf(stderr, "%s\n", llmlog_errmsg());
		return -1;
	}
	rc = run(name, lg, -1, threads, entries, async, api, gap_ns);
	if (llmlog_close(lg) != 0)
		rc = -1;
	return rc;
}

int
main(int argc, char **argv)
{
	int entries = argc > 1 ? atoi(argv[1]) : 200000;
	char tmpl[] = "/tmp/bench-writer.XXXXXX", path[600], cmd[600];
	const char *dir = argc > 2 ? argv[2] : mkdtemp(tmpl);
	int fd, rc = 0;

	if (dir == NULL || entries <= 0) {
		fprintf(stderr, "usage: bench-writer [entries] [dir]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/bare.log", dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	rc |= run("bare_write_1thread", NULL, fd, 1, entries, 0, false, 0);
	close(fd);
	unlink(path);
	rc |= run_log(dir, "writer_sync_1thread", false, 1, entries, false, 0);
	rc |= run_log(dir, "writer_sync_2threads", false, 2, entries, false, 0);
	rc |= run_log(dir, "writer_async_1thread", true, 1, entries, false, 0);
	rc |= run_log(dir, "writer_async_2threads", true, 2, entries, false, 0);
	/* an application's pace: an entry every 20 us */
	rc |= run_log(dir, "writer_async_paced_1thread", true, 1,
	    entries / 10, false, 20000);
	rc |= run_log(dir, "api_tool_sync_1thread", false, 1, entries, true, 0);
	rc |= run_log(dir, "api_tool_async_1thread", true, 1, entries, true, 0);
	if (argc <= 2) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = -1;
	}
	return rc == 0 ? 0 : 1;
}
