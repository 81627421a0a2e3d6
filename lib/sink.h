/*
 * sink.h - the handle of libllmlog and the parts that put finished lines
 * into the category files: directory checks, files, rotation, locking
 * (sink.c) and the async queue with its writer thread (queue.c).
 */
#ifndef LLMLOG_SINK_H
#define LLMLOG_SINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "internal.h"

struct sink_shared;
struct queue;

/* What one process knows of one category file. */
struct sink_file {
	pthread_mutex_t lock;	/* in-process: taken before the shared lock */
	int fd;			/* -1: not open (yet, or after a failure) */
	uint64_t gen;		/* rotation generation the descriptor belongs to */
	int64_t size;		/* the fallback: size seen under the lock */
	int64_t checked_ns;	/* when we last made sure fd is the path's file */
	/* the lines written since the file was last seen to have a name,
	 * written again at the path if it turns out deleted (sink.c) */
	char *journal;
	size_t jlen;
	uint64_t jlines;
	bool replay;		/* its file was deleted: write it again */
	int64_t jstart_ns;	/* when its first line was written */
	int64_t verified_ns;	/* the coarse clock's tick of that check */
};

struct llmlog {
	char *dir;		/* absolute path */
	int dirfd;
	int64_t max_bytes;
	int backups;		/* LLMLOG_BACKUPS_NONE: never rotate */
	_Atomic int min_level;
	bool no_console;
	bool async;
	unsigned queue_size;
	enum llmlog_overflow overflow;
	_Atomic uint64_t dropped;
	_Atomic uint64_t echo_failed;	/* warnings stderr did not take */

	int lockfd;			/* the directory's lock file */
	struct sink_shared *shared;	/* its mapping; NULL: the fallback */
	pthread_mutex_t fallback_lock;	/* the fallback: one waiter at a time */
	struct sink_file files[LLMLOG_NCATEGORIES];
	_Atomic int64_t dir_checked_ns;	/* when the directory was last checked */

	struct queue *queue;		/* async mode */
	struct llmlog *next;		/* the list of open handles, for fork */
	struct llmlog *retired_next;	/* defaults replaced by llmlog_setup */
};

/* Tests: use the fallback lock (fcntl() on the lock file), not the mapping. */
extern bool sink_no_shared;

/* Tests: take a category's shared lock and keep it, as a writer killed
 * mid-write would.  -1 when the handle uses the fallback. */
int sink_hold_lock(struct llmlog *lg, enum llmlog_category cat);

/* Set up the in-process locks of a new handle (or a child's copy). */
void sink_init_locks(struct llmlog *lg);

/* Make dir (not NULL, may be relative) absolute, create and check it; open
 * the lock file.  Fills lg->dir, lg->dirfd, lg->lockfd and lg->shared.  0
 * or -1 (message set). */
int sink_open(struct llmlog *lg, const char *dir);
/* Close the files and the lock file; the handle's memory stays. */
void sink_close(struct llmlog *lg);
/* Write whole lines to a category file, rotating where needed, each line
 * kept whole.  Returns how many lines were written (all: n); a failure
 * sets the message. */
size_t sink_write(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n);
/* Make sure the lines written so far are in the files at the path: those
 * that went into a file deleted since are written again.  0, or -1 when
 * some of them could not be (counted as dropped, message set). */
int sink_verify(struct llmlog *lg);

/* fork(): hold, release and reset the in-process locks of one handle. */
void sink_fork_prepare(struct llmlog *lg);
void sink_fork_parent(struct llmlog *lg);
void sink_fork_child(struct llmlog *lg);

/* The async queue (queue.c). */
struct queue *queue_new(struct llmlog *lg, unsigned size);
/* Queue one line.  0 queued, -1 dropped (counted, message set), 1 the
 * queue is stopped: write it synchronously (what was queued before is
 * written by then). */
int queue_push(struct queue *q, enum llmlog_category cat, const char *line,
    size_t len);
/* Queue the record of a logging call (record.h): entry is the call's
 * struct llmlog_<cat>, copied with its strings; the writer formats it at
 * this level with these trace fields.  Returns as queue_push(); when 0,
 * the queue owns the entry's json objects, otherwise the caller still
 * does. */
int queue_push_record(struct queue *q, enum llmlog_category cat, int level,
    const void *entry, const struct trace_fields *tf);
/* Wait until everything queued so far is written.  0, or -1 when some of
 * it could not be. */
int queue_flush(struct queue *q);
/* Drain, stop the writer thread; later pushes return 1.  0 or -1. */
int queue_stop(struct queue *q);
void queue_free(struct queue *q);
void queue_fork_prepare(struct queue *q);
void queue_fork_parent(struct queue *q);
void queue_fork_child(struct queue *q);

#endif
