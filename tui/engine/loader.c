/*
 * loader.c - indexing in the background (eng_load_async), newest first:
 * the current files' tails, then backwards through them, then the backups.
 * Workers publish finished chunks under a mutex; eng_refresh merges them
 * into the index (loader_collect).  It calls index.c only.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine-int.h"

#define ASYNC_CHUNK	(2u << 20)
#define ASYNC_THREADS	2

struct loader {
	struct index_task *t;
	size_t n;
	atomic_size_t next;
	atomic_bool stop;
	_Atomic uint64_t bytes_done;
	uint64_t bytes_total;
	pthread_t th[ASYNC_THREADS];
	int nth;
	pthread_mutex_t mu;
	size_t *done;			/* finished, not yet published */
	size_t ndone;
	size_t published;
	atomic_size_t finished;
};

/* The current files before the backups, and in each the chunks nearest
 * the end first: every category's latest entries come in the first round. */
static int
newest_first(const void *a, const void *b)
{
	const struct index_task *x = a, *y = b;
	uint64_t dx = x->limit - x->end, dy = y->limit - y->end;

	if (x->file->backup != y->file->backup)
		return x->file->backup - y->file->backup;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->file_id < y->file_id ? -1 : x->file_id > y->file_id;
}

static void *
loader_main(void *arg)
{
	struct loader *l = arg;
	char *buf = eng_xmalloc(INDEX_BUF_BYTES);
	size_t i;

	while (!atomic_load(&l->stop) &&
	    (i = atomic_fetch_add(&l->next, 1)) < l->n) {
		index_run(&l->t[i], buf);
		atomic_fetch_add(&l->bytes_done, l->t[i].end - l->t[i].start);
		pthread_mutex_lock(&l->mu);
		l->done[l->ndone++] = i;
		pthread_mutex_unlock(&l->mu);
		atomic_fetch_add(&l->finished, 1);
	}
	free(buf);
	return NULL;
}

void
loader_start(struct eng *e)
{
	struct loader *l;
	uint64_t bytes;

	l = eng_xcalloc(1, sizeof *l);
	l->n = index_plan(e, &l->t, ASYNC_CHUNK, &bytes);
	if (l->n == 0) {
		free(l->t);
		free(l);
		return;
	}
	qsort(l->t, l->n, sizeof *l->t, newest_first);
	l->done = eng_xcalloc(l->n, sizeof *l->done);
	l->bytes_total = bytes;
	pthread_mutex_init(&l->mu, NULL);
	e->loader = l;
	for (int i = 0; i < ASYNC_THREADS; i++)
		if (pthread_create(&l->th[l->nth], NULL, loader_main, l) == 0)
			l->nth++;
	if (l->nth == 0)
		loader_main(l);	/* no thread: load here and now */
}

static void
loader_free(struct eng *e)
{
	struct loader *l = e->loader;

	for (int i = 0; i < l->nth; i++)
		pthread_join(l->th[i], NULL);
	for (size_t i = 0; i < l->n; i++)
		index_task_free(&l->t[i]);
	e->load_total += l->bytes_total;
	pthread_mutex_destroy(&l->mu);
	free(l->done);
	free(l->t);
	free(l);
	e->loader = NULL;
}

long
loader_collect(struct eng *e)
{
	struct loader *l = e->loader;
	size_t *take, n, before = e->count;

	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	n = l->ndone;
	take = eng_xmalloc(n * sizeof *take);
	memcpy(take, l->done, n * sizeof *take);
	l->ndone = 0;
	pthread_mutex_unlock(&l->mu);
	for (size_t i = 0; i < n; i++)
		index_publish(e, &l->t[take[i]]);
	l->published += n;
	free(take);
	if (l->published == l->n) {
		loader_free(e);
		cache_save(e);
	}
	return (long)(e->count - before);
}

void
loader_stop(struct eng *e)
{
	struct loader *l = e->loader;

	if (l == NULL)
		return;
	atomic_store(&l->stop, true);
	loader_free(e);
}

void
loader_progress(const struct loader *l, uint64_t *indexed, uint64_t *total)
{
	*indexed = atomic_load(&((struct loader *)l)->bytes_done);
	*total = l->bytes_total;
}
