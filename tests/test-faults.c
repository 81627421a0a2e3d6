/*
 * test-faults.c - the writer under a full disk, I/O errors, unopenable
 * files, a file size limit, a closed pipe for stderr, and log files
 * deleted or replaced under it: the host keeps running, the call reports
 * the error, the dropped counter is right, and writing resumes when the
 * fault is gone.  Faults come from faultinject.so (LD_PRELOAD), switched
 * by a control file; a fault that raises a signal is met in a child, whose
 * exit status says whether the signal killed it.  A real full filesystem
 * is test-full-fs.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "llmlog.h"
#include "util.h"

#define SHIM	BUILDDIR "/.libs/faultinject.so"

static const char *dir;
static char ctl[4096];		/* faults are on while this file exists */
static char toolpath[4096];

static void
faults(const char *what)
{
	FILE *f;

	if (what == NULL) {
		unlink(ctl);
		return;
	}
	f = fopen(ctl, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(what, f);
	fclose(f);
}

static long
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (f == NULL)
		return -1;
	while ((c = getc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n;
}

static int
log_tool(struct llmlog *lg, int seq)
{
	char name[32];

	snprintf(name, sizeof name, "tool_%d", seq);
	return llmlog_tool(lg, .tool_name = name, .tool_server = "filesystem",
	    .duration_ms = 1.5);
}

static struct llmlog *
open_fresh(bool async)
{
	struct llmlog_config cfg = { .dir = dir, .no_console = true,
	    .async = async };

	unlink(toolpath);
	return llmlog_open(&cfg);
}

static void
write_fault(const char *kind, const char *message)
{
	struct llmlog *lg = open_fresh(false);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	faults(kind);
	CU_ASSERT_EQUAL(log_tool(lg, 2), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), message));
	CU_ASSERT_EQUAL(log_tool(lg, 3), -1);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 2);
	faults(NULL);
	CU_ASSERT_EQUAL(log_tool(lg, 4), 0);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 2);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_EQUAL(count_lines(toolpath), 2);
}

static void
test_enospc(void)
{
	write_fault("ENOSPC", strerror(ENOSPC));
}

static void
test_eio(void)
{
	write_fault("EIO", strerror(EIO));
}

static void
test_async_enospc(void)
{
	struct llmlog *lg = open_fresh(true);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	faults("ENOSPC");
	for (int i = 0; i < 10; i++)
		(void)log_tool(lg, 2 + i);
	CU_ASSERT_EQUAL(llmlog_flush(lg), -1);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 10);
	faults(NULL);
	CU_ASSERT_EQUAL(log_tool(lg, 20), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 10);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_EQUAL(count_lines(toolpath), 2);
}

static void
test_unopenable(void)
{
	struct llmlog *lg;
	int rc;

	faults("EACCES");
	lg = open_fresh(false);
	if (lg == NULL) {
		/* refusing at open is fine too, as long as it says why */
		CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), strerror(EACCES)));
		faults(NULL);
		return;
	}
	rc = log_tool(lg, 1);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), strerror(EACCES)));
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 1);
	faults(NULL);
	CU_ASSERT_EQUAL(log_tool(lg, 2), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	CU_ASSERT_EQUAL(count_lines(toolpath), 1);
}

/* Write one entry every 20 ms until it shows up in a file at the path
 * again (deadline 5 s): a writer may notice a vanished file a little
 * later, but it must notice. */
static int
resumes_at_path(struct llmlog *lg)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < 250; i++) {
		if (log_tool(lg, 100 + i) == 0 && count_lines(toolpath) > 0)
			return 1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

static void
test_deleted(void)
{
	struct llmlog *lg = open_fresh(false);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	CU_ASSERT_EQUAL(unlink(toolpath), 0);
	CU_ASSERT(resumes_at_path(lg));
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

static void
test_replaced(void)
{
	struct llmlog *lg = open_fresh(false);
	char other[4096];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	snprintf(other, sizeof other, "%s/other", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(rename(other, toolpath), 0);
	CU_ASSERT(resumes_at_path(lg));
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

/* A check in a child process: says which one failed. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "\n  line %d: %s (%s)\n", __LINE__, #cond,	\
		    llmlog_errmsg());					\
		bad++;							\
	}								\
} while (0)

/* Run fn(arg) in a child and return its wait status; fn returns the
 * number of its checks that failed, which becomes the exit status. */
static int
in_child(int (*fn)(const void *), const void *arg)
{
	int status = -1;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int bad = fn(arg);

		_exit(bad > 100 ? 100 : bad);
	}
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &status, 0);
	return status;
}

static bool
exited_ok(int status)
{
	if (WIFSIGNALED(status))
		fprintf(stderr, "\n  the child was killed by signal %d (%s)\n",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		fprintf(stderr, "\n  %d checks failed in the child\n",
		    WEXITSTATUS(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The lines of a file when every one of them is a whole JSON object, -1
 * when one is not (a torn line, say). */
static long
whole_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long n = 0;
	ssize_t len;

	if (f == NULL)
		return -1;
	while (n >= 0 && (len = getline(&line, &cap, f)) > 0) {
		json_object *o = json_tokener_parse(line);

		n = o != NULL && line[len - 1] == '\n' ? n + 1 : -1;
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return n;
}

/* ---- a file size limit ------------------------------------------------ */

#define FSIZE_LIMIT 3000

/* Write until the limit stops a write: that call fails with EFBIG and
 * counts a drop; so does the next; the process lives (SIGXFSZ is at its
 * default action, which would end it). */
static int
fill_to_limit(struct llmlog *lg)
{
	int bad = 0, rc = 0, written = 0;
	uint64_t dropped = llmlog_dropped(lg);

	for (int i = 0; i < 1000 && (rc = log_tool(lg, i)) == 0; i++)
		written++;
	CHECK(written > 0);
	CHECK(rc == -1);
	CHECK(errno == EFBIG);
	CHECK(strstr(llmlog_errmsg(), strerror(EFBIG)) != NULL);
	CHECK(log_tool(lg, 2000) == -1);
	CHECK(llmlog_dropped(lg) == dropped + 2);
	return bad;
}

/* The limit in force before the log is opened (ulimit -f in the shell
 * that started the host): even the lock file cannot have its size. */
static int
limit_before_open(const void *arg)
{
	struct rlimit rl = { FSIZE_LIMIT, RLIM_INFINITY };
	const char *where = arg;
	struct llmlog *lg;
	int bad = 0;

	signal(SIGXFSZ, SIG_DFL);
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	lg = llmlog_open(&(struct llmlog_config){ .dir = where,
	    .no_console = true });
	CHECK(lg != NULL);
	if (lg == NULL)
		return bad;
	bad += fill_to_limit(lg);
	CHECK(llmlog_close(lg) == 0);
	return bad;
}

/* The limit set after the log was opened and used, in a child of fork(),
 * as a shell sets one for a command it runs. */
static int
limit_after_fork(const void *arg)
{
	struct llmlog *lg = (struct llmlog *)arg;
	struct stat st;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int bad = 0;

	signal(SIGXFSZ, SIG_DFL);
	CHECK(stat(toolpath, &st) == 0);
	rl.rlim_cur = (rlim_t)st.st_size + FSIZE_LIMIT;
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	bad += fill_to_limit(lg);
	return bad;
}

static void
test_file_size_limit(void)
{
	const char *fresh = util_tmpdir("faults-fsize");
	char path[4096];
	struct llmlog *lg;
	struct stat st;

	CU_ASSERT(exited_ok(in_child(limit_before_open, fresh)));
	snprintf(path, sizeof path, "%s/%s", fresh,
	    llmlog_category_file(LLMLOG_TOOL));
	CU_ASSERT(whole_lines(path) > 0);
	CU_ASSERT(stat(path, &st) == 0 && st.st_size <= FSIZE_LIMIT);

	lg = open_fresh(false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	CU_ASSERT(exited_ok(in_child(limit_after_fork, lg)));
	CU_ASSERT(whole_lines(toolpath) > 1);
	CU_ASSERT_EQUAL(log_tool(lg, 2), 0);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

/* In async mode the writer thread meets the limit: the entries are
 * counted, and the flush says why they were lost. */
static int
limit_async(const void *arg)
{
	struct rlimit rl = { FSIZE_LIMIT, RLIM_INFINITY };
	const char *where = arg;
	struct llmlog *lg;
	int bad = 0;

	signal(SIGXFSZ, SIG_DFL);
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	lg = llmlog_open(&(struct llmlog_config){ .dir = where,
	    .no_console = true, .async = true });
	CHECK(lg != NULL);
	if (lg == NULL)
		return bad;
	for (int i = 0; i < 100; i++)
		CHECK(log_tool(lg, i) == 0);
	CHECK(llmlog_flush(lg) == -1);
	CHECK(llmlog_dropped(lg) > 0 && llmlog_dropped(lg) < 100);
	CHECK(llmlog_close(lg) == 0);
	return bad;
}

static void
test_file_size_limit_async(void)
{
	const char *fresh = util_tmpdir("faults-fsize-async");
	char path[4096];

	CU_ASSERT(exited_ok(in_child(limit_async, fresh)));
	snprintf(path, sizeof path, "%s/%s", fresh,
	    llmlog_category_file(LLMLOG_TOOL));
	CU_ASSERT(whole_lines(path) > 0);
}

/* ---- stderr a pipe nobody reads ------------------------------------------ */

/* A warning echoed to a closed pipe: the entry is written, the call
 * succeeds, the echo's failure is counted, and no SIGPIPE stays pending
 * (at its default action it would end the host at once; blocked by the
 * host, whenever the host unblocks it). */
static int
echo_to_closed_pipe(const void *arg)
{
	const char *where = arg;
	struct llmlog *lg;
	sigset_t pipe_sig, pending;
	int fds[2], bad = 0;

	CHECK(pipe(fds) == 0);
	CHECK(dup2(fds[1], STDERR_FILENO) == STDERR_FILENO);
	close(fds[0]);
	close(fds[1]);
	signal(SIGPIPE, SIG_DFL);
	lg = llmlog_open(&(struct llmlog_config){ .dir = where });
	CHECK(lg != NULL);
	if (lg == NULL)
		return bad;
	CHECK(llmlog_security(lg, .event_type = "file_access",
	    .resource = "/etc/shadow", .action = "read") == 0);
	CHECK(llmlog_echo_failed(lg) == 1);
	/* the host blocks SIGPIPE: still none left for it */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	CHECK(pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL) == 0);
	CHECK(llmlog_system_error(lg, "mcp", "failed to start", NULL) == 0);
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGPIPE));
	CHECK(llmlog_echo_failed(lg) == 2);
	CHECK(llmlog_dropped(lg) == 0);
	CHECK(llmlog_close(lg) == 0);
	return bad;
}

static void
test_echo_closed_pipe(void)
{
	const char *fresh = util_tmpdir("faults-pipe");
	char path[4096];

	CU_ASSERT(exited_ok(in_child(echo_to_closed_pipe, fresh)));
	snprintf(path, sizeof path, "%s/%s", fresh,
	    llmlog_category_file(LLMLOG_SECURITY));
	CU_ASSERT_EQUAL(whole_lines(path), 1);
	snprintf(path, sizeof path, "%s/%s", fresh,
	    llmlog_category_file(LLMLOG_SYSTEM));
	CU_ASSERT_EQUAL(whole_lines(path), 1);
}

int
main(int argc, char **argv)
{
	static const struct util_test tests[] = {
		{ "full disk: error, drop counted, resumes", test_enospc },
		{ "I/O error: error, drop counted, resumes", test_eio },
		{ "full disk in async mode", test_async_enospc },
		{ "a file that cannot be opened", test_unopenable },
		{ "a log file deleted under the writer", test_deleted },
		{ "a log file replaced under the writer", test_replaced },
		{ "a file size limit: no SIGXFSZ", test_file_size_limit },
		{ "a file size limit in async mode",
		    test_file_size_limit_async },
		{ "stderr a closed pipe: no SIGPIPE", test_echo_closed_pipe },
		{ NULL, NULL },
	};
	const char *preload = getenv("LD_PRELOAD");

	(void)argc;
	if (preload == NULL || strstr(preload, "faultinject") == NULL) {
		/* run again under the shim */
		if (access(SHIM, R_OK) != 0) {
			fprintf(stderr, "%s: %s\n", SHIM, strerror(errno));
			return 99;
		}
		setenv("LD_PRELOAD", SHIM, 1);
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0",
		    1);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 99;
	}
	dir = util_tmpdir("faults");
	snprintf(ctl, sizeof ctl, "%s/faults", dir);
	setenv("LLMLOG_FAULT_CTL", ctl, 1);
	snprintf(toolpath, sizeof toolpath, "%s/%s", dir,
	    llmlog_category_file(LLMLOG_TOOL));
	return util_run("faults", tests);
}
