/*
 * test-async-format.c - async mode formats on the writer thread from a
 * copy of each call: the same calls must give byte-identical files in sync
 * and async mode, for every category, with secrets, long and UTF-8 text
 * and json objects; and a full queue that drops records, or a fork() with
 * records queued, must lose track of nothing (no leak or double free
 * under ASan or valgrind, every entry written once or counted).
 */
#include "config.h"

#include "sink.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

static const char *tmproot;

static struct llmlog *
open_log(const char *name, bool async, unsigned queue_size,
    enum llmlog_overflow overflow)
{
	char dir[512];
	struct llmlog *lg;

	snprintf(dir, sizeof dir, "%s/%s", tmproot, name);
	lg = llmlog_open(&(struct llmlog_config){ .dir = dir,
	    .min_level = LLMLOG_DEBUG, .no_console = true, .async = async,
	    .queue_size = queue_size, .overflow = overflow });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	return lg;
}

static char *
read_file(const char *name, enum llmlog_category cat, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s/%s", tmproot, name,
	    llmlog_category_file(cat));
	return util_read_file(path, len);
}

static json_object *
nested(int i)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "path", json_object_new_string(
	    "/home/\xc3\xa9t\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt"));
	json_object_object_add(o, "api_key", json_object_new_string("abc"));
	json_object_object_add(o, "note", json_object_new_string(
	    "token sk-abcdefghijklmnopqrstuvwxyz0123456789 in text"));
	json_object_object_add(o, "n", json_object_new_int64(i));
	json_object_object_add(o, "ratio", json_object_new_double(0.1 * i));
	json_object_array_add(a, json_object_new_boolean(1));
	json_object_array_add(a, NULL);
	json_object_array_add(a, json_object_new_string("Bearer abc.def.ghi"));
	json_object_object_add(o, "list", a);
	return o;
}

/* Text of n bytes mixing ASCII, two- and three-byte characters and a
 * secret, so that cuts fall on and inside sequences. */
static char *
long_text(size_t n)
{
	static const char piece[] = "caf\xc3\xa9 \xe2\x82\xac ghp_"
	    "abcdefghijklmnopqrstuvwxyz0123456789 ";
	char *s = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		s[i] = piece[i % (sizeof piece - 1)];
	s[n] = '\0';
	return s;
}

/* The same calls, whatever the mode; every call at a fixed time. */
static void
log_all(struct llmlog *lg)
{
	struct timespec t = { 1764155792, 123456789 };
	const char *calls[40];
	char *big = long_text(3000), *mid = long_text(700);
	char *huge = long_text(200000);	/* cut long before its end */
	char name[16];

	for (int i = 0; i < 39; i++) {
		snprintf(name, sizeof name, "tool_%d", i);
		calls[i] = strdup(name);
	}
	calls[39] = NULL;
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "list my files",
	    .response = mid, .duration_ms = 12.5,
	    .tool_calls = (const char *[]){ "list_directory", "read_file",
	    NULL }, .details = nested(1), .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = big,
	    .response = big, .tool_calls = calls, .error = "boom\n\x01",
	    .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = NULL,
	    .failed = true, .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "cat big.log",
	    .response = huge, .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_system(lg, .event = "startup",
	    .component = "router", .details = nested(2), .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_system(lg, .event = "warning",
	    .component = "mem", .message = "password=hunter2 is set",
	    .details = nested(3), .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_system(lg, .event = "status",
	    .component = "x", .message = big, .level = LLMLOG_DEBUG,
	    .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "read_file",
	    .tool_server = "filesystem", .parameters = nested(4),
	    .result = nested(5), .duration_ms = 3.25, .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "write_file",
	    .parameters = json_object_new_string(big),
	    .result = json_object_new_string(mid), .failed = true,
	    .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "shell",
	    .result_text = big, .error = "AKIAIOSFODNN7EXAMPLE leaked",
	    .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "cat",
	    .result = json_object_new_string(huge), .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_llm(lg, .provider = "groq",
	    .model = "llama-3.1-70b", .prompt_tokens = 120,
	    .completion_tokens = 30, .duration_ms = 812.0625,
	    .streaming = true, .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_llm(lg, .provider = "openai", .model = NULL,
	    .error = "401 for key sk-abcdefghijklmnopqrstuvwxyz0123456789",
	    .level = LLMLOG_CRITICAL, .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_security(lg, .event_type = "file_access",
	    .resource = "/etc/shadow", .action = "read",
	    .reason = "not \xe2\x9c\x93 allowed", .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_security(lg, .event_type = "net",
	    .resource = mid, .action = "connect", .allowed = true,
	    .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = "route",
	    .duration_ms = 1.5, .memory_mb = 42.25, .cpu_percent = 12.5,
	    .details = nested(6), .when = t), 0);
	CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = big,
	    .duration_ms = 2, .memory_mb = 1, .when = t), 0);
	for (int i = 0; i < 39; i++)
		free((char *)calls[i]);
	free(big);
	free(mid);
	free(huge);
}

static void
test_same_bytes(void)
{
	struct llmlog *sync = open_log("sync", false, 0, 0);
	struct llmlog *async = open_log("async", true, 0, 0);

	log_all(sync);
	log_all(async);
	CU_ASSERT_EQUAL(llmlog_flush(async), 0);
	CU_ASSERT_EQUAL(llmlog_close(sync), 0);
	CU_ASSERT_EQUAL(llmlog_close(async), 0);
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		size_t n1, n2;
		char *a = read_file("sync", c, &n1);
		char *b = read_file("async", c, &n2);

		CU_ASSERT_PTR_NOT_NULL(a);
		CU_ASSERT(n1 > 0);
		CU_ASSERT_EQUAL(n1, n2);
		CU_ASSERT(a != NULL && b != NULL && n1 == n2 &&
		    memcmp(a, b, n1) == 0);
		if (a != NULL && b != NULL && (n1 != n2 ||
		    memcmp(a, b, n1) != 0))
			fprintf(stderr, "\n%s differs:\n%.*s---\n%.*s\n",
			    llmlog_category_name(c), (int)n1, a, (int)n2, b);
		free(a);
		free(b);
	}
}

static size_t
count_lines(const char *name, enum llmlog_category cat)
{
	size_t len, lines = 0;
	char *text = read_file(name, cat, &len);

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	free(text);
	return lines;
}

/* A queue of two entries that drops: every call is written or counted,
 * and the dropped records' objects are freed (ASan, valgrind). */
static void
test_drop_records(void)
{
	struct llmlog *lg = open_log("drop", true, 2, LLMLOG_OVERFLOW_DROP);
	char *big = long_text(2000);
	int failed = 0;

	for (int i = 0; i < 200; i++)
		if (llmlog_tool(lg, .tool_name = "t", .parameters = nested(i),
		    .result = nested(i), .result_text = i % 2 ? big : NULL) != 0)
			failed++;
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), (uint64_t)failed);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_EQUAL(count_lines("drop", LLMLOG_TOOL) + (size_t)failed, 200);
	free(big);
}

/* fork() while the writer is stuck with records queued: the parent writes
 * them, the child drops its copies (and their objects) and writes its own
 * entries; its exit() is checked for leaks under ASan. */
static void
test_fork_records(void)
{
	struct llmlog *lg = open_log("fork", true, 64, 0);
	char *big = long_text(2000);
	int status;
	pid_t pid;

	pthread_mutex_lock(&lg->files[LLMLOG_USER].lock);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "parent",
		    .response = i % 2 ? big : NULL, .details = nested(i)), 0);
	/* unlocked just before fork() takes it in its prepare handler */
	pthread_mutex_unlock(&lg->files[LLMLOG_USER].lock);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int rc = llmlog_interaction(lg, .user_input = "child",
		    .details = nested(9));

		rc |= llmlog_close(lg);
		free(big);
		exit(rc == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "parent",
	    .details = nested(5)), 0);
	waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_EQUAL(count_lines("fork", LLMLOG_USER), 7);
	free(big);
}

static int
tool_ok(void *arg, json_object **result, const char **error)
{
	*result = nested(7);
	return 0;
}

/* llmlog_time_tool() gives the caller a result it may drop at once while
 * the writer thread still has the entry's. */
static void
test_time_tool_result(void)
{
	struct llmlog *lg = open_log("timed", true, 0, 0);
	static const char want[] = "\\\"ratio\\\":0.7";
	json_object *res = NULL;
	size_t len;
	char *text;

	CU_ASSERT_EQUAL(llmlog_time_tool(lg, "read_file", "filesystem",
	    nested(8), tool_ok, NULL, &res), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	CU_ASSERT_EQUAL(json_object_put(res), 1);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	text = read_file("timed", LLMLOG_TOOL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(memmem(text, len, want, sizeof want - 1));
	free(text);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "sync and async write the same bytes", test_same_bytes },
		{ "dropped records are counted and freed", test_drop_records },
		{ "a child drops the parent's queued records",
		    test_fork_records },
		{ "a timed tool's result stays the caller's",
		    test_time_tool_result },
		{ NULL, NULL },
	};

	tmproot = util_tmpdir("async-format");
	return util_run("async formatting", tests);
}
