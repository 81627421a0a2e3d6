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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/*
 * The file size limit (RLIMIT_FSIZE, ulimit -f).  A write that would take
 * a file past it raises SIGXFSZ (signals.c), so such a write is made with
 * the signal blocked.  Blocking costs two system calls, so a write known
 * to stay under the limit is made without: the limit is read again at most
 * once per tick of the coarse clock (a few milliseconds), and in a child
 * of fork() before its first write.  Writes the library makes seldom
 * (cutting a torn line, sizing the lock file) always block it.
 */
static _Atomic int64_t fsize_limit;		/* INT64_MAX: none */
static _Atomic int64_t fsize_read_ns = INT64_MIN;	/* when, coarse */

static int64_t
coarse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t
fsize_limit_at(int64_t now)
{
	struct rlimit rl;
	int64_t limit;

	if (atomic_load_explicit(&fsize_read_ns, memory_order_acquire) == now)
		return atomic_load_explicit(&fsize_limit, memory_order_relaxed);
	if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
		limit = 0;	/* unknown: block the signal for every write */
	else if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT64_MAX)
		limit = INT64_MAX;
	else
		limit = (int64_t)rl.rlim_cur;
	atomic_store_explicit(&fsize_limit, limit, memory_order_relaxed);
	atomic_store_explicit(&fsize_read_ns, now, memory_order_release);
	return limit;
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

/* Make one directory 0700 whatever the umask.  The mode is set through a
 * descriptor of the directory just made, never through the path: whatever
 * someone put at the path meanwhile keeps its mode.  0, also when the
 * directory exists (check_dir() judges it), or -1. */
static int
make_dir(const char *path)
{
	struct stat st;
	int fd, rc = 0;

	if (mkdir(path, 0700) != 0)
		return errno == EEXIST ? 0 : -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    (st.st_mode & 07777) != 0700)
		rc = fchmod(fd, 0700);
	close(fd);
	return rc;
}

/* mkdir -p: each missing component made by make_dir(); the directories
 * that exist already are left as they are. */
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
		rc = make_dir(copy);
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

/* Ours, and not a directory where anyone may replace our files.  Its mode
 * is never changed: it may be /tmp, or a directory the user shares on
 * purpose; one the library made is 0700 already. */
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
	if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0) {
		errno = EPERM;
		return errmsg_set("%s: log directory is writable by every user "
		    "(mode %04o) and has no sticky bit, so anyone could replace "
		    "its files; refusing it (chmod o-w or +t)", lg->dir,
		    (unsigned)(st.st_mode & 07777));
	}
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
	struct sig_guard xfsz = { 0 };
	struct stat st;

	boot_id(boot, sizeof boot);
	if (lock_file(lg->lockfd, LOCK_EX) != 0)
		return;
	/* growing the file may go past the file size limit */
	sig_block(&xfsz, SIGXFSZ);
	if (fstat(lg->lockfd, &st) != 0 || (st.st_size < SHARED_SIZE &&
	    ftruncate(lg->lockfd, SHARED_SIZE) != 0)) {
		sig_restore(&xfsz);
		goto out;
	}
	sig_restore(&xfsz);
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

/*
 * What the writer asks of a file: its identity, link count and size.
 * statx() is asked for those only: asking for the change time, as fstat()
 * does, makes the kernel give the next write to the file a fine-grained
 * new change time (multigrain timestamps, Linux 6.13), which costs that
 * write an inode update, and the writer asks often.
 */
struct file_info {
	uint64_t ino, dev;
	nlink_t nlink;
	int64_t size;
};

static int
file_info(int dirfd, const char *name, int flags, struct file_info *fi)
{
	struct stat st;
#ifdef HAVE_STATX
	const unsigned want = STATX_INO | STATX_NLINK | STATX_SIZE;
	struct statx stx;

	if (statx(dirfd, name, flags, want, &stx) == 0 &&
	    (stx.stx_mask & want) == want) {
		fi->ino = stx.stx_ino;
		fi->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		fi->nlink = stx.stx_nlink;
		fi->size = (int64_t)stx.stx_size;
		return 0;
	}
#endif
	if (fstatat(dirfd, name, &st, flags) != 0)
		return -1;
	fi->ino = st.st_ino;
	fi->dev = st.st_dev;
	fi->nlink = st.st_nlink;
	fi->size = st.st_size;
	return 0;
}

static int
fd_info(int fd, struct file_info *fi)
{
	return file_info(fd, "", AT_EMPTY_PATH, fi);
}

/*
 * The journal: the lines written to a category file since the writer last
 * made sure the file still has a name.  A file deleted under the writer
 * (rm, or rm -rf of the directory) keeps taking writes, which are lost
 * with it; asking after every write costs a system call, so the writer
 * asks at most once per tick of the coarse clock, when the journal is
 * full, before it gives the descriptor up, and at llmlog_flush() and
 * llmlog_close() (sink_verify).  When the file has no name left, the
 * journal's lines are written again at the path, into the file opened
 * there; a line written just before the deletion may so appear again.
 * Only a journal begun within RECHECK_NS is: after a longer pause the
 * file was most likely deleted (or rotated away) after the lines reached
 * it, and writing them again would bring back what was removed.
 */
#define JOURNAL_MAX 16384

static void
journal_clear(struct sink_file *f)
{
	f->jlen = 0;
	f->jlines = 0;
	f->replay = false;
}

/* Keep lines[0..n) (bytes in all) in the journal; false when they do not
 * fit (or memory ran out): the file must be asked after now. */
static bool
journal_add(struct sink_file *f, const struct iovec *lines, size_t n,
    size_t bytes, int64_t now)
{
	if (f->replay || f->jlen + bytes > JOURNAL_MAX)
		return false;
	if (f->journal == NULL && (f->journal = malloc(JOURNAL_MAX)) == NULL)
		return false;
	if (f->jlen == 0)
		f->jstart_ns = now;
	for (size_t i = 0; i < n; i++) {
		memcpy(f->journal + f->jlen, lines[i].iov_base, lines[i].iov_len);
		f->jlen += lines[i].iov_len;
	}
	f->jlines += n;
	return true;
}

/* The descriptor is about to be given up: the journal's lines are safe if
 * its file still has a name (a rotation renamed it, say), and are to be
 * written again at the path if it has none. */
static void
journal_settle(struct sink_file *f, int64_t now)
{
	struct file_info fi;

	if (f->jlen == 0 || f->fd < 0 || f->replay)
		return;
	if (fd_info(f->fd, &fi) == 0 && fi.nlink == 0 &&
	    now - f->jstart_ns <= RECHECK_NS)
		f->replay = true;
	else
		journal_clear(f);
}

/* Write the journal of a deleted file into the file just opened at the
 * path.  What cannot be written is counted as dropped: its calls had
 * returned. */
static void
journal_replay(struct llmlog *lg, enum llmlog_category cat)
{
	struct sink_file *f = &lg->files[cat];
	struct sig_guard xfsz = { 0 };
	size_t off = 0;
	ssize_t w = 0;

	if (!f->replay)
		return;
	sig_block(&xfsz, SIGXFSZ);
	while (off < f->jlen) {
		w = write(f->fd, f->journal + off, f->jlen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	sig_restore(&xfsz);
	if (off == f->jlen)
		f->size += (int64_t)off;
	else {
		if (w == 0)
			errno = EIO;
		/* whole lines or none: the file ends where it did */
		if (off > 0 && ftruncate(f->fd, f->size) != 0)
			f->size += (int64_t)off;
		atomic_fetch_add_explicit(&lg->dropped, f->jlines,
		    memory_order_relaxed);
		errmsg_set("%s/%s: %llu entries written to the file before it "
		    "was deleted could not be written again: %s", lg->dir,
		    llmlog_category_file(cat), (unsigned long long)f->jlines,
		    strerror(errno));
	}
	journal_clear(f);
}

void
sink_close(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		if (lg->files[i].fd >= 0)
			close(lg->files[i].fd);
		lg->files[i].fd = -1;
		free(lg->files[i].journal);
		lg->files[i].journal = NULL;
		journal_clear(&lg->files[i]);
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
 * with other names (hard links) or of another user (one planted in a
 * sticky directory). */
static int
open_file(struct llmlog *lg, enum llmlog_category cat)
{
	const char *name = llmlog_category_file(cat);
	struct sink_file *f = &lg->files[cat];
	struct stat st;
	int fd;

	if (f->fd >= 0) {
		journal_settle(f, coarse_now_ns());
		close(f->fd);
	}
	f->fd = -1;
	fd = openat(lg->dirfd, name, O_RDWR | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return errmsg_set("%s/%s: is a symbolic link; "
			    "refusing to follow it", lg->dir, name);
		return errmsg_set("%s/%s: %s", lg->dir, name, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1 ||
	    st.st_uid != geteuid()) {
		close(fd);
		errno = EPERM;
		return errmsg_set("%s/%s: not a plain file of this user with no "
		    "other name; refusing it", lg->dir, name);
	}
	f->fd = fd;
	f->size = st.st_size;
	journal_replay(lg, cat);
	return 0;
}

/* Whether our descriptor still is the file at the path. */
static bool
fd_current(struct llmlog *lg, enum llmlog_category cat)
{
	struct file_info at, fi;
	int fd = lg->files[cat].fd;

	if (fd < 0)
		return false;
	if (file_info(lg->dirfd, llmlog_category_file(cat),
	    AT_SYMLINK_NOFOLLOW, &at) != 0 || fd_info(fd, &fi) != 0)
		return false;
	lg->files[cat].size = fi.size;
	return at.ino == fi.ino && at.dev == fi.dev;
}

/* A writer killed inside write() can leave part of a line behind (the
 * kernel stops a write to a file between pages for a fatal signal).  We
 * hold the lock, so that fragment is the file's tail: cut it off, so that
 * every line stays whole (its call never returned).  A fragment too long
 * to look back over is ended with a newline instead, and so is a tail we
 * can't be sure is ours to cut (cut false: found on first use, or after a
 * reboot). */
#define TORN_LOOKBACK 65536
static void
end_with_newline(int fd, int64_t *size)
{
	struct sig_guard xfsz = { 0 };

	sig_block(&xfsz, SIGXFSZ);
	if (write(fd, "\n", 1) == 1)
		(*size)++;
	sig_restore(&xfsz);
}

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
		end_with_newline(fd, size);
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
	else
		end_with_newline(fd, size);
	free(tail);
	return 0;
}

/* Whether it is time to check again that the descriptor is still the file
 * at the path: someone may have deleted or replaced it. */
static bool
check_due(struct sink_file *f, int64_t now)
{
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
lock_shared(struct llmlog *lg, enum llmlog_category cat, int64_t now,
    int64_t **sizep)
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
	    ++sc->writes % RESYNC_EVERY != 0 && !check_due(f, now))
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
cat_lock(struct llmlog *lg, enum llmlog_category cat, int64_t now,
    int64_t **sizep)
{
	struct sink_file *f = &lg->files[cat];
	int rc;

	pthread_mutex_lock(&f->lock);
	if (lg->shared != NULL)
		rc = lock_shared(lg, cat, now, sizep);
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
 * the backups exist the oldest, file.n, is removed first.  Only the run of
 * backups from .1 up to the first missing one moves, so a rotation costs
 * what exists, not what is allowed (a backup left beyond a gap by someone
 * else stays where it is).
 *
 * Removing the oldest before the renames, as Python does, means that no
 * rename replaces a file: ext4 starts writing out the source of a rename
 * that replaces one (its replace-by-rename safeguard), which would cost
 * the rotating caller the submission of a whole file's dirty pages.
 */
static int
rotate(struct llmlog *lg, enum llmlog_category cat, int64_t *size)
{
	char from[NAME_MAX + 1], to[NAME_MAX + 1];
	int top = 1;

	while (top < lg->backups && backup_exists(lg, cat, top))
		top++;
	backup_name(to, sizeof to, cat, top);
	if (unlinkat(lg->dirfd, to, 0) != 0 && errno != ENOENT)
		return errmsg_set("%s/%s: cannot remove the oldest backup: %s",
		    lg->dir, to, strerror(errno));
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
 * lock, so the part is the file's last bytes.  errno is kept. */
static void
unwrite(struct llmlog *lg, enum llmlog_category cat, size_t part,
    int64_t *size)
{
	struct stat st;
	int fd = lg->files[cat].fd, saved = errno;

	if (part > 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)part &&
	    ftruncate(fd, st.st_size - (off_t)part) == 0)
		*size -= (int64_t)part;
	errno = saved;
}

static int
write_failed(struct llmlog *lg, enum llmlog_category cat)
{
	if (errno == EFBIG)
		return errmsg_set("%s/%s: %s (the process's file size limit, "
		    "ulimit -f)", lg->dir, llmlog_category_file(cat),
		    strerror(errno));
	return errmsg_set("%s/%s: %s", lg->dir, llmlog_category_file(cat),
	    strerror(errno));
}

/* Write lines[0..n) with as few writev() calls as the kernel allows,
 * continuing after short writes and EINTR; *done counts whole lines.
 * SIGXFSZ is blocked when the lines may reach the file size limit, and
 * after a short write (the limit may be what cut it short: the next write
 * would raise it). */
static int
write_lines(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n, int64_t now, int64_t *size,
    size_t *done)
{
	struct iovec iov[IOV_BATCH];
	size_t i = 0, off = 0, cnt, left, want;	/* next byte: lines[i] + off */
	struct sig_guard xfsz = { 0 };
	int64_t bytes = 0;
	int fd = lg->files[cat].fd, rc = 0;
	ssize_t w;

	for (size_t k = 0; k < n; k++)
		bytes += (int64_t)lines[k].iov_len;
	if (n > 0 && *size + bytes > fsize_limit_at(now))
		sig_block(&xfsz, SIGXFSZ);
	while (i < n) {
		want = 0;
		for (cnt = 0; cnt < IOV_BATCH && i + cnt < n; cnt++) {
			iov[cnt] = lines[i + cnt];
			want += iov[cnt].iov_len;
		}
		iov[0].iov_base = (char *)iov[0].iov_base + off;
		iov[0].iov_len -= off;
		want -= off;
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
			rc = write_failed(lg, cat);
			break;
		}
		if ((size_t)w < want)
			sig_block(&xfsz, SIGXFSZ);
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
	sig_restore(&xfsz);
	return rc;
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
		journal_settle(&lg->files[i], coarse_now_ns());
		fresh.files[i].fd = lg->files[i].fd;
		lg->files[i].fd = -1;
	}
	SWAP(int, lg->dirfd, fresh.dirfd);
	SWAP(int, lg->lockfd, fresh.lockfd);
	SWAP(struct sink_shared *, lg->shared, fresh.shared);
	sink_close(&fresh);
}

/* Now and then (always when force): is the directory at the path still
 * ours?  Someone may have deleted the logs (rm -rf) or pointed a symlink
 * elsewhere; one thread checks, and switches with every lock of the
 * handle held. */
static void
dir_recheck(struct llmlog *lg, int64_t now, bool force)
{
	struct stat at, st;
	int64_t last;

	last = atomic_load_explicit(&lg->dir_checked_ns, memory_order_relaxed);
	if (!force && (now - last < RECHECK_NS ||
	    !atomic_compare_exchange_strong(&lg->dir_checked_ns, &last, now)))
		return;
	if (stat(lg->dir, &at) == 0 && fstat(lg->dirfd, &st) == 0 &&
	    at.st_ino == st.st_ino && at.st_dev == st.st_dev && st.st_nlink > 0)
		return;
	hold_all(lg);
	dir_reopen(lg);
	release_all(lg);
}

/* Ask whether the file the journal's lines went to still has a name;
 * false when it has none (everyone is to reopen, and the journal is
 * written again at the path when the file is opened there). */
static bool
journal_safe(struct llmlog *lg, enum llmlog_category cat, int64_t now,
    int64_t *size)
{
	struct sink_file *f = &lg->files[cat];
	struct file_info fi;

	f->verified_ns = now;
	if (fd_info(f->fd, &fi) != 0) {
		journal_clear(f);	/* nothing better known: go on */
		return true;
	}
	if (fi.nlink == 0) {
		if (now - f->jstart_ns <= RECHECK_NS)
			f->replay = true;
		else
			journal_clear(f);
		/* the fallback's next lock finds the path changed anyway */
		if (lg->shared != NULL)
			lg->shared->cats[cat].gen++;
		return false;
	}
	journal_clear(f);
	*size = fi.size;	/* someone else may append: the true size */
	return true;
}

/* Write lines[0..n) under the category's locks, rotating where needed,
 * and keep them in the journal (or, when they do not fit, ask after the
 * file at once).  Whole lines written: *done.  *gone when the file turned
 * out deleted: the lines from *done on are still to be written, and the
 * journal is to be written again, once the path is opened again.  force:
 * ask after the file whatever the journal holds (sink_verify). */
static void
write_locked(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n, int64_t now, bool force,
    size_t *done, bool *gone)
{
	struct sink_file *f = &lg->files[cat];
	int64_t *size = NULL, pending = 0;
	size_t first = 0, before;

	*done = 0;
	*gone = false;
	if (cat_lock(lg, cat, now, &size) != 0)
		return;
	if (f->jlen > 0 && (force || now != f->verified_ns) &&
	    !journal_safe(lg, cat, now, size)) {
		*gone = true;
		goto out;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !must_rotate(lg, *size + pending,
		    lines[i].iov_len)) {
			pending += (int64_t)lines[i].iov_len;
			continue;
		}
		if (i > first) {
			if (f->jlen > 0 && f->jlen + (size_t)pending >
			    JOURNAL_MAX && !journal_safe(lg, cat, now, size)) {
				*gone = true;
				break;
			}
			before = *done;
			if (write_lines(lg, cat, lines + first, i - first, now,
			    size, done) != 0)
				break;
			if (!journal_add(f, lines + first, i - first,
			    (size_t)pending, now) && !journal_safe(lg, cat, now,
			    size)) {
				/* these lines are not in the journal */
				journal_clear(f);
				*done = before;
				*gone = true;
				break;
			}
		}
		if (i == n || rotate(lg, cat, size) != 0)
			break;
		first = i;
		pending = (int64_t)lines[i].iov_len;
	}
out:
	cat_unlock(lg, cat);
}

static size_t
write_at_path(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n, bool force)
{
	int64_t now = coarse_now_ns();
	size_t done, more;
	bool gone;

	dir_recheck(lg, now, false);
	write_locked(lg, cat, lines, n, now, force, &done, &gone);
	if (!gone)
		return done;
	/* deleted under us, with its directory maybe: open the path again,
	 * made again if need be, and write there */
	dir_recheck(lg, now, true);
	write_locked(lg, cat, lines + done, n - done, now, false, &more,
	    &gone);
	if (gone) {
		errno = ENOENT;
		errmsg_set("%s/%s: deleted again while being written", lg->dir,
		    llmlog_category_file(cat));
	}
	return done + more;
}

size_t
sink_write(struct llmlog *lg, enum llmlog_category cat,
    const struct iovec *lines, size_t n)
{
	return write_at_path(lg, cat, lines, n, false);
}

int
sink_verify(struct llmlog *lg)
{
	uint64_t dropped = atomic_load(&lg->dropped);
	bool kept;

	for (int i = 0; i < LLMLOG_NCATEGORIES; i++) {
		pthread_mutex_lock(&lg->files[i].lock);
		kept = lg->files[i].fd >= 0 && lg->files[i].jlen > 0;
		pthread_mutex_unlock(&lg->files[i].lock);
		if (kept)
			(void)write_at_path(lg, (enum llmlog_category)i, NULL, 0,
			    true);
	}
	return atomic_load(&lg->dropped) == dropped ? 0 : -1;
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
	/* the lines written so far are the parent's to look after */
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		journal_clear(&lg->files[i]);
	/* a shell's child may set a limit of its own before it writes */
	atomic_store_explicit(&fsize_read_ns, INT64_MIN, memory_order_relaxed);
}

int
sink_hold_lock(struct llmlog *lg, enum llmlog_category cat)
{
	if (lg->shared == NULL)
		return -1;
	return pthread_mutex_lock(&lg->shared->cats[cat].mutex) == 0 ? 0 : -1;
}
