/*
 * queue.c - the async queue of libllmlog.  This first version writes every
 * entry synchronously: the queue is always "stopped".
 */
#include "config.h"

#include "sink.h"

#include <stdlib.h>

struct queue {
	struct llmlog *lg;
};

struct queue *
queue_new(struct llmlog *lg, unsigned size)
{
	struct queue *q;

	if ((q = calloc(1, sizeof *q)) == NULL) {
		log_seterr("out of memory");
		return NULL;
	}
	q->lg = lg;
	return q;
}

int
queue_push(struct queue *q, enum llmlog_category cat, const char *line,
    size_t len)
{
	return 1;
}

int
queue_flush(struct queue *q)
{
	return 0;
}

int
queue_stop(struct queue *q)
{
	return 0;
}

void
queue_free(struct queue *q)
{
	free(q);
}

void
queue_fork_prepare(struct queue *q)
{
}

void
queue_fork_parent(struct queue *q)
{
}

void
queue_fork_child(struct queue *q)
{
}
