/*
 * sink.c - puts finished lines into the category files: the directory and
 * its checks, opening files without following symlinks, size-based rotation
 * with Python RotatingFileHandler semantics, and the locking that keeps it
 * safe across threads and processes.
 */
#include "config.h"

#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_FILE ".llmlog.lock"

static char *
default_dir(void)
{
	const char *env = getenv("LLMLOG_DIR");
	const char *home;
	struct passwd *pw;
	char *path;

	if (env != NULL && *env != '\0')
		return strdup(env);
	home = getenv("HOME");
	if ((home == NULL || *home == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0') {
		log_seterr("no log directory: $HOME is not set");
		errno = ENOENT;
		return NULL;
	}
	if (asprintf(&path, "%s/.llm_os/logs", home) < 0)
		return NULL;
	return path;
}

static char *
absolute(const char *dir)
{
	char cwd[PATH_MAX];
	char *path;

	if (dir[0] == '/')
		return strdup(dir);
	if (getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	if (asprintf(&path, "%s/%s", cwd, dir) < 0)
		return NULL;
	return path;
}

/* mkdir -p, each missing component 0700. */
static int
make_dirs(const char *path)
{
	char *copy, *p;
	int rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	for (p = copy + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

static int
check_dir(struct llmlog *lg)
{
	struct stat st;

	if (fstat(lg->dirfd, &st) != 0)
		return log_seterr("%s: %s", lg->dir, strerror(errno));
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		return log_seterr("%s: log directory owned by uid %u, not by "
		    "this user (uid %u); refusing it", lg->dir,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if ((st.st_mode & 077) != 0 && fchmod(lg->dirfd, 0700) != 0)
		return log_seterr("%s: cannot tighten mode to 0700: %s",
		    lg->dir, strerror(errno));
	return 0;
}

static int
open_lock_file(struct llmlog *lg)
{
	lg->lockfd = openat(lg->dirfd, LOCK_FILE,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lg->lockfd < 0)
		return log_seterr("%s/%s: %s", lg->dir, LOCK_FILE,
		    strerror(errno));
	return 0;
}

int
sink_open(struct llmlog *lg, const char *dir)
{
	char *path;

	path = dir != NULL && *dir != '\0' ? strdup(dir) : default_dir();
	if (path == NULL) {
		if (errno == ENOMEM)
			log_seterr("out of memory");
		return -1;
	}
	lg->dir = absolute(path);
	free(path);
	if (lg->dir == NULL)
		return log_seterr("log directory: %s", strerror(errno));
	if (make_dirs(lg->dir) != 0)
		return log_seterr("%s: cannot create: %s", lg->dir,
		    strerror(errno));
	lg->dirfd = open(lg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lg->dirfd < 0)
		return log_seterr("%s: %s", lg->dir, strerror(errno));
	if (check_dir(lg) != 0 || open_lock_file(lg) != 0)
		return -1;
	return 0;
}

void
sink_close(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		if (lg->files[i].fd >= 0)
			close(lg->files[i].fd);
		lg->files[i].fd = -1;
	}
	if (lg->lockfd >= 0)
		close(lg->lockfd);
	if (lg->dirfd >= 0)
		close(lg->dirfd);
	lg->lockfd = lg->dirfd = -1;
}

/* Open a category file for appending; never through a symlink, never a
 * FIFO or device, never a file with other names (hard links). */
static int
open_file(struct llmlog *lg, enum llmlog_category cat)
{
	const char *name = llmlog_category_file(cat);
	struct sink_file *f = &lg->files[cat];
	struct stat st;
	int fd;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	fd = openat(lg->dirfd, name, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return log_seterr("%s/%s: is a symbolic link; "
			    "refusing to follow it", lg->dir, name);
		return log_seterr("%s/%s: %s", lg->dir, name, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
		close(fd);
		errno = EPERM;
		return log_seterr("%s/%s: not a regular file of its own; "
		    "refusing it", lg->dir, name);
	}
	f->fd = fd;
	f->size = st.st_size;
	return 0;
}

static int
lock_file(int fd, int op)
{
	while (flock(fd, op) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Whether our descriptor still is the file at the path. */
static bool
fd_current(struct llmlog *lg, enum llmlog_category cat)
{
	struct stat at, st;
	int fd = lg->files[cat].fd;

	if (fd < 0)
		return false;
	if (fstatat(lg->dirfd, llmlog_category_file(cat), &at,
	    AT_SYMLINK_NOFOLLOW) != 0 || fstat(fd, &st) != 0)
		return false;
	lg->files[cat].size = st.st_size;
	return at.st_ino == st.st_ino && at.st_dev == st.st_dev;
}

/* Take the category's locks and make sure the descriptor is the current
 * file and the size is known. */
static int
cat_lock(struct llmlog *lg, enum llmlog_category cat, int64_t **sizep)
{
	struct sink_file *f = &lg->files[cat];

	pthread_mutex_lock(&f->lock);
	if (lock_file(lg->lockfd, LOCK_EX) != 0) {
		pthread_mutex_unlock(&f->lock);
		return log_seterr("%s/%s: cannot lock: %s", lg->dir, LOCK_FILE,
		    strerror(errno));
	}
	*sizep = &f->size;
	if (!fd_current(lg, cat) && open_file(lg, cat) != 0) {
		lock_file(lg->lockfd, LOCK_UN);
		pthread_mutex_unlock(&f->lock);
		return -1;
	}
	return 0;
}

static void
cat_unlock(struct llmlog *lg, enum llmlog_category cat)
{
	lock_file(lg->lockfd, LOCK_UN);
	pthread_mutex_unlock(&lg->files[cat].lock);
}

static void
backup_name(char *buf, size_t size, enum llmlog_category cat, int n)
{
	if (n == 0)
		snprintf(buf, size, "%s", llmlog_category_file(cat));
	else
		snprintf(buf, size, "%s.%d", llmlog_category_file(cat), n);
}

/* file.(n-1) -> file.n, ..., file -> file.1, then a fresh file.  The
 * rename over file.backups deletes the oldest. */
static int
rotate(struct llmlog *lg, enum llmlog_category cat, int64_t *size)
{
	char from[NAME_MAX + 1], to[NAME_MAX + 1];

	for (int i = lg->backups; i > 0; i--) {
		backup_name(from, sizeof from, cat, i - 1);
		backup_name(to, sizeof to, cat, i);
		if (renameat(lg->dirfd, from, lg->dirfd, to) != 0 &&
		    errno != ENOENT)
			return log_seterr("%s/%s: cannot rotate to %s: %s",
			    lg->dir, from, to, strerror(errno));
	}
	if (open_file(lg, cat) != 0)
		return -1;
	*size = lg->files[cat].size;
	return 0;
}

/* One writev() (continued after short writes and EINTR) of iov[0..n). */
static int
write_lines(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n, int64_t *size)
{
	struct iovec iov[64];
	size_t i = 0, cnt;
	ssize_t w;

	while (i < n) {
		cnt = n - i < 64 ? n - i : 64;
		memcpy(iov, lines + i, cnt * sizeof *iov);
		struct iovec *v = iov;
		while (cnt > 0) {
			w = writev(lg->files[cat].fd, v, (int)cnt);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return log_seterr("%s/%s: %s", lg->dir,
				    llmlog_category_file(cat), strerror(errno));
			}
			*size += w;
			while (cnt > 0 && (size_t)w >= v->iov_len) {
				w -= (ssize_t)v->iov_len;
				v++, cnt--, i++;
			}
			if (cnt > 0) {
				v->iov_base = (char *)v->iov_base + w;
				v->iov_len -= (size_t)w;
			}
		}
	}
	return 0;
}

static bool
must_rotate(struct llmlog *lg, int64_t size, size_t len)
{
	return lg->backups != LLMLOG_BACKUPS_NONE && size > 0 &&
	    size + (int64_t)len >= lg->max_bytes;
}

size_t
sink_write(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n)
{
	int64_t *size = NULL, pending = 0;
	size_t done = 0, first = 0;

	if (cat_lock(lg, cat, &size) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!must_rotate(lg, *size + pending, lines[i].iov_len)) {
			pending += (int64_t)lines[i].iov_len;
			continue;
		}
		if (write_lines(lg, cat, lines + first, i - first, size) != 0)
			goto out;
		done = i;
		if (rotate(lg, cat, size) != 0)
			goto out;
		first = i;
		pending = (int64_t)lines[i].iov_len;
	}
	if (write_lines(lg, cat, lines + first, n - first, size) == 0)
		done = n;
out:
	cat_unlock(lg, cat);
	return done;
}

void
sink_fork_prepare(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_lock(&lg->files[i].lock);
}

void
sink_fork_parent(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_unlock(&lg->files[i].lock);
}

void
sink_fork_child(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_init(&lg->files[i].lock, NULL);
}
