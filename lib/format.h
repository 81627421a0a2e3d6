/*
 * format.h - the line builder's internal interface: redaction scanning
 * and the formatting of one entry of each category into a buffer.  Kept
 * apart from log.c so it can be tested and measured without a log.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include "internal.h"
#include "jbuf.h"
#include "llmlog.h"

/* Characters of a tool's compact parameters kept before they are stored
 * as a cut string instead of an object. */
#define FORMAT_PARAMETERS_CHARS 1000
/* How deep caller-given JSON is followed, so that a line stays within
 * the nesting that JSON readers such as json-c (32 by default) accept; a
 * deeper value is written as the string FORMAT_TOO_DEEP (llmlog(5)). */
#define FORMAT_MAX_DEPTH 16
#define FORMAT_TOO_DEEP "[TOO DEEP]"

/* The calling thread's reusable buffers (freed when it exits): the line
 * being built, the console summary, and two scratch buffers the builder
 * uses for redacted copies and caller-given JSON. */
struct format_bufs {
	struct jbuf line;
	struct jbuf summary;
	struct jbuf red;
	struct jbuf tmp;
};
struct format_bufs *format_bufs(void);

/* redact.c */

/* The first secret in s[from..n): the bytes [*start, *end) are to be
 * replaced by "[REDACTED]".  False when there is none. */
bool redact_find(const char *s, size_t n, size_t from, size_t *start,
    size_t *end);
/* Append s with its secrets replaced; false (nothing appended) when s has
 * none. */
bool redact_append(struct jbuf *out, const char *s, size_t n);
/* Append s with its secrets replaced, given the first one, [a, b), that
 * redact_find() found. */
void redact_copy(struct jbuf *out, const char *s, size_t n, size_t a,
    size_t b);
/* llmlog_secret_key() for a key that is not NUL-terminated. */
bool redact_secret_key(const char *key, size_t n);
/* How the member key: val of a caller-given JSON object obj is written:
 * scanned as any value, replaced as a secret, or (an id under trace_id)
 * as it is. */
enum redact_member { MEMBER_SCAN, MEMBER_SECRET, MEMBER_VERBATIM };
enum redact_member redact_member(json_object *obj, const char *key,
    json_object *val);
/* Whether element i of a caller-given array is the secret of a command
 * line's flag: ["--token", "X"], ["mysql", "-pX"]. */
bool redact_argv(json_object *arr, size_t i);

/* format.c: each builds one whole line, "{...}\n", into jb (appending),
 * at the given level.  0, or -1 when memory ran out (jb->oom).  The
 * json_objects in e are only read: the caller drops them. */
int format_interaction(struct jbuf *jb, const struct llmlog_interaction *e,
    int level);
int format_system(struct jbuf *jb, const struct llmlog_system *e, int level);
int format_tool(struct jbuf *jb, const struct llmlog_tool *e, int level);
int format_llm(struct jbuf *jb, const struct llmlog_llm *e, int level);
int format_security(struct jbuf *jb, const struct llmlog_security *e,
    int level);
int format_metric(struct jbuf *jb, const struct llmlog_metric *e, int level);

/* The trace fields the next format_<cat>() calls of this thread write
 * after "pid" (NULL: none, as a direct call of format_<cat>() gets); the
 * caller keeps tf alive until it sets another. */
void format_set_trace(const struct trace_fields *tf);

/* The level the rules give each entry (before .level overrides it). */
int format_interaction_level(const struct llmlog_interaction *e);
/* -1 when .event is missing or not a plain name. */
int format_system_level(const struct llmlog_system *e);
int format_tool_level(const struct llmlog_tool *e);
int format_llm_level(const struct llmlog_llm *e);
int format_security_level(const struct llmlog_security *e);

/* A human-readable one-line summary (redacted, control characters made
 * visible) for the console echo, appended to jb, NUL-terminated. */
void format_summary(struct jbuf *jb, enum llmlog_category cat,
    const void *entry);

/* Append caller-given JSON, redacted, compact. */
void format_json(struct jbuf *jb, json_object *o);

#endif
