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
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "sink.h"
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
	errno = 0;
	CU_ASSERT_EQUAL(llmlog_flush(lg), -1);
	/* the writer thread's error, with its cause */
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), "10 queued entries"));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), toolpath));
	CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(), strerror(ENOSPC)));
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

/* A child that has not ended by then is taken as hung (deadlocked). */
#define CHILD_DEADLINE_S 60

/* Run fn(arg) in a child and return its wait status; fn returns the
 * number of its checks that failed, which becomes the exit status. */
static int
in_child(int (*fn)(const void *), const void *arg)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status = -1;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		int bad = fn(arg);

		_exit(bad > 100 ? 100 : bad);
	}
	CU_ASSERT_FATAL(pid > 0);
	for (int i = 0; i < CHILD_DEADLINE_S * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "\n  the child has not ended in %d s: hung\n",
	    CHILD_DEADLINE_S);
	kill(pid, SIGKILL);
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

/* The sequence numbers of tool_<n> entries in a file: how many times each
 * of [0, max) was seen; -1 when the file cannot be read. */
static int
seen_in(const char *path, int *count, int max)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n;

	memset(count, 0, (size_t)max * sizeof *count);
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		const char *p = strstr(line, "\"tool_name\":\"tool_");

		if (p != NULL && sscanf(p, "\"tool_name\":\"tool_%d\"", &n) == 1 &&
		    n >= 0 && n < max)
			count[n]++;
	}
	fclose(f);
	return 0;
}

#define AFTER_DELETE 500

/* Every entry logged after the deletion is at the path once, none is
 * counted as dropped: the writer notices on the write that went into the
 * deleted file (before the call returns) and writes that line again at
 * the path. */
static void
check_all_after(struct llmlog *lg, const char *path)
{
	int count[AFTER_DELETE + 2], missing = 0, twice = 0;

	for (int i = 2; i <= AFTER_DELETE; i++)
		CU_ASSERT_EQUAL(log_tool(lg, i), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL_FATAL(seen_in(path, count, AFTER_DELETE + 2), 0);
	for (int i = 2; i <= AFTER_DELETE; i++) {
		missing += count[i] == 0;
		twice += count[i] > 1;
	}
	if (missing > 0 || twice > 0)
		fprintf(stderr, "\n  %d entries lost, %d written twice\n",
		    missing, twice);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(twice, 0);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), 0);
}

static void
deleted_file(bool async)
{
	struct llmlog *lg = open_fresh(async);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	/* two writes: the first after opening checks the file anyway */
	CU_ASSERT_EQUAL(log_tool(lg, 0), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL(unlink(toolpath), 0);
	check_all_after(lg, toolpath);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

static void
test_deleted_nothing_lost(void)
{
	deleted_file(false);
}

static void
test_deleted_nothing_lost_async(void)
{
	deleted_file(true);
}

static void
test_deleted_nothing_lost_fallback(void)
{
	sink_no_shared = true;
	deleted_file(false);
	sink_no_shared = false;
}

/* Deleted after a pause (past the 100 ms in which the writer would write
 * its last lines again): what was written before is not brought back,
 * and the next entry starts the new file. */
static void
test_deleted_after_pause(void)
{
	struct timespec pause = { 0, 250 * 1000 * 1000 };
	struct llmlog *lg = open_fresh(false);
	int count[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	for (int i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(log_tool(lg, i), 0);
	nanosleep(&pause, NULL);
	CU_ASSERT_EQUAL(unlink(toolpath), 0);
	CU_ASSERT_EQUAL(log_tool(lg, 4), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL_FATAL(seen_in(toolpath, count, 8), 0);
	CU_ASSERT(count[1] == 0 && count[2] == 0 && count[3] == 0);
	CU_ASSERT_EQUAL(count[4], 1);
	CU_ASSERT_EQUAL(count_lines(toolpath), 1);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

/* The same with the deletion racing a writer thread: an entry whose call
 * began after unlink() returned is in the new file, or its call failed
 * and it is counted. */
#define RACE_ENTRIES 4000
struct race {
	struct llmlog *lg;
	atomic_int progress;		/* calls made */
	atomic_int deleted;		/* 1 once unlink() returned */
	unsigned char after[RACE_ENTRIES];	/* began after it */
	unsigned char ok[RACE_ENTRIES];		/* returned 0 */
};

static void *
race_writer(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < RACE_ENTRIES; i++) {
		r->after[i] = (unsigned char)atomic_load(&r->deleted);
		r->ok[i] = log_tool(r->lg, i) == 0;
		atomic_store(&r->progress, i + 1);
	}
	return NULL;
}

static void
test_deleted_race(void)
{
	static struct race r;
	static int count[RACE_ENTRIES];
	int lost = 0, failed = 0;
	pthread_t t;

	r.lg = open_fresh(false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.lg);
	atomic_store(&r.progress, 0);
	atomic_store(&r.deleted, 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, race_writer, &r), 0);
	while (atomic_load(&r.progress) < RACE_ENTRIES / 4)
		sched_yield();
	CU_ASSERT_EQUAL(unlink(toolpath), 0);
	atomic_store(&r.deleted, 1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(llmlog_flush(r.lg), 0);
	CU_ASSERT_EQUAL_FATAL(seen_in(toolpath, count, RACE_ENTRIES), 0);
	for (int i = 0; i < RACE_ENTRIES; i++) {
		if (!r.after[i])
			continue;
		failed += !r.ok[i];
		lost += r.ok[i] && count[i] == 0;
	}
	if (lost > 0)
		fprintf(stderr, "\n  %d entries lost\n", lost);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT((uint64_t)failed <= llmlog_dropped(r.lg));
	CU_ASSERT_EQUAL(llmlog_close(r.lg), 0);
}

/* The whole directory removed (rm -rf): made again at once, and nothing
 * logged after the removal is lost. */
static void
deleted_dir(bool async)
{
	const char *where = util_tmpdir(async ? "faults-rmdir-async" :
	    "faults-rmdir");
	char path[4096];
	struct llmlog *lg;

	lg = llmlog_open(&(struct llmlog_config){ .dir = where,
	    .no_console = true, .async = async });
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	CU_ASSERT_EQUAL(log_tool(lg, 0), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL(log_tool(lg, 1), 0);
	CU_ASSERT_EQUAL(llmlog_flush(lg), 0);
	CU_ASSERT_EQUAL_FATAL(util_rmtree(where), 0);
	snprintf(path, sizeof path, "%s/%s", where,
	    llmlog_category_file(LLMLOG_TOOL));
	check_all_after(lg, path);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
}

static void
test_deleted_dir(void)
{
	deleted_dir(false);
}

static void
test_deleted_dir_async(void)
{
	deleted_dir(true);
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

/* ---- logging from a signal handler ------------------------------------ */

static struct llmlog *handler_lg;
static volatile sig_atomic_t handler_calls, handler_ok, handler_edeadlk;

static void
log_from_handler(int sig)
{
	int saved = errno;

	(void)sig;
	handler_calls++;
	if (llmlog_tool(handler_lg, .tool_name = "from_handler",
	    .tool_server = "signal", .duration_ms = 1) == 0)
		handler_ok++;
	else if (errno == EDEADLK)
		handler_edeadlk++;
	errno = saved;
}

static void
on_signal(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A handler that logs while the thread it interrupted is inside a logging
 * call (in its write: the shim raises the signal there) is refused at
 * once: -1, EDEADLK, counted; the interrupted call goes on and writes its
 * own line whole.  Before, it took the lock its thread held: a hang. */
static int
handler_inside_call(const void *arg)
{
	const char *where = arg;
	int bad = 0;

	handler_lg = llmlog_open(&(struct llmlog_config){ .dir = where,
	    .no_console = true });
	CHECK(handler_lg != NULL);
	if (handler_lg == NULL)
		return bad;
	on_signal(SIGUSR1, log_from_handler);
	faults("SIGUSR1");
	CHECK(log_tool(handler_lg, 1) == 0);
	faults(NULL);
	CHECK(handler_calls == 1);
	CHECK(handler_ok == 0);
	CHECK(handler_edeadlk == 1);
	CHECK(llmlog_dropped(handler_lg) == 1);
	/* and outside a call the handler logs as any code does */
	raise(SIGUSR1);
	CHECK(handler_ok == 1);
	CHECK(log_tool(handler_lg, 2) == 0);
	CHECK(llmlog_close(handler_lg) == 0);
	return bad;
}

static void
test_handler_inside_call(void)
{
	const char *fresh = util_tmpdir("faults-handler");
	char path[4096];

	CU_ASSERT(exited_ok(in_child(handler_inside_call, fresh)));
	snprintf(path, sizeof path, "%s/%s", fresh,
	    llmlog_category_file(LLMLOG_TOOL));
	CU_ASSERT_EQUAL(whole_lines(path), 3);
}

/* A timer's handler logging every 50 us while the main thread logs as
 * fast as it can, sync or async: no hang, every line whole, and every
 * entry either in the file or counted as dropped. */
#define TIMER_ENTRIES 20000

static int
handler_on_timer(const void *arg)
{
	const bool async = *(const bool *)arg;
	const char *where = util_tmpdir(async ? "faults-timer-async" :
	    "faults-timer");
	struct itimerval every = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	char path[4096];
	int bad = 0, ok = 0;
	long lines;

	handler_lg = llmlog_open(&(struct llmlog_config){ .dir = where,
	    .no_console = true, .async = async });
	CHECK(handler_lg != NULL);
	if (handler_lg == NULL)
		return bad;
	on_signal(SIGALRM, log_from_handler);
	CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
	for (int i = 0; i < TIMER_ENTRIES; i++)
		ok += llmlog_tool(handler_lg, .tool_name = "from_main",
		    .tool_server = "signal", .duration_ms = 2) == 0;
	CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
	CHECK(llmlog_flush(handler_lg) == 0);
	snprintf(path, sizeof path, "%s/%s", where,
	    llmlog_category_file(LLMLOG_TOOL));
	lines = whole_lines(path);
	CHECK(lines == ok + handler_ok);
	CHECK(llmlog_dropped(handler_lg) ==
	    (uint64_t)(TIMER_ENTRIES - ok + handler_calls - handler_ok));
	CHECK(handler_calls > 0);
	printf("(%d signals, %d entries logged from the handler) ",
	    (int)handler_calls, (int)handler_ok);
	CHECK(llmlog_close(handler_lg) == 0);
	util_rmtree(where);
	return bad;
}

static void
test_handler_on_timer(void)
{
	static const bool sync = false;

	CU_ASSERT(exited_ok(in_child(handler_on_timer, &sync)));
}

static void
test_handler_on_timer_async(void)
{
	static const bool async = true;

	CU_ASSERT(exited_ok(in_child(handler_on_timer, &async)));
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
		{ "a log file deleted: nothing lost",
		    test_deleted_nothing_lost },
		{ "a log file deleted: nothing lost (async)",
		    test_deleted_nothing_lost_async },
		{ "a log file deleted: nothing lost (lock-file fallback)",
		    test_deleted_nothing_lost_fallback },
		{ "a log file deleted while a thread writes: nothing lost",
		    test_deleted_race },
		{ "a log file deleted after a pause: nothing written again",
		    test_deleted_after_pause },
		{ "the log directory deleted: nothing lost", test_deleted_dir },
		{ "the log directory deleted: nothing lost (async)",
		    test_deleted_dir_async },
		{ "a file size limit: no SIGXFSZ", test_file_size_limit },
		{ "a file size limit in async mode",
		    test_file_size_limit_async },
		{ "stderr a closed pipe: no SIGPIPE", test_echo_closed_pipe },
		{ "a signal handler logging inside a call",
		    test_handler_inside_call },
		{ "a timer's signal handler logging (sync)",
		    test_handler_on_timer },
		{ "a timer's signal handler logging (async)",
		    test_handler_on_timer_async },
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
