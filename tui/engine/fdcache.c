/*
 * fdcache.c - the log files' descriptors, opened when a file is read and
 * kept while few enough are open: at most e->fd_max at once (a quarter of
 * the process's limit, between 4 and 256), the least recently used closed
 * first, so that any number of backups can be read under any ulimit.
 * A file is known by its device and inode: a path opened again must lead
 * to the same file, and when it does not (the file was renamed since the
 * last scan) its directory is searched for the inode.  The index workers
 * and the view and stats threads open files too, so the cache, and every
 * write of a file's path, are under e->fd_mu.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "engine-int.h"

#define FD_MIN		4
#define FD_MAX		256
/* O_NONBLOCK: a FIFO put at a log name must never block the open */
#define OPEN_FLAGS	(O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | \
			 O_NOCTTY)

void
fdcache_init(struct eng *e)
{
	struct rlimit rl;
	size_t max = FD_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < max)
		max = (size_t)rl.rlim_cur / 4;
	e->fd_max = max < FD_MIN ? FD_MIN : max;
	pthread_mutex_init(&e->fd_mu, NULL);
}

static void
lru_unlink(struct eng *e, struct file *f)
{
	if (f->lru_prev != NULL)
		f->lru_prev->lru_next = f->lru_next;
	else
		e->fd_head = f->lru_next;
	if (f->lru_next != NULL)
		f->lru_next->lru_prev = f->lru_prev;
	else
		e->fd_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void
lru_push(struct eng *e, struct file *f)
{
	f->lru_prev = NULL;
	f->lru_next = e->fd_head;
	if (e->fd_head != NULL)
		e->fd_head->lru_prev = f;
	else
		e->fd_tail = f;
	e->fd_head = f;
}

static void
fd_close(struct eng *e, struct file *f)
{
	close(f->fd);
	f->fd = -1;
	lru_unlink(e, f);
	e->fd_open--;
}

/* Close the least recently used descriptor that nobody reads through. */
static bool
evict_one(struct eng *e)
{
	for (struct file *f = e->fd_tail; f != NULL; f = f->lru_prev) {
		if (f->pins == 0) {
			fd_close(e, f);
			return true;
		}
	}
	return false;
}

/* open, making room when the process is out of descriptors. */
static int
open_room(struct eng *e, int dirfd, const char *name)
{
	int fd;

	while ((fd = openat(dirfd, name, OPEN_FLAGS)) < 0 &&
	    (errno == EMFILE || errno == ENFILE) && evict_one(e))
		continue;
	return fd;
}

int
file_open(struct eng *e, int dirfd, const char *name, struct stat *st)
{
	int fd, err;

	pthread_mutex_lock(&e->fd_mu);
	fd = open_room(e, dirfd, name);
	pthread_mutex_unlock(&e->fd_mu);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int reopen_file(struct eng *e, const struct file *f);

static bool
same_file(int fd, const struct file *f)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == f->dev && st.st_ino == f->ino;
}

/* The file under whichever name of its directory now leads to it. */
static int
search(struct eng *e, const struct file *f)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd = -1;

	while ((d = opendir(e->dirs[f->source])) == NULL &&
	    (errno == EMFILE || errno == ENFILE) && evict_one(e))
		continue;
	if (d == NULL)
		return -1;
	while (fd < 0 && (de = readdir(d)) != NULL) {
		int cat = llmlog_category_from_file(de->d_name), b;

		if (cat < 0 && !gz_name(de->d_name, &cat, &b))
			cat = -1;
		if (cat != f->category ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    st.st_dev != f->dev || st.st_ino != f->ino)
			continue;
		if ((fd = open_room(e, dirfd(d), de->d_name)) >= 0 &&
		    !same_file(fd, f)) {
			close(fd);
			fd = -1;
		}
	}
	closedir(d);
	if (fd < 0)
		errno = ENOENT;
	return fd;
}

/* A compressed backup's text, from its file's descriptor zfd (which it
 * closes); what the data lacks was named when it was first read. */
static int
text_of(const struct file *f, int zfd)
{
	uint64_t size;
	char why[256];
	int fd, err;

	if (zfd < 0 || !f->gz)
		return zfd;
	fd = gz_inflate(zfd, &size, why, sizeof why);
	err = errno;
	close(zfd);
	errno = err;
	return fd;
}

/* f's file again, by its path or else by its inode. */
static int
reopen(struct eng *e, const struct file *f)
{
	return text_of(f, reopen_file(e, f));
}

static int
reopen_file(struct eng *e, const struct file *f)
{
	int fd;

	if ((int)f->source == e->stdin_src)	/* its temporary file */
		return fcntl(e->stdin_tmp, F_DUPFD_CLOEXEC, 3);
	fd = open_room(e, AT_FDCWD, f->path);

	if (fd >= 0 && same_file(fd, f))
		return fd;
	if (fd >= 0)
		close(fd);
	else if (errno != ENOENT && errno != ELOOP)
		return -1;	/* EACCES, EIO, ...: the reader says so */
	if (e->src_file[f->source]) {	/* a file named: no directory */
		errno = ENOENT;
		return -1;
	}
	/* renamed since the last scan, perhaps more than once while a
	 * rotation runs: a second look finds it where the first raced */
	if ((fd = search(e, f)) < 0)
		fd = search(e, f);
	return fd;
}

int
fdcache_acquire(struct eng *e, struct file *f)
{
	int fd, err = 0;

	pthread_mutex_lock(&e->fd_mu);
	if (f->fd < 0 && !f->gone) {
		while (e->fd_open >= e->fd_max && evict_one(e))
			continue;
		if ((fd = reopen(e, f)) >= 0) {
			f->fd = fd;
			lru_push(e, f);
			e->fd_open++;
		} else
			err = errno;
	} else if (f->fd >= 0) {
		lru_unlink(e, f);
		lru_push(e, f);
	} else
		err = ENOENT;
	if (f->fd >= 0)
		f->pins++;
	fd = f->fd;
	pthread_mutex_unlock(&e->fd_mu);
	errno = err;
	return fd;
}

void
fdcache_release(struct eng *e, struct file *f)
{
	pthread_mutex_lock(&e->fd_mu);
	f->pins--;
	pthread_mutex_unlock(&e->fd_mu);
}

void
fdcache_adopt(struct eng *e, struct file *f, int fd)
{
	pthread_mutex_lock(&e->fd_mu);
	while (e->fd_open >= e->fd_max && evict_one(e))
		continue;
	f->fd = fd;
	lru_push(e, f);
	e->fd_open++;
	pthread_mutex_unlock(&e->fd_mu);
}

void
fdcache_forget(struct eng *e, struct file *f)
{
	pthread_mutex_lock(&e->fd_mu);
	if (f->fd >= 0)
		fd_close(e, f);
	pthread_mutex_unlock(&e->fd_mu);
}

void
file_set_gone(struct eng *e, struct file *f)
{
	pthread_mutex_lock(&e->fd_mu);
	f->gone = true;
	if (f->fd >= 0 && f->pins == 0)
		fd_close(e, f);
	pthread_mutex_unlock(&e->fd_mu);
}

int
fdcache_stat(struct eng *e, struct file *f, struct stat *st)
{
	int rc = -1;

	pthread_mutex_lock(&e->fd_mu);
	if (f->fd >= 0 && !f->gz)	/* a text file has no link */
		rc = fstat(f->fd, st);
	pthread_mutex_unlock(&e->fd_mu);
	return rc;
}

void
file_set_path(struct eng *e, struct file *f, char *path)
{
	pthread_mutex_lock(&e->fd_mu);
	free(f->path);
	f->path = path;
	pthread_mutex_unlock(&e->fd_mu);
}

void
fdcache_free(struct eng *e)
{
	while (e->fd_head != NULL)
		fd_close(e, e->fd_head);
	pthread_mutex_destroy(&e->fd_mu);
}
