/*
 * test-faults.c - the writer under a full disk, I/O errors, unopenable
 * files, and log files deleted or replaced under it: the host keeps
 * running, the call reports the error, the dropped counter is right, and
 * writing resumes when the fault is gone.  Faults come from faultinject.so
 * (LD_PRELOAD), switched by a control file.  A real full filesystem is
 * test-full-fs.c's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
