/*
 * test-full-fs.c - a real full disk, on a 64 KiB tmpfs: the writer fills
 * it, reports ENOSPC and counts what it drops, every line on it is whole,
 * and it writes again once the filesystem grows.  Mounting needs
 * privileges (CAP_SYS_ADMIN); where the mount is refused the program
 * skips.  Full disks injected under a running writer are test-faults.c's.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "llmlog.h"
#include "util.h"

static char mnt[4096];

static int
log_tool(struct llmlog *lg, int seq)
{
	char name[32];

	snprintf(name, sizeof name, "tool_%d", seq);
	return llmlog_tool(lg, .tool_name = name, .tool_server = "filesystem",
	    .duration_ms = 1.5);
}

/* The file's lines; -1 when it ends inside one (or cannot be read). */
static long
whole_lines(const char *path)
{
	size_t len;
	char *text = util_read_file(path, &len);
	long n = 0;

	if (text == NULL)
		return -1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len > 0 && text[len - 1] != '\n')
		n = -1;
	free(text);
	return n;
}

static void
test_small_filesystem(void)
{
	struct llmlog_config cfg = { .dir = mnt, .no_console = true,
	    .backups = LLMLOG_BACKUPS_NONE };
	char path[4096 + 64];
	struct llmlog *lg;
	long ok = 0, failed = 0;

	lg = llmlog_open(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	for (int i = 0; i < 5000 && failed < 10; i++) {
		if (log_tool(lg, i) == 0)
			ok++;
		else {
			failed++;
			CU_ASSERT_PTR_NOT_NULL(strstr(llmlog_errmsg(),
			    strerror(ENOSPC)));
		}
	}
	CU_ASSERT(ok > 0);
	CU_ASSERT_EQUAL(failed, 10);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), (uint64_t)failed);
	snprintf(path, sizeof path, "%s/%s", mnt,
	    llmlog_category_file(LLMLOG_TOOL));
	/* every line whole: no part of a refused line stays */
	CU_ASSERT_EQUAL(whole_lines(path), ok);
	CU_ASSERT_EQUAL(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=1m"), 0);
	CU_ASSERT_EQUAL(log_tool(lg, 9999), 0);
	CU_ASSERT_EQUAL(whole_lines(path), ok + 1);
	CU_ASSERT_EQUAL(llmlog_dropped(lg), (uint64_t)failed);
	CU_ASSERT_EQUAL(llmlog_close(lg), 0);
	/* before util_run removes the directory */
	CU_ASSERT_EQUAL(umount(mnt), 0);
}

int
main(void)
{
	static const struct util_test tests[] = {
		{ "a real full filesystem (64 KiB tmpfs)",
		    test_small_filesystem },
		{ NULL, NULL },
	};

	snprintf(mnt, sizeof mnt, "%s/small", util_tmpdir("full-fs"));
	if (mkdir(mnt, 0700) != 0) {
		perror(mnt);
		return 99;
	}
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700") != 0)
		util_skip("cannot mount a tmpfs here: %s", strerror(errno));
	return util_run("full filesystem", tests);
}
