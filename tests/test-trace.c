/*
 * test-trace.c - trace context through a real log (llmlog(5), TRACES):
 * spans nest across the time-and-log helpers and timers, threads keep
 * their own current span, TRACEPARENT goes out to a child process and
 * comes back in its entries, fork and async mode keep the ids, bindings
 * set the current span explicitly; conversations and cost_usd; and
 * llmlog_log_json() writes what the typed call writes for the same
 * fields.  Every line read back is checked against the rules of the
 * trace fields: lowercase hex of their lengths, right after pid, a
 * parent everywhere but at a root.
 */
#include "config.h"

#include "llmlog.h"

#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

#define MAX_LINES 256

static const char *tmproot;
static int ndirs;
static char curdir[512];

static struct llmlog *
open_log_cfg(bool async, int min_level)
{
	struct llmlog *lg;

	snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
	lg = llmlog_open(&(struct llmlog_config){ .dir = curdir,
	    .no_console = true, .async = async, .min_level = min_level });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	return lg;
}

static struct llmlog *
open_log(void)
{
	return open_log_cfg(false, 0);
}

/* ---- reading back ------------------------------------------------------- */

struct lines {
	json_object *v[MAX_LINES];
	char *raw[MAX_LINES];
	int n;
};

static bool
is_hex(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The rules every line obeys: trace ids as hex of their lengths, written
 * right after pid (then conversation_id), never all zero. */
static void
check_rules(json_object *o, const char *raw)
{
	const char *t = str(o, "trace_id"), *s = str(o, "span_id");
	const char *p = str(o, "parent_span_id"), *after;

	after = strstr(raw, ",\"pid\":");
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	after += 7;
	while (*after >= '0' && *after <= '9')
		after++;
	if (t == NULL) {
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT_PTR_NULL(p);
		CU_ASSERT(strncmp(after, ",\"trace_id\"", 11) != 0);
		return;
	}
	CU_ASSERT(is_hex(t, 32));
	CU_ASSERT(is_hex(s, 16));
	CU_ASSERT(strcmp(t, "00000000000000000000000000000000") != 0);
	CU_ASSERT(strcmp(s, "0000000000000000") != 0);
	if (p != NULL) {
		CU_ASSERT(is_hex(p, 16));
		CU_ASSERT(strcmp(p, "0000000000000000") != 0);
	}
	CU_ASSERT(strncmp(after, ",\"trace_id\":\"", 13) == 0);
	CU_ASSERT(strncmp(after + 45, "\",\"span_id\":\"", 13) == 0);
	if (p != NULL)
		CU_ASSERT(strncmp(after + 75, ",\"parent_span_id\":\"", 19) ==
		    0);
}

/* Every line of every category file of dir, each checked by the rules. */
static void
read_all(const char *dir, struct lines *ls)
{
	memset(ls, 0, sizeof *ls);
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		char path[1024], *text, *line, *save = NULL;

		snprintf(path, sizeof path, "%s/%s", dir,
		    llmlog_category_file((enum llmlog_category)c));
		if ((text = util_read_file(path, NULL)) == NULL)
			continue;
		for (line = strtok_r(text, "\n", &save);
		    line != NULL && ls->n < MAX_LINES;
		    line = strtok_r(NULL, "\n", &save)) {
			ls->v[ls->n] = json_tokener_parse(line);
			CU_ASSERT_PTR_NOT_NULL_FATAL(ls->v[ls->n]);
			ls->raw[ls->n] = strdup(line);
			check_rules(ls->v[ls->n], line);
			ls->n++;
		}
		free(text);
	}
}

static void
free_all(struct lines *ls)
{
	for (int i = 0; i < ls->n; i++) {
		json_object_put(ls->v[i]);
		free(ls->raw[i]);
	}
	ls->n = 0;
}

/* The line whose key holds value (NULL when none, or more than one). */
static json_object *
find(struct lines *ls, const char *key, const char *value)
{
	json_object *hit = NULL;
	int hits = 0;

	for (int i = 0; i < ls->n; i++) {
		const char *s = str(ls->v[i], key);

		if (s != NULL && strcmp(s, value) == 0) {
			hit = ls->v[i];
			hits++;
		}
	}
	CU_ASSERT_EQUAL(hits, 1);
	if (hits != 1)
		fprintf(stderr, "\n%d lines with %s = %s\n", hits, key, value);
	return hits == 1 ? hit : NULL;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* child's parent is parent's span, in the same trace. */
static void
check_child(json_object *child, json_object *parent)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	CU_ASSERT(same(str(child, "trace_id"), str(parent, "trace_id")));
	CU_ASSERT(same(str(child, "parent_span_id"), str(parent, "span_id")));
	CU_ASSERT(!same(str(child, "span_id"), str(parent, "span_id")));
}

/* ---- spans nest across the helpers -------------------------------------- */

static struct llmlog *nest_lg;

static int
nest_check(void *arg, json_object **result, const char **error)
{
	(void)arg;
	llmlog_security(nest_lg, .event_type = "file_access",
	    .resource = "/etc/shadow", .action = "read", .reason = "outside");
	*result = NULL;
	*error = "permission denied";
	return 1;
}

static int
nest_llm(void *arg, struct llmlog_llm *call)
{
	(void)arg;
	call->prompt_tokens = 10;
	call->completion_tokens = 5;
	return 0;
}

static int
nest_request(void *arg, const char **response, const char **tool_calls,
    const char **error)
{
	(void)arg;
	llmlog_time_llm(nest_lg, "groq", "llama3-70b-8192", nest_llm, NULL);
	llmlog_time_tool(nest_lg, "read_file", "filesystem", NULL,
	    nest_check, NULL, NULL);
	{
		LLMLOG_TIMED_SCOPE(nest_lg, "summarise");
		llmlog_status(nest_lg, "core", "inside the scope", NULL);
	}
	tool_calls[0] = "read_file";
	*response = NULL;
	*error = "the tool failed";
	return 1;
}

static void
test_nesting(void)
{
	struct lines ls;
	json_object *req, *llm, *tool, *sec, *perf, *status;

	nest_lg = open_log();
	CU_ASSERT_PTR_NULL(llmlog_span_current());
	CU_ASSERT_EQUAL(llmlog_time_interaction(nest_lg, "read the secrets",
	    nest_request, NULL), 1);
	CU_ASSERT_PTR_NULL(llmlog_span_current());
	llmlog_close(nest_lg);
	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 6);
	req = find(&ls, "category", "user");
	llm = find(&ls, "category", "llm");
	tool = find(&ls, "category", "tool");
	sec = find(&ls, "category", "security");
	perf = find(&ls, "category", "performance");
	status = find(&ls, "category", "system");
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	/* the request is the root, written last */
	CU_ASSERT_PTR_NULL(str(req, "parent_span_id"));
	CU_ASSERT_PTR_NOT_NULL(str(req, "trace_id"));
	check_child(llm, req);
	check_child(tool, req);
	check_child(sec, tool);
	check_child(perf, req);
	check_child(status, perf);
	CU_ASSERT(same(str(tool, "error"), "permission denied"));
	free_all(&ls);
}

/* ---- explicit spans, the scope macro, records and leaves ---------------- */

static void
test_explicit(void)
{
	struct llmlog *lg = open_log();
	struct llmlog_span a, b;
	char ta[33], sa[17], pa[17], sb[17], pb[17];
	struct lines ls;

	llmlog_span_begin(&a, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(llmlog_span_current());
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id, a.ctx.span_id);
	llmlog_span_begin(&b, NULL);
	CU_ASSERT_EQUAL(b.ctx.parent_span_id, a.ctx.span_id);
	llmlog_span_hex(&a, ta, sa, pa);
	llmlog_span_hex(&b, NULL, sb, pb);
	CU_ASSERT_STRING_EQUAL(pa, "");
	CU_ASSERT_STRING_EQUAL(pb, sa);
	llmlog_llm(lg, .provider = "p", .model = "b-record", .span = &b);
	llmlog_llm(lg, .provider = "p", .model = "b-leaf");
	llmlog_span_end(&b);
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id, a.ctx.span_id);
	llmlog_span_end(&b);		/* twice: nothing */
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id, a.ctx.span_id);
	{
		LLMLOG_SPAN_SCOPE(c, NULL);
		llmlog_llm(lg, .provider = "p", .model = "c-record", .span = &c);
	}
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id, a.ctx.span_id);
	llmlog_interaction(lg, .user_input = "a-record", .span = &a);
	llmlog_span_end(&a);
	CU_ASSERT_PTR_NULL(llmlog_span_current());
	llmlog_interaction(lg, .user_input = "no span");
	llmlog_close(lg);

	read_all(curdir, &ls);
	CU_ASSERT_STRING_EQUAL(str(find(&ls, "model", "b-record"), "span_id"),
	    sb);
	CU_ASSERT_STRING_EQUAL(str(find(&ls, "user_input", "a-record"),
	    "span_id"), sa);
	CU_ASSERT_STRING_EQUAL(str(find(&ls, "user_input", "a-record"),
	    "trace_id"), ta);
	CU_ASSERT_PTR_NULL(str(find(&ls, "user_input", "a-record"),
	    "parent_span_id"));
	check_child(find(&ls, "model", "b-record"),
	    find(&ls, "user_input", "a-record"));
	check_child(find(&ls, "model", "b-leaf"),
	    find(&ls, "model", "b-record"));
	check_child(find(&ls, "model", "c-record"),
	    find(&ls, "user_input", "a-record"));
	CU_ASSERT_PTR_NULL(str(find(&ls, "user_input", "no span"),
	    "trace_id"));
	free_all(&ls);
}

/* Two roots are two traces; ids differ. */
static void
test_roots(void)
{
	struct llmlog_span a = llmlog_span_start(NULL);
	struct llmlog_span b;

	llmlog_span_end(&a);
	llmlog_span_begin(&b, NULL);
	CU_ASSERT_EQUAL(b.ctx.parent_span_id, 0);
	CU_ASSERT(a.ctx.trace_hi != b.ctx.trace_hi ||
	    a.ctx.trace_lo != b.ctx.trace_lo);
	CU_ASSERT_EQUAL(b.ctx.flags, 1);
	llmlog_span_end(&b);
	CU_ASSERT_PTR_NULL(llmlog_span_current());
}

/* ---- bindings set the current span ---------------------------------------- */

static void
test_set_current(void)
{
	struct llmlog *lg = open_log();
	struct llmlog_span mine, outer, prev, none;
	char sm[17], so[17];
	struct lines ls;

	/* a span a binding keeps in its own object, begun under none */
	llmlog_span_begin(&mine, "conv-mine");
	llmlog_span_end(&mine);
	mine = llmlog_span_start("conv-mine");
	none = llmlog_span_set_current(NULL);
	CU_ASSERT_EQUAL(none.ctx.span_id, mine.ctx.span_id);
	CU_ASSERT_PTR_NULL(llmlog_span_current());

	llmlog_span_begin(&outer, NULL);
	llmlog_span_hex(&mine, NULL, sm, NULL);
	llmlog_span_hex(&outer, NULL, so, NULL);
	prev = llmlog_span_set_current(&mine);
	CU_ASSERT_EQUAL(prev.ctx.span_id, outer.ctx.span_id);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "tool",
	    "{\"tool_name\":\"under-mine\"}"), 0);
	CU_ASSERT_EQUAL(llmlog_log_json_span(lg, "tool",
	    "{\"tool_name\":\"mine-record\"}", &mine), 0);
	prev = llmlog_span_set_current(&prev);
	CU_ASSERT_EQUAL(prev.ctx.span_id, mine.ctx.span_id);
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id,
	    outer.ctx.span_id);
	llmlog_tool(lg, .tool_name = "under-outer");
	llmlog_span_end(&outer);
	CU_ASSERT_PTR_NULL(llmlog_span_current());
	llmlog_close(lg);

	read_all(curdir, &ls);
	CU_ASSERT(same(str(find(&ls, "tool_name", "under-mine"),
	    "parent_span_id"), sm));
	CU_ASSERT(same(str(find(&ls, "tool_name", "under-mine"),
	    "conversation_id"), "conv-mine"));
	CU_ASSERT(same(str(find(&ls, "tool_name", "mine-record"), "span_id"),
	    sm));
	CU_ASSERT(same(str(find(&ls, "tool_name", "under-outer"),
	    "parent_span_id"), so));
	CU_ASSERT_PTR_NULL(str(find(&ls, "tool_name", "under-outer"),
	    "conversation_id"));
	free_all(&ls);
}

/* ---- threads -------------------------------------------------------------- */

struct thread_arg {
	struct llmlog *lg;
	char name[16];
	char trace[33];
};

static void *
thread_main(void *p)
{
	struct thread_arg *ta = p;
	struct llmlog_span sp;

	CU_ASSERT_PTR_NULL(llmlog_span_current());
	llmlog_set_conversation(ta->name);
	llmlog_span_begin(&sp, NULL);
	llmlog_span_hex(&sp, ta->trace, NULL, NULL);
	for (int i = 0; i < 20; i++) {
		char op[32];

		snprintf(op, sizeof op, "%s-%d", ta->name, i);
		llmlog_metric(ta->lg, .operation = op, .memory_mb = 1);
		sched_yield();
	}
	llmlog_interaction(ta->lg, .user_input = ta->name, .span = &sp);
	llmlog_span_end(&sp);
	return NULL;
}

static void
test_threads(void)
{
	struct llmlog *lg = open_log();
	struct thread_arg ta[3];
	pthread_t th[3];
	struct llmlog_span main_span;
	struct lines ls;

	llmlog_span_begin(&main_span, NULL);
	for (int i = 0; i < 3; i++) {
		ta[i].lg = lg;
		snprintf(ta[i].name, sizeof ta[i].name, "t%d", i);
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thread_main,
		    &ta[i]), 0);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(llmlog_span_current()->ctx.span_id,
	    main_span.ctx.span_id);
	CU_ASSERT_PTR_NULL(llmlog_conversation());
	llmlog_span_end(&main_span);
	llmlog_close(lg);

	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 63);
	for (int i = 0; i < 3; i++) {
		json_object *root = find(&ls, "user_input", ta[i].name);

		CU_ASSERT(same(str(root, "trace_id"), ta[i].trace));
		CU_ASSERT(same(str(root, "conversation_id"), ta[i].name));
		for (int j = 0; j < 20; j++) {
			char op[32];

			snprintf(op, sizeof op, "%s-%d", ta[i].name, j);
			check_child(find(&ls, "operation", op), root);
			CU_ASSERT(same(str(find(&ls, "operation", op),
			    "conversation_id"), ta[i].name));
		}
	}
	free_all(&ls);
}

/* ---- TRACEPARENT, out and in ------------------------------------------ */

#define CHILD_ENV "LLMLOG_TEST_TRACE_CHILD"

/* What the test program does when run as the child: one request under the
 * process's first root span, with a leaf inside. */
static int
child_main(const char *dir)
{
	struct llmlog *lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .no_console = true });
	struct llmlog_span req;

	if (lg == NULL)
		return 2;
	llmlog_span_begin(&req, NULL);
	llmlog_tool(lg, .tool_name = "child-leaf");
	llmlog_interaction(lg, .user_input = "child-root", .span = &req);
	llmlog_span_end(&req);
	/* the second root is a trace of its own */
	llmlog_span_begin(&req, NULL);
	llmlog_interaction(lg, .user_input = "child-second", .span = &req);
	llmlog_span_end(&req);
	return llmlog_close(lg) == 0 ? 0 : 3;
}

/* Run this program as the child in a new directory with TRACEPARENT set
 * to tp (NULL: unset); its lines in *ls. */
static void
run_child(const char *tp, struct lines *ls)
{
	char dir[600];
	pid_t pid;
	int status;

	snprintf(dir, sizeof dir, "%s/child%d", tmproot, ndirs++);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (tp != NULL)
			setenv("TRACEPARENT", tp, 1);
		else
			unsetenv("TRACEPARENT");
		setenv(CHILD_ENV, dir, 1);
		execl("/proc/self/exe", "test-trace", (char *)NULL);
		_exit(127);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	read_all(dir, ls);
	CU_ASSERT_EQUAL(ls->n, 3);
}

static void
test_traceparent(void)
{
	char tp[LLMLOG_TRACEPARENT_SIZE], t[33], s[17], want[64];
	struct llmlog_span sp;
	struct lines ls;
	json_object *root, *second;

	errno = 0;
	CU_ASSERT_EQUAL(llmlog_traceparent(tp, sizeof tp), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	llmlog_span_begin(&sp, NULL);
	errno = 0;
	CU_ASSERT_EQUAL(llmlog_traceparent(tp, sizeof tp - 1), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(llmlog_traceparent(tp, sizeof tp), 0);
	llmlog_span_hex(&sp, t, s, NULL);
	snprintf(want, sizeof want, "00-%s-%s-01", t, s);
	CU_ASSERT_STRING_EQUAL(tp, want);

	run_child(tp, &ls);
	root = find(&ls, "user_input", "child-root");
	CU_ASSERT(same(str(root, "trace_id"), t));
	CU_ASSERT(same(str(root, "parent_span_id"), s));
	check_child(find(&ls, "tool_name", "child-leaf"), root);
	second = find(&ls, "user_input", "child-second");
	CU_ASSERT(!same(str(second, "trace_id"), t));
	CU_ASSERT_PTR_NULL(str(second, "parent_span_id"));
	free_all(&ls);
	llmlog_span_end(&sp);

	/* invalid values are ignored: the child starts a trace of its own */
	static const char *const bad[] = {
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
		"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		run_child(bad[i], &ls);
		root = find(&ls, "user_input", "child-root");
		CU_ASSERT_PTR_NULL(str(root, "parent_span_id"));
		CU_ASSERT(!same(str(root, "trace_id"),
		    "4bf92f3577b34da6a3ce929d0e0e4736"));
		free_all(&ls);
	}
	/* a later version may carry more fields; its flags are kept */
	run_child("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x",
	    &ls);
	root = find(&ls, "user_input", "child-root");
	CU_ASSERT(same(str(root, "trace_id"),
	    "4bf92f3577b34da6a3ce929d0e0e4736"));
	CU_ASSERT(same(str(root, "parent_span_id"), "00f067aa0ba902b7"));
	free_all(&ls);
}

/* ---- fork ----------------------------------------------------------------- */

static void
test_fork(void)
{
	struct llmlog *lg = open_log();
	struct llmlog_span sp;
	struct lines ls;
	pid_t pid;
	int status;

	llmlog_set_conversation("forked");
	llmlog_span_begin(&sp, NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		llmlog_tool(lg, .tool_name = "in-child");
		_exit(llmlog_close(lg) == 0 ? 0 : 1);
	}
	llmlog_tool(lg, .tool_name = "in-parent");
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	llmlog_interaction(lg, .user_input = "root", .span = &sp);
	llmlog_span_end(&sp);
	llmlog_set_conversation(NULL);
	llmlog_close(lg);

	read_all(curdir, &ls);
	check_child(find(&ls, "tool_name", "in-child"),
	    find(&ls, "user_input", "root"));
	check_child(find(&ls, "tool_name", "in-parent"),
	    find(&ls, "user_input", "root"));
	/* the child's generator was seeded again, not copied */
	CU_ASSERT(!same(str(find(&ls, "tool_name", "in-child"), "span_id"),
	    str(find(&ls, "tool_name", "in-parent"), "span_id")));
	CU_ASSERT(same(str(find(&ls, "tool_name", "in-child"),
	    "conversation_id"), "forked"));
	free_all(&ls);
}

/* ---- async mode ------------------------------------------------------------ */

static void
test_async(void)
{
	struct llmlog *lg = open_log_cfg(true, 0);
	struct llmlog_span sp;
	char t[33], s[17];
	struct lines ls;

	llmlog_span_begin(&sp, "conv-async");
	llmlog_span_hex(&sp, t, s, NULL);
	for (int i = 0; i < 50; i++)
		llmlog_security(lg, .event_type = "permission_check",
		    .resource = "/r", .allowed = true);
	llmlog_llm(lg, .provider = "p", .model = "async-record", .span = &sp,
	    .cost_usd = 0.25);
	llmlog_span_end(&sp);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	llmlog_close(lg);

	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 51);
	for (int i = 0; i < ls.n; i++) {
		CU_ASSERT(same(str(ls.v[i], "trace_id"), t));
		CU_ASSERT(same(str(ls.v[i], "conversation_id"), "conv-async"));
		if (same(str(ls.v[i], "category"), "security"))
			CU_ASSERT(same(str(ls.v[i], "parent_span_id"), s));
	}
	CU_ASSERT(same(str(find(&ls, "model", "async-record"), "span_id"), s));
	CU_ASSERT(same(str(find(&ls, "model", "async-record"), "cost_usd"),
	    "0.25"));
	free_all(&ls);
}

/* ---- conversations and cost --------------------------------------------- */

static void
test_conversation_cost(void)
{
	struct llmlog *lg = open_log();
	struct llmlog_span sp;
	struct lines ls;

	CU_ASSERT_EQUAL(llmlog_set_conversation("thread-conv"), 0);
	CU_ASSERT_STRING_EQUAL(llmlog_conversation(), "thread-conv");
	llmlog_llm(lg, .provider = "p", .model = "plain");
	llmlog_llm(lg, .provider = "p", .model = "billed-zero", .has_cost = true);
	llmlog_llm(lg, .provider = "p", .model = "billed", .cost_usd = 0.0042);
	errno = 0;
	CU_ASSERT_EQUAL(llmlog_llm(lg, .provider = "p", .model = "negative",
	    .cost_usd = -1), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	llmlog_span_begin(&sp, "span-conv");
	llmlog_llm(lg, .provider = "p", .model = "in-span");
	llmlog_span_end(&sp);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "llm",
	    "{\"model\":\"json-conv\",\"conversation_id\":\"given\"}"), 0);
	llmlog_set_conversation(NULL);
	CU_ASSERT_PTR_NULL(llmlog_conversation());
	llmlog_llm(lg, .provider = "p", .model = "after");
	/* a session id is a secret, a conversation id is not */
	llmlog_set_conversation("session_id");
	llmlog_llm(lg, .provider = "p", .model = "named");
	llmlog_set_conversation(NULL);
	llmlog_close(lg);

	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 7);
	CU_ASSERT(same(str(find(&ls, "model", "plain"), "conversation_id"),
	    "thread-conv"));
	CU_ASSERT_PTR_NULL(str(find(&ls, "model", "plain"), "cost_usd"));
	CU_ASSERT(same(str(find(&ls, "model", "billed-zero"), "cost_usd"),
	    "0.0"));
	CU_ASSERT(same(str(find(&ls, "model", "billed"), "cost_usd"),
	    "0.0042"));
	CU_ASSERT(same(str(find(&ls, "model", "in-span"), "conversation_id"),
	    "span-conv"));
	CU_ASSERT(same(str(find(&ls, "model", "json-conv"),
	    "conversation_id"), "given"));
	CU_ASSERT_PTR_NULL(str(find(&ls, "model", "after"), "conversation_id"));
	CU_ASSERT(same(str(find(&ls, "model", "named"), "conversation_id"),
	    "session_id"));
	free_all(&ls);
}

/* ---- llmlog_log_json -------------------------------------------------------- */

/* A line without its timestamp, which differs between calls. */
static char *
stable(const char *raw)
{
	json_object *o = json_tokener_parse(raw);
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	json_object_object_del(o, "timestamp");
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* The only line of the current directory, stable; NULL when none. */
static char *
only_line(void)
{
	struct lines ls;
	char *s = NULL;

	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 1);
	if (ls.n == 1)
		s = stable(ls.raw[0]);
	free_all(&ls);
	return s;
}

static void
compare(const char *a, const char *b)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a, b);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "\njson:  %s\ntyped: %s\n", a, b);
}

static void
test_json_same_as_typed(void)
{
	char longtext[2000], fields[8192];
	struct llmlog *lg;
	char *a, *b;

	memset(longtext, 0, sizeof longtext);
	for (int i = 0; i < 600; i++)
		strcat(longtext, i % 50 == 49 ? "\xc3\xa9" : "x");
	/* a secret, a cut summary, a failure */
	snprintf(fields, sizeof fields, "{\"user_input\":\"login with "
	    "password=hunter2\",\"response_summary\":\"%s\",\"tool_calls\":"
	    "[\"a\",\"b\"],\"success\":false,\"duration_ms\":12.5,"
	    "\"details\":{\"api_key\":\"abc\",\"n\":1}}", longtext);
	lg = open_log();
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "user", fields), 0);
	llmlog_close(lg);
	a = only_line();
	lg = open_log();
	llmlog_interaction(lg, .user_input = "login with password=hunter2",
	    .response = longtext,
	    .tool_calls = (const char *[]){ "a", "b", NULL }, .failed = true,
	    .duration_ms = 12.5,
	    .details = json_tokener_parse("{\"api_key\":\"abc\",\"n\":1}"));
	llmlog_close(lg);
	b = only_line();
	compare(a, b);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "[REDACTED]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"response_truncated\":true"));
	free(a);
	free(b);

	/* a tool: cut parameters, a structured result, an unknown field */
	snprintf(fields, sizeof fields, "{\"tool_name\":\"write_file\","
	    "\"tool_server\":\"filesystem\",\"parameters\":{\"path\":\"/t\","
	    "\"content\":\"%s\",\"more\":\"%s\"},\"result\":{\"ok\":true},"
	    "\"duration_ms\":3,\"error\":\"disk full\",\"retries\":2}",
	    longtext, longtext);
	lg = open_log();
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "Tool", fields), 0);
	llmlog_close(lg);
	a = only_line();
	snprintf(fields, sizeof fields, "{\"path\":\"/t\",\"content\":\"%s\","
	    "\"more\":\"%s\"}", longtext, longtext);
	lg = open_log();
	llmlog_tool(lg, .tool_name = "write_file", .tool_server = "filesystem",
	    .parameters = json_tokener_parse(fields),
	    .result = json_tokener_parse("{\"ok\":true}"), .duration_ms = 3,
	    .error = "disk full",
	    .details = json_tokener_parse("{\"retries\":2}"));
	llmlog_close(lg);
	b = only_line();
	compare(a, b);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"parameters_truncated\":true"));
	free(a);
	free(b);

	/* llm with a cost and a level; security; metric; system */
	lg = open_log();
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "llm", "{\"provider\":\"openai\","
	    "\"model\":\"gpt-4o\",\"prompt_tokens\":100,\"completion_tokens\":"
	    "20,\"duration_ms\":800.25,\"streaming\":true,\"cost_usd\":0,"
	    "\"level\":\"critical\"}"), 0);
	llmlog_close(lg);
	a = only_line();
	lg = open_log();
	llmlog_llm(lg, .provider = "openai", .model = "gpt-4o",
	    .prompt_tokens = 100, .completion_tokens = 20,
	    .duration_ms = 800.25, .streaming = true, .has_cost = true,
	    .level = LLMLOG_CRITICAL);
	llmlog_close(lg);
	b = only_line();
	compare(a, b);
	free(a);
	free(b);

	lg = open_log();
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "security", "{\"event_type\":"
	    "\"file_access\",\"resource\":\"/etc/passwd\",\"action\":\"read\","
	    "\"allowed\":false,\"reason\":\"outside\",\"rule\":\"r1\"}"), 0);
	llmlog_close(lg);
	a = only_line();
	lg = open_log();
	llmlog_security(lg, .event_type = "file_access",
	    .resource = "/etc/passwd", .action = "read", .reason = "outside",
	    .details = json_tokener_parse("{\"rule\":\"r1\"}"));
	llmlog_close(lg);
	b = only_line();
	compare(a, b);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"level\":\"WARNING\""));
	free(a);
	free(b);

	lg = open_log();
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "system", "{\"event\":\"warning\","
	    "\"component\":\"llm_router\",\"message\":\"switched\","
	    "\"details\":{\"from\":\"groq\"},\"to\":\"ollama\"}"), 0);
	llmlog_close(lg);
	a = only_line();
	lg = open_log();
	llmlog_system(lg, .event = "warning", .component = "llm_router",
	    .message = "switched",
	    .details = json_tokener_parse("{\"from\":\"groq\",\"to\":\"ollama\"}"));
	llmlog_close(lg);
	b = only_line();
	compare(a, b);
	free(a);
	free(b);
}

/* Bad input writes nothing, returns -1 with EINVAL. */
static void
test_json_refused(void)
{
	static const struct {
		const char *cat, *fields;
	} bad[] = {
		{ "nope", "{}" },
		{ NULL, "{}" },
		{ "tool", "{\"tool_name\":" },
		{ "tool", "[]" },
		{ "tool", "{} {}" },
		{ "tool", "{\"tool_name\":1}" },
		{ "tool", "{\"duration_ms\":\"slow\"}" },
		{ "tool", "{\"success\":\"yes\"}" },
		{ "llm", "{\"prompt_tokens\":1.5}" },
		{ "llm", "{\"cost_usd\":-0.5}" },
		{ "user", "{\"tool_calls\":[1]}" },
		{ "user", "{\"tool_calls\":\"a\"}" },
		{ "user", "{\"level\":\"loud\"}" },
		{ "user", "{\"level\":25}" },
		{ "user", "{\"pid\":1}" },
		{ "user", "{\"trace_id\":\"ab\"}" },
		{ "user", "{\"event\":\"x\"}" },
		{ "user", "{\"conversation_id\":7}" },
		{ "user", "{\"details\":[1],\"extra\":1}" },
		{ "system", "{\"event\":\"Bad Name\"}" },
		{ "system", "{}" },
	};
	struct llmlog *lg = open_log_cfg(false, LLMLOG_DEBUG);
	struct lines ls;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		CU_ASSERT_EQUAL(llmlog_log_json(lg, bad[i].cat, bad[i].fields),
		    -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT(llmlog_errmsg()[0] != '\0');
		if (errno != EINVAL)
			fprintf(stderr, "\naccepted: %s\n", bad[i].fields);
	}
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 0);
	/* what is fine: null is not given, NULL fields are {} */
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "performance",
	    "{\"operation\":null,\"memory_mb\":2}"), 0);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "user", NULL), 0);
	llmlog_close(lg);
	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 2);
	free_all(&ls);
}

/* The level rules and the minimum level apply as to the typed calls. */
static void
test_json_levels(void)
{
	struct llmlog *lg = open_log();
	struct lines ls;

	CU_ASSERT_EQUAL(llmlog_log_json(lg, "tool",
	    "{\"tool_name\":\"quiet\",\"level\":\"debug\"}"), 0);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "tool",
	    "{\"tool_name\":\"failed\",\"error\":\"x\"}"), 0);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "tool",
	    "{\"tool_name\":\"ok\",\"success\":true}"), 0);
	CU_ASSERT_EQUAL(llmlog_log_json(lg, "security",
	    "{\"resource\":\"r\",\"allowed\":true,\"level\":30}"), 0);
	llmlog_close(lg);
	read_all(curdir, &ls);
	CU_ASSERT_EQUAL(ls.n, 3);
	CU_ASSERT(same(str(find(&ls, "tool_name", "failed"), "level"),
	    "ERROR"));
	CU_ASSERT(same(str(find(&ls, "tool_name", "failed"), "success"),
	    "false"));
	CU_ASSERT(same(str(find(&ls, "tool_name", "ok"), "level"), "INFO"));
	CU_ASSERT(same(str(find(&ls, "resource", "r"), "level"), "WARNING"));
	free_all(&ls);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "spans nest across the helpers", test_nesting },
		{ "explicit spans and the scope", test_explicit },
		{ "roots", test_roots },
		{ "bindings set the current span", test_set_current },
		{ "threads keep their own context", test_threads },
		{ "TRACEPARENT out and in", test_traceparent },
		{ "fork", test_fork },
		{ "async", test_async },
		{ "conversations and cost", test_conversation_cost },
		{ "log_json writes what the typed call writes",
		    test_json_same_as_typed },
		{ "log_json refuses bad input", test_json_refused },
		{ "log_json levels", test_json_levels },
		{ NULL, NULL }
	};
	const char *child = getenv(CHILD_ENV);

	if (child != NULL)
		return child_main(child);
	/* the tests start their own traces, not the one of whoever ran them */
	unsetenv("TRACEPARENT");
	tmproot = util_tmpdir("trace");
	return util_run("traces", tests);
}
