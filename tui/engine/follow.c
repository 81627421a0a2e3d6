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
 * their record, which loses the descriptor, and a new record reads the
 * file again from the start. */
static void
restart_file(struct eng *e, struct file *old)
{
	struct file *f = eng_xcalloc(1, sizeof *f);

	*f = *old;
	f->path = eng_xstrdup(old->path);
	f->pos = 0;
	f->entries = 0;
	f->first_us = f->last_us = ENG_TIME_NONE;
	old->fd = -1;
	eng_grow(&e->files, &e->files_cap, e->nfiles + 1, sizeof *e->files);
	e->files[e->nfiles++] = f;
}

/* A file truncated and written again past where we were no longer has
 * the end of our last line just before that point. */
static bool
rewritten(const struct file *f, const struct stat *st)
{
	char c;

	if (f->pos == 0 || (uint64_t)st->st_size <= f->pos)
		return false;
	return pread(f->fd, &c, 1, (off_t)(f->pos - 1)) == 1 && c != '\n';
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
		if (f->fd < 0 || f->pending > 0 || fstat(f->fd, &st) != 0)
			continue;
		if ((uint64_t)st.st_size < f->pos || rewritten(f, &st))
			restart_file(e, f);
	}
	/* files gone from the directory are read to their end first */
	n = index_plan(e, &t, FOLLOW_CHUNK, &bytes);
	index_run_all(t, n, bytes > FOLLOW_CHUNK ? 2 : 1);
	for (size_t i = 0; i < n; i++)
		index_publish(e, &t[i]);
	free(t);
	e->load_total += bytes;
	/* a file no name leads to any more is gone once read to its end;
	 * one a scan missed (readdir can, while files are being renamed)
	 * still has its links */
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];
		if (!f->seen && f->fd >= 0 && f->pending == 0 &&
		    fstat(f->fd, &st) == 0 && st.st_nlink == 0) {
			close(f->fd);
			f->fd = -1;
		}
	}
	return (long)(e->count - before);
}
