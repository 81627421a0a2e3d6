/*
 * entries.c - the public logging calls: check the call (level, time),
 * pick the level, skip what the log filters out, then build the line and
 * hand it to the log (sync) or queue the call's record for the writer
 * thread to build it (async); echo warnings.  A metric without a memory
 * figure gets the RSS here, only for an entry that passed the level check,
 * from a sample of the process's memory no older than RSS_SAMPLE_NS.
 * Every json_object argument is dropped here, on every path, or passed on
 * with the queued record.
 */
#include "config.h"

#include "format.h"
#include "sink.h"

#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000L
#define NS_PER_MS 1000000L
/* A metric's memory figure is at most this old: reading statm costs system
 * calls, more than the rest of a metric's line. */
#define RSS_SAMPLE_NS (10 * NS_PER_MS)
/* The seconds of .when that RFC 3339 can write: years 0000 to 9999. */
#define WHEN_MIN_SEC (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define WHEN_MAX_SEC 253402300799LL	/* 9999-12-31T23:59:59Z */

typedef int (*format_fn)(struct jbuf *, const void *, int);

/* Zero (now), or a time in the years a timestamp can show. */
static bool
valid_when(const struct timespec *when)
{
	return when->tv_nsec >= 0 && when->tv_nsec < NS_PER_SEC &&
	    (long long)when->tv_sec >= WHEN_MIN_SEC &&
	    (long long)when->tv_sec <= WHEN_MAX_SEC;
}

/* An entry's json objects, dropped together. */
struct objs {
	json_object *o[3];
};

static void
drop(const struct objs *ob)
{
	for (int i = 0; i < 3; i++)
		if (ob->o[i] != NULL)
			json_object_put(ob->o[i]);
}

/* ---- the process's memory, sampled ----------------------------------------
 *
 * /proc/self/statm is read through a descriptor kept open, and again only
 * once the sample is RSS_SAMPLE_NS old; a metric records the RSS as of the
 * last sample.  The descriptor names the process that opened it, so a
 * child of fork() forgets it and reads its own at its first metric.  The
 * sample is read without a lock; the lock is taken to renew it.
 */
static pthread_mutex_t rss_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t rss_once = PTHREAD_ONCE_INIT;
static int rss_fd = -1;			/* under rss_lock */
static _Atomic int64_t rss_expires;	/* monotonic ns; 0: read it now */
static _Atomic double rss_sample;	/* MB */

static int64_t
monotonic_ns(void)
{
	struct timespec ts = { 0, 0 };

	/* the coarse clock (a tick, a few ms) is ample for a 10 ms sample
	 * and costs no system call */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void
rss_fork_prepare(void)
{
	pthread_mutex_lock(&rss_lock);
}

static void
rss_fork_parent(void)
{
	pthread_mutex_unlock(&rss_lock);
}

static void
rss_fork_child(void)
{
	if (rss_fd >= 0)
		close(rss_fd);
	rss_fd = -1;
	atomic_store(&rss_expires, 0);
	pthread_mutex_unlock(&rss_lock);
}

static void
rss_init(void)
{
	pthread_atfork(rss_fork_prepare, rss_fork_parent, rss_fork_child);
}

/* The RSS in MB now (0 when unknown); with rss_lock held. */
static double
rss_read(void)
{
	static long page;
	char buf[128];
	struct rusage ru;
	unsigned long size, resident;
	ssize_t n;

	if (rss_fd < 0)
		rss_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (rss_fd >= 0) {
		n = pread(rss_fd, buf, sizeof buf - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			if (page == 0)
				page = sysconf(_SC_PAGESIZE);
			if (sscanf(buf, "%lu %lu", &size, &resident) == 2)
				return (double)resident * (double)page /
				    (1024.0 * 1024.0);
		}
		/* reading our own statm does not fail: the host closed the
		 * descriptor, and the number may be another file's now, not
		 * ours to close */
		rss_fd = -1;
	}
	/* no /proc: the peak is the best there is */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		return (double)ru.ru_maxrss / 1024.0;
	return 0;
}

/* The process's resident set size in MB as of the last sample (0 when
 * unknown). */
static double
rss_mb(void)
{
	int64_t now = monotonic_ns();
	double mb;

	if (now < atomic_load_explicit(&rss_expires, memory_order_acquire))
		return atomic_load_explicit(&rss_sample, memory_order_relaxed);
	pthread_once(&rss_once, rss_init);
	pthread_mutex_lock(&rss_lock);
	/* another thread may have renewed it while this one waited */
	if (now < atomic_load_explicit(&rss_expires, memory_order_relaxed))
		mb = atomic_load_explicit(&rss_sample, memory_order_relaxed);
	else {
		mb = rss_read();
		atomic_store_explicit(&rss_sample, mb, memory_order_relaxed);
		atomic_store_explicit(&rss_expires, now + RSS_SAMPLE_NS,
		    memory_order_release);
	}
	pthread_mutex_unlock(&rss_lock);
	return mb;
}

/* ---- one call ------------------------------------------------------------ */

/* What a call hands to emit(): the entry, its json objects (dropped once
 * the line is built or owned by the queue), the span it records and the
 * conversation over the span's. */
struct call {
	enum llmlog_category cat;
	int level;
	const void *e;
	const struct timespec *when;
	format_fn fn;
	struct objs ob;
	const struct llmlog_span *span;
	const char *conversation_id;
};

/* Format the entry into this thread's line buffer and write it, or queue
 * its record. */
static int
emit_entry(struct llmlog *lg, const struct call *c)
{
	enum llmlog_category cat = c->cat;
	int level = c->level;
	const void *e = c->e;
	const struct timespec *when = c->when;
	const struct objs *ob = &c->ob;
	struct format_bufs *fb;
	struct trace_fields tf;
	bool echo = level >= LLMLOG_WARNING;
	struct llmlog_metric m;
	int rc;

	if (!category_level_valid(level)) {
		drop(ob);
		errno = EINVAL;
		return errmsg_set("invalid level %d for a %s entry", level,
		    llmlog_category_name(cat));
	}
	if (!valid_when(when)) {
		drop(ob);
		errno = EINVAL;
		return errmsg_set("invalid time for a %s entry: %lld s %ld ns "
		    "is not in the years 0000 to 9999",
		    llmlog_category_name(cat), (long long)when->tv_sec,
		    (long)when->tv_nsec);
	}
	if ((lg = log_resolve(lg)) == NULL || !llmlog_enabled(lg, level)) {
		drop(ob);
		return lg == NULL ? -1 : 0;
	}
	trace_resolve(&tf, c->span, c->conversation_id);
	/* the RSS is taken only here, once the entry is known to be written
	 * (a timer leaves it to this) */
	if (cat == LLMLOG_PERFORMANCE &&
	    ((const struct llmlog_metric *)e)->memory_mb == 0) {
		m = *(const struct llmlog_metric *)e;
		m.memory_mb = rss_mb();
		e = &m;
	}
	fb = format_bufs();
	if (echo) {
		jbuf_reset(&fb->summary);
		format_summary(&fb->summary, cat, e);
		echo = !fb->summary.oom;
	}
	/* 1: the queue is stopped (at exit), the line is written here */
	if (lg->queue != NULL &&
	    (rc = queue_push_record(lg->queue, cat, level, e, &tf)) <= 0) {
		if (rc < 0)
			drop(ob);
		if (echo)
			log_echo(lg, cat, level, fb->summary.buf);
		return rc;
	}
	jbuf_reset(&fb->line);
	format_set_trace(&tf);
	rc = c->fn(&fb->line, e, level);
	format_set_trace(NULL);
	drop(ob);
	if (rc != 0) {
		errno = ENOMEM;
		return errmsg_set("out of memory formatting a %s entry",
		    llmlog_category_name(cat));
	}
	rc = log_emit(lg, cat, level, fb->line.buf, fb->line.len);
	if (echo)
		log_echo(lg, cat, level, fb->summary.buf);
	return rc;
}

/* emit_entry() inside the library (log_enter(): a call from a signal
 * handler that interrupted one is refused). */
static int
emit(struct llmlog *lg, const struct call *c)
{
	int rc;

	if (log_enter(lg) != 0) {
		drop(&c->ob);
		return -1;
	}
	rc = emit_entry(lg, c);
	log_leave();
	return rc;
}

static int
pick(int given, int rule)
{
	return given != 0 ? given : rule;
}

static int
fmt_interaction(struct jbuf *jb, const void *e, int level)
{
	return format_interaction(jb, e, level);
}

static int
log_interaction(struct llmlog *lg, const struct llmlog_interaction *e,
    const char *conv)
{
	return emit(lg, &(struct call){ LLMLOG_USER,
	    pick(e->level, format_interaction_level(e)), e, &e->when,
	    fmt_interaction, { { e->details } }, e->span, conv });
}

static int
fmt_system(struct jbuf *jb, const void *e, int level)
{
	return format_system(jb, e, level);
}

static int
log_system(struct llmlog *lg, const struct llmlog_system *e, const char *conv)
{
	int rule = format_system_level(e);

	if (rule < 0) {
		if (e->details != NULL)
			json_object_put(e->details);
		errno = EINVAL;
		return errmsg_set("system event \"%s\" is not a name such as "
		    "startup, shutdown, error, warning, config_change or status",
		    e->event != NULL ? e->event : "(null)");
	}
	return emit(lg, &(struct call){ LLMLOG_SYSTEM, pick(e->level, rule), e,
	    &e->when, fmt_system, { { e->details } }, e->span, conv });
}

static int
fmt_tool(struct jbuf *jb, const void *e, int level)
{
	return format_tool(jb, e, level);
}

static int
log_tool(struct llmlog *lg, const struct llmlog_tool *e, const char *conv)
{
	return emit(lg, &(struct call){ LLMLOG_TOOL,
	    pick(e->level, format_tool_level(e)), e, &e->when, fmt_tool,
	    { { e->parameters, e->result, e->details } }, e->span, conv });
}

static int
fmt_llm(struct jbuf *jb, const void *e, int level)
{
	return format_llm(jb, e, level);
}

static int
log_llm(struct llmlog *lg, const struct llmlog_llm *e, const char *conv)
{
	/* isfinite() without libm's macro quirks: NaN fails both */
	if (!(e->cost_usd >= 0 && e->cost_usd <= 1e300)) {
		if (e->details != NULL)
			json_object_put(e->details);
		errno = EINVAL;
		return errmsg_set("cost_usd %g is not a billed amount (a finite "
		    "number, 0 or more)", e->cost_usd);
	}
	return emit(lg, &(struct call){ LLMLOG_LLM,
	    pick(e->level, format_llm_level(e)), e, &e->when, fmt_llm,
	    { { e->details } }, e->span, conv });
}

static int
fmt_security(struct jbuf *jb, const void *e, int level)
{
	return format_security(jb, e, level);
}

static int
log_security(struct llmlog *lg, const struct llmlog_security *e,
    const char *conv)
{
	return emit(lg, &(struct call){ LLMLOG_SECURITY,
	    pick(e->level, format_security_level(e)), e, &e->when,
	    fmt_security, { { e->details } }, e->span, conv });
}

static int
fmt_metric(struct jbuf *jb, const void *e, int level)
{
	return format_metric(jb, e, level);
}

static int
log_metric(struct llmlog *lg, const struct llmlog_metric *e, const char *conv)
{
	return emit(lg, &(struct call){ LLMLOG_PERFORMANCE,
	    pick(e->level, LLMLOG_INFO), e, &e->when, fmt_metric,
	    { { e->details } }, e->span, conv });
}

int
entry_log(struct llmlog *lg, enum llmlog_category cat, const void *e,
    const char *conv)
{
	switch (cat) {
	case LLMLOG_USER:
		return log_interaction(lg, e, conv);
	case LLMLOG_SYSTEM:
		return log_system(lg, e, conv);
	case LLMLOG_TOOL:
		return log_tool(lg, e, conv);
	case LLMLOG_LLM:
		return log_llm(lg, e, conv);
	case LLMLOG_SECURITY:
		return log_security(lg, e, conv);
	case LLMLOG_PERFORMANCE:
		return log_metric(lg, e, conv);
	default:
		errno = EINVAL;
		return errmsg_set("no category %d", (int)cat);
	}
}

static int
no_entry(const char *fn)
{
	errno = EINVAL;
	return errmsg_set("%s: no entry", fn);
}

int
llmlog_interaction_(struct llmlog *lg, const struct llmlog_interaction *e)
{
	return e == NULL ? no_entry(__func__) : log_interaction(lg, e, NULL);
}

int
llmlog_system_(struct llmlog *lg, const struct llmlog_system *e)
{
	return e == NULL ? no_entry(__func__) : log_system(lg, e, NULL);
}

int
llmlog_startup(struct llmlog *lg, const char *component, json_object *details)
{
	return llmlog_system(lg, .event = "startup", .component = component,
	    .details = details);
}

int
llmlog_shutdown(struct llmlog *lg, const char *component, json_object *details)
{
	return llmlog_system(lg, .event = "shutdown", .component = component,
	    .details = details);
}

int
llmlog_system_error(struct llmlog *lg, const char *component,
    const char *message, json_object *details)
{
	return llmlog_system(lg, .event = "error", .component = component,
	    .message = message, .details = details);
}

int
llmlog_system_warning(struct llmlog *lg, const char *component,
    const char *message, json_object *details)
{
	return llmlog_system(lg, .event = "warning", .component = component,
	    .message = message, .details = details);
}

int
llmlog_config_change(struct llmlog *lg, const char *component,
    const char *message, json_object *details)
{
	return llmlog_system(lg, .event = "config_change",
	    .component = component, .message = message, .details = details);
}

int
llmlog_status(struct llmlog *lg, const char *component, const char *message,
    json_object *details)
{
	return llmlog_system(lg, .event = "status", .component = component,
	    .message = message, .details = details);
}

int
llmlog_tool_(struct llmlog *lg, const struct llmlog_tool *e)
{
	return e == NULL ? no_entry(__func__) : log_tool(lg, e, NULL);
}

int
llmlog_llm_(struct llmlog *lg, const struct llmlog_llm *e)
{
	return e == NULL ? no_entry(__func__) : log_llm(lg, e, NULL);
}

int
llmlog_security_(struct llmlog *lg, const struct llmlog_security *e)
{
	return e == NULL ? no_entry(__func__) : log_security(lg, e, NULL);
}

int
llmlog_metric_(struct llmlog *lg, const struct llmlog_metric *e)
{
	return e == NULL ? no_entry(__func__) : log_metric(lg, e, NULL);
}
