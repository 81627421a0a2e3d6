/*
 * test-format-log.c - every public logging call through a real log in a
 * temporary directory: the lines in the files, levels, ownership of
 * json_objects, redaction in the files and on stderr, timers and the
 * time-and-log helpers.  A call out of memory is test-oom.c's.
 */
#include "config.h"

#include "llmlog.h"
#include "internal.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "util.h"

static const char *tmproot;
static int ndirs;
static char curdir[512];

static struct llmlog *
open_log(int min_level, bool console)
{
	struct llmlog *lg;

	snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
	lg = llmlog_open(&(struct llmlog_config){ .dir = curdir,
	    .min_level = min_level, .no_console = !console });
	CU_ASSERT_PTR_NOT_NULL(lg);
	return lg;
}

/* A category file's text; "" when there is none. */
static char *
read_text(const char *dir, enum llmlog_category cat)
{
	char path[1024], *text;

	snprintf(path, sizeof path, "%s/%s", dir, llmlog_category_file(cat));
	text = util_read_file(path, NULL);
	return text != NULL ? text : strdup("");
}

/* The lines of a category file, parsed; *n gets their number. */
static json_object **
read_lines(enum llmlog_category cat, int *n)
{
	char *text = read_text(curdir, cat), *line, *save = NULL;
	json_object **v = calloc(64, sizeof *v);

	*n = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL && *n < 64;
	    line = strtok_r(NULL, "\n", &save)) {
		v[*n] = json_tokener_parse(line);
		CU_ASSERT_PTR_NOT_NULL(v[*n]);
		(*n)++;
	}
	free(text);
	return v;
}

static void
free_lines(json_object **v, int n)
{
	for (int i = 0; i < n; i++)
		json_object_put(v[i]);
	free(v);
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static double
num(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_double(v);
}

static void
check_keys(json_object *o, const char *want)
{
	char got[1024] = "";

	json_object_object_foreach(o, key, val) {
		(void)val;
		if (got[0] != '\0')
			strcat(got, ",");
		strcat(got, key);
	}
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nkeys: %s\nwant: %s\n", got, want);
}

/* The one line a category file holds. */
static json_object *
only_line(enum llmlog_category cat)
{
	int n;
	json_object **v = read_lines(cat, &n), *o = NULL;

	CU_ASSERT_EQUAL(n, 1);
	if (n >= 1) {
		o = json_object_get(v[0]);
	}
	free_lines(v, n);
	return o;
}

#define HEAD "category,timestamp,level,event,pid,"

static void
test_each_call(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object *o;

	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "list files",
	    .response = "a.txt b.txt", .duration_ms = 12.5,
	    .tool_calls = (const char *[]){ "list_directory", NULL }), 0);
	CU_ASSERT_EQUAL(llmlog_startup(lg, "llm_router",
	    json_tokener_parse("{\"default_provider\":\"groq\"}")), 0);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "read_file",
	    .tool_server = "filesystem",
	    .parameters = json_tokener_parse("{\"path\":\"/tmp/x\"}"),
	    .result_text = "hello", .duration_ms = 3), 0);
	CU_ASSERT_EQUAL(llmlog_llm(lg, .provider = "groq", .model = "llama3",
	    .prompt_tokens = 150, .completion_tokens = 80,
	    .duration_ms = 1234.5), 0);
	CU_ASSERT_EQUAL(llmlog_security(lg, .event_type = "file_access",
	    .resource = "/home/user/doc.txt", .action = "read",
	    .allowed = true, .reason = "Within user directory"), 0);
	CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = "initialize_router",
	    .duration_ms = 1234.5, .memory_mb = 45.2, .cpu_percent = 12.5,
	    .details = json_tokener_parse("{\"providers\":3}")), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);

	o = only_line(LLMLOG_USER);
	check_keys(o, HEAD "user_input,response_summary,tool_calls,success,"
	    "duration_ms");
	CU_ASSERT_STRING_EQUAL(str(o, "event"), "user_interaction");
	CU_ASSERT_STRING_EQUAL(str(o, "level"), "INFO");
	CU_ASSERT_EQUAL(num(o, "pid"), getpid());
	json_object_put(o);
	o = only_line(LLMLOG_SYSTEM);
	check_keys(o, HEAD "component,details");
	CU_ASSERT_STRING_EQUAL(str(o, "event"), "startup");
	json_object_put(o);
	o = only_line(LLMLOG_TOOL);
	check_keys(o, HEAD "tool_name,tool_server,parameters,result_summary,"
	    "success,duration_ms");
	CU_ASSERT_STRING_EQUAL(str(o, "event"), "tool_execution");
	json_object_put(o);
	o = only_line(LLMLOG_LLM);
	check_keys(o, HEAD "provider,model,prompt_tokens,completion_tokens,"
	    "total_tokens,duration_ms,success,streaming");
	CU_ASSERT_EQUAL(num(o, "total_tokens"), 230);
	json_object_put(o);
	o = only_line(LLMLOG_SECURITY);
	check_keys(o, HEAD "event_type,resource,action,allowed,reason");
	CU_ASSERT_STRING_EQUAL(str(o, "level"), "INFO");
	json_object_put(o);
	o = only_line(LLMLOG_PERFORMANCE);
	check_keys(o, HEAD "operation,duration_ms,memory_mb,cpu_percent,"
	    "details");
	json_object_put(o);
}

/* The level each rule gives, and .level over it. */
static void
test_levels(void)
{
	static const char *const want[] = {
		"ERROR", "ERROR", "CRITICAL", "INFO", "WARNING", "ERROR",
		"INFO", "INFO", "INFO", "WARNING",
	};
	struct llmlog *lg = open_log(0, false);
	json_object **v;
	int n;

	llmlog_interaction(lg, .user_input = "a", .failed = true);
	llmlog_interaction(lg, .user_input = "b", .error = "boom");
	llmlog_interaction(lg, .user_input = "c", .level = LLMLOG_CRITICAL);
	llmlog_interaction(lg, .user_input = "d", .error = "");
	llmlog_system_warning(lg, "c", "rate limit", NULL);
	llmlog_system_error(lg, "c", "failed", NULL);
	llmlog_shutdown(lg, "c", NULL);
	llmlog_config_change(lg, "c", "model changed", NULL);
	llmlog_status(lg, "c", "ok", NULL);
	llmlog_security(lg, .resource = "/etc/shadow", .action = "read");
	llmlog_close(lg);

	v = read_lines(LLMLOG_USER, &n);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(str(v[i], "level"), want[i]);
	CU_ASSERT_STRING_EQUAL(str(v[0], "success"), "false");
	CU_ASSERT_STRING_EQUAL(str(v[2], "success"), "true");
	CU_ASSERT_STRING_EQUAL(str(v[3], "success"), "true");
	free_lines(v, n);
	v = read_lines(LLMLOG_SYSTEM, &n);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_STRING_EQUAL(str(v[i], "level"), want[4 + i]);
	CU_ASSERT_STRING_EQUAL(str(v[0], "event"), "warning");
	CU_ASSERT_STRING_EQUAL(str(v[3], "event"), "config_change");
	CU_ASSERT_STRING_EQUAL(str(v[4], "event"), "status");
	free_lines(v, n);
	v = read_lines(LLMLOG_SECURITY, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(str(v[0], "level"), want[9]);
	CU_ASSERT_STRING_EQUAL(str(v[0], "allowed"), "false");
	free_lines(v, n);
}

/* An object handed in is dropped exactly once on every path. */
static void
test_consumed(void)
{
	struct llmlog *lg = open_log(LLMLOG_WARNING, false);
	json_object *d = json_object_new_object();
	json_object *p = json_object_new_object();
	json_object *r = json_object_new_array();

	/* written */
	json_object_get(d);
	CU_ASSERT_EQUAL(llmlog_system_error(lg, "c", "m", d), 0);
	CU_ASSERT_EQUAL(json_object_put(json_object_get(d)), 0);
	/* filtered out by the level */
	json_object_get(d);
	CU_ASSERT_EQUAL(llmlog_status(lg, "c", "m", d), 0);
	/* a bad level, a bad event */
	json_object_get(d);
	CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = "x", .details = d,
	    .level = 33), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "level"));
	json_object_get(d);
	CU_ASSERT_EQUAL(llmlog_system(lg, .event = "Not a name!",
	    .details = d), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "Not a name!"));
	json_object_get(p);
	json_object_get(r);
	CU_ASSERT_EQUAL(llmlog_tool(lg, .tool_name = "t", .parameters = p,
	    .result = r), 0);
	CU_ASSERT_EQUAL(llmlog_llm_(lg, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "no entry"));
	/* our own reference is the last one left */
	CU_ASSERT_EQUAL(json_object_put(d), 1);
	CU_ASSERT_EQUAL(json_object_put(p), 1);
	CU_ASSERT_EQUAL(json_object_put(r), 1);
	llmlog_close(lg);
}

static void
test_filtered(void)
{
	struct llmlog *lg = open_log(LLMLOG_ERROR, false);
	int n;
	json_object **v;

	CU_ASSERT_FALSE(llmlog_enabled(lg, LLMLOG_WARNING));
	CU_ASSERT_EQUAL(llmlog_security(lg, .resource = "x"), 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "x"), 0);
	CU_ASSERT_EQUAL(llmlog_interaction(lg, .user_input = "y",
	    .failed = true), 0);
	llmlog_close(lg);
	v = read_lines(LLMLOG_USER, &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(str(v[0], "user_input"), "y");
	free_lines(v, n);
	v = read_lines(LLMLOG_SECURITY, &n);
	CU_ASSERT_EQUAL(n, 0);
	free_lines(v, n);
}

static void
test_explicit_time(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object *o;

	llmlog_llm(lg, .model = "m", .when = { 1704067200, 5000000 });
	llmlog_close(lg);
	o = only_line(LLMLOG_LLM);
	CU_ASSERT_STRING_EQUAL(str(o, "timestamp"), "2024-01-01T00:00:00.005Z");
	json_object_put(o);
}

/* A .when a timestamp cannot show (after 9999, before 0000, tv_nsec out
 * of range) is refused in sync and async mode and nothing is written; the
 * ends of the range are written as they are. */
static void
test_time_range(void)
{
	static const struct timespec bad[] = {
		{ 253402300800, 0 }, { 4102444800LL * 100, 0 },
		{ -62167219201, 0 }, { 1704067200, 1000000000 },
		{ 1704067200, -1 }, { 0, -1 },
	};
	struct llmlog *lg;
	json_object **v;
	int n;

	for (int async = 0; async <= 1; async++) {
		snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
		lg = llmlog_open(&(struct llmlog_config){ .dir = curdir,
		    .no_console = true, .async = async });
		CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			errno = 0;
			CU_ASSERT_EQUAL(llmlog_llm(lg, .model = "m",
			    .when = bad[i]), -1);
			CU_ASSERT_EQUAL(errno, EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(),
			    "0000 to 9999"));
		}
		CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = "o",
		    .details = json_object_new_object(),
		    .when = { 253402300800, 0 }), -1);
		CU_ASSERT_EQUAL(llmlog_llm(lg, .model = "last",
		    .when = { 253402300799, 999999999 }), 0);
		CU_ASSERT_EQUAL(llmlog_llm(lg, .model = "first",
		    .when = { -62167219200, 0 }), 0);
		CU_ASSERT_EQUAL(llmlog_close(lg), 0);
		v = read_lines(LLMLOG_LLM, &n);
		CU_ASSERT_EQUAL_FATAL(n, 2);
		CU_ASSERT_STRING_EQUAL(str(v[0], "timestamp"),
		    "9999-12-31T23:59:59.999Z");
		CU_ASSERT_STRING_EQUAL(str(v[1], "timestamp"),
		    "0000-01-01T00:00:00.000Z");
		free_lines(v, n);
		v = read_lines(LLMLOG_PERFORMANCE, &n);
		CU_ASSERT_EQUAL(n, 0);
		free_lines(v, n);
	}
}

/* A minimum level is one of the five: 25 is refused at open, and
 * llmlog_set_level() leaves the level as it was. */
static void
test_min_level_valid(void)
{
	struct llmlog *lg;

	snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
	errno = 0;
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){
	    .dir = curdir, .min_level = 25 }));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "min_level 25"));
	CU_ASSERT_PTR_NULL(llmlog_open(&(struct llmlog_config){
	    .dir = curdir, .min_level = -10 }));
	lg = open_log(LLMLOG_WARNING, false);
	llmlog_set_level(lg, 45);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "45 is not a level"));
	CU_ASSERT(llmlog_enabled(lg, LLMLOG_WARNING));
	CU_ASSERT(!llmlog_enabled(lg, LLMLOG_INFO));
	llmlog_set_level(lg, LLMLOG_ERROR);
	CU_ASSERT(!llmlog_enabled(lg, LLMLOG_WARNING));
	llmlog_close(lg);
}

/* Zero means the default for max_bytes and backups (10 MiB, 5: the file
 * rotates); LLMLOG_MAX_BYTES_NONE and LLMLOG_BACKUPS_NONE never rotate. */
static void
test_never_rotate(void)
{
	static const struct {
		int64_t max_bytes;
		int backups;
		bool rotates;
	} cases[] = {
		{ LLMLOG_MAX_BYTES_NONE, 0, false },
		{ 0, LLMLOG_BACKUPS_NONE, false },
		{ 0, 0, true },
	};
	const size_t big = 1024 * 1024;
	char *text = malloc(big + 1), path[1200];
	struct llmlog *lg;
	struct stat st;

	memset(text, 'x', big);
	text[big] = '\0';
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
		lg = llmlog_open(&(struct llmlog_config){ .dir = curdir,
		    .no_console = true, .max_bytes = cases[c].max_bytes,
		    .backups = cases[c].backups });
		CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
		/* 11 MiB: past the default limit */
		for (int i = 0; i < 11; i++)
			CU_ASSERT_EQUAL(llmlog_interaction(lg,
			    .user_input = text), 0);
		llmlog_close(lg);
		snprintf(path, sizeof path, "%s/user_interactions.log.1",
		    curdir);
		CU_ASSERT_EQUAL(stat(path, &st) == 0, cases[c].rotates);
		snprintf(path, sizeof path, "%s/user_interactions.log", curdir);
		CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
		if (!cases[c].rotates)
			CU_ASSERT(st.st_size > 11 * (off_t)big);
	}
	free(text);
}

#define SK "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
#define AWS "AKIAIOSFODNN7EXAMPLE"
#define PEM "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n-----END EC PRIVATE KEY-----"

/* Secrets planted in every kind of field never reach a file. */
static void
test_secrets_in_files(void)
{
	struct llmlog *lg = open_log(0, false);
	char *all = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&all, &len);

	llmlog_interaction(lg, .user_input = "my key is " SK,
	    .response = "stored " AWS, .error = "password=hunter2",
	    .details = json_tokener_parse("{\"nested\":{\"deeper\":"
	    "{\"client_secret\":\"cs-123\",\"list\":[\"" AWS "\"]}}}"));
	llmlog_system_error(lg, "vault", "cannot read " PEM,
	    json_tokener_parse("{\"token\":\"tk-999\",\"n\":1}"));
	llmlog_tool(lg, .tool_name = "http", .tool_server = "web",
	    .parameters = json_tokener_parse("{\"headers\":"
	    "{\"Authorization\":\"Bearer zz9zz9zz9zz9\"},\"url\":"
	    "\"https://x.test/?api_key=ak-777\"}"),
	    .result = json_tokener_parse("{\"set-cookie\":\"sid=s3ss10n\"}"),
	    .error = "401 for Bearer zz9zz9zz9zz9");
	llmlog_llm(lg, .provider = "openai", .model = "gpt", .error =
	    "invalid api key " SK);
	llmlog_security(lg, .event_type = "credential_use",
	    .resource = "https://u:p@x.test/?token=tk-999", .action = "GET",
	    .reason = "header X-Api-Key: ak-777");
	llmlog_metric(lg, .operation = "op " AWS,
	    .details = json_tokener_parse("{\"pwd\":\"hunter2\"}"));
	llmlog_close(lg);
	for (int c = 0; c < LLMLOG_NCATEGORIES; c++) {
		char *t = read_text(curdir, c);

		CU_ASSERT(strlen(t) > 0);
		fputs(t, mem);
		free(t);
	}
	fclose(mem);
	CU_ASSERT_PTR_NULL(strstr(all, SK));
	CU_ASSERT_PTR_NULL(strstr(all, AWS));
	CU_ASSERT_PTR_NULL(strstr(all, "MHcCAQEEIIrYSS"));
	CU_ASSERT_PTR_NULL(strstr(all, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(all, "cs-123"));
	CU_ASSERT_PTR_NULL(strstr(all, "tk-999"));
	CU_ASSERT_PTR_NULL(strstr(all, "zz9zz9"));
	CU_ASSERT_PTR_NULL(strstr(all, "ak-777"));
	CU_ASSERT_PTR_NULL(strstr(all, "s3ss10n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(all, "[REDACTED]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(all, "\"n\":1"));
	free(all);
}

/* The stderr echo of a warning is redacted too. */
static void
test_echo_redacted(void)
{
	char path[600], buf[4096];
	struct llmlog *lg = open_log(0, true);
	int saved, fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/stderr", tmproot);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	llmlog_security(lg, .event_type = "permission_check",
	    .resource = "/x?token=tk-999", .action = "read",
	    .reason = "key " SK);
	llmlog_llm(lg, .model = "m", .error = "bad key " AWS);
	llmlog_interaction(lg, .user_input = "ok");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	llmlog_close(lg);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "denied read on /x?token=[REDACTED]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "failed: bad key [REDACTED]"));
	CU_ASSERT_PTR_NULL(strstr(buf, "tk-999"));
	CU_ASSERT_PTR_NULL(strstr(buf, SK));
	CU_ASSERT_PTR_NULL(strstr(buf, AWS));
	CU_ASSERT_PTR_NULL(strstr(buf, "\"ok\""));	/* INFO is not echoed */
}

static void
spin(double ms)
{
	struct llmlog_timer t = llmlog_timer_start(NULL, "spin");
	volatile unsigned x = 0;

	while (llmlog_timer_elapsed_ms(&t) < ms)
		x++;
	t.stopped = true;
}

static void
test_timer(void)
{
	struct llmlog *lg = open_log(0, false);
	struct llmlog_timer t = llmlog_timer_start(lg, "process_message");
	json_object *o;
	double e1, e2;

	spin(3);
	e1 = llmlog_timer_elapsed_ms(&t);
	e2 = llmlog_timer_elapsed_ms(&t);
	CU_ASSERT(e1 > 0 && e2 >= e1);
	CU_ASSERT_EQUAL(llmlog_timer_stop(&t,
	    json_tokener_parse("{\"messages\":2}")), 0);
	/* a second stop writes nothing and still drops its details */
	CU_ASSERT_EQUAL(llmlog_timer_stop(&t, json_object_new_object()), 0);
	llmlog_close(lg);
	o = only_line(LLMLOG_PERFORMANCE);
	/* the metric records the timer's span, a root here */
	check_keys(o, HEAD "trace_id,span_id,operation,duration_ms,memory_mb,"
	    "cpu_percent,details");
	CU_ASSERT_STRING_EQUAL(str(o, "operation"), "process_message");
	CU_ASSERT(num(o, "duration_ms") >= e2);
	CU_ASSERT(num(o, "memory_mb") > 0 && num(o, "memory_mb") < 1e6);
	/* the timer spun on the CPU for most of its span */
	CU_ASSERT(num(o, "cpu_percent") > 0);
	json_object_put(o);
}

static void
test_timed_scope(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object *o;

	{
		LLMLOG_TIMED_SCOPE(lg, "initialize_router");
		spin(1);
	}
	llmlog_close(lg);
	o = only_line(LLMLOG_PERFORMANCE);
	CU_ASSERT_STRING_EQUAL(str(o, "operation"), "initialize_router");
	CU_ASSERT(num(o, "duration_ms") > 0);
	json_object_put(o);
}

/* Timers one after the other, as a timed scope in a loop: each spins on
 * the CPU, so each records CPU time over its span, also the one that
 * starts right after another stopped (its CPU interval starts at that
 * reading), and also in a child of fork(), whose CPU clock starts at zero
 * (a reading of the parent's taken as its start would leave the interval
 * without CPU time).  The reading is reused here however old, so that the
 * child's first timer would take the parent's if it were kept. */
static void
timers_in_a_row(struct llmlog *lg, const char *op, int count)
{
	for (int i = 0; i < count; i++) {
		LLMLOG_TIMED_SCOPE(lg, op);
		spin(2);
	}
}

static void
test_timers_in_a_row(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object **v;
	pid_t child;
	int64_t reuse = timer_cpu_reuse_ns;
	int n, status;

	timer_cpu_reuse_ns = INT64_MAX;
	timers_in_a_row(lg, "parent", 3);
	fflush(NULL);
	if ((child = fork()) == 0) {
		timers_in_a_row(lg, "child", 2);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(child, &status, 0), child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	timer_cpu_reuse_ns = reuse;
	llmlog_close(lg);
	v = read_lines(LLMLOG_PERFORMANCE, &n);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	for (int i = 0; i < n; i++) {
		CU_ASSERT_STRING_EQUAL(str(v[i], "operation"),
		    i < 3 ? "parent" : "child");
		CU_ASSERT(num(v[i], "duration_ms") >= 2);
		CU_ASSERT_PTR_NOT_NULL(str(v[i], "cpu_percent"));
		CU_ASSERT(num(v[i], "cpu_percent") > 0);
	}
	free_lines(v, n);
}

static void
test_rss(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object *o;

	llmlog_metric(lg, .operation = "x", .duration_ms = 1);
	llmlog_close(lg);
	o = only_line(LLMLOG_PERFORMANCE);
	CU_ASSERT(num(o, "memory_mb") > 0);
	CU_ASSERT_PTR_NULL(str(o, "cpu_percent"));
	json_object_put(o);
}

/* The descriptors of this process open on a statm file: how many, and in
 * *pid the process the last one names (/proc/PID/statm). */
static int
statm_fds(long *pid)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char link[300], target[300];
	int count = 0;
	ssize_t n;
	long p;

	*pid = -1;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		snprintf(link, sizeof link, "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(link, target, sizeof target - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "/proc/%ld/statm", &p) == 1 &&
		    strstr(target, "/statm") != NULL) {
			count++;
			*pid = p;
		}
	}
	closedir(d);
	return count;
}

/* The child of test_rss_sampled: its own memory, read through its own
 * descriptor.  Exit status 0, or which check failed. */
static int
rss_child(struct llmlog *lg)
{
	const size_t grow = 64 * 1024 * 1024;
	char *mem = malloc(grow);
	long pid;

	if (mem == NULL)
		return 1;
	memset(mem, 1, grow);
	if (llmlog_metric(lg, .operation = "child",
	    .details = json_object_new_int(mem[grow - 1])) != 0)
		return 2;
	if (statm_fds(&pid) != 1)
		return 3;
	if (pid != (long)getpid())
		return 4;
	free(mem);
	return 0;
}

/* Memory is read through one descriptor kept open, not opened again for
 * every metric; a child of fork() reads its own memory through one of its
 * own, at its first metric. */
static void
test_rss_sampled(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object **v;
	long pid;
	pid_t child;
	int n, status;

	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(llmlog_metric(lg, .operation = "parent"), 0);
	CU_ASSERT_EQUAL(statm_fds(&pid), 1);
	CU_ASSERT_EQUAL(pid, (long)getpid());
	fflush(NULL);
	if ((child = fork()) == 0)
		_exit(rss_child(lg));
	CU_ASSERT_EQUAL_FATAL(waitpid(child, &status, 0), child);
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	llmlog_close(lg);
	v = read_lines(LLMLOG_PERFORMANCE, &n);
	CU_ASSERT_EQUAL_FATAL(n, 21);
	/* the child's memory counts the 64 MiB it touched */
	CU_ASSERT_STRING_EQUAL(str(v[20], "operation"), "child");
	CU_ASSERT(num(v[20], "memory_mb") >= num(v[0], "memory_mb") + 60);
	free_lines(v, n);
}

static int
tool_ok(void *arg, json_object **result, const char **error)
{
	(*(int *)arg)++;
	*result = json_tokener_parse("{\"files\":[\"a\"]}");
	return 0;
}

static int
tool_fails(void *arg, json_object **result, const char **error)
{
	*error = "no such file";
	return 2;
}

static void
test_time_tool(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object *res = NULL, **v;
	int calls = 0, n;

	CU_ASSERT_EQUAL(llmlog_time_tool(lg, "list_directory", "filesystem",
	    json_tokener_parse("{\"path\":\"/\"}"), tool_ok, &calls, &res), 0);
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	/* the caller's result is its own */
	CU_ASSERT_EQUAL(json_object_put(res), 1);
	CU_ASSERT_EQUAL(llmlog_time_tool(lg, "list_directory", "filesystem",
	    NULL, tool_ok, &calls, NULL), 0);
	CU_ASSERT_EQUAL(llmlog_time_tool(lg, "read_file", "filesystem",
	    NULL, tool_fails, NULL, &res), 2);
	CU_ASSERT_PTR_NULL(res);
	CU_ASSERT_EQUAL(llmlog_time_tool(lg, "x", "y", NULL, NULL, NULL,
	    NULL), -1);
	llmlog_close(lg);
	v = read_lines(LLMLOG_TOOL, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(str(v[0], "result_summary"), "{\"files\":[\"a\"]}");
	CU_ASSERT_STRING_EQUAL(str(v[0], "success"), "true");
	CU_ASSERT(num(v[0], "duration_ms") >= 0);
	CU_ASSERT_STRING_EQUAL(str(v[2], "level"), "ERROR");
	CU_ASSERT_STRING_EQUAL(str(v[2], "success"), "false");
	CU_ASSERT_STRING_EQUAL(str(v[2], "error"), "no such file");
	free_lines(v, n);
}

static int
llm_ok(void *arg, struct llmlog_llm *call)
{
	call->prompt_tokens = 10;
	call->completion_tokens = 5;
	call->streaming = true;
	return 0;
}

static int
llm_fails(void *arg, struct llmlog_llm *call)
{
	call->error = "rate limited";
	return -1;
}

static void
test_time_llm(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object **v;
	int n;

	CU_ASSERT_EQUAL(llmlog_time_llm(lg, "groq", "llama3", llm_ok, NULL), 0);
	CU_ASSERT_EQUAL(llmlog_time_llm(lg, "groq", "llama3", llm_fails,
	    NULL), -1);
	llmlog_close(lg);
	v = read_lines(LLMLOG_LLM, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(str(v[0], "provider"), "groq");
	CU_ASSERT_STRING_EQUAL(str(v[0], "model"), "llama3");
	CU_ASSERT_EQUAL(num(v[0], "total_tokens"), 15);
	CU_ASSERT_STRING_EQUAL(str(v[0], "streaming"), "true");
	CU_ASSERT_STRING_EQUAL(str(v[1], "level"), "ERROR");
	CU_ASSERT_STRING_EQUAL(str(v[1], "error"), "rate limited");
	free_lines(v, n);
}

static int
chat_ok(void *arg, const char **response, const char **tool_calls,
    const char **error)
{
	*response = "Here are the files";
	tool_calls[0] = "list_directory";
	tool_calls[1] = "get_file_info";
	return 0;
}

static int
chat_fails(void *arg, const char **response, const char **tool_calls,
    const char **error)
{
	/* more names than there is room for are cut at the limit */
	for (int i = 0; i < LLMLOG_MAX_TOOL_CALLS + 1; i++)
		tool_calls[i] = "t";
	*error = "Permission denied";
	return 1;
}

static void
test_time_interaction(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object **v, *calls;
	int n;

	CU_ASSERT_EQUAL(llmlog_time_interaction(lg, "list files", chat_ok,
	    NULL), 0);
	CU_ASSERT_EQUAL(llmlog_time_interaction(lg, "read secret.txt",
	    chat_fails, NULL), 1);
	llmlog_close(lg);
	v = read_lines(LLMLOG_USER, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(str(v[0], "user_input"), "list files");
	CU_ASSERT_STRING_EQUAL(str(v[0], "response_summary"),
	    "Here are the files");
	CU_ASSERT_STRING_EQUAL(str(v[0], "tool_calls"),
	    "[ \"list_directory\", \"get_file_info\" ]");
	CU_ASSERT_STRING_EQUAL(str(v[1], "level"), "ERROR");
	CU_ASSERT_STRING_EQUAL(str(v[1], "error"), "Permission denied");
	CU_ASSERT(json_object_object_get_ex(v[1], "tool_calls", &calls));
	CU_ASSERT_EQUAL(json_object_array_length(calls), LLMLOG_MAX_TOOL_CALLS);
	free_lines(v, n);
}

static void *
thread_logs(void *arg)
{
	struct llmlog *lg = arg;
	char text[64];

	for (int i = 0; i < 500; i++) {
		snprintf(text, sizeof text, "message %d with token=t%d", i, i);
		llmlog_tool(lg, .tool_name = "t", .result_text = text,
		    .parameters = json_tokener_parse("{\"i\":1}"));
	}
	return NULL;
}

/* Threads build their lines in their own buffers: every line whole. */
static void
test_threads(void)
{
	struct llmlog *lg = open_log(0, false);
	pthread_t th[4];
	char *text, *line, *save = NULL;
	int n = 0;

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_logs, lg);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	llmlog_close(lg);
	text = read_text(curdir, LLMLOG_TOOL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);

		CU_ASSERT_PTR_NOT_NULL(o);
		CU_ASSERT_PTR_NOT_NULL(strstr(str(o, "result_summary"),
		    "token=[REDACTED]"));
		json_object_put(o);
		n++;
	}
	CU_ASSERT_EQUAL(n, 2000);
	free(text);
}

/* Async mode queues the finished line: what is written is what was built,
 * even though the thread's buffer is reused at once. */
static void
test_async(void)
{
	struct llmlog *lg;
	json_object **v;
	char want[32];
	int n;

	snprintf(curdir, sizeof curdir, "%s/d%d", tmproot, ndirs++);
	lg = llmlog_open(&(struct llmlog_config){ .dir = curdir,
	    .no_console = true, .async = true });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	for (int i = 0; i < 50; i++) {
		snprintf(want, sizeof want, "input %d", i);
		llmlog_interaction(lg, .user_input = want,
		    .details = json_object_new_int(i));
	}
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	v = read_lines(LLMLOG_USER, &n);
	CU_ASSERT_EQUAL_FATAL(n, 50);
	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof want, "input %d", i);
		CU_ASSERT_STRING_EQUAL(str(v[i], "user_input"), want);
		CU_ASSERT_EQUAL(num(v[i], "details"), i);
	}
	free_lines(v, n);
}

/* A child's lines carry the child's pid, not the cached one. */
static void
test_fork_pid(void)
{
	struct llmlog *lg = open_log(0, false);
	json_object **v;
	pid_t pid;
	int n, status;

	llmlog_status(lg, "parent", NULL, NULL);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		llmlog_status(lg, "child", NULL, NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	llmlog_close(lg);
	v = read_lines(LLMLOG_SYSTEM, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(num(v[0], "pid"), getpid());
	CU_ASSERT_EQUAL(num(v[1], "pid"), pid);
	CU_ASSERT_STRING_EQUAL(str(v[1], "component"), "child");
	free_lines(v, n);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "each call writes its line", test_each_call },
		{ "levels", test_levels },
		{ "json objects are consumed", test_consumed },
		{ "filtered levels", test_filtered },
		{ "explicit time", test_explicit_time },
		{ "times a timestamp cannot show", test_time_range },
		{ "minimum levels", test_min_level_valid },
		{ "never rotate", test_never_rotate },
		{ "no secrets in the files", test_secrets_in_files },
		{ "echo is redacted", test_echo_redacted },
		{ "timer", test_timer },
		{ "timed scope", test_timed_scope },
		{ "timers in a row", test_timers_in_a_row },
		{ "metric RSS", test_rss },
		{ "metric RSS sampled", test_rss_sampled },
		{ "time a tool", test_time_tool },
		{ "time an llm call", test_time_llm },
		{ "time an interaction", test_time_interaction },
		{ "threads", test_threads },
		{ "fork", test_fork_pid },
		{ "async", test_async },
		{ NULL, NULL },
	};

	/* a trace this program was started in would parent its first span */
	unsetenv("TRACEPARENT");
	tmproot = util_tmpdir("format-log");
	return util_run("format through a log", tests);
}
