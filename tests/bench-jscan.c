/*
 * bench-jscan.c - the JSON scanner's speed on real log lines, by hand
 * (make -C tests bench-jscan; never part of check):
 *
 *   ./bench-jscan [-t THREADS] [-r ROUNDS] [-m MODE] FILE|DIR...
 *
 * Reads every file (a directory: its *.log files) into memory, then times
 * (CPU time, wall time for the threads), best of ROUNDS: splitting the
 * lines alone; the validating walk (jscan_line) on each; the walk, then a
 * lookup of the fields a statistic reads (jscan_find, numbers and strings
 * decoded); the same in one pass (jscan_line_find); and the walk on
 * THREADS threads at once over a share of the lines each.  -m times one
 * of them only (0 to 4), for perf.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "jscan.h"

struct lines {
	char *buf;
	size_t len, cap;
};

/* CPU time for one thread's passes, so that other work on the machine
 * counts less; wall time for the threads. */
static double
clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
add_file(struct lines *l, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t got;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	do {
		eng_grow(&l->buf, &l->cap, l->len + (1 << 20), 1);
		got = fread(l->buf + l->len, 1, l->cap - l->len, f);
		l->len += got;
	} while (got > 0);
	fclose(f);
	if (l->len > 0 && l->buf[l->len - 1] != '\n') {
		eng_grow(&l->buf, &l->cap, l->len + 1, 1);
		l->buf[l->len++] = '\n';
	}
}

static void
add_path(struct lines *l, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char name[4096];

	if (d == NULL) {
		add_file(l, path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 4 && strcmp(de->d_name + n - 4, ".log") == 0) {
			snprintf(name, sizeof name, "%s/%s", path, de->d_name);
			add_file(l, name);
		}
	}
	closedir(d);
}

enum mode { SPLIT, WALK, FIELDS, LINE_FIND };

/* What a pass computes, so that the compiler keeps the work. */
struct tally {
	size_t lines, objects, found;
	double sum;
};

static const struct jscan_key keys[] = {
	{ "category", 8 }, { "duration_ms", 11 }, { "success", 7 },
	{ "tool_name", 9 }, { "total_tokens", 12 }
};
#define NKEYS	(sizeof keys / sizeof keys[0])

static void
use_fields(const struct jscan_value *v, struct tally *t)
{
	char name[256];
	double d;

	t->objects++;
	for (size_t i = 1; i < NKEYS; i++) {
		t->found += v[i].kind != JSCAN_NONE;
		if (jscan_number(&v[i], &d) == JSCAN_NUM_OK)
			t->sum += d;
	}
	if (v[3].kind == JSCAN_STRING && v[3].n < sizeof name)
		t->found += jscan_unescape(&v[3], name);
}

static void
fields(const char *s, size_t n, enum mode m, struct tally *t)
{
	struct jscan_value top, v[NKEYS];

	if (m == FIELDS) {
		if (jscan_line(s, n, &top) != JSCAN_OBJECT)
			return;
		jscan_find(&top, keys, NKEYS, v);
	} else if (jscan_line_find(s, n, &top, keys, NKEYS, v) != JSCAN_OBJECT)
		return;
	use_fields(v, t);
}

static void
pass(const char *p, const char *end, enum mode m, struct tally *t)
{
	memset(t, 0, sizeof *t);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);

		t->lines++;
		if (m == WALK)
			t->objects += jscan_line(p, n, NULL) == JSCAN_OBJECT;
		else if (m != SPLIT)
			fields(p, n, m, t);
		p = nl + 1;
	}
}

struct share {
	pthread_t th;
	const char *p, *end;
	struct tally t;
};

static void *
share_run(void *arg)
{
	struct share *s = arg;

	pass(s->p, s->end, WALK, &s->t);
	return NULL;
}

/* The walk on nthreads threads, each over a line-aligned share. */
static void
pass_threads(const struct lines *l, int nthreads, struct tally *t)
{
	struct share sh[64];
	const char *p = l->buf, *end = l->buf + l->len;

	for (int i = 0; i < nthreads; i++) {
		const char *e = i == nthreads - 1 ? end :
		    l->buf + l->len / (size_t)nthreads * (size_t)(i + 1);

		if (e < p)
			e = p;
		while (e < end && e > l->buf && e[-1] != '\n')
			e++;
		sh[i].p = p;
		sh[i].end = e;
		p = e;
		pthread_create(&sh[i].th, NULL, share_run, &sh[i]);
	}
	memset(t, 0, sizeof *t);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(sh[i].th, NULL);
		t->lines += sh[i].t.lines;
		t->objects += sh[i].t.objects;
	}
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "split lines", "walk",
	    "walk, find", "line_find" };
	struct lines l = { 0 };
	struct tally t;
	int rounds = 5, nthreads = 2, only = -1, i = 1;
	double best, mb;
	char label[32];

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-r") == 0)
			rounds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-t") == 0)
			nthreads = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-m") == 0)
			only = atoi(argv[i + 1]);
		else
			break;
	}
	if (i >= argc || rounds < 1 || nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "usage: bench-jscan [-t THREADS] [-r ROUNDS] [-m MODE] FILE|DIR...\n");
		return 2;
	}
	for (; i < argc; i++)
		add_path(&l, argv[i]);
	mb = (double)l.len / 1e6;
	for (int m = SPLIT; m <= LINE_FIND; m++) {
		if (only >= 0 && only != m)
			continue;
		best = 1e9;
		for (int r = 0; r < rounds; r++) {
			double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);

			pass(l.buf, l.buf + l.len, (enum mode)m, &t);
			if ((t0 = clock_s(CLOCK_THREAD_CPUTIME_ID) - t0) < best)
				best = t0;
		}
		printf("%-16s %6.1f MB in %.3f s: %7.0f MB/s  (%zu lines, %zu objects)\n",
		    names[m], mb, best, mb / best, t.lines, t.objects);
	}
	if (only >= 0 && only != LINE_FIND + 1)
		goto done;
	best = 1e9;
	for (int r = 0; r < rounds; r++) {
		double t0 = clock_s(CLOCK_MONOTONIC);

		pass_threads(&l, nthreads, &t);
		if ((t0 = clock_s(CLOCK_MONOTONIC) - t0) < best)
			best = t0;
	}
	snprintf(label, sizeof label, "walk, %d threads", nthreads);
	printf("%-16s %6.1f MB in %.3f s: %7.0f MB/s  (%zu lines, %zu objects)\n",
	    label, mb, best, mb / best, t.lines, t.objects);
done:
	free(l.buf);
	return 0;
}
