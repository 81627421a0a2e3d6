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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_FILE ".llmlog.lock"

/*
 * The lock file holds, mapped shared by every process writing the
 * directory, one robust process-shared mutex per category with the file's
 * current size and its rotation generation.  An uncontended lock costs no
 * system call; a writer killed while holding it leaves it recoverable.  The
 * mapping has a fixed size and the file is never truncated.
 */
#define SHARED_MAGIC 0x316730676f6c6d6cULL	/* "lmlog0g1" */
#define SHARED_SIZE 4096
#define RESYNC_EVERY 1024	/* writes between checks of size and inode */
#define RECHECK_NS 100000000	/* and at least this often (100 ms) */
#define IOV_BATCH 256		/* lines per writev() */

#define SWAP(type, a, b) do { type swap_ = (a); (a) = (b); (b) = swap_; } while (0)

bool sink_no_shared;

struct shared_cat {
	pthread_mutex_t mutex;
	int64_t size;
	uint64_t gen;
	uint64_t writes;
	int32_t size_valid;
} __attribute__((aligned(128)));

struct sink_shared {
	uint64_t magic;
	uint32_t mutex_size;
	uint32_t cat_size;
	uint32_t ncategories;
	char boot_id[40];	/* the boot that set up the mutexes */
	struct shared_cat cats[LLMLOG_NCATEGORIES];
};

_Static_assert(sizeof(struct sink_shared) <= SHARED_SIZE,
    "the shared lock state must fit its page");

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

/* mkdir -p, each missing component 0700 whatever the umask. */
static int
make_dirs(const char *path)
{
	char *copy, *p, c;
	int rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	for (p = copy + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, 0700) == 0)
			rc = chmod(copy, 0700);
		else if (errno != EEXIST)
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
		return errmsg_set("%s: %s", lg->dir, strerror(errno));
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		return errmsg_set("%s: log directory owned by uid %u, not by "
		    "this user (uid %u); refusing it", lg->dir,
		    (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if ((st.st_mode & 077) != 0 && fchmod(lg->dirfd, 0700) != 0)
		return errmsg_set("%s: cannot tighten mode to 0700: %s",
		    lg->dir, strerror(errno));
	return 0;
}

/* The lock file: ours and a plain file, since its contents steer every
 * writer of the directory. */
static int
open_lock_file(struct llmlog *lg)
{
	struct stat st;

	lg->lockfd = openat(lg->dirfd, LOCK_FILE,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (lg->lockfd < 0)
		return errmsg_set("%s/%s: %s", lg->dir, LOCK_FILE,
		    strerror(errno));
	if (fstat(lg->lockfd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink > 1) {
		errno = EPERM;
		return errmsg_set("%s/%s: not a plain file of this user; "
		    "refusing it", lg->dir, LOCK_FILE);
	}
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

/* The fallback's lock: byte cat of the lock file, an open-file-description
 * lock so that it excludes other processes and the handle's other
 * categories don't release it (flock() on the shared descriptor would). */
static int
lock_range(int fd, enum llmlog_category cat, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
	    .l_start = cat, .l_len = 1 };

	while (fcntl(fd, F_OFD_SETLKW, &fl) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static bool
shared_matches(const struct sink_shared *sh)
{
	return sh->magic == SHARED_MAGIC &&
	    sh->mutex_size == sizeof(pthread_mutex_t) &&
	    sh->cat_size == sizeof(struct shared_cat) &&
	    sh->ncategories == LLMLOG_NCATEGORIES;
}

/* The lock file outlives a crash of the machine, and a mutex held then
 * would stay held for ever: the mutexes are set up again once per boot. */
static void
boot_id(char *buf, size_t size)
{
	ssize_t n = 0;
	int fd;

	memset(buf, 0, size);
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

static int
shared_init(struct sink_shared *sh, const char *boot)
{
	pthread_mutexattr_t attr;
	int rc = -1;

	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0)
		goto out;
	sh->magic = 0;
	atomic_thread_fence(memory_order_release);
	memset(sh->cats, 0, sizeof sh->cats);
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		if (pthread_mutex_init(&sh->cats[i].mutex, &attr) != 0)
			goto out;
	sh->mutex_size = sizeof(pthread_mutex_t);
	sh->cat_size = sizeof(struct shared_cat);
	sh->ncategories = LLMLOG_NCATEGORIES;
	memcpy(sh->boot_id, boot, sizeof sh->boot_id);
	atomic_thread_fence(memory_order_release);
	sh->magic = SHARED_MAGIC;
	rc = 0;
out:
	pthread_mutexattr_destroy(&attr);
	return rc;
}

/* Map the lock file, setting it up under flock() when it is new or left
 * from an earlier boot.  When it can't be mapped (or was made by an
 * incompatible build) the writers of this handle use the fallback lock. */
static void
map_shared(struct llmlog *lg)
{
	struct sink_shared *sh;
	char boot[sizeof sh->boot_id];
	struct stat st;

	boot_id(boot, sizeof boot);
	if (lock_file(lg->lockfd, LOCK_EX) != 0)
		return;
	if (fstat(lg->lockfd, &st) != 0 || (st.st_size < SHARED_SIZE &&
	    ftruncate(lg->lockfd, SHARED_SIZE) != 0))
		goto out;
	sh = mmap(NULL, SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    lg->lockfd, 0);
	if (sh == MAP_FAILED)
		goto out;
	if ((sh->magic == 0 || (shared_matches(sh) &&
	    memcmp(sh->boot_id, boot, sizeof boot) != 0)) &&
	    shared_init(sh, boot) != 0)
		sh->magic = 0;
	if (!shared_matches(sh))
		munmap(sh, SHARED_SIZE);
	else
		lg->shared = sh;
out:
	lock_file(lg->lockfd, LOCK_UN);
}

void
sink_init_locks(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_init(&lg->files[i].lock, NULL);
	pthread_mutex_init(&lg->fallback_lock, NULL);
}

int
sink_open(struct llmlog *lg, const char *dir)
{
	if ((lg->dir = absolute(dir)) == NULL)
		return errno == ENOMEM ? errmsg_set("out of memory") :
		    errmsg_set("log directory: %s", strerror(errno));
	for (size_t n = strlen(lg->dir); n > 1 && lg->dir[n - 1] == '/'; n--)
		lg->dir[n - 1] = '\0';
	if (make_dirs(lg->dir) != 0)
		return errmsg_set("%s: cannot create: %s", lg->dir,
		    strerror(errno));
	lg->dirfd = open(lg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lg->dirfd < 0)
		return errmsg_set("%s: %s", lg->dir, strerror(errno));
	if (check_dir(lg) != 0 || open_lock_file(lg) != 0)
		return -1;
	if (!sink_no_shared)
		map_shared(lg);
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
	if (lg->shared != NULL)
		munmap(lg->shared, SHARED_SIZE);
	lg->shared = NULL;
	if (lg->lockfd >= 0)
		close(lg->lockfd);
	if (lg->dirfd >= 0)
		close(lg->dirfd);
	lg->lockfd = lg->dirfd = -1;
}

/* Open a category file for appending (and reading its last byte, see
 * end_line); never through a symlink, never a FIFO or device, never a file
 * with other names (hard links). */
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
	fd = openat(lg->dirfd, name, O_RDWR | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return errmsg_set("%s/%s: is a symbolic link; "
			    "refusing to follow it", lg->dir, name);
		return errmsg_set("%s/%s: %s", lg->dir, name, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
		close(fd);
		errno = EPERM;
		return errmsg_set("%s/%s: not a regular file of its own; "
		    "refusing it", lg->dir, name);
	}
	f->fd = fd;
	f->size = st.st_size;
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

/* A writer killed inside write() can leave part of a line behind (the
 * kernel stops a write to a file between pages for a fatal signal).  We
 * hold the lock, so that fragment is the file's tail: cut it off, so that
 * every line stays whole (its call never returned).  A fragment too long
 * to look back over is ended with a newline instead, and so is a tail we
 * can't be sure is ours to cut (cut false: found on first use, or after a
 * reboot). */
#define TORN_LOOKBACK 65536
static int
end_line(struct llmlog *lg, enum llmlog_category cat, int64_t *size,
    bool cut)
{
	int fd = lg->files[cat].fd;
	int64_t from = *size > TORN_LOOKBACK ? *size - TORN_LOOKBACK : 0;
	char *tail, *nl, last;
	ssize_t n;

	if (*size <= 0 || pread(fd, &last, 1, *size - 1) != 1 || last == '\n')
		return 0;
	if (!cut) {
		if (write(fd, "\n", 1) == 1)
			(*size)++;
		return 0;
	}
	if ((tail = malloc((size_t)(*size - from))) == NULL)
		return errmsg_set("%s/%s: out of memory", lg->dir,
		    llmlog_category_file(cat));
	n = pread(fd, tail, (size_t)(*size - from), from);
	if (n <= 0 || tail[n - 1] == '\n') {
		free(tail);
		return 0;
	}
	nl = memrchr(tail, '\n', (size_t)n);
	if ((nl != NULL || from == 0) &&
	    ftruncate(fd, nl != NULL ? from + (nl - tail) + 1 : 0) == 0)
		*size = nl != NULL ? from + (nl - tail) + 1 : 0;
	else if (write(fd, "\n", 1) == 1)
		(*size)++;
	free(tail);
	return 0;
}

static int64_t
coarse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether it is time to check again that the descriptor is still the file
 * at the path: someone may have deleted or replaced it. */
static bool
check_due(struct sink_file *f)
{
	int64_t now = coarse_now_ns();

	if (now - f->checked_ns < RECHECK_NS)
		return false;
	f->checked_ns = now;
	return true;
}

/* The fallback: the category's byte of the lock file, taken by one thread
 * of the process at a time (a thread waiting in fcntl() while another of
 * its process holds a byte would be a hazard under tools that run one
 * thread at a time, such as valgrind). */
static int
lock_fallback(struct llmlog *lg, enum llmlog_category cat, int64_t **sizep)
{
	pthread_mutex_lock(&lg->fallback_lock);
	if (lock_range(lg->lockfd, cat, F_WRLCK) != 0) {
		pthread_mutex_unlock(&lg->fallback_lock);
		return errmsg_set("%s/%s: cannot lock: %s", lg->dir, LOCK_FILE,
		    strerror(errno));
	}
	*sizep = &lg->files[cat].size;
	/* the lock of a dead writer goes unnoticed here: always check how
	 * the file ends */
	if ((!fd_current(lg, cat) && open_file(lg, cat) != 0) ||
	    end_line(lg, cat, *sizep, true) != 0) {
		lock_range(lg->lockfd, cat, F_UNLCK);
		pthread_mutex_unlock(&lg->fallback_lock);
		return -1;
	}
	return 0;
}

/* Make the shared size true again: after a rotation, a dead writer, or
 * now and then in case someone else appended to or truncated the file. */
static int
shared_resync(struct llmlog *lg, enum llmlog_category cat,
    struct shared_cat *sc, bool owner_died)
{
	struct sink_file *f = &lg->files[cat];
	bool reopen = f->fd < 0 || f->gen != sc->gen;
	struct stat st;

	if (!reopen && !fd_current(lg, cat)) {
		/* moved or removed behind our back: everyone reopens */
		sc->gen++;
		reopen = true;
	}
	if (reopen) {
		if (open_file(lg, cat) != 0)
			return -1;
		f->gen = sc->gen;
	}
	if (fstat(f->fd, &st) != 0)
		return errmsg_set("%s/%s: %s", lg->dir,
		    llmlog_category_file(cat), strerror(errno));
	sc->size = st.st_size;
	/* a writer died holding the lock, or the lock state is new (first
	 * use, or after a reboot): the file may end in a torn line */
	if (!sc->size_valid && end_line(lg, cat, &sc->size, owner_died) != 0)
		return -1;
	sc->size_valid = 1;
	return 0;
}

static int
lock_shared(struct llmlog *lg, enum llmlog_category cat, int64_t **sizep)
{
	struct shared_cat *sc = &lg->shared->cats[cat];
	struct sink_file *f = &lg->files[cat];
	bool owner_died = false;
	int rc;

	rc = pthread_mutex_lock(&sc->mutex);
	if (rc == EOWNERDEAD) {
		owner_died = true;
		/* its writer died holding it, maybe mid-rotation: everyone
		 * reopens and the size is measured again */
		pthread_mutex_consistent(&sc->mutex);
		sc->gen++;
		sc->size_valid = 0;
	} else if (rc != 0) {
		errno = rc;
		return errmsg_set("%s/%s: cannot lock: %s", lg->dir, LOCK_FILE,
		    strerror(rc));
	}
	*sizep = &sc->size;
	if (f->fd >= 0 && f->gen == sc->gen && sc->size_valid &&
	    ++sc->writes % RESYNC_EVERY != 0 && !check_due(f))
		return 0;
	if (shared_resync(lg, cat, sc, owner_died) != 0) {
		pthread_mutex_unlock(&sc->mutex);
		return -1;
	}
	return 0;
}

/* Take the category's locks, make sure the descriptor is the current file
 * and point *sizep at its size. */
static int
cat_lock(struct llmlog *lg, enum llmlog_category cat, int64_t **sizep)
{
	struct sink_file *f = &lg->files[cat];
	int rc;

	pthread_mutex_lock(&f->lock);
	if (lg->shared != NULL)
		rc = lock_shared(lg, cat, sizep);
	else
		rc = lock_fallback(lg, cat, sizep);
	if (rc != 0)
		pthread_mutex_unlock(&f->lock);
	return rc;
}

static void
cat_unlock(struct llmlog *lg, enum llmlog_category cat)
{
	if (lg->shared != NULL)
		pthread_mutex_unlock(&lg->shared->cats[cat].mutex);
	else {
		lock_range(lg->lockfd, cat, F_UNLCK);
		pthread_mutex_unlock(&lg->fallback_lock);
	}
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

static bool
backup_exists(struct llmlog *lg, enum llmlog_category cat, int n)
{
	char name[NAME_MAX + 1];
	struct stat st;

	backup_name(name, sizeof name, cat, n);
	return fstatat(lg->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * file.(n-1) -> file.n, ..., file -> file.1, then a fresh file; when all
 * the backups exist the rename over the last one deletes the oldest.  Only
 * the run of backups from .1 up to the first missing one moves, so a
 * rotation costs what exists, not what is allowed (a backup left beyond a
 * gap by someone else stays where it is).
 */
static int
rotate(struct llmlog *lg, enum llmlog_category cat, int64_t *size)
{
	char from[NAME_MAX + 1], to[NAME_MAX + 1];
	int top = 1;

	while (top < lg->backups && backup_exists(lg, cat, top))
		top++;
	for (int i = top; i > 0; i--) {
		backup_name(from, sizeof from, cat, i - 1);
		backup_name(to, sizeof to, cat, i);
		if (renameat(lg->dirfd, from, lg->dirfd, to) != 0 &&
		    errno != ENOENT)
			return errmsg_set("%s/%s: cannot rotate to %s: %s",
			    lg->dir, from, to, strerror(errno));
	}
	if (lg->shared != NULL)
		lg->shared->cats[cat].gen++;
	if (open_file(lg, cat) != 0)
		return -1;
	if (lg->shared != NULL)
		lg->files[cat].gen = lg->shared->cats[cat].gen;
	*size = lg->files[cat].size;
	return 0;
}

/* A write failed part-way through a line (full disk, file size limit):
 * cut the part off again so that no torn line stays behind.  We hold the
 * lock, so the part is the file's last bytes. */
static void
unwrite(struct llmlog *lg, enum llmlog_category cat, size_t part,
    int64_t *size)
{
	struct stat st;
	int fd = lg->files[cat].fd;

	if (part > 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)part &&
	    ftruncate(fd, st.st_size - (off_t)part) == 0)
		*size -= (int64_t)part;
}

/* Write lines[0..n) with as few writev() calls as the kernel allows,
 * continuing after short writes and EINTR; *done counts whole lines. */
static int
write_lines(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n, int64_t *size, size_t *done)
{
	struct iovec iov[IOV_BATCH];
	size_t i = 0, off = 0, cnt, left;	/* next byte: lines[i] + off */
	int fd = lg->files[cat].fd;
	ssize_t w;

	while (i < n) {
		for (cnt = 0; cnt < IOV_BATCH && i + cnt < n; cnt++)
			iov[cnt] = lines[i + cnt];
		iov[0].iov_base = (char *)iov[0].iov_base + off;
		iov[0].iov_len -= off;
		if (cnt == 1)
			w = write(fd, iov[0].iov_base, iov[0].iov_len);
		else
			w = writev(fd, iov, (int)cnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			unwrite(lg, cat, off, size);
			return errmsg_set("%s/%s: %s", lg->dir,
			    llmlog_category_file(cat), strerror(errno));
		}
		*size += w;
		for (; w > 0; w -= (ssize_t)left) {
			left = lines[i].iov_len - off;
			if ((size_t)w < left) {
				off += (size_t)w;
				break;
			}
			i++;
			off = 0;
			(*done)++;
		}
	}
	return 0;
}

/* Python's shouldRollover, except that an empty file is never rotated:
 * a line bigger than the limit goes into a fresh file on its own. */
static bool
must_rotate(struct llmlog *lg, int64_t size, size_t len)
{
	return lg->backups != LLMLOG_BACKUPS_NONE &&
	    lg->max_bytes != LLMLOG_MAX_BYTES_NONE && size > 0 &&
	    size + (int64_t)len >= lg->max_bytes;
}

/* Every in-process lock of the handle, in one order (fork, and the
 * directory's replacement, need them all). */
static void
hold_all(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_lock(&lg->files[i].lock);
	pthread_mutex_lock(&lg->fallback_lock);
}

static void
release_all(struct llmlog *lg)
{
	pthread_mutex_unlock(&lg->fallback_lock);
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_unlock(&lg->files[i].lock);
}

/* Open the directory now at the handle's path (creating it again when it
 * is gone), as a new process would, and switch to it.  Nothing changes
 * when that fails: the next check tries again. */
static void
dir_reopen(struct llmlog *lg)
{
	struct llmlog fresh = { .dir = lg->dir, .dirfd = -1, .lockfd = -1 };

	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		fresh.files[i].fd = -1;
	if (make_dirs(lg->dir) != 0 ||
	    (fresh.dirfd = open(lg->dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || check_dir(&fresh) != 0 ||
	    open_lock_file(&fresh) != 0) {
		fresh.dir = NULL;
		sink_close(&fresh);
		return;
	}
	if (!sink_no_shared)
		map_shared(&fresh);
	fresh.dir = NULL;
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		fresh.files[i].fd = lg->files[i].fd;
		lg->files[i].fd = -1;
	}
	SWAP(int, lg->dirfd, fresh.dirfd);
	SWAP(int, lg->lockfd, fresh.lockfd);
	SWAP(struct sink_shared *, lg->shared, fresh.shared);
	sink_close(&fresh);
}

/* Now and then: is the directory at the path still ours?  Someone may
 * have deleted the logs (rm -rf) or pointed a symlink elsewhere; one
 * thread checks, and switches with every lock of the handle held. */
static void
dir_recheck(struct llmlog *lg)
{
	int64_t now = coarse_now_ns(), last;
	struct stat at, st;

	last = atomic_load_explicit(&lg->dir_checked_ns, memory_order_relaxed);
	if (now - last < RECHECK_NS || !atomic_compare_exchange_strong(
	    &lg->dir_checked_ns, &last, now))
		return;
	if (stat(lg->dir, &at) == 0 && fstat(lg->dirfd, &st) == 0 &&
	    at.st_ino == st.st_ino && at.st_dev == st.st_dev)
		return;
	hold_all(lg);
	dir_reopen(lg);
	release_all(lg);
}

size_t
sink_write(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n)
{
	int64_t *size = NULL, pending = 0;
	size_t done = 0, first = 0;

	dir_recheck(lg);
	if (cat_lock(lg, cat, &size) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (must_rotate(lg, *size + pending, lines[i].iov_len)) {
			if (write_lines(lg, cat, lines + first, i - first,
			    size, &done) != 0 || rotate(lg, cat, size) != 0)
				goto out;
			first = i;
			pending = 0;
		}
		pending += (int64_t)lines[i].iov_len;
	}
	write_lines(lg, cat, lines + first, n - first, size, &done);
out:
	cat_unlock(lg, cat);
	return done;
}

void
sink_fork_prepare(struct llmlog *lg)
{
	hold_all(lg);
}

void
sink_fork_parent(struct llmlog *lg)
{
	release_all(lg);
}

void
sink_fork_child(struct llmlog *lg)
{
	sink_init_locks(lg);
}

int
sink_hold_lock(struct llmlog *lg, enum llmlog_category cat)
{
	if (lg->shared == NULL)
		return -1;
	return pthread_mutex_lock(&lg->shared->cats[cat].mutex) == 0 ? 0 : -1;
}
