/*
 * record.h - the async mode's compact record of a logging call (record.c):
 * made by the caller into a queue slot, formatted by the writer thread.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <time.h>

#include "internal.h"
#include "jbuf.h"
#include "llmlog.h"

/* What record_plan() learns of an entry for record_build(). */
struct record_plan {
	size_t len[4];		/* the strings' lengths */
	size_t ncalls;		/* an interaction's tool_calls */
	size_t conv_len;	/* the conversation id's */
	size_t total;		/* the record's bytes */
};

/* The bytes the record of entry e (a struct llmlog_<cat>) with trace
 * fields tf takes. */
size_t record_plan(struct record_plan *pl, enum llmlog_category cat,
    const void *e, const struct trace_fields *tf);
/* Build it into dst (pl->total bytes), at this level, with now as its time
 * unless e has one, its trace fields copied.  The record refers to e's json objects without taking
 * a reference: whoever keeps the record owns them from then on. */
void record_build(void *dst, const struct record_plan *pl,
    enum llmlog_category cat, int level, const void *e,
    const struct trace_fields *tf, const struct timespec *now);
/* Append the record's line to jb (the bytes format_<cat>() makes of the
 * entry) and drop its objects.  0, or -1 when memory ran out. */
int record_format(struct jbuf *jb, enum llmlog_category cat,
    const void *rec);
/* Drop the record's objects without writing it. */
void record_release(enum llmlog_category cat, const void *rec);

#endif
