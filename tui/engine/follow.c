/*
 * follow.c - keeping the index up to date while the logs grow: inotify on
 * the directories (polling otherwise), appended lines, rotation (files are
 * tracked by inode, so the old file is read to its end under its new name),
 * truncation (seen as a smaller file, or one whose last line we read no
 * longer ends where it did) and re-creation.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define FOLLOW_CHUNK	(8u << 20)

int
eng_watch_fd(struct eng *e)
{
	uint32_t mask = IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
	    IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB;

	if (e->watch_tried)
		return e->watch_fd;
	e->watch_tried = true;
	if ((e->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	for (size_t i = 0; i < e->ndirs; i++) {
		if (inotify_add_watch(e->watch_fd, e->dirs[i], mask) < 0) {
			close(e->watch_fd);
			e->watch_fd = -1;
			break;
		}
	}
	return e->watch_fd;
}

static void
drain_watch(struct eng *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (e->watch_fd < 0)
		return;
	while (read(e->watch_fd, buf, sizeof buf) > 0)
		continue;
}

/* A file that shrank was truncated (or rewritten): its old entries keep
 * their record, which is gone from now on, and a new record reads the
 * file again from the start. */
static void
restart_file(struct eng *e, struct file *old)
{
	struct file *f = eng_xcalloc(1, sizeof *f);

	*f = *old;
	f->path = eng_xstrdup(old->path);
	f->fd = -1;
	f->pins = 0;
	f->lru_prev = f->lru_next = NULL;
	f->pos = f->resume = 0;
	f->entries = 0;
	f->first_us = f->last_us = ENG_TIME_NONE;
	fdcache_forget(e, old);
	old->gone = true;
	eng_grow(&e->files, &e->files_cap, e->nfiles + 1, sizeof *e->files);
	e->files[e->nfiles++] = f;
}

/* A file truncated and written again past where we were no longer has
 * the end of our last line just before that point. */
static bool
rewritten(struct eng *e, struct file *f)
{
	bool changed = false;
	char c;
	int fd;

	if (f->pos == 0 || f->size <= f->pos)
		return false;
	if ((fd = fdcache_acquire(e, f)) >= 0) {
		changed = pread(fd, &c, 1, (off_t)(f->pos - 1)) == 1 &&
		    c != '\n';
		fdcache_release(e, f);
	}
	return changed;
}

/* Scans in a row that may miss a file while it is being renamed (readdir
 * can) before one that finds no name for it says it is gone. */
#define UNSEEN_GONE	2

/* A file no log name leads to any more is gone: at once when its
 * descriptor says it has no link left, otherwise after UNSEEN_GONE
 * scans without it. */
static bool
gone(struct eng *e, struct file *f)
{
	struct stat st;

	if (f->seen) {
		f->unseen = 0;
		return false;
	}
	if (fdcache_stat(e, f, &st) == 0 && st.st_nlink == 0)
		return true;
	return ++f->unseen >= UNSEEN_GONE;
}

long
eng_refresh(struct eng *e)
{
	size_t before = e->count, nfiles, n;
	struct index_task *t;
	char err[256];
	struct stat st;
	uint64_t bytes;

	drain_watch(e);
	loader_collect(e);
	store_scan(e, err, sizeof err);
	nfiles = e->nfiles;
	for (size_t i = 0; i < nfiles; i++) {
		struct file *f = e->files[i];
		if (f == NULL || f->gone || f->pending > 0)
			continue;
		/* one no name leads to is read to its end first, while its
		 * descriptor is open */
		if (!f->seen && fdcache_stat(e, f, &st) == 0)
			f->size = (uint64_t)st.st_size;
		if (f->size < f->pos || rewritten(e, f))
			restart_file(e, f);
	}
	n = index_plan(e, &t, FOLLOW_CHUNK, &bytes);
	index_run_all(t, n, bytes > FOLLOW_CHUNK ? 2 : 1);
	for (size_t i = 0; i < n; i++)
		index_publish(e, &t[i]);
	free(t);
	e->load_total += bytes;
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];
		if (f != NULL && !f->gone && f->pending == 0 && gone(e, f)) {
			fdcache_forget(e, f);
			f->gone = true;
		}
	}
	return (long)(e->count - before);
}
