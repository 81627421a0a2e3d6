/*
 * test-chaos.c - fail the n-th allocation of every library call, for every
 * n, as jansson's chaos test does: each call must report an error or
 * succeed, never crash, never let a secret through to a file or out of
 * llmlog_redact, and (under ASan or valgrind) never leak.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "llmlog.h"
#include "util.h"

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);
void *__wrap_malloc(size_t);
void *__wrap_calloc(size_t, size_t);
void *__wrap_realloc(void *, size_t);
char *__wrap_strdup(const char *);
char *__wrap_strndup(const char *, size_t);

static __thread long fail_at;	/* 0: never */
static __thread long allocations;

static int
should_fail(void)
{
	return fail_at > 0 && ++allocations == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strndup(s, n);
}

static const char *dir;

/* The secrets the scenarios log, in part: each must be redacted. */
static const char *const secrets[] = { "hunter2", "abcdefghijklmnop" };

/* One scenario: returns 0 when every call succeeded. */
typedef int (*scenario_fn)(struct llmlog *lg);

static json_object *
details(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "api_key", json_object_new_string("sk-proj-abcdefghijklmnopqrstuv"));
	json_object_object_add(o, "path", json_object_new_string("/home/user"));
	return o;
}

static int
log_everything(struct llmlog *lg)
{
	const char *tools[] = { "list_directory", "read_file", NULL };
	char big[2000];
	int rc = 0;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	rc |= llmlog_interaction(lg, .user_input = "token=hunter2 list files",
	    .response = big, .tool_calls = tools, .duration_ms = 12.5,
	    .details = details());
	rc |= llmlog_startup(lg, "llm_router", details());
	rc |= llmlog_system_error(lg, "mcp", "Failed to start", details());
	rc |= llmlog_tool(lg, .tool_name = "read_file", .tool_server = "filesystem",
	    .parameters = details(), .result = details(), .duration_ms = 3);
	rc |= llmlog_llm(lg, .provider = "groq", .model = "llama3-70b-8192",
	    .prompt_tokens = 150, .completion_tokens = 80, .duration_ms = 1234.5);
	rc |= llmlog_security(lg, .event_type = "permission_check",
	    .resource = "/etc/passwd", .action = "read", .reason = "outside");
	rc |= llmlog_metric(lg, .operation = "init", .duration_ms = 5,
	    .details = details());
	return rc;
}

static int
timer_scope(struct llmlog *lg)
{
	struct llmlog_timer t = llmlog_timer_start(lg, "scope");

	return llmlog_timer_stop(&t, details());
}

static bool
has_secret(const char *text)
{
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(text, secrets[i]) != NULL)
			return true;
	return false;
}

/* Whether a file in the log directory holds a secret. */
static bool
secret_written(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while (!found && (de = readdir(d)) != NULL) {
		char path[4096], *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((text = util_read_file(path, NULL)) != NULL)
			found = has_secret(text);
		free(text);
	}
	closedir(d);
	return found;
}

/* Open, run, close with the n-th allocation failing, for every n until a
 * run makes fewer allocations than n (so every one was failed once). */
static void
chaos(bool async, scenario_fn fn)
{
	struct llmlog_config cfg = { .dir = dir, .no_console = true,
	    .async = async, .max_bytes = 4096, .backups = 2 };
	long n;

	for (n = 1; n < 100000; n++) {
		struct llmlog *lg;
		long made;

		allocations = 0;
		fail_at = n;
		lg = llmlog_open(&cfg);
		if (lg == NULL) {
			CU_ASSERT_NOT_EQUAL(llmlog_errmsg()[0], '\0');
		} else {
			(void)fn(lg);
			(void)llmlog_close(lg);
		}
		made = allocations;
		fail_at = 0;
		if (secret_written()) {
			CU_FAIL("a secret reached a file");
			fprintf(stderr, "\nwith allocation %ld failing\n", n);
			break;
		}
		if (made < n)
			break;
	}
	CU_ASSERT(n > 1);
	/* and with nothing failing, everything works */
	{
		struct llmlog *lg = llmlog_open(&cfg);

		CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
		CU_ASSERT_EQUAL(fn(lg), 0);
		CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	}
}

static void
test_sync(void)
{
	chaos(false, log_everything);
}

static void
test_async(void)
{
	chaos(true, log_everything);
}

static void
test_timer(void)
{
	chaos(false, timer_scope);
}

/* With any one allocation failing, llmlog_redact gives NULL or the whole
 * redacted copy (libllmlog(3), Text rules), never a copy that still holds
 * a secret; with none failing, the copy. */
static void
test_redact(void)
{
	static const char text[] = "Authorization: Bearer abcdefghijklmnop "
	    "and sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
	char *want = llmlog_redact(text);
	long n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_FALSE(has_secret(want));
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "[REDACTED]"));
	for (n = 1; n < 1000; n++) {
		long made;
		char *s;

		allocations = 0;
		fail_at = n;
		s = llmlog_redact(text);
		made = allocations;
		fail_at = 0;
		if (made < n)
			CU_ASSERT_PTR_NOT_NULL(s);	/* nothing failed */
		if (s != NULL)
			CU_ASSERT_STRING_EQUAL(s, want);
		free(s);
		if (made < n)
			break;
	}
	CU_ASSERT(n > 1);	/* at least one allocation was failed */
	CU_ASSERT(n < 1000);	/* and then none was left to fail */
	free(want);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "every allocation of every call fails once (sync)",
		    test_sync },
		{ "every allocation of every call fails once (async)",
		    test_async },
		{ "every allocation of a timer fails once", test_timer },
		{ "every allocation of llmlog_redact fails once", test_redact },
		{ NULL, NULL },
	};

	dir = util_tmpdir("chaos");
	return util_run("chaos", tests);
}
