/*
 * log.c - the handle of libllmlog: configuration, the process-wide default
 * log, levels and the console echo.  Lines reach the files through sink.c
 * (sync) or queue.c (async).
 */
#include "config.h"

#include "sink.h"

#include <errno.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BYTES (10 * 1024 * 1024)
#define DEFAULT_BACKUPS 5
#define DEFAULT_QUEUE_SIZE 8192
#define PASSWD_BUF_MAX (1024 * 1024)	/* getpwuid_r()'s buffer grows to this */
/* The default log, and the defaults it replaced (kept until exit: another
 * thread may still be using one). */
static struct llmlog *_Atomic default_log;
static struct llmlog *retired_logs;
static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static bool default_atexit;

/* With default_lock held.  The config of the last llmlog_setup(), kept
 * for the default's whole life: a default closed by its owner is opened
 * again with it, its directory as the first open made it absolute. */
static struct llmlog_config setup_cfg;
static char *setup_dir;
static bool have_setup;

/* With default_lock held.  A default that could not be opened is tried
 * again at most every log_default_retry_ns; meanwhile every call that
 * needs it fails at once with the first failure's reason, and its entry is
 * counted in default_dropped. */
#define DEFAULT_RETRY_NS 1000000000	/* 1 s */
int64_t log_default_retry_ns = DEFAULT_RETRY_NS;
static bool default_failed;
static int64_t default_failed_ns;
static int default_errno;
static char default_errmsg[256];
static _Atomic uint64_t default_dropped;

/*
 * Signal handlers.  The library is not async-signal-safe: it allocates,
 * takes locks and builds lines in per-thread buffers.  A handler that
 * logs while the thread it interrupted is inside the library would wait
 * for a lock that thread holds (a hang) or build its line in the buffer
 * the interrupted call is building (a garbled line).  So every entry point
 * that takes a lock or a buffer marks the thread as inside, and a call
 * made while it is (from a handler, then) is refused at once: -1 with
 * EDEADLK, its entry counted as dropped.  The thread's message is left
 * alone: the interrupted call may be writing it.  Initial-exec TLS: a
 * handler must not make the dynamic linker allocate it.
 */
static __thread volatile sig_atomic_t in_library
    __attribute__((tls_model("initial-exec")));

static bool
enter(void)
{
	if (in_library)
		return false;
	in_library = 1;
	atomic_signal_fence(memory_order_seq_cst);
	return true;
}

static void
leave(void)
{
	atomic_signal_fence(memory_order_seq_cst);
	in_library = 0;
}

static int
refuse(void)
{
	errno = EDEADLK;
	return -1;
}

int
log_enter(struct llmlog *lg)
{
	if (enter())
		return 0;
	if (lg == NULL)
		lg = default_log;
	atomic_fetch_add_explicit(lg != NULL ? &lg->dropped : &default_dropped,
	    1, memory_order_relaxed);
	return refuse();
}

void
log_leave(void)
{
	leave();
}

/* Every open handle, so fork() can hold and reset their locks. */
static struct llmlog *open_logs;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
fork_prepare(void)
{
	pthread_mutex_lock(&open_lock);
	for (struct llmlog *lg = open_logs; lg != NULL; lg = lg->next) {
		if (lg->queue != NULL)
			queue_fork_prepare(lg->queue);
		sink_fork_prepare(lg);
	}
}

static void
fork_parent(void)
{
	for (struct llmlog *lg = open_logs; lg != NULL; lg = lg->next) {
		sink_fork_parent(lg);
		if (lg->queue != NULL)
			queue_fork_parent(lg->queue);
	}
	pthread_mutex_unlock(&open_lock);
}

static void
fork_child(void)
{
	for (struct llmlog *lg = open_logs; lg != NULL; lg = lg->next) {
		sink_fork_child(lg);
		if (lg->queue != NULL)
			queue_fork_child(lg->queue);
	}
	pthread_mutex_init(&open_lock, NULL);
	pthread_mutex_init(&default_lock, NULL);
}

static void
register_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void
list_add(struct llmlog *lg)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&open_lock);
	lg->next = open_logs;
	open_logs = lg;
	pthread_mutex_unlock(&open_lock);
}

static void
list_remove(struct llmlog *lg)
{
	pthread_mutex_lock(&open_lock);
	for (struct llmlog **p = &open_logs; *p != NULL; p = &(*p)->next) {
		if (*p == lg) {
			*p = lg->next;
			break;
		}
	}
	pthread_mutex_unlock(&open_lock);
}

/* One whole write to stderr.  SIGPIPE is blocked around it: stderr may be
 * a pipe whose reader is gone, and the signal's default action would end
 * the host (MSG_NOSIGNAL is for sockets only).  Whether it was all
 * written; errno is kept. */
static bool
stderr_write(const char *buf, size_t n)
{
	struct sig_guard epipe = { 0 };
	int saved = errno;
	ssize_t w;

	sig_block(&epipe, SIGPIPE);
	do
		w = write(STDERR_FILENO, buf, n);
	while (w < 0 && errno == EINTR);
	sig_restore(&epipe);
	errno = saved;
	return w == (ssize_t)n;
}

/* Said on stderr once per process, at the open that meets it: an
 * LLMLOG_LEVEL that names no level (the value made safe to show). */
static void
level_warn(const char *env)
{
	static const char head[] = "llmlog: LLMLOG_LEVEL=";
	static const char tail[] = " names no level (DEBUG, INFO, WARNING, "
	    "ERROR, CRITICAL); using INFO\n";
	static atomic_bool warned;
	char buf[256];
	size_t n = sizeof head - 1;

	if (atomic_exchange(&warned, true))
		return;
	memcpy(buf, head, n);
	n += text_visible(buf + n, sizeof buf - n - (sizeof tail - 1), env,
	    strlen(env));
	memcpy(buf + n, tail, sizeof tail - 1);
	(void)stderr_write(buf, n + sizeof tail - 1);
}

/* 0 in the config means the environment's level, else INFO. */
static int
config_level(const struct llmlog_config *cfg)
{
	const char *env;
	int level;

	if (cfg->min_level != 0)
		return cfg->min_level;
	env = getenv("LLMLOG_LEVEL");
	if (env == NULL || *env == '\0')
		return LLMLOG_INFO;
	if ((level = llmlog_level_parse(env)) > 0)
		return level;
	if (!cfg->no_console)
		level_warn(env);
	return LLMLOG_INFO;
}

static int
config_apply(struct llmlog *lg, const struct llmlog_config *cfg)
{
	struct llmlog_config none = { 0 };

	if (cfg == NULL)
		cfg = &none;
	if (cfg->max_bytes < 0 || cfg->backups < LLMLOG_BACKUPS_NONE ||
	    /* a minimum between two levels (25) is refused, not read as
	     * the one above */
	    (cfg->min_level != 0 && !category_level_valid(cfg->min_level)) ||
	    (cfg->overflow != LLMLOG_OVERFLOW_BLOCK &&
	    cfg->overflow != LLMLOG_OVERFLOW_DROP)) {
		errno = EINVAL;
		return errmsg_set("invalid configuration: max_bytes %lld, "
		    "backups %d, min_level %d, overflow %d",
		    (long long)cfg->max_bytes, cfg->backups, cfg->min_level,
		    (int)cfg->overflow);
	}
	lg->max_bytes = cfg->max_bytes ? cfg->max_bytes : DEFAULT_MAX_BYTES;
	lg->backups = cfg->backups ? cfg->backups : DEFAULT_BACKUPS;
	lg->min_level = config_level(cfg);
	lg->no_console = cfg->no_console;
	lg->async = cfg->async;
	lg->queue_size = cfg->queue_size ? cfg->queue_size : DEFAULT_QUEUE_SIZE;
	lg->overflow = cfg->overflow;
	return 0;
}

/* The user's home directory from the password database (a copy), or NULL
 * with errno set: ENOENT when there is none, ENOMEM. */
static char *
passwd_home(void)
{
	struct passwd pw, *found = NULL;
	char *buf = NULL, *grown, *home = NULL;
	size_t size = 1024;
	int rc;

	do {
		size *= 2;
		if ((grown = realloc(buf, size)) == NULL) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = grown;
		rc = getpwuid_r(getuid(), &pw, buf, size, &found);
	} while (rc == ERANGE && size < PASSWD_BUF_MAX);
	if (found == NULL || found->pw_dir == NULL || *found->pw_dir == '\0')
		errno = ENOENT;
	else if ((home = strdup(found->pw_dir)) == NULL)
		errno = ENOMEM;
	free(buf);
	return home;
}

char *
llmlog_default_dir(void)
{
	const char *env = getenv("LLMLOG_DIR"), *home = getenv("HOME");
	char *own = NULL, *dir;
	int rc;

	if (env != NULL && *env != '\0') {
		if ((dir = strdup(env)) == NULL)
			goto oom;
		return dir;
	}
	if ((home == NULL || *home == '\0') &&
	    (home = own = passwd_home()) == NULL) {
		if (errno == ENOMEM)
			goto oom;
		errmsg_set("no log directory: $HOME is not set");
		return NULL;
	}
	rc = asprintf(&dir, "%s/" LLMLOG_HOME_SUBDIR, home);
	free(own);
	if (rc >= 0)
		return dir;
oom:
	errno = ENOMEM;
	errmsg_set("out of memory");
	return NULL;
}

/* The config's directory, else the default one. */
static int
open_dir(struct llmlog *lg, const struct llmlog_config *cfg)
{
	char *dflt;
	int rc;

	if (cfg != NULL && cfg->dir != NULL && *cfg->dir != '\0')
		return sink_open(lg, cfg->dir);
	if ((dflt = llmlog_default_dir()) == NULL)
		return -1;
	rc = sink_open(lg, dflt);
	free(dflt);
	return rc;
}

static struct llmlog *
log_alloc(void)
{
	struct llmlog *lg;

	if ((lg = calloc(1, sizeof *lg)) == NULL) {
		errmsg_set("out of memory");
		return NULL;
	}
	lg->dirfd = -1;
	lg->lockfd = -1;
	sink_init_locks(lg);
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		lg->files[i].fd = -1;
	return lg;
}

static void
log_free(struct llmlog *lg)
{
	for (int i = 0; i < LLMLOG_NCATEGORIES; i++)
		pthread_mutex_destroy(&lg->files[i].lock);
	pthread_mutex_destroy(&lg->fallback_lock);
	free(lg->dir);
	free(lg);
}

static struct llmlog *
log_open(const struct llmlog_config *cfg)
{
	struct llmlog *lg;
	int saved;

	if ((lg = log_alloc()) == NULL)
		return NULL;
	if (config_apply(lg, cfg) != 0 || open_dir(lg, cfg) != 0)
		goto fail;
	if (lg->async && (lg->queue = queue_new(lg, lg->queue_size)) == NULL)
		goto fail;
	list_add(lg);
	return lg;

fail:
	saved = errno;
	sink_close(lg);
	log_free(lg);
	errno = saved;
	return NULL;
}

struct llmlog *
llmlog_open(const struct llmlog_config *cfg)
{
	struct llmlog *lg;

	if (!enter()) {
		refuse();
		return NULL;
	}
	lg = log_open(cfg);
	leave();
	return lg;
}

static int
log_flush(struct llmlog *lg)
{
	int rc = 0, saved = 0;

	if (lg->queue != NULL && queue_flush(lg->queue) != 0) {
		/* the queue's cause stays the one reported */
		saved = errno;
		rc = -1;
	}
	if (sink_verify(lg) != 0)
		return -1;
	errno = rc != 0 ? saved : errno;
	return rc;
}

int
llmlog_flush(struct llmlog *lg)
{
	int rc;

	if (lg == NULL && (lg = default_log) == NULL)
		return 0;
	if (!enter())
		return refuse();
	rc = log_flush(lg);
	leave();
	return rc;
}

/* A log closed by its owner must not be touched again at exit. */
static void
default_forget(struct llmlog *lg)
{
	pthread_mutex_lock(&default_lock);
	if (lg == default_log)
		default_log = NULL;
	for (struct llmlog **p = &retired_logs; *p != NULL;
	    p = &(*p)->retired_next) {
		if (*p == lg) {
			*p = lg->retired_next;
			break;
		}
	}
	pthread_mutex_unlock(&default_lock);
}

static int
log_close(struct llmlog *lg)
{
	int rc = 0, saved = 0;

	default_forget(lg);
	list_remove(lg);
	if (lg->queue != NULL) {
		if ((rc = queue_stop(lg->queue)) != 0)
			saved = errno;
		queue_free(lg->queue);
		lg->queue = NULL;
	}
	if (sink_verify(lg) != 0 && rc == 0) {
		saved = errno;
		rc = -1;
	}
	sink_close(lg);
	log_free(lg);
	errno = rc != 0 ? saved : errno;
	return rc;
}

int
llmlog_close(struct llmlog *lg)
{
	int rc;

	if (lg == NULL)
		return 0;
	if (!enter())
		return refuse();
	rc = log_close(lg);
	leave();
	return rc;
}

/* At exit other threads may still log: the default logs are drained and
 * switched to synchronous writes, not freed. */
static void
default_atexit_flush(void)
{
	struct llmlog *lg;

	pthread_mutex_lock(&default_lock);
	for (lg = retired_logs; lg != NULL; lg = lg->retired_next) {
		if (lg->queue != NULL)
			queue_stop(lg->queue);
		sink_verify(lg);
	}
	if ((lg = default_log) != NULL) {
		if (lg->queue != NULL)
			queue_stop(lg->queue);
		sink_verify(lg);
	}
	pthread_mutex_unlock(&default_lock);
}

/* With default_lock held. */
static void
default_replace(struct llmlog *lg)
{
	struct llmlog *old = default_log;

	if (!default_atexit) {
		atexit(default_atexit_flush);
		default_atexit = true;
	}
	default_log = lg;
	if (old != NULL) {
		if (old->queue != NULL)
			queue_flush(old->queue);
		old->retired_next = retired_logs;
		retired_logs = old;
	}
}

static int
log_setup(const struct llmlog_config *cfg)
{
	struct llmlog *lg;
	char *dir;

	if ((lg = log_open(cfg)) == NULL)
		return -1;
	if ((dir = strdup(lg->dir)) == NULL) {
		log_close(lg);
		errno = ENOMEM;
		return errmsg_set("out of memory");
	}
	pthread_mutex_lock(&default_lock);
	free(setup_dir);
	setup_dir = dir;
	setup_cfg = cfg != NULL ? *cfg : (struct llmlog_config){ 0 };
	setup_cfg.dir = setup_dir;
	have_setup = true;
	default_failed = false;
	default_replace(lg);
	pthread_mutex_unlock(&default_lock);
	return 0;
}

int
llmlog_setup(const struct llmlog_config *cfg)
{
	int rc;

	if (!enter())
		return refuse();
	rc = log_setup(cfg);
	leave();
	return rc;
}

static int64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* With default_lock held: open the default, unless it failed lately. */
static struct llmlog *
default_open(void)
{
	int64_t now = monotonic_ns();
	struct llmlog *lg;

	if (default_failed && now - default_failed_ns < log_default_retry_ns) {
		errno = default_errno;
		errmsg_set("%s", default_errmsg);
		return NULL;
	}
	if ((lg = log_open(have_setup ? &setup_cfg : NULL)) != NULL) {
		default_failed = false;
		default_replace(lg);
		return lg;
	}
	default_failed = true;
	default_failed_ns = now;
	default_errno = errno;
	snprintf(default_errmsg, sizeof default_errmsg, "%s", llmlog_errmsg());
	return NULL;
}

static struct llmlog *
default_get(void)
{
	struct llmlog *lg;

	if ((lg = default_log) != NULL)
		return lg;
	pthread_mutex_lock(&default_lock);
	if ((lg = default_log) == NULL)
		lg = default_open();
	pthread_mutex_unlock(&default_lock);
	return lg;
}

struct llmlog *
llmlog_default(void)
{
	struct llmlog *lg;

	/* inside the library already (a handler): only what is there */
	if ((lg = default_log) != NULL || !enter())
		return lg;
	lg = default_get();
	leave();
	return lg;
}

struct llmlog *
log_resolve(struct llmlog *lg)
{
	if (lg != NULL || (lg = default_get()) != NULL)
		return lg;
	/* an entry for a default log there is none of */
	atomic_fetch_add_explicit(&default_dropped, 1, memory_order_relaxed);
	return NULL;
}

uint64_t
llmlog_dropped(const struct llmlog *lg)
{
	uint64_t none = 0;

	if (lg == NULL) {
		none = atomic_load_explicit(&default_dropped,
		    memory_order_relaxed);
		if ((lg = default_log) == NULL)
			return none;
	}
	return none + atomic_load_explicit(&lg->dropped, memory_order_relaxed);
}

uint64_t
llmlog_echo_failed(const struct llmlog *lg)
{
	if (lg == NULL && (lg = default_log) == NULL)
		return 0;
	return atomic_load_explicit(&lg->echo_failed, memory_order_relaxed);
}

const char *
llmlog_dir(const struct llmlog *lg)
{
	if (lg == NULL && (lg = default_log) == NULL)
		return NULL;
	return lg->dir;
}

void
llmlog_set_level(struct llmlog *lg, enum llmlog_level level)
{
	if (!category_level_valid((int)level)) {
		errmsg_set("llmlog_set_level: %d is not a level; the level "
		    "stays", (int)level);
		return;
	}
	/* not log_resolve(): no entry is dropped when there is no log */
	if (lg != NULL || (lg = llmlog_default()) != NULL)
		atomic_store_explicit(&lg->min_level, level,
		    memory_order_relaxed);
}

bool
llmlog_enabled(const struct llmlog *lg, enum llmlog_level level)
{
	if (lg == NULL && (lg = llmlog_default()) == NULL)
		return false;
	return (int)level >= atomic_load_explicit(&lg->min_level,
	    memory_order_relaxed);
}

int
log_emit(struct llmlog *lg, enum llmlog_category cat, int level,
    const char *line, size_t len)
{
	struct iovec iov;
	int rc;

	if ((lg = log_resolve(lg)) == NULL)
		return -1;
	if ((unsigned)cat >= LLMLOG_NCATEGORIES || len == 0 ||
	    line[len - 1] != '\n') {
		atomic_fetch_add_explicit(&lg->dropped, 1, memory_order_relaxed);
		errno = EINVAL;
		return errmsg_set("invalid entry: category %d, %zu bytes",
		    (int)cat, len);
	}
	if (level < atomic_load_explicit(&lg->min_level, memory_order_relaxed))
		return 0;
	if (lg->queue != NULL &&
	    (rc = queue_push(lg->queue, cat, line, len)) <= 0)
		return rc;
	iov.iov_base = (void *)line;
	iov.iov_len = len;
	if (sink_write(lg, cat, &iov, 1) != 1) {
		atomic_fetch_add_explicit(&lg->dropped, 1, memory_order_relaxed);
		return -1;
	}
	return 0;
}

void
log_echo(struct llmlog *lg, enum llmlog_category cat, int level,
    const char *summary)
{
	char buf[1024], stamp[32];
	struct tm tm;
	time_t now;
	size_t n;

	if ((lg = log_resolve(lg)) == NULL || lg->no_console ||
	    level < LLMLOG_WARNING)
		return;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	n = (size_t)snprintf(buf, sizeof buf, "%s %s [%s] ", stamp,
	    llmlog_level_name(level), llmlog_category_name(cat));
	if (n >= sizeof buf - 2)
		n = sizeof buf - 2;
	if (summary != NULL)
		n += text_visible(buf + n, sizeof buf - 1 - n, summary,
		    strlen(summary));
	buf[n++] = '\n';
	if (!stderr_write(buf, n))
		atomic_fetch_add_explicit(&lg->echo_failed, 1,
		    memory_order_relaxed);
}
