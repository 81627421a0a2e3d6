/*
 * queue.c - the async mode of libllmlog: a bounded queue of entries (the
 * callers' records, or finished lines) and one writer thread that drains
 * it, formats the records and combines consecutive lines of a category
 * into one writev() while rotation is still checked per line.
 */
#include "config.h"

#include "record.h"
#include "sink.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A slot holds a typical record or line in place so that queuing one
 * costs a copy, not an allocation; longer ones are copied to the heap
 * before locking. */
#define SLOT_TEXT 1008
/* Lines the writer takes at a time: small enough that room frees up for
 * blocked callers while it writes, large enough to amortise a writev(). */
#define BATCH_LINES 256
/* After the queue runs dry the writer lingers this long before it sleeps:
 * entries that arrive meanwhile cost their caller no wake-up (a system
 * call).  Also the most an entry waits to be written while it lingers. */
#define LINGER_NS 2000000

/* The bytes kept of the writer's first error message. */
#define ERR_MSG 384

enum slot_kind {
	SLOT_LINE,		/* a finished line */
	SLOT_RECORD		/* a record (record.h) the writer formats */
};

struct slot {
	uint32_t len;
	uint16_t cat;
	uint16_t kind;
	char *heap;
	char text[SLOT_TEXT];
};

/* How far the writer is with the batch it took, for a child of fork():
 * which of the batch's records still own their objects and memory. */
enum batch_state {
	BATCH_NONE,		/* none taken, or all of it released */
	BATCH_TAKEN,		/* taken: the records are whole */
	BATCH_FORMATTED		/* their objects dropped, heap copies kept */
};

struct queue {
	struct llmlog *lg;
	pthread_mutex_t mu;
	/* held while the writer releases a batch's objects and memory, and
	 * by fork(), so that a child never sees a release half done */
	pthread_mutex_t release_mu;
	enum batch_state batch;		/* with mu or release_mu held */
	uint64_t batch_from, batch_to;
	pthread_cond_t wake;		/* the writer waits for lines */
	pthread_cond_t room;		/* LLMLOG_OVERFLOW_BLOCK callers wait */
	pthread_cond_t idle;		/* flush and stop wait for the writer */
	struct slot *slots;
	unsigned cap;
	uint64_t head;			/* next slot to fill */
	uint64_t tail;			/* next slot the writer takes */
	uint64_t written;		/* slots the writer is done with */
	uint64_t failed;		/* lines the writer could not write */
	uint64_t failed_seen;		/* of which a flush has reported */
	/* the first failure since the last report, for it: the cause */
	int err_errno;
	char err_msg[ERR_MSG];
	/* the writer's: the first failure of the batch at hand */
	int batch_errno;
	char batch_msg[ERR_MSG];
	unsigned room_waiters;
	unsigned idle_waiters;
	bool sleeping;			/* the writer waits on wake for good */
	bool lingering;			/* it waits on wake for LINGER_NS */
	bool running;			/* the writer thread is at work */
	bool joinable;			/* it has not been joined yet */
	pthread_t thread;
	bool stopping;			/* the writer drains and exits */
	bool stopped;			/* pushes go to the caller, sync */
	struct iovec iov[BATCH_LINES];
	/* the writer's: the batch's formatted records, and where each
	 * slot's line starts in it (SIZE_MAX: the slot's own text) */
	struct jbuf out;
	size_t at[BATCH_LINES];
	size_t outlen[BATCH_LINES];
};

static void
queue_locks_init(struct queue *q)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&q->mu, NULL);
	pthread_mutex_init(&q->release_mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->room, NULL);
	pthread_cond_init(&q->idle, NULL);
}

struct queue *
queue_new(struct llmlog *lg, unsigned size)
{
	struct queue *q;

	if ((q = calloc(1, sizeof *q)) == NULL ||
	    (q->slots = calloc(size, sizeof *q->slots)) == NULL) {
		free(q);
		errno = ENOMEM;
		errmsg_set("out of memory for a queue of %u entries", size);
		return NULL;
	}
	q->lg = lg;
	q->cap = size;
	queue_locks_init(q);
	return q;
}

static const char *
slot_text(const struct slot *s)
{
	return s->heap != NULL ? s->heap : s->text;
}

/* Free the heap copies of slots [from, to), whose objects are dropped. */
static void
slots_free(struct queue *q, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++) {
		struct slot *s = &q->slots[i % q->cap];

		free(s->heap);
		s->heap = NULL;
	}
}

/* Drop entries [from, to) that will never be written. */
static void
slots_release(struct queue *q, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++) {
		struct slot *s = &q->slots[i % q->cap];

		if (s->kind == SLOT_RECORD)
			record_release(s->cat, slot_text(s));
	}
	slots_free(q, from, to);
}

/* Format the records of slots [from, to) into q->out, dropping their
 * objects; a record that cannot be formatted gets no line (length 0) and
 * counts as failed. */
static uint64_t
format_slots(struct queue *q, uint64_t from, uint64_t to)
{
	uint64_t failed = 0;

	jbuf_reset(&q->out);
	for (uint64_t i = from; i < to; i++) {
		struct slot *s = &q->slots[i % q->cap];
		size_t k = (size_t)(i - from), start = q->out.len;

		if (s->kind != SLOT_RECORD) {
			q->at[k] = SIZE_MAX;
			q->outlen[k] = s->len;
			continue;
		}
		q->at[k] = start;
		if (record_format(&q->out, s->cat, slot_text(s)) == 0)
			q->outlen[k] = q->out.len - start;
		else {
			/* the buffer before start is whole: go on after it */
			q->out.len = start;
			q->out.oom = false;
			q->outlen[k] = 0;
			failed++;
		}
	}
	return failed;
}

/* Keep the cause of the batch's first failure: errno and this thread's
 * message, as the failing call left them. */
static void
batch_error(struct queue *q)
{
	if (q->batch_errno != 0)
		return;
	q->batch_errno = errno != 0 ? errno : EIO;
	snprintf(q->batch_msg, sizeof q->batch_msg, "%s", llmlog_errmsg());
}

/* Write a run of one category's lines; how many were not written. */
static uint64_t
write_run(struct queue *q, uint32_t cat, size_t n)
{
	size_t done = sink_write(q->lg, cat, q->iov, n);

	if (done < n)
		batch_error(q);
	return n - done;
}

/* Write slots [from, to) (the writer owns them): runs of one category go
 * to sink_write together. */
static uint64_t
write_slots(struct queue *q, uint64_t from, uint64_t to)
{
	uint64_t failed;
	size_t n = 0;
	uint32_t cat = 0;

	q->batch_errno = 0;
	pthread_mutex_lock(&q->release_mu);
	failed = format_slots(q, from, to);
	q->batch = BATCH_FORMATTED;
	pthread_mutex_unlock(&q->release_mu);
	if (failed > 0) {
		errno = ENOMEM;
		errmsg_set("%s: out of memory formatting a queued entry",
		    q->lg->dir);
		batch_error(q);
	}

	for (uint64_t i = from; i < to; i++) {
		struct slot *s = &q->slots[i % q->cap];
		size_t k = (size_t)(i - from);

		if (q->outlen[k] == 0)
			continue;
		if (n > 0 && s->cat != cat) {
			failed += write_run(q, cat, n);
			n = 0;
		}
		cat = s->cat;
		q->iov[n].iov_base = q->at[k] == SIZE_MAX ?
		    (void *)slot_text(s) : q->out.buf + q->at[k];
		q->iov[n++].iov_len = q->outlen[k];
	}
	if (n > 0)
		failed += write_run(q, cat, n);
	pthread_mutex_lock(&q->release_mu);
	slots_free(q, from, to);
	q->batch = BATCH_NONE;
	pthread_mutex_unlock(&q->release_mu);
	return failed;
}

/* With q->mu held: wait for entries, a while awake (callers don't signal)
 * and then asleep (the next caller signals). */
static void
writer_wait(struct queue *q)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += LINGER_NS;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	q->lingering = true;
	while (q->tail == q->head && !q->stopping && q->lingering)
		if (pthread_cond_timedwait(&q->wake, &q->mu, &until) ==
		    ETIMEDOUT)
			break;
	q->lingering = false;
	while (q->tail == q->head && !q->stopping) {
		q->sleeping = true;
		pthread_cond_wait(&q->wake, &q->mu);
	}
	q->sleeping = false;
}

/* Wake the writer if it waits: from sleep always, from lingering only for
 * a reason (a queue half full, a flush, a stop). */
static void
writer_wake(struct queue *q, bool urgent)
{
	if (q->sleeping || (urgent && q->lingering)) {
		q->sleeping = false;
		q->lingering = false;
		pthread_cond_signal(&q->wake);
	}
}

static void *
writer_main(void *arg)
{
	struct queue *q = arg;
	uint64_t from, to, failed;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		if (q->tail == q->head && !q->stopping)
			writer_wait(q);
		if (q->tail == q->head)
			break;
		from = q->tail;
		to = q->head - from > BATCH_LINES ? from + BATCH_LINES : q->head;
		q->tail = to;
		q->batch = BATCH_TAKEN;
		q->batch_from = from;
		q->batch_to = to;
		pthread_mutex_unlock(&q->mu);
		failed = write_slots(q, from, to);
		if (failed > 0)
			atomic_fetch_add_explicit(&q->lg->dropped, failed,
			    memory_order_relaxed);
		pthread_mutex_lock(&q->mu);
		q->written = to;
		q->failed += failed;
		if (failed > 0 && q->err_errno == 0) {
			q->err_errno = q->batch_errno;
			memcpy(q->err_msg, q->batch_msg, sizeof q->err_msg);
		}
		if (q->room_waiters > 0)
			pthread_cond_broadcast(&q->room);
		if (q->idle_waiters > 0)
			pthread_cond_broadcast(&q->idle);
	}
	q->running = false;
	pthread_cond_broadcast(&q->idle);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* With q->mu held.  The thread blocks every signal: the host's handlers
 * (a shell's SIGINT, SIGCHLD) must not run on it. */
static int
writer_start(struct queue *q)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, writer_main, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	q->running = true;
	q->joinable = true;
	q->sleeping = false;
	q->lingering = false;
	return 0;
}

static int
push_drop(struct queue *q, const char *why, char *heap)
{
	free(heap);
	atomic_fetch_add_explicit(&q->lg->dropped, 1, memory_order_relaxed);
	return errmsg_set("%s: entry dropped: %s", q->lg->dir, why);
}

/* Take the lock and a free slot for an entry (heap: its copy when it
 * does not fit one); NULL, with the lock released, when the entry is
 * dropped (*rc -1) or the queue is stopped (*rc 1: everything queued
 * before is written by then). */
static struct slot *
push_begin(struct queue *q, char *heap, int *rc)
{
	pthread_mutex_lock(&q->mu);
	/* no writer: never started, or this is a child after fork() */
	if (!q->stopped && !q->running && writer_start(q) != 0)
		q->stopped = true;
	while (!q->stopped && q->head - q->written >= q->cap) {
		if (q->lg->overflow == LLMLOG_OVERFLOW_DROP) {
			pthread_mutex_unlock(&q->mu);
			errno = EAGAIN;
			*rc = push_drop(q, "queue full", heap);
			return NULL;
		}
		q->room_waiters++;
		pthread_cond_wait(&q->room, &q->mu);
		q->room_waiters--;
	}
	/* stopped while the writer still drains (at exit, say): the caller
	 * writes this entry itself, so it waits for those queued before */
	while (q->stopped && q->running) {
		q->idle_waiters++;
		pthread_cond_wait(&q->idle, &q->mu);
		q->idle_waiters--;
	}
	if (q->stopped) {
		pthread_mutex_unlock(&q->mu);
		free(heap);
		*rc = 1;
		return NULL;
	}
	return &q->slots[q->head % q->cap];
}

/* The slot push_begin() gave is filled: queue it, release the lock. */
static int
push_end(struct queue *q)
{
	q->head++;
	writer_wake(q, q->head - q->written >= q->cap / 2);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int
queue_push(struct queue *q, enum llmlog_category cat, const char *line,
    size_t len)
{
	char *heap = NULL;
	struct slot *s;
	int rc;

	if (len > SLOT_TEXT) {
		if ((heap = malloc(len)) == NULL)
			return push_drop(q, "out of memory", NULL);
		memcpy(heap, line, len);
	}
	if ((s = push_begin(q, heap, &rc)) == NULL)
		return rc;
	s->len = (uint32_t)len;
	s->cat = (uint16_t)cat;
	s->kind = SLOT_LINE;
	s->heap = heap;
	if (heap == NULL)
		memcpy(s->text, line, len);
	return push_end(q);
}

int
queue_push_record(struct queue *q, enum llmlog_category cat, int level,
    const void *entry, const struct trace_fields *tf)
{
	struct record_plan plan;
	struct timespec now;
	char *heap = NULL;
	struct slot *s;
	size_t len;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	if ((len = record_plan(&plan, cat, entry, tf)) > SLOT_TEXT) {
		if (len > UINT32_MAX || (heap = malloc(len)) == NULL) {
			errno = ENOMEM;
			return push_drop(q, "out of memory", NULL);
		}
		record_build(heap, &plan, cat, level, entry, tf, &now);
	}
	if ((s = push_begin(q, heap, &rc)) == NULL)
		return rc;
	s->len = (uint32_t)len;
	s->cat = (uint16_t)cat;
	s->kind = SLOT_RECORD;
	s->heap = heap;
	if (heap == NULL)
		record_build(s->text, &plan, cat, level, entry, tf,
		    &now);
	return push_end(q);
}

/* With q->mu held: report what failed since the last report, with the
 * first failure's errno and message; 0 when nothing did. */
static int
failures_report(struct queue *q)
{
	uint64_t failed = q->failed - q->failed_seen;
	int err = q->err_errno;

	q->failed_seen = q->failed;
	q->err_errno = 0;
	if (failed == 0)
		return 0;
	errno = err != 0 ? err : EIO;
	return errmsg_set("%s: %llu queued entries could not be written; the "
	    "first: %s", q->lg->dir, (unsigned long long)failed, q->err_msg);
}

int
queue_flush(struct queue *q)
{
	uint64_t target;
	int rc;

	pthread_mutex_lock(&q->mu);
	target = q->head;
	if (q->written < target)
		writer_wake(q, true);
	while (q->running && q->written < target) {
		q->idle_waiters++;
		pthread_cond_wait(&q->idle, &q->mu);
		q->idle_waiters--;
	}
	/* what failed since the last flush, before or while we waited */
	rc = failures_report(q);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int
queue_stop(struct queue *q)
{
	bool joinable;
	int rc;

	pthread_mutex_lock(&q->mu);
	q->stopping = true;
	q->stopped = true;
	writer_wake(q, true);
	pthread_cond_broadcast(&q->room);
	while (q->running) {
		q->idle_waiters++;
		pthread_cond_wait(&q->idle, &q->mu);
		q->idle_waiters--;
	}
	/* as for a flush: what failed since the last one */
	rc = failures_report(q);
	/* whoever stops first reaps the thread; others only waited */
	joinable = q->joinable;
	q->joinable = false;
	pthread_mutex_unlock(&q->mu);
	if (joinable)
		pthread_join(q->thread, NULL);
	return rc;
}

void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	/* the writer is stopped: nothing is left but what it never took */
	slots_release(q, q->tail, q->head);
	jbuf_free(&q->out);
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->mu);
	pthread_mutex_destroy(&q->release_mu);
	free(q->slots);
	free(q);
}

void
queue_fork_prepare(struct queue *q)
{
	pthread_mutex_lock(&q->release_mu);
	pthread_mutex_lock(&q->mu);
}

void
queue_fork_parent(struct queue *q)
{
	pthread_mutex_unlock(&q->mu);
	pthread_mutex_unlock(&q->release_mu);
}

/* The child has no writer thread.  What is queued belongs to the parent,
 * whose writer writes it; the child starts its own on its next entry.  The
 * child's copies of what is queued, and of the objects its records hold,
 * are dropped: those the writer had not taken, and as much of its batch
 * as it had not released yet. */
void
queue_fork_child(struct queue *q)
{
	slots_release(q, q->tail, q->head);
	if (q->batch == BATCH_TAKEN)
		slots_release(q, q->batch_from, q->batch_to);
	else if (q->batch == BATCH_FORMATTED)
		slots_free(q, q->batch_from, q->batch_to);
	q->batch = BATCH_NONE;
	queue_locks_init(q);
	q->running = false;
	q->joinable = false;
	q->sleeping = false;
	q->lingering = false;
	q->room_waiters = 0;
	q->idle_waiters = 0;
	q->tail = q->written = q->head;
}
