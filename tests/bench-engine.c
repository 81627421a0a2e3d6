/*
 * bench-engine.c - times the engine on a log directory: full index, a view
 * of everything, the stats; or the first batch of a background load.
 * Built by make bench or make -C tests bench-programs, never by make
 * check:
 *   ./bench-engine DIR [--async | --summary | --regex PATTERN |
 *       --keyword WORD | --level LEVEL]
 * --summary times eng_summary (the short format's and the list's text)
 * over every entry.  With BENCH_ASYNC set, a filter's data is loaded as
 * the UI loads it (in the background, newest first).  A filter's view is
 * made twice: the second time is what a filter change in the UI costs once
 * the engine has its data in hand.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atol(line + 6);
	if (f != NULL)
		fclose(f);
	return kib;
}

static int
run_async(struct eng *e)
{
	struct eng_filter f;
	struct eng_view *v;
	double t0 = now(), first = -1;
	uint64_t got, total;
	bool done = false;
	char err[256];

	if (eng_load_async(e, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	eng_filter_init(&f);
	v = eng_view_new(e, &f);
	while (!done) {
		eng_refresh(e);
		eng_view_update(v);
		if (first < 0 && eng_view_count(v) >= 50)
			first = now() - t0;
		eng_progress(e, &got, &total, &done);
		usleep(2000);
	}
	printf("first 50 entries after %.1f ms; all %zu after %.1f ms\n",
	    first * 1e3, eng_view_count(v), (now() - t0) * 1e3);
	eng_view_free(v);
	return 0;
}

static int
load(struct eng *e, bool async, char *err, size_t errlen)
{
	uint64_t got, total;
	bool done = false;

	if (!async)
		return eng_load(e, err, errlen);
	if (eng_load_async(e, err, errlen) != 0)
		return -1;
	while (!done) {
		eng_refresh(e);
		eng_progress(e, &got, &total, &done);
		usleep(2000);
	}
	return 0;
}

static int
run_filter(struct eng *e, const char *what, const char *arg)
{
	struct eng_filter f;
	struct eng_view *v;
	char err[256];
	double t0, t1, c0;

	eng_filter_init(&f);
	if (strcmp(what, "--regex") == 0 &&
	    (f.regex = eng_regex_new(arg, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (strcmp(what, "--keyword") == 0)
		f.keyword = arg;
	if (strcmp(what, "--level") == 0 &&
	    (f.min_level = llmlog_level_parse(arg)) < 0) {
		fprintf(stderr, "%s: not a level\n", arg);
		return 2;
	}
	if (load(e, getenv("BENCH_ASYNC") != NULL, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	t0 = now();
	c0 = cpu();
	v = eng_view_new(e, &f);
	t1 = now();
	printf("%zu of %zu entries match: %.0f ms (cpu %.0f ms)\n",
	    eng_view_count(v), eng_count(e), (t1 - t0) * 1e3,
	    (cpu() - c0) * 1e3);
	eng_view_free(v);
	t0 = now();
	c0 = cpu();
	v = eng_view_new(e, &f);
	printf("the same view again: %.0f ms (cpu %.0f ms)\n",
	    (now() - t0) * 1e3, (cpu() - c0) * 1e3);
	if (f.regex != NULL) {
		struct eng_filter all;
		struct eng_view *va;
		long fw, bw;

		eng_filter_init(&all);
		va = eng_view_new(e, &all);
		t0 = now();
		fw = eng_view_search(va, f.regex, 0, 1);
		t1 = now();
		bw = eng_view_search(va, f.regex, eng_view_count(va) - 1, -1);
		printf("search from the top: %ld after %.0f ms; from the end "
		    "back: %ld after %.0f ms\n", fw, (t1 - t0) * 1e3, bw,
		    (now() - t1) * 1e3);
		eng_view_free(va);
	}
	eng_view_free(v);
	eng_regex_free(f.regex);
	return 0;
}

static int
run_summary(struct eng *e)
{
	struct eng_filter f;
	struct eng_view *v;
	struct strbuf b;
	char err[256];
	double t0, c0, t1, c1;
	size_t n, bytes = 0;

	if (eng_load(e, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	eng_filter_init(&f);
	v = eng_view_new(e, &f);
	n = eng_view_count(v);
	strbuf_init(&b);
	t0 = now();
	c0 = cpu();
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&b);
		eng_summary(e, eng_view_get(v, i), &b);
		bytes += b.len;
	}
	t1 = now();
	c1 = cpu();
	printf("summaries of %zu entries (%zu bytes): %.0f ms, cpu %.0f ms = "
	    "%.2f us/entry\n", n, bytes, (t1 - t0) * 1e3, (c1 - c0) * 1e3,
	    n > 0 ? (c1 - c0) * 1e6 / (double)n : 0.0);
	strbuf_free(&b);
	eng_view_free(v);
	return 0;
}

int
main(int argc, char **argv)
{
	struct eng_filter f;
	struct eng_view *v;
	struct eng_stats *s;
	json_object *o;
	double t0, t1, t2, t3, c0, c1, c2, c3;
	char err[256];
	struct eng *e;
	const char *dir;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-engine DIR [--async | --summary | "
		    "--regex PATTERN | --keyword WORD]\n");
		return 2;
	}
	dir = argv[1];
	if ((e = eng_open(&dir, 1, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "--async") == 0)
		return run_async(e);
	if (argc > 2 && strcmp(argv[2], "--summary") == 0)
		return run_summary(e);
	if (argc > 3 && (strcmp(argv[2], "--regex") == 0 ||
	    strcmp(argv[2], "--keyword") == 0 ||
	    strcmp(argv[2], "--level") == 0))
		return run_filter(e, argv[2], argv[3]);
	t0 = now();
	c0 = cpu();
	if (eng_load(e, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	t1 = now();
	c1 = cpu();
	eng_filter_init(&f);
	v = eng_view_new(e, &f);
	t2 = now();
	c2 = cpu();
	s = eng_stats_new();
	eng_stats_update(s, v);
	o = eng_stats_json(s);
	t3 = now();
	c3 = cpu();
	printf("cpu: index %.0f ms, view %.0f ms, stats %.0f ms\n",
	    (c1 - c0) * 1e3, (c2 - c1) * 1e3, (c3 - c2) * 1e3);
	printf("%zu entries (%zu malformed): index %.0f ms, view %.0f ms, "
	    "stats %.0f ms, total %.0f ms = %.2f M entries/s; peak RSS %ld MiB\n",
	    eng_count(e), eng_malformed(e), (t1 - t0) * 1e3, (t2 - t1) * 1e3,
	    (t3 - t2) * 1e3, (t3 - t0) * 1e3,
	    (double)eng_count(e) / (t3 - t0) / 1e6, peak_rss_kib() / 1024);
	if (getenv("BENCH_JSON") != NULL)
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	eng_stats_free(s);
	eng_view_free(v);
	eng_close(e);
	return 0;
}
