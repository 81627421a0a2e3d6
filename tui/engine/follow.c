/*
 * follow.c - keeping the index up to date while the logs grow: inotify on
 * the directories (polling otherwise), appended lines, rotation (files are
 * tracked by inode, so the old file is read to its end under its new name),
 * deletion (the oldest backup of a rotation: its entries leave), truncation
 * (seen as a smaller file, or one whose last line we read no longer ends
 * where it did: the entries past its end leave) and re-creation.  prune.c
 * takes out what leaves.  Standard input is followed as tail -f follows
 * it: a pipe, a FIFO or a terminal to its end, when nothing more can come;
 * a regular file (llmlog -f - <file) as it grows.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

	if (e->stdin_fd >= 0 || e->stdin_grows >= 0)
		return -1;	/* standard input is looked at as polled */
	if (e->watch_tried)
		return e->watch_fd;
	e->watch_tried = true;
	if ((e->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	for (size_t i = 0; i < e->ndirs; i++) {
		char *dir = NULL;

		if ((int)i == e->stdin_src)
			continue;	/* all of it is in */
		if (e->src_file[i]) {
			/* a file named: its directory, for its renames */
			char *r = realpath(e->dirs[i], NULL), *slash;

			if (r != NULL && (slash = strrchr(r, '/')) != NULL)
				*(slash == r ? slash + 1 : slash) = '\0';
			dir = r;
		}
		if (inotify_add_watch(e->watch_fd, dir != NULL ? dir :
		    e->dirs[i], mask) < 0) {
			free(dir);
			close(e->watch_fd);
			e->watch_fd = -1;
			break;
		}
		free(dir);
	}
	return e->watch_fd;
}

void
follow_stdin_keep(struct eng *e)
{
	struct stat st;

	if (e->stdin_fd < 0 || e->stdin_grows >= 0 ||
	    fstat(e->stdin_fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	/* the same open file, so the same offset: a read of either goes
	 * on where the last one stopped */
	e->stdin_grows = fcntl(e->stdin_fd, F_DUPFD_CLOEXEC, 3);
}

bool
eng_follow_ended(const struct eng *e)
{
	return e->ndirs == 1 && e->stdin_src == 0 && e->stdin_fd < 0 &&
	    e->stdin_grows < 0;
}

/* Standard input read to its end so far is read again when it is a
 * regular file: store_stdin_pump takes what it grew by. */
static void
pump_stdin(struct eng *e)
{
	if (e->stdin_fd < 0 && e->stdin_grows >= 0)
		e->stdin_fd = fcntl(e->stdin_grows, F_DUPFD_CLOEXEC, 3);
	store_stdin_pump(e, false);
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

/* Every entry of f leaves, and it is read again from its start. */
static void
cut_all(struct file *f)
{
	f->cut = true;
	f->cut_from = 0;
	f->pos = f->resume = 0;
}

/*
 * f (number id) was truncated: the entries whose line still ends before
 * its end stay, provided the last of them still ends with its newline
 * (otherwise the file was written anew, and all leave); reading goes on
 * after that line.
 */
static void
cut_truncated(struct eng *e, struct file *f, size_t id)
{
	uint64_t end = 0;	/* just past the last line that stays */
	char c;
	int fd;

	for (size_t p = 0; p < e->count; p++) {
		const struct eng_entry *en = store_entry(e, p);
		uint64_t nl = en->offset + en->length;

		if (en->file == id && nl < f->size && nl + 1 > end)
			end = nl + 1;
	}
	if (end > 0 && (fd = fdcache_acquire(e, f)) >= 0) {
		if (pread(fd, &c, 1, (off_t)(end - 1)) != 1 || c != '\n')
			end = 0;
		fdcache_release(e, f);
	} else
		end = 0;
	cut_all(f);
	f->cut_from = f->pos = end;
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
	size_t before, n;
	struct index_task *t;
	char err[256];
	uint64_t bytes;
	long got;

	drain_watch(e);
	pump_stdin(e);
	got = loader_collect(e);
	store_scan(e, err, sizeof err);
	/* what is gone or cut leaves before what is new comes in: a file
	 * is read again after its cut, and memory holds what is on disk */
	for (size_t i = 0; i < e->nfiles; i++) {
		struct file *f = e->files[i];

		if (f == NULL || f->pending > 0)
			continue;
		if (f->gone || gone(e, f)) {
			file_set_gone(e, f);
			cut_all(f);
		} else if (f->size < f->pos)
			cut_truncated(e, f, i);
		else if (rewritten(e, f))
			cut_all(f);
	}
	prune_index(e);
	before = e->count;
	n = index_plan(e, &t, FOLLOW_CHUNK, &bytes);
	index_run_all(t, n, bytes > FOLLOW_CHUNK ? 2 : 1);
	for (size_t i = 0; i < n; i++)
		index_publish(e, &t[i]);
	free(t);
	e->load_total += bytes;
	return got + (long)(e->count - before);
}
