/*
 * writer-mp.h - many processes and threads writing one log directory, and
 * the check that every line arrived once, whole, in order, with no file
 * over the size limit.  Used by test-writer and stress-writer.
 */
#ifndef WRITER_MP_H
#define WRITER_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mp_run {
	const char *dir;
	int procs;
	int threads;
	int per_thread;		/* entries each thread writes */
	int ncats;		/* categories written, 1..6 */
	int64_t max_bytes;
	bool async;
	bool use_flock;		/* the fallback lock instead of the mapping */
	unsigned queue_size;
};

/* Run the writers (fork, threads) and wait for them.  0 or -1 (why). */
int mp_write(const struct mp_run *r, char *why, size_t whysize);
/* Check the directory.  0 or -1 (why). */
int mp_verify(const struct mp_run *r, char *why, size_t whysize);

#endif
