/*
 * writer-mp.c - many writers on one log directory: each line carries its
 * writer and sequence number; the check reads every file back with json-c.
 */
#include "config.h"

#include "writer-mp.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "internal.h"
#include "sink.h"

struct mp_thread {
	const struct mp_run *r;
	struct llmlog *lg;
	int writer;
	int failed;
};

static int
fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Lines of varying length, so rotation falls at varying points. */
static size_t
mp_line(char *buf, size_t size, int cat, int writer, int seq)
{
	static const char pad[] = "abcdefghijklmnopqrstuvwxyz0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwx";
	int padlen = (writer * 7 + seq * 13) % (int)(sizeof pad - 1);

	return (size_t)snprintf(buf, size, "{\"category\":\"%s\",\"timestamp\":"
	    "\"2026-11-26T11:16:32.123Z\",\"level\":\"INFO\",\"event\":\"mp\","
	    "\"w\":%d,\"seq\":%d,\"pad\":\"%.*s\"}\n", llmlog_category_name(cat),
	    writer, seq, padlen, pad);
}

static void *
mp_thread_main(void *arg)
{
	struct mp_thread *t = arg;
	char line[512];

	for (int seq = 0; seq < t->r->per_thread; seq++) {
		int cat = (t->writer + seq) % t->r->ncats;
		size_t len = mp_line(line, sizeof line, cat, t->writer, seq);

		if (log_emit(t->lg, cat, LLMLOG_INFO, line, len) != 0)
			t->failed++;
	}
	return NULL;
}

static int
mp_backups(const struct mp_run *r)
{
	int64_t total = (int64_t)r->procs * r->threads * r->per_thread * 256;

	return (int)(total / r->ncats / (r->max_bytes / 2) + 16);
}

static int
mp_process(const struct mp_run *r, int proc)
{
	struct mp_thread t[64];
	pthread_t tid[64];
	struct llmlog *lg;
	int failed = 0;

	sink_no_shared = r->use_flock;
	lg = llmlog_open(&(struct llmlog_config){ .dir = r->dir,
	    .max_bytes = r->max_bytes, .backups = mp_backups(r),
	    .async = r->async, .queue_size = r->queue_size,
	    .no_console = true });
	if (lg == NULL) {
		fprintf(stderr, "mp: %s\n", llmlog_errmsg());
		return 1;
	}
	for (int i = 0; i < r->threads; i++) {
		t[i] = (struct mp_thread){ r, lg, proc * r->threads + i, 0 };
		pthread_create(&tid[i], NULL, mp_thread_main, &t[i]);
	}
	for (int i = 0; i < r->threads; i++) {
		pthread_join(tid[i], NULL);
		failed += t[i].failed;
	}
	if (llmlog_close(lg) != 0 || failed > 0) {
		fprintf(stderr, "mp: %d failed: %s\n", failed, llmlog_errmsg());
		return 1;
	}
	return 0;
}

int
mp_write(const struct mp_run *r, char *why, size_t whysize)
{
	pid_t pids[64];
	int status, bad = 0;

	if (r->procs > 64 || r->threads > 64)
		return fail(why, whysize, "too many writers");
	for (int p = 0; p < r->procs; p++) {
		if ((pids[p] = fork()) < 0)
			return fail(why, whysize, "fork: %s", strerror(errno));
		if (pids[p] == 0)
			_exit(mp_process(r, p));
	}
	for (int p = 0; p < r->procs; p++)
		if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			bad++;
	if (bad > 0)
		return fail(why, whysize, "%d writer processes failed", bad);
	return 0;
}

struct mp_seen {
	int writers;
	int per;
	uint8_t *seen;		/* [writer * per + seq] */
	int *last;		/* last seq per writer and category */
};

static int
check_line(const struct mp_run *r, struct mp_seen *s, int cat,
    const char *line, const char *file, char *why, size_t whysize)
{
	json_object *o, *w, *q, *c;
	int writer, seq, rc = -1;

	if ((o = json_tokener_parse(line)) == NULL)
		return fail(why, whysize, "%s: torn line: %.80s", file, line);
	if (!json_object_object_get_ex(o, "w", &w) ||
	    !json_object_object_get_ex(o, "seq", &q) ||
	    !json_object_object_get_ex(o, "category", &c) ||
	    strcmp(json_object_get_string(c), llmlog_category_name(cat)) != 0) {
		fail(why, whysize, "%s: wrong fields: %.80s", file, line);
		goto out;
	}
	writer = json_object_get_int(w);
	seq = json_object_get_int(q);
	if (writer < 0 || writer >= s->writers || seq < 0 || seq >= s->per) {
		fail(why, whysize, "%s: bad numbers: %.80s", file, line);
		goto out;
	}
	if (s->seen[writer * s->per + seq]++) {
		fail(why, whysize, "%s: duplicate w %d seq %d", file, writer, seq);
		goto out;
	}
	if (seq <= s->last[writer * LLMLOG_NCATEGORIES + cat]) {
		fail(why, whysize, "%s: out of order w %d seq %d", file,
		    writer, seq);
		goto out;
	}
	s->last[writer * LLMLOG_NCATEGORIES + cat] = seq;
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

static int
check_file(const struct mp_run *r, struct mp_seen *s, int cat,
    const char *path, char *why, size_t whysize)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lines = 0, rc = 0;
	struct stat st;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return fail(why, whysize, "%s: %s", path, strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
		lines++;
		if (line[len - 1] != '\n')
			rc = fail(why, whysize, "%s: last line cut", path);
		else
			rc = check_line(r, s, cat, line, path, why, whysize);
	}
	free(line);
	fstat(fileno(fp), &st);
	fclose(fp);
	if (rc == 0 && st.st_size >= r->max_bytes && lines > 1)
		rc = fail(why, whysize, "%s: %lld bytes, limit %lld", path,
		    (long long)st.st_size, (long long)r->max_bytes);
	return rc;
}

int
mp_verify(const struct mp_run *r, char *why, size_t whysize)
{
	struct mp_seen s;
	char path[1024];
	struct stat st;
	int rc = 0, n;

	s.writers = r->procs * r->threads;
	s.per = r->per_thread;
	s.seen = calloc((size_t)s.writers * s.per, 1);
	s.last = malloc((size_t)s.writers * LLMLOG_NCATEGORIES * sizeof *s.last);
	if (s.seen == NULL || s.last == NULL)
		return fail(why, whysize, "out of memory");
	for (int i = 0; i < s.writers * LLMLOG_NCATEGORIES; i++)
		s.last[i] = -1;
	for (int cat = 0; rc == 0 && cat < r->ncats; cat++) {
		/* oldest first: the highest backup number, down to the file */
		for (n = 1;; n++) {
			snprintf(path, sizeof path, "%s/%s.%d", r->dir,
			    llmlog_category_file(cat), n);
			if (stat(path, &st) != 0)
				break;
		}
		while (rc == 0 && --n >= 0) {
			snprintf(path, sizeof path, n ? "%s/%s.%d" : "%s/%s",
			    r->dir, llmlog_category_file(cat), n);
			rc = check_file(r, &s, cat, path, why, whysize);
		}
	}
	for (int i = 0; rc == 0 && i < s.writers * s.per; i++)
		if (!s.seen[i])
			rc = fail(why, whysize, "lost: w %d seq %d", i / s.per,
			    i % s.per);
	free(s.seen);
	free(s.last);
	return rc;
}
