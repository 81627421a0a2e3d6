/*
 * format.c - builds the JSON line of each category (llmlog(5)): the
 * common head, then the category's fields in a fixed order, every string
 * redacted, summaries cut at a character boundary.
 */
#include "config.h"

#include "format.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- per-thread state: scratch buffers, the current second, the pid ---- */

/* One thread-local block, so that a line costs one TLS lookup in the
 * shared library, not one per variable. */
struct thread_state {
	struct format_bufs bufs;
	bool registered;	/* bufs are freed when the thread exits */
	long long sec;		/* the second sec_text shows */
	char sec_text[20];	/* "YYYY-MM-DDTHH:MM:SS" */
	pid_t pid;		/* 0: not known (yet, or since fork) */
	char pid_text[16];
	size_t pid_len;
	const struct trace_fields *trace;	/* format_set_trace() */
};

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static __thread struct thread_state state = { .sec = LLONG_MIN };

static void
state_free(void *p)
{
	struct format_bufs *b = p;

	jbuf_free(&b->line);
	jbuf_free(&b->summary);
	jbuf_free(&b->red);
	jbuf_free(&b->tmp);
}

/* fork() leaves the child with the parent's cached pid; only the forking
 * thread lives on in the child, and this runs in it. */
static void
pid_forget(void)
{
	state.pid = 0;
}

static void
state_init(void)
{
	pthread_key_create(&state_key, state_free);
	pthread_atfork(NULL, NULL, pid_forget);
}

struct format_bufs *
format_bufs(void)
{
	struct thread_state *st = &state;

	if (!st->registered) {
		pthread_once(&state_once, state_init);
		pthread_setspecific(state_key, &st->bufs);
		st->registered = true;
	}
	return &st->bufs;
}

/* ---- the head ------------------------------------------------------------ */

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* A year outside 0000..9999 is never asked for by a logging call
 * (entries.c refuses such a .when); format_*() called directly get
 * 1970-01-01T00:00:00 rather than text that is not RFC 3339. */
static void
second_text(char *ts_text, time_t sec)
{
	struct tm tm;
	int y;

	if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999) {
		memcpy(ts_text, "1970-01-01T00:00:00", 19);
		return;
	}
	y = tm.tm_year + 1900;
	put2(ts_text, y / 100);
	put2(ts_text + 2, y % 100);
	ts_text[4] = '-';
	put2(ts_text + 5, tm.tm_mon + 1);
	ts_text[7] = '-';
	put2(ts_text + 8, tm.tm_mday);
	ts_text[10] = 'T';
	put2(ts_text + 11, tm.tm_hour);
	ts_text[13] = ':';
	put2(ts_text + 14, tm.tm_min);
	ts_text[16] = ':';
	put2(ts_text + 17, tm.tm_sec);
}

/* RFC 3339 UTC with milliseconds; the date part is made once a second. */
static void
put_time(struct jbuf *jb, struct thread_state *st, const struct timespec *when)
{
	struct timespec now;
	char ms[5] = { '.', '0', '0', '0', 'Z' };
	long msec;

	if (when->tv_sec == 0 && when->tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &now);
	else
		now = *when;
	if (now.tv_nsec < 0 || now.tv_nsec >= 1000000000L)
		now.tv_nsec = 0;
	if ((long long)now.tv_sec != st->sec) {
		second_text(st->sec_text, now.tv_sec);
		st->sec = (long long)now.tv_sec;
	}
	msec = now.tv_nsec / 1000000L;
	ms[1] = (char)('0' + msec / 100);
	ms[2] = (char)('0' + msec / 10 % 10);
	ms[3] = (char)('0' + msec % 10);
	jbuf_raw(jb, st->sec_text, 19);
	jbuf_raw(jb, ms, sizeof ms);
}

static void
put_pid(struct jbuf *jb, struct thread_state *st)
{
	if (st->pid == 0) {
		pthread_once(&state_once, state_init);
		st->pid = getpid();
		st->pid_len = (size_t)snprintf(st->pid_text,
		    sizeof st->pid_text, "%ld", (long)st->pid);
	}
	jbuf_raw(jb, st->pid_text, st->pid_len);
}

void
format_set_trace(const struct trace_fields *tf)
{
	state.trace = tf;
}

static size_t put_text(struct jbuf *, const char *, size_t);

/* The trace fields, right after "pid" (llmlog(5), TRACES). */
static void
put_trace(struct jbuf *jb, const struct trace_fields *tf)
{
	char *p;

	if (tf->ctx.span_id != 0 && jbuf_room(jb, 112)) {
		p = jb->buf + jb->len;
		memcpy(p, ",\"trace_id\":\"", 13);
		trace_hex64(p + 13, tf->ctx.trace_hi);
		trace_hex64(p + 29, tf->ctx.trace_lo);
		memcpy(p + 45, "\",\"span_id\":\"", 13);
		trace_hex64(p + 58, tf->ctx.span_id);
		p[74] = '"';
		jb->len += 75;
		if (tf->ctx.parent_span_id != 0) {
			p = jb->buf + jb->len;
			memcpy(p, ",\"parent_span_id\":\"", 19);
			trace_hex64(p + 19, tf->ctx.parent_span_id);
			p[35] = '"';
			jb->len += 36;
		}
	}
	if (tf->conversation_id != NULL) {
		jbuf_key(jb, "conversation_id");
		put_text(jb, tf->conversation_id, SIZE_MAX);
	}
}

static void
put_head(struct jbuf *jb, enum llmlog_category cat, const char *event,
    int level, const struct timespec *when)
{
	struct thread_state *st = &state;
	const char *s;

	jbuf_lit(jb, "{\"category\":\"");
	s = llmlog_category_name(cat);
	jbuf_raw(jb, s, strlen(s));
	jbuf_lit(jb, "\",\"timestamp\":\"");
	put_time(jb, st, when);
	jbuf_lit(jb, "\",\"level\":\"");
	s = llmlog_level_name(level);
	jbuf_raw(jb, s, strlen(s));
	jbuf_lit(jb, "\",\"event\":\"");
	/* event names are ours or checked by format_system_level() */
	if (event != NULL)
		jbuf_raw(jb, event, strlen(event));
	jbuf_lit(jb, "\",\"pid\":");
	put_pid(jb, st);
	if (st->trace != NULL)
		put_trace(jb, st->trace);
}

static int
put_end(struct jbuf *jb)
{
	jbuf_lit(jb, "}\n");
	return jb->oom ? -1 : 0;
}

/* ---- values -------------------------------------------------------------- */

/* Bytes past the characters a field keeps that are redacted with them,
 * so that a secret cut at the boundary is still recognised whole (keys
 * and tokens are shorter; a key's value or a PEM block that runs on is
 * recognised up to where the text is cut). */
#define REDACT_MARGIN 4096

/* redacted_start() once a secret, [a, b), was found in s[0..w). */
static bool
redact_window(const char *s, size_t n, size_t maxchars, size_t w, size_t a,
    size_t b, const char **t, size_t *tn)
{
	struct jbuf *red = &format_bufs()->red;
	size_t keep;

	for (;;) {
		jbuf_reset(red);
		redact_copy(red, s, w, a, b);
		if (red->oom)
			return false;
		keep = utf8_prefix(red->buf, red->len, maxchars);
		if (w == n || red->len - keep >= REDACT_MARGIN)
			break;
		/* long secrets were replaced: the kept part reaches further */
		w = n - w > w ? 2 * w : n;
		if (!redact_find(s, w, 0, &a, &b)) {
			*tn = w;
			return true;
		}
	}
	*t = red->buf;
	*tn = red->len;
	return true;
}

/* The start of s[0..n) that a field keeping maxchars characters needs,
 * redacted, in *t and *tn (s itself, or the thread's red buffer): the
 * whole of s, or at least maxchars characters and REDACT_MARGIN bytes
 * more.  The rest of s is never read, so a huge text costs no more than
 * the part of it kept.  False when memory ran out. */
static inline bool
redacted_start(const char *s, size_t n, size_t maxchars, const char **t,
    size_t *tn)
{
	size_t w = n, a, b;

	if (maxchars < n) {
		w = utf8_prefix(s, n, maxchars);
		w = n - w > REDACT_MARGIN ? w + REDACT_MARGIN : n;
	}
	*t = s;
	*tn = w;
	if (!redact_find(s, w, 0, &a, &b))
		return true;
	return redact_window(s, n, maxchars, w, a, b, t, tn);
}

/* A quoted string, redacted, at most maxchars characters of it (SIZE_MAX:
 * all).  Returns 0, or when it was cut the length of s in characters, as
 * given (llmlog(5): the text is cut before it is redacted). */
static size_t
put_text_n(struct jbuf *jb, const char *s, size_t n, size_t maxchars)
{
	const char *t;
	size_t tn, chars;

	if (!redacted_start(s, n, maxchars, &t, &tn)) {
		jb->oom = true;		/* never the unredacted text instead */
		return 0;
	}
	jbuf_char(jb, '"');
	chars = jbuf_escape(jb, t, tn, maxchars);
	jbuf_char(jb, '"');
	if (chars <= maxchars)
		return 0;
	return t == s && tn == n ? chars : utf8_count(s, n);
}

/* put_text_n() of a C string; NULL is "". */
static size_t
put_text(struct jbuf *jb, const char *s, size_t maxchars)
{
	if (s == NULL)
		s = "";
	return put_text_n(jb, s, strlen(s), maxchars);
}

/* After a summary field: the marks saying it was cut, with its length
 * (put_text's result; 0: it was not cut, no marks). */
static void
put_cut_marks(struct jbuf *jb, size_t length, const char *name)
{
	if (length == 0)
		return;
	jbuf_lit(jb, ",\"");
	jbuf_raw(jb, name, strlen(name));
	jbuf_lit(jb, "_truncated\":true,\"");
	jbuf_raw(jb, name, strlen(name));
	jbuf_lit(jb, "_length\":");
	jbuf_int(jb, (int64_t)length);
}

static bool
given(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Ours, not json-c's, whose serializer a caller may have replaced. */
static void
put_double_node(struct jbuf *jb, json_object *o)
{
	jbuf_double(jb, json_object_get_double(o));
}

static void
put_int_node(struct jbuf *jb, json_object *o)
{
	int64_t v = json_object_get_int64(o);
	char tmp[24];
	int n;

	if (v == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX) {
		n = snprintf(tmp, sizeof tmp, "%llu",
		    (unsigned long long)json_object_get_uint64(o));
		jbuf_raw(jb, tmp, (size_t)n);
	} else
		jbuf_int(jb, v);
}

static void put_node(struct jbuf *, json_object *, int);

static void
put_object_node(struct jbuf *jb, json_object *o, int depth)
{
	bool first = true;

	jbuf_char(jb, '{');
	json_object_object_foreach(o, key, val) {
		enum redact_member rule;

		if (!first)
			jbuf_char(jb, ',');
		first = false;
		put_text(jb, key, SIZE_MAX);
		jbuf_char(jb, ':');
		rule = redact_member(o, key, val);
		if (rule == MEMBER_SECRET)
			jbuf_lit(jb, "\"[REDACTED]\"");
		else if (rule == MEMBER_VERBATIM) {
			jbuf_char(jb, '"');
			jbuf_escape(jb, json_object_get_string(val),
			    (size_t)json_object_get_string_len(val), SIZE_MAX);
			jbuf_char(jb, '"');
		} else
			put_node(jb, val, depth + 1);
	}
	jbuf_char(jb, '}');
}

static void
put_node(struct jbuf *jb, json_object *o, int depth)
{
	size_t n;

	if (depth > FORMAT_MAX_DEPTH) {
		jbuf_lit(jb, "\"" FORMAT_TOO_DEEP "\"");
		return;
	}
	switch (json_object_get_type(o)) {
	case json_type_null:
		jbuf_lit(jb, "null");
		break;
	case json_type_boolean:
		jbuf_bool(jb, json_object_get_boolean(o));
		break;
	case json_type_int:
		put_int_node(jb, o);
		break;
	case json_type_double:
		put_double_node(jb, o);
		break;
	case json_type_string:
		/* by length: a NUL inside is written as \u0000 */
		put_text_n(jb, json_object_get_string(o),
		    (size_t)json_object_get_string_len(o), SIZE_MAX);
		break;
	case json_type_object:
		put_object_node(jb, o, depth);
		break;
	case json_type_array:
		n = json_object_array_length(o);
		jbuf_char(jb, '[');
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				jbuf_char(jb, ',');
			if (redact_argv(o, i))
				jbuf_lit(jb, "\"[REDACTED]\"");
			else
				put_node(jb, json_object_array_get_idx(o, i),
				    depth + 1);
		}
		jbuf_char(jb, ']');
		break;
	}
}

void
format_json(struct jbuf *jb, json_object *o)
{
	put_node(jb, o, 0);
}

static void
put_details(struct jbuf *jb, json_object *details)
{
	if (details != NULL) {
		jbuf_key(jb, "details");
		format_json(jb, details);
	}
}

/* The compact JSON of o, in the thread's scratch buffer. */
static struct jbuf *
json_scratch(struct jbuf *jb, json_object *o)
{
	struct jbuf *tmp = &format_bufs()->tmp;

	jbuf_reset(tmp);
	format_json(tmp, o);
	if (tmp->oom)
		jb->oom = true;
	return tmp;
}

/* ---- levels ------------------------------------------------------------------ */

int
format_interaction_level(const struct llmlog_interaction *e)
{
	return e->failed || given(e->error) ? LLMLOG_ERROR : LLMLOG_INFO;
}

int
format_tool_level(const struct llmlog_tool *e)
{
	return e->failed || given(e->error) ? LLMLOG_ERROR : LLMLOG_INFO;
}

int
format_llm_level(const struct llmlog_llm *e)
{
	return e->failed || given(e->error) ? LLMLOG_ERROR : LLMLOG_INFO;
}

int
format_security_level(const struct llmlog_security *e)
{
	return e->allowed ? LLMLOG_INFO : LLMLOG_WARNING;
}

int
format_system_level(const struct llmlog_system *e)
{
	const char *p;

	if (e->event == NULL || *e->event == '\0' || strlen(e->event) > 32)
		return -1;
	for (p = e->event; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return -1;
	if (strcmp(e->event, "error") == 0)
		return LLMLOG_ERROR;
	if (strcmp(e->event, "warning") == 0)
		return LLMLOG_WARNING;
	return LLMLOG_INFO;
}

/* ---- the six lines -------------------------------------------------------------- */

int
format_interaction(struct jbuf *jb, const struct llmlog_interaction *e,
    int level)
{
	size_t length;

	put_head(jb, LLMLOG_USER, "user_interaction", level, &e->when);
	jbuf_key(jb, "user_input");
	put_text(jb, e->user_input, SIZE_MAX);
	jbuf_key(jb, "response_summary");
	length = put_text(jb, e->response, LLMLOG_SUMMARY_CHARS);
	put_cut_marks(jb, length, "response");
	jbuf_key(jb, "tool_calls");
	jbuf_char(jb, '[');
	for (size_t i = 0; e->tool_calls != NULL && e->tool_calls[i]; i++) {
		if (i > 0)
			jbuf_char(jb, ',');
		put_text(jb, e->tool_calls[i], SIZE_MAX);
	}
	jbuf_char(jb, ']');
	jbuf_key(jb, "success");
	jbuf_bool(jb, format_interaction_level(e) == LLMLOG_INFO);
	jbuf_key(jb, "duration_ms");
	jbuf_fixed(jb, e->duration_ms, 3);
	if (given(e->error)) {
		jbuf_key(jb, "error");
		put_text(jb, e->error, SIZE_MAX);
	}
	if (e->details != NULL) {
		jbuf_key(jb, "details");
		format_json(jb, e->details);
	}
	return put_end(jb);
}

/* The event name written: one that looks like a secret is written as
 * "redacted" (llmlog(5)). */
static const char *
system_event(const struct llmlog_system *e)
{
	size_t a, b;

	if (e->event != NULL &&
	    redact_find(e->event, strlen(e->event), 0, &a, &b))
		return "redacted";
	return e->event;
}

int
format_system(struct jbuf *jb, const struct llmlog_system *e, int level)
{
	put_head(jb, LLMLOG_SYSTEM, system_event(e), level, &e->when);
	jbuf_key(jb, "component");
	put_text(jb, e->component, SIZE_MAX);
	if (e->message != NULL) {
		jbuf_key(jb, "message");
		put_text(jb, e->message, SIZE_MAX);
	}
	if (e->details != NULL) {
		jbuf_key(jb, "details");
		format_json(jb, e->details);
	}
	return put_end(jb);
}

/* Compact parameters, or, past FORMAT_PARAMETERS_CHARS, their cut text. */
static void
put_parameters(struct jbuf *jb, json_object *parameters)
{
	struct jbuf *tmp;
	size_t total;

	jbuf_key(jb, "parameters");
	if (parameters == NULL) {
		jbuf_lit(jb, "{}");
		return;
	}
	tmp = json_scratch(jb, parameters);
	if (tmp->len > FORMAT_PARAMETERS_CHARS)
		utf8_cut(tmp->buf, tmp->len, FORMAT_PARAMETERS_CHARS, &total);
	else
		total = tmp->len;
	if (total <= FORMAT_PARAMETERS_CHARS) {
		jbuf_raw(jb, tmp->buf, tmp->len);
		return;
	}
	jbuf_char(jb, '"');
	jbuf_escape(jb, tmp->buf, tmp->len, FORMAT_PARAMETERS_CHARS);
	jbuf_char(jb, '"');
	put_cut_marks(jb, total, "parameters");
}

/* A result object as compact JSON text (a string result as itself). */
static void
put_result(struct jbuf *jb, const struct llmlog_tool *e)
{
	struct jbuf *tmp;
	size_t length, chars;

	jbuf_key(jb, "result_summary");
	if (e->result == NULL)
		length = put_text(jb, e->result_text, LLMLOG_SUMMARY_CHARS);
	else if (json_object_is_type(e->result, json_type_string))
		length = put_text_n(jb, json_object_get_string(e->result),
		    (size_t)json_object_get_string_len(e->result),
		    LLMLOG_SUMMARY_CHARS);
	else {
		/* the JSON text is made redacted, then cut */
		tmp = json_scratch(jb, e->result);
		jbuf_char(jb, '"');
		chars = jbuf_escape(jb, tmp->buf, tmp->len,
		    LLMLOG_SUMMARY_CHARS);
		jbuf_char(jb, '"');
		length = chars > LLMLOG_SUMMARY_CHARS ? chars : 0;
	}
	put_cut_marks(jb, length, "result");
}

int
format_tool(struct jbuf *jb, const struct llmlog_tool *e, int level)
{
	put_head(jb, LLMLOG_TOOL, "tool_execution", level, &e->when);
	jbuf_key(jb, "tool_name");
	put_text(jb, e->tool_name, SIZE_MAX);
	jbuf_key(jb, "tool_server");
	put_text(jb, e->tool_server, SIZE_MAX);
	put_parameters(jb, e->parameters);
	put_result(jb, e);
	jbuf_key(jb, "success");
	jbuf_bool(jb, format_tool_level(e) == LLMLOG_INFO);
	jbuf_key(jb, "duration_ms");
	jbuf_fixed(jb, e->duration_ms, 3);
	if (given(e->error)) {
		jbuf_key(jb, "error");
		put_text(jb, e->error, SIZE_MAX);
	}
	put_details(jb, e->details);
	return put_end(jb);
}

int
format_llm(struct jbuf *jb, const struct llmlog_llm *e, int level)
{
	int64_t total = e->total_tokens;

	if (total == 0)
		total = e->prompt_tokens + e->completion_tokens;
	put_head(jb, LLMLOG_LLM, "llm_call", level, &e->when);
	jbuf_key(jb, "provider");
	put_text(jb, e->provider, SIZE_MAX);
	jbuf_key(jb, "model");
	put_text(jb, e->model, SIZE_MAX);
	jbuf_key(jb, "prompt_tokens");
	jbuf_int(jb, e->prompt_tokens);
	jbuf_key(jb, "completion_tokens");
	jbuf_int(jb, e->completion_tokens);
	jbuf_key(jb, "total_tokens");
	jbuf_int(jb, total);
	jbuf_key(jb, "duration_ms");
	jbuf_fixed(jb, e->duration_ms, 3);
	jbuf_key(jb, "success");
	jbuf_bool(jb, format_llm_level(e) == LLMLOG_INFO);
	jbuf_key(jb, "streaming");
	jbuf_bool(jb, e->streaming);
	if (e->has_cost || e->cost_usd != 0) {
		jbuf_key(jb, "cost_usd");
		jbuf_double(jb, e->cost_usd);
	}
	if (given(e->error)) {
		jbuf_key(jb, "error");
		put_text(jb, e->error, SIZE_MAX);
	}
	put_details(jb, e->details);
	return put_end(jb);
}

int
format_security(struct jbuf *jb, const struct llmlog_security *e, int level)
{
	put_head(jb, LLMLOG_SECURITY, "security_event", level, &e->when);
	jbuf_key(jb, "event_type");
	put_text(jb, e->event_type, SIZE_MAX);
	jbuf_key(jb, "resource");
	put_text(jb, e->resource, SIZE_MAX);
	jbuf_key(jb, "action");
	put_text(jb, e->action, SIZE_MAX);
	jbuf_key(jb, "allowed");
	jbuf_bool(jb, e->allowed);
	jbuf_key(jb, "reason");
	put_text(jb, e->reason, SIZE_MAX);
	put_details(jb, e->details);
	return put_end(jb);
}

int
format_metric(struct jbuf *jb, const struct llmlog_metric *e, int level)
{
	put_head(jb, LLMLOG_PERFORMANCE, "performance_metric", level, &e->when);
	jbuf_key(jb, "operation");
	put_text(jb, e->operation, SIZE_MAX);
	jbuf_key(jb, "duration_ms");
	jbuf_fixed(jb, e->duration_ms, 3);
	jbuf_key(jb, "memory_mb");
	jbuf_fixed(jb, e->memory_mb, 1);
	if (e->cpu_percent != 0) {
		jbuf_key(jb, "cpu_percent");
		jbuf_fixed(jb, e->cpu_percent, 1);
	}
	if (e->details != NULL) {
		jbuf_key(jb, "details");
		format_json(jb, e->details);
	}
	return put_end(jb);
}

/* ---- the console summary --------------------------------------------------- */

/* Characters of one field shown in a console summary. */
#define PLAIN_CHARS 200

/* Text for a terminal: redacted, at most PLAIN_CHARS characters, control
 * characters shown as ^X, C1 controls and invalid UTF-8 as '?'. */
static void
put_plain(struct jbuf *jb, const char *s)
{
	const unsigned char *p, *end;
	size_t n, len, total;

	if (s == NULL)
		return;
	if (!redacted_start(s, strlen(s), PLAIN_CHARS, &s, &n)) {
		/* never the unredacted text instead */
		jbuf_lit(jb, "[REDACTED]");
		return;
	}
	p = (const unsigned char *)s;
	end = p + utf8_cut(s, n, PLAIN_CHARS, &total);
	while (p < end) {
		if (*p < 0x20 || *p == 0x7f) {
			jbuf_char(jb, '^');
			jbuf_char(jb, (char)(*p == 0x7f ? '?' : *p + '@'));
			p++;
		} else if (*p < 0x80) {
			jbuf_char(jb, (char)*p++);
		} else if ((len = utf8_seqlen(p, (size_t)(end - p))) == 0 ||
		    (p[0] == 0xc2 && p[1] < 0xa0)) {
			jbuf_char(jb, '?');
			p += len == 0 ? 1 : len;
		} else {
			jbuf_raw(jb, (const char *)p, len);
			p += len;
		}
	}
	if (total > PLAIN_CHARS)
		jbuf_lit(jb, "...");
}

static void
summary_failure(struct jbuf *jb, bool failed, const char *error)
{
	if (given(error)) {
		jbuf_lit(jb, " failed: ");
		put_plain(jb, error);
	} else if (failed)
		jbuf_lit(jb, " failed");
}

static void
summary_system(struct jbuf *jb, const struct llmlog_system *e)
{
	put_plain(jb, system_event(e));
	jbuf_lit(jb, " [");
	put_plain(jb, e->component);
	jbuf_lit(jb, "]");
	if (e->message != NULL) {
		jbuf_lit(jb, " ");
		put_plain(jb, e->message);
	}
}

static void
summary_security(struct jbuf *jb, const struct llmlog_security *e)
{
	jbuf_raw(jb, e->allowed ? "allowed " : "denied ",
	    e->allowed ? 8 : 7);
	put_plain(jb, e->action);
	jbuf_lit(jb, " on ");
	put_plain(jb, e->resource);
	if (e->reason != NULL) {
		jbuf_lit(jb, ": ");
		put_plain(jb, e->reason);
	}
}

void
format_summary(struct jbuf *jb, enum llmlog_category cat, const void *entry)
{
	const struct llmlog_interaction *u = entry;
	const struct llmlog_tool *t = entry;
	const struct llmlog_llm *l = entry;
	const struct llmlog_metric *m = entry;

	switch (cat) {
	case LLMLOG_USER:
		jbuf_lit(jb, "interaction \"");
		put_plain(jb, u->user_input);
		jbuf_lit(jb, "\"");
		summary_failure(jb, u->failed, u->error);
		break;
	case LLMLOG_SYSTEM:
		summary_system(jb, entry);
		break;
	case LLMLOG_TOOL:
		jbuf_lit(jb, "tool ");
		put_plain(jb, t->tool_name);
		summary_failure(jb, t->failed, t->error);
		break;
	case LLMLOG_LLM:
		jbuf_lit(jb, "llm call ");
		put_plain(jb, l->provider);
		jbuf_lit(jb, "/");
		put_plain(jb, l->model);
		summary_failure(jb, l->failed, l->error);
		break;
	case LLMLOG_SECURITY:
		summary_security(jb, entry);
		break;
	case LLMLOG_PERFORMANCE:
	default:
		put_plain(jb, m->operation);
		jbuf_lit(jb, " took ");
		jbuf_fixed(jb, m->duration_ms, 1);
		jbuf_lit(jb, " ms");
		break;
	}
	jbuf_char(jb, '\0');
}
