/*
 * index.c - turning file bytes into index entries: plan chunks of files,
 * read each chunk in large blocks (pread, never mmap: a file truncated
 * under a mapping raises SIGBUS), split lines with memchr, classify each.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define LOOKBACK_BYTES	(256u << 10)

static void
task_push(struct index_task *t, const struct eng_entry *en)
{
	if (t->n == t->cap) {	/* a call per line costs */
		eng_grow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
		if (t->refs != NULL)
			t->refs = eng_xrealloc(t->refs, t->cap *
			    sizeof *t->refs);
	}
	if (t->refs != NULL)
		t->refs[t->n] = VALS_NONE;
	t->v[t->n++] = *en;
}

/* A line of nothing but white space is no entry (nor a malformed one). */
static bool
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static int64_t lookback(int fd, int category, uint64_t offset,
    uint64_t *bytes_read);

/*
 * A task whose entries are counted as they come (t->part) cannot wait for
 * fill_leading_times: when its first entry has no time, the time of the
 * last timed line before it is looked up now, as fill_leading_times would
 * (its lead is that entry), and the untimed entries up to the first timed
 * one take it through *last_time.
 */
static void
lead_time(struct index_task *t, uint64_t off, int64_t *last_time)
{
	if (t->part == NULL || t->n > 0 || t->looked_back)
		return;
	t->looked_back = true;
	if (off > 0)
		*last_time = lookback(t->fd, t->category, off, &t->bytes_read);
}

static void
push_line(struct index_task *t, const struct line_info *in, size_t len,
    uint64_t off, int64_t *last_time)
{
	struct line_info li = *in;
	struct eng_entry en;

	if (li.flags & ENTRY_NO_TIME) {
		lead_time(t, off, last_time);
		li.time = *last_time;	/* sort among its neighbours */
	} else
		*last_time = li.time;
	if (li.flags & ENTRY_MALFORMED)
		t->malformed++;
	en.time_us = li.time;
	en.offset = off;
	en.file = t->file_id;
	en.length = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	en.category = li.category;
	en.level = li.level;
	en.flags = li.flags;
	en.source = t->source;
	task_push(t, &en);
}

/* The entry just pushed into the task's figures, with the fields the
 * walk found, or else those of its own category read from the line, as
 * entry_fields reads them for the stats pass. */
static void
count_pushed(struct index_task *t, const char *s, size_t len,
    struct fields *f)
{
	const struct eng_entry *en = &t->v[t->n - 1];
	struct fields own;

	if (f == NULL && !(en->flags & (ENTRY_MALFORMED | ENTRY_FOREIGN)) &&
	    en->category < LLMLOG_NCATEGORIES)
		f = fields_read(s, len, en->category, &own) ? &own : NULL;
	stats_task_count(t->part, en, f);
}

static void
emit(struct index_task *t, const char *s, size_t len, uint64_t off,
    int64_t *last_time)
{
	struct line_info li;
	struct fields f;
	bool have;

	if (blank(s, len))
		return;
	if (!index_task_keeps_values(t) && t->part == NULL) {
		parse_line(s, len, t->category, &li);
		push_line(t, &li, len, off, last_time);
		return;
	}
	/* the values kept, and those counted, are looked up in the walk
	 * that reads the head */
	have = parse_line_fields(s, len, t->category, &li, &f);
	push_line(t, &li, len, off, last_time);
	if (index_task_keeps_values(t))
		index_task_values(t, s, len, have ? &f : NULL);
	if (t->part != NULL)
		count_pushed(t, s, len, have ? &f : NULL);
}

/* The bytes [off, off + n) of the task's file, or NULL when a read fails
 * or comes short (the file shrank under us). */
static char *
read_whole(struct index_task *t, uint64_t off, size_t n)
{
	char *s = eng_xmalloc(n + 1);
	ssize_t got = read_full(t->fd, s, n, off);

	if (got > 0)
		t->bytes_read += (uint64_t)got;
	if (got != (ssize_t)n) {
		if (got < 0)
			t->error = errno;
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A line longer than the read buffer, now that its end is found: read
 * once more, whole, and classified like any other, so that a valid one
 * is an entry like the rest.  One over ENG_LINE_MAX is malformed, unread.
 */
static void
emit_huge(struct index_task *t, uint64_t off, uint64_t len,
    int64_t *last_time)
{
	struct eng_entry en;
	char *s;

	if (len <= ENG_LINE_MAX && (s = read_whole(t, off, (size_t)len)) != NULL) {
		emit(t, s, (size_t)len, off, last_time);
		free(s);
		return;
	}
	t->malformed++;
	lead_time(t, off, last_time);
	en.time_us = *last_time;
	en.offset = off;
	en.file = t->file_id;
	en.length = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	en.category = t->category < 0 ? ENG_CATEGORY_NONE :
	    (uint8_t)t->category;
	en.level = 0;
	en.flags = ENTRY_MALFORMED | ENTRY_NO_TIME;
	en.source = t->source;
	task_push(t, &en);
	if (t->part != NULL)
		stats_task_count(t->part, &en, NULL);
}

/* The time of the last timed line before offset, so that untimed lines at
 * the start of a chunk sort with their neighbours. */
static int64_t
lookback(int fd, int category, uint64_t offset, uint64_t *bytes_read)
{
	uint64_t from = offset > LOOKBACK_BYTES ? offset - LOOKBACK_BYTES : 0;
	size_t n = (size_t)(offset - from);
	struct line_info li;
	char *buf, *end;
	ssize_t got;
	int64_t t = ENG_TIME_NONE;

	if (n == 0)
		return t;
	buf = eng_xmalloc(n);
	got = pread(fd, buf, n, (off_t)from);
	if (got > 0)
		*bytes_read += (uint64_t)got;
	if (got == (ssize_t)n) {
		end = buf + n;
		if (end > buf && end[-1] == '\n')
			end--;
		while (end > buf) {
			char *nl = memrchr(buf, '\n', (size_t)(end - buf));
			char *s = nl ? nl + 1 : buf;
			if (nl == NULL && from > 0)
				break;	/* the first line may be cut */
			parse_line(s, (size_t)(end - s), category, &li);
			if (!(li.flags & ENTRY_NO_TIME)) {
				t = li.time;
				break;
			}
			if (nl == NULL)
				break;
			end = nl;
		}
	}
	free(buf);
	return t;
}

static bool
starts_line(struct index_task *t)
{
	char c;

	if (t->aligned || t->start == 0)
		return true;
	return pread(t->fd, &c, 1, (off_t)(t->start - 1)) == 1 && c == '\n';
}

/* Where a task's reading stands between two blocks. */
struct scan {
	uint64_t base;		/* file offset of buf[0] */
	uint64_t huge_start;	/* the huge line being skipped */
	bool skipping;		/* the first line began before this task */
	bool huge;
	bool done;
	int64_t last_time;
	/* with a prefilter: */
	struct pf_scan pf;
	uint64_t timed_to;	/* last_time is that of the lines before */
	uint64_t lead;		/* the task's first line that is not blank */
	bool lead_found;
};

/* Index the complete lines of buf[0, have); returns where the first
 * incomplete one starts. */
static char *
take_lines(struct index_task *t, struct scan *sc, char *buf, size_t have)
{
	char *p = buf, *end = buf + have, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		uint64_t off = sc->base + (uint64_t)(p - buf);

		if (sc->skipping)
			sc->skipping = false;
		else if (sc->huge) {
			emit_huge(t, sc->huge_start,
			    off + (uint64_t)(nl - p) - sc->huge_start,
			    &sc->last_time);
			sc->huge = false;
		} else if (off >= t->end) {
			sc->done = true;	/* the next task's line */
			return p;
		} else
			emit(t, p, (size_t)(nl - p), off, &sc->last_time);
		p = nl + 1;
	}
	if (!sc->skipping && !sc->huge && sc->base + (uint64_t)(p - buf) >=
	    t->end)
		sc->done = true;
	if (sc->skipping && sc->base + have >= t->end)
		sc->done = true;	/* no line starts in this task */
	return p;
}

/* Untimed lines before the task's first timed one take the time of the
 * last timed line before the task. */
static void
fill_leading_times(struct index_task *t, const struct scan *sc)
{
	size_t n = 0;
	uint64_t lead;
	int64_t before;

	if (t->looked_back)
		return;		/* lead_time did it */
	while (n < t->n && t->v[n].time_us == ENG_TIME_NONE)
		n++;
	/* a prefilter may have left out the task's first line, but the
	 * times are those of every line */
	lead = t->pf != NULL ? sc->lead : n > 0 ? t->v[0].offset : 0;
	if (n == 0 || lead == 0)
		return;
	before = lookback(t->fd, t->category, lead, &t->bytes_read);
	for (size_t i = 0; i < n; i++)
		t->v[i].time_us = before;
}

/* With a prefilter: bring last_time up to the line at s, from the lines
 * left out since it was last known; usually the last of them has a time. */
static void
catch_up(struct index_task *t, struct scan *sc, const char *buf,
    const char *s)
{
	const char *lo = buf + (sc->timed_to - sc->base), *end = s, *nl, *l;
	struct line_info li;

	while (end > lo) {
		nl = memrchr(lo, '\n', (size_t)(end - 1 - lo));
		l = nl != NULL ? nl + 1 : lo;
		if (!blank(l, (size_t)(end - 1 - l))) {
			parse_line(l, (size_t)(end - 1 - l), t->category, &li);
			if (!(li.flags & ENTRY_NO_TIME)) {
				sc->last_time = li.time;
				break;
			}
		}
		end = l;
	}
	sc->timed_to = sc->base + (uint64_t)(s - buf);
}

/* With a prefilter: the first line of the task that is not blank, for
 * fill_leading_times. */
static void
find_lead(struct scan *sc, char *buf, char *p, char *stop)
{
	char *nl;

	while (!sc->lead_found && p <= stop) {
		nl = memchr(p, '\n', (size_t)(stop - p) + 1);
		if (!blank(p, (size_t)(nl - p))) {
			sc->lead = sc->base + (uint64_t)(p - buf);
			sc->lead_found = true;
		}
		p = nl + 1;
	}
}

/* take_lines with a prefilter: the lines the search finds, no others. */
static char *
take_found(struct index_task *t, struct scan *sc, char *buf, size_t have)
{
	char *p = buf, *end = buf + have, *last, *stop, *nl;
	const char *from, *s, *eol;
	uint64_t endpos;
	struct line_info li;

	if (sc->skipping || sc->huge) {
		if ((nl = memchr(p, '\n', have)) == NULL) {
			if (sc->skipping && sc->base + have >= t->end)
				sc->done = true;	/* no line starts here */
			return p;
		}
		if (sc->huge) {
			emit_huge(t, sc->huge_start, sc->base +
			    (uint64_t)(nl - buf) - sc->huge_start,
			    &sc->last_time);
			if (!sc->lead_found) {
				sc->lead = sc->huge_start;
				sc->lead_found = true;
			}
		}
		sc->skipping = sc->huge = false;
		p = nl + 1;
		sc->timed_to = sc->base + (uint64_t)(p - buf);
	}
	if (sc->base + (uint64_t)(p - buf) >= t->end) {
		sc->done = true;	/* the next task's lines */
		return p;
	}
	if ((last = memrchr(p, '\n', (size_t)(end - p))) == NULL)
		return p;
	/* stop at the end of the last line that starts before t->end */
	stop = last;
	endpos = t->end - 1 - sc->base;
	if (endpos < (uint64_t)(last - buf))
		stop = memchr(buf + endpos, '\n', (size_t)(last - buf) -
		    endpos + 1);
	find_lead(sc, buf, p, stop);
	pf_block(&sc->pf);
	for (from = p; (s = pf_next(&sc->pf, buf, from, stop, &eol)) != NULL;
	    from = eol + 1) {
		size_t len = (size_t)(eol - s);

		if (blank(s, len))
			continue;
		parse_line(s, len, t->category, &li);
		if (li.flags & ENTRY_NO_TIME)
			catch_up(t, sc, buf, s);
		push_line(t, &li, len, sc->base + (uint64_t)(s - buf),
		    &sc->last_time);
		sc->timed_to = sc->base + (uint64_t)(eol + 1 - buf);
	}
	p = stop + 1;
	catch_up(t, sc, buf, p);	/* the next block starts here */
	if (sc->base + (uint64_t)(p - buf) >= t->end)
		sc->done = true;
	return p;
}

/* The last line of a file that grows no more, with no newline after it:
 * read as if it had one (its length leaves the newline out, as every
 * entry's does). */
static void
take_last_line(struct index_task *t, struct scan *sc, char *buf, size_t have)
{
	if (sc->huge) {
		emit_huge(t, sc->huge_start, t->limit - sc->huge_start,
		    &sc->last_time);
		if (t->pf != NULL && !sc->lead_found) {
			sc->lead = sc->huge_start;
			sc->lead_found = true;
		}
		sc->huge = false;
	} else if (have > 0) {
		/* have < INDEX_BUF_BYTES: a full buffer with no newline
		 * made the line huge */
		buf[have] = '\n';
		if (t->pf != NULL)
			take_found(t, sc, buf, have + 1);
		else
			take_lines(t, sc, buf, have + 1);
	}
	sc->done = true;
}

void
index_run(struct index_task *t, char *buf)
{
	struct scan sc = { .base = t->start, .last_time = ENG_TIME_NONE };
	size_t have = 0;
	uint64_t rpos = t->start;

	t->incomplete = UINT64_MAX;
	if ((t->fd = fdcache_acquire(t->e, t->file)) < 0) {
		t->error = errno;	/* ENOENT: the file is gone */
		return;
	}
	sc.skipping = !starts_line(t);
	/* about 250 bytes a line: one allocation in the usual case; with
	 * a prefilter, few lines and a growing array */
	t->cap = t->pf != NULL ? 64 : (size_t)((t->end - t->start) / 200) + 16;
	t->v = eng_xmalloc(t->cap * sizeof *t->v);
	if (t->pf == NULL && cache_values_on(t->e))
		t->refs = eng_xmalloc(t->cap * sizeof *t->refs);
	if (t->pf != NULL)
		pf_scan_init(&sc.pf, t->pf);
	sc.timed_to = t->start;
	if (t->aligned && t->resume > t->start) {
		/* a huge line an earlier look found no newline in up to
		 * resume: go on from there, not from its start again */
		sc.huge = true;
		sc.huge_start = t->start;
		sc.base = rpos = t->resume;
	}
	while (!sc.done && rpos < t->limit) {
		size_t want = INDEX_BUF_BYTES - have;
		ssize_t got;
		char *p;

		if (want > t->limit - rpos)
			want = (size_t)(t->limit - rpos);
		got = pread(t->fd, buf + have, want, (off_t)rpos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0)
				t->error = errno;
			break;
		}
		have += (size_t)got;
		rpos += (uint64_t)got;
		t->bytes_read += (uint64_t)got;
		p = t->pf != NULL ? take_found(t, &sc, buf, have) :
		    take_lines(t, &sc, buf, have);
		if (sc.done)
			break;
		if (p == buf && have == INDEX_BUF_BYTES) {
			/* no newline in a full buffer: a huge line, or the
			 * tail of one that began before this chunk */
			if (!sc.skipping && !sc.huge) {
				if (sc.base >= t->end)
					break;
				sc.huge = true;
				sc.huge_start = sc.base;
			}
			sc.base += have;
			have = 0;
			continue;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		sc.base += (uint64_t)(p - buf);
	}
	if (!sc.done && !sc.skipping && t->error == 0 && t->ends &&
	    rpos == t->limit)
		take_last_line(t, &sc, buf, have);
	if (!sc.done && !sc.skipping && t->error == 0) {
		uint64_t at = sc.huge ? sc.huge_start : sc.base;
		if (at < t->end && at < t->limit) {
			t->incomplete = at;
			t->scanned = sc.huge ? sc.base + have : 0;
		}
	}
	fill_leading_times(t, &sc);
	if (t->part != NULL)
		stats_task_done(t->part);
	pf_scan_free(&sc.pf);
	fdcache_release(t->e, t->file);
	t->fd = -1;
}

void
index_task_free(struct index_task *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
	free(t->refs);
	t->refs = NULL;
	strbuf_free(&t->blob);
	stats_task_publish(NULL, NULL, t->part, 0);	/* an unpublished task's */
	t->part = NULL;
}

struct runner {
	struct index_task *t;
	size_t n;
	atomic_size_t next;
	atomic_bool *done;	/* per task, for index_load; or NULL */
};

/* Tasks as they come, the caller's thread among the others; with e, the
 * caller publishes every task whose predecessors are all done as soon as
 * it is free, so that no more than the tasks under way wait with their
 * entries beside the index. */
static void
runner_loop(struct runner *r, struct eng *e, size_t *published)
{
	char *buf = eng_xmalloc(INDEX_BUF_BYTES);
	size_t i;

	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		index_run(&r->t[i], buf);
		if (r->done != NULL)
			atomic_store(&r->done[i], true);
		while (e != NULL && *published < r->n &&
		    atomic_load(&r->done[*published]))
			index_publish(e, &r->t[(*published)++]);
	}
	free(buf);
}

static void *
runner_main(void *arg)
{
	runner_loop(arg, NULL, NULL);
	return NULL;
}

static void
run_tasks(struct index_task *t, size_t n, int nthreads, struct eng *e)
{
	struct runner r = { .t = t, .n = n };
	pthread_t th[LOAD_THREADS_MAX];
	int started = 0;
	size_t published = 0;

	atomic_init(&r.next, 0);
	if (e != NULL) {
		r.done = eng_xmalloc((n > 0 ? n : 1) * sizeof *r.done);
		for (size_t i = 0; i < n; i++)
			atomic_init(&r.done[i], false);
	}
	if (nthreads > LOAD_THREADS_MAX)
		nthreads = LOAD_THREADS_MAX;
	/* the calling thread is one of them */
	while (started + 1 < nthreads && (size_t)started + 1 < n &&
	    pthread_create(&th[started], NULL, runner_main, &r) == 0)
		started++;
	runner_loop(&r, e, &published);
	while (started > 0)
		pthread_join(th[--started], NULL);
	while (e != NULL && published < n)
		index_publish(e, &t[published++]);
	free(r.done);
}

void
index_run_all(struct index_task *t, size_t n, int nthreads)
{
	run_tasks(t, n, nthreads, NULL);
}

void
index_load(struct eng *e, struct index_task *t, size_t n, int nthreads)
{
	run_tasks(t, n, nthreads, e);
}

/* A backup is renamed, never written again; standard input that has
 * ended (and is not a regular file followed as it grows) has all it will
 * have.  The live file's last line may still be being written. */
static bool
grows_no_more(const struct eng *e, const struct file *f)
{
	if (f->backup > 0 || f->gz)
		return true;
	return (int)f->source == e->stdin_src && e->stdin_fd < 0 &&
	    e->stdin_grows < 0;
}

size_t
index_plan(struct eng *e, struct index_task **out, uint64_t chunk,
    uint64_t *bytes)
{
	struct index_task *v = NULL;
	size_t n = 0, cap = 0;

	*bytes = 0;
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];
		uint64_t size, at, from, end;

		if (f == NULL || f->gone || f->pending > 0)
			continue;
		cache_prepare(e, f, i);
		size = f->size;
		if (size <= f->pos)
			continue;
		f->pending_pos = size;
		f->pending_resume = 0;
		*bytes += size - f->pos;
		/* the first task takes the part of a huge line already
		 * known to have no newline, beside its own chunk */
		from = f->resume > f->pos && f->resume < size ? f->resume :
		    f->pos;
		for (at = f->pos; at < size; at = end) {
			end = size - from > chunk ? from + chunk : size;
			eng_grow(&v, &cap, n + 1, sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			v[n].e = e;
			v[n].file = f;
			v[n].fd = -1;
			v[n].category = f->category;
			v[n].file_id = (uint32_t)i;
			v[n].source = (uint8_t)f->source;
			v[n].start = at;
			v[n].end = end;
			v[n].limit = size;
			v[n].aligned = at == f->pos;
			v[n].resume = at == f->pos && from > at ? from : 0;
			v[n].last = end == size;
			v[n].ends = end == size && grows_no_more(e, f);
			v[n].pf = e->prefilter;
			v[n].part = stats_task_part(e);
			f->pending++;
			n++;
			from = end;
		}
	}
	/* what the caches gave, before any task adds to it */
	cache_order_take(e);
	*out = v;
	return n;
}

void
index_publish(struct eng *e, struct index_task *t)
{
	struct file *f = t->file;

	if (t->error != 0 && t->error != ENOENT)
		store_unreadable(e, f->path, strerror(t->error), false);
	index_task_publish_values(e, t);
	stats_task_publish(e, f, t->part, t->n);	/* before the entries */
	t->part = NULL;
	store_append(e, t->v, t->refs, t->n);
	store_file_add_entries(f, t->v, t->n);
	e->malformed += t->malformed;
	e->bytes_read += t->bytes_read;
	if (t->incomplete < f->pending_pos) {
		f->pending_pos = t->incomplete;
		f->pending_resume = t->scanned;
	}
	if (--f->pending == 0) {
		f->pos = f->pending_pos;
		f->resume = f->pending_resume;
		cache_file_indexed(e, f, t->file_id);
	}
	index_task_free(t);
}

void
block_reader_init(struct block_reader *br)
{
	memset(br, 0, sizeof *br);
	br->fd = -1;
	br->file = UINT32_MAX;
	br->block = BLOCK_BYTES;
}

void
block_reader_free(struct block_reader *br)
{
	size_t block = br->block;
	bool backward = br->backward;

	free(br->buf);
	block_reader_init(br);
	br->block = block;
	br->backward = backward;
}

const char *
block_reader_line(struct block_reader *br, const struct eng *e,
    const struct eng_entry *en, size_t *len)
{
	size_t n = entry_read_len(en);
	size_t want;
	uint64_t from;
	struct file *f;
	ssize_t got;
	int fd;

	if (en->file == br->file && en->offset >= br->start &&
	    en->offset + n <= br->start + br->len) {
		*len = n;
		return br->buf + (en->offset - br->start);
	}
	/* the cache is the one part of the engine a reader changes */
	f = e->files[en->file];
	if (f == NULL || (fd = fdcache_acquire((struct eng *)e, f)) < 0)
		return NULL;
	want = n > br->block ? n : br->block;
	from = en->offset;
	if (br->backward)
		from = en->offset + n > want ? en->offset + n - want : 0;
	if (br->cap > 4 * br->block && want <= br->block) {
		free(br->buf);	/* a huge line's room, no longer needed */
		br->buf = NULL;
		br->cap = 0;
	}
	if (br->cap < want) {
		br->buf = eng_xrealloc(br->buf, want);
		br->cap = want;
	}
	got = read_full(fd, br->buf, want, from);
	fdcache_release((struct eng *)e, f);
	if (got < (ssize_t)(en->offset - from + n)) {
		br->file = UINT32_MAX;
		return NULL;
	}
	br->file = en->file;
	br->start = from;
	br->len = (size_t)got;
	*len = n;
	return br->buf + (en->offset - from);
}
