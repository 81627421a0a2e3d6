/*
 * internal.h - what the parts of libllmlog promise each other.
 *
 * entries.c turns a call into one JSON line; log.c owns the handle, the
 * default log and levels; sink.c puts a finished line into its category
 * file (rotation, locking, async queue).  Below them all, errmsg.c keeps
 * the thread's error message, visible.c makes text safe to echo and
 * signals.c blocks the signals a write may raise: every part calls those
 * three, and they call no part.
 */
#ifndef LLMLOG_INTERNAL_H
#define LLMLOG_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "llmlog.h"

/* Record a message for llmlog_errmsg() (thread-local, errmsg.c) and return
 * -1; errno is kept. */
int errmsg_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether level is one of the five (category.c). */
bool category_level_valid(int level);

/* A signal blocked around a system call that may raise it (signals.c):
 * SIGXFSZ for a write past the file size limit, SIGPIPE for a write to a
 * pipe nobody reads.  Start from { 0 }; sig_block() blocks sig in the
 * calling thread (a second call does nothing), sig_restore() takes back
 * the instance the call left pending, not one pending before, and puts the
 * thread's mask back.  errno is kept. */
struct sig_guard {
	int sig;		/* 0: nothing blocked */
	bool was_pending;
	sigset_t old;
};
void sig_block(struct sig_guard *g, int sig);
void sig_restore(struct sig_guard *g);

/* A logging call enters and leaves the library (log.c): log_enter() is
 * -1 (EDEADLK, the entry counted as dropped in lg, NULL: the default)
 * when the thread is inside it already, which only a signal handler makes
 * happen; the call then returns -1 at once and does not leave. */
int log_enter(struct llmlog *lg);
void log_leave(void);

/* Resolve NULL to the default log for an entry; NULL when no log can be
 * had, and the entry is counted as dropped. */
struct llmlog *log_resolve(struct llmlog *lg);
/* Tests: how long a default log that could not be opened is not tried
 * again (ns). */
extern int64_t log_default_retry_ns;

/* Hand one finished line (ending in '\n') of a category to the log: written
 * now (sync) or queued (async).  Counts a drop and returns -1 on failure. */
int log_emit(struct llmlog *lg, enum llmlog_category cat, int level,
    const char *line, size_t len);

/* Echo a human-readable line to stderr when the level is WARNING or above
 * and the log's console echo is on. */
void log_echo(struct llmlog *lg, enum llmlog_category cat, int level,
    const char *summary);

/* Tests: how old the thread's last reading of the process's CPU time may
 * be for a timer to start from it (timer.c, ns). */
extern int64_t timer_cpu_reuse_ns;

/* Untrusted text made safe for a terminal (visible.c): the visible form of
 * text[0..n) into out, as much as fits in cap bytes without cutting a
 * piece; returns the bytes written (no NUL).  TEXT_VISIBLE_MAX(n) bytes
 * always take all of it. */
#define TEXT_VISIBLE_MAX(n) ((n) * 4)
size_t text_visible(char *out, size_t cap, const char *text, size_t n);
/* A code point text_visible escapes as \uXXXX: the bidi controls and the
 * line and paragraph separators. */
bool text_bidi_control(uint32_t cp);
/* The code point of a valid UTF-8 sequence of len bytes (utf8_seqlen). */
uint32_t text_code_point(const unsigned char *s, size_t len);

/* An entry's trace fields (trace.c), resolved when the logging call is
 * made, in the caller's thread: ctx.span_id 0 writes no trace ids. */
struct trace_fields {
	struct llmlog_context ctx;
	const char *conversation_id;	/* NULL: none */
};
/* The fields of an entry recording span (NULL or never begun: a leaf
 * child of the thread's current span, or none), with conversation_id
 * (NULL: the span's, else the thread's). */
void trace_resolve(struct trace_fields *tf, const struct llmlog_span *span,
    const char *conversation_id);
/* 16 lowercase hex digits of v into out (no NUL). */
void trace_hex64(char *out, uint64_t v);
/* A W3C traceparent value into ctx (span_id: the parent's id); false when
 * it is not a valid one. */
bool trace_parse_traceparent(const char *s, struct llmlog_context *ctx);

/* The typed call of category cat with its entry e (a struct
 * llmlog_<cat>), conversation_id over the span's and the thread's
 * (entries.c); for llmlog_log_json(). */
int entry_log(struct llmlog *lg, enum llmlog_category cat, const void *e,
    const char *conversation_id);

#endif
